//! Agents: definition objects and request bodies.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{Metadata, ModelRef, ToolConfig};

/// An agent (or one frozen version of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct Agent {
    /// `agent_...`.
    pub id: String,
    /// `"agent"`.
    #[serde(rename = "type", default)]
    pub object_type: String,
    /// Name (1-256 characters).
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Model id or config.
    #[serde(default)]
    pub model: ModelRef,
    /// System prompt.
    #[serde(default)]
    pub system: Option<String>,
    /// Tool configurations.
    #[serde(default)]
    pub tools: Vec<ToolConfig>,
    /// MCP servers `{type: "url", name, url}`.
    #[serde(default)]
    pub mcp_servers: Vec<Value>,
    /// Skill references.
    #[serde(default)]
    pub skills: Vec<Value>,
    /// Multi-agent coordinator config.
    #[serde(default)]
    pub multiagent: Option<Value>,
    /// Metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// Version, starting at 1.
    #[serde(default)]
    pub version: u64,
    /// Archive time.
    #[serde(default)]
    pub archived_at: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update time.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `agents.create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct AgentCreateParams {
    /// Name (required, 1-256 characters).
    pub name: String,
    /// Model id or config (required).
    pub model: ModelRef,
    /// System prompt (≤100,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Description (≤2048 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tools (≤128).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<ToolConfig>>,
    /// MCP servers (≤20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcp_servers: Option<Vec<Value>>,
    /// Skills (≤20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<Value>>,
    /// Multi-agent config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiagent: Option<Value>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Extra body fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `agents.update`: any subset of the create fields plus the current `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct AgentUpdateParams {
    /// The version the caller last read; a stale value fails with a conflict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelRef>,
    /// New system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Replacement tools.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<ToolConfig>>,
    /// Replacement MCP servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcp_servers: Option<Vec<Value>>,
    /// Replacement skills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<Value>>,
    /// Multi-agent config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiagent: Option<Value>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Extra body fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Query of `agents.list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct AgentListParams {
    /// Page size (1-100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Cursor from a previous page's `next_page`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Include archived agents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
    /// Created at or after (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_gte: Option<String>,
    /// Created at or before (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_lte: Option<String>,
}

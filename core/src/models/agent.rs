//! Agents: definition objects and request bodies.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{Metadata, ModelRef};
use super::shapes::{AgentTool, McpServer, Multiagent, SkillRef};

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
    pub tools: Vec<AgentTool>,
    /// MCP servers `{type: "url", name, url}`.
    #[serde(default)]
    pub mcp_servers: Vec<McpServer>,
    /// Skill references.
    #[serde(default)]
    pub skills: Vec<SkillRef>,
    /// Multi-agent coordinator config.
    #[serde(default)]
    pub multiagent: Option<Multiagent>,
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

//! Sessions and the results of session-level calls.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{AgentRef, Metadata};

/// A session: a running conversation between an agent snapshot and an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct Session {
    /// `sess_...`.
    pub id: String,
    /// `"session"`.
    #[serde(rename = "type", default)]
    pub object_type: String,
    /// Snapshot of the agent taken at creation.
    #[serde(default)]
    pub agent: Option<Value>,
    /// The agent's id.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Environment id.
    #[serde(default)]
    pub environment_id: Option<String>,
    /// `idle`, `running`, `rescheduling`, `terminated` (unknown values are kept).
    #[serde(default)]
    pub status: String,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// Sandbox environment variables.
    #[serde(default)]
    pub environment_variables: Map<String, Value>,
    /// Mounted resources.
    #[serde(default)]
    pub resources: Vec<Value>,
    /// Vaults whose credentials are injected.
    #[serde(default)]
    pub vault_ids: Vec<String>,
    /// Budget.
    #[serde(default)]
    pub budget: Option<Value>,
    /// `{active_seconds, duration_seconds}`.
    #[serde(default)]
    pub stats: Option<Value>,
    /// Cumulative usage.
    #[serde(default)]
    pub usage: Option<Value>,
    /// Deployment that created the session.
    #[serde(default)]
    pub deployment_id: Option<String>,
    /// Archive time.
    #[serde(default)]
    pub archived_at: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `sessions.create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionCreateParams {
    /// Agent id (latest version) or `{type: "agent", id, version}`.
    pub agent: AgentRef,
    /// Environment id.
    pub environment_id: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Environment variables for the sandbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<Map<String, Value>>,
    /// Resources to mount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<Value>>,
    /// Vault ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_ids: Option<Vec<String>>,
    /// Budget `{type: "limit", max_credit_cost}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<Value>,
    /// Events processed right after creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_events: Option<Vec<Value>>,
    /// Extra body fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SessionCreateParams {
    /// A session of `agent` (latest version) in `environment_id`.
    pub fn new(agent: impl Into<AgentRef>, environment_id: impl Into<String>) -> Self {
        Self {
            agent: agent.into(),
            environment_id: environment_id.into(),
            title: None,
            metadata: None,
            environment_variables: None,
            resources: None,
            vault_ids: None,
            budget: None,
            initial_events: None,
            extra: Map::new(),
        }
    }
}

/// Query of `sessions.list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct SessionListParams {
    /// Page size (1-100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// `asc` or `desc` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// Include archived sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
    /// Status filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<String>>,
    /// Agent filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Agent version filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<u64>,
    /// Created after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_gt: Option<String>,
    /// Created at or after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_gte: Option<String>,
    /// Created before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_lt: Option<String>,
    /// Created at or before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_lte: Option<String>,
}

/// Answer of `sessions.cancel`: `{id, type: "session", status: "canceling"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct CancelAck {
    /// Session id.
    pub id: String,
    /// `"session"`.
    #[serde(rename = "type", default)]
    pub object_type: String,
    /// `"canceling"`.
    #[serde(default)]
    pub status: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `sessions.events.send`: the echoed events with their server ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct SentEvents {
    /// One echoed event per input event, in order.
    #[serde(default)]
    pub data: Vec<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SentEvents {
    /// Id of the last echoed event (the cursor to stream a new turn from).
    pub fn last_id(&self) -> Option<&str> {
        self.data.last().and_then(|e| e.get("id")).and_then(Value::as_str)
    }
}

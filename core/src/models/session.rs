//! Sessions and the results of session-level calls.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::Metadata;

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

//! Sessions and the results of session-level calls.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::Metadata;
use super::resources::SessionResource;
use super::shapes::{Budget, OutcomeEvaluation, SessionAgent, SessionStats, SessionUsage};

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
    pub agent: Option<SessionAgent>,
    /// The agent's id.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Environment id.
    #[serde(default)]
    pub environment_id: Option<String>,
    /// `idle`, `running`, `rescheduling`, `terminated` (unknown values are kept).
    #[serde(default)]
    #[schemars(extend("enum" = ["idle", "running", "rescheduling", "terminated"], "x-open" = true))]
    pub status: String,
    /// `idle`, `running` or `canceling` (unknown values are kept).
    #[serde(default)]
    #[schemars(extend("x-optional" = true))]
    #[schemars(extend("enum" = ["idle", "running", "canceling"], "x-open" = true))]
    pub turn_status: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// Sandbox environment variables.
    #[serde(default)]
    pub environment_variables: std::collections::BTreeMap<String, String>,
    /// Mounted resources.
    #[serde(default)]
    pub resources: Vec<SessionResource>,
    /// Vaults whose credentials are injected.
    #[serde(default)]
    pub vault_ids: Vec<String>,
    /// Memory stores attached.
    #[serde(default)]
    #[schemars(extend("x-optional" = true))]
    pub memory_store_ids: Option<Vec<String>>,
    /// Budget.
    #[serde(default)]
    pub budget: Option<Budget>,
    /// `{active_seconds, duration_seconds}`.
    #[serde(default)]
    #[schemars(extend("x-optional" = true))]
    pub stats: Option<SessionStats>,
    /// Cumulative usage.
    #[serde(default)]
    #[schemars(extend("x-optional" = true))]
    pub usage: Option<SessionUsage>,
    /// The grader's verdicts on the session's outcomes.
    #[serde(default)]
    #[schemars(extend("x-optional" = true))]
    pub outcome_evaluations: Option<Vec<OutcomeEvaluation>>,
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
    #[schemars(extend("enum" = ["canceling"], "x-open" = true))]
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
    pub data: Vec<super::event::SessionEvent>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SentEvents {
    /// Id of the last echoed event (the cursor to stream a new turn from).
    pub fn last_id(&self) -> Option<&str> {
        self.data.last().and_then(|e| e.id())
    }
}

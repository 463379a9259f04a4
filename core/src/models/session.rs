//! Sessions and the results of session-level calls.

use super::object::shape;

use super::common::Metadata;
use super::resources::SessionResource;
use super::shapes::{Budget, OutcomeEvaluation, SessionAgent, SessionStats, SessionUsage};

shape! {
    /// A session: a running conversation between an agent snapshot and an environment.
    Session {
        /// `sess_...`.
        id: String,
        /// `"session"`.
        #[serde(rename = "type")]
        object_type: String,
        /// Snapshot of the agent taken at creation.
        agent: Option<SessionAgent>,
        /// The agent's id.
        agent_id: Option<String>,
        /// Environment id.
        environment_id: Option<String>,
        /// `idle`, `running`, `rescheduling`, `terminated` (unknown values are kept).
        #[schemars(extend("enum" = ["idle", "running", "rescheduling", "terminated"], "x-open" = true))]
        status: String,
        /// `idle`, `running` or `canceling` (unknown values are kept).
        #[schemars(extend("x-optional" = true))]
        #[schemars(extend("enum" = ["idle", "running", "canceling"], "x-open" = true))]
        turn_status: Option<String>,
        /// Title.
        title: Option<String>,
        /// Metadata.
        metadata: Metadata,
        /// Sandbox environment variables.
        environment_variables: std::collections::BTreeMap<String, String>,
        /// Mounted resources.
        resources: Vec<SessionResource>,
        /// Vaults whose credentials are injected.
        vault_ids: Vec<String>,
        /// Memory stores attached.
        #[schemars(extend("x-optional" = true))]
        memory_store_ids: Option<Vec<String>>,
        /// Budget.
        budget: Option<Budget>,
        /// `{active_seconds, duration_seconds}`.
        #[schemars(extend("x-optional" = true))]
        stats: Option<SessionStats>,
        /// Cumulative usage.
        #[schemars(extend("x-optional" = true))]
        usage: Option<SessionUsage>,
        /// The grader's verdicts on the session's outcomes.
        #[schemars(extend("x-optional" = true))]
        outcome_evaluations: Option<Vec<OutcomeEvaluation>>,
        /// Deployment that created the session.
        deployment_id: Option<String>,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time.
        created_at: Option<String>,
        /// Last update.
        updated_at: Option<String>,
    }
}

shape! {
    /// Answer of `sessions.cancel`: `{id, type: "session", status: "canceling"}`.
    CancelAck {
        /// Session id.
        id: String,
        /// `"session"`.
        #[serde(rename = "type")]
        object_type: String,
        /// `"canceling"`.
        #[schemars(extend("enum" = ["canceling"], "x-open" = true))]
        status: String,
    }
}

shape! {
    /// Answer of `sessions.events.send`: the echoed events with their server ids.
    SentEvents {
        /// One echoed event per input event, in order.
        data: Vec<super::event::SessionEvent>,
    }
}

impl SentEvents {
    /// Id of the last echoed event (the cursor to stream a new turn from).
    pub fn last_id(&self) -> Option<&str> {
        self.data.last().and_then(|e| e.id())
    }
}

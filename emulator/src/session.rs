//! Session domain model: state, event log and rendering.
//!
//! Each session has its own lock (`SessionCore`) so that turns, streams and API
//! calls on different sessions never contend. Every mutation goes through
//! [`Session::with`], which wakes stream readers whenever the log grows.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::agent_script::Plan;
use crate::clock::{format_rfc3339, Micros};
use crate::event_log::{EventBody, EventLog, StoredEvent};
use crate::ids::{format_id, prefix};
use crate::state::AppState;
use crate::validate::Obj;

/// Session status (docs/api-contract.md §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for input.
    Idle,
    /// A turn is executing.
    Running,
    /// Transient error, retrying.
    Rescheduling,
    /// Final.
    Terminated,
}

impl Status {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Running => "running",
            Status::Rescheduling => "rescheduling",
            Status::Terminated => "terminated",
        }
    }
}

/// `turn_status` (Qoder extra).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnStatus {
    /// No turn.
    Idle,
    /// Turn executing.
    Running,
    /// Cancellation requested.
    Canceling,
}

impl TurnStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TurnStatus::Idle => "idle",
            TurnStatus::Running => "running",
            TurnStatus::Canceling => "canceling",
        }
    }
}

/// Cumulative token/credit usage.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
}

impl Usage {
    /// Model credits derived from tokens (deterministic fake pricing).
    pub fn credits(&self) -> f64 {
        ((self.input_tokens + self.output_tokens) as f64 / 1000.0 * 10_000.0).round() / 10_000.0
    }
}

/// What a blocking event waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingKind {
    /// `agent.tool_use` with `evaluated_permission: "ask"`.
    ToolConfirmation,
    /// `agent.custom_tool_use`.
    CustomTool,
}

/// One unresolved blocking event.
#[derive(Debug, Clone)]
pub struct PendingAction {
    /// The blocking event id.
    pub event_id: String,
    /// Tool name.
    pub name: String,
    /// Kind.
    pub kind: PendingKind,
}

/// How a blocking event was resolved.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Resolution {
    /// Tool allowed.
    Allowed { tool_use_id: String, name: String },
    /// Tool denied.
    Denied { name: String, message: Option<String> },
    /// Custom tool result (or self-hosted tool result).
    ToolOutput { name: String, text: String, is_error: bool },
}

/// State while a turn waits for `requires_action` replies.
#[derive(Debug)]
pub struct Blocked {
    /// Still unresolved.
    pub pending: Vec<PendingAction>,
    /// Already resolved.
    pub resolved: Vec<Resolution>,
    /// The rest of the turn.
    pub plan: Plan,
    /// The turn's id.
    pub turn_id: String,
}

/// Work for the session worker.
#[derive(Debug)]
pub enum WorkItem {
    /// A new turn started by an input event.
    Turn {
        /// Turn id (already on the input event).
        turn_id: String,
        /// The input event, whose `processed_at` is filled when the turn starts.
        input_event_id: String,
        /// What the agent does.
        plan: Plan,
    },
    /// Continuation after all blocking events were resolved.
    Resume {
        /// Turn id.
        turn_id: String,
        /// Remaining plan.
        plan: Plan,
        /// Resolutions in order.
        resolutions: Vec<Resolution>,
    },
}

/// Mutable session state, guarded by the session lock.
#[derive(Debug)]
pub struct SessionCore {
    /// `sess_…`.
    pub session_id: String,
    /// Primary thread `sthr_…`.
    pub thread_id: String,
    /// `environment_id`.
    pub environment_id: String,
    /// Agent snapshot.
    pub agent: Obj,
    /// `title`.
    pub title: Value,
    /// `metadata`.
    pub metadata: Obj,
    /// `environment_variables`.
    pub environment_variables: Obj,
    /// `resources`.
    pub resources: Vec<Value>,
    /// Repository secrets by resource id (never rendered).
    pub resource_secrets: std::collections::BTreeMap<String, String>,
    /// The deployment whose run created this session.
    pub deployment_id: Option<String>,
    /// `vault_ids`.
    pub vault_ids: Vec<Value>,
    /// `memory_store_ids`.
    pub memory_store_ids: Vec<Value>,
    /// `budget`.
    pub budget: Value,
    /// Status.
    pub status: Status,
    /// Turn status.
    pub turn_status: TurnStatus,
    /// Archive time.
    pub archived_at: Option<Micros>,
    /// Creation time.
    pub created_us: Micros,
    /// Last update.
    pub updated_us: Micros,
    /// Deleted (or wiped by reset): streams drain the log and end.
    pub deleted: bool,
    /// Usage.
    pub usage: Usage,
    /// Accumulated running time.
    pub active_us: Micros,
    /// When the current running period started.
    pub running_since: Option<Micros>,
    /// `outcome_evaluations`.
    pub outcome_evaluations: Vec<Value>,
    /// Primary thread archive time.
    pub thread_archived_at: Option<Micros>,
    /// The event log.
    pub log: EventLog,
    /// Pending work (queued turns; resumptions go first).
    pub queue: VecDeque<WorkItem>,
    /// Waiting for `requires_action` replies.
    pub blocked: Option<Blocked>,
    /// A turn is in progress or about to start.
    pub busy: bool,
    /// A worker task is alive.
    pub worker_running: bool,
    /// The worker has started executing the current item (it emitted
    /// `session.status_running`); until then a cancel just drops the item.
    pub turn_active: bool,
    /// Cancels the current turn.
    pub cancel: CancellationToken,
    /// Turn id stamped on events appended during a turn.
    pub current_turn: Option<String>,
    /// Environment is self-hosted (accepts `user.tool_result`).
    pub self_hosted: bool,
    /// Default per-step delay of scripted turns.
    pub step_delay: Duration,
}

/// A session: immutable identity plus locked state.
#[derive(Debug)]
pub struct Session {
    /// `sess_…`.
    pub id: String,
    /// Environment reference (immutable).
    pub environment_id: String,
    core: Mutex<SessionCore>,
    notify: watch::Sender<u64>,
}

impl Session {
    /// Wraps a new core.
    pub fn new(core: SessionCore) -> Arc<Self> {
        let (notify, _) = watch::channel(0);
        let (id, environment_id) = (core.session_id.clone(), core.environment_id.clone());
        Arc::new(Session { id, environment_id, core: Mutex::new(core), notify })
    }

    /// Runs `f` under the session lock and wakes stream readers if the log grew
    /// or the session was deleted.
    pub fn with<R>(&self, f: impl FnOnce(&mut SessionCore) -> R) -> R {
        let mut c = self.core.lock().unwrap_or_else(|e| e.into_inner());
        let (len, deleted) = (c.log.len(), c.deleted);
        let r = f(&mut c);
        if c.log.len() != len || c.deleted != deleted {
            self.notify.send_replace(c.log.len() as u64);
        }
        r
    }

    /// A receiver that changes whenever the log grows.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.notify.subscribe()
    }
}

/// Keys of the event envelope that clients may not set.
pub const ENVELOPE_KEYS: [&str; 8] =
    ["id", "type", "processed_at", "session_id", "session_thread_id", "turn_id", "created_at", "schema_version"];

impl SessionCore {
    /// Appends an event; `processed` = false leaves `processed_at` null (queued input).
    /// Returns the id and JSON text.
    pub fn append_event(
        &mut self,
        st: &AppState,
        etype: &'static str,
        fields: Obj,
        processed: bool,
        turn_id: Option<&str>,
    ) -> (String, Arc<str>) {
        let now = st.clock.now_us();
        let raw = st.ids.next_raw(st.clock.now_ms());
        let id = format_id(prefix::EVENT, raw);
        let ts = format_rfc3339(now);
        let thread = fields.get("session_thread_id").cloned().unwrap_or(Value::Null);
        let mut m = Map::with_capacity(fields.len() + 9);
        m.insert("id".into(), json!(id));
        m.insert("type".into(), json!(etype));
        for (k, v) in fields {
            if !ENVELOPE_KEYS.contains(&k.as_str()) {
                m.insert(k, v);
            }
        }
        m.insert("processed_at".into(), if processed { json!(ts) } else { Value::Null });
        m.insert("session_id".into(), json!(self.session_id));
        m.insert("session_thread_id".into(), thread);
        let turn = turn_id.map(str::to_string).or_else(|| self.current_turn.clone());
        m.insert("turn_id".into(), turn.map(Value::String).unwrap_or(Value::Null));
        m.insert("created_at".into(), json!(ts));
        m.insert("schema_version".into(), json!("1.0"));
        let text: Arc<str> = serde_json::to_string(&Value::Object(m)).unwrap_or_default().into();
        self.log.push(StoredEvent { id: raw, etype, created_us: now, body: EventBody::Json(text.clone()) });
        st.stats.count_objects(etype, 1);
        (id, text)
    }

    /// Appends a processed event in the current turn.
    pub fn emit(&mut self, st: &AppState, etype: &'static str, fields: Value) -> String {
        let fields = match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.append_event(st, etype, fields, true, None).0
    }

    /// Fills `processed_at` of a queued input event.
    pub fn mark_processed(&mut self, event_id: &str, now: Micros) {
        let Some(pos) = self.log.position(event_id) else { return };
        let e = &self.log.as_slice()[pos];
        let Ok(Value::Object(mut m)) = serde_json::from_str::<Value>(&e.json()) else { return };
        if m.get("processed_at").is_some_and(|v| v.is_null()) {
            m.insert("processed_at".into(), json!(format_rfc3339(now)));
            self.log.set_json(pos, serde_json::to_string(&Value::Object(m)).unwrap_or_default());
        }
    }

    /// Changes status, keeping active-time accounting and `updated_at` right.
    pub fn set_status(&mut self, status: Status, now: Micros) {
        let was_active = matches!(self.status, Status::Running | Status::Rescheduling);
        let is_active = matches!(status, Status::Running | Status::Rescheduling);
        if was_active && !is_active {
            if let Some(since) = self.running_since.take() {
                self.active_us += (now - since).max(0);
            }
        } else if !was_active && is_active {
            self.running_since = Some(now);
        }
        if self.status != status {
            self.updated_us = now;
        }
        self.status = status;
    }

    fn active_seconds(&self, now: Micros) -> f64 {
        let running = self.running_since.map_or(0, |s| (now - s).max(0));
        round3((self.active_us + running) as f64 / 1e6)
    }

    fn usage_json(&self, now: Micros, with_credits: bool) -> Value {
        let mut u = json!({
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
            "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
            "active_seconds": self.active_seconds(now),
        });
        if with_credits {
            let credits = self.usage.credits();
            let m = u.as_object_mut().expect("object");
            m.insert("model_credits".into(), json!(credits));
            m.insert("sandbox_runtime_credits".into(), json!(0.0));
            m.insert("total_credits".into(), json!(credits));
            m.insert("list_cost".into(), json!({"amount": format!("{credits:.2}"), "currency": "USD"}));
        }
        u
    }

    /// Usage snapshot used by `session.usage` events.
    pub fn usage_value(&self, now: Micros) -> Value {
        self.usage_json(now, true)
    }

    /// The Session object (docs/api-contract.md §4.5).
    pub fn render(&self, now: Micros) -> Value {
        let agent_id = self.agent.get("id").cloned().unwrap_or(Value::Null);
        json!({
            "id": self.session_id,
            "type": "session",
            "agent": Value::Object(self.agent.clone()),
            "agent_id": agent_id,
            "environment_id": self.environment_id,
            "status": self.status.as_str(),
            "turn_status": self.turn_status.as_str(),
            "title": self.title,
            "metadata": Value::Object(self.metadata.clone()),
            "environment_variables": Value::Object(self.environment_variables.clone()),
            "resources": self.resources,
            "vault_ids": self.vault_ids,
            "memory_store_ids": self.memory_store_ids,
            "budget": self.budget,
            "stats": {
                "active_seconds": self.active_seconds(now),
                "duration_seconds": round3((now - self.created_us).max(0) as f64 / 1e6),
            },
            "usage": self.usage_json(now, true),
            "outcome_evaluations": self.outcome_evaluations,
            "deployment_id": self.deployment_id,
            "archived_at": ts_or_null(self.archived_at),
            "created_at": format_rfc3339(self.created_us),
            "updated_at": format_rfc3339(self.updated_us),
        })
    }

    /// The primary SessionThread object.
    pub fn render_thread(&self, now: Micros) -> Value {
        let a = &self.agent;
        let pick = |k: &str| a.get(k).cloned().unwrap_or(Value::Null);
        json!({
            "id": self.thread_id,
            "type": "session_thread",
            "session_id": self.session_id,
            "parent_thread_id": Value::Null,
            "agent_name": pick("name"),
            "agent": {
                "id": pick("id"), "type": "agent", "name": pick("name"), "description": pick("description"),
                "model": pick("model"), "system": pick("system"), "tools": pick("tools"),
                "mcp_servers": pick("mcp_servers"), "skills": pick("skills"), "version": pick("version"),
            },
            "status": self.status.as_str(),
            "stats": {
                "active_seconds": self.active_seconds(now),
                "duration_seconds": round3((now - self.created_us).max(0) as f64 / 1e6),
                "startup_seconds": 0.0,
            },
            "usage": self.usage_json(now, false),
            "archived_at": ts_or_null(self.thread_archived_at),
            "created_at": format_rfc3339(self.created_us),
            "updated_at": format_rfc3339(self.updated_us),
        })
    }

    /// Ids of the events currently blocking the session.
    pub fn blocking_ids(&self) -> Vec<String> {
        self.blocked.as_ref().map(|b| b.pending.iter().map(|p| p.event_id.clone()).collect()).unwrap_or_default()
    }
}

/// Rounds to 3 decimals.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// RFC 3339 or null.
pub fn ts_or_null(t: Option<Micros>) -> Value {
    t.map(|t| Value::String(format_rfc3339(t))).unwrap_or(Value::Null)
}

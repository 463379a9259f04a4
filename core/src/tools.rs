//! The tool runner: drives a session through its turns, running the client's own (custom) tools
//! and answering tool confirmations, until the turn ends or only the caller can decide.
//!
//! Exactly-once replies (docs/api-contract.md §7.3, §7.4): every batch of replies is sent with an
//! idempotency key derived from the ids of the tool uses it answers, so a retried send, a resent
//! batch after a dropped stream, and a second runner on the same pending calls all carry the
//! same key, and the server applies the batch once. A runner started on a session that already
//! waits for replies reads the history: it answers only the ids the latest `requires_action`
//! still lists and that no later reply answered.
//!
//! Handlers of one round run concurrently, inside the runner's future: dropping the runner
//! (cancelling the caller) drops them.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::TryStreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::RequestOptions;
use crate::turn::{TurnOptions, TurnResult};

/// A boxed future, as tool handlers and confirmation policies return them.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// One call of a custom tool (an `agent.custom_tool_use` event).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The event id; the result answers it as `custom_tool_use_id`.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The parsed input (a JSON object).
    pub input: Value,
    /// The sub-agent thread that made the call, if any.
    pub session_thread_id: Option<String>,
}

/// What a handler returns: `Ok` content (a string becomes one text block, an array of content
/// blocks is sent as is, anything else as its JSON text) or `Err` with a message (sent as an
/// `is_error` result).
pub type ToolOutput = std::result::Result<Value, String>;

/// A client-executed tool.
pub trait ToolHandler: Send + Sync {
    /// Runs one call. Dropping the future cancels it.
    fn call(&self, call: ToolCall) -> BoxFuture<ToolOutput>;
}

impl<F, Fut> ToolHandler for F
where
    F: Fn(ToolCall) -> Fut + Send + Sync,
    Fut: Future<Output = ToolOutput> + Send + 'static,
{
    fn call(&self, call: ToolCall) -> BoxFuture<ToolOutput> {
        Box::pin(self(call))
    }
}

/// A tool use that waits for the client's confirmation (`evaluated_permission: "ask"`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmationRequest {
    /// The `agent.tool_use` / `agent.mcp_tool_use` event id (the reply's `tool_use_id`).
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The MCP server of an `agent.mcp_tool_use`.
    pub mcp_server_name: Option<String>,
    /// The tool's input.
    pub input: Value,
    /// The sub-agent thread that asks, if any.
    pub session_thread_id: Option<String>,
    /// The whole event.
    pub event: Value,
}

/// A confirmation policy's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Let the tool run.
    Allow,
    /// Refuse, with an optional message for the agent.
    Deny(Option<String>),
    /// No answer: the runner returns the request to its caller.
    Defer,
}

/// Answers tool confirmations.
pub trait ConfirmationPolicy: Send + Sync {
    /// Decides one request.
    fn decide(&self, request: ConfirmationRequest) -> BoxFuture<Decision>;
}

/// A policy from lists of tool names: allowed, denied, and the rest deferred to the caller.
#[derive(Debug, Clone, Default)]
pub struct ToolLists {
    /// Names confirmed with `allow`.
    pub allow: HashSet<String>,
    /// Names answered with `deny`.
    pub deny: HashSet<String>,
    /// The `deny_message` sent with a denial.
    pub deny_message: Option<String>,
}

impl ConfirmationPolicy for ToolLists {
    fn decide(&self, request: ConfirmationRequest) -> BoxFuture<Decision> {
        let d = if self.deny.contains(&request.name) {
            Decision::Deny(self.deny_message.clone())
        } else if self.allow.contains(&request.name) {
            Decision::Allow
        } else {
            Decision::Defer
        };
        Box::pin(std::future::ready(d))
    }
}

/// The client's tools and confirmation policy.
#[derive(Clone, Default)]
pub struct Tools {
    handlers: HashMap<String, Arc<dyn ToolHandler>>,
    policy: Option<Arc<dyn ConfirmationPolicy>>,
}

impl std::fmt::Debug for Tools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.handlers.keys().collect();
        names.sort();
        f.debug_struct("Tools").field("handlers", &names).field("policy", &self.policy.is_some()).finish()
    }
}

impl Tools {
    /// No tools, no policy.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds (or replaces) the handler of the tool `name`.
    pub fn handler(mut self, name: impl Into<String>, handler: impl ToolHandler + 'static) -> Self {
        self.handlers.insert(name.into(), Arc::new(handler));
        self
    }
    /// Adds a shared handler.
    pub fn handler_arc(mut self, name: impl Into<String>, handler: Arc<dyn ToolHandler>) -> Self {
        self.handlers.insert(name.into(), handler);
        self
    }
    /// Sets the confirmation policy (without one, every confirmation goes back to the caller).
    pub fn policy(mut self, policy: impl ConfirmationPolicy + 'static) -> Self {
        self.policy = Some(Arc::new(policy));
        self
    }
    /// Sets a shared confirmation policy.
    pub fn policy_arc(mut self, policy: Arc<dyn ConfirmationPolicy>) -> Self {
        self.policy = Some(policy);
        self
    }
}

/// What [`Client::run_tools`] ends with.
#[derive(Debug, Clone, Default)]
pub struct ToolRun {
    /// The last turn (its stop reason says why the run ended).
    pub turn: TurnResult,
    /// Blocking events left for the caller (confirmations the policy deferred, or blocking
    /// events of a kind the runner does not know), with the stop reason `requires_action`.
    pub pending: Vec<Value>,
    /// Every reply the runner sent (`user.custom_tool_result` / `user.tool_confirmation`), in order.
    pub replies: Vec<Value>,
}

/// A `custom` tool definition for an agent's `tools` list, checked before it is sent: `name`
/// 1–128 characters, `description` at most 4,096, `input_schema` a JSON Schema object whose
/// `type` is `"object"` (docs/api-contract.md §4.3). Errors name the offending argument.
pub fn custom_tool(name: &str, description: &str, input_schema: Value) -> Result<Value> {
    let n = name.chars().count();
    if !(1..=128).contains(&n) {
        return Err(Error::invalid_argument("name", format!("name: must be 1 to 128 characters, got {n}")));
    }
    let d = description.chars().count();
    if d > 4096 {
        return Err(Error::invalid_argument(
            "description",
            format!("description: must be at most 4096 characters, got {d}"),
        ));
    }
    match input_schema.get("type").and_then(Value::as_str) {
        Some("object") if input_schema.is_object() => {}
        _ => {
            return Err(Error::invalid_argument(
                "input_schema",
                "input_schema: must be a JSON Schema object with \"type\": \"object\"",
            ))
        }
    }
    Ok(json!({"type": "custom", "name": name, "description": description, "input_schema": input_schema}))
}

/// The idempotency key of a batch of replies: stable for the set of tool-use ids it answers.
pub fn reply_key(ids: &[&str]) -> String {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    let mut h = Sha256::new();
    for id in ids {
        h.update(id.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let hex: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("qoder-replies-{hex}")
}

/// The `content` of a result from a handler's value.
fn content_of(v: Value) -> Value {
    match v {
        Value::String(s) => json!([{"type": "text", "text": s}]),
        Value::Array(blocks) if blocks.iter().all(|b| b.get("type").and_then(Value::as_str).is_some()) => {
            Value::Array(blocks)
        }
        Value::Null => json!([{"type": "text", "text": ""}]),
        other => json!([{"type": "text", "text": other.to_string()}]),
    }
}

fn str_field(ev: &Value, k: &str) -> Option<String> {
    ev.get(k).and_then(Value::as_str).map(str::to_string)
}

fn with_thread(mut reply: Value, thread: &Option<String>) -> Value {
    if let (Some(t), Some(o)) = (thread, reply.as_object_mut()) {
        o.insert("session_thread_id".into(), Value::String(t.clone()));
    }
    reply
}

impl Tools {
    /// Runs one call; an unknown tool and a handler error become error results.
    async fn run_one(&self, call: ToolCall) -> Value {
        let thread = call.session_thread_id.clone();
        let id = call.id.clone();
        let out = match self.handlers.get(&call.name) {
            Some(h) => h.call(call).await,
            None => Err(format!("unknown tool: {:?} (this client has no handler for it)", call.name)),
        };
        let reply = match out {
            Ok(v) => {
                json!({"type": "user.custom_tool_result", "custom_tool_use_id": id, "content": content_of(v), "is_error": false})
            }
            Err(msg) => json!({"type": "user.custom_tool_result", "custom_tool_use_id": id,
                               "content": [{"type": "text", "text": msg}], "is_error": true}),
        };
        with_thread(reply, &thread)
    }

    /// The replies to `blocking` (this round), and the events left for the caller.
    async fn answer(&self, blocking: Vec<Value>) -> (Vec<Value>, Vec<Value>) {
        let mut calls = Vec::new();
        let mut replies = Vec::new();
        let mut pending = Vec::new();
        for ev in blocking {
            let (Some(id), ty) = (str_field(&ev, "id"), ev.get("type").and_then(Value::as_str).unwrap_or("")) else {
                pending.push(ev);
                continue;
            };
            let thread = str_field(&ev, "session_thread_id");
            match ty {
                "agent.custom_tool_use" => calls.push(ToolCall {
                    id,
                    name: str_field(&ev, "name").unwrap_or_default(),
                    input: ev.get("input").cloned().unwrap_or_else(|| json!({})),
                    session_thread_id: thread,
                }),
                "agent.tool_use" | "agent.mcp_tool_use" => {
                    let Some(policy) = &self.policy else {
                        pending.push(ev);
                        continue;
                    };
                    let req = ConfirmationRequest {
                        id: id.clone(),
                        name: str_field(&ev, "name").unwrap_or_default(),
                        mcp_server_name: str_field(&ev, "mcp_server_name"),
                        input: ev.get("input").cloned().unwrap_or_else(|| json!({})),
                        session_thread_id: thread.clone(),
                        event: ev.clone(),
                    };
                    match policy.decide(req).await {
                        Decision::Allow => replies.push(with_thread(
                            json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                            &thread,
                        )),
                        Decision::Deny(msg) => {
                            let mut r = json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "deny"});
                            if let Some(m) = msg {
                                r["deny_message"] = Value::String(m);
                            }
                            replies.push(with_thread(r, &thread));
                        }
                        Decision::Defer => pending.push(ev),
                    }
                }
                _ => pending.push(ev),
            }
        }
        let results = futures_util::future::join_all(calls.into_iter().map(|c| self.run_one(c))).await;
        replies.extend(results);
        (replies, pending)
    }
}

fn reply_target(r: &Value) -> Option<&str> {
    r.get("custom_tool_use_id").or_else(|| r.get("tool_use_id")).and_then(Value::as_str)
}

impl Client {
    /// Drives a session with client-side tools: sends `input` (a message, say), then runs every
    /// `agent.custom_tool_use` through its handler and answers confirmations through the policy,
    /// turn after turn, until the session idles for another reason than `requires_action`
    /// (`end_turn`, ...), terminates, or waits on something only the caller can decide
    /// ([`ToolRun::pending`]). With no `input`, it resumes a session: it answers what the
    /// session is waiting for now, per its history.
    pub async fn run_tools(
        &self,
        session_id: &str,
        input: Vec<Value>,
        tools: &Tools,
        mut opts: TurnOptions,
    ) -> Result<ToolRun> {
        let key = opts.idempotency_key.take();
        let mut run = ToolRun::default();
        // Blocking events already in hand (a resumed session's), so the first round needs no lookup.
        let mut known: Option<Vec<Value>> = None;
        let mut turn = if input.is_empty() {
            match self.resume_state(session_id, &opts.request).await? {
                Resume::Waiting(blocking) => {
                    let ids: Vec<String> = blocking.iter().filter_map(|e| str_field(e, "id")).collect();
                    known = Some(blocking);
                    TurnResult {
                        stop_reason: Some(json!({"type": "requires_action", "event_ids": ids})),
                        blocking_event_ids: ids,
                        usage: json!({}),
                        ..Default::default()
                    }
                }
                Resume::Busy(after) => {
                    self.wait_turn(
                        session_id,
                        after,
                        None,
                        true,
                        TurnResult { usage: json!({}), ..Default::default() },
                        &mut opts,
                    )
                    .await?
                }
                Resume::Done(t) => *t,
            }
        } else {
            self.send_and_wait_with(session_id, input, &mut opts, key).await?
        };
        loop {
            if turn.terminated || turn.stop_type() != Some("requires_action") {
                run.turn = turn;
                return Ok(run);
            }
            let blocking = match known.take() {
                Some(b) => b,
                None => self.blocking_events(session_id, &turn, &opts.request).await?,
            };
            let (replies, pending) = tools.answer(blocking).await;
            if replies.is_empty() {
                run.pending = pending;
                run.turn = turn;
                return Ok(run);
            }
            let ids: Vec<&str> = replies.iter().filter_map(reply_target).collect();
            let key = reply_key(&ids);
            run.replies.extend(replies.iter().cloned());
            turn = self.send_and_wait_with(session_id, replies, &mut opts, Some(key)).await?;
        }
    }

    /// The blocking events of a `requires_action` turn: from the turn's own events, or else
    /// from the session's history.
    async fn blocking_events(&self, session_id: &str, turn: &TurnResult, req: &RequestOptions) -> Result<Vec<Value>> {
        let mut found: HashMap<String, Value> = HashMap::new();
        for ev in &turn.events {
            if let Some(id) = ev.id.as_deref().filter(|id| turn.blocking_event_ids.iter().any(|b| b == id)) {
                found.insert(id.to_string(), ev.json()?);
            }
        }
        if found.len() < turn.blocking_event_ids.len() {
            for v in self.history(session_id, req).await? {
                if let Some(id) = str_field(&v, "id") {
                    if turn.blocking_event_ids.contains(&id) {
                        found.insert(id, v);
                    }
                }
            }
        }
        turn.blocking_event_ids
            .iter()
            .map(|id| {
                found.remove(id).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("the session waits on event {id}, which is not in its history"),
                    )
                })
            })
            .collect()
    }

    /// The session's whole persisted history, oldest first.
    async fn history(&self, session_id: &str, req: &RequestOptions) -> Result<Vec<Value>> {
        let items =
            self.paginate("sessions.events.list", json!({"session_id": session_id, "limit": 100}), req.clone(), None)?;
        items.try_collect().await
    }

    /// What a session waits for now, per its history.
    async fn resume_state(&self, session_id: &str, req: &RequestOptions) -> Result<Resume> {
        let history = self.history(session_id, req).await?;
        let Some(last) = history.last() else {
            return Ok(Resume::Done(Box::new(TurnResult { usage: json!({}), ..Default::default() })));
        };
        let last_id = str_field(last, "id").unwrap_or_default();
        let idle_at =
            history.iter().rposition(|e| e.get("type").and_then(Value::as_str) == Some("session.status_idle"));
        let terminal =
            history.iter().any(|e| e.get("type").and_then(Value::as_str).is_some_and(crate::stream::is_terminal_type));
        if terminal {
            return Ok(Resume::Done(Box::new(TurnResult { terminated: true, usage: json!({}), ..Default::default() })));
        }
        let Some(i) = idle_at else { return Ok(Resume::Busy(last_id)) };
        let after = &history[i + 1..];
        // A turn that started after the idle is still going.
        if after.iter().any(|e| e.get("type").and_then(Value::as_str) == Some("session.status_running")) {
            return Ok(Resume::Busy(last_id));
        }
        let stop = history[i].get("stop_reason").cloned().unwrap_or(Value::Null);
        if stop.get("type").and_then(Value::as_str) != Some("requires_action") {
            let r = TurnResult { stop_reason: Some(stop), usage: json!({}), ..Default::default() };
            return Ok(if after.is_empty() { Resume::Done(Box::new(r)) } else { Resume::Busy(last_id) });
        }
        let answered: HashSet<&str> = after.iter().filter_map(reply_target).collect();
        let ids: Vec<&str> = stop
            .get("event_ids")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let waiting: Vec<Value> = ids
            .iter()
            .filter(|id| !answered.contains(*id))
            .filter_map(|id| history.iter().find(|e| e.get("id").and_then(Value::as_str) == Some(*id)).cloned())
            .collect();
        if waiting.is_empty() {
            // Every call was answered: the next turn is on its way.
            return Ok(Resume::Busy(last_id));
        }
        Ok(Resume::Waiting(waiting))
    }
}

/// A session's state when a runner starts on it without input.
enum Resume {
    /// Idle with `requires_action` on these (unanswered) events.
    Waiting(Vec<Value>),
    /// A turn is under way; its events follow this id.
    Busy(String),
    /// Nothing to do.
    Done(Box<TurnResult>),
}

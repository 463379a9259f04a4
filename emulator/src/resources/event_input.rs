//! Validation of input events (docs/api-contract.md §5.2 "User / system", §7).
//!
//! A whole batch is validated before anything is stored, so a 400 never leaves
//! half a batch behind. Replies to blocking events are checked against the
//! session's pending ids, consuming them as the batch is walked so duplicate
//! replies in one batch are rejected too.

use serde_json::{json, Value};

use crate::agent_script::{plan_for_message, Plan};
use crate::errors::{ApiError, ApiResult};
use crate::session::{PendingKind, SessionCore};
use crate::validate::{type_name, Fields, Obj};

/// A validated input event.
#[derive(Debug)]
pub struct Input {
    /// Event type.
    pub etype: &'static str,
    /// Fields to store (normalised).
    pub fields: Obj,
    /// Semantics.
    pub kind: InputKind,
}

/// What an input event does (fields mirror the event's).
#[derive(Debug)]
#[allow(missing_docs)]
pub enum InputKind {
    /// Starts (or queues) a turn.
    UserMessage { plan: Plan },
    /// Starts (or queues) an outcome turn.
    DefineOutcome { description: String },
    /// Stops the current turn.
    Interrupt,
    /// Approves or denies a pending tool use.
    ToolConfirmation { tool_use_id: String, allow: bool, deny_message: Option<String> },
    /// Result of a pending custom tool use.
    CustomToolResult { id: String, text: String, is_error: bool },
    /// Self-hosted tool result.
    ToolResult { tool_use_id: String, text: String, is_error: bool },
    /// Recorded only.
    SystemMessage,
}

/// Every accepted input type.
pub const ALL_TYPES: [&str; 7] = [
    "user.message",
    "user.interrupt",
    "user.tool_confirmation",
    "user.custom_tool_result",
    "user.define_outcome",
    "user.tool_result",
    "system.message",
];

/// Validates a batch against the session state. `allowed` restricts the types
/// (session `initial_events` accept only `user.message` / `user.define_outcome`).
pub fn validate_batch(events: &[Value], core: &SessionCore, param: &str, allowed: &[&str]) -> ApiResult<Vec<Input>> {
    let pending: Vec<(String, PendingKind)> = core
        .blocked
        .as_ref()
        .map(|b| b.pending.iter().map(|p| (p.event_id.clone(), p.kind.clone())).collect())
        .unwrap_or_default();
    validate_with(events, pending, Some(&core.thread_id), core.self_hosted, param, allowed)
}

/// Validates events outside any session (deployment `initial_events`).
pub fn validate_detached(events: &[Value], param: &str, allowed: &[&str]) -> ApiResult<Vec<Input>> {
    validate_with(events, Vec::new(), None, false, param, allowed)
}

fn validate_with(
    events: &[Value],
    mut pending: Vec<(String, PendingKind)>,
    thread_id: Option<&str>,
    self_hosted: bool,
    param: &str,
    allowed: &[&str],
) -> ApiResult<Vec<Input>> {
    let mut out = Vec::with_capacity(events.len());
    for (i, ev) in events.iter().enumerate() {
        let prefix = format!("{param}[{i}].");
        let m =
            ev.as_object().ok_or_else(|| ApiError::param(format!("{param}[{i}]"), "each event must be an object"))?;
        let f = Fields::new(m, &prefix);
        let ty = f.req_str("type", 1, 128)?;
        let etype = ALL_TYPES
            .iter()
            .find(|t| **t == ty)
            .copied()
            .ok_or_else(|| ApiError::param(f.param("type"), format!("Unknown event type '{ty}'.")))?;
        if !allowed.contains(&etype) {
            return Err(ApiError::param(f.param("type"), format!("Event type '{ty}' is not allowed here.")));
        }
        let mut fields = Obj::new();
        let thread = f.opt_str("session_thread_id", 256)?;
        if let Some(t) = thread {
            if Some(t) != thread_id {
                return Err(ApiError::param(
                    f.param("session_thread_id"),
                    format!("Session thread '{t}' was not found."),
                ));
            }
            fields.insert("session_thread_id".into(), json!(t));
        }
        let kind = match etype {
            "user.message" => {
                let (content, text) = user_content(&f)?;
                fields.insert("content".into(), content);
                if let Some(att) = f.opt_array("file_attachments", 100)? {
                    fields.insert("file_attachments".into(), Value::Array(att.clone()));
                }
                let plan = plan_for_message(&text).map_err(|e| ApiError::param(f.param("content"), e))?;
                InputKind::UserMessage { plan }
            }
            "user.interrupt" => InputKind::Interrupt,
            "user.tool_confirmation" => {
                let id = f.req_str("tool_use_id", 1, 256)?.to_string();
                let result = f.req_enum("result", &["allow", "deny"])?;
                let deny_message = f.opt_str("deny_message", 10_000)?.map(str::to_string);
                if result == "allow" && deny_message.is_some() {
                    return Err(ApiError::param(
                        f.param("deny_message"),
                        "deny_message may only be given when result is 'deny'.",
                    ));
                }
                take_pending(&mut pending, &id, PendingKind::ToolConfirmation)
                    .map_err(|m| ApiError::param(f.param("tool_use_id"), m))?;
                fields.insert("tool_use_id".into(), json!(id));
                fields.insert("result".into(), json!(result));
                if let Some(d) = &deny_message {
                    fields.insert("deny_message".into(), json!(d));
                }
                InputKind::ToolConfirmation { tool_use_id: id, allow: result == "allow", deny_message }
            }
            "user.custom_tool_result" => {
                let id = f.req_str("custom_tool_use_id", 1, 256)?.to_string();
                take_pending(&mut pending, &id, PendingKind::CustomTool)
                    .map_err(|m| ApiError::param(f.param("custom_tool_use_id"), m))?;
                let (content, text) = tool_result_content(&f)?;
                let is_error = f.opt_bool("is_error")?.unwrap_or(false);
                fields.insert("custom_tool_use_id".into(), json!(id));
                fields.insert("content".into(), content);
                fields.insert("is_error".into(), json!(is_error));
                InputKind::CustomToolResult { id, text, is_error }
            }
            "user.define_outcome" => {
                let description = f.req_str("description", 1, 10_000)?.to_string();
                let rubric = f.req_object("rubric")?;
                let rf = Fields::new(rubric, "rubric.");
                match rf.req_enum("type", &["text", "file"])? {
                    "text" => drop(rf.req_str("content", 1, 100_000)?),
                    _ => drop(rf.req_str("file_id", 1, 256)?),
                }
                let max_iterations = f.opt_int("max_iterations")?.unwrap_or(3);
                if !(1..=20).contains(&max_iterations) {
                    return Err(ApiError::param(f.param("max_iterations"), "max_iterations must be between 1 and 20"));
                }
                fields.insert("description".into(), json!(description));
                fields.insert("rubric".into(), Value::Object(rubric.clone()));
                fields.insert("max_iterations".into(), json!(max_iterations));
                InputKind::DefineOutcome { description }
            }
            "user.tool_result" => {
                if !self_hosted {
                    return Err(ApiError::param(
                        f.param("type"),
                        "user.tool_result is only supported for sessions in self_hosted environments.",
                    ));
                }
                let id = f.req_str("tool_use_id", 1, 256)?.to_string();
                let (content, text) = tool_result_content(&f)?;
                let is_error = f.opt_bool("is_error")?.unwrap_or(false);
                fields.insert("tool_use_id".into(), json!(id));
                fields.insert("content".into(), content);
                fields.insert("is_error".into(), json!(is_error));
                InputKind::ToolResult { tool_use_id: id, text, is_error }
            }
            _ => {
                fields.insert("content".into(), system_content(&f)?);
                InputKind::SystemMessage
            }
        };
        out.push(Input { etype, fields, kind });
    }
    Ok(out)
}

fn take_pending(pending: &mut Vec<(String, PendingKind)>, id: &str, kind: PendingKind) -> Result<(), String> {
    match pending.iter().position(|(p, k)| p == id && *k == kind) {
        Some(i) => {
            pending.remove(i);
            Ok(())
        }
        None => {
            let what =
                if kind == PendingKind::CustomTool { "custom tool use" } else { "tool use awaiting confirmation" };
            Err(format!("'{id}' does not reference a pending {what}."))
        }
    }
}

fn user_content(f: &Fields<'_>) -> ApiResult<(Value, String)> {
    let p = f.param("content");
    let blocks = match f.get("content") {
        None | Some(Value::Null) => return Err(ApiError::missing(&p)),
        Some(Value::String(s)) if s.is_empty() => return Err(ApiError::param(p, "content must not be empty")),
        Some(Value::String(s)) => return Ok((json!([{"type": "text", "text": s}]), s.clone())),
        Some(Value::Array(a)) if a.is_empty() => return Err(ApiError::param(p, "content must not be empty")),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(ApiError::param(
                p.clone(),
                format!("{p} must be a string or an array, got {}", type_name(other)),
            ))
        }
    };
    let text = blocks_text(blocks, &p, &["text", "image", "document", "redacted"])?;
    Ok((Value::Array(blocks.clone()), text))
}

fn tool_result_content(f: &Fields<'_>) -> ApiResult<(Value, String)> {
    let p = f.param("content");
    match f.get("content") {
        None | Some(Value::Null) => Ok((json!([{"type": "text", "text": ""}]), String::new())),
        Some(Value::String(s)) => Ok((json!([{"type": "text", "text": s}]), s.clone())),
        Some(Value::Array(a)) => {
            let text = blocks_text(a, &p, &["text", "image", "document", "search_result"])?;
            Ok((Value::Array(a.clone()), text))
        }
        Some(other) => Err(ApiError::param(p.clone(), format!("{p} must be an array, got {}", type_name(other)))),
    }
}

fn system_content(f: &Fields<'_>) -> ApiResult<Value> {
    let p = f.param("content");
    match f.get("content") {
        None | Some(Value::Null) => Err(ApiError::missing(&p)),
        Some(Value::String(s)) if !s.is_empty() => Ok(json!([{"type": "text", "text": s}])),
        Some(Value::Array(a)) if !a.is_empty() => {
            blocks_text(a, &p, &["text"])?;
            Ok(Value::Array(a.clone()))
        }
        Some(_) => Err(ApiError::param(p, "system.message content must be a non-empty array of text blocks")),
    }
}

/// Validates content blocks and returns their concatenated text.
fn blocks_text(blocks: &[Value], param: &str, allowed: &[&str]) -> ApiResult<String> {
    let mut text = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let prefix = format!("{param}[{i}].");
        let m =
            b.as_object().ok_or_else(|| ApiError::param(format!("{param}[{i}]"), "content blocks must be objects"))?;
        let f = Fields::new(m, &prefix);
        let ty = f.req_str("type", 1, 64)?;
        if !allowed.contains(&ty) {
            return Err(ApiError::param(
                f.param("type"),
                format!("content block type '{ty}' is not allowed here (allowed: {}).", allowed.join(", ")),
            ));
        }
        match ty {
            "text" => text.push(f.req_str("text", 1, usize::MAX)?.to_string()),
            "image" | "document" => {
                let src = f.req_object("source")?;
                let sp = format!("{prefix}source.");
                let sf = Fields::new(src, &sp);
                let kinds: &[&str] =
                    if ty == "image" { &["base64", "url", "file"] } else { &["base64", "text", "url", "file"] };
                match sf.req_enum("type", kinds)? {
                    "base64" | "text" => {
                        sf.req_str("media_type", 1, 256)?;
                        sf.req_str("data", 1, usize::MAX)?;
                    }
                    "url" => drop(sf.req_str("url", 1, 8192)?),
                    _ => drop(sf.req_str("file_id", 1, 256)?),
                }
            }
            "search_result" => {
                f.req_str("source", 1, 8192)?;
                f.opt_array("content", 1000)?;
            }
            _ => {}
        }
    }
    Ok(text.join("\n"))
}

/// Wraps `{"events": [...]}` validation of the envelope itself.
pub fn events_array(body: &Obj) -> ApiResult<&Vec<Value>> {
    let f = Fields::new(body, "");
    let events = f.opt_array("events", 1000)?.ok_or_else(|| ApiError::missing("events"))?;
    if events.is_empty() {
        return Err(ApiError::param("events", "events must be a non-empty array"));
    }
    Ok(events)
}

//! `POST /sessions/{id}/events` and the event list endpoints (docs/api-contract.md §3.4, §7).

use std::sync::Arc;

use serde_json::{json, Value};

use super::event_input::{events_array, validate_batch, Input, InputKind, ALL_TYPES};
use crate::agent_script::{Action, Plan};
use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::event_log::StoredEvent;
use crate::ids::prefix;
use crate::pagination::{select, Order, PageRequest};
use crate::query::TimeRange;
use crate::session::{Resolution, Session, SessionCore, Status, TurnStatus, WorkItem};
use crate::state::AppState;
use crate::turn::ensure_worker;

/// Looks up a live session or 404s.
pub fn session_or_404(ctx: &Ctx, id: &str) -> ApiResult<Arc<Session>> {
    ctx.state.session(id).ok_or_else(|| ApiError::not_found("Session", id))
}

/// Rejects writes to archived or terminated sessions (409).
pub fn ensure_writable(c: &SessionCore) -> ApiResult<()> {
    if c.archived_at.is_some() {
        return Err(ApiError::conflict(format!(
            "Session '{}' is archived and cannot accept new events.",
            c.session_id
        ))
        .with_code("session_archived"));
    }
    if c.status == Status::Terminated {
        return Err(ApiError::conflict(format!(
            "Session '{}' is terminated and cannot accept new events.",
            c.session_id
        ))
        .with_code("session_terminated"));
    }
    Ok(())
}

/// `POST /sessions/{session_id}/events`
pub fn send(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let events = events_array(&body)?;
    let sess = session_or_404(ctx, ctx.param(0))?;
    let echoed = sess.with(|c| {
        if c.deleted {
            return Err(ApiError::not_found("Session", &sess.id));
        }
        ensure_writable(c)?;
        let inputs = validate_batch(events, c, "events", &ALL_TYPES)?;
        Ok(apply_batch(&ctx.state, &sess, c, inputs))
    })?;
    let mut out = String::from("{\"data\":[");
    out.push_str(&echoed.iter().map(|e| e.as_ref()).collect::<Vec<_>>().join(","));
    out.push_str("]}");
    Ok(Reply::raw_json(http::StatusCode::OK, out))
}

/// Stores a validated batch and drives the state machine. Returns the echoes.
pub fn apply_batch(st: &Arc<AppState>, sess: &Arc<Session>, c: &mut SessionCore, inputs: Vec<Input>) -> Vec<Arc<str>> {
    let mut echoes = Vec::with_capacity(inputs.len());
    let mut resolved_now = false;
    let starts_turn =
        inputs.iter().any(|i| matches!(i.kind, InputKind::UserMessage { .. } | InputKind::DefineOutcome { .. }));
    if c.self_hosted && starts_turn {
        st.work.enqueue(st, &c.environment_id, &c.session_id);
    }
    for Input { etype, mut fields, kind } in inputs {
        match kind {
            InputKind::UserMessage { plan } => {
                echoes.push(start_or_queue(st, c, etype, fields, plan));
            }
            InputKind::DefineOutcome { description } => {
                let outcome_id = st.new_id(prefix::OUTCOME);
                fields.insert("outcome_id".into(), json!(outcome_id));
                let mut plan =
                    Plan { reply: format!("Working towards the outcome: {description}"), ..Default::default() };
                plan.actions.push_back(Action::Outcome { outcome_id, description });
                echoes.push(start_or_queue(st, c, etype, fields, plan));
            }
            InputKind::Interrupt => {
                echoes.push(c.append_event(st, etype, fields, true, None).1);
                stop_current(st, c, false);
            }
            InputKind::ToolConfirmation { tool_use_id, allow, deny_message } => {
                let turn = c.blocked.as_ref().map(|b| b.turn_id.clone());
                echoes.push(c.append_event(st, etype, fields, true, turn.as_deref()).1);
                let name = resolve(c, &tool_use_id);
                let r = if allow {
                    Resolution::Allowed { tool_use_id, name }
                } else {
                    Resolution::Denied { name, message: deny_message }
                };
                push_resolution(c, r);
                resolved_now = true;
            }
            InputKind::CustomToolResult { id, text, is_error } => {
                let turn = c.blocked.as_ref().map(|b| b.turn_id.clone());
                echoes.push(c.append_event(st, etype, fields, true, turn.as_deref()).1);
                let name = resolve(c, &id);
                push_resolution(c, Resolution::ToolOutput { name, text, is_error });
                resolved_now = true;
            }
            InputKind::ToolResult { tool_use_id, text, is_error } => {
                echoes.push(c.append_event(st, etype, fields, true, None).1);
                if c.blocked.as_ref().is_some_and(|b| b.pending.iter().any(|p| p.event_id == tool_use_id)) {
                    let name = resolve(c, &tool_use_id);
                    push_resolution(c, Resolution::ToolOutput { name, text, is_error });
                    resolved_now = true;
                }
            }
            InputKind::SystemMessage => echoes.push(c.append_event(st, etype, fields, true, None).1),
        }
    }
    if resolved_now {
        let done = c.blocked.as_ref().is_some_and(|b| b.pending.is_empty());
        if done {
            let b = c.blocked.take().expect("checked");
            c.queue.push_front(WorkItem::Resume { turn_id: b.turn_id, plan: b.plan, resolutions: b.resolved });
            c.busy = true;
            c.set_status(Status::Running, st.clock.now_us());
            c.turn_status = TurnStatus::Running;
        } else if let Some(b) = &c.blocked {
            let ids: Vec<String> = b.pending.iter().map(|p| p.event_id.clone()).collect();
            let turn = b.turn_id.clone();
            let fields = json!({"stop_reason": {"type": "requires_action", "event_ids": ids}});
            let Value::Object(fields) = fields else { unreachable!() };
            c.append_event(st, "session.status_idle", fields, true, Some(&turn));
        }
    }
    ensure_worker(st, sess, c);
    echoes
}

fn start_or_queue(
    st: &AppState,
    c: &mut SessionCore,
    etype: &'static str,
    fields: crate::validate::Obj,
    plan: Plan,
) -> Arc<str> {
    let turn_id = st.new_id(prefix::TURN);
    let immediate = !c.busy && c.blocked.is_none() && c.queue.is_empty();
    let (id, text) = c.append_event(st, etype, fields, immediate, Some(&turn_id));
    if immediate {
        c.busy = true;
        c.set_status(Status::Running, st.clock.now_us());
        c.turn_status = TurnStatus::Running;
    }
    c.queue.push_back(WorkItem::Turn { turn_id, input_event_id: id, plan });
    text
}

fn resolve(c: &mut SessionCore, id: &str) -> String {
    let Some(b) = c.blocked.as_mut() else { return String::new() };
    match b.pending.iter().position(|p| p.event_id == id) {
        Some(i) => b.pending.remove(i).name,
        None => String::new(),
    }
}

fn push_resolution(c: &mut SessionCore, r: Resolution) {
    if let Some(b) = c.blocked.as_mut() {
        b.resolved.push(r);
    }
}

/// Stops the current turn (`user.interrupt` / `POST /cancel`): cancels a running
/// turn (its worker then closes the model request and idles), drops queued
/// work, and abandons pending `requires_action` waits. Returns whether a turn
/// was running.
pub fn stop_current(st: &AppState, c: &mut SessionCore, canceling: bool) -> bool {
    let now = st.clock.now_us();
    let was_busy = c.busy;
    let active = c.turn_active;
    if active {
        c.cancel.cancel();
        if canceling {
            c.turn_status = TurnStatus::Canceling;
        }
    }
    for item in c.queue.drain(..).collect::<Vec<_>>() {
        if let WorkItem::Turn { input_event_id, .. } = item {
            c.mark_processed(&input_event_id, now);
        }
    }
    let abandoned_block = c.blocked.take().is_some();
    if !active && (c.status != Status::Idle || abandoned_block) && c.status != Status::Terminated {
        // Nothing is executing (the work had not started, or the turn was
        // waiting on requires_action): idle right away.
        c.set_status(Status::Idle, now);
        c.turn_status = TurnStatus::Idle;
        c.emit(st, "session.status_idle", json!({"stop_reason": {"type": "end_turn"}}));
        c.current_turn = None;
    }
    was_busy
}

/// `GET /sessions/{session_id}/events` (also used for the primary thread).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    if ctx.params.len() > 1 {
        super::threads::check_thread(&sess, ctx.param(1))?;
    }
    list_for(ctx, &sess)
}

fn list_for(ctx: &Ctx, sess: &Session) -> ApiResult<Reply> {
    let q = &ctx.query;
    let page = PageRequest::parse(q)?;
    let order = Order::parse(q, Order::Asc)?;
    let range = TimeRange::parse(q, "created_at")?;
    let mut types = q.list("types");
    types.extend(q.list("type"));
    let body = sess.with(|c| {
        if c.deleted {
            return Err(ApiError::not_found("Session", &sess.id));
        }
        let keep =
            |e: &StoredEvent| (types.is_empty() || types.iter().any(|t| t == e.etype)) && range.contains(e.created_us);
        let sel = select(c.log.as_slice(), StoredEvent::id_string, keep, order, &page);
        Ok(sel.envelope(|e| e.json().into_owned(), StoredEvent::id_string, StoredEvent::id_string))
    })?;
    Ok(Reply::raw_json(http::StatusCode::OK, body))
}

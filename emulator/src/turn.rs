//! Executes scripted turns on a per-session worker task.
//!
//! A worker is spawned when work is queued on a session without one, and exits
//! when the queue is empty or the session blocks on `requires_action`. Every
//! event is appended under the session lock after checking the turn's
//! cancellation token, so once `user.interrupt` / `cancel` has been recorded
//! no further agent output can slip in after it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::agent_script::{Action, Plan};
use crate::clock::format_rfc3339;
use crate::event_log::{BurstTemplate, EventBody, StoredEvent};
use crate::session::{
    Blocked, PendingAction, PendingKind, Resolution, Session, SessionCore, Status, TurnStatus, WorkItem,
};
use crate::state::AppState;

/// The turn was interrupted or cancelled.
#[derive(Debug)]
struct Interrupted;

type Step<T = ()> = Result<T, Interrupted>;

/// Starts a worker if work is queued and none is running. Call under the session lock.
pub fn ensure_worker(st: &Arc<AppState>, sess: &Arc<Session>, core: &mut SessionCore) {
    if core.worker_running || core.queue.is_empty() || core.blocked.is_some() {
        return;
    }
    core.worker_running = true;
    core.busy = true;
    tokio::spawn(run_worker(st.clone(), sess.clone()));
}

async fn run_worker(st: Arc<AppState>, sess: Arc<Session>) {
    while let Some((item, token, delay)) = sess.with(|c| next_work(&st, c)) {
        let turn_id = match &item {
            WorkItem::Turn { turn_id, .. } | WorkItem::Resume { turn_id, .. } => turn_id.clone(),
        };
        let mut t =
            Turn { st: &st, sess: &sess, token, delay, open_request: None, turn_id, output_chars: 0, input_chars: 0 };
        if t.run(item).await.is_err() {
            sess.with(|c| t.finish_interrupted(c));
        }
    }
}

/// Pops the next work item and marks the session running (under the lock).
fn next_work(st: &AppState, c: &mut SessionCore) -> Option<(WorkItem, CancellationToken, Duration)> {
    c.turn_active = false;
    let stop = c.deleted || c.status == Status::Terminated || c.blocked.is_some() || st.shutdown.is_cancelled();
    let item = if stop { None } else { c.queue.pop_front() };
    let Some(item) = item else {
        c.worker_running = false;
        c.busy = false;
        if c.status != Status::Terminated {
            c.turn_status = TurnStatus::Idle;
        }
        return None;
    };
    let now = st.clock.now_us();
    c.busy = true;
    c.turn_active = true;
    c.cancel = CancellationToken::new();
    let (turn_id, plan) = match &item {
        WorkItem::Turn { turn_id, input_event_id, plan } => {
            c.mark_processed(input_event_id, now);
            (turn_id.clone(), plan)
        }
        WorkItem::Resume { turn_id, plan, .. } => (turn_id.clone(), plan),
    };
    let delay = plan.delay.unwrap_or(c.step_delay);
    c.current_turn = Some(turn_id);
    c.set_status(Status::Running, now);
    c.turn_status = TurnStatus::Running;
    c.emit(st, "session.status_running", json!({}));
    Some((item, c.cancel.clone(), delay))
}

struct Turn<'a> {
    st: &'a Arc<AppState>,
    sess: &'a Arc<Session>,
    token: CancellationToken,
    delay: Duration,
    /// Id of the open `span.model_request_start`.
    open_request: Option<String>,
    turn_id: String,
    output_chars: usize,
    input_chars: usize,
}

impl Turn<'_> {
    async fn run(&mut self, item: WorkItem) -> Step {
        match item {
            WorkItem::Turn { plan, .. } => self.exec(plan).await,
            WorkItem::Resume { mut plan, resolutions, .. } => {
                let mut notes = Vec::new();
                for r in resolutions {
                    match r {
                        Resolution::Allowed { tool_use_id, name } => {
                            let text = format!("Tool {name} executed successfully.");
                            self.emit("agent.tool_result", json!({"tool_use_id": tool_use_id, "content": [{"type": "text", "text": text}], "is_error": false})).await?;
                        }
                        Resolution::Denied { name, message } => {
                            notes.push(format!(
                                "Tool {name} was denied: {}.",
                                message.unwrap_or_else(|| "no reason given".into())
                            ));
                        }
                        Resolution::ToolOutput { name, text, is_error } => {
                            let what = if is_error { "failed" } else { "returned" };
                            notes.push(format!("Tool {name} {what}: {text}"));
                        }
                    }
                }
                if !notes.is_empty() {
                    plan.reply = format!("{} {}", notes.join(" "), plan.reply);
                }
                self.exec(plan).await
            }
        }
    }

    async fn exec(&mut self, mut plan: Plan) -> Step {
        self.input_chars = plan.input_chars;
        let mut outcomes = Vec::new();
        while let Some(action) = plan.actions.pop_front() {
            match action {
                Action::Tool { name, input } => {
                    self.open().await?;
                    let id = self
                        .emit("agent.tool_use", json!({"name": name, "input": input, "evaluated_permission": "allow"}))
                        .await?;
                    let text = format!("$ {}\nok", input.get("command").and_then(Value::as_str).unwrap_or(&name));
                    self.emit(
                        "agent.tool_result",
                        json!({"tool_use_id": id, "content": [{"type": "text", "text": text}], "is_error": false}),
                    )
                    .await?;
                }
                Action::Approve { name, input, count } => {
                    self.open().await?;
                    let mut pending = Vec::new();
                    for _ in 0..count {
                        let id = self
                            .emit(
                                "agent.tool_use",
                                json!({"name": name, "input": input, "evaluated_permission": "ask"}),
                            )
                            .await?;
                        pending.push(PendingAction {
                            event_id: id,
                            name: name.clone(),
                            kind: PendingKind::ToolConfirmation,
                        });
                    }
                    return self.block(pending, plan).await;
                }
                Action::CustomTool { name, input, count } => {
                    self.open().await?;
                    let mut pending = Vec::new();
                    for _ in 0..count {
                        let id = self.emit("agent.custom_tool_use", json!({"name": name, "input": input})).await?;
                        pending.push(PendingAction { event_id: id, name: name.clone(), kind: PendingKind::CustomTool });
                    }
                    return self.block(pending, plan).await;
                }
                Action::Error { retries, error_type, recover, terminal } => {
                    self.open().await?;
                    self.close(true).await?;
                    for i in 0..retries {
                        let msg = format!("Scripted {error_type} (attempt {}).", i + 1);
                        self.emit("session.error", error_body(&error_type, &msg, "retrying")).await?;
                        self.emit_status("session.status_rescheduled", Status::Rescheduling).await?;
                        self.emit_status("session.status_running", Status::Running).await?;
                    }
                    if recover {
                        continue;
                    }
                    let msg = format!("Scripted {error_type}.");
                    if terminal {
                        self.emit("session.error", error_body(&error_type, &msg, "terminal")).await?;
                        return self.terminate().await;
                    }
                    self.emit("session.error", error_body(&error_type, &msg, "exhausted")).await?;
                    return self.idle(json!({"type": "retries_exhausted"})).await;
                }
                Action::Terminate => return self.terminate().await,
                Action::Budget => {
                    self.close(false).await?;
                    return self.idle(json!({"type": "budget_reached"})).await;
                }
                Action::Usage => {
                    let now = self.st.clock.now_us();
                    let usage = self.sess.with(|c| c.usage_value(now));
                    self.emit("session.usage", json!({"usage": usage})).await?;
                }
                Action::Burst { n, size_min, size_max } => {
                    self.open().await?;
                    self.burst(n, size_min, size_max).await?;
                }
                Action::Bytes { n } => {
                    self.open().await?;
                    self.message(bytes_text(n)).await?;
                }
                Action::Outcome { outcome_id, description } => outcomes.push((outcome_id, description)),
            }
        }
        self.open().await?;
        if !plan.suppress_reply {
            self.message(plan.reply.clone()).await?;
        }
        self.close(false).await?;
        for (outcome_id, description) in outcomes {
            self.evaluate_outcome(&outcome_id, &description).await?;
        }
        self.idle(json!({"type": "end_turn"})).await
    }

    /// Sleeps the step delay, returning early when interrupted.
    async fn pause(&self) -> Step {
        if !self.delay.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(self.delay) => {}
                _ = self.token.cancelled() => return Err(Interrupted),
            }
        }
        if self.token.is_cancelled() {
            return Err(Interrupted);
        }
        Ok(())
    }

    /// Appends one event unless the turn was interrupted.
    fn append(&self, etype: &'static str, fields: Value) -> Step<String> {
        self.sess.with(|c| {
            if self.token.is_cancelled() || c.deleted {
                return Err(Interrupted);
            }
            Ok(c.emit(self.st, etype, fields))
        })
    }

    async fn emit(&mut self, etype: &'static str, fields: Value) -> Step<String> {
        self.pause().await?;
        self.append(etype, fields)
    }

    async fn emit_status(&mut self, etype: &'static str, status: Status) -> Step {
        self.pause().await?;
        self.sess.with(|c| {
            if self.token.is_cancelled() || c.deleted {
                return Err(Interrupted);
            }
            c.set_status(status, self.st.clock.now_us());
            c.emit(self.st, etype, json!({}));
            Ok(())
        })
    }

    async fn open(&mut self) -> Step {
        if self.open_request.is_none() {
            let id = self.emit("span.model_request_start", json!({})).await?;
            self.open_request = Some(id);
            self.emit("agent.thinking", json!({"thinking": "Planning the next step."})).await?;
        }
        Ok(())
    }

    fn usage(&self) -> Value {
        let input = 12 + self.input_chars as u64 / 4;
        let output = 1 + self.output_chars as u64 / 4;
        json!({"input_tokens": input, "output_tokens": output, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
               "speed": "standard", "credits": ((input + output) as f64 / 1000.0 * 10_000.0).round() / 10_000.0})
    }

    async fn close(&mut self, is_error: bool) -> Step {
        if let Some(start) = self.open_request.clone() {
            self.pause().await?;
            let usage = self.usage();
            let (input, output) =
                (usage["input_tokens"].as_u64().unwrap_or(0), usage["output_tokens"].as_u64().unwrap_or(0));
            self.sess.with(|c| {
                if self.token.is_cancelled() || c.deleted {
                    return Err(Interrupted);
                }
                c.usage.input_tokens += input;
                c.usage.output_tokens += output;
                c.emit(
                    self.st,
                    "span.model_request_end",
                    json!({"model_request_start_id": start, "is_error": is_error, "model_usage": usage}),
                );
                Ok(())
            })?;
            self.open_request = None;
            self.output_chars = 0;
        }
        Ok(())
    }

    async fn message(&mut self, text: String) -> Step {
        self.output_chars += text.len();
        self.emit("agent.message", json!({"content": [{"type": "text", "text": text}]})).await?;
        Ok(())
    }

    /// Appends N messages in chunks (one lock per chunk, yielding in between).
    async fn burst(&mut self, n: u64, size_min: usize, size_max: usize) -> Step {
        self.pause().await?;
        let now = self.st.clock.now_us();
        let ts = format_rfc3339(now);
        let (sid, turn) = (self.sess.id.clone(), self.turn_id.clone());
        let template = Arc::new(BurstTemplate {
            head: r#"","type":"agent.message","content":[{"type":"text","text":""#.to_string(),
            tail: format!(
                r#""}}],"processed_at":"{ts}","session_id":"{sid}","session_thread_id":null,"turn_id":"{turn}","created_at":"{ts}","schema_version":"1.0"}}"#
            ),
            total: n,
            size_min,
            size_max,
        });
        const CHUNK: u64 = 4096;
        let mut done = 0u64;
        while done < n {
            let take = CHUNK.min(n - done);
            self.sess.with(|c| {
                if self.token.is_cancelled() || c.deleted {
                    return Err(Interrupted);
                }
                c.log.reserve(take as usize);
                for i in done..done + take {
                    let id = self.st.ids.next_raw(self.st.clock.now_ms());
                    c.log.push(StoredEvent {
                        id,
                        etype: "agent.message",
                        created_us: now,
                        body: EventBody::Burst(template.clone(), i as u32),
                    });
                }
                Ok(())
            })?;
            self.st.stats.count_objects("agent.message", take);
            done += take;
            self.output_chars += (take as usize) * (size_min + size_max) / 2;
            tokio::task::yield_now().await;
        }
        Ok(())
    }

    async fn evaluate_outcome(&mut self, outcome_id: &str, description: &str) -> Step {
        let start =
            self.emit("span.outcome_evaluation_start", json!({"outcome_id": outcome_id, "iteration": 0})).await?;
        self.emit("span.outcome_evaluation_ongoing", json!({"outcome_id": outcome_id, "iteration": 0})).await?;
        let explanation = format!("Scripted agent considers '{description}' satisfied.");
        let usage = json!({"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0});
        self.emit(
            "span.outcome_evaluation_end",
            json!({"outcome_evaluation_start_id": start, "outcome_id": outcome_id, "iteration": 0,
            "result": "satisfied", "explanation": explanation, "usage": usage}),
        )
        .await?;
        let now = format_rfc3339(self.st.clock.now_us());
        self.sess.with(|c| {
            c.outcome_evaluations
                .push(json!({"type": "outcome_evaluation", "outcome_id": outcome_id, "description": description,
                "iteration": 0, "result": "satisfied", "explanation": explanation, "completed_at": now}));
        });
        Ok(())
    }

    /// Ends the model request and idles with `requires_action`.
    async fn block(&mut self, pending: Vec<PendingAction>, plan: Plan) -> Step {
        self.close(false).await?;
        self.pause().await?;
        let ids: Vec<String> = pending.iter().map(|p| p.event_id.clone()).collect();
        self.sess.with(|c| {
            if self.token.is_cancelled() || c.deleted {
                return Err(Interrupted);
            }
            c.blocked = Some(Blocked { pending, resolved: Vec::new(), plan, turn_id: self.turn_id.clone() });
            c.set_status(Status::Idle, self.st.clock.now_us());
            c.turn_status = TurnStatus::Idle;
            c.turn_active = false;
            c.emit(
                self.st,
                "session.status_idle",
                json!({"stop_reason": {"type": "requires_action", "event_ids": ids}}),
            );
            Ok(())
        })
    }

    async fn idle(&mut self, stop_reason: Value) -> Step {
        self.pause().await?;
        self.sess.with(|c| {
            if self.token.is_cancelled() || c.deleted {
                return Err(Interrupted);
            }
            c.set_status(Status::Idle, self.st.clock.now_us());
            c.turn_status = TurnStatus::Idle;
            c.turn_active = false;
            c.emit(self.st, "session.status_idle", json!({"stop_reason": stop_reason}));
            c.current_turn = None;
            Ok(())
        })
    }

    async fn terminate(&mut self) -> Step {
        self.close(false).await?;
        self.pause().await?;
        self.sess.with(|c| {
            if self.token.is_cancelled() || c.deleted {
                return Err(Interrupted);
            }
            c.set_status(Status::Terminated, self.st.clock.now_us());
            c.turn_status = TurnStatus::Idle;
            c.turn_active = false;
            c.emit(self.st, "session.status_terminated", json!({}));
            c.queue.clear();
            Ok(())
        })
    }

    /// After an interrupt/cancel: close an open model request as failed and idle.
    fn finish_interrupted(&mut self, c: &mut SessionCore) {
        if c.deleted || c.status == Status::Terminated {
            return;
        }
        if let Some(start) = self.open_request.take() {
            let usage = self.usage();
            c.emit(
                self.st,
                "span.model_request_end",
                json!({"model_request_start_id": start, "is_error": true, "model_usage": usage}),
            );
        }
        c.set_status(Status::Idle, self.st.clock.now_us());
        c.turn_status = TurnStatus::Idle;
        c.turn_active = false;
        c.emit(self.st, "session.status_idle", json!({"stop_reason": {"type": "end_turn"}}));
        c.current_turn = None;
    }
}

fn error_body(error_type: &str, message: &str, retry: &str) -> Value {
    json!({"error": {"type": error_type, "message": message, "retry_status": {"type": retry}}})
}

/// Deterministic ASCII text of exactly `n` bytes.
pub fn bytes_text(n: usize) -> String {
    const PATTERN: &[u8] = b"The quick brown fox jumps over the lazy dog. ";
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        let need = n - v.len();
        v.extend_from_slice(&PATTERN[..need.min(PATTERN.len())]);
    }
    String::from_utf8(v).unwrap_or_default()
}

//! The core's turn helper (`run_turn` / `send_and_wait`) and delta accumulator.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use qoder_cloud::accumulator::{DeltaAccumulator as CoreAccumulator, Snapshot};
use qoder_cloud::stream::{StreamEvent, StreamOptions};
use qoder_cloud::turn::{TurnOptions, TurnResult};
use serde_json::{json, Value};

use crate::cancel::CancelToken;
use crate::client::{call_options, cancellable, NativeClient};
use crate::error;

/// Options of a turn (camelCase in JS).
#[napi(object)]
#[derive(Default)]
pub struct TurnConfig {
    /// Stream `agent.message` previews (to `onEvent`).
    pub event_deltas: Option<bool>,
    /// The per-call and stream options (`idleTimeout`, `maxReconnectAttempts`) as JSON text; the
    /// send's `idempotencyKey`, headers and query (which also apply to the stream) among them.
    pub options: Option<String>,
    /// Set by `sessions.runTools`: run the tool runner (handlers and policy through `dispatch`).
    pub tools: Option<crate::tools::ToolsConfig>,
}

type EventSink = ThreadsafeFunction<String, (), String, Status, false, true>;

fn raw(ev: &StreamEvent) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&ev.data)
}

fn result_json(r: &TurnResult, callbacks: u64, run: Option<(Vec<Value>, Vec<Value>)>) -> String {
    let mut events = String::with_capacity(r.events.iter().map(|e| e.data.len() + 1).sum::<usize>() + 2);
    events.push('[');
    for (i, e) in r.events.iter().enumerate() {
        if i > 0 {
            events.push(',');
        }
        events.push_str(&raw(e));
    }
    events.push(']');
    let head = json!({
        "sent": r.sent,
        "messages": r.messages,
        "stop_reason": r.stop_reason,
        "blocking_event_ids": r.blocking_event_ids,
        "usage": r.usage,
        "terminated": r.terminated,
        "request_id": r.request_id,
        "text": r.text(),
        "callbacks": callbacks,
    });
    let mut head = head;
    if let Some((pending, replies)) = run {
        head["pending"] = Value::Array(pending);
        head["replies"] = Value::Array(replies);
    }
    let head = head.to_string();
    // Splice the raw events in without re-serialising them.
    format!("{},\"events\":{}}}", &head[..head.len() - 1], events)
}

#[napi]
impl NativeClient {
    /// Sends `text` as a `user.message` (or the input `events`, a JSON array) and streams until the
    /// turn ends. Each event of the turn (previews included) is passed to `onEvent` as JSON text.
    /// Resolves the turn result as JSON text, with `callbacks` = how many events were passed.
    /// With `config.tools`, runs the tool runner instead: handlers and the confirmation policy are
    /// called through `dispatch` (see `lib/tools.js`), and no input resumes the session.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn run_turn<'e>(
        &self,
        env: &'e Env,
        session_id: String,
        text: Option<String>,
        events: Option<String>,
        config: Option<TurnConfig>,
        on_event: Option<Function<'_, String, ()>>,
        token: Option<&CancelToken>,
        dispatch: Option<Function<'_, String, Promise<String>>>,
    ) -> Result<PromiseRaw<'e, String>> {
        let dispatch = match dispatch {
            Some(f) => Some(Arc::new(f.build_threadsafe_function::<String>().weak::<true>().build()?)),
            None => None,
        };
        let sink: Option<EventSink> = match on_event {
            Some(f) => Some(f.build_threadsafe_function::<String>().weak::<true>().build()?),
            None => None,
        };
        let prepared = error::guard(|| {
            let c = config.unwrap_or_default();
            let (request, s) = call_options(c.options, true)?;
            let stream = StreamOptions {
                idle_timeout: s.idle_timeout,
                max_reconnect_attempts: s.max_reconnect_attempts,
                ..StreamOptions::default()
            };
            let input: Option<Vec<Value>> = match events {
                None => None,
                Some(s) => match serde_json::from_str::<Value>(&s) {
                    Ok(Value::Array(v)) => Some(v),
                    _ => return Err(error::invalid("events", "events must be a JSON array of input events")),
                },
            };
            let tools = match (c.tools, dispatch) {
                (Some(t), Some(d)) => Some(crate::tools::tools_from(t, d)?),
                (Some(_), None) => return Err(error::invalid("tools", "the tool runner needs a dispatch function")),
                (None, _) => None,
            };
            let opts = TurnOptions {
                event_deltas: c.event_deltas.unwrap_or(false),
                idempotency_key: request.idempotency_key.clone(),
                on_event: None,
                stream,
                request,
            };
            Ok((self.client()?, input, opts, tools))
        });
        let user = token.map(|t| t.token.clone());
        let closed = self.client().ok();
        env.spawn_future(error::catch_future(cancellable(user, closed, async move {
            let (client, input, mut opts, tools) = prepared?;
            let count = Arc::new(AtomicU64::new(0));
            if let Some(sink) = sink {
                let count = count.clone();
                opts.on_event = Some(Box::new(move |ev: &StreamEvent| {
                    if sink.call(raw(ev).into_owned(), ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok {
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(())
                }));
            }
            if let Some(tools) = tools {
                let input = match (input, text) {
                    (Some(evs), _) => evs,
                    (None, Some(t)) => vec![json!({"type": "user.message", "content": [{"type": "text", "text": t}]})],
                    (None, None) => Vec::new(),
                };
                let run = client.run_tools(&session_id, input, &tools, opts).await.map_err(|e| error::from_core(&e))?;
                return Ok(result_json(&run.turn, count.load(Ordering::SeqCst), Some((run.pending, run.replies))));
            }
            let r = match (input, text) {
                (Some(evs), _) => client.send_and_wait(&session_id, evs, opts).await,
                (None, Some(t)) => client.run_turn(&session_id, &t, opts).await,
                (None, None) => return Err(error::invalid("text", "give the message text or the input events")),
            }
            .map_err(|e| error::from_core(&e))?;
            Ok(result_json(&r, count.load(Ordering::SeqCst), None))
        })))
    }
}

fn snapshot_json(s: &Snapshot) -> String {
    json!({
        "id": s.id,
        "type": s.event_type,
        "blocks": s.blocks,
        "is_final": s.is_final,
        "final_event": s.final_event,
    })
    .to_string()
}

/// Folds `event_start` / `event_delta` previews into growing message snapshots (the core's
/// accumulator); the final `agent.message` replaces the preview.
#[napi]
#[derive(Default)]
pub struct DeltaAccumulator {
    inner: Mutex<CoreAccumulator>,
}

#[napi]
impl DeltaAccumulator {
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event (JSON text); returns the snapshot it changed as JSON text, or `null`.
    #[napi]
    pub fn push(&self, event: String) -> Result<Option<String>> {
        error::guard(|| {
            let head: Value = serde_json::from_str(&event)
                .map_err(|e| error::invalid("event", format!("event is not valid JSON: {e}")))?;
            let event_type = head.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
            let id = head.get("id").and_then(Value::as_str).map(str::to_string);
            let ev = StreamEvent { event_type, id, data: bytes::Bytes::from(event), connection: 0 };
            let mut acc = self.inner.lock().map_err(|_| error::internal("accumulator lock poisoned"))?;
            Ok(acc.push(&ev).map(|s| snapshot_json(&s)))
        })
    }

    /// Snapshots still in progress, as a JSON array.
    #[napi]
    pub fn in_progress(&self) -> Result<String> {
        let acc = self.inner.lock().map_err(|_| error::internal("accumulator lock poisoned"))?;
        let items: Vec<String> = acc.in_progress().map(snapshot_json).collect();
        Ok(format!("[{}]", items.join(",")))
    }
}

//! Run one turn: send input events, stream until the agent stops, and collect the outcome.
//!
//! The send carries one `Idempotency-Key` across retries, so a retried turn never posts the
//! message twice. Streaming starts right after the last echoed event, so earlier history is not
//! replayed, and the turn is over only at a `session.status_idle` that follows a
//! `session.status_running` seen after our send: a queued message does not end at the idle of
//! the turn that was running when it was sent.

use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::stream::{StreamEvent, StreamOptions};
use crate::transport::RequestOptions;

/// Per-event callback of [`Client::run_turn`].
pub type EventCallback = Box<dyn FnMut(&StreamEvent) -> Result<()> + Send>;

/// Options of a turn.
#[derive(Default)]
pub struct TurnOptions {
    /// Receive `agent.message` previews (passed to the callback and the accumulator).
    pub event_deltas: bool,
    /// Idempotency key of the send (minted when absent).
    pub idempotency_key: Option<String>,
    /// Called for every event of the turn, previews included; an error aborts the turn.
    pub on_event: Option<EventCallback>,
    /// Stream settings (idle timeout, reconnects, ...). `last_event_id` is set by the helper.
    pub stream: StreamOptions,
    /// Request overrides for the send.
    pub request: RequestOptions,
}

impl std::fmt::Debug for TurnOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnOptions")
            .field("event_deltas", &self.event_deltas)
            .field("idempotency_key", &self.idempotency_key)
            .field("on_event", &self.on_event.is_some())
            .finish_non_exhaustive()
    }
}

/// What a turn produced.
#[derive(Debug, Clone, Default)]
pub struct TurnResult {
    /// The echoed input events (with their server ids).
    pub sent: Vec<Value>,
    /// `agent.message` events, in order.
    pub messages: Vec<Value>,
    /// The stop reason of the closing `session.status_idle` (`{type: end_turn | requires_action | ...}`),
    /// or `None` when the session terminated.
    pub stop_reason: Option<Value>,
    /// Ids of the events awaiting a reply when the stop reason is `requires_action`.
    pub blocking_event_ids: Vec<String>,
    /// Token usage summed over the turn's model requests.
    pub usage: Value,
    /// Every persisted event of the turn, in order.
    pub events: Vec<StreamEvent>,
    /// True when the session terminated (or was deleted) during the turn.
    pub terminated: bool,
    /// Request id of the send.
    pub request_id: Option<String>,
}

impl TurnResult {
    /// The text of every agent message, joined with newlines.
    pub fn text(&self) -> String {
        self.messages
            .iter()
            .map(|m| {
                m.get("content")
                    .and_then(Value::as_array)
                    .map(|bs| bs.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
    /// The stop reason's type (`end_turn`, `requires_action`, `retries_exhausted`, ...).
    pub fn stop_type(&self) -> Option<&str> {
        self.stop_reason.as_ref().and_then(|s| s.get("type")).and_then(Value::as_str)
    }
}

fn add_usage(total: &mut Value, u: &Value) {
    let (Some(t), Some(u)) = (total.as_object_mut(), u.as_object()) else { return };
    for (k, v) in u {
        if let Some(n) = v.as_u64() {
            let cur = t.get(k).and_then(Value::as_u64).unwrap_or(0);
            t.insert(k.clone(), Value::from(cur + n));
        }
    }
}

/// Whether `ev` belongs to `turn` (true when either side has no turn id).
fn in_turn(ev: &StreamEvent, turn: Option<&str>) -> Result<bool> {
    let Some(turn) = turn else { return Ok(true) };
    let v = ev.json()?;
    Ok(match v.get("turn_id").and_then(Value::as_str) {
        Some(t) => t == turn,
        None => true,
    })
}

impl Client {
    /// Sends a text `user.message` and waits for the turn to end. See [`Client::send_and_wait`].
    pub async fn run_turn(&self, session_id: &str, text: &str, opts: TurnOptions) -> Result<TurnResult> {
        let ev = json!({"type": "user.message", "content": [{"type": "text", "text": text}]});
        self.send_and_wait(session_id, vec![ev], opts).await
    }

    /// Sends input events (a message, tool confirmations, custom tool results) and streams until
    /// the session idles (any stop reason), terminates or is deleted.
    pub async fn send_and_wait(
        &self,
        session_id: &str,
        events: Vec<Value>,
        mut opts: TurnOptions,
    ) -> Result<TurnResult> {
        let key = opts.idempotency_key.take();
        self.send_and_wait_with(session_id, events, &mut opts, key).await
    }

    /// [`Client::send_and_wait`] with the options borrowed (the tool runner sends several times
    /// with one callback) and the send's idempotency key given apart (minted when `None`).
    pub(crate) async fn send_and_wait_with(
        &self,
        session_id: &str,
        events: Vec<Value>,
        opts: &mut TurnOptions,
        key: Option<String>,
    ) -> Result<TurnResult> {
        if events.is_empty() {
            return Err(Error::invalid_argument("events", "events: must not be empty"));
        }
        let mut ropts = opts.request.clone();
        ropts.idempotency_key = key.or(ropts.idempotency_key).or_else(|| Some(uuid::Uuid::new_v4().to_string()));
        let sent =
            self.call("sessions.events.send", json!({"session_id": session_id, "events": events}), ropts).await?;
        let echoed: Vec<Value> = sent.value.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
        let last_id = echoed
            .iter()
            .rev()
            .find_map(|e| e.get("id").and_then(Value::as_str))
            .map(str::to_string)
            .ok_or_else(|| {
                Error::decode("send returned no event ids", sent.value.to_string().as_bytes(), Some(sent.meta.status))
            })?;
        let result = TurnResult {
            sent: echoed,
            usage: json!({}),
            request_id: sent.meta.request_id.clone(),
            ..Default::default()
        };
        // The turn that handles our input: servers tag events with `turn_id`, and the echo of our
        // input carries it. Without one, fall back to "an idle after a running seen after the
        // send" (an interrupt ends the turn already running, so it needs no new `running`).
        let target_turn = result.sent.last().and_then(|e| e.get("turn_id")).and_then(Value::as_str).map(str::to_string);
        let running = result.sent.iter().all(|e| e.get("type").and_then(Value::as_str) == Some("user.interrupt"));
        self.wait_turn(session_id, last_id, target_turn, running, result, opts).await
    }

    /// Streams from just after `after_id` until the turn ends (see the module docs), filling in
    /// `result`. `running`: a `session.status_running` of the turn was already seen.
    pub(crate) async fn wait_turn(
        &self,
        session_id: &str,
        after_id: String,
        target_turn: Option<String>,
        mut running: bool,
        mut result: TurnResult,
        opts: &mut TurnOptions,
    ) -> Result<TurnResult> {
        let mut sopts = opts.stream.clone();
        sopts.last_event_id = Some(after_id);
        // The caller's headers, query and per-attempt timeout apply to every request of the turn:
        // the stream's too, unless it was given its own.
        let req = &opts.request;
        if sopts.request.extra_headers.is_empty() {
            sopts.request.extra_headers = req.extra_headers.clone();
        }
        if sopts.request.extra_query.is_empty() {
            sopts.request.extra_query = req.extra_query.clone();
        }
        sopts.request.timeout = sopts.request.timeout.or(req.timeout);
        if opts.event_deltas {
            sopts.event_deltas = vec!["agent.message".into()];
        }
        let mut stream = self.stream_session(session_id, sopts)?;
        while let Some(item) = stream.next().await {
            let ev = item?;
            if let Some(cb) = opts.on_event.as_mut() {
                cb(&ev)?;
            }
            if ev.is_preview() {
                continue;
            }
            // Events of turns queued ahead of ours are skipped; terminal events end every turn.
            if !ev.is_terminal() && !in_turn(&ev, target_turn.as_deref())? {
                continue;
            }
            match ev.event_type.as_str() {
                "session.status_running" => running = true,
                "agent.message" => result.messages.push(ev.json()?),
                "span.model_request_end" => {
                    if let Some(u) = ev.json()?.get("model_usage") {
                        add_usage(&mut result.usage, u);
                    }
                }
                "session.status_idle" if target_turn.is_some() || running => {
                    let v = ev.json()?;
                    let stop = v.get("stop_reason").cloned().unwrap_or(Value::Null);
                    result.blocking_event_ids = stop
                        .get("event_ids")
                        .and_then(Value::as_array)
                        .map(|ids| ids.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
                        .unwrap_or_default();
                    result.stop_reason = Some(stop);
                    result.events.push(ev);
                    stream.close();
                    return Ok(result);
                }
                t if crate::stream::is_terminal_type(t) => {
                    result.terminated = true;
                    result.events.push(ev);
                    return Ok(result);
                }
                _ => {}
            }
            result.events.push(ev);
        }
        Err(Error::new(ErrorKind::IncompleteStream, "the stream ended before the turn finished"))
    }
}

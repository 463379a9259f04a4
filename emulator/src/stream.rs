//! Server-Sent Events for `/sessions/{id}/events/stream` and the thread stream
//! (docs/api-contract.md §6, §9.6).
//!
//! Each connection is a task with its own cursor into the session's
//! append-only log: it copies a batch of entries out under the session lock,
//! renders frames outside it, and waits on a watch channel when caught up. A
//! slow reader therefore never loses events, never blocks writers and costs
//! only its cursor. Previews (`event_deltas[]`) are rendered from the final
//! event right before it is sent, so they are never stored or listed.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use tokio::sync::mpsc;

use crate::body::{Chunk, Reply};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::event_log::StoredEvent;
use crate::faults::StreamFaults;
use crate::resources::events::session_or_404;
use crate::resources::threads::check_thread;
use crate::session::{Session, Status};
use crate::state::AppState;
use crate::stats::Gauge;

const BATCH: usize = 512;
const FLUSH_BYTES: usize = 64 * 1024;

/// Per-connection options.
#[derive(Debug, Clone, Default)]
struct Options {
    message_deltas: bool,
    thinking_deltas: bool,
    types: Vec<String>,
    faults: StreamFaults,
    request_id: String,
    /// The connection can be cut without timers (HTTP/1 kill switch).
    killable: bool,
}

/// `GET /sessions/{session_id}/events/stream` and `.../threads/{thread_id}/stream`.
pub fn open(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    if ctx.params.len() > 1 {
        check_thread(&sess, ctx.param(1))?;
    }
    let deltas = ctx.query.list("event_deltas");
    if deltas.len() > 100 {
        return Err(ApiError::param("event_deltas", "event_deltas may contain at most 100 values"));
    }
    let mut opts = Options::default();
    for d in &deltas {
        match d.as_str() {
            "agent.message" => opts.message_deltas = true,
            "agent.thinking" => opts.thinking_deltas = true,
            other => {
                return Err(ApiError::param(
                    "event_deltas",
                    format!("Unsupported event_deltas value '{other}'; allowed: agent.message, agent.thinking."),
                ))
            }
        }
    }
    opts.types = ctx.query.list("types");
    opts.types.extend(ctx.query.list("type"));
    opts.request_id = ctx.request_id.clone();
    opts.faults = ctx.fault.as_ref().map(|f| f.stream.clone()).unwrap_or_default();
    opts.killable = ctx.kill.is_some();
    let last = ctx.header("last-event-id").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let start = sess.with(|c| match &last {
        None => Ok(0),
        Some(id) => c.log.position(id).map(|p| p + 1).ok_or_else(|| {
            ApiError::param(
                "Last-Event-ID",
                format!("Last-Event-ID '{id}' does not match any event of session '{}'.", c.session_id),
            )
        }),
    })?;
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(run(ctx.state.clone(), sess, start, opts, tx));
    Ok(Reply::stream("text/event-stream", rx, ctx.kill.clone())
        .header("cache-control", "no-cache")
        .header("x-accel-buffering", "no"))
}

/// What a stream fault wants at the current frame count.
enum FaultAction {
    None,
    Drop,
    Stall,
    Error(String),
}

fn fault_at(f: &StreamFaults, frames: u64, buf: &mut String, malformed_done: &mut bool) -> FaultAction {
    if f.malformed_after == Some(frames) && !*malformed_done {
        *malformed_done = true;
        buf.push_str(
            "event: agent.message\ndata: {\"type\":\"agent.message\",\"content\":[{\"type\":\"text\",\"text\":\n\n",
        );
    }
    if f.drop_after == Some(frames) {
        FaultAction::Drop
    } else if f.stall_after == Some(frames) {
        FaultAction::Stall
    } else if let Some(kind) = f.error.as_ref().filter(|_| f.error_after == frames) {
        FaultAction::Error(kind.clone())
    } else {
        FaultAction::None
    }
}

async fn send(tx: &mpsc::Sender<Chunk>, buf: &mut String) -> Result<(), ()> {
    if buf.is_empty() {
        return Ok(());
    }
    let data = Bytes::from(std::mem::take(buf));
    tx.send(Chunk::Data(data)).await.map_err(|_| ())
}

async fn run(st: Arc<AppState>, sess: Arc<Session>, mut cursor: usize, opts: Options, tx: mpsc::Sender<Chunk>) {
    let _gauge = Gauge::stream(st.stats.clone());
    let mut notify = sess.subscribe();
    let keepalive = st.config.keepalive_interval.max(Duration::from_millis(1));
    let mut frames = 0u64;
    let mut malformed_done = false;
    let mut buf = String::new();
    loop {
        if let Some(()) = apply_fault(&st, &opts, frames, &mut buf, &mut malformed_done, &tx).await {
            return;
        }
        notify.borrow_and_update();
        let (batch, deleted, terminated) =
            sess.with(|c| (c.log.read(cursor, BATCH), c.deleted, c.status == Status::Terminated));
        if batch.is_empty() {
            if deleted || terminated || send(&tx, &mut buf).await.is_err() {
                return;
            }
            tokio::select! {
                r = notify.changed() => if r.is_err() { return },
                _ = tokio::time::sleep(keepalive) => {
                    buf.push_str(": keep-alive\n\n");
                    if send(&tx, &mut buf).await.is_err() { return }
                }
                _ = tx.closed() => return,
                _ = st.shutdown.cancelled() => return,
            }
            continue;
        }
        cursor += batch.len();
        for ev in &batch {
            let terminal = matches!(ev.etype, "session.status_terminated" | "session.deleted");
            if opts.types.is_empty() || opts.types.iter().any(|t| t == ev.etype) {
                write_event(&mut buf, ev, &opts);
                frames += 1;
                if apply_fault(&st, &opts, frames, &mut buf, &mut malformed_done, &tx).await.is_some() {
                    return;
                }
            }
            if terminal {
                let _ = send(&tx, &mut buf).await;
                return;
            }
            if buf.len() >= FLUSH_BYTES && send(&tx, &mut buf).await.is_err() {
                return;
            }
        }
        if send(&tx, &mut buf).await.is_err() {
            return;
        }
    }
}

/// Applies a stream fault due at `frames`; `Some(())` means the stream is over.
async fn apply_fault(
    st: &AppState,
    opts: &Options,
    frames: u64,
    buf: &mut String,
    malformed_done: &mut bool,
    tx: &mpsc::Sender<Chunk>,
) -> Option<()> {
    match fault_at(&opts.faults, frames, buf, malformed_done) {
        FaultAction::None => None,
        FaultAction::Drop => {
            let _ = send(tx, buf).await;
            st.stats.count_fault();
            crate::body::abort_after_flush(tx, opts.killable).await;
            Some(())
        }
        FaultAction::Stall => {
            let _ = send(tx, buf).await;
            st.stats.count_fault();
            tokio::select! {
                _ = tx.closed() => {}
                _ = st.shutdown.cancelled() => {}
            }
            Some(())
        }
        FaultAction::Error(kind) => {
            let env = json!({"type": "error", "request_id": opts.request_id,
                             "error": {"type": kind, "message": format!("Injected stream error: {kind}")}});
            buf.push_str(&format!("event: error\ndata: {env}\n\n"));
            let _ = send(tx, buf).await;
            st.stats.count_fault();
            Some(())
        }
    }
}

/// Appends the frame(s) for one persisted event, previews first when requested.
/// Preview JSON is assembled by hand (only the text needs escaping) because a
/// throughput run can preview a million messages.
fn write_event(buf: &mut String, ev: &StoredEvent, opts: &Options) {
    let id = ev.id_string();
    let preview = match ev.etype {
        "agent.message" => opts.message_deltas,
        "agent.thinking" => opts.thinking_deltas,
        _ => false,
    };
    if preview {
        let start = format!(r#"{{"type":"event_start","event":{{"type":"{}","id":"{id}"}}}}"#, ev.etype);
        push_frame(buf, &id, "event_start", &start);
    }
    if preview && ev.etype == "agent.message" {
        for (index, text) in ev.text_blocks() {
            for frag in fragments(&text) {
                let escaped = serde_json::to_string(frag).unwrap_or_default();
                let d = format!(
                    r#"{{"type":"event_delta","event_id":"{id}","delta":{{"type":"content_delta","index":{index},"content":{{"type":"text","text":{escaped}}}}}}}"#
                );
                push_frame(buf, &id, "event_delta", &d);
            }
        }
    }
    push_frame(buf, &id, ev.etype, &ev.json());
}

fn push_frame(buf: &mut String, id: &str, event: &str, data: &str) {
    buf.push_str("id: ");
    buf.push_str(id);
    buf.push_str("\nevent: ");
    buf.push_str(event);
    buf.push_str("\ndata: ");
    buf.push_str(data);
    buf.push_str("\n\n");
}

/// Splits text into up to three fragments on character boundaries (preferring
/// spaces) whose concatenation is the text.
pub fn fragments(text: &str) -> Vec<&str> {
    let n = text.chars().count();
    if n < 3 {
        return vec![text];
    }
    let mut cuts = Vec::new();
    for k in 1..3 {
        let target = text.char_indices().nth(n * k / 3).map(|(i, _)| i).unwrap_or(text.len());
        // Prefer cutting just after a nearby space, for natural-looking chunks.
        let window = &text[cuts.last().copied().unwrap_or(0)..target];
        let cut = window
            .rfind(' ')
            .map(|i| cuts.last().copied().unwrap_or(0) + i + 1)
            .filter(|c| *c > cuts.last().copied().unwrap_or(0))
            .unwrap_or(target);
        cuts.push(cut);
    }
    let mut out = Vec::new();
    let mut prev = 0;
    for c in cuts.into_iter().chain(std::iter::once(text.len())) {
        if c > prev {
            out.push(&text[prev..c]);
            prev = c;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fragments;

    #[test]
    fn fragments_concatenate() {
        for t in ["", "a", "ab", "abc", "Echo: hello there world", "héllo wörld ünïcode"] {
            let f = fragments(t);
            assert_eq!(f.concat(), t);
            assert!(f.iter().all(|x| !x.is_empty()) || t.is_empty());
        }
        assert!(fragments("Echo: hello there world").len() > 1);
    }
}

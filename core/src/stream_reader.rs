//! The task behind an [`crate::stream::EventStream`]: connect, frame, checkpoint, resume.
//!
//! Resume rules (docs/api-contract.md §6.6, plus the fixes a demanding user needs):
//! - the cursor is the id of the last *persisted* event handed on; preview frames carry the id
//!   of a message that is not persisted yet, so checkpointing on them would skip that message
//!   after a drop;
//! - after a reconnect, persisted events already handed on are dropped by id (a bounded window,
//!   so memory does not grow with the stream);
//! - a connection that made progress is resumed at once; only consecutive failures back off
//!   (jittered, 0.5 s doubling to 10 s), and too many of them end the stream with the error.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use rand::Rng;
use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::log::{LogLevel, LogRecord};
use crate::operations::Operation;
use crate::pipe::TrySendError;
use crate::sse::{SseFrame, SseFramer};
use crate::stream::{is_preview_type, Batch, Head, Shared, StreamEvent, StreamOptions};
use crate::stream_body::Next;
use crate::transport::RequestOptions;

const RECENT_IDS: usize = 2048;
const MAX_RECONNECT_BACKOFF: Duration = Duration::from_secs(10);

/// How one connection ended.
enum Outcome {
    /// A terminal event was delivered, `[DONE]` arrived, or the stream was closed.
    Finished,
    /// The connection failed in a way a reconnect may cure.
    Retry { error: Error, progressed: bool },
    /// A failure reconnecting cannot cure.
    Fatal(Error),
}

/// Ids recently handed on, to drop replays after a reconnect.
///
/// A server should resume strictly after `Last-Event-ID`, but a broken one may replay events
/// anywhere in the new connection, not only before the first new one. The window stores 64-bit
/// FNV-1a hashes (no allocation per event) and is searched from a reconnect until as many new
/// events as it held then have gone by: by that point every id from before the reconnect has
/// left the window, so searching longer could find nothing more. A stream that never
/// reconnects never searches.
struct RecentIds {
    ring: VecDeque<u64>,
    /// New events still to be checked against the window on this connection.
    suspect: usize,
}

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl RecentIds {
    fn new() -> Self {
        Self { ring: VecDeque::new(), suspect: 0 }
    }
    /// Records `id`; false if it was already handed on (a replay to drop).
    fn insert(&mut self, id: &str) -> bool {
        let h = fnv1a(id);
        if self.suspect > 0 {
            if self.ring.contains(&h) {
                return false;
            }
            self.suspect -= 1;
        }
        if self.ring.len() == RECENT_IDS {
            self.ring.pop_front();
        }
        self.ring.push_back(h);
        true
    }
    /// A new connection starts: check for replays until every id held now has left the window.
    fn reconnected(&mut self) {
        self.suspect = self.ring.len();
    }
}

/// One per open stream, for the stream's whole life: kept small (a thousand streams may be open).
pub(crate) struct Reader {
    client: Client,
    op: &'static Operation,
    /// The operation's arguments as JSON text, parsed again at each connect: a few dozen bytes
    /// instead of a map held for the life of the stream.
    args: Box<str>,
    /// Request overrides; `None` when there are none, the common case.
    request: Option<Box<RequestOptions>>,
    idle_timeout: Option<Duration>,
    max_reconnect_attempts: u32,
    resume: bool,
    shared: Arc<Shared>,
    tx: crate::pipe::Sender<Batch>,
    framer: SseFramer,
    recent: RecentIds,
    cursor: Option<String>,
    connection: u32,
}

/// Whether `r` overrides nothing (destructured, so a new field cannot be forgotten here).
fn overrides_nothing(r: &RequestOptions) -> bool {
    let RequestOptions {
        timeout,
        max_retries,
        idempotency_key,
        extra_headers,
        extra_query,
        extra_body,
        total_deadline,
    } = r;
    timeout.is_none()
        && max_retries.is_none()
        && idempotency_key.is_none()
        && extra_headers.is_empty()
        && extra_query.is_empty()
        && extra_body.is_none()
        && total_deadline.is_none()
}

impl Reader {
    pub(crate) fn new(
        client: Client,
        op: &'static Operation,
        args: &Value,
        opts: StreamOptions,
        shared: Arc<Shared>,
        tx: crate::pipe::Sender<Batch>,
    ) -> Self {
        let max = client.config().max_event_bytes();
        let StreamOptions { last_event_id, resume, idle_timeout, max_reconnect_attempts, request, .. } = opts;
        Self {
            client,
            op,
            args: args.to_string().into_boxed_str(),
            request: (!overrides_nothing(&request)).then(|| Box::new(request)),
            idle_timeout,
            max_reconnect_attempts,
            resume,
            shared,
            tx,
            framer: SseFramer::new(max),
            recent: RecentIds::new(),
            cursor: last_event_id,
            connection: 0,
        }
    }

    fn closed(&self) -> bool {
        self.shared.is_closed() || self.tx.is_closed()
    }

    /// The task body. The reader is boxed: an `async fn` taking `self` by value keeps the
    /// argument and its moved copy side by side in the task (≈ 680 bytes each), for as long as
    /// the stream lives; a box keeps one copy, which matters with a thousand streams open.
    pub(crate) async fn run(mut self: Box<Self>) {
        let mut failures: u32 = 0;
        let mut backoff = Duration::from_millis(500);
        loop {
            if self.closed() {
                return;
            }
            let outcome = self.connect_and_pump().await;
            let (error, progressed) = match outcome {
                Outcome::Finished => return,
                Outcome::Fatal(e) => {
                    let _ = self.tx.send(Err(e)).await;
                    return;
                }
                Outcome::Retry { error, progressed } => (error, progressed),
            };
            if !self.resume {
                // One raw connection: whatever ended it before a terminal event is reported
                // (an EOF as `IncompleteStream`), so a cut is never mistaken for a finished stream.
                let _ = self.tx.send(Err(error)).await;
                return;
            }
            let delay = if progressed {
                failures = 0;
                backoff = Duration::from_millis(500);
                Duration::ZERO
            } else {
                failures += 1;
                if failures > self.max_reconnect_attempts {
                    let _ = self.tx.send(Err(error)).await;
                    return;
                }
                let b = backoff;
                backoff = (backoff * 2).min(MAX_RECONNECT_BACKOFF);
                let lo = b.as_secs_f64() / 2.0;
                Duration::from_secs_f64(rand::thread_rng().gen_range(lo..=b.as_secs_f64()))
            };
            self.shared.reconnects.fetch_add(1, Ordering::SeqCst);
            self.connection += 1;
            self.client.transport.log(LogRecord {
                level: LogLevel::Info,
                event: "reconnect",
                method: "GET".into(),
                path: self.op.path.clone(),
                status: error.status(),
                attempt: self.connection,
                request_id: error.request_id().map(str::to_string),
                delay: Some(delay),
                message: format!("{}: {}", error.kind().as_str(), error.message()),
            });
            if !delay.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = self.shared.cancel.cancelled() => return,
                }
            }
        }
    }

    /// Opens one connection: builds the request with the cursor and sends it.
    async fn connect(&mut self) -> Result<crate::stream_body::StreamBody, Outcome> {
        // Checked when the stream was opened; parsing our own JSON text back cannot fail.
        let mut args: Value = serde_json::from_str(&self.args)
            .map_err(|e| Outcome::Fatal(Error::new(ErrorKind::InvalidArgument, format!("stream arguments: {e}"))))?;
        if let (Value::Object(m), Some(c)) = (&mut args, &self.cursor) {
            m.insert("last_event_id".into(), Value::String(c.clone()));
        }
        let mut ropts = self.request.as_deref().cloned().unwrap_or_default();
        // Reconnects are this loop's job; the transport must not retry a stream underneath it.
        ropts.max_retries = Some(0);
        let req = crate::request::build(self.op, args, ropts).map_err(Outcome::Fatal)?;
        let open = tokio::select! {
            r = self.client.transport.open_stream(req) => r,
            _ = self.shared.cancel.cancelled() => return Err(Outcome::Finished),
        };
        match open {
            Ok(r) => Ok(r.body),
            Err(e) => {
                let retry = match e.status() {
                    Some(s) => s == 408 || s == 429 || s >= 500,
                    None => matches!(e.kind(), ErrorKind::Connection | ErrorKind::Timeout),
                };
                Err(if retry { Outcome::Retry { error: e, progressed: false } } else { Outcome::Fatal(e) })
            }
        }
    }

    /// Connects; boxed, so the connect state is not part of the task's own for as long as
    /// the stream lives.
    async fn open(&mut self) -> Result<crate::stream_body::StreamBody, Outcome> {
        Box::pin(self.connect()).await
    }

    async fn connect_and_pump(&mut self) -> Outcome {
        // Boxed: connecting needs large state (request, arguments, response head) for a moment,
        // while the task, sized for its largest state, lives as long as the stream.
        let mut body = match Box::pin(self.open()).await {
            Ok(b) => b,
            Err(o) => return o,
        };
        self.framer.finish();
        if self.connection > 0 {
            self.recent.reconnected();
        }
        let idle = self.idle_timeout.unwrap_or(self.client.config().stream_idle_timeout());
        // One timer serves two clocks: the idle one (no byte at all) and the stall one (no
        // event: keep-alive comments and trickled bytes do not count).
        let stall = self.client.config().limits().stream_stall_timeout;
        let started = tokio::time::Instant::now();
        let (mut idle_at, mut stall_at) = (started + idle, started + stall);
        // One timer and one close waiter for the whole connection, polled together with the
        // body in a `poll_fn`: a select over fresh futures per read would keep all of them in
        // the task's state, most of a kilobyte per open stream.
        let shared = self.shared.clone();
        let closed = shared.cancel.cancelled();
        let timer = tokio::time::sleep_until(idle_at.min(stall_at));
        tokio::pin!(closed, timer);
        let mut progressed = false;
        let mut frames: Vec<SseFrame> = Vec::new();
        loop {
            let mut oversized: Option<Error> = None;
            // In a block, so the sink and the wake reason are not kept across the send below.
            let next = {
                // Body bytes go straight into the framer: no chunk is allocated or kept between reads.
                let framer = &mut self.framer;
                let mut sink = |piece: &[u8]| framer.push(piece, &mut frames);
                std::future::poll_fn(|cx| {
                    if closed.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Wait::Closed);
                    }
                    if let Poll::Ready(r) = body.poll_next_with(cx, &mut sink) {
                        return Poll::Ready(Wait::Body(r));
                    }
                    timer.as_mut().poll(cx).map(|()| Wait::Idle)
                })
                .await
            };
            match next {
                Wait::Closed => return Outcome::Finished,
                Wait::Idle => {
                    let now = tokio::time::Instant::now();
                    if now >= stall_at {
                        // Replaced, not failed: an idle session (keep-alives only) looks the
                        // same, so a stall never ends the stream nor counts toward giving up.
                        let e =
                            Error::new(ErrorKind::Timeout, format!("no event on the stream for {stall:?} (stalled)"));
                        return Outcome::Retry { error: e, progressed: true };
                    }
                    if now >= idle_at {
                        let e = Error::new(
                            ErrorKind::Timeout,
                            format!("no data on the stream for {idle:?} (idle timeout)"),
                        );
                        return Outcome::Retry { error: e, progressed };
                    }
                    timer.as_mut().reset(idle_at.min(stall_at));
                    continue;
                }
                Wait::Body(Ok(Next::End)) => {
                    self.framer.finish();
                    let e = Error::new(ErrorKind::IncompleteStream, "the stream ended before a terminal event");
                    return Outcome::Retry { error: e, progressed };
                }
                Wait::Body(Err(e)) => return Outcome::Retry { error: e, progressed },
                Wait::Body(Ok(Next::Sink(e))) => {
                    // Frames complete before the oversized one are still handed on, then the
                    // stream fails: nothing that fully arrived is lost with it.
                    self.framer.finish();
                    oversized = Some(Error::new(ErrorKind::EventTooLarge, e.to_string()));
                }
                Wait::Body(Ok(Next::Data)) => {}
            }
            // Any byte, keep-alive comments included, restarts the idle clock; a frame restarts
            // the stall clock.
            let now = tokio::time::Instant::now();
            idle_at = now + idle;
            if !frames.is_empty() {
                stall_at = now + stall;
            }
            timer.as_mut().reset(idle_at.min(stall_at));
            if frames.is_empty() {
                if let Some(e) = oversized {
                    return Outcome::Fatal(e);
                }
                continue;
            }
            let mut batch = Vec::with_capacity(frames.len());
            let mut end: Option<Outcome> = oversized.map(Outcome::Fatal);
            // Taken, not drained: the vector is freed here rather than kept (with its capacity)
            // for the life of the stream, which matters with a thousand streams open.
            for frame in std::mem::take(&mut frames) {
                match self.event_of(frame) {
                    Step::Skip => {}
                    Step::Event(ev) => {
                        let terminal = ev.is_terminal();
                        if !ev.is_preview() {
                            progressed = true;
                        }
                        batch.push(ev);
                        if terminal {
                            end = Some(Outcome::Finished);
                            break;
                        }
                    }
                    Step::End(o) => {
                        end = Some(o);
                        break;
                    }
                }
            }
            // The cursor advances once per batch, to its last persisted event (never a preview).
            if let Some(last) = batch.iter().rev().find(|e| !e.is_preview() && e.id.is_some()) {
                self.cursor = last.id.clone();
            }
            if !batch.is_empty() {
                let sent = match self.tx.try_send(Ok(batch)) {
                    Ok(()) => true,
                    Err(TrySendError::Closed(_)) => false,
                    // Backpressure: wait for the consumer. Boxed, because it is the rare case
                    // and its future would otherwise enlarge every stream's task.
                    Err(TrySendError::Full(batch)) => {
                        let sent = tokio::select! {
                            biased;
                            _ = closed.as_mut() => false,
                            r = Box::pin(self.tx.send(batch)) => r.is_ok(),
                        };
                        // Time spent waiting for the consumer is neither idleness nor a stall.
                        let now = tokio::time::Instant::now();
                        (idle_at, stall_at) = (now + idle, now + stall);
                        timer.as_mut().reset(idle_at.min(stall_at));
                        sent
                    }
                };
                if !sent {
                    return Outcome::Finished;
                }
            }
            if let Some(o) = end {
                if let Outcome::Retry { error, .. } = o {
                    return Outcome::Retry { error, progressed };
                }
                return o;
            }
        }
    }

    fn event_of(&mut self, frame: SseFrame) -> Step {
        if frame.is_ping() {
            return Step::Skip;
        }
        if frame.is_done() {
            return Step::End(Outcome::Finished);
        }
        let head: Head = match serde_json::from_slice(&frame.data) {
            Ok(h) => h,
            Err(e) => {
                let err = Error::decode(format!("malformed event data: {e}"), &frame.data, None);
                return Step::End(Outcome::Retry { error: err, progressed: false });
            }
        };
        if frame.event.as_deref() == Some("error") || head.ty.as_deref() == Some("error") {
            let e = Error::from_stream_error(&frame.data);
            return if e.is_retryable() {
                Step::End(Outcome::Retry { error: e, progressed: false })
            } else {
                Step::End(Outcome::Fatal(e))
            };
        }
        let ty =
            head.ty.as_deref().map(str::to_string).or_else(|| frame.event.clone()).unwrap_or_else(|| "message".into());
        let preview = is_preview_type(&ty);
        // Previews carry the id of the event they preview (the SSE `id:` line); it is exposed
        // for matching but never used as the resume cursor.
        let id = match head.id.as_deref() {
            Some(i) => Some(i.to_string()),
            None => frame.id.clone().filter(|s| !s.is_empty()),
        };
        // The id becomes the resume cursor, sent back as the `Last-Event-ID` header: one that
        // cannot be a header value is the server's fault, reported as such (never blamed on the
        // caller at the next reconnect).
        if let Some(i) = id.as_deref().filter(|i| http::HeaderValue::from_str(i).is_err()) {
            let shown: String = i.chars().take(64).flat_map(char::escape_default).collect();
            let e = Error::decode(
                format!("the server sent an event id that cannot be resumed from (not a header value): \"{shown}\""),
                &frame.data,
                None,
            );
            return Step::End(Outcome::Fatal(e));
        }
        let needs_fill = head.ty.is_none() || (!preview && head.id.is_none() && id.is_some());
        drop(head);
        let data = if needs_fill { fill_missing(&frame.data, &ty, id.as_deref()) } else { frame.data };
        if !preview {
            if let Some(i) = &id {
                if !self.recent.insert(i) {
                    return Step::Skip;
                }
            }
        }
        Step::Event(StreamEvent { event_type: ty, id, data, connection: self.connection })
    }
}

/// What woke a connection waiting for body bytes.
enum Wait<E> {
    Body(crate::error::Result<Next<E>>),
    Idle,
    Closed,
}

enum Step {
    Skip,
    Event(StreamEvent),
    End(Outcome),
}

/// Adds `type`/`id` taken from the SSE fields to an event object that lacks them.
fn fill_missing(data: &bytes::Bytes, ty: &str, id: Option<&str>) -> bytes::Bytes {
    match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(mut m)) => {
            m.entry("type").or_insert_with(|| Value::String(ty.to_string()));
            if let Some(i) = id {
                m.entry("id").or_insert_with(|| Value::String(i.to_string()));
            }
            serde_json::to_vec(&Value::Object(m)).map(bytes::Bytes::from).unwrap_or_else(|_| data.clone())
        }
        _ => data.clone(),
    }
}

//! Session and thread event streams: the consumer side.
//!
//! An [`EventStream`] is fed by a reader task (`stream_reader`) through a bounded
//! channel of *batches*: one body chunk yields a batch of events, so the per-event cost is a
//! `VecDeque` pop, and a slow consumer stalls the reader (backpressure) instead of growing
//! memory. [`EventStream::take_buffered`] hands over everything already received without
//! waiting, which is what lets the bindings avoid a thread hop per event.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::RequestOptions;

/// Options of a stream.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// Resume strictly after this event id (sent as `Last-Event-ID`).
    pub last_event_id: Option<String>,
    /// Preview kinds to receive (`agent.message`, `agent.thinking`).
    pub event_deltas: Vec<String>,
    /// Reconnect transparently on EOF, errors and idle timeouts (default true).
    pub resume: bool,
    /// Idle timeout: time without any byte, keep-alive comments included (default: client's, 90 s).
    pub idle_timeout: Option<Duration>,
    /// Consecutive failed reconnects before giving up (default 10).
    pub max_reconnect_attempts: u32,
    /// Batches buffered between the reader and the consumer (default 16).
    pub buffer_batches: usize,
    /// Request overrides (headers, query, connect timeout).
    pub request: RequestOptions,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            last_event_id: None,
            event_deltas: Vec::new(),
            resume: true,
            idle_timeout: None,
            max_reconnect_attempts: 10,
            buffer_batches: 16,
            request: RequestOptions::default(),
        }
    }
}

/// One event read from a stream, persisted or preview.
///
/// The raw JSON is kept as received (`data`), so bindings convert it straight into native
/// objects and nothing the server sent is lost; [`StreamEvent::json`] and
/// [`StreamEvent::decode`] parse it on demand.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEvent {
    /// The event type (`data.type`, else the SSE `event:` field).
    pub event_type: String,
    /// The event id (`data.id`, else the SSE `id:`; previews carry the id of the final event).
    pub id: Option<String>,
    /// The raw JSON of the event.
    pub data: Bytes,
    /// Which connection delivered it (0 for the first, +1 per reconnect).
    pub connection: u32,
}

impl StreamEvent {
    /// Whether this is a stream-only preview (`event_start` / `event_delta`).
    pub fn is_preview(&self) -> bool {
        is_preview_type(&self.event_type)
    }
    /// Whether this event ends the stream (`session.status_terminated`, `session.deleted`).
    pub fn is_terminal(&self) -> bool {
        is_terminal_type(&self.event_type)
    }
    /// The event as a JSON value.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.data)
            .map_err(|e| Error::decode(format!("event is not valid JSON: {e}"), &self.data, None))
    }
    /// The event as a typed [`crate::models::event::SessionEvent`]; unknown types and surprising
    /// shapes decode to its `Unknown` arm, so this fails only on invalid JSON.
    pub fn decode(&self) -> Result<crate::models::event::SessionEvent> {
        crate::models::event::SessionEvent::from_json_slice(&self.data)
            .map_err(|e| Error::decode(format!("event is not valid JSON: {e}"), &self.data, None))
    }
    /// The text of an `agent.message` (its text blocks joined), or of an `event_delta` fragment.
    pub fn text(&self) -> Option<String> {
        let v = self.json().ok()?;
        if self.event_type == "event_delta" {
            return v.pointer("/delta/content/text").and_then(Value::as_str).map(str::to_string);
        }
        let blocks = v.get("content")?.as_array()?;
        Some(blocks.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect())
    }
}

pub(crate) fn is_preview_type(t: &str) -> bool {
    t == "event_start" || t == "event_delta"
}

pub(crate) fn is_terminal_type(t: &str) -> bool {
    t == "session.status_terminated" || t == "session.deleted"
}

/// Just the two fields the engine needs, borrowed from the JSON without building a tree.
#[derive(Deserialize)]
pub(crate) struct Head<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(crate) ty: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) id: Option<std::borrow::Cow<'a, str>>,
}

/// What the reader sends: events, or a final error.
pub(crate) type Batch = std::result::Result<Vec<StreamEvent>, Error>;

/// State shared between the stream, its closers and the reader task.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) last_event_id: Mutex<Option<String>>,
    pub(crate) reconnects: AtomicU32,
    /// Level-triggered: every waiter, present or future, sees the close.
    pub(crate) cancel: CancellationToken,
}

impl Shared {
    pub(crate) fn is_closed(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// A handle that closes a stream from anywhere (another task, a signal handler, a binding).
#[derive(Debug, Clone)]
pub struct StreamCloser {
    shared: Arc<Shared>,
}

impl StreamCloser {
    /// Closes the stream: the connection is dropped at once and pending reads end. Idempotent.
    pub fn close(&self) {
        self.shared.cancel.cancel();
    }
    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
    /// The stream's resume cursor (readable while another task awaits the next event).
    pub fn last_event_id(&self) -> Option<String> {
        self.shared.last_event_id.lock().ok().and_then(|g| g.clone())
    }
    /// How many times the stream reconnected.
    pub fn reconnects(&self) -> u32 {
        self.shared.reconnects.load(Ordering::SeqCst)
    }
}

/// A live, by default resumable, stream of session (or thread) events.
///
/// Dropping it closes the connection. Iterate with [`EventStream::next`]; it yields every
/// persisted event exactly once, in order, across reconnects, and ends after a terminal event.
pub struct EventStream {
    rx: crate::pipe::Receiver<Batch>,
    buf: VecDeque<StreamEvent>,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    done: bool,
    pending_error: Option<Error>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("last_event_id", &self.last_event_id())
            .field("reconnects", &self.reconnects())
            .field("buffered", &self.buf.len())
            .finish()
    }
}

impl EventStream {
    pub(crate) fn spawn(client: &Client, op: &'static str, args: Value, opts: StreamOptions) -> Result<Self> {
        // Build once up front so bad arguments fail here, before any task or connection exists.
        let op = crate::client::lookup(op)?;
        let mut probe = args.clone();
        if let Value::Object(m) = &mut probe {
            // Deltas given as an option win; deltas passed among the arguments are kept (and checked).
            if !opts.event_deltas.is_empty() || !m.contains_key("event_deltas") {
                m.insert("event_deltas".into(), Value::from(opts.event_deltas.clone()));
            }
        }
        crate::request::build(op, probe.clone(), opts.request.clone())?;
        if client.is_closed() {
            return Err(Error::new(ErrorKind::ClientClosed, "the client is closed"));
        }
        let shared = Arc::new(Shared { cancel: client.transport.closed.child_token(), ..Shared::default() });
        *shared.last_event_id.lock().expect("fresh mutex") = opts.last_event_id.clone();
        let (tx, rx) = crate::pipe::channel(opts.buffer_batches.max(1));
        let reader = crate::stream_reader::Reader::new(client.clone(), op, &probe, opts, shared.clone(), tx);
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::new(ErrorKind::InvalidArgument, "streams must be opened inside a Tokio runtime"))?;
        // The task's future is boxed: a task is allocated aligned to a cache line pair, which
        // for a future this size wastes most of a line; the box holds it at its own size.
        // One span per stream, over its reconnects (each connection is a `qoder.call` inside it).
        let span = tracing::info_span!(target: "qoder_cloud", "qoder.stream", operation = op.name.as_str(), reconnects = tracing::field::Empty);
        let counts = shared.clone();
        let body = async move {
            Box::new(reader).run().await;
            tracing::Span::current().record("reconnects", counts.reconnects.load(std::sync::atomic::Ordering::SeqCst));
        };
        let task = handle.spawn(tracing::Instrument::instrument(Box::pin(body), span));
        Ok(Self { rx, buf: VecDeque::new(), shared, task, done: false, pending_error: None })
    }

    /// The next event; `None` once the stream ended (terminal event, close, or final error).
    pub async fn next(&mut self) -> Option<Result<StreamEvent>> {
        loop {
            if let Some(e) = self.pop() {
                return Some(Ok(e));
            }
            if let Some(e) = self.pending_error.take() {
                self.finish();
                return Some(Err(e));
            }
            if self.done {
                return None;
            }
            if self.shared.is_closed() {
                self.finish();
                return None;
            }
            let closed = self.shared.cancel.cancelled();
            tokio::select! {
                biased;
                batch = self.rx.recv() => match batch {
                    Some(Ok(events)) => self.buf.extend(events),
                    Some(Err(e)) => { self.finish(); return Some(Err(e)); }
                    None => { self.finish(); return None; }
                },
                _ = closed => { self.finish(); return None; }
            }
        }
    }

    /// The next event if one is already buffered, without waiting. `None` means "nothing yet"
    /// unless [`EventStream::is_done`] is true.
    pub fn try_next(&mut self) -> Option<Result<StreamEvent>> {
        if let Some(e) = self.pop() {
            return Some(Ok(e));
        }
        if let Some(e) = self.pending_error.take() {
            self.finish();
            return Some(Err(e));
        }
        if self.done {
            return None;
        }
        match self.rx.try_recv() {
            Ok(Ok(events)) => {
                self.buf.extend(events);
                self.pop().map(Ok)
            }
            Ok(Err(e)) => {
                self.finish();
                Some(Err(e))
            }
            Err(crate::pipe::TryRecvError::Empty) => None,
            Err(crate::pipe::TryRecvError::Disconnected) => {
                self.finish();
                None
            }
        }
    }

    /// Takes up to `max` events already received, without waiting (may be empty).
    /// A final error queued behind them is kept for the next `next`/`try_next` call.
    pub fn take_buffered(&mut self, max: usize) -> Vec<StreamEvent> {
        while self.buf.len() < max && !self.done && self.pending_error.is_none() {
            match self.rx.try_recv() {
                Ok(Ok(events)) => self.buf.extend(events),
                Ok(Err(e)) => self.pending_error = Some(e),
                Err(_) => break,
            }
        }
        let n = self.buf.len().min(max);
        let out: Vec<StreamEvent> = self.buf.drain(..n).collect();
        if let Some(last) = out.iter().rev().find(|e| !e.is_preview() && e.id.is_some()) {
            self.record(last.id.clone());
        }
        out
    }

    fn pop(&mut self) -> Option<StreamEvent> {
        let e = self.buf.pop_front()?;
        if e.id.is_some() && !e.is_preview() {
            self.record(e.id.clone());
        }
        Some(e)
    }

    fn record(&self, id: Option<String>) {
        if let Ok(mut g) = self.shared.last_event_id.lock() {
            *g = id;
        }
    }

    /// Waits for at least one event (or the end) and returns up to `max` events.
    /// An empty vector means the stream ended; an error is returned on its own.
    pub async fn next_batch(&mut self, max: usize) -> Result<Vec<StreamEvent>> {
        let max = max.max(1);
        let mut out = self.take_buffered(max);
        if !out.is_empty() {
            return Ok(out);
        }
        match self.next().await {
            None => Ok(out),
            Some(Err(e)) => Err(e),
            Some(Ok(e)) => {
                out.push(e);
                out.extend(self.take_buffered(max - 1));
                Ok(out)
            }
        }
    }

    /// [`EventStream::next_batch`] as a poll, for callers that drive the stream from their own
    /// wakeups instead of a task (the Python binding's pending reads). The waker is woken when a
    /// batch arrives or the reader ends, which it does promptly after a close.
    pub fn poll_next_batch(
        &mut self,
        cx: &mut std::task::Context<'_>,
        max: usize,
    ) -> std::task::Poll<Result<Vec<StreamEvent>>> {
        let max = max.max(1);
        let mut out = self.take_buffered(max);
        if !out.is_empty() {
            return std::task::Poll::Ready(Ok(out));
        }
        match std::task::ready!(futures_util::Stream::poll_next(std::pin::Pin::new(&mut *self), cx)) {
            None => std::task::Poll::Ready(Ok(out)),
            Some(Err(e)) => std::task::Poll::Ready(Err(e)),
            Some(Ok(e)) => {
                out.push(e);
                out.extend(self.take_buffered(max - 1));
                std::task::Poll::Ready(Ok(out))
            }
        }
    }

    /// Whether the stream has ended and nothing is buffered.
    pub fn is_done(&self) -> bool {
        self.done && self.buf.is_empty()
    }

    /// The id of the last persisted event handed to the consumer (the resume cursor).
    pub fn last_event_id(&self) -> Option<String> {
        self.shared.last_event_id.lock().ok().and_then(|g| g.clone())
    }

    /// How many times the stream reconnected.
    pub fn reconnects(&self) -> u32 {
        self.shared.reconnects.load(Ordering::SeqCst)
    }

    /// A handle that can close this stream from another task.
    pub fn closer(&self) -> StreamCloser {
        StreamCloser { shared: self.shared.clone() }
    }

    /// Closes the stream and its connection. Idempotent.
    pub fn close(&mut self) {
        self.closer().close();
        self.finish();
    }

    fn finish(&mut self) {
        self.done = true;
        self.task.abort();
        self.rx.close();
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.shared.cancel.cancel();
        self.task.abort();
    }
}

impl futures_util::Stream for EventStream {
    type Item = Result<StreamEvent>;
    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(e) = this.pop() {
            return std::task::Poll::Ready(Some(Ok(e)));
        }
        if let Some(e) = this.pending_error.take() {
            this.finish();
            return std::task::Poll::Ready(Some(Err(e)));
        }
        if this.done || this.shared.is_closed() {
            this.finish();
            return std::task::Poll::Ready(None);
        }
        match this.rx.poll_recv(cx) {
            std::task::Poll::Ready(Some(Ok(events))) => {
                this.buf.extend(events);
                match this.pop() {
                    Some(e) => std::task::Poll::Ready(Some(Ok(e))),
                    None => {
                        cx.waker().wake_by_ref();
                        std::task::Poll::Pending
                    }
                }
            }
            std::task::Poll::Ready(Some(Err(e))) => {
                this.finish();
                std::task::Poll::Ready(Some(Err(e)))
            }
            std::task::Poll::Ready(None) => {
                this.finish();
                std::task::Poll::Ready(None)
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

impl Client {
    /// Streams a session's events (`GET /sessions/{id}/events/stream`).
    pub fn stream_session(&self, session_id: &str, opts: StreamOptions) -> Result<EventStream> {
        EventStream::spawn(self, "sessions.events.stream", serde_json::json!({ "session_id": session_id }), opts)
    }
    /// Streams one thread's events (`GET /sessions/{id}/threads/{tid}/stream`).
    pub fn stream_thread(&self, session_id: &str, thread_id: &str, opts: StreamOptions) -> Result<EventStream> {
        EventStream::spawn(
            self,
            "sessions.threads.events.stream",
            serde_json::json!({ "session_id": session_id, "thread_id": thread_id }),
            opts,
        )
    }
    /// Streams by operation name with named arguments (the bindings' entry point).
    pub fn stream(&self, op: &str, args: Value, opts: StreamOptions) -> Result<EventStream> {
        let op = crate::client::lookup(op)?;
        if op.response != crate::operations::ResponseKind::Stream {
            return Err(Error::invalid_argument("operation", format!("{} is not a stream operation", op.name)));
        }
        EventStream::spawn(self, &op.name, args, opts)
    }
}

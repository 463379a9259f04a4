//! Response body type and small response helpers.
//!
//! One concrete body type (no boxing) covers the three shapes the emulator needs:
//! a complete buffer, an empty body, and a channel-fed stream used for SSE and for
//! the `truncated` fault. A stream can end cleanly (sender dropped) or abruptly
//! ([`Chunk::Abort`]), which makes hyper close the connection mid-body.

use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

/// One item of a streamed body.
#[derive(Debug)]
pub enum Chunk {
    /// Bytes to send.
    Data(Bytes),
    /// Abort the connection without finishing the body.
    Abort,
}

/// Error surfaced to hyper to abort a connection.
#[derive(Debug)]
pub struct BodyAborted;

impl std::fmt::Display for BodyAborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response body aborted by the emulator")
    }
}

impl std::error::Error for BodyAborted {}

/// The emulator's response body.
#[derive(Debug)]
pub enum Body {
    /// A complete buffer (taken on the first poll).
    Full(Option<Bytes>),
    /// A streamed body fed by a channel.
    Channel(ChannelBody),
}

/// A channel-fed body. With a [`KillSwitch`] (HTTP/1 connections), an
/// [`Chunk::Abort`] first lets hyper flush everything it already holds and only
/// then fails the body, so the frames sent before the abort reach the client.
#[derive(Debug)]
pub struct ChannelBody {
    rx: mpsc::Receiver<Chunk>,
    kill: Option<Arc<KillSwitch>>,
    aborting: bool,
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body::Full(None)
    }

    /// A streamed body; `kill` is the connection's switch (None on HTTP/2).
    pub fn channel(rx: mpsc::Receiver<Chunk>, kill: Option<Arc<KillSwitch>>) -> Self {
        Body::Channel(ChannelBody { rx, kill, aborting: false })
    }

    /// A complete body.
    pub fn full(b: impl Into<Bytes>) -> Self {
        let b = b.into();
        if b.is_empty() {
            Body::Full(None)
        } else {
            Body::Full(Some(b))
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = BodyAborted;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyAborted>>> {
        match self.get_mut() {
            Body::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Body::Channel(ch) => {
                if !ch.aborting {
                    match ch.rx.poll_recv(cx) {
                        Poll::Ready(Some(Chunk::Data(b))) => return Poll::Ready(Some(Ok(Frame::data(b)))),
                        Poll::Ready(Some(Chunk::Abort)) => ch.aborting = true,
                        Poll::Ready(None) => return Poll::Ready(None),
                        Poll::Pending => return Poll::Pending,
                    }
                }
                // Aborting: without a switch fail now; with one, wait until the
                // connection has flushed every byte hyper accepted so far.
                match &ch.kill {
                    Some(k) if !k.arm_and_check(cx.waker()) => Poll::Pending,
                    _ => Poll::Ready(Some(Err(BodyAborted))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Body::Full(None) => SizeHint::with_exact(0),
            Body::Channel(_) => SizeHint::default(),
        }
    }
}

/// Aborts a channel body after the chunks already queued reach the client.
///
/// On HTTP/1 connections (`killable`) the [`Chunk::Abort`] is queued right
/// away: the body and the connection's [`KillSwitch`] make sure hyper flushes
/// everything before the socket is cut, with no timers. HTTP/2 streams share
/// their connection, so there the abort falls back to waiting until hyper has
/// taken every chunk plus a short grace period before resetting the stream.
pub async fn abort_after_flush(tx: &mpsc::Sender<Chunk>, killable: bool) {
    if !killable {
        for _ in 0..2000 {
            if tx.is_closed() || tx.capacity() == tx.max_capacity() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let _ = tx.send(Chunk::Abort).await;
}

const ARMED: u8 = 0;
const DRAINING: u8 = 1;
const KILLED: u8 = 2;

/// A per-connection switch shared by the connection's IO wrapper
/// ([`KillableIo`]) and the bodies of its responses.
///
/// A body that must end abruptly trips it (state *draining*) and waits. The IO
/// wrapper completes a flush only after hyper has handed over every buffered
/// byte; when that happens while draining, the switch flips to *killed*, the
/// body is woken and fails, hyper drops the connection, and the wrapper
/// refuses any further IO (so not even a chunked-encoding terminator leaks).
#[derive(Debug, Default)]
pub struct KillSwitch {
    state: AtomicU8,
    waker: Mutex<Option<Waker>>,
}

impl KillSwitch {
    /// Trips the switch (if not yet) and registers the body's waker; returns
    /// whether the connection is already killed.
    fn arm_and_check(&self, waker: &Waker) -> bool {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(waker.clone());
        let _ = self.state.compare_exchange(ARMED, DRAINING, Ordering::AcqRel, Ordering::Acquire);
        self.is_killed()
    }

    /// Whether the connection has been cut.
    pub fn is_killed(&self) -> bool {
        self.state.load(Ordering::Acquire) == KILLED
    }

    fn flushed(&self) {
        if self.state.compare_exchange(DRAINING, KILLED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            if let Some(w) = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take() {
                w.wake();
            }
        }
    }
}

/// IO wrapper that obeys a [`KillSwitch`].
#[derive(Debug)]
pub struct KillableIo<T> {
    inner: T,
    switch: Arc<KillSwitch>,
}

impl<T> KillableIo<T> {
    /// Wraps a connection.
    pub fn new(inner: T, switch: Arc<KillSwitch>) -> Self {
        KillableIo { inner, switch }
    }
}

fn killed_err() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection cut by fault injection")
}

impl<T: AsyncRead + Unpin> AsyncRead for KillableIo<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if self.switch.is_killed() {
            return Poll::Ready(Err(killed_err()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for KillableIo<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        if self.switch.is_killed() {
            return Poll::Ready(Err(killed_err()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        if self.switch.is_killed() {
            return Poll::Ready(Err(killed_err()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.switch.is_killed() {
            return Poll::Ready(Err(killed_err()));
        }
        // hyper flushes the IO only once its own write buffer is empty, so a
        // completed flush means every byte it accepted is in the kernel.
        std::task::ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        self.switch.flushed();
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What a handler produces: status, content type, body and extra headers.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: http::StatusCode,
    /// Content-Type header value.
    pub content_type: &'static str,
    /// The body.
    pub body: Body,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The complete body bytes when known (used for idempotency storage and faults).
    pub bytes: Option<Bytes>,
}

impl Reply {
    /// A JSON reply from a serialisable value.
    pub fn json(status: http::StatusCode, value: &serde_json::Value) -> Self {
        Self::raw_json(status, serde_json::to_vec(value).unwrap_or_default())
    }

    /// A JSON reply from already-serialised bytes.
    pub fn raw_json(status: http::StatusCode, bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Reply {
            status,
            content_type: "application/json",
            body: Body::full(bytes.clone()),
            headers: Vec::new(),
            bytes: Some(bytes),
        }
    }

    /// 200 JSON.
    pub fn ok(value: &serde_json::Value) -> Self {
        Self::json(http::StatusCode::OK, value)
    }

    /// 201 JSON.
    pub fn created(value: &serde_json::Value) -> Self {
        Self::json(http::StatusCode::CREATED, value)
    }

    /// A streamed reply (SSE); `kill` is the connection's switch, if any.
    pub fn stream(content_type: &'static str, rx: mpsc::Receiver<Chunk>, kill: Option<Arc<KillSwitch>>) -> Self {
        Reply {
            status: http::StatusCode::OK,
            content_type,
            body: Body::channel(rx, kill),
            headers: Vec::new(),
            bytes: None,
        }
    }

    /// A complete non-JSON reply (downloads).
    pub fn binary(status: http::StatusCode, content_type: &'static str, bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Reply { status, content_type, body: Body::full(bytes.clone()), headers: Vec::new(), bytes: Some(bytes) }
    }

    /// `204 No Content`.
    pub fn no_content() -> Self {
        Reply {
            status: http::StatusCode::NO_CONTENT,
            content_type: "application/json",
            body: Body::empty(),
            headers: Vec::new(),
            bytes: Some(Bytes::new()),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

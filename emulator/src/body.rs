//! Response body type and small response helpers.
//!
//! One concrete body type (no boxing) covers the three shapes the emulator needs:
//! a complete buffer, an empty body, and a channel-fed stream used for SSE and for
//! the `truncated` fault. A stream can end cleanly (sender dropped) or abruptly
//! ([`Chunk::Abort`]), which makes hyper close the connection mid-body.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
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
    Channel(mpsc::Receiver<Chunk>),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body::Full(None)
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
            Body::Channel(rx) => match rx.poll_recv(cx) {
                Poll::Ready(Some(Chunk::Data(b))) => Poll::Ready(Some(Ok(Frame::data(b)))),
                Poll::Ready(Some(Chunk::Abort)) => Poll::Ready(Some(Err(BodyAborted))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            },
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

/// Aborts a channel body once hyper has taken (and had time to flush) every
/// chunk queued so far. Hyper discards buffered-but-unflushed bytes when a
/// body errors, so aborting immediately would lose the data that should reach
/// the client before the connection drops.
pub async fn abort_after_flush(tx: &mpsc::Sender<Chunk>) {
    for _ in 0..2000 {
        if tx.is_closed() || tx.capacity() == tx.max_capacity() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let _ = tx.send(Chunk::Abort).await;
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

    /// A streamed reply (SSE).
    pub fn stream(content_type: &'static str, rx: mpsc::Receiver<Chunk>) -> Self {
        Reply { status: http::StatusCode::OK, content_type, body: Body::Channel(rx), headers: Vec::new(), bytes: None }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

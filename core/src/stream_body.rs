//! The body of an event stream's response, as the reader consumes it.
//!
//! Every stream goes through hyper (by way of reqwest), over TLS or cleartext, HTTP/2 or
//! HTTP/1.1: hyper parses the response head, the chunked encoding and the HTTP/2 framing, so
//! the only hand-written parser a stream's bytes meet is the SSE framer (`sse.rs`, fuzzed).
//! ARCHITECTURE.md ("Stream transports") records why the earlier hand-written HTTP/1.1
//! connection was removed: it served only the cleartext local path and no production one.

use std::task::{Context, Poll};

use crate::error::Result;

/// What one read of the body produced.
#[derive(Debug)]
pub(crate) enum Next<E> {
    /// Some body bytes went to the sink.
    Data,
    /// The body ended cleanly.
    End,
    /// The sink refused the bytes; reading stopped.
    Sink(E),
}

type Chunks = std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// A stream response's body: hyper's chunks (often one HTTP/2 DATA frame, or one event, each),
/// plus the stream connection's lease (see `stream_pool`), held until the body is dropped.
pub(crate) struct StreamBody {
    chunks: Chunks,
    /// The end or a failure met after some chunks of the same poll were handed on: reported by
    /// the next poll, so the events before it are delivered first.
    after: Option<Result<()>>,
}

/// At most this many bytes are handed on per poll, so one busy stream cannot hog its task.
const BYTES_PER_POLL: usize = 256 * 1024;

impl StreamBody {
    /// The body of `r`; `lease` (a stream connection's place) is held as long as the body is.
    pub(crate) fn new(r: reqwest::Response, lease: Option<crate::stream_pool::Lease>) -> Self {
        use futures_util::StreamExt;
        let chunks: Chunks = match lease {
            None => Box::pin(r.bytes_stream()),
            Some(lease) => Box::pin(r.bytes_stream().map(move |chunk| {
                let _held = &lease;
                chunk
            })),
        };
        StreamBody { chunks, after: None }
    }

    /// Polls for the next body bytes and hands every chunk that is ready now (up to
    /// [`BYTES_PER_POLL`]) to `sink`, not just one: the reader then sends the events of all of
    /// them as one batch, instead of one batch (and one consumer wakeup) per small chunk.
    ///
    /// A poll rather than an `async fn`: the reader waits on it together with its idle timer
    /// and the close signal in one small `poll_fn`, instead of a select over three futures that
    /// would all sit in the stream task's state for as long as the stream is open.
    pub(crate) fn poll_next_with<E>(
        &mut self,
        cx: &mut Context<'_>,
        sink: &mut impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> Poll<Result<Next<E>>> {
        if let Some(after) = self.after.take() {
            return Poll::Ready(after.map(|()| Next::End));
        }
        let mut handed = 0usize;
        loop {
            let item = match self.chunks.as_mut().poll_next(cx) {
                Poll::Pending if handed > 0 => return Poll::Ready(Ok(Next::Data)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            };
            let end = match item {
                Some(Ok(c)) => {
                    if let Err(e) = sink(&c) {
                        return Poll::Ready(Ok(Next::Sink(e)));
                    }
                    handed += c.len().max(1);
                    if handed >= BYTES_PER_POLL {
                        return Poll::Ready(Ok(Next::Data));
                    }
                    continue;
                }
                None => Ok(()),
                Some(Err(e)) => Err(crate::transport::transport_error(e)),
            };
            if handed == 0 {
                return Poll::Ready(end.map(|()| Next::End));
            }
            self.after = Some(end);
            return Poll::Ready(Ok(Next::Data));
        }
    }
}

//! Connections for event streams: over HTTP/2 (by ALPN, or prior knowledge) at most
//! `per_connection` streams on each connection, a further connection opened whenever all are
//! full. Over HTTP/1.1 each stream has a connection of its own in any case.
//!
//! Why: gateways cap concurrent HTTP/2 streams per connection (nginx 128, AWS ALB 128, Google's
//! front ends 100), and an HTTP/2 client queues streams beyond the cap on that connection. Event
//! streams are long-lived, so a thousand of them multiplexed on one connection would never all
//! open. Spreading them over connections of at most 100 streams each (the lowest common cap;
//! `max_streams_per_connection` to change it) opens any number, while keeping what HTTP/2 saves
//! per stream: one TLS session and one set of connection buffers for up to 100 streams, ≈ 3× less
//! memory per open stream than an HTTP/1.1 connection each (BENCHMARKS.md, https fan-out rows).
//!
//! Each shard is a reqwest client of its own, hence a connection pool (and connection) of its own.
//! A new shard's first stream connects alone: until its connection is up (TCP and TLS done, the
//! protocol known by ALPN) the client cannot know the connection speaks HTTP/2, and every
//! stream sent meanwhile would race a connection (and a TLS handshake) of its own, a thousand of
//! them when a thousand streams start at once. The others go as soon as that connection is up,
//! or the first stream got its answer or failed, whichever comes first: a server that never
//! answers the first stream's request (a stalled response head) holds back no other stream.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::error::Result;

/// Default streams per connection: at or below the caps of common gateways.
pub const DEFAULT_STREAMS_PER_CONNECTION: usize = 100;

/// Builds a shard's client; the layer goes around its connector (`connector_layer`).
type MakeClient = Box<dyn Fn(ConnectedLayer) -> Result<reqwest::Client> + Send + Sync>;

/// Reports a shard's connection up: wraps reqwest's connector, whose future resolves once TCP,
/// TLS and ALPN are done.
#[derive(Clone)]
pub(crate) struct ConnectedLayer(Arc<tokio::sync::watch::Sender<bool>>);

impl<S> tower_layer::Layer<S> for ConnectedLayer {
    type Service = Connected<S>;
    fn layer(&self, inner: S) -> Connected<S> {
        Connected { inner, up: self.0.clone() }
    }
}

/// The connector service of [`ConnectedLayer`].
#[derive(Clone)]
pub(crate) struct Connected<S> {
    inner: S,
    up: Arc<tokio::sync::watch::Sender<bool>>,
}

impl<S, R> tower_service::Service<R> for Connected<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let connecting = self.inner.call(req);
        let up = self.up.clone();
        Box::pin(async move {
            let conn = connecting.await;
            if conn.is_ok() {
                up.send_replace(true);
            }
            conn
        })
    }
}

struct Shard {
    client: reqwest::Client,
    live: Arc<AtomicUsize>,
    /// `true` once the shard's connection is up, or its first stream got an answer or failed.
    ready: tokio::sync::watch::Receiver<bool>,
}

/// The stream connections of one SDK client.
pub(crate) struct StreamPool {
    per_connection: usize,
    make: MakeClient,
    shards: Mutex<Vec<Shard>>,
}

/// One stream's place on a connection; given back when the stream's body is dropped.
pub(crate) struct Lease {
    live: Arc<AtomicUsize>,
    /// The shard's first lease: it reports the shard ready once its request is answered.
    opener: Option<Arc<tokio::sync::watch::Sender<bool>>>,
    ready: Option<tokio::sync::watch::Receiver<bool>>,
}

impl Lease {
    /// Waits until the shard's connection is up (or its first request was answered or failed),
    /// unless this is the lease that opens it.
    pub(crate) async fn connection_up(&mut self) {
        if let Some(rx) = self.ready.as_mut() {
            // An error means the opener is gone (dropped): go ahead and connect.
            let _ = rx.wait_for(|up| *up).await;
        }
    }

    /// The opener's request was answered (any status) or failed: others may go.
    pub(crate) fn answered(&mut self) {
        if let Some(tx) = self.opener.take() {
            tx.send_replace(true);
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.answered();
        self.live.fetch_sub(1, Ordering::AcqRel);
    }
}

impl StreamPool {
    /// A pool whose connections carry at most `per_connection` streams each (at least 1).
    pub(crate) fn new(per_connection: usize, make: MakeClient) -> Self {
        Self { per_connection: per_connection.max(1), make, shards: Mutex::new(Vec::new()) }
    }

    /// The client of a connection with room for one more stream, and the lease of that room.
    pub(crate) fn lease(&self) -> Result<(reqwest::Client, Lease)> {
        let mut shards = self.shards.lock().unwrap_or_else(|p| p.into_inner());
        // The first shard with room: streams fill the oldest connections first, so a connection
        // left empty by closed streams goes idle and is closed by the pool's idle timeout.
        for shard in shards.iter() {
            let n = shard.live.load(Ordering::Acquire);
            if n < self.per_connection {
                shard.live.fetch_add(1, Ordering::AcqRel);
                let ready = (!*shard.ready.borrow()).then(|| shard.ready.clone());
                return Ok((shard.client.clone(), Lease { live: shard.live.clone(), opener: None, ready }));
            }
        }
        let (tx, rx) = tokio::sync::watch::channel(false);
        let tx = Arc::new(tx);
        let shard =
            Shard { client: (self.make)(ConnectedLayer(tx.clone()))?, live: Arc::new(AtomicUsize::new(1)), ready: rx };
        let lease = Lease { live: shard.live.clone(), opener: Some(tx), ready: None };
        let client = shard.client.clone();
        shards.push(shard);
        Ok((client, lease))
    }

    /// Connections made so far (tests and diagnostics).
    #[cfg(test)]
    fn shards(&self) -> usize {
        self.shards.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_fill_connections_up_to_the_cap_then_open_another() {
        let pool = StreamPool::new(2, Box::new(|_| Ok(reqwest::Client::new())));
        let mut a = pool.lease().unwrap();
        let b = pool.lease().unwrap();
        assert!(a.1.opener.is_some() && b.1.ready.is_some(), "the second waits for the first");
        assert_eq!(pool.shards(), 1);
        let c = pool.lease().unwrap();
        assert_eq!(pool.shards(), 2, "full: a further connection");
        a.1.answered();
        drop(b);
        // Room again on the first connection, which is up: reused before the second, no wait.
        let d = pool.lease().unwrap();
        assert_eq!(pool.shards(), 2);
        assert!(Arc::ptr_eq(&a.1.live, &d.1.live));
        assert!(d.1.ready.is_none());
        drop((a, c, d));
    }
}

//! Counters exposed by `GET /_emulator/stats` and `RunningEmulator::stats()`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::tls::Negotiated;

/// Emulator-wide counters.
#[derive(Debug, Default)]
pub struct Stats {
    requests: Mutex<BTreeMap<String, u64>>,
    objects: Mutex<BTreeMap<String, u64>>,
    open_connections: AtomicI64,
    total_connections: AtomicU64,
    tls_handshakes: AtomicU64,
    tls_handshake_failures: AtomicU64,
    /// Handshakes per negotiated protocol: `h2`, `http/1.1`, none.
    alpn: [AtomicU64; 3],
    open_streams: AtomicI64,
    total_streams: AtomicU64,
    faults_injected: AtomicU64,
    idempotent_replays: AtomicU64,
    storage_requests: AtomicU64,
    storage_requests_with_auth: AtomicU64,
    /// The W3C `traceparent` of the latest API request that carried one (trace-propagation tests).
    last_traceparent: Mutex<Option<String>>,
}

impl Stats {
    /// Remembers the `traceparent` header of an API request.
    pub fn saw_traceparent(&self, value: &str) {
        *self.last_traceparent.lock().unwrap_or_else(|e| e.into_inner()) = Some(value.to_string());
    }

    /// Counts one request to a route key such as `GET /sessions/{session_id}`.
    pub fn count_request(&self, key: &str) {
        let mut m = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(key.to_string()).or_default() += 1;
    }

    /// Counts `n` created objects of a type (`agent`, `session`, `user.message`, ...).
    pub fn count_objects(&self, kind: &str, n: u64) {
        let mut m = self.objects.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(kind.to_string()).or_default() += n;
    }

    /// Counts one completed TLS handshake and the protocol ALPN chose (`h2`,
    /// `http/1.1` or none), so tests can prove HTTP/2 was really negotiated.
    pub fn count_tls_handshake(&self, alpn: Negotiated) {
        self.tls_handshakes.fetch_add(1, Ordering::Relaxed);
        let i = match alpn {
            Negotiated::H2 => 0,
            Negotiated::Http1 => 1,
            Negotiated::None => 2,
        };
        self.alpn[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one failed (or timed-out) TLS handshake.
    pub fn count_tls_failure(&self) {
        self.tls_handshake_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one injected fault.
    pub fn count_fault(&self) {
        self.faults_injected.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one idempotent replay.
    pub fn count_replay(&self) {
        self.idempotent_replays.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one request to the unauthenticated storage route, noting whether
    /// it carried credentials (`Authorization`, `x-api-key` or `Cookie`).
    pub fn count_storage(&self, with_auth: bool) {
        self.storage_requests.fetch_add(1, Ordering::Relaxed);
        if with_auth {
            self.storage_requests_with_auth.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Clears request/object/fault counters (connection gauges and the TLS
    /// counters are kept: they describe sockets, not state).
    pub fn reset(&self) {
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.objects.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.faults_injected.store(0, Ordering::Relaxed);
        self.idempotent_replays.store(0, Ordering::Relaxed);
        self.total_streams.store(0, Ordering::Relaxed);
        self.storage_requests.store(0, Ordering::Relaxed);
        self.storage_requests_with_auth.store(0, Ordering::Relaxed);
        *self.last_traceparent.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The JSON document served by the stats endpoint.
    pub fn to_json(&self) -> Value {
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let objects = self.objects.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let total: u64 = requests.values().sum();
        let alpn = |i: usize| self.alpn[i].load(Ordering::Relaxed);
        json!({
            "requests": requests,
            "requests_total": total,
            "objects_created": objects,
            "connections": {
                "open": self.open_connections.load(Ordering::Relaxed).max(0),
                "total": self.total_connections.load(Ordering::Relaxed),
                "tls_handshakes": self.tls_handshakes.load(Ordering::Relaxed),
                "tls_handshake_failures": self.tls_handshake_failures.load(Ordering::Relaxed),
                "alpn": {"h2": alpn(0), "http/1.1": alpn(1), "none": alpn(2)},
            },
            "streams": {
                "open": self.open_streams.load(Ordering::Relaxed).max(0),
                "total": self.total_streams.load(Ordering::Relaxed),
            },
            "faults_injected": self.faults_injected.load(Ordering::Relaxed),
            "idempotent_replays": self.idempotent_replays.load(Ordering::Relaxed),
            "storage_requests": self.storage_requests.load(Ordering::Relaxed),
            "storage_requests_with_auth": self.storage_requests_with_auth.load(Ordering::Relaxed),
            "last_traceparent": self.last_traceparent.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        })
    }
}

/// Gauge guard: +1 on creation, -1 on drop.
#[derive(Debug)]
pub struct Gauge {
    stats: Arc<Stats>,
    stream: bool,
}

impl Gauge {
    /// Tracks one open TCP connection (counted before any TLS handshake).
    pub fn connection(stats: Arc<Stats>) -> Self {
        stats.open_connections.fetch_add(1, Ordering::Relaxed);
        stats.total_connections.fetch_add(1, Ordering::Relaxed);
        Gauge { stats, stream: false }
    }

    /// Tracks one open SSE stream.
    pub fn stream(stats: Arc<Stats>) -> Self {
        stats.open_streams.fetch_add(1, Ordering::Relaxed);
        stats.total_streams.fetch_add(1, Ordering::Relaxed);
        Gauge { stats, stream: true }
    }
}

impl Drop for Gauge {
    fn drop(&mut self) {
        let g = if self.stream { &self.stats.open_streams } else { &self.stats.open_connections };
        g.fetch_sub(1, Ordering::Relaxed);
    }
}

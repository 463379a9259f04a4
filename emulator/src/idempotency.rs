//! `Idempotency-Key` handling (docs/api-contract.md §2.3, §9.4).
//!
//! Keys are scoped by bearer token. The fingerprint is method + path + a
//! canonical (key-sorted) form of the JSON body, so semantically identical
//! retries match even if a client re-serialises with another key order.
//! 5xx outcomes are not stored, so a retry after a server fault re-executes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::clock::{Clock, Micros};

/// How long a key is remembered.
pub const RETENTION_US: Micros = 24 * 3600 * 1_000_000;

#[derive(Debug, Clone)]
enum Entry {
    InFlight { fingerprint: String },
    Done { fingerprint: String, first_use_us: Micros, stored: StoredResponse },
}

/// A stored response, replayed byte-for-byte.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Content-Type.
    pub content_type: &'static str,
    /// Body bytes.
    pub body: Bytes,
}

type Key = (String, String);

/// The key store.
#[derive(Debug, Default)]
pub struct IdempotencyStore {
    map: Arc<Mutex<HashMap<Key, Entry>>>,
}

/// Outcome of looking a key up.
#[derive(Debug)]
pub enum Begin {
    /// First use: process the request, then call [`Pending::complete`].
    Proceed(Pending),
    /// Replay this stored response.
    Replay(StoredResponse),
    /// Same key with a different request.
    Mismatch,
    /// Same key while the first request is still executing.
    InFlight,
}

/// A reservation for an in-flight request. Dropping it without completing
/// (e.g. the handler was cancelled) releases the key.
#[derive(Debug)]
pub struct Pending {
    map: Arc<Mutex<HashMap<Key, Entry>>>,
    key: Option<Key>,
    fingerprint: String,
    started_us: Micros,
}

impl Pending {
    /// Stores the response (unless it is a 5xx) and releases the reservation.
    pub fn complete(mut self, stored: StoredResponse) {
        let Some(key) = self.key.take() else { return };
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if stored.status >= 500 {
            m.remove(&key);
        } else {
            let fingerprint = std::mem::take(&mut self.fingerprint);
            m.insert(key, Entry::Done { fingerprint, first_use_us: self.started_us, stored });
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.map.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        }
    }
}

impl IdempotencyStore {
    /// Looks a key up and reserves it when new (or expired).
    pub fn begin(&self, clock: &Clock, token: &str, key: &str, fingerprint: String) -> Begin {
        let now = clock.now_us();
        let k = (token.to_string(), key.to_string());
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() > 10_000 {
            m.retain(|_, e| match e {
                Entry::Done { first_use_us, .. } => now - *first_use_us < RETENTION_US,
                Entry::InFlight { .. } => true,
            });
        }
        match m.get(&k) {
            Some(Entry::Done { fingerprint: fp, first_use_us, stored }) if now - *first_use_us < RETENTION_US => {
                return if *fp == fingerprint { Begin::Replay(stored.clone()) } else { Begin::Mismatch };
            }
            Some(Entry::InFlight { fingerprint: fp, .. }) => {
                return if *fp == fingerprint { Begin::InFlight } else { Begin::Mismatch };
            }
            _ => {}
        }
        m.insert(k.clone(), Entry::InFlight { fingerprint: fingerprint.clone() });
        Begin::Proceed(Pending { map: self.map.clone(), key: Some(k), fingerprint, started_us: now })
    }

    /// Forgets every key.
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Number of remembered keys (diagnostics).
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Fingerprint = SHA-256 of method, path and the canonical body. Multipart
/// bodies are hashed with their boundary blanked out, since clients rebuild
/// the form (with a fresh random boundary) on every retry.
pub fn fingerprint(method: &str, path: &str, content_type: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    if let Some(boundary) = crate::multipart::boundary(content_type) {
        let needle = format!("--{boundary}");
        let mut pos = 0;
        while let Some(i) = crate::multipart::find(body, needle.as_bytes(), pos) {
            h.update(&body[pos..i]);
            h.update(b"--BOUNDARY");
            pos = i + needle.len();
        }
        h.update(&body[pos..]);
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => h.update(canonical(&v).as_bytes()),
            Err(_) => h.update(body),
        }
    }
    hex::encode(h.finalize())
}

/// JSON text with object keys sorted recursively.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> =
                keys.into_iter().map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&m[k]))).collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ignores_key_order() {
        assert_eq!(
            fingerprint("POST", "/agents", "application/json", br#"{"a":1,"b":{"y":2,"x":1}}"#),
            fingerprint("POST", "/agents", "", br#"{ "b":{"x":1,"y":2}, "a":1 }"#)
        );
        assert_ne!(fingerprint("POST", "/agents", "", b"{}"), fingerprint("POST", "/sessions", "", b"{}"));
        let a = fingerprint("POST", "/files", "multipart/form-data; boundary=aaa", b"--aaa\r\nx\r\n--aaa--\r\n");
        let b = fingerprint("POST", "/files", "multipart/form-data; boundary=\"bbbb\"", b"--bbbb\r\nx\r\n--bbbb--\r\n");
        assert_eq!(a, b);
    }
}

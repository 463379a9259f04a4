//! The values a call is made of: per-call options, the request the transport sends, and the
//! response metadata it hands back. Kept apart from [`crate::transport`], which holds the
//! machinery that sends them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::error::Result;

/// Per-call overrides. Every field is optional; unset fields use the client's configuration.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// Timeout of one attempt (until the full body is read; for streams, until headers).
    pub timeout: Option<Duration>,
    /// Retries for this call.
    pub max_retries: Option<u32>,
    /// A caller-chosen `Idempotency-Key` (otherwise one is minted for POST and DELETE).
    pub idempotency_key: Option<String>,
    /// Extra headers for this call (they override defaults of the same name).
    pub extra_headers: Vec<(String, String)>,
    /// Extra query pairs for this call.
    pub extra_query: Vec<(String, String)>,
    /// Extra top-level JSON body fields for this call (merged over the body).
    pub extra_body: Option<serde_json::Map<String, serde_json::Value>>,
    /// A deadline for the whole call, spanning retries and backoff.
    pub total_deadline: Option<Duration>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may hold credentials; print names only.
        let names: Vec<&str> = self.extra_headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("idempotency_key", &self.idempotency_key)
            .field("extra_headers", &names)
            .field("total_deadline", &self.total_deadline)
            .finish_non_exhaustive()
    }
}

/// Builds a multipart form afresh for each attempt (files are re-opened, never held in memory).
pub type FormFactory =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<reqwest::multipart::Form>> + Send>> + Send + Sync>;

/// The body of a request.
#[derive(Clone, Default)]
pub enum RequestBody {
    /// No body.
    #[default]
    Empty,
    /// A serialized JSON document.
    Json(Bytes),
    /// A multipart form, rebuilt per attempt; `len` is the payload size used for the limit check.
    Multipart { factory: FormFactory, len: u64 },
}

/// Whether a failed call may be retried automatically at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetryMode {
    /// Contract §2.6 rules.
    #[default]
    Default,
    /// Never retried (vault credential updates: a replay could rotate a secret twice).
    Never,
}

/// One logical API call.
#[derive(Clone)]
pub struct ApiRequest {
    /// The operation's dotted name (`agents.create`), for spans; empty for ad-hoc requests.
    pub operation: String,
    /// HTTP method.
    pub method: Method,
    /// Path below the base URL, already percent-encoded, starting with `/`.
    pub path: String,
    /// Query pairs (already in wire form, e.g. `statuses[]`).
    pub query: Vec<(String, String)>,
    /// Body.
    pub body: RequestBody,
    /// `Accept` header.
    pub accept: &'static str,
    /// Extra headers decided by the operation (e.g. `Last-Event-ID`, `Worker-ID`).
    pub headers: Vec<(String, String)>,
    /// Retry mode.
    pub retry: RetryMode,
    /// Caller overrides.
    pub opts: RequestOptions,
}

impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Bodies may carry vault secrets: never print them.
        f.debug_struct("ApiRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl ApiRequest {
    /// A request with no body and JSON `Accept`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            operation: String::new(),
            method,
            path: path.into(),
            query: Vec::new(),
            body: RequestBody::Empty,
            accept: "application/json",
            headers: Vec::new(),
            retry: RetryMode::Default,
            opts: RequestOptions::default(),
        }
    }
}

/// Metadata every result carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `x-request-id` of the final attempt.
    pub request_id: Option<String>,
    /// The `Idempotency-Key` the call carried.
    pub idempotency_key: Option<String>,
    /// How many retries the call took.
    pub retries: u32,
}

/// A fully read response.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// Metadata.
    pub meta: ResponseMeta,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

/// A response whose body is still to be read (streams and downloads).
pub struct OpenResponse {
    /// Metadata.
    pub meta: ResponseMeta,
    /// The live response.
    pub response: reqwest::Response,
}

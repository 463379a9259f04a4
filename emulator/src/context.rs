//! Per-request context handed to resource handlers.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::Value;

use crate::body::KillSwitch;
use crate::errors::{ApiError, ApiResult};
use crate::faults::FaultSpec;
use crate::query::Query;
use crate::state::AppState;
use crate::validate::Obj;

/// Everything a handler needs about the request.
#[derive(Debug)]
pub struct Ctx {
    /// Shared state.
    pub state: Arc<AppState>,
    /// HTTP method.
    pub method: Method,
    /// Decoded path parameters in template order.
    pub params: Vec<String>,
    /// Query.
    pub query: Query,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// Bearer token (idempotency scope).
    pub token: String,
    /// Request id.
    pub request_id: String,
    /// Fault applied to this request, if any (stream faults are read by SSE).
    pub fault: Option<Arc<FaultSpec>>,
    /// The connection's kill switch (HTTP/1 only), for abrupt stream ends.
    pub kill: Option<Arc<KillSwitch>>,
}

impl Ctx {
    /// Path parameter `i`.
    pub fn param(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or("")
    }

    /// The body as JSON; an empty body is `{}`.
    pub fn json(&self) -> ApiResult<Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Obj::new()));
        }
        serde_json::from_slice(&self.body).map_err(|_| ApiError::invalid("Request body must be valid JSON."))
    }

    /// The body as a JSON object.
    pub fn object(&self) -> ApiResult<Obj> {
        match self.json()? {
            Value::Object(m) => Ok(m),
            _ => Err(ApiError::invalid("Request body must be a JSON object.")),
        }
    }

    /// The `Content-Type` header (empty when absent).
    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

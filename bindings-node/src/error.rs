//! Error encoding: one core [`qoder_cloud::Error`] becomes one rejected Promise whose message is
//! a marker followed by JSON of every field, which `lib/errors.js` turns into the right class.
//! N-API only lets us reject with a plain `Error`, so the fields travel in the message.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use napi::{Error, Result, Status};
use serde_json::json;

/// Prefix of every encoded error message; JS checks it before parsing.
pub(crate) const MARKER: &str = "\u{1}qoder-error:";

fn encode(v: serde_json::Value) -> Error {
    Error::new(Status::GenericFailure, format!("{MARKER}{v}"))
}

/// Encodes a core error with every field the JS classes expose.
pub(crate) fn from_core(e: &qoder_cloud::Error) -> Error {
    encode(json!({
        "kind": e.kind().as_str(),
        "message": e.message(),
        "display": e.to_string(),
        "status": e.status(),
        "type": e.error_type(),
        "code": e.code(),
        "param": e.param(),
        "request_id": e.request_id(),
        "idempotency_key": e.idempotency_key(),
        "body": e.body(),
        "retryable": e.is_retryable(),
        "retry_after": e.retry_after().map(|d| d.as_secs_f64()),
        "stream": e.is_stream_error(),
    }))
}

/// An error of a binding-only kind (`client_closed`, `internal`, ...).
pub(crate) fn other(kind: &str, message: impl Into<String>) -> Error {
    let message = message.into();
    encode(json!({ "kind": kind, "message": message, "display": message }))
}

/// A client-side argument error detected by the binding itself.
pub(crate) fn invalid(param: &str, message: impl Into<String>) -> Error {
    from_core(&qoder_cloud::Error::invalid_argument(param, message))
}

/// An internal failure of the binding.
pub(crate) fn internal(message: impl Into<String>) -> Error {
    other("internal", message)
}

/// The user cancelled (AbortSignal) or the client was closed.
pub(crate) fn cancelled(message: &str) -> Error {
    from_core(&qoder_cloud::Error::new(qoder_cloud::ErrorKind::Cancelled, message))
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

fn panic_error(payload: &(dyn Any + Send)) -> Error {
    other("panic", format!("internal error: the native addon panicked: {}", panic_message(payload)))
}

/// Runs a synchronous body, turning a panic into a thrown JS error.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(panic_error(&*p)),
    }
}

/// Wraps a future so a panic inside it rejects the Promise with an encoded error.
pub(crate) fn catch_future<T>(fut: impl Future<Output = Result<T>> + Send) -> impl Future<Output = Result<T>> + Send {
    AssertUnwindSafe(fut).catch_unwind().map(|r| match r {
        Ok(r) => r,
        Err(p) => Err(panic_error(&*p)),
    })
}

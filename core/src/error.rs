//! The one error type of the SDK.
//!
//! Every failure is an [`Error`]: an API error (the server answered with a non-2xx status or an
//! in-stream `error` frame), a connection or timeout failure, a body that could not be decoded,
//! an argument rejected before anything was sent, or a stream-level failure. The bindings map
//! [`Error::kind`] onto their own exception hierarchies, so the kind is the stable contract.

use std::fmt;

/// Convenient alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The class of an error; bindings map each kind to one exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 400 `invalid_request_error`.
    BadRequest,
    /// 401 `authentication_error`.
    Authentication,
    /// 403 `permission_error`.
    PermissionDenied,
    /// 404 / 410 `not_found_error`.
    NotFound,
    /// 409 `conflict_error`.
    Conflict,
    /// 413.
    RequestTooLarge,
    /// 422.
    UnprocessableEntity,
    /// 429 `rate_limit_error`.
    RateLimit,
    /// 500/502/503/504 `api_error`.
    InternalServer,
    /// 529 `overloaded_error`.
    Overloaded,
    /// Any other non-2xx status.
    OtherStatus,
    /// The connection could not be made, was reset, or the body was cut short.
    Connection,
    /// A connect, request, idle or total-deadline timeout fired.
    Timeout,
    /// The body was not the JSON shape we expected.
    Decode,
    /// The call was rejected client-side before any request was sent.
    InvalidArgument,
    /// A stream ended without its terminal event and resuming was disabled or impossible.
    IncompleteStream,
    /// One SSE event exceeded the configured size cap.
    EventTooLarge,
    /// A response's body or head exceeded a configured limit (`limits.rs`).
    ResponseTooLarge,
    /// The operation was cancelled by the caller.
    Cancelled,
    /// The client was closed, before the call or while it was in flight.
    ClientClosed,
    /// A local emulator process (`testing`) exited, or reported no address in time, at startup.
    EmulatorStartup,
}

impl ErrorKind {
    /// Kind for an HTTP status, refined by the envelope's `error.type` where the status is generic.
    pub fn from_status(status: u16, error_type: Option<&str>) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Authentication,
            403 => Self::PermissionDenied,
            404 | 410 => Self::NotFound,
            409 => Self::Conflict,
            413 => Self::RequestTooLarge,
            422 => Self::UnprocessableEntity,
            429 => Self::RateLimit,
            529 => Self::Overloaded,
            s if s >= 500 => match error_type {
                Some("overloaded_error") => Self::Overloaded,
                Some("rate_limit_error") => Self::RateLimit,
                _ => Self::InternalServer,
            },
            _ => match error_type.map(Self::from_error_type) {
                Some(k) if k != Self::OtherStatus => k,
                _ => Self::OtherStatus,
            },
        }
    }

    /// Kind for an `error.type` string alone (in-stream `error` frames carry no status).
    pub fn from_error_type(t: &str) -> Self {
        match t {
            "invalid_request_error" => Self::BadRequest,
            "authentication_error" => Self::Authentication,
            "permission_error" => Self::PermissionDenied,
            "not_found_error" => Self::NotFound,
            "conflict_error" => Self::Conflict,
            "request_too_large" | "request_too_large_error" => Self::RequestTooLarge,
            "rate_limit_error" => Self::RateLimit,
            "overloaded_error" => Self::Overloaded,
            "api_error" | "internal_error" => Self::InternalServer,
            _ => Self::OtherStatus,
        }
    }

    /// A short stable name, e.g. `"rate_limit"`; used by the bindings and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Authentication => "authentication",
            Self::PermissionDenied => "permission_denied",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::RequestTooLarge => "request_too_large",
            Self::UnprocessableEntity => "unprocessable_entity",
            Self::RateLimit => "rate_limit",
            Self::InternalServer => "internal_server",
            Self::Overloaded => "overloaded",
            Self::OtherStatus => "api_status",
            Self::Connection => "connection",
            Self::Timeout => "timeout",
            Self::Decode => "decode",
            Self::InvalidArgument => "invalid_argument",
            Self::IncompleteStream => "incomplete_stream",
            Self::EventTooLarge => "event_too_large",
            Self::ResponseTooLarge => "response_too_large",
            Self::ClientClosed => "client_closed",
            Self::Cancelled => "cancelled",
            Self::EmulatorStartup => "emulator_startup",
        }
    }

    /// Every kind, in declaration order (the error-class table is checked against it).
    pub const ALL: [ErrorKind; 21] = [
        Self::BadRequest,
        Self::Authentication,
        Self::PermissionDenied,
        Self::NotFound,
        Self::Conflict,
        Self::RequestTooLarge,
        Self::UnprocessableEntity,
        Self::RateLimit,
        Self::InternalServer,
        Self::Overloaded,
        Self::OtherStatus,
        Self::Connection,
        Self::Timeout,
        Self::Decode,
        Self::InvalidArgument,
        Self::IncompleteStream,
        Self::EventTooLarge,
        Self::ResponseTooLarge,
        Self::Cancelled,
        Self::ClientClosed,
        Self::EmulatorStartup,
    ];

    /// True for kinds that come from an HTTP status or an in-stream error envelope.
    pub fn is_api(self) -> bool {
        matches!(
            self,
            Self::BadRequest
                | Self::Authentication
                | Self::PermissionDenied
                | Self::NotFound
                | Self::Conflict
                | Self::RequestTooLarge
                | Self::UnprocessableEntity
                | Self::RateLimit
                | Self::InternalServer
                | Self::Overloaded
                | Self::OtherStatus
        )
    }
}

/// An SDK error. Fields that do not apply to a kind are `None`.
///
/// The message never contains the access token or any vault secret: request bodies are not
/// echoed into messages, and the raw body kept in [`Error::body`] is the *server's* answer.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    error_type: Option<String>,
    code: Option<String>,
    param: Option<String>,
    request_id: Option<String>,
    idempotency_key: Option<String>,
    body: Option<String>,
    retryable: bool,
    in_stream: bool,
    retry_after: Option<std::time::Duration>,
}

impl Error {
    /// A bare error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::from_inner(Inner {
            kind,
            message: message.into(),
            status: None,
            error_type: None,
            code: None,
            param: None,
            request_id: None,
            idempotency_key: None,
            body: None,
            retryable: false,
            in_stream: false,
            retry_after: None,
        })
    }

    fn from_inner(inner: Inner) -> Self {
        Self { inner: Box::new(inner) }
    }

    /// A client-side validation failure naming the offending argument.
    pub fn invalid_argument(param: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorKind::InvalidArgument, message);
        e.inner.param = Some(param.to_string());
        e
    }

    /// Builds an API error from a status and the raw response body (JSON envelope or not).
    pub fn from_response(status: u16, body: &[u8], request_id: Option<String>) -> Self {
        let text = String::from_utf8_lossy(body).into_owned();
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let err_obj = parsed.as_ref().and_then(|v| v.get("error")).filter(|e| e.is_object());
        let field = |k: &str| err_obj.and_then(|e| e.get(k)).and_then(|v| v.as_str()).map(str::to_string);
        let error_type = field("type");
        let message = field("message").unwrap_or_else(|| {
            if text.trim().is_empty() {
                format!("HTTP {status} with an empty body")
            } else {
                // Non-JSON bodies (a proxy's HTML page) are summarised; the full text stays in `body`.
                let snippet: String = text.chars().take(200).collect();
                format!("HTTP {status}: {}", snippet.trim())
            }
        });
        let request_id = request_id
            .or_else(|| parsed.as_ref().and_then(|v| v.get("request_id")).and_then(|v| v.as_str()).map(str::to_string));
        let kind = ErrorKind::from_status(status, error_type.as_deref());
        Self::from_inner(Inner {
            kind,
            message,
            status: Some(status),
            error_type,
            code: field("code"),
            param: field("param"),
            request_id,
            idempotency_key: None,
            body: Some(text),
            retryable: false,
            in_stream: false,
            retry_after: None,
        })
    }

    /// Builds an error from an in-stream `error` frame's data (an error envelope).
    pub fn from_stream_error(data: &[u8]) -> Self {
        let v: serde_json::Value = serde_json::from_slice(data).unwrap_or(serde_json::Value::Null);
        let err = v.get("error").cloned().unwrap_or_else(|| v.clone());
        let s = |k: &str| err.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let error_type = s("type");
        let kind = error_type.as_deref().map(ErrorKind::from_error_type).unwrap_or(ErrorKind::OtherStatus);
        let mut e = Self::new(kind, s("message").unwrap_or_else(|| "the stream reported an error".to_string()));
        e.inner.error_type = error_type;
        e.inner.code = s("code");
        e.inner.param = s("param");
        e.inner.request_id = v.get("request_id").and_then(|x| x.as_str()).map(str::to_string);
        e.inner.body = Some(String::from_utf8_lossy(data).into_owned());
        e.inner.retryable = matches!(kind, ErrorKind::Overloaded | ErrorKind::RateLimit | ErrorKind::InternalServer);
        e.inner.in_stream = true;
        e
    }

    /// A decode failure, keeping the offending body.
    pub fn decode(message: impl Into<String>, body: &[u8], status: Option<u16>) -> Self {
        let mut e = Self::new(ErrorKind::Decode, message);
        e.inner.body = Some(String::from_utf8_lossy(body).into_owned());
        e.inner.status = status;
        e
    }

    pub(crate) fn append_message(&mut self, s: &str) {
        self.inner.message.push_str(s);
    }
    pub(crate) fn prepend_message(&mut self, s: &str) {
        self.inner.message.insert_str(0, s);
    }
    /// Adds what is known of a response to a transport error (a body cut after the headers).
    pub(crate) fn with_response_parts(mut self, status: u16, request_id: Option<String>, partial: &[u8]) -> Self {
        self.inner.status = Some(status);
        self.inner.request_id = request_id;
        self.inner.body = Some(String::from_utf8_lossy(partial).into_owned());
        self
    }
    pub(crate) fn set_param(&mut self, p: &str) {
        self.inner.param = Some(p.to_string());
    }
    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        if self.inner.request_id.is_none() {
            self.inner.request_id = id;
        }
        self
    }
    pub(crate) fn with_idempotency_key(mut self, key: Option<String>) -> Self {
        self.inner.idempotency_key = key;
        self
    }
    pub(crate) fn with_retryable(mut self, r: bool) -> Self {
        self.inner.retryable = r;
        self
    }

    /// The error's class.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// Human-readable message (from the server's envelope for API errors).
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// The envelope's `error.type`, e.g. `"conflict_error"`.
    pub fn error_type(&self) -> Option<&str> {
        self.inner.error_type.as_deref()
    }
    /// The envelope's machine `error.code`, when present.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// The offending parameter: from the envelope's `error.param`, or the argument rejected client-side.
    pub fn param(&self) -> Option<&str> {
        self.inner.param.as_deref()
    }
    /// The server's request id (`x-request-id`), when a response was received.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// The Idempotency-Key the failed call carried, so the caller can retry it safely later.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.inner.idempotency_key.as_deref()
    }
    /// The raw response body (or in-stream error data), when there was one.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }
    /// Whether retrying the same call could succeed (set for transient classes).
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }
    /// Whether this error arrived as an `error` frame inside an SSE stream.
    pub fn is_stream_error(&self) -> bool {
        self.inner.in_stream
    }
    /// The server's `Retry-After` hint, when the call failed without sleeping on it (a hint
    /// above `max_retry_after`, or one that would pass the total deadline).
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.inner.retry_after
    }
    pub(crate) fn with_retry_after(mut self, d: std::time::Duration) -> Self {
        self.inner.retry_after = Some(d);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.inner.status, self.inner.kind) {
            (Some(s), k) if k.is_api() => write!(f, "Error code: {s} - {}", self.inner.message)?,
            _ => write!(f, "{}", self.inner.message)?,
        }
        if let Some(p) = &self.inner.param {
            if self.inner.kind == ErrorKind::InvalidArgument {
                write!(f, " (argument `{p}`)")?;
            }
        }
        if let Some(r) = &self.inner.request_id {
            write!(f, " [request_id: {r}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("status", &self.inner.status)
            .field("error_type", &self.inner.error_type)
            .field("code", &self.inner.code)
            .field("param", &self.inner.param)
            .field("request_id", &self.inner.request_id)
            .field("idempotency_key", &self.inner.idempotency_key)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_envelope() {
        let body = br#"{"type":"error","request_id":"r1","error":{"type":"conflict_error","message":"Version mismatch: expected 2, got 1","param":"version"}}"#;
        let e = Error::from_response(409, body, None);
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(e.request_id(), Some("r1"));
        assert_eq!(e.param(), Some("version"));
        assert_eq!(e.to_string(), "Error code: 409 - Version mismatch: expected 2, got 1 [request_id: r1]");
    }

    #[test]
    fn html_body_is_kept() {
        let e = Error::from_response(502, b"<html><body>Bad gateway</body></html>", Some("x".into()));
        assert_eq!(e.kind(), ErrorKind::InternalServer);
        assert!(e.body().unwrap().contains("Bad gateway"));
        assert!(e.message().starts_with("HTTP 502"));
    }

    #[test]
    fn stream_error_classified() {
        let e = Error::from_stream_error(br#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#);
        assert_eq!(e.kind(), ErrorKind::Overloaded);
        assert!(e.is_retryable());
        assert!(e.is_stream_error());
    }
}

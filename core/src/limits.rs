//! Bounds on what a server can make the client hold or wait for. A hostile or broken server
//! (or a proxy in between) must never grow a client's memory without limit or park a call
//! forever; each bound fails with a typed error that names it.
//!
//! What hyper bounds itself, with fixed values we rely on (hyper 1.x): an HTTP/1.1 response
//! head of at most ≈ 400 KiB and 100 headers, chunk extensions of at most 16 KiB per body and
//! trailers of at most 16 KiB. The limits here sit on top of those and are configurable.

use std::time::Duration;

use crate::config::ClientBuilder;
use crate::error::{Error, ErrorKind, Result};

/// Largest successful response body read into memory (REST calls): 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// Largest error response body kept (error envelopes are small JSON documents): 1 MiB.
pub const DEFAULT_MAX_ERROR_BYTES: usize = 1024 * 1024;
/// Largest response head (all header names and values): 256 KiB.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 256 * 1024;
/// Longest `Retry-After` the client sleeps on before a retry: 60 s.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Longest a stream may go without an event (bytes such as keep-alive comments do not count)
/// before it is treated as stalled and resumed on a new connection: 5 minutes.
pub const DEFAULT_STREAM_STALL_TIMEOUT: Duration = Duration::from_secs(300);

/// The bounds in force for one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// See [`ClientBuilder::max_response_bytes`].
    pub max_response_bytes: usize,
    /// See [`ClientBuilder::max_error_bytes`].
    pub max_error_bytes: usize,
    /// See [`ClientBuilder::max_header_bytes`].
    pub max_header_bytes: usize,
    /// See [`ClientBuilder::max_retry_after`].
    pub max_retry_after: Duration,
    /// See [`ClientBuilder::stream_stall_timeout`].
    pub stream_stall_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_error_bytes: DEFAULT_MAX_ERROR_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            stream_stall_timeout: DEFAULT_STREAM_STALL_TIMEOUT,
        }
    }
}

/// The builder's unset-or-set limits.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LimitOptions {
    max_response_bytes: Option<usize>,
    max_error_bytes: Option<usize>,
    max_header_bytes: Option<usize>,
    max_retry_after: Option<Duration>,
    stream_stall_timeout: Option<Duration>,
}

impl LimitOptions {
    /// The limits in force: set values, else the defaults. Zero sizes are refused (they would
    /// fail every call); a zero `max_retry_after` means "never sleep on a hint".
    pub(crate) fn resolve(&self) -> Result<Limits> {
        let d = Limits::default();
        let size = |name: &str, v: Option<usize>, default: usize| match v {
            Some(0) => Err(Error::invalid_argument(name, format!("{name} must be ≥ 1"))),
            Some(n) => Ok(n),
            None => Ok(default),
        };
        let stall = self.stream_stall_timeout.unwrap_or(d.stream_stall_timeout);
        if stall.is_zero() {
            return Err(Error::invalid_argument("stream_stall_timeout", "stream_stall_timeout must be > 0"));
        }
        Ok(Limits {
            max_response_bytes: size("max_response_bytes", self.max_response_bytes, d.max_response_bytes)?,
            max_error_bytes: size("max_error_bytes", self.max_error_bytes, d.max_error_bytes)?,
            max_header_bytes: size("max_header_bytes", self.max_header_bytes, d.max_header_bytes)?,
            max_retry_after: self.max_retry_after.unwrap_or(d.max_retry_after),
            stream_stall_timeout: stall,
        })
    }
}

impl ClientBuilder {
    /// Largest successful response body read into memory (default 64 MiB). A larger body fails
    /// the call with [`ErrorKind::ResponseTooLarge`] as soon as the limit is crossed, having held
    /// at most this much. Event streams are bounded per event instead (`max_event_bytes`), and
    /// downloads are streamed to the caller.
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.limits.max_response_bytes = Some(n);
        self
    }
    /// Largest error response body kept (default 1 MiB): a longer one is cut there, and the
    /// error (typed by its status) says so.
    pub fn max_error_bytes(mut self, n: usize) -> Self {
        self.limits.max_error_bytes = Some(n);
        self
    }
    /// Largest response head, all header names and values together (default 256 KiB; hyper
    /// refuses HTTP/1.1 heads over ≈ 400 KiB in any case). Over it: [`ErrorKind::ResponseTooLarge`].
    pub fn max_header_bytes(mut self, n: usize) -> Self {
        self.limits.max_header_bytes = Some(n);
        self
    }
    /// Longest `Retry-After` (or `retry-after-ms`) hint the client sleeps on before retrying
    /// (default 60 s). A longer hint is not slept on: the call fails at once with the response's
    /// error, whose `retry_after` carries the hint, so the caller decides when to come back.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.limits.max_retry_after = Some(d);
        self
    }
    /// Longest an event stream may go without an event before it is treated as stalled and
    /// resumed on a new connection (default 5 min). Bytes that carry no event (keep-alive
    /// comments, or a server trickling a byte at a time) do not reset it; the idle timeout
    /// (`stream_idle_timeout`) covers a connection that sends nothing at all.
    pub fn stream_stall_timeout(mut self, d: Duration) -> Self {
        self.limits.stream_stall_timeout = Some(d);
        self
    }
}

/// The error for a response (head or body) over a limit.
pub(crate) fn too_large(what: &str, limit: usize, option: &str) -> Error {
    Error::new(ErrorKind::ResponseTooLarge, format!("the response {what} exceeds {limit} bytes (the {option} limit)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_zero_refused() {
        assert_eq!(LimitOptions::default().resolve().unwrap(), Limits::default());
        let o = LimitOptions { max_response_bytes: Some(0), ..Default::default() };
        assert_eq!(o.resolve().unwrap_err().param(), Some("max_response_bytes"));
        let o = LimitOptions { stream_stall_timeout: Some(Duration::ZERO), ..Default::default() };
        assert_eq!(o.resolve().unwrap_err().kind(), ErrorKind::InvalidArgument);
        let o = LimitOptions { max_retry_after: Some(Duration::ZERO), ..Default::default() };
        assert_eq!(o.resolve().unwrap().max_retry_after, Duration::ZERO);
    }
}

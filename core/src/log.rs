//! Structured log records for requests, retries and stream reconnects.
//!
//! Every record goes to `tracing` (target `qoder_cloud`) and, when one is installed, to a
//! per-client [`Logger`] — that is how the bindings feed Python's `logging` and a JS logger
//! without a tracing subscriber. Records carry method, path, status, attempt and request id,
//! never headers or bodies, so a token or vault secret cannot reach a log line.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Severity of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Per-request detail.
    Debug,
    /// Retries, reconnects.
    Info,
    /// Final failures.
    Warn,
}

impl LogLevel {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
        }
    }
}

/// One log record.
#[derive(Debug, Clone)]
pub struct LogRecord {
    /// Severity.
    pub level: LogLevel,
    /// What happened: `request`, `response`, `retry`, `reconnect`, `error`.
    pub event: &'static str,
    /// HTTP method.
    pub method: String,
    /// Path relative to the base URL (ids included; ids are not secrets).
    pub path: String,
    /// Response status, when one arrived.
    pub status: Option<u16>,
    /// 0 for the first attempt.
    pub attempt: u32,
    /// Server request id, when one arrived.
    pub request_id: Option<String>,
    /// The wait before the next attempt, for retries and reconnects.
    pub delay: Option<Duration>,
    /// A short description (error kind and message for failures).
    pub message: String,
}

impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.event, self.method, self.path)?;
        if let Some(s) = self.status {
            write!(f, " status={s}")?;
        }
        write!(f, " attempt={}", self.attempt)?;
        if let Some(r) = &self.request_id {
            write!(f, " request_id={r}")?;
        }
        if let Some(d) = self.delay {
            write!(f, " delay_ms={}", d.as_millis())?;
        }
        if !self.message.is_empty() {
            write!(f, " {}", self.message)?;
        }
        Ok(())
    }
}

/// A sink for log records, with the minimum level it wants (records below it are not built).
#[derive(Clone)]
pub struct Logger {
    /// Minimum level delivered.
    pub level: LogLevel,
    /// The sink.
    pub sink: Arc<dyn Fn(&LogRecord) + Send + Sync>,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger").field("level", &self.level).finish_non_exhaustive()
    }
}

impl Logger {
    /// A logger delivering records at `level` and above to `sink`.
    pub fn new(level: LogLevel, sink: impl Fn(&LogRecord) + Send + Sync + 'static) -> Self {
        Self { level, sink: Arc::new(sink) }
    }
}

/// Emits `rec` to tracing and to `logger` if it wants that level.
pub(crate) fn emit(logger: Option<&Logger>, rec: LogRecord) {
    match rec.level {
        LogLevel::Debug => tracing::debug!(target: "qoder_cloud", "{rec}"),
        LogLevel::Info => tracing::info!(target: "qoder_cloud", "{rec}"),
        LogLevel::Warn => tracing::warn!(target: "qoder_cloud", "{rec}"),
    }
    if let Some(l) = logger {
        if rec.level >= l.level {
            (l.sink)(&rec);
        }
    }
}

/// Whether anything would consume a record at `level` (avoids building records needlessly).
pub(crate) fn enabled(logger: Option<&Logger>, level: LogLevel) -> bool {
    logger.is_some_and(|l| level >= l.level)
        || match level {
            LogLevel::Debug => tracing::enabled!(target: "qoder_cloud", tracing::Level::DEBUG),
            LogLevel::Info => tracing::enabled!(target: "qoder_cloud", tracing::Level::INFO),
            LogLevel::Warn => tracing::enabled!(target: "qoder_cloud", tracing::Level::WARN),
        }
}

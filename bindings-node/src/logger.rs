//! Bridges core log records to a JS function through a *weak* threadsafe function: records are
//! delivered on the JS thread, and the logger never keeps the process alive.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use qoder_cloud::log::{LogLevel, LogRecord, Logger};
use serde_json::json;

type Sink = ThreadsafeFunction<String, (), String, Status, false, true>;

/// Parses `debug` / `info` / `warn` / `error` (error records are warn-level in the core).
pub(crate) fn parse_level(s: &str) -> Option<LogLevel> {
    match s.trim().to_ascii_lowercase().as_str() {
        "debug" | "trace" => Some(LogLevel::Debug),
        "info" => Some(LogLevel::Info),
        "warn" | "warning" | "error" => Some(LogLevel::Warn),
        _ => None,
    }
}

/// A core logger forwarding each record as a JSON string to `f`.
pub(crate) fn make(level: LogLevel, f: Function<'_, String, ()>) -> Result<Logger> {
    let tsfn: Sink = f.build_threadsafe_function::<String>().weak::<true>().build()?;
    let tsfn = Arc::new(tsfn);
    Ok(Logger::new(level, move |rec: &LogRecord| {
        // Records carry method, path, status, attempt and request id: never headers or bodies.
        let j = json!({
            "level": rec.level.as_str(),
            "event": rec.event,
            "method": rec.method,
            "path": rec.path,
            "status": rec.status,
            "attempt": rec.attempt,
            "request_id": rec.request_id,
            "delay_ms": rec.delay.map(|d| d.as_millis() as u64),
            "message": rec.message,
            "text": rec.to_string(),
        });
        let _ = tsfn.call(j.to_string(), ThreadsafeFunctionCallMode::NonBlocking);
    }))
}

//! Core log records → `logging.getLogger("qoder_cloud")`.
//!
//! Records are produced on runtime threads, in the middle of a request. Taking the GIL there
//! would stall the request behind whatever Python is running, so the core's sink only queues the
//! record (when the Python logger wants its level); the queue is drained into `logging` by the
//! calling Python thread as each call completes (and on every slow stream step), so a call's
//! records are emitted before the call returns. Records carry method, path, status, attempt and
//! request id — never headers or bodies, so no token can reach a log line.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use qoder_cloud::log::{LogLevel, LogRecord, Logger};

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static QUEUE: Mutex<VecDeque<LogRecord>> = Mutex::new(VecDeque::new());
/// Lowest core level the Python logger accepts: 0 debug, 1 info, 2 warn, 3 none.
static MIN_LEVEL: AtomicU8 = AtomicU8::new(2);
const MAX_QUEUED: usize = 10_000;

fn rank(l: LogLevel) -> u8 {
    match l {
        LogLevel::Debug => 0,
        LogLevel::Info => 1,
        LogLevel::Warn => 2,
    }
}

fn py_level(l: LogLevel) -> i32 {
    match l {
        LogLevel::Debug => 10,
        LogLevel::Info => 20,
        LogLevel::Warn => 30,
    }
}

pub fn configure(py: Python<'_>, logger: Bound<'_, PyAny>) -> PyResult<()> {
    let _ = LOGGER.set(py, logger.unbind());
    refresh_level(py);
    Ok(())
}

/// Re-reads the Python logger's effective level (cheap: `logging` caches it).
pub fn refresh_level(py: Python<'_>) {
    let Some(l) = LOGGER.get(py) else { return };
    let lvl: i32 =
        l.bind(py).call_method0(pyo3::intern!(py, "getEffectiveLevel")).and_then(|v| v.extract()).unwrap_or(30);
    let min = match lvl {
        i32::MIN..=10 => 0,
        11..=20 => 1,
        21..=30 => 2,
        _ => 3,
    };
    MIN_LEVEL.store(min, Ordering::Relaxed);
}

/// The core logger every client installs.
pub fn core_logger() -> Logger {
    Logger::new(LogLevel::Debug, |rec: &LogRecord| {
        if rank(rec.level) < MIN_LEVEL.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(mut q) = QUEUE.lock() {
            if q.len() >= MAX_QUEUED {
                q.pop_front();
            }
            q.push_back(rec.clone());
        }
    })
}

/// Emits every queued record into Python `logging` (caller holds the GIL).
pub fn drain(py: Python<'_>) {
    let records: Vec<LogRecord> = match QUEUE.lock() {
        Ok(mut q) if !q.is_empty() => q.drain(..).collect(),
        _ => return,
    };
    let Some(logger) = LOGGER.get(py) else { return };
    let logger = logger.bind(py);
    for rec in records {
        let _ = emit(py, logger, &rec);
    }
    refresh_level(py);
}

fn emit(py: Python<'_>, logger: &Bound<'_, PyAny>, rec: &LogRecord) -> PyResult<()> {
    let extra = PyDict::new(py);
    extra.set_item("qoder_event", rec.event)?;
    extra.set_item("http_method", &rec.method)?;
    extra.set_item("path", &rec.path)?;
    extra.set_item("status_code", rec.status)?;
    extra.set_item("attempt", rec.attempt)?;
    extra.set_item("request_id", rec.request_id.as_deref())?;
    extra.set_item("delay", rec.delay.map(|d| d.as_secs_f64()))?;
    let kw = PyDict::new(py);
    kw.set_item("extra", extra)?;
    logger.call_method("log", (py_level(rec.level), "%s", rec.to_string()), Some(&kw))?;
    Ok(())
}

/// Emits queued log records now (records are otherwise emitted as each call completes).
#[pyfunction]
pub fn _flush_logs(py: Python<'_>) {
    drain(py);
}

//! Core errors → the Python exception hierarchy defined in `qoder_cloud/_exceptions.py`.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use qoder_cloud::{Error, ErrorKind};

static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

pub fn configure(py: Python<'_>, classes: Bound<'_, PyDict>) -> PyResult<()> {
    let _ = CLASSES.set(py, classes.unbind());
    Ok(())
}

fn class<'py>(py: Python<'py>, name: &str) -> Option<Bound<'py, PyAny>> {
    CLASSES.get(py).and_then(|d| d.bind(py).get_item(name).ok().flatten())
}

/// Builds the Python exception for a core error, with its attributes set.
pub fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    match build(py, e) {
        Ok(err) => err,
        Err(err) => err,
    }
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    // The class comes from the one table (core/errors.json); an in-stream error's class is
    // combined with APIStreamError by `_exceptions._in_stream`.
    let Some(mut cls) = class(py, e.class_name()).or_else(|| class(py, "QoderError")) else {
        // Not configured (the native module used on its own).
        return Ok(if e.kind() == ErrorKind::InvalidArgument {
            PyValueError::new_err(e.to_string())
        } else {
            PyRuntimeError::new_err(e.to_string())
        });
    };
    if e.is_stream_error() {
        if let Some(combine) = class(py, "__in_stream__") {
            cls = combine.call1((cls,))?;
        }
    }
    let kw = PyDict::new(py);
    kw.set_item("kind", e.kind().as_str())?;
    kw.set_item("status_code", e.status())?;
    kw.set_item("type", e.error_type())?;
    kw.set_item("code", e.code())?;
    kw.set_item("param", e.param())?;
    kw.set_item("request_id", e.request_id())?;
    kw.set_item("idempotency_key", e.idempotency_key())?;
    kw.set_item("retryable", e.is_retryable())?;
    kw.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
    kw.set_item("server_message", e.message())?;
    let body = match e.body() {
        None => py.None().into_bound(py),
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() || v.is_array() => crate::pyjson::to_plain(py, &v)?,
            _ => text.into_pyobject(py)?.into_any(),
        },
    };
    kw.set_item("body", body)?;
    let exc = cls.call((e.to_string(),), Some(&kw))?;
    Ok(PyErr::from_value(exc))
}

/// An argument rejected by the binding itself (same class as the core's argument errors).
pub fn invalid_argument(py: Python<'_>, param: &str, message: impl Into<String>) -> PyErr {
    to_pyerr(py, &Error::invalid_argument(param, message))
}

/// A Rust panic, surfaced as `QoderError` (never as a `BaseException`).
pub fn panic_error(py: Python<'_>, msg: &str) -> PyErr {
    let text = format!("internal error in qoder_cloud (Rust panic): {msg}");
    match class(py, "QoderError") {
        Some(cls) => match cls.call1((text.clone(),)) {
            Ok(exc) => PyErr::from_value(exc),
            Err(e) => e,
        },
        None => PyRuntimeError::new_err(text),
    }
}

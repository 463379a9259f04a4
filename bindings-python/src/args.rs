//! Keyword arguments → the core's arguments and request/stream options (shared by every call).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use qoder_cloud::operations::Operation;
use qoder_cloud::options::Casing;
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::RequestOptions;
use serde_json::Value;

use crate::convert::to_value;
use crate::errors::{invalid_argument, to_pyerr};

/// A str (a path or PEM text), an `os.PathLike` (a path) or bytes (PEM text), as text; the core
/// decides path or PEM (`CaSource::from_text`), so bytes must hold a `-----BEGIN` line.
pub(crate) fn pem_text(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = v.extract::<String>() {
        return Ok(s);
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return String::from_utf8(b.as_bytes().to_vec())
            .ok()
            .filter(|s| s.contains("-----BEGIN "))
            .ok_or_else(|| PyValueError::new_err("bytes must be PEM text (with a -----BEGIN line)"));
    }
    let path = v.py().import("os")?.getattr("fspath")?.call1((v,))?;
    path.extract::<String>()
}

/// Keyword arguments split into the operation's arguments and the request options.
pub struct Split {
    pub args: Value,
    pub opts: RequestOptions,
    pub stream: StreamOptions,
}

/// Splits keyword arguments with the core's option table
/// ([`qoder_cloud::options::take_call_options`]).
pub fn split(py: Python<'_>, kwargs: &Bound<'_, PyDict>, is_stream: bool) -> PyResult<Split> {
    let Value::Object(mut args) = to_value(kwargs.as_any(), "")? else { unreachable!("a dict") };
    let (opts, stream) =
        qoder_cloud::options::take_call_options(Casing::Snake, &mut args, is_stream).map_err(|e| to_pyerr(py, &e))?;
    Ok(Split { args: Value::Object(args), opts, stream })
}

pub(crate) fn find_op(py: Python<'_>, name: &str) -> PyResult<&'static Operation> {
    qoder_cloud::operations::find(name)
        .ok_or_else(|| invalid_argument(py, "operation", format!("unknown operation {name:?}")))
}

pub(crate) fn list_op(py: Python<'_>, name: &str) -> PyResult<&'static Operation> {
    let op = find_op(py, name)?;
    if !op.is_paginated() {
        return Err(invalid_argument(py, "operation", format!("{name} is not a list operation")));
    }
    Ok(op)
}

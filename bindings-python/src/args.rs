//! Keyword arguments → the core's arguments and request/stream options (shared by every call).

use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString};
use qoder_cloud::operations::Operation;
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::RequestOptions;
use serde_json::{Map, Value};

use crate::convert::to_value;
use crate::errors::invalid_argument;

/// Per-call option names taken out of the keyword arguments.
const CALL_OPTIONS: &[&str] = &[
    "timeout",
    "max_retries",
    "idempotency_key",
    "extra_headers",
    "extra_query",
    "extra_body",
    "total_timeout",
];
/// Stream option names taken out of the keyword arguments of stream operations.
const STREAM_OPTIONS: &[&str] = &[
    "last_event_id",
    "event_deltas",
    "resume",
    "idle_timeout",
    "max_reconnect_attempts",
];

pub(crate) fn seconds(py: Python<'_>, name: &str, v: &Bound<'_, PyAny>) -> PyResult<Option<Duration>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<PyBool>() {
        return Err(invalid_argument(
            py,
            name,
            format!("{name}: expected seconds (a number), got a bool"),
        ));
    }
    let secs: f64 = v
        .extract()
        .map_err(|_| invalid_argument(py, name, format!("{name}: expected seconds (a number)")))?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(invalid_argument(
            py,
            name,
            format!("{name}: must be a finite number of seconds ≥ 0, got {secs}"),
        ));
    }
    Ok(Some(Duration::from_secs_f64(secs)))
}

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

pub(crate) fn count(py: Python<'_>, name: &str, v: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<PyBool>() {
        return Err(invalid_argument(
            py,
            name,
            format!("{name}: expected an integer ≥ 0, got a bool"),
        ));
    }
    v.extract::<u32>()
        .map(Some)
        .map_err(|_| invalid_argument(py, name, format!("{name}: expected an integer ≥ 0")))
}

pub(crate) fn string_pairs(
    py: Python<'_>,
    name: &str,
    v: &Bound<'_, PyAny>,
    out: &mut Vec<(String, String)>,
) -> PyResult<()> {
    if v.is_none() {
        return Ok(());
    }
    let d = v
        .cast::<PyDict>()
        .map_err(|_| invalid_argument(py, name, format!("{name}: expected a dict")))?;
    for (k, x) in d.iter() {
        let key: String = k
            .extract()
            .map_err(|_| invalid_argument(py, name, format!("{name}: keys must be str")))?;
        let push = |out: &mut Vec<(String, String)>, x: &Bound<'_, PyAny>| -> PyResult<()> {
            match to_value(x, &format!("{name}.{key}"))? {
                Value::Null => {}
                Value::String(s) => out.push((key.clone(), s)),
                Value::Bool(b) => out.push((key.clone(), b.to_string())),
                Value::Number(n) => out.push((key.clone(), n.to_string())),
                _ => {
                    return Err(invalid_argument(
                        py,
                        name,
                        format!("{name}.{key}: expected a string, number or bool"),
                    ))
                }
            }
            Ok(())
        };
        if name == "extra_query" {
            if let Ok(l) = x.cast::<PyList>() {
                for item in l.iter() {
                    push(out, &item)?;
                }
                continue;
            }
        }
        push(out, &x)?;
    }
    Ok(())
}

/// Keyword arguments split into the operation's arguments and the request options.
pub struct Split {
    pub args: Value,
    pub opts: RequestOptions,
    pub stream: StreamOptions,
}

pub fn split(py: Python<'_>, kwargs: &Bound<'_, PyDict>, is_stream: bool) -> PyResult<Split> {
    let mut args = Map::with_capacity(kwargs.len());
    let mut opts = RequestOptions::default();
    let mut stream = StreamOptions::default();
    for (k, v) in kwargs.iter() {
        let key = k.cast::<PyString>()?.to_str()?;
        if CALL_OPTIONS.contains(&key) {
            match key {
                "timeout" => opts.timeout = seconds(py, key, &v)?,
                "total_timeout" => opts.total_deadline = seconds(py, key, &v)?,
                "max_retries" => opts.max_retries = count(py, key, &v)?,
                "idempotency_key" => {
                    if !v.is_none() {
                        // Its rules are the core's (checked when the call is made).
                        let s: String = v.extract().map_err(|_| {
                            invalid_argument(py, key, "idempotency_key: expected a str")
                        })?;
                        opts.idempotency_key = Some(s);
                    }
                }
                "extra_headers" => string_pairs(py, key, &v, &mut opts.extra_headers)?,
                "extra_query" => string_pairs(py, key, &v, &mut opts.extra_query)?,
                "extra_body" => {
                    if !v.is_none() {
                        match to_value(&v, key)? {
                            Value::Object(m) => opts.extra_body = Some(m),
                            _ => {
                                return Err(invalid_argument(
                                    py,
                                    key,
                                    "extra_body: expected a dict",
                                ))
                            }
                        }
                    }
                }
                _ => unreachable!(),
            }
            continue;
        }
        if is_stream && STREAM_OPTIONS.contains(&key) {
            match key {
                "last_event_id" => {
                    if !v.is_none() {
                        stream.last_event_id = Some(v.extract().map_err(|_| {
                            invalid_argument(py, key, "last_event_id: expected a str")
                        })?);
                    }
                }
                "event_deltas" => {
                    if !v.is_none() {
                        if v.is_instance_of::<PyString>() {
                            stream.event_deltas = vec![v.extract()?];
                        } else {
                            stream.event_deltas = v.extract().map_err(|_| {
                                invalid_argument(py, key, "event_deltas: expected a list of str")
                            })?;
                        }
                    }
                }
                "resume" => {
                    stream.resume = v
                        .extract()
                        .map_err(|_| invalid_argument(py, key, "resume: expected a bool"))?;
                }
                "idle_timeout" => stream.idle_timeout = seconds(py, key, &v)?,
                "max_reconnect_attempts" => {
                    if let Some(n) = count(py, key, &v)? {
                        stream.max_reconnect_attempts = n;
                    }
                }
                _ => unreachable!(),
            }
            continue;
        }
        args.insert(key.to_string(), to_value(&v, key)?);
    }
    Ok(Split {
        args: Value::Object(args),
        opts,
        stream,
    })
}

pub(crate) fn find_op(py: Python<'_>, name: &str) -> PyResult<&'static Operation> {
    qoder_cloud::operations::find(name)
        .ok_or_else(|| invalid_argument(py, "operation", format!("unknown operation {name:?}")))
}

pub(crate) fn list_op(py: Python<'_>, name: &str) -> PyResult<&'static Operation> {
    let op = find_op(py, name)?;
    if !op.is_paginated() {
        return Err(invalid_argument(
            py,
            "operation",
            format!("{name} is not a list operation"),
        ));
    }
    Ok(op)
}

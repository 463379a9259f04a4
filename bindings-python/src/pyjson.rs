//! JSON → plain Python objects (results, error bodies) and JSON text, done in Rust.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};
use serde_json::{Map, Number, Value};

/// A JSON value as plain Python objects (dict / list / str / int / float / bool / None).
pub fn to_plain<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => number(py, n)?,
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(xs) => {
            let l = PyList::empty(py);
            for x in xs {
                l.append(to_plain(py, x)?)?;
            }
            l.into_any()
        }
        Value::Object(m) => dict_of(py, m)?.into_any(),
    })
}

/// A JSON object as a plain dict.
pub fn dict_of<'py>(py: Python<'py>, m: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, x) in m {
        d.set_item(PyString::new(py, k), to_plain(py, x)?)?;
    }
    Ok(d)
}

/// A JSON number as a Python int (when it is one) or float.
pub fn number<'py>(py: Python<'py>, n: &Number) -> PyResult<Bound<'py, PyAny>> {
    Ok(if let Some(i) = n.as_i64() {
        i.into_pyobject(py)?.into_any()
    } else if let Some(u) = n.as_u64() {
        u.into_pyobject(py)?.into_any()
    } else {
        PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
    })
}

/// Serializes JSON with `indent` spaces (compact when `None`).
pub fn json_text(v: &Value, indent: Option<usize>) -> String {
    match indent {
        None => serde_json::to_string(v).unwrap_or_default(),
        Some(n) => {
            let pad = vec![b' '; n];
            let mut buf = Vec::new();
            let fmt = serde_json::ser::PrettyFormatter::with_indent(&pad);
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            if serde::Serialize::serialize(v, &mut ser).is_err() {
                return String::new();
            }
            String::from_utf8(buf).unwrap_or_default()
        }
    }
}

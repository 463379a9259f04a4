//! JSON → plain Python objects (results, error bodies) and JSON text, done in Rust. The other
//! direction is `convert`, hand-written because pythonize's would turn a NaN into `null`
//! silently, name no argument in its errors, and not take datetimes, enums or result objects.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

/// A JSON value as plain Python objects (dict / list / str / int / float / bool / None), by
/// pythonize (serde): object keys keep their order, integers stay `int`.
pub fn to_plain<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, v).map_err(PyErr::from)
}

/// A JSON object as a plain dict.
pub fn dict_of<'py>(py: Python<'py>, m: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    Ok(pythonize::pythonize(py, m).map_err(PyErr::from)?.cast_into::<PyDict>()?)
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

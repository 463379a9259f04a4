//! Python values → JSON (arguments and request bodies), done in Rust (no `json` module round
//! trip). The other direction is `pyjson`.

use std::sync::OnceLock;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// How a result object (the native `Model`) becomes JSON, registered by `model` at start-up:
/// this module does not know that class, so the two form no loop.
static MODEL_JSON: OnceLock<ModelJson> = OnceLock::new();

/// A result object's JSON, `None` for anything else.
pub type ModelJson = fn(&Bound<'_, PyAny>) -> Option<Value>;

/// Registers [`MODEL_JSON`].
pub fn set_model_json(f: ModelJson) {
    let _ = MODEL_JSON.set(f);
}

fn type_error(path: &str, what: String) -> PyErr {
    if path.is_empty() {
        PyTypeError::new_err(what)
    } else {
        PyTypeError::new_err(format!("argument `{path}`: {what}"))
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The UTF-8 text of a Python `str`; a lone surrogate (not valid Unicode) is an
/// `InvalidArgumentError` naming the top-level argument, never a bare `UnicodeEncodeError`.
fn utf8<'a>(py: Python<'_>, s: &'a Bound<'_, PyString>, path: &str) -> PyResult<&'a str> {
    s.to_str().map_err(|_| {
        let top = path.split(['.', '[']).next().filter(|t| !t.is_empty()).unwrap_or("arguments");
        crate::errors::invalid_argument(py, top, format!("{path}: contains a lone surrogate (not valid Unicode)"))
    })
}

/// Converts a Python value to JSON. `path` names the argument in error messages
/// (e.g. `events[0].content`).
///
/// Accepted: `None`, `bool`, `int`, `float` (finite), `str`, `dict`/mappings with `str` keys,
/// `list`/`tuple`, SDK model objects (sent as their JSON), `datetime`/`date` (ISO-8601) and
/// `enum.Enum` members (their value).
pub fn to_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(utf8(obj.py(), s, path)?.to_owned()));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(type_error(path, "integer out of the 64-bit range".into()));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| type_error(path, format!("{x} is not a finite number")));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let ks = k
                .cast::<PyString>()
                .map_err(|_| type_error(path, format!("dict keys must be str, got {}", type_name(&k))))?;
            let key = utf8(obj.py(), ks, path)?.to_owned();
            let sub = join(path, &key);
            m.insert(key, to_value(&v, &sub)?);
        }
        return Ok(Value::Object(m));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for (i, x) in l.iter().enumerate() {
            out.push(to_value(&x, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for (i, x) in t.iter().enumerate() {
            out.push(to_value(&x, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    if let Some(v) = MODEL_JSON.get().and_then(|f| f(obj)) {
        return Ok(v);
    }
    let py = obj.py();
    // datetime / date / time: ISO-8601 text, as the API expects.
    if obj.hasattr(pyo3::intern!(py, "isoformat"))? && !obj.is_callable() {
        let s = obj.call_method0(pyo3::intern!(py, "isoformat"))?;
        return to_value(&s, path);
    }
    let enum_cls = py.import("enum")?.getattr("Enum")?;
    if obj.is_instance(&enum_cls)? {
        return to_value(&obj.getattr("value")?, path);
    }
    // Other mappings (MappingProxy, TypedDict instances are plain dicts already).
    let abc = py.import("collections.abc")?;
    if obj.is_instance(&abc.getattr("Mapping")?)? {
        let d = PyDict::new(py);
        d.update(obj.cast()?)?;
        return to_value(d.as_any(), path);
    }
    Err(type_error(path, format!("cannot send a {} as JSON", type_name(obj))))
}

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

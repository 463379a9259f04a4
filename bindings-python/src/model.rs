//! Result objects: [`Model`] (attribute access over the JSON the server sent), [`Event`]
//! (stream and list events, with `type` and `id` precomputed and everything else converted on
//! first access) and [`Ready`] (an already-completed awaitable for the stream hot path).

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use bytes::Bytes;
use pyo3::exceptions::{PyAttributeError, PyKeyError, PyStopIteration, PyTypeError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyType};
use serde_json::{Map, Value};

use crate::convert::to_value;
use crate::pyjson::{json_text, to_plain};

/// `type` value → model class, and the fields whose objects stay plain dicts.
struct Registry {
    classes: Py<PyDict>,
    plain: HashSet<String>,
}

static REGISTRY: PyOnceLock<Registry> = PyOnceLock::new();

pub fn configure(py: Python<'_>, classes: Bound<'_, PyDict>, plain: Vec<String>) -> PyResult<()> {
    let _ = REGISTRY.set(py, Registry { classes: classes.unbind(), plain: plain.into_iter().collect() });
    Ok(())
}

/// A class registered under `key` in the model registry.
pub fn registered_class<'py>(py: Python<'py>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match REGISTRY.get(py) {
        Some(r) => r.classes.bind(py).get_item(key),
        None => Ok(None),
    }
}

fn is_plain_field(py: Python<'_>, key: &str) -> bool {
    match REGISTRY.get(py) {
        Some(r) => r.plain.contains(key),
        None => key == "metadata",
    }
}

enum Source {
    Value(Value),
    /// Raw JSON as received (events); parsed on first access.
    Raw(Bytes, OnceLock<Value>),
}

/// Response metadata carried by top-level results.
#[derive(Default, Clone)]
pub struct Meta {
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

impl From<&qoder_cloud::ResponseMeta> for Meta {
    fn from(m: &qoder_cloud::ResponseMeta) -> Self {
        Self { request_id: m.request_id.clone(), idempotency_key: m.idempotency_key.clone() }
    }
}

/// An API object. Fields are attributes (`agent.name`), nested objects are models too
/// (`session.agent.id`), lists are lists; `metadata` and similar free-form maps are dicts.
/// Unknown fields are reachable the same way; `obj["field"]` also works.
#[pyclass(subclass, frozen, module = "qoder_cloud._native", name = "Model")]
pub struct Model {
    src: Source,
    cache: OnceLock<Py<PyDict>>,
    meta: Meta,
}

static EMPTY: OnceLock<Value> = OnceLock::new();

impl Model {
    pub fn from_value(v: Value, meta: Meta) -> Self {
        Self { src: Source::Value(v), cache: OnceLock::new(), meta }
    }

    pub fn from_raw(b: Bytes) -> Self {
        Self { src: Source::Raw(b, OnceLock::new()), cache: OnceLock::new(), meta: Meta::default() }
    }

    /// The JSON (parsed on first use for raw events; an unparsable event reads as `{}`).
    pub fn value(&self) -> &Value {
        match &self.src {
            Source::Value(v) => v,
            Source::Raw(b, parsed) => {
                parsed.get_or_init(|| serde_json::from_slice(b).unwrap_or_else(|_| Value::Object(Map::new())))
            }
        }
    }

    fn object(&self) -> &Map<String, Value> {
        match self.value() {
            Value::Object(m) => m,
            _ => match EMPTY.get_or_init(|| Value::Object(Map::new())) {
                Value::Object(m) => m,
                _ => unreachable!(),
            },
        }
    }

    fn cache<'py>(&self, py: Python<'py>) -> &Bound<'py, PyDict> {
        self.cache.get_or_init(|| PyDict::new(py).unbind()).bind(py)
    }

    /// The Python value of field `key` (cached so repeated access returns the same object).
    fn field<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let cache = self.cache(py);
        if let Some(v) = cache.get_item(key)? {
            return Ok(Some(v));
        }
        let Some(v) = self.object().get(key) else {
            return Ok(None);
        };
        let out = wrap(py, key, v)?;
        cache.set_item(key, &out)?;
        Ok(Some(out))
    }
}

/// A field value for attribute access: objects become models (except free-form maps).
fn wrap<'py>(py: Python<'py>, key: &str, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Value::Object(_) if is_plain_field(py, key) => to_plain(py, v),
        Value::Object(_) => Ok(Bound::new(py, Model::from_value(v.clone(), Meta::default()))?.into_any()),
        Value::Array(xs) => {
            let l = PyList::empty(py);
            for x in xs {
                l.append(wrap(py, key, x)?)?;
            }
            Ok(l.into_any())
        }
        other => to_plain(py, other),
    }
}

/// The JSON of a result object (for `convert::to_value`), `None` for anything else.
pub fn json_of(obj: &Bound<'_, PyAny>) -> Option<Value> {
    obj.cast::<Model>().ok().map(|m| m.get().value().clone())
}

/// Carries a prepared [`Model`] into a Python subclass's constructor (`cls(payload)`).
#[pyclass(frozen, module = "qoder_cloud._native", name = "_Payload")]
pub struct Payload {
    inner: Mutex<Option<Model>>,
}

/// Builds the result object for `v`: an instance of `cls` when given, else of the class the
/// registry maps `v["type"]` to, else a plain [`Model`].
pub fn make_model<'py>(
    py: Python<'py>,
    v: Value,
    meta: Meta,
    cls: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let registered;
    let cls = match cls {
        Some(c) if !c.is_none() => Some(c),
        _ => {
            registered = match (REGISTRY.get(py), v.get("type").and_then(Value::as_str)) {
                (Some(r), Some(t)) => r.classes.bind(py).get_item(t)?,
                _ => None,
            };
            registered.as_ref()
        }
    };
    let Some(cls) = cls else {
        return Ok(Bound::new(py, Model::from_value(v, meta))?.into_any());
    };
    if cls.is(py.get_type::<Model>().as_any()) {
        return Ok(Bound::new(py, Model::from_value(v, meta))?.into_any());
    }
    if cls.is(py.get_type::<Event>().as_any()) {
        return event_from_value(py, v, meta);
    }
    let payload = Bound::new(py, Payload { inner: Mutex::new(Some(Model::from_value(v, meta))) })?;
    cls.call1((payload,))
}

fn class_name(slf: &Bound<'_, PyAny>) -> String {
    slf.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "Model".into())
}

#[pymethods]
impl Model {
    /// `Model({"id": ...})` or `Model(id=...)`: builds an object from plain data (handy in tests).
    #[new]
    #[pyo3(signature = (data=None, /, **fields))]
    fn new(data: Option<&Bound<'_, PyAny>>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        if let Some(d) = data {
            if let Ok(p) = d.cast::<Payload>() {
                if let Some(m) = p.get().inner.lock().ok().and_then(|mut g| g.take()) {
                    return Ok(m);
                }
            }
        }
        let mut map = match data {
            None => Map::new(),
            Some(d) => match to_value(d, "data")? {
                Value::Object(m) => m,
                _ => return Err(PyTypeError::new_err("Model(data): data must be a mapping")),
            },
        };
        if let Some(f) = fields {
            for (k, v) in f.iter() {
                let key: String = k.extract()?;
                let val = to_value(&v, &key)?;
                map.insert(key, val);
            }
        }
        Ok(Self::from_value(Value::Object(map), Meta::default()))
    }

    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        if !name.starts_with('_') {
            if let Some(v) = self.field(py, name)? {
                return Ok(v);
            }
        }
        Err(PyAttributeError::new_err(name.to_string()))
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.field(py, key)?.ok_or_else(|| PyKeyError::new_err(key.to_string()))
    }

    fn __contains__(&self, key: &str) -> bool {
        self.object().contains_key(key)
    }

    fn __dir__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let base = py.get_type::<pyo3::types::PyAny>().call_method1("__dir__", (slf,))?;
        let l = PyList::empty(py);
        for x in base.try_iter()? {
            l.append(x?)?;
        }
        for k in slf.get().object().keys() {
            l.append(k)?;
        }
        Ok(l)
    }

    fn __richcmp__<'py>(&self, py: Python<'py>, other: &Bound<'py, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let other_value = if let Ok(m) = other.cast::<Model>() {
            m.get().value().clone()
        } else if other.cast::<PyDict>().is_ok() {
            match to_value(other, "") {
                Ok(v) => v,
                Err(_) => return Ok(py.NotImplemented()),
            }
        } else {
            return Ok(py.NotImplemented());
        };
        let eq = *self.value() == other_value;
        match op {
            CompareOp::Eq => Ok(eq.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!eq).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let mut s = class_name(slf.as_any());
        s.push('(');
        for (i, (k, v)) in slf.get().object().iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let shown = if qoder_cloud::models::is_secret(k) && !v.is_null() {
                Value::String("***".into())
            } else {
                qoder_cloud::models::redacted(v)
            };
            s.push_str(k);
            s.push('=');
            s.push_str(&to_plain(py, &shown)?.repr()?.to_string());
        }
        s.push(')');
        Ok(s)
    }

    /// The object as plain Python data (a fresh dict: mutate it freely). The keyword arguments
    /// of the official SDK's `to_dict` are accepted; the data is always what the server sent.
    #[pyo3(signature = (*, mode = None, use_api_names = None, exclude_unset = None))]
    fn to_dict<'py>(
        &self,
        py: Python<'py>,
        mode: Option<&Bound<'py, PyAny>>,
        use_api_names: Option<&Bound<'py, PyAny>>,
        exclude_unset: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = (mode, use_api_names, exclude_unset);
        to_plain(py, self.value())
    }

    /// Alias of `to_dict()` (pydantic spelling).
    fn model_dump<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_plain(py, self.value())
    }

    /// The object as JSON text (`indent=None` for compact output).
    #[pyo3(signature = (*, indent = Some(2), use_api_names = None, exclude_unset = None))]
    fn to_json(
        &self,
        indent: Option<usize>,
        use_api_names: Option<&Bound<'_, PyAny>>,
        exclude_unset: Option<&Bound<'_, PyAny>>,
    ) -> String {
        let _ = (use_api_names, exclude_unset);
        if let (Source::Raw(b, _), None) = (&self.src, indent) {
            if let Ok(s) = std::str::from_utf8(b) {
                return s.to_string();
            }
        }
        json_text(self.value(), indent)
    }

    /// Compact JSON (pydantic spelling).
    fn model_dump_json(&self) -> String {
        self.to_json(None, None, None)
    }

    /// Pickling and `copy` rebuild the object from its data (response metadata is not kept).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyAny>,))> {
        let py = slf.py();
        Ok((slf.get_type().into_any(), (to_plain(py, slf.get().value())?,)))
    }

    /// Server request id of the response that carried this object (top-level results).
    #[getter]
    fn request_id(&self) -> Option<String> {
        self.meta
            .request_id
            .clone()
            .or_else(|| self.object().get("request_id").and_then(Value::as_str).map(str::to_string))
    }

    /// Alias of `request_id` (the official SDK's spelling).
    #[getter]
    fn _request_id(&self) -> Option<String> {
        self.request_id()
    }

    /// The `Idempotency-Key` the call carried (mutations).
    #[getter]
    fn idempotency_key(&self) -> Option<String> {
        self.meta.idempotency_key.clone()
    }
}

/// A session or thread event. `type` and `id` are ready at once; every other field is read
/// from the event's JSON on first access (`event.content[0].text`, `event.delta.content.text`).
#[pyclass(extends = Model, frozen, module = "qoder_cloud._native", name = "Event")]
pub struct Event {
    ty: Option<Py<PyString>>,
    id: Option<Py<PyString>>,
    connection: u32,
}

/// Event type names seen so far, as interned Python strings (a few dozen at most): no string
/// is built per event, and `event.type == "agent.message"` hits the identity fast path.
static TYPE_NAMES: Mutex<Option<std::collections::HashMap<String, Py<PyString>>>> = Mutex::new(None);

fn type_name_string<'py>(py: Python<'py>, t: &str) -> Bound<'py, PyString> {
    if let Ok(mut g) = TYPE_NAMES.lock() {
        let map = g.get_or_insert_with(Default::default);
        if let Some(s) = map.get(t) {
            return s.bind(py).clone();
        }
        if map.len() < 512 {
            let s = PyString::intern(py, t);
            map.insert(t.to_string(), s.clone().unbind());
            return s;
        }
    }
    PyString::new(py, t)
}

/// An event object from a stream event (the hot path: no JSON parsing here).
pub fn event_from_stream<'py>(py: Python<'py>, ev: qoder_cloud::stream::StreamEvent) -> PyResult<Bound<'py, PyAny>> {
    let e = Event {
        ty: Some(type_name_string(py, &ev.event_type).unbind()),
        id: ev.id.as_deref().map(|s| PyString::new(py, s).unbind()),
        connection: ev.connection,
    };
    Ok(Bound::new(py, PyClassInitializer::from(Model::from_raw(ev.data)).add_subclass(e))?.into_any())
}

/// An event object from parsed JSON (list endpoints).
pub fn event_from_value<'py>(py: Python<'py>, v: Value, meta: Meta) -> PyResult<Bound<'py, PyAny>> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(|s| PyString::new(py, s).unbind());
    let e = Event { ty: s("type"), id: s("id"), connection: 0 };
    Ok(Bound::new(py, PyClassInitializer::from(Model::from_value(v, meta)).add_subclass(e))?.into_any())
}

/// The core stream event behind an `Event` object (for the delta accumulator).
pub fn stream_event_of(obj: &Bound<'_, PyAny>) -> PyResult<qoder_cloud::stream::StreamEvent> {
    let py = obj.py();
    let e = obj
        .cast::<Event>()
        .map_err(|_| PyTypeError::new_err(format!("expected an Event, got {}", crate::convert::type_name(obj))))?;
    let ev = e.get();
    let base = e.as_super().get();
    let data = match &base.src {
        Source::Raw(b, _) => b.clone(),
        Source::Value(v) => Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
    };
    let s = |x: &Option<Py<PyString>>| x.as_ref().and_then(|p| p.bind(py).to_str().ok().map(str::to_string));
    Ok(qoder_cloud::stream::StreamEvent {
        event_type: s(&ev.ty).unwrap_or_default(),
        id: s(&ev.id),
        data,
        connection: ev.connection,
    })
}

#[pymethods]
impl Event {
    #[new]
    #[pyo3(signature = (data=None, /, **fields))]
    fn new(
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let m = Model::new(data, fields)?;
        let s = |k: &str| m.object().get(k).and_then(Value::as_str).map(|s| PyString::new(py, s).unbind());
        let e = Event { ty: s("type"), id: s("id"), connection: 0 };
        Ok(PyClassInitializer::from(m).add_subclass(e))
    }

    /// The event type, e.g. `"agent.message"` or `"event_delta"`.
    #[getter(r#type)]
    fn get_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.ty {
            Some(t) => Ok(t.bind(py).clone().into_any()),
            None => Err(PyAttributeError::new_err("type")),
        }
    }

    /// The event id (previews carry the id of the event they preview).
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        self.id.as_ref().map(|i| i.bind(py).clone())
    }
}

/// An awaitable that is already complete: `await ready` returns its value without involving
/// the event loop (a coroutine whose first step returns).
#[pyclass(module = "qoder_cloud._native", name = "Ready")]
pub struct Ready {
    value: Option<Py<PyAny>>,
    error: Option<PyErr>,
}

impl Ready {
    pub fn of<'py>(py: Python<'py>, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        Ok(Bound::new(py, Ready { value: Some(value.unbind()), error: None })?.into_any())
    }
    /// An awaitable that raises `err` when awaited.
    pub fn failed(py: Python<'_>, err: PyErr) -> PyResult<Bound<'_, PyAny>> {
        Ok(Bound::new(py, Ready { value: None, error: Some(err) })?.into_any())
    }
    pub fn none(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        Ready::of(py, py.None().into_bound(py))
    }
}

#[pymethods]
impl Ready {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __next__(&mut self, py: Python<'_>) -> PyResult<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let v = self.value.take().unwrap_or_else(|| py.None());
        Err(PyStopIteration::new_err((v,)))
    }
    #[pyo3(signature = (_value=None))]
    fn send(&mut self, py: Python<'_>, _value: Option<Bound<'_, PyAny>>) -> PyResult<()> {
        self.__next__(py)
    }
    #[pyo3(signature = (typ, val=None, _tb=None))]
    fn throw(
        &mut self,
        typ: Bound<'_, PyAny>,
        val: Option<Bound<'_, PyAny>>,
        _tb: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.value = None;
        let exc = match val {
            Some(v) if !v.is_none() => v,
            _ => typ,
        };
        if exc.is_instance_of::<PyType>() {
            return Err(PyErr::from_value(exc.call0()?));
        }
        Err(PyErr::from_value(exc))
    }
    fn close(&mut self) {
        self.value = None;
        self.error = None;
    }
}

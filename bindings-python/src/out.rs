//! `Out`: everything a native future resolves to, converted to Python (or raised) under the GIL.

use pyo3::prelude::*;
use pyo3::types::PyList;
use qoder_cloud::stream::StreamEvent;
use qoder_cloud::{Error, ResponseMeta};
use serde_json::Value;

use crate::errors::to_pyerr;
use crate::logging;
use crate::model::{event_from_stream, make_model, Meta};

/// Makes a Python object under the GIL.
pub type Made = Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send>;

/// Everything a native future can resolve to; converted to Python (or raised) under the GIL.
pub enum Out {
    Object {
        value: Value,
        meta: ResponseMeta,
        cls: Option<Py<PyAny>>,
    },
    Event(StreamEvent),
    Events(Vec<StreamEvent>),
    /// A Python object made under the GIL by the module that knows its class (a page, a download).
    Made(Made),
    Bytes(bytes::Bytes),
    Count(u64),
    StopAsync,
    Err(Error),
    PyErr(PyErr),
    Panic(String),
}

impl Out {
    /// A call's result object (an instance of `cls` when given), or its error.
    pub fn object(r: qoder_cloud::Result<qoder_cloud::Response<Value>>, cls: Option<Py<PyAny>>) -> Out {
        match r {
            Ok(resp) => Out::Object { meta: resp.meta.clone(), value: resp.into_inner(), cls },
            Err(e) => Out::Err(e),
        }
    }
}

impl<'py> IntoPyObject<'py> for Out {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        logging::drain(py);
        match self {
            Out::Object { value: Value::Null, .. } => Ok(py.None().into_bound(py)),
            Out::Object { value, meta, cls } => {
                make_model(py, value, Meta::from(&meta), cls.as_ref().map(|c| c.bind(py)))
            }
            Out::Made(f) => f(py),
            Out::Event(ev) => event_from_stream(py, ev),
            Out::Events(evs) => {
                let l = PyList::empty(py);
                for ev in evs {
                    l.append(event_from_stream(py, ev)?)?;
                }
                Ok(l.into_any())
            }
            Out::Bytes(b) => Ok(pyo3::types::PyBytes::new(py, &b).into_any()),
            Out::Count(n) => Ok(n.into_pyobject(py)?.into_any()),
            Out::PyErr(e) => Err(e),
            Out::StopAsync => Err(pyo3::exceptions::PyStopAsyncIteration::new_err(())),
            Out::Err(e) => Err(to_pyerr(py, &e)),
            Out::Panic(msg) => Err(crate::errors::panic_error(py, &msg)),
        }
    }
}

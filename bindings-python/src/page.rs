//! Lists: `NativeClient.page` (a page, or an awaitable of one on an async client) and
//! `NativePage` (one page, able to fetch the next).

use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use qoder_cloud::operations::Operation;
use qoder_cloud::pagination::CursorTrail;
use qoder_cloud::{Client, RequestOptions, ResponseMeta};
use serde_json::Value;

use crate::args::{list_op, split};
use crate::bridge::spawn_py;
use crate::client::NativeClient;
use crate::errors::to_pyerr;
use crate::logging;
use crate::model::{make_model, Meta, Ready};
use crate::out::Out;
use crate::pyjson::{json_text, to_plain};
use crate::runtime::block_on;

#[pymethods]
impl NativeClient {
    /// Fetches the first page of a list operation (an awaitable of it for the async client).
    #[pyo3(signature = (op, kwargs, cls=None))]
    fn page<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        logging::refresh_level(py);
        let client = self.client(py)?;
        let op = list_op(py, op)?;
        let s = split(py, kwargs, false)?;
        self.finish(py, fetch_page(client, op, s.args, s.opts, cls.map(Bound::unbind), CursorTrail::default()))
    }
}

async fn fetch_page(
    client: Client,
    op: &'static Operation,
    args: Value,
    opts: RequestOptions,
    cls: Option<Py<PyAny>>,
    trail: CursorTrail,
) -> Out {
    match client.call(&op.name, args.clone(), opts.clone()).await {
        Ok(resp) => {
            let page = NativePage {
                client,
                op,
                args,
                opts,
                meta: resp.meta.clone(),
                page: resp.into_inner(),
                cls,
                data: OnceLock::new(),
                trail,
            };
            Out::Made(Box::new(move |py| Ok(Bound::new(py, page)?.into_any())))
        }
        Err(e) => Out::Err(e),
    }
}

/// One page of a list: `data`, `has_more`, cursors, and what it takes to fetch the next page.
#[pyclass(frozen, module = "qoder_cloud._native", name = "NativePage")]
pub struct NativePage {
    client: Client,
    op: &'static Operation,
    args: Value,
    opts: RequestOptions,
    page: Value,
    meta: ResponseMeta,
    cls: Option<Py<PyAny>>,
    data: OnceLock<Py<PyList>>,
    /// The cursors followed to reach this page (a cycle is an error, not an endless walk).
    trail: CursorTrail,
}

impl NativePage {
    fn str_field(&self, k: &str) -> Option<String> {
        self.page.get(k).and_then(Value::as_str).map(str::to_string)
    }

    fn next_args(&self, py: Python<'_>) -> PyResult<Option<Value>> {
        qoder_cloud::pagination::next_page_args(self.op, &self.args, &self.page).map_err(|e| to_pyerr(py, &e))
    }

    /// The fetch of the next page, `None` at the end.
    fn fetch_next_page(
        &self,
        py: Python<'_>,
    ) -> PyResult<Option<impl std::future::Future<Output = Out> + Send + 'static>> {
        let Some((args, trail)) = self.trail.next(self.op, &self.args, &self.page).map_err(|e| to_pyerr(py, &e))?
        else {
            return Ok(None);
        };
        let cls = self.cls.as_ref().map(|c| c.clone_ref(py));
        Ok(Some(fetch_page(self.client.clone(), self.op, args, self.opts.clone(), cls, trail)))
    }
}

#[pymethods]
impl NativePage {
    /// The items of this page (result objects).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        if let Some(d) = self.data.get() {
            return Ok(d.bind(py).clone());
        }
        let l = PyList::empty(py);
        if let Some(Value::Array(items)) = self.page.get("data") {
            let cls = self.cls.as_ref().map(|c| c.bind(py));
            for it in items {
                l.append(make_model(py, it.clone(), Meta::default(), cls)?)?;
            }
        }
        let _ = self.data.set(l.clone().unbind());
        Ok(l)
    }
    #[getter]
    fn has_more(&self) -> bool {
        self.page.get("has_more").and_then(Value::as_bool).unwrap_or(false)
    }
    #[getter]
    fn first_id(&self) -> Option<String> {
        self.str_field("first_id")
    }
    #[getter]
    fn last_id(&self) -> Option<String> {
        self.str_field("last_id")
    }
    #[getter]
    fn next_page(&self) -> Option<String> {
        self.str_field("next_page")
    }
    #[getter]
    fn request_id(&self) -> Option<String> {
        self.meta.request_id.clone()
    }
    #[getter]
    fn operation(&self) -> &str {
        &self.op.name
    }
    /// Whether another page follows (by the operation's cursor rules).
    fn has_next_page(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.next_args(py)?.is_some())
    }
    /// Fetches the next page, blocking; `None` at the end.
    fn fetch_next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.fetch_next_page(py)? {
            Some(fut) => block_on(py, fut)?.into_pyobject(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
    /// Fetches the next page; returns an awaitable of the page, or of `None` at the end.
    fn afetch_next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.fetch_next_page(py)? {
            Some(fut) => spawn_py(py, fut),
            None => Ready::none(py),
        }
    }
    /// The raw page as plain data.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_plain(py, &self.page)
    }
    #[pyo3(signature = (*, indent = Some(2)))]
    fn to_json(&self, indent: Option<usize>) -> String {
        json_text(&self.page, indent)
    }
    /// A page field this version does not model.
    fn extra<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.page.get(name) {
            None => Ok(None),
            Some(v) => Ok(Some(to_plain(py, v)?)),
        }
    }
    fn __len__(&self) -> usize {
        self.page.get("data").and_then(Value::as_array).map_or(0, Vec::len)
    }
}

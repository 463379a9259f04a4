//! Python callables as the core's hooks: tool handlers, the confirmation policy and the token
//! provider.
//!
//! A handler is called with the tool's input as keyword arguments. A coroutine function runs on
//! the caller's event loop (async client; cancelling the runner cancels it there) or under
//! `asyncio.run` in a worker thread (sync client); a plain function runs in a worker thread, so
//! handlers of one round run concurrently either way. What the handler raises becomes the
//! result's error text (`"ValueError: ..."`).

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use qoder_cloud::tools::{
    BoxFuture, ConfirmationPolicy, ConfirmationRequest, Decision, ToolCall, ToolHandler, ToolLists, ToolOutput, Tools,
};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::convert::to_value;
use crate::errors::invalid_argument;
use crate::model::{event_from_value, Meta};

/// `"TypeName: message"` of a Python exception.
fn describe(py: Python<'_>, e: &PyErr) -> String {
    let name = e.get_type(py).name().map(|n| n.to_string()).unwrap_or_else(|_| "Exception".into());
    let msg = e.value(py).str().map(|s| s.to_string()).unwrap_or_default();
    if msg.is_empty() {
        name
    } else {
        format!("{name}: {msg}")
    }
}

/// Where a handler's outcome goes: its value, or its exception as text.
type OutcomeSender = oneshot::Sender<Result<Py<PyAny>, String>>;

/// Receives the outcome of a `concurrent.futures.Future` (its done callback).
#[pyclass(module = "qoder_cloud._native")]
struct Done {
    tx: Mutex<Option<OutcomeSender>>,
}

#[pymethods]
impl Done {
    fn __call__(&self, py: Python<'_>, fut: Bound<'_, PyAny>) {
        let out = if fut.call_method0("cancelled").and_then(|c| c.is_truthy()).unwrap_or(false) {
            Err("cancelled".to_string())
        } else {
            fut.call_method0("result").map(Bound::unbind).map_err(|e| describe(py, &e))
        };
        if let Some(tx) = self.tx.lock().ok().and_then(|mut g| g.take()) {
            let _ = tx.send(out);
        }
    }
}

/// Cancels the scheduled coroutine when the runner drops the call.
struct CancelOnDrop(Option<Py<PyAny>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            Python::attach(|py| {
                let _ = f.call_method0(py, "cancel");
            });
        }
    }
}

/// A Python callable and the event loop its coroutines run on (`None`: the sync client).
#[derive(Clone)]
pub(crate) struct Callable {
    pub(crate) func: Arc<Py<PyAny>>,
    pub(crate) event_loop: Option<Arc<Py<PyAny>>>,
}

impl Callable {
    /// Calls the function and waits for its (awaited) result.
    pub(crate) async fn invoke(self, args: Args) -> Result<Py<PyAny>, String> {
        let (func, lp) = (self.func.clone(), self.event_loop.clone());
        // The call itself may block (a plain function): a worker thread, never a runtime thread.
        let first = tokio::task::spawn_blocking(move || {
            Python::attach(|py| -> Result<(Py<PyAny>, bool), String> {
                let f = func.bind(py);
                let r = match args {
                    Args::Input(m) => {
                        let kw = crate::pyjson::dict_of(py, &m).map_err(|e| describe(py, &e))?;
                        f.call((), Some(&kw))
                    }
                    Args::Event(v) => event_from_value(py, v, Meta::default()).and_then(|ev| f.call1((ev,))),
                    Args::Work(v, ctx) => {
                        let cls = crate::model::registered_class(py, "Work").map_err(|e| describe(py, &e))?;
                        crate::model::make_model(py, v, Meta::default(), cls.as_ref()).and_then(|w| f.call1((w, ctx)))
                    }
                }
                .map_err(|e| describe(py, &e))?;
                let awaitable = r.hasattr("__await__").unwrap_or(false);
                if awaitable && lp.is_none() {
                    // The sync client has no loop: run the coroutine to its end here.
                    let asyncio = py.import("asyncio").map_err(|e| describe(py, &e))?;
                    let v = asyncio.call_method1("run", (r,)).map_err(|e| describe(py, &e))?;
                    return Ok((v.unbind(), false));
                }
                Ok((r.unbind(), awaitable))
            })
        })
        .await
        .map_err(|e| format!("the handler's thread failed: {e}"))??;
        let (value, awaitable) = first;
        if !awaitable {
            return Ok(value);
        }
        let lp = self.event_loop.expect("awaitables without a loop ran above");
        let (tx, rx) = oneshot::channel();
        let scheduled = Python::attach(|py| -> Result<Py<PyAny>, String> {
            let asyncio = py.import("asyncio").map_err(|e| describe(py, &e))?;
            let cf = asyncio
                .call_method1("run_coroutine_threadsafe", (value.bind(py), lp.bind(py)))
                .map_err(|e| describe(py, &e))?;
            let done = Py::new(py, Done { tx: Mutex::new(Some(tx)) }).map_err(|e| describe(py, &e))?;
            cf.call_method1("add_done_callback", (done,)).map_err(|e| describe(py, &e))?;
            Ok(cf.unbind())
        })?;
        let mut guard = CancelOnDrop(Some(scheduled));
        let out = rx.await.unwrap_or_else(|_| Err("the handler was dropped".into()));
        guard.0 = None;
        out
    }
}

/// What a callable is called with.
pub(crate) enum Args {
    /// A tool's input, as keyword arguments.
    Input(serde_json::Map<String, Value>),
    /// One event object.
    Event(Value),
    /// A work object and its context object (the environment worker's handler).
    Work(Value, Py<PyAny>),
}

/// A Python tool handler: `handler(**input)`.
struct PyTool(Callable);

impl ToolHandler for PyTool {
    fn call(&self, call: ToolCall) -> BoxFuture<ToolOutput> {
        let c = self.0.clone();
        Box::pin(async move {
            let input = match call.input {
                Value::Object(m) => m,
                _ => Default::default(),
            };
            let obj = c.invoke(Args::Input(input)).await?;
            Python::attach(|py| {
                let b = obj.bind(py);
                if let Ok(s) = b.cast::<PyString>() {
                    return Ok(Value::String(s.to_string()));
                }
                to_value(b, "tool result").map_err(|e| describe(py, &e))
            })
        })
    }
}

/// A Python confirmation callback: `confirm(event)` → `True` (allow), `False` (deny), a string
/// (deny with that message) or `None` (leave it to the caller).
struct PyConfirm(Callable);

impl ConfirmationPolicy for PyConfirm {
    fn decide(&self, request: ConfirmationRequest) -> BoxFuture<Decision> {
        let c = self.0.clone();
        Box::pin(async move {
            let out = c.invoke(Args::Event(request.event)).await;
            Python::attach(|py| match out {
                Ok(v) => {
                    let v = v.bind(py);
                    if v.is_none() {
                        Decision::Defer
                    } else if let Ok(b) = v.extract::<bool>() {
                        if b {
                            Decision::Allow
                        } else {
                            Decision::Deny(None)
                        }
                    } else if let Ok(s) = v.extract::<String>() {
                        Decision::Deny(Some(s))
                    } else {
                        Decision::Deny(Some(format!(
                            "the confirmation callback returned an unusable {}",
                            crate::convert::type_name(v)
                        )))
                    }
                }
                // A failing callback must not allow anything.
                Err(msg) => Decision::Deny(Some(format!("the confirmation callback failed: {msg}"))),
            })
        })
    }
}

fn names(py: Python<'_>, obj: Option<Bound<'_, PyAny>>, param: &str) -> PyResult<std::collections::HashSet<String>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else { return Ok(Default::default()) };
    if o.is_instance_of::<PyString>() {
        return Err(invalid_argument(py, param, format!("{param}: expected a list of tool names, got a string")));
    }
    o.try_iter()?
        .map(|n| {
            n?.extract::<String>()
                .map_err(|_| invalid_argument(py, param, format!("{param}: tool names must be strings")))
        })
        .collect()
}

/// Takes the runner's arguments out of `kwargs`: `tools` (a dict of name → callable), `confirm`,
/// `allow_tools`, `deny_tools`, `deny_message`. `event_loop` is the running loop (async client).
pub(crate) fn tools_from(py: Python<'_>, kwargs: &Bound<'_, PyDict>, event_loop: Option<Py<PyAny>>) -> PyResult<Tools> {
    let take = |k: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        let v = kwargs.get_item(k)?;
        if v.is_some() {
            kwargs.del_item(k)?;
        }
        Ok(v)
    };
    let lp = event_loop.map(Arc::new);
    let callable = |f: Bound<'_, PyAny>| Callable { func: Arc::new(f.unbind()), event_loop: lp.clone() };
    let mut tools = Tools::new();
    if let Some(t) = take("tools")?.filter(|t| !t.is_none()) {
        let d = t
            .cast::<PyDict>()
            .map_err(|_| invalid_argument(py, "tools", "tools: expected a dict of tool name → callable"))?;
        for (k, f) in d.iter() {
            let name: String =
                k.extract().map_err(|_| invalid_argument(py, "tools", "tools: tool names must be strings"))?;
            if !f.is_callable() {
                return Err(invalid_argument(py, "tools", format!("tools[{name:?}]: expected a callable")));
            }
            tools = tools.handler(name, PyTool(callable(f)));
        }
    }
    let confirm = take("confirm")?.filter(|c| !c.is_none());
    let allow = names(py, take("allow_tools")?, "allow_tools")?;
    let deny = names(py, take("deny_tools")?, "deny_tools")?;
    let deny_message = take("deny_message")?
        .filter(|m| !m.is_none())
        .map(|m| m.extract::<String>())
        .transpose()
        .map_err(|_| invalid_argument(py, "deny_message", "deny_message: expected a string"))?;
    match confirm {
        Some(_) if !allow.is_empty() || !deny.is_empty() => {
            return Err(invalid_argument(
                py,
                "confirm",
                "confirm: give either a callback or allow_tools/deny_tools, not both",
            ))
        }
        Some(c) if !c.is_callable() => return Err(invalid_argument(py, "confirm", "confirm: expected a callable")),
        Some(c) => tools = tools.policy(PyConfirm(callable(c))),
        None if !allow.is_empty() || !deny.is_empty() => tools = tools.policy(ToolLists { allow, deny, deny_message }),
        None => {}
    }
    Ok(tools)
}

/// A Python token provider: `provider()` → `str` (or an awaitable of one, run to its end in a
/// worker thread with `asyncio.run`). Called before every attempt, in a worker thread.
pub(crate) struct PyTokenProvider(Callable);

impl PyTokenProvider {
    pub(crate) fn new(func: Py<PyAny>) -> Self {
        Self(Callable { func: Arc::new(func), event_loop: None })
    }
}

impl qoder_cloud::auth::TokenProvider for PyTokenProvider {
    fn token(&self, _refused: Option<&str>) -> BoxFuture<qoder_cloud::Result<String>> {
        let c = self.0.clone();
        Box::pin(async move {
            let fail = |m: String| {
                qoder_cloud::Error::new(
                    qoder_cloud::ErrorKind::Authentication,
                    format!("the token provider failed: {m}"),
                )
            };
            let obj = c.invoke(Args::Input(Default::default())).await.map_err(fail)?;
            Python::attach(|py| obj.bind(py).extract::<String>()).map_err(|_| fail("it must return a str".into()))
        })
    }
}

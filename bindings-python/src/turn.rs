//! The core's turn helper (`run_turn` / `send_and_wait`) and delta accumulator.

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList};
use qoder_cloud::accumulator::{DeltaAccumulator as CoreAccumulator, Snapshot};
use qoder_cloud::turn::{TurnOptions, TurnResult};
use qoder_cloud::{Error, ErrorKind};
use serde_json::{json, Value};

use crate::args::split;
use crate::client::NativeClient;
use crate::convert::to_value;
use crate::errors::invalid_argument;
use crate::model::{event_from_stream, make_model, registered_class, stream_event_of, Meta};
use crate::out::Out;

fn turn_value(r: &TurnResult) -> Value {
    json!({
        "text": r.text(),
        "stop_type": r.stop_type(),
        "stop_reason": r.stop_reason,
        "blocking_event_ids": r.blocking_event_ids,
        "messages": r.messages,
        "sent": r.sent,
        "events": r.events.iter().map(|e| e.json().unwrap_or(Value::Null)).collect::<Vec<_>>(),
        "usage": r.usage,
        "terminated": r.terminated,
        "request_id": r.request_id,
    })
}

#[pymethods]
impl NativeClient {
    /// The core's turn helper: sends `text` (or `events`) and waits for the turn to end (an
    /// awaitable of the result for the async client).
    #[pyo3(signature = (session_id, text, events, kwargs, cls=None))]
    fn run_turn<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        text: Option<String>,
        events: Option<Bound<'py, PyAny>>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let is_async = self.is_async();
        let client = self.client(py)?;
        let kwargs = kwargs.copy()?;
        // `sessions.run_tools` passes `_runner=True` and the runner's arguments.
        let runner = match kwargs.get_item("_runner")? {
            Some(_) => {
                kwargs.del_item("_runner")?;
                let lp = if is_async {
                    Some(py.import("asyncio")?.call_method0("get_running_loop")?.unbind())
                } else {
                    None
                };
                Some(crate::tools::tools_from(py, &kwargs, lp)?)
            }
            None => None,
        };
        let mut topts = TurnOptions::default();
        if let Some(d) = kwargs.get_item("event_deltas")? {
            kwargs.del_item("event_deltas")?;
            topts.event_deltas =
                if d.is_instance_of::<PyBool>() { d.extract()? } else { !d.is_none() && d.is_truthy()? };
        }
        let callback_error: Arc<Mutex<Option<PyErr>>> = Arc::new(Mutex::new(None));
        if let Some(cb) = kwargs.get_item("on_event")? {
            kwargs.del_item("on_event")?;
            if !cb.is_none() {
                if !cb.is_callable() {
                    return Err(invalid_argument(py, "on_event", "on_event: expected a callable"));
                }
                let cb = cb.unbind();
                let slot = callback_error.clone();
                topts.on_event = Some(Box::new(move |ev| {
                    Python::attach(|py| -> PyResult<()> {
                        let obj = event_from_stream(py, ev.clone())?;
                        cb.call1(py, (obj,))?;
                        Ok(())
                    })
                    .map_err(|e| {
                        if let Ok(mut g) = slot.lock() {
                            *g = Some(e);
                        }
                        Error::new(ErrorKind::Cancelled, "the on_event callback raised")
                    })
                }));
            }
        }
        let s = split(py, &kwargs, true)?;
        topts.stream = s.stream;
        topts.idempotency_key = s.opts.idempotency_key.clone();
        topts.request = s.opts;
        let events: Vec<Value> = match (text, events) {
            (Some(t), _) => {
                vec![json!({"type": "user.message", "content": [{"type": "text", "text": t}]})]
            }
            (None, Some(ev)) => match to_value(&ev, "events")? {
                Value::Array(xs) => xs,
                _ => return Err(invalid_argument(py, "events", "events: expected a list of events")),
            },
            // A runner with no input resumes the session.
            (None, None) if runner.is_some() => Vec::new(),
            (None, None) => return Err(invalid_argument(py, "events", "missing required argument `events`")),
        };
        let cls = cls.map(Bound::unbind);
        let fut = async move {
            let outcome = match runner {
                Some(tools) => client.run_tools(&session_id, events, &tools, topts).await.map(|run| {
                    let mut v = turn_value(&run.turn);
                    v["pending"] = Value::Array(run.pending);
                    v["replies"] = Value::Array(run.replies);
                    (v, run.turn.request_id)
                }),
                None => client.send_and_wait(&session_id, events, topts).await.map(|r| (turn_value(&r), r.request_id)),
            };
            match outcome {
                Ok((value, request_id)) => {
                    let meta = qoder_cloud::ResponseMeta { request_id, ..Default::default() };
                    Out::Object { value, meta, cls }
                }
                Err(e) => match callback_error.lock().ok().and_then(|mut g| g.take()) {
                    Some(pe) => Out::PyErr(pe),
                    None => Out::Err(e),
                },
            }
        };
        crate::bridge::finish(py, is_async, fut)
    }
}

fn snapshot_value(s: &Snapshot) -> Value {
    json!({
        "id": s.id,
        "type": s.event_type,
        "text": s.text(),
        "blocks": s.blocks,
        "is_final": s.is_final,
        "final_event": s.final_event,
    })
}

fn snapshot_object<'py>(py: Python<'py>, s: &Snapshot) -> PyResult<Bound<'py, PyAny>> {
    let cls = registered_class(py, "__message_snapshot__")?;
    make_model(py, snapshot_value(s), Meta::default(), cls.as_ref())
}

/// Folds `event_start` / `event_delta` previews into growing message snapshots; the final
/// `agent.message` (same id) replaces the preview. Reconnects are handled (text is never
/// duplicated). Feed it every event of a stream, in order.
#[pyclass(module = "qoder_cloud._native", name = "DeltaAccumulator")]
pub struct DeltaAccumulator {
    inner: CoreAccumulator,
}

#[pymethods]
impl DeltaAccumulator {
    #[new]
    fn new() -> Self {
        Self { inner: CoreAccumulator::new() }
    }

    /// Folds one event in; returns the snapshot it changed (a `MessageSnapshot`), else `None`.
    fn push<'py>(&mut self, py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let ev = stream_event_of(event)?;
        match self.inner.push(&ev) {
            Some(s) => Ok(Some(snapshot_object(py, &s)?)),
            None => Ok(None),
        }
    }

    /// Snapshots still in progress.
    fn in_progress<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let l = PyList::empty(py);
        for s in self.inner.in_progress() {
            l.append(snapshot_object(py, s)?)?;
        }
        Ok(l)
    }
}

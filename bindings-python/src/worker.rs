//! `NativeWorker`: the core's environment worker with a Python handler.
//!
//! The worker runs as a task of its own on the runtime, so a `KeyboardInterrupt` or a cancelled
//! asyncio task (which end the Python wait) does not cut it: the Python wrapper then asks for a
//! graceful shutdown and waits again (`qoder_cloud.EnvironmentWorker`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use qoder_cloud::tools::BoxFuture;
use qoder_cloud::worker::{CancellationToken, WorkContext as CoreContext, WorkHandler, WorkItem, WorkerReport};
use serde_json::json;
use tokio::sync::watch;

use crate::bridge::spawn_py;
use crate::client::NativeClient;
use crate::errors::invalid_argument;
use crate::out::Out;
use crate::runtime::{block_on, runtime};
use crate::tools::{Args, Callable};

/// What a work handler gets besides the work: whether (and when) it should stop.
#[pyclass(frozen, module = "qoder_cloud._native", name = "WorkContext")]
pub struct WorkContext {
    stop: CancellationToken,
}

#[pymethods]
impl WorkContext {
    /// True once the work should end: a stop request, a lost lease, or the worker shutting down.
    #[getter]
    fn stop_requested(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Blocks (GIL released) until a stop is requested or `timeout` seconds pass; returns
    /// `stop_requested`. For handlers that are plain functions.
    #[pyo3(signature = (timeout=None))]
    fn wait_stop(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let stop = self.stop.clone();
        let limit = timeout.filter(|t| t.is_finite() && *t >= 0.0).map(Duration::from_secs_f64);
        block_on(py, async move {
            match limit {
                Some(d) => tokio::time::timeout(d, stop.cancelled()).await.is_ok(),
                None => {
                    stop.cancelled().await;
                    true
                }
            }
        })
    }

    /// An awaitable that completes when a stop is requested. For coroutine handlers.
    fn stopped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stop = self.stop.clone();
        spawn_py(py, async move {
            stop.cancelled().await;
            Out::Object { value: serde_json::Value::Null, meta: Default::default(), cls: None }
        })
    }
}

/// A Python work handler: `handler(work, ctx)`.
struct PyWorkHandler(Callable);

impl WorkHandler for PyWorkHandler {
    fn run(&self, item: WorkItem, ctx: CoreContext) -> BoxFuture<std::result::Result<(), String>> {
        let c = self.0.clone();
        Box::pin(async move {
            let context = Python::attach(|py| Py::new(py, WorkContext { stop: ctx.stopping() }).map(Py::into_any))
                .map_err(|e| e.to_string())?;
            c.invoke(Args::Work(item.work, context)).await.map(|_| ())
        })
    }
}

/// The worker's outcome once it ended (`None` while it runs).
type Outcome = watch::Receiver<Option<Result<WorkerReport, qoder_cloud::Error>>>;

/// A running (or not yet started) worker.
#[pyclass(frozen, module = "qoder_cloud._native", name = "NativeWorker")]
pub struct NativeWorker {
    shutdown: CancellationToken,
    /// The report once the worker ended, or its error.
    done: Mutex<Option<Outcome>>,
    start: Mutex<Option<Box<dyn FnOnce() -> Outcome + Send>>>,
}

fn report_value(r: &WorkerReport) -> serde_json::Value {
    json!({"completed": r.completed, "failed": r.failed, "stopped": r.stopped})
}

impl NativeWorker {
    /// Starts the worker task (once); the receiver of its outcome.
    fn started(&self) -> Option<watch::Receiver<Option<Result<WorkerReport, qoder_cloud::Error>>>> {
        let mut done = self.done.lock().ok()?;
        if done.is_none() {
            let start = self.start.lock().ok()?.take()?;
            *done = Some(start());
        }
        done.clone()
    }
}

async fn wait(mut rx: watch::Receiver<Option<Result<WorkerReport, qoder_cloud::Error>>>) -> Out {
    loop {
        if let Some(r) = rx.borrow_and_update().clone() {
            return match r {
                Ok(rep) => Out::Object { value: report_value(&rep), meta: Default::default(), cls: None },
                Err(e) => Out::Err(e),
            };
        }
        if rx.changed().await.is_err() {
            return Out::Err(qoder_cloud::Error::new(
                qoder_cloud::ErrorKind::Cancelled,
                "the worker task ended without a report",
            ));
        }
    }
}

#[pymethods]
impl NativeWorker {
    /// Starts the worker if needed and blocks (GIL released) until it ends; a dict report.
    fn join<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rx = self.started().ok_or_else(|| invalid_argument(py, "worker", "the worker cannot start"))?;
        block_on(py, wait(rx))?.into_pyobject(py)
    }

    /// Starts the worker if needed; an awaitable of its report.
    fn ajoin<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rx = self.started().ok_or_else(|| invalid_argument(py, "worker", "the worker cannot start"))?;
        spawn_py(py, wait(rx))
    }

    /// Asks the worker to stop polling and wind down (running handlers get their grace period).
    fn shutdown(&self) {
        self.shutdown.cancel();
    }
}

#[pymethods]
impl NativeClient {
    /// A self-hosted environment worker (not started): see `qoder_cloud.EnvironmentWorker`.
    #[pyo3(signature = (environment_id, handler, kwargs, is_async))]
    fn worker(
        &self,
        py: Python<'_>,
        environment_id: String,
        handler: Bound<'_, PyAny>,
        kwargs: Bound<'_, PyDict>,
        is_async: bool,
    ) -> PyResult<NativeWorker> {
        let client = self.client(py)?;
        if !handler.is_callable() {
            return Err(invalid_argument(py, "handler", "handler: expected a callable (work, ctx) -> None"));
        }
        let opts = qoder_cloud::options::worker_options(
            qoder_cloud::options::Casing::Snake,
            crate::convert::to_value(kwargs.as_any(), "")?,
        )
        .map_err(|e| crate::errors::to_pyerr(py, &e))?;
        let lp = if is_async {
            Some(Arc::new(py.import("asyncio")?.call_method0("get_running_loop")?.unbind()))
        } else {
            None
        };
        let h: Arc<dyn WorkHandler> =
            Arc::new(PyWorkHandler(Callable { func: Arc::new(handler.unbind()), event_loop: lp }));
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let start = move || {
            let (tx, rx) = watch::channel(None);
            runtime().spawn(async move {
                let r = client.run_worker(&environment_id, h, opts, token).await;
                let _ = tx.send(Some(r));
            });
            rx
        };
        Ok(NativeWorker { shutdown, done: Mutex::new(None), start: Mutex::new(Some(Box::new(start))) })
    }
}

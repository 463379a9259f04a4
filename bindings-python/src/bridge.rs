//! The bridge from runtime futures to asyncio futures.
//!
//! Why our own and not `pyo3-async-runtimes`' `future_into_py`: that one spends two runtime
//! tasks per future and hands every result to a *blocking* task that waits for the GIL. With many
//! streams completing at once those blocking tasks pile up behind the GIL and the runtime starts
//! a thread for each (dozens of threads, each with a stack and a malloc arena: most of the memory
//! of a 1,000-stream fan-out). It also loses a result whose asyncio future was cancelled after
//! the Rust side finished, which for a stream means a lost event.
//!
//! Here each future is one task. A finished task pushes its result onto one queue; a single
//! delivery thread takes whatever has accumulated, attaches to Python once for the lot, and
//! schedules one callback per event loop (`call_soon_threadsafe`), which sets the results on the
//! loop's thread. A result whose future was cancelled goes to the call's [`Hook`], so a stream
//! can keep it for the next read instead of dropping it.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::client::Out;
use crate::runtime::{contain, runtime};

/// Decides, on the loop thread, what a finished call hands its asyncio future.
pub trait Hook: Send + 'static {
    /// `out` is the call's result; `cancelled` says whether its future was cancelled (nobody
    /// will see what is set). Returns the result to set, or `None` to set nothing.
    fn arrive(self: Box<Self>, out: Out, cancelled: bool) -> Option<Out>;
}

/// One finished call waiting to be handed to its event loop.
struct Job {
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    out: Out,
    hook: Option<Box<dyn Hook>>,
}

struct Queue {
    jobs: Mutex<Vec<Job>>,
    ready: Condvar,
}

static QUEUE: OnceLock<Queue> = OnceLock::new();
/// Jobs queued or being delivered; `_at_exit` waits for them.
static DELIVERING: AtomicUsize = AtomicUsize::new(0);
/// Set at interpreter exit: from then on nothing attaches to Python, because attaching to an
/// interpreter that is finalizing aborts the process.
static EXITING: AtomicBool = AtomicBool::new(false);
static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn queue() -> &'static Queue {
    QUEUE.get_or_init(|| {
        std::thread::Builder::new()
            .name("qoder-py-deliver".into())
            .spawn(deliver_forever)
            .expect("cannot start the delivery thread");
        Queue {
            jobs: Mutex::new(Vec::new()),
            ready: Condvar::new(),
        }
    })
}

fn push(job: Job) {
    if EXITING.load(SeqCst) {
        // Nobody awaits this any more; dropping Python references here would need the GIL.
        std::mem::forget(job);
        return;
    }
    let q = queue();
    DELIVERING.fetch_add(1, SeqCst);
    let mut jobs = q.jobs.lock().unwrap_or_else(|p| p.into_inner());
    jobs.push(job);
    if jobs.len() == 1 {
        q.ready.notify_one();
    }
}

fn deliver_forever() {
    let q = queue();
    loop {
        let batch = {
            let mut jobs = q.jobs.lock().unwrap_or_else(|p| p.into_inner());
            while jobs.is_empty() {
                jobs = q.ready.wait(jobs).unwrap_or_else(|p| p.into_inner());
            }
            std::mem::take(&mut *jobs)
        };
        let n = batch.len();
        if EXITING.load(SeqCst) {
            std::mem::forget(batch);
        } else {
            Python::attach(|py| schedule(py, batch));
        }
        DELIVERING.fetch_sub(n, SeqCst);
    }
}

/// Groups jobs by event loop and schedules one [`Deliver`] callback on each.
fn schedule(py: Python<'_>, mut batch: Vec<Job>) {
    while !batch.is_empty() {
        let target = batch[0].event_loop.as_ptr();
        let (mine, rest): (Vec<Job>, Vec<Job>) = batch
            .into_iter()
            .partition(|j| j.event_loop.as_ptr() == target);
        batch = rest;
        let event_loop = mine[0].event_loop.clone_ref(py);
        let items = mine
            .into_iter()
            .map(|j| (j.future, j.out, j.hook))
            .collect();
        let Ok(cb) = Bound::new(
            py,
            Deliver {
                items: Mutex::new(items),
            },
        ) else {
            continue;
        };
        // A closed loop refuses callbacks; its futures are gone with it.
        let _ = event_loop
            .bind(py)
            .call_method1(pyo3::intern!(py, "call_soon_threadsafe"), (cb,));
    }
}

type Item = (Py<PyAny>, Out, Option<Box<dyn Hook>>);

/// Sets a batch of results on their futures; runs on the event loop's thread.
#[pyclass(module = "qoder_cloud._native")]
pub struct Deliver {
    items: Mutex<Vec<Item>>,
}

#[pymethods]
impl Deliver {
    fn __call__(&self, py: Python<'_>) {
        let items = std::mem::take(&mut *self.items.lock().unwrap_or_else(|p| p.into_inner()));
        for (future, out, hook) in items {
            let fut = future.bind(py);
            let cancelled = fut
                .call_method0(pyo3::intern!(py, "done"))
                .and_then(|d| d.is_truthy())
                .unwrap_or(true);
            let out = match hook {
                Some(h) => h.arrive(out, cancelled),
                None => (!cancelled).then_some(out),
            };
            let Some(out) = out else { continue };
            if cancelled {
                continue;
            }
            let r = match out.into_pyobject(py) {
                Ok(v) => fut.call_method1(pyo3::intern!(py, "set_result"), (v,)),
                Err(e) => fut.call_method1(pyo3::intern!(py, "set_exception"), (e.into_value(py),)),
            };
            if let Err(e) = r {
                e.write_unraisable(py, Some(fut));
            }
        }
    }
}

/// Cancels the runtime task when its asyncio future is cancelled (a timeout, a cancelled task).
#[pyclass(module = "qoder_cloud._native")]
pub struct AbortOnCancel {
    handle: tokio::task::AbortHandle,
}

#[pymethods]
impl AbortOnCancel {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut
            .call_method0(pyo3::intern!(fut.py(), "cancelled"))?
            .is_truthy()?
        {
            self.handle.abort();
        }
        Ok(())
    }
}

/// Runs `fut` on the shared runtime and returns an asyncio future of its result.
pub fn spawn_py<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Out> + Send + 'static,
{
    spawn_py_with(py, fut, None)
}

/// [`spawn_py`] with a [`Hook`] that decides what reaches the future (streams use it to keep a
/// result whose future was cancelled).
pub fn spawn_py_with<'py, F>(
    py: Python<'py>,
    fut: F,
    hook: Option<Box<dyn Hook>>,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Out> + Send + 'static,
{
    let get = GET_RUNNING_LOOP.get_or_try_init(py, || {
        py.import("asyncio")
            .and_then(|m| m.getattr("get_running_loop"))
            .map(Bound::unbind)
    })?;
    let event_loop = get.bind(py).call0()?;
    let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
    let job_loop = event_loop.unbind();
    let job_future = future.clone().unbind();
    let task = runtime().spawn(async move {
        let out = match contain(fut).await {
            Ok(o) => o,
            Err(msg) => Out::Panic(msg),
        };
        push(Job {
            event_loop: job_loop,
            future: job_future,
            out,
            hook,
        });
    });
    let abort = Bound::new(
        py,
        AbortOnCancel {
            handle: task.abort_handle(),
        },
    )?;
    future.call_method1(pyo3::intern!(py, "add_done_callback"), (abort,))?;
    Ok(future)
}

/// Called by `atexit`: stops deliveries into Python, then gives the ones already under way
/// (with the GIL released) a moment to finish before finalization starts.
#[pyfunction]
pub fn _at_exit(py: Python<'_>) {
    EXITING.store(true, SeqCst);
    py.detach(|| {
        let deadline = std::time::Instant::now() + Duration::from_millis(500);
        while DELIVERING.load(SeqCst) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    });
}

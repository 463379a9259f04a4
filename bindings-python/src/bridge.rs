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
//!
//! A pending stream read is not even a task: it is a [`Source`] that registers a waker and waits
//! (see [`poll_py`]). Its wakeup queues it on the same delivery thread, which polls it there and
//! delivers the result with the rest of the batch.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::out::Out;
use crate::runtime::{contain, panic_message, runtime};

/// Decides, on the loop thread, what a finished call hands its asyncio future.
pub trait Hook: Send + 'static {
    /// `out` is the call's result; `cancelled` says whether its future was cancelled (nobody
    /// will see what is set). Returns the result to set, or `None` to set nothing.
    fn arrive(self: Box<Self>, out: Out, cancelled: bool) -> Option<Out>;

    /// Whether an earlier call sharing this hook's source may still be on its way to the loop
    /// (its result taken, not yet arrived): a result ready at once must then queue behind it
    /// rather than be set directly, or it would overtake it.
    fn behind_others(&self) -> bool {
        false
    }
}

/// One finished call waiting to be handed to its event loop.
struct Job {
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    out: Out,
    hook: Option<Box<dyn Hook>>,
}

/// What the delivery thread is handed: a finished call, or a waiting read that was woken.
enum Entry {
    Done(Job),
    Woken(Arc<Waiting>),
}

struct Queue {
    jobs: Mutex<Vec<Entry>>,
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
        Queue { jobs: Mutex::new(Vec::new()), ready: Condvar::new() }
    })
}

fn push(entry: Entry) {
    if EXITING.load(SeqCst) {
        // Nobody awaits this any more; dropping Python references here would need the GIL.
        std::mem::forget(entry);
        return;
    }
    let q = queue();
    DELIVERING.fetch_add(1, SeqCst);
    let mut jobs = q.jobs.lock().unwrap_or_else(|p| p.into_inner());
    jobs.push(entry);
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
            // Woken reads are polled here, without the GIL; only finished ones attach.
            let done: Vec<Job> = batch
                .into_iter()
                .filter_map(|e| match e {
                    Entry::Done(job) => Some(job),
                    Entry::Woken(w) => w.poll(),
                })
                .collect();
            if !done.is_empty() {
                Python::attach(|py| schedule(py, done));
            }
        }
        DELIVERING.fetch_sub(n, SeqCst);
    }
}

/// Groups jobs by event loop and schedules one [`Deliver`] callback on each.
fn schedule(py: Python<'_>, mut batch: Vec<Job>) {
    while !batch.is_empty() {
        let target = batch[0].event_loop.as_ptr();
        let (mine, rest): (Vec<Job>, Vec<Job>) = batch.into_iter().partition(|j| j.event_loop.as_ptr() == target);
        batch = rest;
        let event_loop = mine[0].event_loop.clone_ref(py);
        let items = mine.into_iter().map(|j| (j.future, j.out, j.hook)).collect();
        let Ok(cb) = Bound::new(py, Deliver { items: Mutex::new(items) }) else {
            continue;
        };
        // A closed loop refuses callbacks; its futures are gone with it.
        let _ = event_loop.bind(py).call_method1(pyo3::intern!(py, "call_soon_threadsafe"), (cb,));
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
            settle(future.bind(py), out, hook);
        }
    }
}

/// Hands `out` to `fut` (on the loop's thread), or to the hook when `fut` was cancelled.
fn settle(fut: &Bound<'_, PyAny>, out: Out, hook: Option<Box<dyn Hook>>) {
    let py = fut.py();
    let cancelled = fut.call_method0(pyo3::intern!(py, "done")).and_then(|d| d.is_truthy()).unwrap_or(true);
    let out = match hook {
        Some(h) => h.arrive(out, cancelled),
        None => (!cancelled).then_some(out),
    };
    let Some(out) = out else { return };
    if cancelled {
        return;
    }
    let r = match out.into_pyobject(py) {
        Ok(v) => fut.call_method1(pyo3::intern!(py, "set_result"), (v,)),
        Err(e) => fut.call_method1(pyo3::intern!(py, "set_exception"), (e.into_value(py),)),
    };
    if let Err(e) = r {
        e.write_unraisable(py, Some(fut));
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
        if fut.call_method0(pyo3::intern!(fut.py(), "cancelled"))?.is_truthy()? {
            self.handle.abort();
        }
        Ok(())
    }
}

/// `fut`'s result the way a client answers: an asyncio future of it (`is_async`), or the result
/// itself, waited for with the GIL released.
pub fn finish<'py, F>(py: Python<'py>, is_async: bool, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Out> + Send + 'static,
{
    if is_async {
        spawn_py(py, fut)
    } else {
        crate::runtime::block_on(py, fut)?.into_pyobject(py)
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
pub fn spawn_py_with<'py, F>(py: Python<'py>, fut: F, hook: Option<Box<dyn Hook>>) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Out> + Send + 'static,
{
    spawn_py_holding(py, async move { (fut.await, ()) }, hook)
}

/// [`spawn_py_with`] for a future that also yields something to hold until its result is queued
/// for delivery (a stream read yields its lock guard): the next read cannot take events from the
/// stream before this one's result is in the delivery queue, so results reach the loop in the
/// order they left the stream.
pub fn spawn_py_holding<'py, F, G>(py: Python<'py>, fut: F, hook: Option<Box<dyn Hook>>) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = (Out, G)> + Send + 'static,
    G: Send + 'static,
{
    let (event_loop, future) = new_future(py)?;
    let job_loop = event_loop.unbind();
    let job_future = future.clone().unbind();
    let task = runtime().spawn(async move {
        let (out, held) = match contain(fut).await {
            Ok((o, held)) => (o, Some(held)),
            Err(msg) => (Out::Panic(msg), None),
        };
        push(Entry::Done(Job { event_loop: job_loop, future: job_future, out, hook }));
        drop(held);
    });
    let abort = Bound::new(py, AbortOnCancel { handle: task.abort_handle() })?;
    future.call_method1(pyo3::intern!(py, "add_done_callback"), (abort,))?;
    Ok(future)
}

/// The running event loop and a fresh future on it.
fn new_future(py: Python<'_>) -> PyResult<(Bound<'_, PyAny>, Bound<'_, PyAny>)> {
    let get = GET_RUNNING_LOOP
        .get_or_try_init(py, || py.import("asyncio").and_then(|m| m.getattr("get_running_loop")).map(Bound::unbind))?;
    let event_loop = get.bind(py).call0()?;
    let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
    Ok((event_loop, future))
}

/// A result that is polled on wakeups instead of being awaited by a runtime task.
///
/// Why: a pending stream read spends nearly all its life waiting for the next batch. As a task
/// it holds a task allocation (header, scheduler links, the future's whole state) the entire
/// time; with a thousand streams open that was the largest per-stream cost after the reader
/// itself. A source holds only what it needs to finish (for a read, the stream's lock guard).
pub trait Source: Send + 'static {
    /// Polls for the result without blocking; must register `cx`'s waker when pending.
    /// Called without the GIL (on the delivery thread) except for the first poll.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Out>;
}

/// A polled call that has not finished: its source and where its result goes.
struct Pending {
    source: Box<dyn Source>,
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    hook: Option<Box<dyn Hook>>,
}

/// A polled call; it is its own waker. `None` once finished or given up (future cancelled).
struct Waiting {
    slot: Mutex<Option<Pending>>,
}

impl Waiting {
    fn lock(&self) -> MutexGuard<'_, Option<Pending>> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Polls the source once; the finished job when it is ready.
    fn poll(self: &Arc<Self>) -> Option<Job> {
        let mut slot = self.lock();
        let pending = slot.as_mut()?;
        let waker = Waker::from(self.clone());
        let mut cx = Context::from_waker(&waker);
        let out = match std::panic::catch_unwind(AssertUnwindSafe(|| pending.source.poll(&mut cx))) {
            Ok(Poll::Pending) => return None,
            Ok(Poll::Ready(out)) => out,
            Err(p) => Out::Panic(panic_message(&*p)),
        };
        let Pending { source, event_loop, future, hook } = slot.take()?;
        drop(slot);
        // Released before the result is seen, so the next read finds the source free.
        drop(source);
        Some(Job { event_loop, future, out, hook })
    }
}

impl Wake for Waiting {
    fn wake(self: Arc<Self>) {
        push(Entry::Woken(self));
    }

    fn wake_by_ref(self: &Arc<Self>) {
        push(Entry::Woken(self.clone()));
    }
}

/// Gives up a polled call whose asyncio future is done (cancelled: a timeout, a cancelled task).
/// Whatever the source already produced was delivered (and kept by the hook); nothing more is
/// taken from it.
#[pyclass(module = "qoder_cloud._native")]
pub struct ForgetOnDone {
    waiting: Arc<Waiting>,
}

#[pymethods]
impl ForgetOnDone {
    fn __call__(&self, _fut: &Bound<'_, PyAny>) {
        let gone = self.waiting.lock().take();
        drop(gone);
    }
}

/// Returns an asyncio future of `source`'s result, polled now and then on each wakeup.
pub fn poll_py<'py>(
    py: Python<'py>,
    source: Box<dyn Source>,
    hook: Option<Box<dyn Hook>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (event_loop, future) = new_future(py)?;
    let waiting = Arc::new(Waiting {
        slot: Mutex::new(Some(Pending {
            source,
            event_loop: event_loop.unbind(),
            future: future.clone().unbind(),
            hook,
        })),
    });
    if let Some(job) = waiting.poll() {
        if job.hook.as_ref().is_some_and(|h| h.behind_others()) {
            // An earlier read (say, one just cancelled) may have taken events that are still
            // on their way through the delivery thread: this result queues behind them there,
            // so results reach the loop in the order they left the stream.
            push(Entry::Done(job));
        } else {
            // Ready at once (it raced the caller's own check): settle here, on the loop's thread.
            settle(&future, job.out, job.hook);
        }
        return Ok(future);
    }
    let forget = Bound::new(py, ForgetOnDone { waiting: waiting.clone() })
        .and_then(|f| future.call_method1(pyo3::intern!(py, "add_done_callback"), (f,)));
    if let Err(e) = forget {
        // Nobody could cancel it: give it up now rather than leave it holding the source.
        drop(waiting.lock().take());
        return Err(e);
    }
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

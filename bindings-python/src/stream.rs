//! Event streams: one `EventStream` class for `async for` (async client) and `for` (blocking).
//!
//! Hot path: the core hands events over in batches and keeps what it received in its own
//! buffer. `__anext__` first tries `try_next()` without waiting; when an event is there it
//! returns an already-completed awaitable ([`Ready`]), so a buffered event costs no event-loop
//! round trip and no thread hop. Only when nothing is buffered does it wait: as a [`Read`]
//! polled by the bridge on each wakeup (no task of its own), which also pulls the rest of the
//! batch into the core's buffer. Every wait, async or blocking, maps results through [`Read`].

use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use futures_util::Stream as _;
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use qoder_cloud::stream::{EventStream as CoreStream, StreamCloser, StreamEvent};
use qoder_cloud::Error;

use crate::args::split;
use crate::bridge::{poll_py, spawn_py_holding, Source};
use crate::errors::to_pyerr;
use crate::handoff::{Held, Want};
use crate::logging;
use crate::model::{event_from_stream, Ready};
use crate::out::Out;
use crate::runtime::block_on;

/// Default and maximum batch size of `next_batch`.
const DEFAULT_BATCH: usize = 256;

/// Cursor state as of the last event handed over (readable while a fetch holds the stream).
#[derive(Default)]
struct State {
    last_event_id: Mutex<Option<String>>,
    reconnects: AtomicU32,
}

impl State {
    fn sync(&self, s: &CoreStream) {
        if let Ok(mut g) = self.last_event_id.lock() {
            *g = s.last_event_id();
        }
        self.reconnects.store(s.reconnects(), Ordering::Relaxed);
    }
}

/// What is available without waiting.
enum Now {
    Event(StreamEvent),
    Error(Error),
    Done,
    /// Nothing buffered (or another task is fetching): wait on the runtime.
    Wait,
}

/// The state shared by both stream classes.
pub struct StreamInner {
    stream: Arc<tokio::sync::Mutex<CoreStream>>,
    closer: StreamCloser,
    state: Arc<State>,
    /// Results of cancelled async reads, handed out first (see [`crate::handoff`]).
    held: Arc<Held>,
}

impl StreamInner {
    pub fn new(s: CoreStream, last_event_id: Option<String>) -> Self {
        let closer = s.closer();
        let state = State { last_event_id: Mutex::new(last_event_id), reconnects: AtomicU32::new(0) };
        Self { stream: Arc::new(tokio::sync::Mutex::new(s)), closer, state: Arc::new(state), held: Arc::default() }
    }

    fn now(&self) -> Now {
        if let Some(out) = self.held.take(Want::One) {
            return match out {
                Out::Event(ev) => Now::Event(ev),
                Out::Err(e) => Now::Error(e),
                _ => Now::Done,
            };
        }
        if self.held.busy() {
            return Now::Wait;
        }
        let Ok(mut g) = self.stream.try_lock() else {
            return Now::Wait;
        };
        match g.try_next() {
            Some(Ok(ev)) => Now::Event(ev),
            Some(Err(e)) => {
                self.state.sync(&g);
                Now::Error(e)
            }
            None if g.is_done() || self.closer.is_closed() => {
                self.state.sync(&g);
                Now::Done
            }
            None => Now::Wait,
        }
    }

    fn last_event_id(&self) -> Option<String> {
        match self.stream.try_lock() {
            Ok(g) => g.last_event_id(),
            Err(_) => self.state.last_event_id.lock().ok().and_then(|g| g.clone()),
        }
    }

    fn reconnects(&self) -> u32 {
        match self.stream.try_lock() {
            Ok(g) => g.reconnects(),
            Err(_) => self.state.reconnects.load(Ordering::Relaxed),
        }
    }

    fn done(&self) -> bool {
        match self.stream.try_lock() {
            Ok(g) => g.is_done(),
            Err(_) => false,
        }
    }

    /// Closes the stream: the connection is dropped at once and any pending read ends.
    fn close(&self) {
        self.closer.close();
        if let Ok(mut g) = self.stream.try_lock() {
            self.state.sync(&g);
            g.close();
        }
    }

    /// Waits for the stream's lock, then for `want` (on the runtime): the blocking iterator's
    /// wait, and an async read queued behind another one.
    fn read_future(&self, want: Want) -> impl std::future::Future<Output = Out> + Send + 'static {
        let read = self.read_holding(want);
        async move { read.await.0 }
    }

    /// [`Self::read_future`], also yielding the read (with the stream's lock) so the caller can
    /// hold the lock until the result is queued (see `bridge::spawn_py_holding`).
    fn read_holding(&self, want: Want) -> impl std::future::Future<Output = (Out, Read)> + Send + 'static {
        let stream = self.stream.clone();
        let state = self.state.clone();
        async move {
            let mut read = Read { stream: stream.lock_owned().await, state, want };
            let out = std::future::poll_fn(|cx| read.poll(cx)).await;
            (out, read)
        }
    }

    /// Waits for `want` on the event loop. The common case (no other read holds the stream)
    /// waits as a polled [`Read`] holding the stream's lock, with no task of its own; a read
    /// behind another one queues for the lock on the runtime.
    fn read_async<'py>(&self, py: Python<'py>, want: Want) -> PyResult<Bound<'py, PyAny>> {
        let hook = self.held.hook(want);
        match self.stream.clone().try_lock_owned() {
            Ok(stream) => {
                let read = Read { stream, state: self.state.clone(), want };
                poll_py(py, Box::new(read), Some(hook))
            }
            Err(_) => spawn_py_holding(py, self.read_holding(want), Some(hook)),
        }
    }

    fn batch_now(&self, max: usize) -> Option<Vec<StreamEvent>> {
        let mut g = self.stream.try_lock().ok()?;
        let v = g.take_buffered(max);
        (!v.is_empty()).then_some(v)
    }
}

/// A pending read: the locked stream, polled by the bridge on each wakeup (or by a runtime
/// future, see [`StreamInner::read_future`]).
struct Read {
    stream: tokio::sync::OwnedMutexGuard<CoreStream>,
    state: Arc<State>,
    want: Want,
}

impl Source for Read {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Out> {
        let s = &mut *self.stream;
        let out = match self.want {
            Want::One => match ready!(Pin::new(&mut *s).poll_next(cx)) {
                Some(Ok(ev)) => Out::Event(ev),
                Some(Err(e)) => Out::Err(e),
                None => Out::StopAsync,
            },
            Want::Batch(max) => match ready!(s.poll_next_batch(cx, max)) {
                Ok(v) => Out::Events(v),
                Err(e) => Out::Err(e),
            },
        };
        self.state.sync(s);
        Poll::Ready(out)
    }
}

impl Drop for StreamInner {
    fn drop(&mut self) {
        // Garbage collection of an abandoned stream (e.g. `break` out of a loop over a
        // temporary) closes its connection at once.
        self.closer.close();
    }
}

fn batch_size(max: Option<usize>) -> usize {
    max.unwrap_or(DEFAULT_BATCH).clamp(1, 65_536)
}

/// A live event stream. From the async client: `async for` / `async with` (leaving the block,
/// `await stream.aclose()`, `stream.close()`, breaking out of the loop over a temporary stream or
/// cancelling the consuming task closes the connection at once). From the blocking client:
/// `for` / `with`, with the GIL released while waiting. One class serves both: they share every
/// field and getter, and only `next_batch` differs (an awaitable on the async client).
#[pyclass(frozen, module = "qoder_cloud._native", name = "EventStream")]
pub struct EventStream {
    pub(crate) inner: StreamInner,
    /// Opened by the async client.
    pub(crate) is_async: bool,
}

impl EventStream {
    fn wait<'py>(
        &self,
        py: Python<'py>,
        fut: impl std::future::Future<Output = Out> + Send + 'static,
    ) -> PyResult<Bound<'py, PyAny>> {
        logging::drain(py);
        let out = block_on(py, fut)?;
        out.into_pyobject(py)
    }

    fn next_batch_async<'py>(&self, py: Python<'py>, max: usize) -> PyResult<Bound<'py, PyAny>> {
        if let Some(out) = self.inner.held.take(Want::Batch(max)) {
            return match out.into_pyobject(py) {
                Ok(v) => Ready::of(py, v),
                Err(e) => Ready::failed(py, e),
            };
        }
        if !self.inner.held.busy() {
            if let Some(evs) = self.inner.batch_now(max) {
                return Ready::of(py, event_list(py, evs)?);
            }
        }
        logging::drain(py);
        self.inner.read_async(py, Want::Batch(max))
    }
}

fn event_list(py: Python<'_>, evs: Vec<StreamEvent>) -> PyResult<Bound<'_, PyAny>> {
    let l = PyList::empty(py);
    for ev in evs {
        l.append(event_from_stream(py, ev)?)?;
    }
    Ok(l.into_any())
}

#[pymethods]
impl EventStream {
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.now() {
            Now::Event(ev) => Ready::of(py, event_from_stream(py, ev)?),
            Now::Error(e) => {
                logging::drain(py);
                Ready::failed(py, to_pyerr(py, &e))
            }
            Now::Done => {
                logging::drain(py);
                Ready::failed(py, PyStopAsyncIteration::new_err(()))
            }
            Now::Wait => {
                logging::drain(py);
                self.inner.read_async(py, Want::One)
            }
        }
    }

    /// `stream = await client.sessions.events.stream(...)` also works (returns the stream).
    fn __await__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Ready::of(slf.py(), slf.clone().into_any())
    }

    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Ready::of(slf.py(), slf.clone().into_any())
    }

    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(&self, py: Python<'py>, _exc: &Bound<'py, pyo3::types::PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.close();
        // Records the reader queued (reconnects, errors) reach `logging` before the block ends.
        logging::drain(py);
        Ready::of(py, false.into_pyobject(py)?.to_owned().into_any())
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.inner.now() {
            Now::Event(ev) => Ok(Some(event_from_stream(py, ev)?)),
            Now::Error(e) => {
                logging::drain(py);
                Err(to_pyerr(py, &e))
            }
            Now::Done => {
                logging::drain(py);
                Ok(None)
            }
            Now::Wait => match self.wait(py, self.inner.read_future(Want::One)) {
                Ok(v) => Ok(Some(v)),
                Err(e) if e.is_instance_of::<PyStopAsyncIteration>(py) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.inner.close();
        logging::drain(py);
        false
    }

    /// Up to `max` events: what is buffered now, else waits for at least one. `[]` at the end.
    /// An awaitable on the async client, the list itself on the blocking one.
    #[pyo3(signature = (max=None))]
    fn next_batch<'py>(&self, py: Python<'py>, max: Option<usize>) -> PyResult<Bound<'py, PyAny>> {
        let max = batch_size(max);
        if self.is_async {
            return self.next_batch_async(py, max);
        }
        if let Some(evs) = self.inner.batch_now(max) {
            return event_list(py, evs);
        }
        self.wait(py, self.inner.read_future(Want::Batch(max)))
    }

    /// Closes the stream (awaitable; idempotent; safe while another task awaits the next event).
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.close();
        logging::drain(py);
        Ready::none(py)
    }

    /// Closes the stream at once (idempotent; safe from another thread or task while one waits).
    fn close(&self, py: Python<'_>) {
        self.inner.close();
        logging::drain(py);
    }

    /// Id of the last persisted event handed over: pass it as `last_event_id` to resume later.
    #[getter]
    fn last_event_id(&self) -> Option<String> {
        self.inner.last_event_id()
    }

    /// How many times the stream reconnected.
    #[getter]
    fn reconnects(&self) -> u32 {
        self.inner.reconnects()
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.closer.is_closed()
    }

    /// Whether the stream ended and nothing is left to read.
    #[getter]
    fn done(&self) -> bool {
        self.inner.done()
    }

    fn __repr__(&self) -> String {
        format!(
            "{}(last_event_id={:?}, reconnects={}, closed={})",
            if self.is_async { "AsyncEventStream" } else { "EventStream" },
            self.inner.last_event_id(),
            self.inner.reconnects(),
            self.inner.closer.is_closed()
        )
    }
}

#[pymethods]
impl crate::client::NativeClient {
    /// Opens an event stream: `for event in stream` (sync client) or `async for` (async client).
    fn stream(&self, py: Python<'_>, op: &str, kwargs: &Bound<'_, PyDict>) -> PyResult<EventStream> {
        logging::refresh_level(py);
        let client = self.client(py)?;
        let s = split(py, kwargs, true)?;
        let opts = qoder_cloud::stream::StreamOptions { request: s.opts, ..s.stream };
        let last = opts.last_event_id.clone();
        let _guard = crate::runtime::runtime().enter();
        let stream = client.stream(op, s.args, opts).map_err(|e| to_pyerr(py, &e))?;
        Ok(EventStream { inner: StreamInner::new(stream, last), is_async: self.is_async() })
    }
}

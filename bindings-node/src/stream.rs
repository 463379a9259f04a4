//! `NativeStream`: an [`EventStream`] handed to JS in batches.
//!
//! The JS iterator serves events from its own array; when that runs dry it calls the synchronous
//! [`NativeStream::take_buffered`] (no thread hop, no Promise), and only when nothing at all is
//! buffered does it await [`NativeStream::next_batch`]. A batch crosses the boundary as ONE JSON
//! array string built by concatenating the events' raw bytes, parsed once in JS.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use qoder_cloud::stream::{EventStream, StreamCloser, StreamEvent};

use crate::error;

/// State shared by the JS object, pending `nextBatch` futures and the client's live-stream set.
pub(crate) struct StreamState {
    stream: tokio::sync::Mutex<EventStream>,
    closer: StreamCloser,
    reconnects: AtomicU32,
    last_event_id: Mutex<Option<String>>,
    /// Reused buffer of the synchronous path (no allocation or page faults per batch).
    scratch: Mutex<Vec<u8>>,
}

impl StreamState {
    pub(crate) fn new(s: EventStream) -> Self {
        let closer = s.closer();
        let last = s.last_event_id();
        Self {
            stream: tokio::sync::Mutex::new(s),
            closer,
            reconnects: AtomicU32::new(0),
            last_event_id: Mutex::new(last),
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// Closes the connection now; a pending `next_batch` resolves with the end of the stream.
    pub(crate) fn close(&self) {
        self.closer.close();
    }

    fn sync(&self, s: &EventStream) {
        self.reconnects.store(s.reconnects(), Ordering::Relaxed);
        if let Ok(mut g) = self.last_event_id.lock() {
            *g = s.last_event_id();
        }
    }
}

/// JSON text handed to JS. Pure-ASCII text (the common case: JSON escapes nothing else, and
/// servers often emit ASCII) becomes a one-byte V8 string with a plain copy
/// (`napi_create_string_latin1`); anything else is decoded as UTF-8.
pub struct JsonText(Vec<u8>);

/// Appends a batch as one JSON array to `out` by concatenating the raw event documents.
/// The core validated each one as a JSON object when it framed it; invalid UTF-8 is replaced.
fn write_batch(events: &[StreamEvent], out: &mut Vec<u8>) {
    out.reserve(events.iter().map(|e| e.data.len() + 1).sum::<usize>() + 2);
    out.push(b'[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if e.data.is_ascii() || std::str::from_utf8(&e.data).is_ok() {
            out.extend_from_slice(&e.data);
        } else {
            out.extend_from_slice(String::from_utf8_lossy(&e.data).as_bytes());
        }
    }
    out.push(b']');
}

impl TypeName for JsonText {
    fn type_name() -> &'static str {
        "String"
    }
    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ToNapiValue for JsonText {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        copy_string(env, &val.0)
    }
}

/// Creates a JS string from JSON text: one-byte (Latin-1, a plain copy) when ASCII, else UTF-8.
unsafe fn copy_string(env: napi::sys::napi_env, bytes: &[u8]) -> Result<napi::sys::napi_value> {
    let mut out = std::ptr::null_mut();
    let status = if bytes.is_ascii() {
        napi::sys::napi_create_string_latin1(env, bytes.as_ptr().cast(), bytes.len() as isize, &mut out)
    } else {
        napi::sys::napi_create_string_utf8(env, bytes.as_ptr().cast(), bytes.len() as isize, &mut out)
    };
    if status != napi::sys::Status::napi_ok {
        return Err(napi::Error::new(Status::GenericFailure, "cannot create the batch string"));
    }
    Ok(out)
}

/// A batch as one JSON array (for the async path, converted on the JS thread later).
fn batch_json(events: &[StreamEvent]) -> JsonText {
    let mut out = Vec::new();
    write_batch(events, &mut out);
    JsonText(out)
}

/// Frees a handed-over batch off the JS thread: dropping thousands of small allocations made by
/// the reader thread is a measurable share of the hot path.
fn release(events: Vec<StreamEvent>) {
    if events.len() >= 64 {
        napi::bindgen_prelude::spawn(async move { drop(events) });
    }
}

/// A live event stream. Dropping it (JS garbage collection) closes the connection.
#[napi]
pub struct NativeStream {
    state: Arc<StreamState>,
}

impl NativeStream {
    pub(crate) fn new(state: Arc<StreamState>) -> Self {
        Self { state }
    }
}

impl Drop for NativeStream {
    fn drop(&mut self) {
        self.state.close();
    }
}

#[napi]
impl NativeStream {
    /// Up to `max` events already received, as a JSON array string, without waiting; `null` when
    /// nothing is buffered (or a `nextBatch` is in flight). Never blocks.
    #[napi(ts_return_type = "string | null")]
    pub fn take_buffered(&self, env: &Env, max: u32) -> Result<Option<Unknown<'_>>> {
        error::guard(|| {
            let Ok(mut s) = self.state.stream.try_lock() else { return Ok(None) };
            let events = s.take_buffered(max.max(1) as usize);
            self.state.sync(&s);
            drop(s);
            if events.is_empty() {
                return Ok(None);
            }
            let mut buf = self.state.scratch.lock().map_err(|_| error::internal("scratch lock poisoned"))?;
            buf.clear();
            write_batch(&events, &mut buf);
            release(events);
            // SAFETY: a valid env on the JS thread; the string is copied before `buf` is reused.
            let raw = unsafe { copy_string(env.raw(), &buf)? };
            if buf.capacity() > 4 * 1024 * 1024 {
                *buf = Vec::new(); // do not pin a huge buffer after one oversized batch
            }
            Ok(Some(unsafe { Unknown::from_raw_unchecked(env.raw(), raw) }))
        })
    }

    /// Waits for at least one event and resolves with up to `max` events as a JSON array string;
    /// `null` once the stream ended (terminal event, close or abort). Rejects with a stream's
    /// final error.
    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn next_batch<'e>(&self, env: &'e Env, max: u32) -> Result<PromiseRaw<'e, Option<JsonText>>> {
        let state = self.state.clone();
        env.spawn_future(error::catch_future(async move {
            let mut s = state.stream.lock().await;
            let r = s.next_batch(max.max(1) as usize).await;
            state.sync(&s);
            drop(s);
            match r {
                Ok(events) if events.is_empty() => Ok(None),
                Ok(events) => Ok(Some(batch_json(&events))),
                Err(e) => Err(error::from_core(&e)),
            }
        }))
    }

    /// Closes the stream and its connection at once. Idempotent; safe while `nextBatch` is pending.
    #[napi]
    pub fn close(&self) {
        self.state.close();
    }

    /// Whether `close()` was called (by the user, an abort, or the client closing).
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.state.closer.is_closed()
    }

    /// Reconnects so far (as of the last batch handed over).
    #[napi(getter)]
    pub fn reconnects(&self) -> u32 {
        self.state.reconnects.load(Ordering::Relaxed)
    }

    /// The core's resume cursor: the last persisted event id handed to JS (JS tracks the id of
    /// the last event the *user* consumed separately).
    #[napi(getter)]
    pub fn last_event_id(&self) -> Option<String> {
        self.state.last_event_id.lock().ok().and_then(|g| g.clone())
    }

    /// Whether the stream ended and nothing is buffered natively.
    #[napi(getter)]
    pub fn done(&self) -> bool {
        match self.state.stream.try_lock() {
            Ok(s) => s.is_done(),
            Err(_) => false,
        }
    }
}

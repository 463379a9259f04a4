//! The shared Tokio runtime, blocking calls for the sync client, and panic containment.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use pyo3::prelude::*;

/// The process-wide multi-thread runtime: one worker per core, started on first use.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("qoder-runtime")
            .build()
            .expect("cannot start the Tokio runtime")
    })
}

/// How often a blocked sync call wakes up to let Python deliver signals (Ctrl-C).
const SIGNAL_SLICE: Duration = Duration::from_millis(100);

/// The message of a caught panic.
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Wraps a future so a panic inside it becomes `Err(message)` instead of unwinding.
pub fn contain<F: Future>(fut: F) -> impl Future<Output = Result<F::Output, String>> {
    AssertUnwindSafe(fut).catch_unwind().map(|r| r.map_err(|p| panic_message(&*p)))
}

/// Runs `fut` to completion on the shared runtime with the GIL released.
///
/// The wait is sliced so pending Python signals are handled: a `KeyboardInterrupt` raised by
/// the handler drops the future, which cancels the request at once. A panic becomes
/// `QoderError`.
pub fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let rt = runtime();
    let mut fut = Box::pin(contain(fut));
    loop {
        let r = py.detach(|| rt.block_on(async { tokio::time::timeout(SIGNAL_SLICE, &mut fut).await }));
        match r {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(msg)) => return Err(crate::errors::panic_error(py, &msg)),
            Err(_elapsed) => py.check_signals()?,
        }
    }
}

//! A cancellation token JS can trip from an `AbortSignal`'s `abort` event.

use napi_derive::napi;
use tokio_util::sync::CancellationToken;

/// One per call that has a `signal`: JS calls `cancel()` on abort, and the Rust future selects
/// on it, so the connection is dropped and any backoff sleep ends at once.
#[napi]
#[derive(Default)]
pub struct CancelToken {
    pub(crate) token: CancellationToken,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels the work tied to this token. Idempotent.
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Whether `cancel` was called.
    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

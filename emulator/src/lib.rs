//! # qoder-emulator
//!
//! A stateful, in-memory emulator of the Qoder Cloud Agents Managed API
//! (REST + SSE) with a deterministic scripted agent and fault injection.
//! Start it in-process from Rust tests:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emu = qoder_emulator::start(qoder_emulator::EmulatorConfig::default()).await?;
//! println!("{}", emu.base_url()); // http://127.0.0.1:PORT/api/v1/cloud
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! or run the `qoder-emulator` binary (see the crate README).
#![warn(missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub mod agent_script;
pub mod body;
pub mod clock;
pub mod config;
pub mod context;
pub mod control;
pub mod errors;
pub mod event_log;
pub mod faults;
pub mod idempotency;
pub mod ids;
pub mod multipart;
pub mod pagination;
pub mod pipeline;
pub mod query;
pub mod resources;
pub mod router;
pub mod server;
pub mod session;
pub mod state;
pub mod stats;
pub mod stream;
pub mod turn;
pub mod validate;
pub mod zip;

pub use config::{EmulatorConfig, Region};
pub use faults::FaultSpec;

use state::AppState;

/// Namespace-style entry point: `Emulator::start(config)` is [`start`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Emulator;

impl Emulator {
    /// Same as [`start`].
    pub async fn start(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
        start(config).await
    }
}

/// Binds the listener and starts serving in the background on the current
/// tokio runtime. Fails on bind errors or an invalid `config.fault` spec.
pub async fn start(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
    let state = AppState::new(config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let state = Arc::new(state);
    let (addr, join) = server::bind(state.clone()).await?;
    Ok(RunningEmulator { addr, state, join: Some(join) })
}

/// A running emulator. Dropping it stops the server (without waiting);
/// prefer [`RunningEmulator::shutdown`].
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    state: Arc<AppState>,
    join: Option<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT` (control endpoints live at `{root_url}/_emulator/...`).
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://HOST:PORT/api/v1/cloud` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("{}{}", self.root_url(), self.state.prefix)
    }

    /// The same JSON as `GET /_emulator/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.state.stats.to_json()
    }

    /// Moves the emulator clock forward (timestamps, idempotency retention).
    pub fn advance_clock(&self, d: Duration) {
        self.state.clock.advance(d);
    }

    /// Replaces (or clears) the server-wide fault spec.
    pub fn set_fault(&self, spec: Option<&str>) -> Result<(), String> {
        let spec = spec.map(FaultSpec::parse).transpose()?;
        self.state.faults.set_global(spec);
        Ok(())
    }

    /// Clears all state (like `POST /_emulator/reset`).
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Stops accepting, ends streams and turns, and waits (≤2 s) for open
    /// connections to finish.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        self.state.close_all_sessions();
        if let Some(join) = self.join.take() {
            let _ = join.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

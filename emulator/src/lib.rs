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
//! With `tls: Some(TlsConfig::generate())` it serves HTTPS (HTTP/2 or
//! HTTP/1.1 by ALPN) and [`RunningEmulator::ca_pem`] gives the CA to trust.
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
pub mod service_tokens;
pub mod session;
pub mod state;
pub mod stats;
pub mod stream;
pub mod tls;
pub mod turn;
pub mod validate;
pub mod zip;

pub use config::{EmulatorConfig, Region};
pub use faults::FaultSpec;
pub use tls::TlsConfig;

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
/// tokio runtime. Fails on bind errors, an invalid `config.fault` spec, an
/// invalid `config.alpn` list or unusable TLS material.
pub async fn start(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
    let tls = match &config.tls {
        Some(t) => Some(Arc::new(tls::TlsServer::new(t, &config.host, &config.alpn)?)),
        None => None,
    };
    let state = AppState::new(config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let state = Arc::new(state);
    let ca_pem = tls.as_ref().map(|t| t.ca_pem().to_string());
    let (addr, join) = server::bind(state.clone(), tls).await?;
    Ok(RunningEmulator { addr, state, ca_pem, join: Some(join) })
}

/// A running emulator. Dropping it stops the server (without waiting);
/// prefer [`RunningEmulator::shutdown`].
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    state: Arc<AppState>,
    ca_pem: Option<String>,
    join: Option<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`, or `https://` with TLS (control endpoints live at
    /// `{root_url}/_emulator/...`).
    pub fn root_url(&self) -> String {
        format!("{}://{}", self.state.config.scheme(), self.addr)
    }

    /// With TLS, the PEM clients should trust: the generated CA certificate,
    /// or the given certificate chain. `None` without TLS.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// `http://HOST:PORT/api/v1/cloud` (`https://` with TLS; no trailing slash).
    pub fn base_url(&self) -> String {
        format!("{}{}", self.root_url(), self.state.prefix)
    }

    /// The same JSON as `GET /_emulator/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.state.stats_json()
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

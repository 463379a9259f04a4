//! `NativeEmulator`: the core's local emulator process (`qoder_cloud::testing`), for
//! `qoder-cloud/testing`'s `startEmulator`. Glue only: options in as JSON (snake_case keys,
//! errors named in camelCase), core calls as Promises, JSON out as text.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use qoder_cloud::testing::{Casing, EmulatorOptions, EmulatorProcess};

use crate::error;

fn options(json: &str) -> Result<EmulatorOptions> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| error::internal(e.to_string()))?;
    let o = EmulatorOptions::from_json(&v, Casing::Camel).map_err(|e| error::from_core(&e))?;
    o.flags(Casing::Camel).map_err(|e| error::from_core(&e))?;
    Ok(o)
}

fn text(v: qoder_cloud::Result<serde_json::Value>) -> Result<String> {
    Ok(v.map_err(|e| error::from_core(&e))?.to_string())
}

/// A running `qoder-emulator` process.
#[napi]
pub struct NativeEmulator {
    inner: Arc<EmulatorProcess>,
}

#[napi]
impl NativeEmulator {
    /// Checks options (JSON) without starting anything; returns the token clients will send.
    #[napi]
    pub fn check(options_json: String) -> Result<String> {
        error::guard(|| options(&options_json).map(|o| o.client_token()))
    }

    /// Starts `binary` and resolves once it listens.
    #[napi]
    pub fn start(env: &Env, binary: String, options_json: String) -> Result<PromiseRaw<'_, NativeEmulator>> {
        let o = error::guard(|| options(&options_json));
        env.spawn_future(error::catch_future(async move {
            let p = EmulatorProcess::start(std::path::Path::new(&binary), &o?, Casing::Camel)
                .await
                .map_err(|e| error::from_core(&e))?;
            Ok(NativeEmulator { inner: Arc::new(p) })
        }))
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_string()
    }
    #[napi(getter)]
    pub fn origin(&self) -> String {
        self.inner.origin().to_string()
    }
    #[napi(getter)]
    pub fn ca_path(&self) -> Option<String> {
        self.inner.ca_path().map(|p| p.display().to_string())
    }
    #[napi(getter)]
    pub fn access_token(&self) -> String {
        self.inner.access_token().to_string()
    }
    #[napi(getter)]
    pub fn pid(&self) -> u32 {
        self.inner.pid()
    }

    /// Stops the process (stdin EOF, a bounded wait, then kill). Idempotent.
    #[napi]
    pub fn close<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let p = self.inner.clone();
        env.spawn_future(async move {
            p.close().await;
            Ok(())
        })
    }

    /// Sets (a string) or clears (`null`) the server-wide fault spec.
    #[napi]
    pub fn set_fault<'e>(&self, env: &'e Env, spec: Option<String>) -> Result<PromiseRaw<'e, ()>> {
        let p = self.inner.clone();
        env.spawn_future(error::catch_future(async move {
            p.set_fault(spec.as_deref()).await.map_err(|e| error::from_core(&e))
        }))
    }

    /// The emulator's counters (JSON).
    #[napi]
    pub fn stats<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, String>> {
        let p = self.inner.clone();
        env.spawn_future(error::catch_future(async move { text(p.stats().await) }))
    }

    /// Drops every object, idempotency key and counter.
    #[napi]
    pub fn reset<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let p = self.inner.clone();
        env.spawn_future(error::catch_future(async move { p.reset().await.map_err(|e| error::from_core(&e)) }))
    }

    /// Moves the emulator's clock forward; resolves `{now, offset_seconds}` (JSON).
    #[napi]
    pub fn advance_clock<'e>(&self, env: &'e Env, seconds: f64) -> Result<PromiseRaw<'e, String>> {
        let p = self.inner.clone();
        env.spawn_future(error::catch_future(async move { text(p.advance_clock(seconds).await) }))
    }
}

//! `EmulatorProcess`: the core's local emulator process (`qoder_cloud::testing`), for
//! `qoder_cloud.testing.Emulator`. Glue only: options in as a dict, core calls with the GIL
//! released, JSON out as plain Python data.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use qoder_cloud::testing::{Casing, EmulatorOptions, EmulatorProcess as Process};

use crate::convert::to_value;
use crate::errors::{invalid_argument, to_pyerr};
use crate::pyjson::to_plain;
use crate::runtime::block_on;

fn options(py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<EmulatorOptions> {
    let v = to_value(options.as_any(), "options")?;
    let o = EmulatorOptions::from_json(&v, Casing::Snake).map_err(|e| to_pyerr(py, &e))?;
    o.flags(Casing::Snake).map_err(|e| to_pyerr(py, &e))?;
    Ok(o)
}

/// A running `qoder-emulator` process (see `qoder_cloud.testing.Emulator`).
#[pyclass(frozen, module = "qoder_cloud._native", name = "EmulatorProcess")]
pub struct EmulatorProcess {
    inner: Arc<Process>,
}

#[pymethods]
impl EmulatorProcess {
    /// Checks emulator options (a dict of the `Emulator` keywords) without starting anything;
    /// returns the token its clients will send.
    #[staticmethod]
    fn check(py: Python<'_>, opts: &Bound<'_, PyDict>) -> PyResult<String> {
        options(py, opts).map(|o| o.client_token())
    }

    /// Starts `binary` and waits until it listens.
    #[staticmethod]
    fn start(py: Python<'_>, binary: PathBuf, opts: &Bound<'_, PyDict>) -> PyResult<Self> {
        let o = options(py, opts)?;
        let p = block_on(py, async move { Process::start(&binary, &o, Casing::Snake).await })?;
        Ok(Self { inner: Arc::new(p.map_err(|e| to_pyerr(py, &e))?) })
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }
    #[getter]
    fn origin(&self) -> &str {
        self.inner.origin()
    }
    #[getter]
    fn ca_path(&self) -> Option<String> {
        self.inner.ca_path().map(|p| p.display().to_string())
    }
    #[getter]
    fn access_token(&self) -> &str {
        self.inner.access_token()
    }
    #[getter]
    fn pid(&self) -> u32 {
        self.inner.pid()
    }

    /// Stops the process (stdin EOF, a bounded wait, then kill). Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let p = self.inner.clone();
        block_on(py, async move { p.close().await })
    }

    /// Sets (a str) or clears (`None`) the server-wide fault spec.
    fn set_fault(&self, py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<()> {
        let spec = match to_value(spec, "spec")? {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            _ => return Err(invalid_argument(py, "spec", "`spec` must be a str or None")),
        };
        let p = self.inner.clone();
        block_on(py, async move { p.set_fault(spec.as_deref()).await })?.map_err(|e| to_pyerr(py, &e))
    }

    /// The emulator's counters.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let p = self.inner.clone();
        let v = block_on(py, async move { p.stats().await })?.map_err(|e| to_pyerr(py, &e))?;
        to_plain(py, &v)
    }

    /// Drops every object, idempotency key and counter.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        let p = self.inner.clone();
        block_on(py, async move { p.reset().await })?.map_err(|e| to_pyerr(py, &e))
    }

    /// Moves the emulator's clock forward; returns `{now, offset_seconds}`.
    fn advance_clock<'py>(&self, py: Python<'py>, seconds: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let Some(seconds) = to_value(seconds, "seconds")?.as_f64() else {
            return Err(invalid_argument(py, "seconds", "`seconds` must be a number"));
        };
        let p = self.inner.clone();
        let v = block_on(py, async move { p.advance_clock(seconds).await })?.map_err(|e| to_pyerr(py, &e))?;
        to_plain(py, &v)
    }
}

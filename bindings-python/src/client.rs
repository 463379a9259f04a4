//! `NativeClient`: one core `Client` (configuration, connection pool, logger) and its JSON
//! calls. Lists, streams, transfers, turns and workers add their methods in their own modules.

use std::sync::{Arc, RwLock};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use qoder_cloud::auth::TokenProvider;
use qoder_cloud::options::Casing;
use qoder_cloud::{Client, Error, ErrorKind};
use serde_json::{Map, Value};

use crate::args::{pem_text, split};
use crate::convert::to_value;
use crate::errors::{invalid_argument, to_pyerr};
use crate::logging;
use crate::out::Out;

/// One client: configuration, connection pool and logger of the core.
#[pyclass(frozen, module = "qoder_cloud._native", name = "NativeClient")]
pub struct NativeClient {
    client: RwLock<Option<Client>>,
    /// The secrets this client was given (never exposed to Python), so that `with_options` can
    /// derive a client without Python holding them (`secrets_from`).
    secrets: Secrets,
    base_url: String,
    region: &'static str,
    timeout: f64,
    max_retries: u32,
    /// Whether methods return awaitables (`AsyncClient`) or block until done (`Client`): one
    /// native method per operation kind serves both.
    is_async: bool,
}

/// The options that are credentials: given together, they replace all inherited ones.
const CREDENTIALS: &[&str] = &[
    "access_token",
    "service_account_key",
    "service_account_exchange_url",
    "service_account_ttl",
    "service_account_scopes",
];

/// The secrets a client was built with (credential options and the client key, as given),
/// kept on the Rust side only.
#[derive(Clone, Default)]
struct Secrets {
    values: Map<String, Value>,
    provider: Option<Arc<dyn TokenProvider>>,
}

impl NativeClient {
    pub fn client(&self, py: Python<'_>) -> PyResult<Client> {
        match self.client.read().ok().and_then(|g| g.clone()) {
            Some(c) => Ok(c),
            None => Err(to_pyerr(py, &Error::new(ErrorKind::ClientClosed, "the client is closed"))),
        }
    }

    /// Runs `fut` the way this client answers: as an awaitable (async client), or to completion
    /// with the GIL released (sync client).
    pub fn finish<'py, F>(&self, py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: std::future::Future<Output = Out> + Send + 'static,
    {
        crate::bridge::finish(py, self.is_async, fut)
    }
}

#[pymethods]
impl NativeClient {
    /// `options`: the client options of `qoder_cloud.Client` (checked by the core's option
    /// table, `qoder_cloud::options`) plus `package_version`, `runtime`, `runtime_version`.
    #[new]
    #[pyo3(signature = (options, *, token_provider=None, secrets_from=None, is_async=false))]
    fn new(
        py: Python<'_>,
        options: &Bound<'_, PyDict>,
        token_provider: Option<&Bound<'_, PyAny>>,
        secrets_from: Option<PyRef<'_, NativeClient>>,
        is_async: bool,
    ) -> PyResult<Self> {
        // Certificates and keys may be paths (`os.PathLike`) or PEM bytes: text for the core.
        let options = options.copy()?;
        for key in ["ca_certs", "client_cert", "client_key"] {
            let Some(v) = options.get_item(key)?.filter(|v| !v.is_none()) else { continue };
            let pem = |x: &Bound<'_, PyAny>| {
                pem_text(x).map_err(|e| {
                    invalid_argument(
                        py,
                        key,
                        format!("{key}: expected a path (str or os.PathLike) or PEM str/bytes: {e}"),
                    )
                })
            };
            if key == "ca_certs" && (v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>()) {
                let items = v.try_iter()?.map(|x| pem(&x?)).collect::<PyResult<Vec<_>>>()?;
                options.set_item(key, items)?;
            } else {
                options.set_item(key, pem(&v)?)?;
            }
        }
        let Value::Object(mut map) = to_value(options.as_any(), "")? else { unreachable!("a dict") };
        let provider: Option<Arc<dyn TokenProvider>> = match token_provider.filter(|p| !p.is_none()) {
            Some(p) if !p.is_callable() => {
                return Err(invalid_argument(
                    py,
                    "token_provider",
                    "token_provider: expected a callable returning a token",
                ))
            }
            Some(p) => Some(Arc::new(crate::tools::PyTokenProvider::new(p.clone().unbind()))),
            None => None,
        };
        let given = |m: &Map<String, Value>, k: &str| m.get(k).is_some_and(|v| !v.is_null());
        let mut secrets = Secrets { provider, ..Default::default() };
        // Credentials given now replace all the inherited ones; else the inherited ones stay.
        if let Some(from) = secrets_from {
            if secrets.provider.is_none() && !CREDENTIALS.iter().any(|k| given(&map, k)) {
                map.extend(from.secrets.values.clone().into_iter().filter(|(k, _)| k != "client_key"));
                secrets.provider = from.secrets.provider.clone();
            }
            if !given(&map, "client_key") {
                map.extend(from.secrets.values.clone().into_iter().filter(|(k, _)| k == "client_key"));
            }
        }
        secrets.values = map
            .iter()
            .filter(|(k, v)| (CREDENTIALS.contains(&k.as_str()) || *k == "client_key") && !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut b = qoder_cloud::options::client_builder(Casing::Snake, "python", Value::Object(map))
            .map_err(|e| to_pyerr(py, &e))?;
        if let Some(p) = &secrets.provider {
            b = b.token_provider(p.clone());
        }
        let client = {
            let _guard = crate::runtime::runtime().enter();
            b.build().map_err(|e| to_pyerr(py, &e))?
        };
        client.set_logger(Some(logging::core_logger()));
        logging::refresh_level(py);
        let cfg = client.config();
        let region = match cfg.region() {
            qoder_cloud::Region::Global => "global",
            qoder_cloud::Region::Cn => "cn",
        };
        Ok(Self {
            secrets,
            base_url: cfg.base_url().to_string(),
            region,
            timeout: cfg.timeout().as_secs_f64(),
            max_retries: cfg.max_retries(),
            client: RwLock::new(Some(client)),
            is_async,
        })
    }

    /// Whether methods return awaitables (the `AsyncClient`'s native client).
    #[getter]
    pub(crate) fn is_async(&self) -> bool {
        self.is_async
    }

    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }
    #[getter]
    fn region(&self) -> &str {
        self.region
    }
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout
    }
    #[getter]
    fn max_retries(&self) -> u32 {
        self.max_retries
    }
    #[getter]
    fn closed(&self) -> bool {
        self.client.read().map(|g| g.is_none()).unwrap_or(true)
    }

    /// Closes the client (the core's `close`): calls in flight raise `ClientClosedError`, open
    /// streams close, later calls raise, and the pool is released once nothing uses it. Idempotent.
    fn close(&self) {
        if let Ok(mut g) = self.client.write() {
            if let Some(c) = g.take() {
                c.close();
            }
        }
    }

    /// Calls a JSON operation: its result object (or `None`), or an awaitable of it (async client).
    #[pyo3(signature = (op, kwargs, cls=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        logging::refresh_level(py);
        let client = self.client(py)?;
        let s = split(py, kwargs, false)?;
        let name = op.to_string();
        let cls = cls.map(Bound::unbind);
        self.finish(py, async move { Out::object(client.call(&name, s.args, s.opts).await, cls) })
    }
}

//! `NativeClient`: one core `Client` (configuration, connection pool, logger) and its JSON
//! calls. Lists, streams, transfers, turns and workers add their methods in their own modules.

use std::sync::RwLock;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};
use qoder_cloud::config::{Platform, Secret};
use qoder_cloud::net::{CaSource, NetOptions, SecretPem};
use qoder_cloud::{Client, Error, ErrorKind};

use crate::args::{count, pem_text, seconds, split, string_pairs};
use crate::bridge::spawn_py;
use crate::errors::{invalid_argument, to_pyerr};
use crate::logging;
use crate::out::Out;
use crate::runtime::block_on;

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

/// The secrets a client was built with, kept on the Rust side only.
#[derive(Clone, Default)]
struct Secrets {
    token: Option<Secret>,
    client_key: Option<SecretPem>,
    token_provider: Option<std::sync::Arc<dyn qoder_cloud::auth::TokenProvider>>,
    service_account: Option<qoder_cloud::auth::ServiceAccount>,
}

impl NativeClient {
    pub fn client(&self, py: Python<'_>) -> PyResult<Client> {
        match self.client.read().ok().and_then(|g| g.clone()) {
            Some(c) => Ok(c),
            None => Err(to_pyerr(
                py,
                &Error::new(ErrorKind::ClientClosed, "the client is closed"),
            )),
        }
    }

    /// Runs `fut` the way this client answers: as an awaitable (async client), or to completion
    /// with the GIL released (sync client).
    pub fn finish<'py, F>(&self, py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: std::future::Future<Output = Out> + Send + 'static,
    {
        if self.is_async {
            spawn_py(py, fut)
        } else {
            block_on(py, fut)?.into_pyobject(py)
        }
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (*, access_token=None, base_url=None, region=None, timeout=None, max_retries=None,
        default_headers=None, connect_timeout=None, total_timeout=None, stream_idle_timeout=None,
        max_body_bytes=None, max_event_bytes=None, ca_certs=None, proxy=None, client_cert=None, client_key=None,
        danger_accept_invalid_certs=None, max_streams_per_connection=None, max_response_bytes=None, max_error_bytes=None,
        max_header_bytes=None, max_retry_after=None, stream_stall_timeout=None, token_provider=None,
        service_account_key=None, service_account_exchange_url=None, service_account_ttl=None,
        service_account_scopes=None, secrets_from=None,
        package_version=None, runtime=None, runtime_version=None, is_async=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        access_token: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        region: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        default_headers: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        total_timeout: Option<&Bound<'_, PyAny>>,
        stream_idle_timeout: Option<&Bound<'_, PyAny>>,
        max_body_bytes: Option<usize>,
        max_event_bytes: Option<usize>,
        ca_certs: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        client_cert: Option<&Bound<'_, PyAny>>,
        client_key: Option<&Bound<'_, PyAny>>,
        danger_accept_invalid_certs: Option<&Bound<'_, PyAny>>,
        max_streams_per_connection: Option<&Bound<'_, PyAny>>,
        max_response_bytes: Option<&Bound<'_, PyAny>>,
        max_error_bytes: Option<&Bound<'_, PyAny>>,
        max_header_bytes: Option<&Bound<'_, PyAny>>,
        max_retry_after: Option<&Bound<'_, PyAny>>,
        stream_stall_timeout: Option<&Bound<'_, PyAny>>,
        token_provider: Option<&Bound<'_, PyAny>>,
        service_account_key: Option<&Bound<'_, PyAny>>,
        service_account_exchange_url: Option<&Bound<'_, PyAny>>,
        service_account_ttl: Option<&Bound<'_, PyAny>>,
        service_account_scopes: Option<&Bound<'_, PyAny>>,
        secrets_from: Option<PyRef<'_, NativeClient>>,
        package_version: Option<String>,
        runtime: Option<String>,
        runtime_version: Option<String>,
        is_async: bool,
    ) -> PyResult<Self> {
        let text = |name: &str, v: Option<&Bound<'_, PyAny>>| -> PyResult<Option<String>> {
            match v {
                None => Ok(None),
                Some(v) if v.is_none() => Ok(None),
                Some(v) => v
                    .extract()
                    .map(Some)
                    .map_err(|_| invalid_argument(py, name, format!("{name}: expected a str"))),
            }
        };
        let mut b = Client::builder();
        // Secrets not given again are taken from the client this one derives from.
        let inherited = secrets_from.map(|c| c.secrets.clone()).unwrap_or_default();
        let given_token = text("access_token", access_token)?.map(Secret::new);
        let provider: Option<std::sync::Arc<dyn qoder_cloud::auth::TokenProvider>> = match token_provider.filter(|p| !p.is_none()) {
            Some(p) if !p.is_callable() => return Err(invalid_argument(py, "token_provider", "token_provider: expected a callable returning a token")),
            Some(p) => Some(std::sync::Arc::new(crate::tools::PyTokenProvider::new(p.clone().unbind()))),
            None => None,
        };
        let sa = match text("service_account_key", service_account_key)? {
            Some(key) => {
                let mut sa = qoder_cloud::auth::ServiceAccount::new(key);
                if let Some(u) = text("service_account_exchange_url", service_account_exchange_url)? {
                    sa = sa.exchange_url(u);
                }
                if let Some(n) = count(py, "service_account_ttl", service_account_ttl.unwrap_or(&py.None().into_bound(py)))? {
                    sa = sa.ttl_seconds(n);
                }
                if let Some(sc) = service_account_scopes.filter(|v| !v.is_none()) {
                    let scopes: Vec<String> = if sc.is_instance_of::<pyo3::types::PyString>() {
                        return Err(invalid_argument(py, "service_account_scopes", "service_account_scopes: expected a list of scope names"));
                    } else {
                        sc.extract().map_err(|_| invalid_argument(py, "service_account_scopes", "service_account_scopes: expected a list of scope names"))?
                    };
                    sa = sa.scopes(scopes);
                }
                Some(sa)
            }
            None => None,
        };
        // Credentials given now replace all the inherited ones; else the inherited ones stay.
        let (token, provider, sa) = if given_token.is_some() || provider.is_some() || sa.is_some() {
            (given_token, provider, sa)
        } else {
            (inherited.token, inherited.token_provider, inherited.service_account)
        };
        if let Some(t) = &token {
            b = b.access_token(t.expose());
        }
        if let Some(p) = &provider {
            b = b.token_provider(p.clone());
        }
        if let Some(s) = &sa {
            b = b.service_account(s.clone());
        }
        if let Some(u) = text("base_url", base_url)? {
            b = b.base_url(u);
        }
        if let Some(r) = text("region", region)? {
            b = b.region(r);
        }
        let none = py.None().into_bound(py);
        if let Some(d) = seconds(py, "timeout", timeout.unwrap_or(&none))? {
            b = b.timeout(d);
        }
        if let Some(d) = seconds(py, "connect_timeout", connect_timeout.unwrap_or(&none))? {
            b = b.connect_timeout(d);
        }
        if let Some(d) = seconds(py, "total_timeout", total_timeout.unwrap_or(&none))? {
            b = b.total_deadline(d);
        }
        if let Some(d) = seconds(
            py,
            "stream_idle_timeout",
            stream_idle_timeout.unwrap_or(&none),
        )? {
            b = b.stream_idle_timeout(d);
        }
        if let Some(n) = count(py, "max_retries", max_retries.unwrap_or(&none))? {
            b = b.max_retries(n);
        }
        if let Some(n) = max_body_bytes {
            b = b.max_body_bytes(n);
        }
        if let Some(n) = max_event_bytes {
            b = b.max_event_bytes(n);
        }
        let mut headers = Vec::new();
        string_pairs(
            py,
            "default_headers",
            default_headers.unwrap_or(&none),
            &mut headers,
        )?;
        for (k, v) in headers {
            b = b.default_header(k, v);
        }
        let insecure = match danger_accept_invalid_certs.filter(|v| !v.is_none()) {
            None => false,
            Some(v) if v.is_instance_of::<PyBool>() => v.is_truthy()?,
            Some(_) => {
                return Err(invalid_argument(
                    py,
                    "danger_accept_invalid_certs",
                    "danger_accept_invalid_certs: expected a bool",
                ))
            }
        };
        let mut net = NetOptions {
            proxy: text("proxy", proxy)?,
            danger_accept_invalid_certs: insecure,
            ..Default::default()
        };
        if let Some(v) = ca_certs.filter(|v| !v.is_none()) {
            // One path or PEM, or a list of them.
            let items: Vec<Bound<'_, PyAny>> = if pem_text(v).is_ok() {
                vec![v.clone()]
            } else {
                v.try_iter()
                    .and_then(|it| it.collect::<PyResult<Vec<_>>>())
                    .map_err(|_| invalid_argument(py, "ca_certs", "ca_certs: expected a path, PEM str/bytes, or a list of them"))?
            };
            for item in items {
                let text = pem_text(&item).map_err(|_| {
                    invalid_argument(py, "ca_certs", "ca_certs: each item must be a path (str or os.PathLike) or PEM text (str, or bytes with a -----BEGIN line)")
                })?;
                net.extra_ca.push(CaSource::from_text(text));
            }
        }
        let one = |name: &str, v: Option<&Bound<'_, PyAny>>| -> PyResult<Option<String>> {
            match v.filter(|v| !v.is_none()) {
                None => Ok(None),
                Some(v) => pem_text(v)
                    .map(Some)
                    .map_err(|_| invalid_argument(py, name, format!("{name}: expected a path (str or os.PathLike) or PEM str/bytes"))),
            }
        };
        net.client_cert = one("client_cert", client_cert)?.map(CaSource::from_text);
        net.client_key = one("client_key", client_key)?.map(SecretPem::from_text).or(inherited.client_key);
        let secrets = Secrets { token, client_key: net.client_key.clone(), token_provider: provider, service_account: sa };
        b = b.network(net);
        if let Some(n) = count(py, "max_streams_per_connection", max_streams_per_connection.unwrap_or(&none))? {
            b = b.max_streams_per_connection(n as usize);
        }
        if let Some(n) = count(py, "max_response_bytes", max_response_bytes.unwrap_or(&none))? {
            b = b.max_response_bytes(n as usize);
        }
        if let Some(n) = count(py, "max_error_bytes", max_error_bytes.unwrap_or(&none))? {
            b = b.max_error_bytes(n as usize);
        }
        if let Some(n) = count(py, "max_header_bytes", max_header_bytes.unwrap_or(&none))? {
            b = b.max_header_bytes(n as usize);
        }
        if let Some(d) = seconds(py, "max_retry_after", max_retry_after.unwrap_or(&none))? {
            b = b.max_retry_after(d);
        }
        if let Some(d) = seconds(py, "stream_stall_timeout", stream_stall_timeout.unwrap_or(&none))? {
            b = b.stream_stall_timeout(d);
        }
        b = b.platform(Platform {
            lang: "python".into(),
            package_version: package_version.unwrap_or_else(|| env!("CARGO_PKG_VERSION").into()),
            runtime: runtime.unwrap_or_else(|| "CPython".into()),
            runtime_version: runtime_version.unwrap_or_else(|| "unknown".into()),
        });
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
        self.finish(py, async move {
            match client.call(&name, s.args, s.opts).await {
                Ok(resp) => Out::Object {
                    meta: resp.meta.clone(),
                    value: resp.into_inner(),
                    cls,
                },
                Err(e) => Out::Err(e),
            }
        })
    }
}

//! `NativeClient` (one core `Client`) and `NativePage` (one page of a list, able to fetch the next).

use std::sync::{OnceLock, RwLock};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::exceptions::PyValueError;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString};
use qoder_cloud::config::{Platform, Secret};
use qoder_cloud::net::{CaSource, NetOptions, SecretPem};
use qoder_cloud::operations::Operation;
use qoder_cloud::stream::{StreamEvent, StreamOptions};
use qoder_cloud::{Client, Error, ErrorKind, RequestOptions, ResponseMeta};
use serde_json::{Map, Value};

pub use crate::bridge::spawn_py;
use crate::convert::{json_text, to_plain, to_value};
use crate::errors::{invalid_argument, to_pyerr};
use crate::logging;
use crate::model::{event_from_stream, make_model, Meta, Ready};
use crate::runtime::block_on;
use crate::stream::{EventStream, StreamInner};

/// Everything a native future can resolve to; converted to Python (or raised) under the GIL.
pub enum Out {
    Object {
        value: Value,
        meta: ResponseMeta,
        cls: Option<Py<PyAny>>,
    },
    Page(Box<NativePage>),
    Event(StreamEvent),
    Events(Vec<StreamEvent>),
    Download(Box<qoder_cloud::upload::Download>, bool),
    Bytes(bytes::Bytes),
    Count(u64),
    StopAsync,
    Err(Error),
    PyErr(PyErr),
    Panic(String),
}

impl<'py> IntoPyObject<'py> for Out {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        logging::drain(py);
        match self {
            Out::Object {
                value: Value::Null, ..
            } => Ok(py.None().into_bound(py)),
            Out::Object { value, meta, cls } => make_model(
                py,
                value,
                Meta::from(&meta),
                cls.as_ref().map(|c| c.bind(py)),
            ),
            Out::Page(p) => Ok(Bound::new(py, *p)?.into_any()),
            Out::Event(ev) => event_from_stream(py, ev),
            Out::Events(evs) => {
                let l = PyList::empty(py);
                for ev in evs {
                    l.append(event_from_stream(py, ev)?)?;
                }
                Ok(l.into_any())
            }
            Out::Download(d, is_async) => {
                let inner = crate::transfer::DownloadInner::new(*d);
                if is_async {
                    Ok(Bound::new(py, crate::transfer::AsyncBinaryResponse { inner })?.into_any())
                } else {
                    Ok(Bound::new(py, crate::transfer::BinaryResponse { inner })?.into_any())
                }
            }
            Out::Bytes(b) => Ok(pyo3::types::PyBytes::new(py, &b).into_any()),
            Out::Count(n) => Ok(n.into_pyobject(py)?.into_any()),
            Out::PyErr(e) => Err(e),
            Out::StopAsync => Err(pyo3::exceptions::PyStopAsyncIteration::new_err(())),
            Out::Err(e) => Err(to_pyerr(py, &e)),
            Out::Panic(msg) => Err(crate::errors::panic_error(py, &msg)),
        }
    }
}

/// Per-call option names taken out of the keyword arguments.
const CALL_OPTIONS: &[&str] = &[
    "timeout",
    "max_retries",
    "idempotency_key",
    "extra_headers",
    "extra_query",
    "extra_body",
    "total_timeout",
];
/// Stream option names taken out of the keyword arguments of stream operations.
const STREAM_OPTIONS: &[&str] = &[
    "last_event_id",
    "event_deltas",
    "resume",
    "idle_timeout",
    "max_reconnect_attempts",
];

fn seconds(py: Python<'_>, name: &str, v: &Bound<'_, PyAny>) -> PyResult<Option<Duration>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<PyBool>() {
        return Err(invalid_argument(
            py,
            name,
            format!("{name}: expected seconds (a number), got a bool"),
        ));
    }
    let secs: f64 = v
        .extract()
        .map_err(|_| invalid_argument(py, name, format!("{name}: expected seconds (a number)")))?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(invalid_argument(
            py,
            name,
            format!("{name}: must be a finite number of seconds ≥ 0, got {secs}"),
        ));
    }
    Ok(Some(Duration::from_secs_f64(secs)))
}

/// A str (a path or PEM text), an `os.PathLike` (a path) or bytes (PEM text), as text; the core
/// decides path or PEM (`CaSource::from_text`), so bytes must hold a `-----BEGIN` line.
fn pem_text(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = v.extract::<String>() {
        return Ok(s);
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return String::from_utf8(b.as_bytes().to_vec())
            .ok()
            .filter(|s| s.contains("-----BEGIN "))
            .ok_or_else(|| PyValueError::new_err("bytes must be PEM text (with a -----BEGIN line)"));
    }
    let path = v.py().import("os")?.getattr("fspath")?.call1((v,))?;
    path.extract::<String>()
}

fn count(py: Python<'_>, name: &str, v: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<PyBool>() {
        return Err(invalid_argument(
            py,
            name,
            format!("{name}: expected an integer ≥ 0, got a bool"),
        ));
    }
    v.extract::<u32>()
        .map(Some)
        .map_err(|_| invalid_argument(py, name, format!("{name}: expected an integer ≥ 0")))
}

fn string_pairs(
    py: Python<'_>,
    name: &str,
    v: &Bound<'_, PyAny>,
    out: &mut Vec<(String, String)>,
) -> PyResult<()> {
    if v.is_none() {
        return Ok(());
    }
    let d = v
        .cast::<PyDict>()
        .map_err(|_| invalid_argument(py, name, format!("{name}: expected a dict")))?;
    for (k, x) in d.iter() {
        let key: String = k
            .extract()
            .map_err(|_| invalid_argument(py, name, format!("{name}: keys must be str")))?;
        let push = |out: &mut Vec<(String, String)>, x: &Bound<'_, PyAny>| -> PyResult<()> {
            match to_value(x, &format!("{name}.{key}"))? {
                Value::Null => {}
                Value::String(s) => out.push((key.clone(), s)),
                Value::Bool(b) => out.push((key.clone(), b.to_string())),
                Value::Number(n) => out.push((key.clone(), n.to_string())),
                _ => {
                    return Err(invalid_argument(
                        py,
                        name,
                        format!("{name}.{key}: expected a string, number or bool"),
                    ))
                }
            }
            Ok(())
        };
        if name == "extra_query" {
            if let Ok(l) = x.cast::<PyList>() {
                for item in l.iter() {
                    push(out, &item)?;
                }
                continue;
            }
        }
        push(out, &x)?;
    }
    Ok(())
}

/// Keyword arguments split into the operation's arguments and the request options.
pub struct Split {
    pub args: Value,
    pub opts: RequestOptions,
    pub stream: StreamOptions,
}

pub fn split(py: Python<'_>, kwargs: &Bound<'_, PyDict>, is_stream: bool) -> PyResult<Split> {
    let mut args = Map::with_capacity(kwargs.len());
    let mut opts = RequestOptions::default();
    let mut stream = StreamOptions::default();
    for (k, v) in kwargs.iter() {
        let key = k.cast::<PyString>()?.to_str()?;
        if CALL_OPTIONS.contains(&key) {
            match key {
                "timeout" => opts.timeout = seconds(py, key, &v)?,
                "total_timeout" => opts.total_deadline = seconds(py, key, &v)?,
                "max_retries" => opts.max_retries = count(py, key, &v)?,
                "idempotency_key" => {
                    if !v.is_none() {
                        // Its rules are the core's (checked when the call is made).
                        let s: String = v.extract().map_err(|_| {
                            invalid_argument(py, key, "idempotency_key: expected a str")
                        })?;
                        opts.idempotency_key = Some(s);
                    }
                }
                "extra_headers" => string_pairs(py, key, &v, &mut opts.extra_headers)?,
                "extra_query" => string_pairs(py, key, &v, &mut opts.extra_query)?,
                "extra_body" => {
                    if !v.is_none() {
                        match to_value(&v, key)? {
                            Value::Object(m) => opts.extra_body = Some(m),
                            _ => {
                                return Err(invalid_argument(
                                    py,
                                    key,
                                    "extra_body: expected a dict",
                                ))
                            }
                        }
                    }
                }
                _ => unreachable!(),
            }
            continue;
        }
        if is_stream && STREAM_OPTIONS.contains(&key) {
            match key {
                "last_event_id" => {
                    if !v.is_none() {
                        stream.last_event_id = Some(v.extract().map_err(|_| {
                            invalid_argument(py, key, "last_event_id: expected a str")
                        })?);
                    }
                }
                "event_deltas" => {
                    if !v.is_none() {
                        if v.is_instance_of::<PyString>() {
                            stream.event_deltas = vec![v.extract()?];
                        } else {
                            stream.event_deltas = v.extract().map_err(|_| {
                                invalid_argument(py, key, "event_deltas: expected a list of str")
                            })?;
                        }
                    }
                }
                "resume" => {
                    stream.resume = v
                        .extract()
                        .map_err(|_| invalid_argument(py, key, "resume: expected a bool"))?;
                }
                "idle_timeout" => stream.idle_timeout = seconds(py, key, &v)?,
                "max_reconnect_attempts" => {
                    if let Some(n) = count(py, key, &v)? {
                        stream.max_reconnect_attempts = n;
                    }
                }
                _ => unreachable!(),
            }
            continue;
        }
        args.insert(key.to_string(), to_value(&v, key)?);
    }
    Ok(Split {
        args: Value::Object(args),
        opts,
        stream,
    })
}

fn find_op(py: Python<'_>, name: &str) -> PyResult<&'static Operation> {
    qoder_cloud::operations::find(name)
        .ok_or_else(|| invalid_argument(py, "operation", format!("unknown operation {name:?}")))
}

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
        package_version=None, runtime=None, runtime_version=None))]
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
        })
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

    /// Calls a JSON operation and returns its result object (or `None`), blocking.
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
        let r = block_on(py, async move { client.call(&name, s.args, s.opts).await })?;
        let out = match r {
            Ok(resp) => Out::Object {
                meta: resp.meta.clone(),
                value: resp.into_inner(),
                cls: cls.map(Bound::unbind),
            },
            Err(e) => Out::Err(e),
        };
        out.into_pyobject(py)
    }

    /// Calls a JSON operation; returns an awaitable of its result object (or `None`).
    #[pyo3(signature = (op, kwargs, cls=None))]
    fn acall<'py>(
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
        spawn_py(py, async move {
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

    /// Fetches the first page of a list operation, blocking.
    #[pyo3(signature = (op, kwargs, cls=None))]
    fn page<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        logging::refresh_level(py);
        let client = self.client(py)?;
        let op = list_op(py, op)?;
        let s = split(py, kwargs, false)?;
        let fut = fetch_page(client, op, s.args, s.opts, cls.map(Bound::unbind));
        block_on(py, fut)?.into_pyobject(py)
    }

    /// Fetches the first page of a list operation; returns an awaitable of the page.
    #[pyo3(signature = (op, kwargs, cls=None))]
    fn apage<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        logging::refresh_level(py);
        let client = self.client(py)?;
        let op = list_op(py, op)?;
        let s = split(py, kwargs, false)?;
        spawn_py(
            py,
            fetch_page(client, op, s.args, s.opts, cls.map(Bound::unbind)),
        )
    }

    /// A self-hosted environment worker (not started): see `qoder_cloud.EnvironmentWorker`.
    #[pyo3(signature = (environment_id, handler, kwargs, is_async))]
    fn worker(
        &self,
        py: Python<'_>,
        environment_id: String,
        handler: Bound<'_, PyAny>,
        kwargs: Bound<'_, PyDict>,
        is_async: bool,
    ) -> PyResult<crate::worker::NativeWorker> {
        self.worker_impl(py, environment_id, handler, &kwargs, is_async)
    }

    /// `files.upload` (blocking): `file` is a path, bytes, a binary file object or a
    /// `(filename, content)` tuple; other keywords are the form fields and call options.
    #[pyo3(signature = (kwargs, cls=None))]
    fn upload_file<'py>(
        &self,
        py: Python<'py>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.upload_file_impl(py, kwargs, cls, false)
    }
    /// `files.upload` (awaitable).
    #[pyo3(signature = (kwargs, cls=None))]
    fn aupload_file<'py>(
        &self,
        py: Python<'py>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.upload_file_impl(py, kwargs, cls, true)
    }
    /// `skills.create` (`skill_id=None`) or `skills.versions.create` (blocking).
    #[pyo3(signature = (skill_id, kwargs, cls=None))]
    fn upload_skill<'py>(
        &self,
        py: Python<'py>,
        skill_id: Option<String>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.upload_skill_impl(py, skill_id, kwargs, cls, false)
    }
    /// `skills.create` / `skills.versions.create` (awaitable).
    #[pyo3(signature = (skill_id, kwargs, cls=None))]
    fn aupload_skill<'py>(
        &self,
        py: Python<'py>,
        skill_id: Option<String>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.upload_skill_impl(py, skill_id, kwargs, cls, true)
    }
    /// `files.download` (blocking): a `BinaryResponse`.
    fn download_file<'py>(
        &self,
        py: Python<'py>,
        file_id: String,
        kwargs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.download_impl(
            py,
            crate::transfer::DownloadTarget::File(file_id),
            kwargs,
            false,
        )
    }
    /// `files.download` (awaitable of an `AsyncBinaryResponse`).
    fn adownload_file<'py>(
        &self,
        py: Python<'py>,
        file_id: String,
        kwargs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.download_impl(
            py,
            crate::transfer::DownloadTarget::File(file_id),
            kwargs,
            true,
        )
    }
    /// `skills.versions.download` (blocking).
    fn download_skill_version<'py>(
        &self,
        py: Python<'py>,
        skill_id: String,
        version: String,
        kwargs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.download_impl(
            py,
            crate::transfer::DownloadTarget::SkillVersion(skill_id, version),
            kwargs,
            false,
        )
    }
    /// `skills.versions.download` (awaitable).
    fn adownload_skill_version<'py>(
        &self,
        py: Python<'py>,
        skill_id: String,
        version: String,
        kwargs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.download_impl(
            py,
            crate::transfer::DownloadTarget::SkillVersion(skill_id, version),
            kwargs,
            true,
        )
    }
    /// The core's turn helper (blocking): sends `text` (or `events`) and waits for the turn to end.
    #[pyo3(signature = (session_id, text, events, kwargs, cls=None))]
    fn run_turn<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        text: Option<String>,
        events: Option<Bound<'py, PyAny>>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run_turn_impl(py, session_id, text, events, kwargs, cls, false)
    }
    /// The core's turn helper (awaitable).
    #[pyo3(signature = (session_id, text, events, kwargs, cls=None))]
    fn arun_turn<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        text: Option<String>,
        events: Option<Bound<'py, PyAny>>,
        kwargs: &Bound<'py, PyDict>,
        cls: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run_turn_impl(py, session_id, text, events, kwargs, cls, true)
    }

    /// Opens an event stream for the sync client (`for event in stream`).
    fn stream(
        &self,
        py: Python<'_>,
        op: &str,
        kwargs: &Bound<'_, PyDict>,
    ) -> PyResult<EventStream> {
        Ok(EventStream {
            inner: self.open_stream(py, op, kwargs)?,
            is_async: false,
        })
    }

    /// Opens an event stream for the async client (`async for event in stream`).
    fn astream(
        &self,
        py: Python<'_>,
        op: &str,
        kwargs: &Bound<'_, PyDict>,
    ) -> PyResult<EventStream> {
        Ok(EventStream {
            inner: self.open_stream(py, op, kwargs)?,
            is_async: true,
        })
    }
}

impl NativeClient {
    fn open_stream(
        &self,
        py: Python<'_>,
        op: &str,
        kwargs: &Bound<'_, PyDict>,
    ) -> PyResult<StreamInner> {
        logging::refresh_level(py);
        let client = self.client(py)?;
        let s = split(py, kwargs, true)?;
        let mut opts = s.stream;
        opts.request = s.opts;
        let last = opts.last_event_id.clone();
        let stream = {
            let _guard = crate::runtime::runtime().enter();
            client
                .stream(op, s.args, opts)
                .map_err(|e| to_pyerr(py, &e))?
        };
        Ok(StreamInner::new(stream, last))
    }
}

fn list_op(py: Python<'_>, name: &str) -> PyResult<&'static Operation> {
    let op = find_op(py, name)?;
    if !op.is_paginated() {
        return Err(invalid_argument(
            py,
            "operation",
            format!("{name} is not a list operation"),
        ));
    }
    Ok(op)
}

async fn fetch_page(
    client: Client,
    op: &'static Operation,
    args: Value,
    opts: RequestOptions,
    cls: Option<Py<PyAny>>,
) -> Out {
    match client.call(&op.name, args.clone(), opts.clone()).await {
        Ok(resp) => Out::Page(Box::new(NativePage {
            client,
            op,
            args,
            opts,
            meta: resp.meta.clone(),
            page: resp.into_inner(),
            cls,
            data: OnceLock::new(),
        })),
        Err(e) => Out::Err(e),
    }
}

/// One page of a list: `data`, `has_more`, cursors, and what it takes to fetch the next page.
#[pyclass(frozen, module = "qoder_cloud._native", name = "NativePage")]
pub struct NativePage {
    client: Client,
    op: &'static Operation,
    args: Value,
    opts: RequestOptions,
    page: Value,
    meta: ResponseMeta,
    cls: Option<Py<PyAny>>,
    data: OnceLock<Py<PyList>>,
}

impl NativePage {
    fn str_field(&self, k: &str) -> Option<String> {
        self.page.get(k).and_then(Value::as_str).map(str::to_string)
    }

    fn next_args(&self, py: Python<'_>) -> PyResult<Option<Value>> {
        qoder_cloud::pagination::next_page_args(self.op, &self.args, &self.page)
            .map_err(|e| to_pyerr(py, &e))
    }
}

#[pymethods]
impl NativePage {
    /// The items of this page (result objects).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        if let Some(d) = self.data.get() {
            return Ok(d.bind(py).clone());
        }
        let l = PyList::empty(py);
        if let Some(Value::Array(items)) = self.page.get("data") {
            let cls = self.cls.as_ref().map(|c| c.bind(py));
            for it in items {
                l.append(make_model(py, it.clone(), Meta::default(), cls)?)?;
            }
        }
        let _ = self.data.set(l.clone().unbind());
        Ok(l)
    }
    #[getter]
    fn has_more(&self) -> bool {
        self.page
            .get("has_more")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    #[getter]
    fn first_id(&self) -> Option<String> {
        self.str_field("first_id")
    }
    #[getter]
    fn last_id(&self) -> Option<String> {
        self.str_field("last_id")
    }
    #[getter]
    fn next_page(&self) -> Option<String> {
        self.str_field("next_page")
    }
    #[getter]
    fn request_id(&self) -> Option<String> {
        self.meta.request_id.clone()
    }
    #[getter]
    fn operation(&self) -> &str {
        &self.op.name
    }
    /// Whether another page follows (by the operation's cursor rules).
    fn has_next_page(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.next_args(py)?.is_some())
    }
    /// Fetches the next page, blocking; `None` at the end.
    fn fetch_next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let Some(args) = self.next_args(py)? else {
            return Ok(py.None().into_bound(py));
        };
        let cls = self.cls.as_ref().map(|c| c.clone_ref(py));
        let fut = fetch_page(self.client.clone(), self.op, args, self.opts.clone(), cls);
        block_on(py, fut)?.into_pyobject(py)
    }
    /// Fetches the next page; returns an awaitable of the page, or of `None` at the end.
    fn afetch_next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let Some(args) = self.next_args(py)? else {
            return Ready::none(py);
        };
        let cls = self.cls.as_ref().map(|c| c.clone_ref(py));
        spawn_py(
            py,
            fetch_page(self.client.clone(), self.op, args, self.opts.clone(), cls),
        )
    }
    /// The raw page as plain data.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_plain(py, &self.page)
    }
    #[pyo3(signature = (*, indent = Some(2)))]
    fn to_json(&self, indent: Option<usize>) -> String {
        json_text(&self.page, indent)
    }
    /// A page field this version does not model.
    fn extra<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.page.get(name) {
            None => Ok(None),
            Some(v) => Ok(Some(to_plain(py, v)?)),
        }
    }
    fn __len__(&self) -> usize {
        self.page
            .get("data")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    }
}

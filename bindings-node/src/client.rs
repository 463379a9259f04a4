//! `NativeClient`: one core [`Client`] plus the bookkeeping `close()` needs.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use qoder_cloud::net::{CaSource, NetOptions, SecretPem};
use qoder_cloud::config::Platform;
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::{Client, RequestOptions};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::cancel::CancelToken;
use crate::error;
use crate::stream::{NativeStream, StreamState};

/// Client configuration (camelCase in JS). Durations are milliseconds.
#[napi(object)]
#[derive(Default)]
pub struct ClientConfig {
    pub access_token: Option<String>,
    pub base_url: Option<String>,
    pub region: Option<String>,
    pub timeout_ms: Option<f64>,
    pub connect_timeout_ms: Option<f64>,
    pub total_deadline_ms: Option<f64>,
    pub max_retries: Option<u32>,
    pub default_headers: Option<Vec<Vec<String>>>,
    pub stream_idle_timeout_ms: Option<f64>,
    pub max_event_bytes: Option<f64>,
    pub max_body_bytes: Option<f64>,
    /// Extra trusted CAs: each a PEM file path or PEM text (the core tells them apart).
    pub ca_certs: Option<Vec<String>>,
    /// Proxy URL for every request.
    pub proxy: Option<String>,
    /// Client certificate chain for mTLS: a PEM file path or PEM text.
    pub client_cert: Option<String>,
    /// The client certificate's private key: a PEM file path or PEM text.
    pub client_key: Option<String>,
    /// Turns certificate verification off (test servers only; a warning is logged).
    pub danger_accept_invalid_certs: Option<bool>,
    /// Event streams per HTTP/2 connection (default 100).
    pub max_streams_per_connection: Option<u32>,
    /// Largest successful response body read into memory (default 64 MiB).
    pub max_response_bytes: Option<f64>,
    /// Largest error body kept (default 1 MiB).
    pub max_error_bytes: Option<f64>,
    /// Largest response head (default 256 KiB).
    pub max_header_bytes: Option<f64>,
    /// Longest `Retry-After` slept on before a retry, ms (default 60 000).
    pub max_retry_after_ms: Option<f64>,
    /// Longest a stream may go without an event before it is resumed, ms (default 300 000).
    pub stream_stall_timeout_ms: Option<f64>,
    /// A service-account key the client exchanges for short-lived tokens.
    pub service_account_key: Option<String>,
    /// The exchange endpoint (default: the region's).
    pub service_account_exchange_url: Option<String>,
    /// Lifetime of the tokens asked for, seconds (default 3600).
    pub service_account_ttl: Option<u32>,
    /// Scopes asked for (default `["qca.access"]`).
    pub service_account_scopes: Option<Vec<String>>,
    /// `X-Qoder-Package-Version` (the npm package version).
    pub package_version: Option<String>,
    /// `X-Qoder-Runtime-Version` (`process.versions.node`).
    pub runtime_version: Option<String>,
}

/// Per-call overrides (camelCase in JS). Headers and query are `[name, value]` pairs.
#[napi(object)]
#[derive(Default)]
pub struct CallOptions {
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<u32>,
    pub idempotency_key: Option<String>,
    pub headers: Option<Vec<Vec<String>>>,
    pub query: Option<Vec<Vec<String>>>,
    /// Extra top-level body fields, as a JSON object string.
    pub body_json: Option<String>,
    pub total_deadline_ms: Option<f64>,
}

/// Stream options (camelCase in JS).
#[napi(object)]
#[derive(Default)]
pub struct StreamConfig {
    pub last_event_id: Option<String>,
    pub event_deltas: Option<Vec<String>>,
    pub resume: Option<bool>,
    pub idle_timeout_ms: Option<f64>,
    pub max_reconnect_attempts: Option<u32>,
    pub buffer_batches: Option<u32>,
    pub request: Option<CallOptions>,
}

/// What a JSON call resolves to: the body as JSON text plus metadata.
#[napi(object)]
pub struct CallResult {
    /// The response body as JSON text (`null` for an empty optional result).
    pub body: String,
    pub status: u32,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub retries: u32,
    /// For list operations: the arguments of the next page as JSON text, absent at the end.
    pub next_args: Option<String>,
    /// For list operations whose page cannot be followed (a repeated cursor): the encoded error
    /// `nextPage()` throws. The page itself is still returned.
    pub next_error: Option<String>,
}

fn millis(name: &str, v: Option<f64>) -> Result<Option<Duration>> {
    match v {
        None => Ok(None),
        Some(ms) if ms.is_finite() && ms >= 0.0 => Ok(Some(Duration::from_micros((ms * 1000.0) as u64))),
        Some(_) => Err(error::invalid(name, format!("{name} must be a finite, non-negative number of milliseconds"))),
    }
}

fn pairs(name: &str, v: Option<Vec<Vec<String>>>) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for p in v.unwrap_or_default() {
        let [k, v]: [String; 2] = p
            .try_into()
            .map_err(|_| error::invalid(name, format!("{name}: expected [name, value] pairs")))?;
        out.push((k, v));
    }
    Ok(out)
}

pub(crate) fn request_options(o: Option<CallOptions>) -> Result<RequestOptions> {
    let Some(o) = o else { return Ok(RequestOptions::default()) };
    let extra_body = match o.body_json {
        None => None,
        Some(s) => match serde_json::from_str::<Value>(&s) {
            Ok(Value::Object(m)) => Some(m),
            Ok(Value::Null) => None,
            _ => return Err(error::invalid("body", "extra body must be a JSON object")),
        },
    };
    Ok(RequestOptions {
        timeout: millis("timeout", o.timeout_ms)?,
        max_retries: o.max_retries,
        idempotency_key: o.idempotency_key,
        extra_headers: pairs("headers", o.headers)?,
        extra_query: pairs("query", o.query)?,
        extra_body,
        total_deadline: millis("totalDeadline", o.total_deadline_ms)?,
    })
}

pub(crate) fn parse_args(args: &str) -> Result<Value> {
    serde_json::from_str(args).map_err(|e| error::invalid("arguments", format!("arguments are not valid JSON: {e}")))
}

/// One API client: a connection pool, configuration and logger (the core's `Client`, which
/// also closes calls in flight and open streams when it is closed).
#[napi]
pub struct NativeClient {
    /// `None` once closed, so the pool is released when the last call or stream using it ends.
    client: RwLock<Option<Client>>,
}

#[napi]
impl NativeClient {
    /// Resolves the configuration exactly like the core (argument, then `QODER_*` env vars).
    /// `tokenProvider`, when given, is asked for the token before every attempt (it resolves a
    /// string; see `lib/options.js` for the wrapper around the user's function).
    #[napi(constructor)]
    pub fn new(config: Option<ClientConfig>, token_provider: Option<Function<'_, String, Promise<String>>>) -> Result<Self> {
        let provider = match token_provider {
            Some(f) => Some(Arc::new(crate::tools::JsTokenProvider(Arc::new(f.build_threadsafe_function::<String>().weak::<true>().build()?)))),
            None => None,
        };
        error::guard(|| {
            let c = config.unwrap_or_default();
            let mut b = Client::builder();
            if let Some(t) = c.access_token {
                b = b.access_token(t);
            }
            if let Some(p) = provider {
                b = b.token_provider(p);
            }
            if let Some(key) = c.service_account_key {
                let mut sa = qoder_cloud::auth::ServiceAccount::new(key);
                if let Some(u) = c.service_account_exchange_url {
                    sa = sa.exchange_url(u);
                }
                if let Some(t) = c.service_account_ttl {
                    sa = sa.ttl_seconds(t);
                }
                if let Some(sc) = c.service_account_scopes {
                    sa = sa.scopes(sc);
                }
                b = b.service_account(sa);
            }
            if let Some(u) = c.base_url {
                b = b.base_url(u);
            }
            if let Some(r) = c.region {
                b = b.region(r);
            }
            if let Some(d) = millis("timeout", c.timeout_ms)? {
                b = b.timeout(d);
            }
            if let Some(d) = millis("connectTimeout", c.connect_timeout_ms)? {
                b = b.connect_timeout(d);
            }
            if let Some(d) = millis("totalDeadline", c.total_deadline_ms)? {
                b = b.total_deadline(d);
            }
            if let Some(n) = c.max_retries {
                b = b.max_retries(n);
            }
            for (k, v) in pairs("defaultHeaders", c.default_headers)? {
                b = b.default_header(k, v);
            }
            if let Some(d) = millis("streamIdleTimeout", c.stream_idle_timeout_ms)? {
                b = b.stream_idle_timeout(d);
            }
            if let Some(n) = c.max_event_bytes {
                b = b.max_event_bytes(n.max(1.0) as usize);
            }
            if let Some(n) = c.max_body_bytes {
                b = b.max_body_bytes(n.max(0.0) as usize);
            }
            b = b.network(NetOptions {
                extra_ca: c.ca_certs.unwrap_or_default().into_iter().map(CaSource::from_text).collect(),
                proxy: c.proxy,
                client_cert: c.client_cert.map(CaSource::from_text),
                client_key: c.client_key.map(SecretPem::from_text),
                danger_accept_invalid_certs: c.danger_accept_invalid_certs.unwrap_or(false),
            });
            if let Some(n) = c.max_streams_per_connection {
                b = b.max_streams_per_connection(n as usize);
            }
            if let Some(n) = c.max_response_bytes {
                b = b.max_response_bytes(n as usize);
            }
            if let Some(n) = c.max_error_bytes {
                b = b.max_error_bytes(n as usize);
            }
            if let Some(n) = c.max_header_bytes {
                b = b.max_header_bytes(n as usize);
            }
            if let Some(d) = millis("maxRetryAfter", c.max_retry_after_ms)? {
                b = b.max_retry_after(d);
            }
            if let Some(d) = millis("streamStallTimeout", c.stream_stall_timeout_ms)? {
                b = b.stream_stall_timeout(d);
            }
            b = b.platform(Platform {
                lang: "node".into(),
                package_version: c.package_version.unwrap_or_else(|| qoder_cloud::VERSION.to_string()),
                runtime: "node".into(),
                runtime_version: c.runtime_version.unwrap_or_else(|| "unknown".into()),
            });
            let client = b.build().map_err(|e| error::from_core(&e))?;
            Ok(Self { client: RwLock::new(Some(client)) })
        })
    }

    pub(crate) fn client(&self) -> Result<Client> {
        self.client
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or_else(|| error::other("client_closed", "the client is closed"))
    }

    /// Installs a logger receiving records at `level` and above as JSON strings, or removes it.
    #[napi]
    pub fn set_logger(&self, level: Option<String>, sink: Option<Function<'_, String, ()>>) -> Result<()> {
        error::guard(|| {
            let client = self.client()?;
            let logger = match (level.as_deref().and_then(crate::logger::parse_level), sink) {
                (Some(l), Some(f)) => Some(crate::logger::make(l, f)?),
                _ => None,
            };
            client.set_logger(logger);
            Ok(())
        })
    }

    /// Base URL in force (for diagnostics; never includes the token).
    #[napi(getter)]
    pub fn base_url(&self) -> Result<String> {
        Ok(self.client()?.config().base_url().to_string())
    }

    /// Calls the JSON operation `op` with `args` (a JSON object string).
    #[napi]
    pub fn call<'e>(
        &self,
        env: &'e Env,
        op: String,
        args: String,
        options: Option<CallOptions>,
        token: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'e, CallResult>> {
        let prepared = error::guard(|| Ok((self.client()?, parse_args(&args)?, request_options(options)?)));
        let user = token.map(|t| t.token.clone());
        let closed = self.client().ok();
        env.spawn_future(error::catch_future(cancellable(user, closed, async move {
            let (client, args, opts) = prepared?;
            run_call(client, op, args, opts).await
        })))
    }

    /// Opens an event stream for the stream operation `op`. Fails synchronously on bad arguments;
    /// connection errors surface from the first `nextBatch`.
    #[napi]
    pub fn stream(&self, op: String, args: String, config: Option<StreamConfig>) -> Result<NativeStream> {
        error::guard(|| {
            let client = self.client()?;
            let args = parse_args(&args)?;
            let c = config.unwrap_or_default();
            let defaults = StreamOptions::default();
            let opts = StreamOptions {
                last_event_id: c.last_event_id,
                event_deltas: c.event_deltas.unwrap_or_default(),
                resume: c.resume.unwrap_or(defaults.resume),
                idle_timeout: millis("idleTimeout", c.idle_timeout_ms)?,
                max_reconnect_attempts: c.max_reconnect_attempts.unwrap_or(defaults.max_reconnect_attempts),
                buffer_batches: c.buffer_batches.map(|n| n.max(1) as usize).unwrap_or(defaults.buffer_batches),
                request: request_options(c.request)?,
            };
            // EventStream spawns its reader on the ambient runtime: enter napi's.
            let s = napi::bindgen_prelude::within_runtime_if_available(|| client.stream(&op, args, opts))
                .map_err(|e| error::from_core(&e))?;
            Ok(NativeStream::new(Arc::new(StreamState::new(s))))
        })
    }

    /// Closes the client (the core's `close`): in-flight calls reject, live streams close, the
    /// logger is removed and the connection pool is released once nothing uses it. Idempotent.
    #[napi]
    pub fn close(&self) {
        if let Ok(mut g) = self.client.write() {
            if let Some(c) = g.take() {
                c.close();
            }
        }
    }

    /// Whether `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.client.read().map(|g| g.is_none()).unwrap_or(true)
    }
}

async fn cancelled(t: Option<CancellationToken>) {
    match t {
        Some(t) => t.cancelled().await,
        None => std::future::pending().await,
    }
}

async fn client_closed(c: Option<Client>) {
    match c {
        Some(c) => c.closed().await,
        None => std::future::pending().await,
    }
}

/// Runs `work` until it finishes, the caller's token fires (AbortSignal: `cancelled`) or the
/// client closes (`client_closed`, for work spanning several calls, such as a download's body).
/// Dropping `work` drops its connection and ends any sleep.
pub(crate) async fn cancellable<T>(
    user: Option<CancellationToken>,
    client: Option<Client>,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    tokio::select! {
        biased;
        _ = client_closed(client) => Err(error::other("client_closed", "the client was closed while the call was in flight")),
        _ = cancelled(user) => Err(error::cancelled("request aborted by the caller")),
        r = work => r,
    }
}

async fn run_call(client: Client, op: String, args: Value, opts: RequestOptions) -> Result<CallResult> {
    let def = qoder_cloud::operations::find(&op);
    let page_args = def.filter(|d| d.is_paginated()).map(|_| args.clone());
    let resp = client.call(&op, args, opts).await.map_err(|e| error::from_core(&e))?;
    let data: &Value = &resp; // Response<Value> derefs to its value
    let (next_args, next_error) = match (def, page_args) {
        (Some(d), Some(a)) => match qoder_cloud::pagination::next_page_args(d, &a, data) {
            Ok(next) => (next.map(|v| v.to_string()), None),
            Err(e) => (None, Some(error::from_core(&e).reason)),
        },
        _ => (None, None),
    };
    let body = serde_json::to_string(data).map_err(|e| error::internal(e.to_string()))?;
    Ok(CallResult {
        body,
        status: u32::from(resp.meta.status),
        request_id: resp.meta.request_id.clone(),
        idempotency_key: resp.meta.idempotency_key.clone(),
        retries: resp.meta.retries,
        next_args,
        next_error,
    })
}


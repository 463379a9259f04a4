//! `NativeClient`: one core [`Client`] plus the bookkeeping `close()` needs.

use std::sync::{Arc, RwLock};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use qoder_cloud::options::{self, Casing};
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::{Client, RequestOptions};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::cancel::CancelToken;
use crate::error;
use crate::stream::{NativeStream, StreamState};

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

/// The per-call options (with `stream`, also a stream's options) from the JSON text of the JS
/// options object without its JS-only keys (`signal`, `batchSize`): the core's option table
/// checks and converts them (camelCase names, durations in milliseconds).
pub(crate) fn call_options(json: Option<String>, stream: bool) -> Result<(RequestOptions, StreamOptions)> {
    options::call_options(Casing::Camel, parse_options(json)?, stream).map_err(|e| error::from_core(&e))
}

/// An options object from its JSON text (absent: `{}`).
pub(crate) fn parse_options(json: Option<String>) -> Result<Value> {
    match json {
        Some(s) => {
            serde_json::from_str(&s).map_err(|e| error::invalid("options", format!("options are not valid JSON: {e}")))
        }
        None => Ok(Value::Object(Default::default())),
    }
}

pub(crate) fn request_options(json: Option<String>) -> Result<RequestOptions> {
    Ok(call_options(json, false)?.0)
}

/// Checks per-call options (JSON text; with `stream`, a stream's options too) now, so a method
/// whose request starts later (a list) still throws at once.
#[napi]
pub fn check_call_options(options: String, stream: bool) -> Result<()> {
    call_options(Some(options), stream).map(drop)
}

/// The names of the per-call options (`stream`: of a stream's extra options), as JS spells them.
#[napi]
pub fn call_option_names(stream: bool) -> Vec<String> {
    options::call_option_names(Casing::Camel, stream)
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
    /// `config` is JSON text of the client options (camelCase; durations in milliseconds),
    /// checked by the core's option table. `tokenProvider`, when given, is asked for the token
    /// before every attempt (it resolves a string; see `lib/options.js` for the wrapper around
    /// the user's function).
    #[napi(constructor)]
    pub fn new(config: Option<String>, token_provider: Option<Function<'_, String, Promise<String>>>) -> Result<Self> {
        let provider = match token_provider {
            Some(f) => Some(Arc::new(crate::tools::JsTokenProvider(Arc::new(
                f.build_threadsafe_function::<String>().weak::<true>().build()?,
            )))),
            None => None,
        };
        error::guard(|| {
            let mut b = options::client_builder(Casing::Camel, "node", parse_options(config)?)
                .map_err(|e| error::from_core(&e))?;
            if let Some(p) = provider {
                b = b.token_provider(p);
            }
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
        options: Option<String>,
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
    pub fn stream(&self, op: String, args: String, options: Option<String>) -> Result<NativeStream> {
        error::guard(|| {
            let client = self.client()?;
            let args = parse_args(&args)?;
            let (request, opts) = call_options(options, true)?;
            let opts = StreamOptions { request, ..opts };
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

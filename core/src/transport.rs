//! HTTP transport: headers, idempotency keys, timeouts, retries and the body-size limit.
//!
//! One [`Transport`] per client owns one connection pool. Every logical call goes through
//! [`Transport::execute`] (JSON and binary bodies) or [`Transport::open`] (streams): the
//! `Idempotency-Key` is minted once per logical call and re-sent unchanged on every attempt,
//! and the whole call (all attempts and sleeps) can be bounded by a total deadline.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use tokio::time::Instant;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{self, LogLevel, LogRecord, Logger};
use crate::retry;

pub use crate::call::{
    ApiRequest, FormFactory, OpenResponse, RawResponse, RequestBody, RequestOptions, ResponseMeta, RetryMode,
};

/// A stream response whose body is still to be read.
pub(crate) struct OpenStream {
    /// The body.
    pub(crate) body: crate::stream_body::StreamBody,
}

/// What a call wants from the response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// The whole body, read.
    Read,
    /// The live reqwest response (downloads).
    Open,
    /// An event stream's body (on a stream connection, see `stream_pool`).
    Stream,
}

/// The HTTP machinery of one client.
pub struct Transport {
    pub(crate) config: Config,
    pub(crate) http: reqwest::Client,
    /// For pre-signed storage URLs: no default headers, no credentials, no cookies.
    pub(crate) bare: reqwest::Client,
    /// Connections for event streams (see `stream_pool`); `None` with `pooled_streams`, where
    /// streams share `http`.
    stream_pool: Option<crate::stream_pool::StreamPool>,
    pub(crate) logger: std::sync::RwLock<Option<Logger>>,
    user_agent: String,
    os: &'static str,
    arch: &'static str,
    /// Safety warnings not logged yet (see `warn_once`).
    warnings: std::sync::Mutex<Vec<String>>,
    warnings_pending: std::sync::atomic::AtomicBool,
    /// The bearer tokens (see `auth`).
    auth: crate::auth::Auth,
    /// Tripped by [`crate::Client::close`]: calls in flight end with `client_closed`, and every
    /// event stream's own token is a child of it, so closing the client closes its streams.
    pub(crate) closed: tokio_util::sync::CancellationToken,
}

fn os_name() -> &'static str {
    match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "MacOS",
        "windows" => "Windows",
        "freebsd" => "FreeBSD",
        "openbsd" => "OpenBSD",
        "android" => "Android",
        "ios" => "iOS",
        _ => "Other",
    }
}

fn arch_name() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x64",
        "x86" => "x32",
        "aarch64" => "arm64",
        "arm" => "arm",
        _ => "other",
    }
}

pub(crate) fn request_id_of(h: &HeaderMap) -> Option<String> {
    h.get("x-request-id").or_else(|| h.get("request-id")).and_then(|v| v.to_str().ok()).map(str::to_string)
}

impl Transport {
    /// A reqwest client with the configuration's trust, proxy, timeouts and pool settings.
    fn reqwest_client(config: &Config, b: reqwest::ClientBuilder) -> Result<reqwest::Client> {
        config
            .net
            .apply(b)?
            .connect_timeout(config.connect_timeout)
            .tcp_keepalive(Duration::from_secs(30))
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90))
            // HTTP/2 heads are bounded here; HTTP/1.1 heads by hyper (≈ 400 KiB), then checked
            // against the same limit in `one_attempt`.
            .http2_max_header_list_size(u32::try_from(config.limits.max_header_bytes).unwrap_or(u32::MAX))
            // Retries are ours (`retry.rs`, idempotency keys, stream resume); reqwest's own
            // would clone every request's headers up front to be able to repeat it.
            .retry(reqwest::retry::never().max_retries_per_request(0))
            .build()
            .map_err(|e| Error::new(ErrorKind::Connection, format!("cannot build HTTP client: {e}")))
    }

    /// The client of one stream connection (`stream_pool`): like the calls' one, never
    /// following redirects, and reporting its connection up through `connected`.
    fn stream_client(config: &Config, connected: crate::stream_pool::ConnectedLayer) -> Result<reqwest::Client> {
        let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).connector_layer(connected);
        if config.http2_prior_knowledge {
            b = b.http2_prior_knowledge();
        }
        Self::reqwest_client(config, b)
    }

    /// Builds the pools.
    pub fn new(config: Config) -> Result<Self> {
        let build = |b: reqwest::ClientBuilder| Self::reqwest_client(&config, b);
        // The API client never follows redirects: a redirect could carry the bearer token to
        // another host, and the API does not use them.
        let mut api = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if config.http2_prior_knowledge {
            api = api.http2_prior_knowledge();
        }
        let http = build(api)?;
        // Event streams get connections of their own, at most so many streams on each (see
        // `stream_pool`): no gateway's cap on HTTP/2 streams per connection holds them back.
        let stream_pool = config.own_stream_connections.then(|| {
            let config = config.clone();
            crate::stream_pool::StreamPool::new(
                config.max_streams_per_connection,
                Box::new(move |connected| Self::stream_client(&config, connected)),
            )
        });
        let bare = build(reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(5)))?;
        let user_agent = format!(
            "qoder-cloud/{} ({}; {})",
            config.platform.package_version, config.platform.lang, config.platform.runtime
        );
        let warnings = config.net.warnings(&config.base_url);
        let warnings_pending = std::sync::atomic::AtomicBool::new(!warnings.is_empty());
        let warnings = std::sync::Mutex::new(warnings);
        let auth = crate::auth::Auth::new(config.credentials.clone(), config.region, config.timeout)?;
        Ok(Self {
            auth,
            config,
            http,
            stream_pool,
            bare,
            logger: Default::default(),
            user_agent,
            os: os_name(),
            arch: arch_name(),
            warnings,
            warnings_pending,
            closed: tokio_util::sync::CancellationToken::new(),
        })
    }

    fn logger(&self) -> Option<Logger> {
        self.logger.read().ok().and_then(|g| g.clone())
    }

    /// Logs the configuration's safety warnings (verification off, a token in cleartext) once,
    /// before the first request: by then the bindings have attached their logger.
    pub(crate) fn warn_once(&self) {
        // One relaxed load per request when there is nothing (left) to say.
        if !self.warnings_pending.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        self.warnings_pending.store(false, std::sync::atomic::Ordering::Relaxed);
        let pending = match self.warnings.lock() {
            Ok(mut w) if !w.is_empty() => std::mem::take(&mut *w),
            _ => return,
        };
        let logger = self.logger();
        for message in pending {
            let rec = LogRecord {
                level: LogLevel::Warn,
                event: "insecure",
                method: String::new(),
                path: String::new(),
                status: None,
                attempt: 0,
                request_id: None,
                delay: None,
                message,
            };
            log::emit(logger.as_ref(), rec);
        }
    }

    fn url(&self, req: &ApiRequest) -> Result<url::Url> {
        let mut s = String::with_capacity(self.config.base_url().len() + req.path.len());
        s.push_str(self.config.base_url());
        s.push_str(&req.path);
        let mut u = url::Url::parse(&s).map_err(|e| Error::invalid_argument("path", format!("bad URL {s:?}: {e}")))?;
        if !req.query.is_empty() || !req.opts.extra_query.is_empty() {
            let mut q = u.query_pairs_mut();
            for (k, v) in req.query.iter().chain(req.opts.extra_query.iter()) {
                q.append_pair(k, v);
            }
        }
        Ok(u)
    }

    fn check_size(&self, req: &ApiRequest) -> Result<()> {
        let len = match &req.body {
            RequestBody::Empty => 0,
            RequestBody::Json(b) => b.len() as u64,
            RequestBody::Multipart { len, .. } => *len,
        };
        let limit = self.config.max_body_bytes as u64;
        if len > limit {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "request body is {len} bytes, over the {limit}-byte limit of the {:?} region (set max_body_bytes to override)",
                    self.config.region
                ),
            )
            .with_param("body"));
        }
        Ok(())
    }

    async fn build(
        &self,
        req: &ApiRequest,
        url: &url::Url,
        attempt: u32,
        key: Option<&str>,
        token: &crate::config::Secret,
    ) -> Result<reqwest::Request> {
        let timeout = req.opts.timeout.unwrap_or(self.config.timeout);
        let p = &self.config.platform;
        let mut b = self
            .http
            .request(req.method.clone(), url.clone())
            .bearer_auth(token.expose())
            .header("accept", req.accept)
            .header("user-agent", &self.user_agent)
            .header("x-qoder-lang", &p.lang)
            .header("x-qoder-package-version", &p.package_version)
            .header("x-qoder-os", self.os)
            .header("x-qoder-arch", self.arch)
            .header("x-qoder-runtime", &p.runtime)
            .header("x-qoder-runtime-version", &p.runtime_version)
            .header("x-qoder-retry-count", attempt.to_string())
            .header("x-qoder-timeout", timeout.as_secs().max(1).to_string());
        if let Some(k) = key {
            b = b.header("idempotency-key", k);
        }
        b = match &req.body {
            RequestBody::Empty => b,
            RequestBody::Json(bytes) => b.header("content-type", "application/json").body(bytes.clone()),
            RequestBody::Multipart { factory, .. } => b.multipart(factory().await?),
        };
        let mut request = b.build().map_err(|e| {
            Error::invalid_argument("headers", format!("cannot build request: {}", redact(&e.to_string())))
        })?;
        // Headers of the caller replace the SDK's of the same name (matched case-insensitively),
        // never add a second one: the client's defaults, then the operation's, then the call's
        // `extra_headers`, the later winning. An `Idempotency-Key` among them is the call's key
        // (see `call_key`), so it is on the wire exactly once either way.
        let h = request.headers_mut();
        for (k, v) in self.config.default_headers.iter().chain(req.headers.iter()).chain(req.opts.extra_headers.iter())
        {
            let name = http::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Error::invalid_argument("headers", format!("{k:?} is not a valid header name")))?;
            let value = http::HeaderValue::from_str(v).map_err(|_| {
                Error::invalid_argument("headers", format!("the value of header {k:?} is not a valid header value"))
            })?;
            h.insert(name, value);
        }
        Ok(request)
    }

    /// The call's idempotency key: the option, else an `Idempotency-Key` header the caller set
    /// (call headers first, then the client's defaults), else a fresh one for a mutation.
    fn call_key(&self, req: &ApiRequest) -> Option<String> {
        let header = |list: &[(String, String)]| {
            list.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case("idempotency-key")).map(|(_, v)| v.clone())
        };
        req.opts
            .idempotency_key
            .clone()
            .or_else(|| header(&req.opts.extra_headers))
            .or_else(|| header(&req.headers))
            .or_else(|| header(&self.config.default_headers))
            .or_else(|| {
                (req.method == Method::POST || req.method == Method::DELETE || req.method == Method::PUT)
                    .then(|| uuid::Uuid::new_v4().to_string())
            })
    }

    /// Runs a call to completion (reads the body), retrying per policy.
    pub async fn execute(&self, req: ApiRequest) -> Result<RawResponse> {
        let (meta, resp) = self.run(req, Want::Read).await?;
        let Got::Read(headers, body) = resp else { unreachable!("read requested") };
        Ok(RawResponse { meta, headers, body })
    }

    /// Sends a call and returns once a 2xx status and headers arrived; the body is left to the caller.
    pub async fn open(&self, req: ApiRequest) -> Result<OpenResponse> {
        let (meta, resp) = self.run(req, Want::Open).await?;
        let Got::Open(response) = resp else { unreachable!("open requested") };
        Ok(OpenResponse { meta, response })
    }

    /// Opens an event stream: like [`Transport::open`], but on a stream connection (see
    /// `stream_pool`), and with only the body kept.
    pub(crate) async fn open_stream(&self, req: ApiRequest) -> Result<OpenStream> {
        let (_meta, resp) = self.run(req, Want::Stream).await?;
        let Got::Stream(body) = resp else { unreachable!("stream requested") };
        Ok(OpenStream { body })
    }

    async fn run(&self, mut req: ApiRequest, want: Want) -> Result<(ResponseMeta, Got)> {
        // The caller's trace context, read here (still in the caller's task and span).
        if let Some(f) = &self.config.trace_headers {
            for (k, v) in f() {
                let given = |list: &[(String, String)]| list.iter().any(|(h, _)| h.eq_ignore_ascii_case(&k));
                if !given(&req.opts.extra_headers) && !given(&req.headers) {
                    req.headers.push((k, v));
                }
            }
        }
        // One span per logical call (retries included), for `tracing` subscribers: the
        // operation, method, path, final status, retries and request id; never a header value,
        // a body or a token.
        let span = tracing::info_span!(
            target: "qoder_cloud",
            "qoder.call",
            operation = req.operation.as_str(),
            http.request.method = %req.method,
            url.path = %req.path,
            http.response.status_code = tracing::field::Empty,
            retries = tracing::field::Empty,
            request_id = tracing::field::Empty,
            error.kind = tracing::field::Empty,
        );
        let out = tracing::Instrument::instrument(self.run_inner(req, want), span.clone()).await;
        match &out {
            Ok((meta, _)) => {
                span.record("http.response.status_code", meta.status);
                span.record("retries", meta.retries);
                if let Some(r) = &meta.request_id {
                    span.record("request_id", r.as_str());
                }
            }
            Err(e) => {
                if let Some(s) = e.status() {
                    span.record("http.response.status_code", s);
                }
                if let Some(r) = e.request_id() {
                    span.record("request_id", r);
                }
                span.record("error.kind", e.kind().as_str());
            }
        }
        out
    }

    async fn run_inner(&self, req: ApiRequest, want: Want) -> Result<(ResponseMeta, Got)> {
        if self.closed.is_cancelled() {
            return Err(Error::new(ErrorKind::ClientClosed, "the client is closed"));
        }
        tokio::select! {
            biased;
            _ = self.closed.cancelled() => {
                Err(Error::new(ErrorKind::ClientClosed, "the client was closed while the call was in flight"))
            }
            r = self.run_open(req, want) => r,
        }
    }

    async fn run_open(&self, req: ApiRequest, want: Want) -> Result<(ResponseMeta, Got)> {
        self.warn_once();
        self.check_size(&req)?;
        let key = self.call_key(&req);
        if let Some(k) = &key {
            check_idempotency_key(k)?;
        }
        let deadline = req.opts.total_deadline.or(self.config.total_deadline).map(|d| Instant::now() + d);
        let fut = self.attempts(&req, key.as_deref(), want, deadline);
        let out = match deadline {
            Some(at) => match tokio::time::timeout_at(at, fut).await {
                Ok(r) => r,
                Err(_) => Err(Error::new(ErrorKind::Timeout, "the call's total deadline expired")),
            },
            None => fut.await,
        };
        out.map_err(|e| e.with_idempotency_key(key.clone()))
    }

    async fn attempts(
        &self,
        req: &ApiRequest,
        key: Option<&str>,
        want: Want,
        deadline: Option<Instant>,
    ) -> Result<(ResponseMeta, Got)> {
        let url = self.url(req)?;
        let max_retries =
            if req.retry == RetryMode::Never { 0 } else { req.opts.max_retries.unwrap_or(self.config.max_retries) };
        let safe = retry::is_safe(&req.method, key.is_some());
        let timeout = req.opts.timeout.unwrap_or(self.config.timeout);
        let logger = self.logger();
        let mut attempt = 0u32;
        // A 401 to a token that can be replaced (a provider's, a service account's) earns one
        // more attempt with a fresh token, not counted against `max_retries`.
        let mut refused: Option<crate::config::Secret> = None;
        let mut reauthorized = 0u32;
        loop {
            let token = self.auth.bearer(&self.http, refused.as_ref().map(|t| t.expose())).await?;
            let request = self.build(req, &url, attempt, key, &token).await?;
            if log::enabled(logger.as_ref(), LogLevel::Debug) {
                log::emit(logger.as_ref(), self.record(LogLevel::Debug, "request", req, None, attempt, None, None, ""));
            }
            let outcome = tokio::time::timeout(timeout, self.one_attempt(request, want)).await;
            let (err, retry_ok, headers) = match outcome {
                Err(_) => (
                    Error::new(ErrorKind::Timeout, format!("request timed out after {timeout:?}")),
                    retry::should_retry_transport(safe),
                    None,
                ),
                Ok(Err(e)) => {
                    // A response over a limit would be just as large again.
                    let ok = e.kind() != ErrorKind::ResponseTooLarge && retry::should_retry_transport(safe);
                    (e, ok, None)
                }
                Ok(Ok((status, headers, body))) => {
                    let request_id = request_id_of(&headers);
                    if (200..300).contains(&status) {
                        if log::enabled(logger.as_ref(), LogLevel::Debug) {
                            log::emit(
                                logger.as_ref(),
                                self.record(
                                    LogLevel::Debug,
                                    "response",
                                    req,
                                    Some(status),
                                    attempt,
                                    request_id.clone(),
                                    None,
                                    "",
                                ),
                            );
                        }
                        let meta = ResponseMeta {
                            status,
                            request_id,
                            idempotency_key: key.map(str::to_string),
                            retries: attempt,
                        };
                        return Ok((meta, body.into_got(headers, want)));
                    }
                    let e = match body {
                        Body::Read(b) => Error::from_response(status, &b, request_id),
                        Body::Open(..) => unreachable!("only 2xx bodies are left open"),
                        Body::Failed(e) => e,
                    };
                    if status == 401
                        && reauthorized == 0
                        && safe
                        && req.retry != RetryMode::Never
                        && self.auth.refreshable()
                    {
                        refused = Some(token);
                        reauthorized = 1;
                        attempt += 1;
                        continue;
                    }
                    let in_flight = retry::is_key_in_flight(status, key.is_some(), e.code(), e.message());
                    let ok = req.retry != RetryMode::Never
                        && (in_flight || retry::should_retry_status(status, &headers, safe));
                    (e, ok, Some(headers))
                }
            };
            // A server hint that is too long to sleep on (above `max_retry_after`, or past the
            // total deadline) ends the call now, with the hint, instead of parking it.
            let hint = headers.as_ref().and_then(|h| retry::parse_retry_after(h, std::time::SystemTime::now()));
            let mut hint_refused = false;
            let (err, retry_ok) = match hint {
                Some(h) if retry_ok && attempt < max_retries + reauthorized => {
                    let cap = self.config.limits.max_retry_after;
                    let past_deadline = deadline.is_some_and(|d| Instant::now() + h > d);
                    if h > cap || past_deadline {
                        let mut e = err.with_retry_after(h);
                        let why = if h > cap {
                            format!("above max_retry_after ({cap:?})")
                        } else {
                            "past the call's total deadline".to_string()
                        };
                        e.append_message(&format!(" (the server asked to retry after {h:?}, {why}: not retried)"));
                        hint_refused = true;
                        (e, false)
                    } else {
                        (err, true)
                    }
                }
                Some(h) => (err.with_retry_after(h), retry_ok),
                None => (err, retry_ok),
            };
            if !retry_ok || attempt >= max_retries + reauthorized {
                // Refused only for its wait: retrying later (after the hint) can succeed.
                let e = err.with_retryable(retry_ok || hint_refused);
                if log::enabled(logger.as_ref(), LogLevel::Warn) && e.kind() != ErrorKind::NotFound {
                    log::emit(
                        logger.as_ref(),
                        self.record(
                            LogLevel::Warn,
                            "error",
                            req,
                            e.status(),
                            attempt,
                            e.request_id().map(str::to_string),
                            None,
                            &format!("{}: {}", e.kind().as_str(), e.message()),
                        ),
                    );
                }
                return Err(e);
            }
            // The hint parsed above (not parsed twice), else jittered backoff.
            let delay = hint.unwrap_or_else(|| retry::backoff(attempt, &mut rand::thread_rng()));
            if log::enabled(logger.as_ref(), LogLevel::Info) {
                log::emit(
                    logger.as_ref(),
                    self.record(
                        LogLevel::Info,
                        "retry",
                        req,
                        err.status(),
                        attempt,
                        err.request_id().map(str::to_string),
                        Some(delay),
                        err.kind().as_str(),
                    ),
                );
            }
            // Dropping this future (cancellation) ends the sleep at once.
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn one_attempt(&self, request: reqwest::Request, want: Want) -> Result<(u16, HeaderMap, Body)> {
        let (client, mut lease) = match (&self.stream_pool, want) {
            (Some(pool), Want::Stream) => {
                let (client, mut lease) = pool.lease()?;
                lease.connection_up().await;
                (client, Some(lease))
            }
            _ => (self.http.clone(), None),
        };
        let resp = client.execute(request).await;
        if let Some(l) = lease.as_mut() {
            l.answered();
        }
        let mut resp = resp.map_err(transport_error)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let limits = self.config.limits;
        let head_bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
        if head_bytes > limits.max_header_bytes {
            return Err(crate::limits::too_large("head", limits.max_header_bytes, "max_header_bytes")
                .with_response_parts(status, request_id_of(&headers), b""));
        }
        let ok = (200..300).contains(&status);
        if want != Want::Read && ok {
            return Ok((status, headers, Body::Open(resp, lease)));
        }
        // Read chunk by chunk so that a body cut short keeps what did arrive, and never past
        // its limit: a success body over it fails the call, an error body is cut there.
        let limit = if ok { limits.max_response_bytes } else { limits.max_error_bytes };
        if ok && resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(crate::limits::too_large("body", limit, "max_response_bytes").with_response_parts(
                status,
                request_id_of(&headers),
                b"",
            ));
        }
        let mut buf = bytes::BytesMut::new();
        loop {
            match resp.chunk().await {
                Ok(Some(c)) if buf.len() + c.len() > limit => {
                    let rid = request_id_of(&headers);
                    if ok {
                        return Err(crate::limits::too_large("body", limit, "max_response_bytes")
                            .with_response_parts(status, rid, b""));
                    }
                    buf.extend_from_slice(&c[..limit - buf.len()]);
                    let mut err = Error::from_response(status, &buf, rid);
                    err.append_message(&format!(" (error body cut at {limit} bytes, the max_error_bytes limit)"));
                    return Ok((status, headers, Body::Failed(err)));
                }
                Ok(Some(c)) => buf.extend_from_slice(&c),
                Ok(None) => break,
                Err(e) => {
                    let partial = buf.freeze();
                    let rid = request_id_of(&headers);
                    if !(200..300).contains(&status) {
                        // The status already says what happened: report it, with the partial body.
                        let mut err = Error::from_response(status, &partial, rid);
                        err.append_message(&format!(" (body cut short: {})", redact(&e.to_string())));
                        return Ok((status, headers, Body::Failed(err)));
                    }
                    // A 2xx whose body was cut is a connection failure (retried like one when safe),
                    // still carrying the status, request id and the bytes received.
                    return Err(transport_error(e).with_response_parts(status, rid, &partial));
                }
            }
        }
        Ok((status, headers, Body::Read(buf.freeze())))
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        level: LogLevel,
        event: &'static str,
        req: &ApiRequest,
        status: Option<u16>,
        attempt: u32,
        request_id: Option<String>,
        delay: Option<Duration>,
        message: &str,
    ) -> LogRecord {
        LogRecord {
            level,
            event,
            method: req.method.to_string(),
            path: req.path.clone(),
            status,
            attempt,
            request_id,
            delay,
            message: message.to_string(),
        }
    }

    /// Emits a record through this client's logger (used by streams for reconnects).
    pub(crate) fn log(&self, rec: LogRecord) {
        let l = self.logger();
        if log::enabled(l.as_ref(), rec.level) {
            log::emit(l.as_ref(), rec);
        }
    }

    /// GETs a pre-signed URL with no credentials, default headers or cookies.
    pub async fn get_unauthenticated(&self, url: &str) -> Result<reqwest::Response> {
        let u =
            url::Url::parse(url).map_err(|e| Error::decode(format!("bad download URL: {e}"), url.as_bytes(), None))?;
        let resp = self.bare.get(u).send().await.map_err(transport_error)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let rid = request_id_of(resp.headers());
            let body = resp.bytes().await.unwrap_or_default();
            return Err(Error::from_response(status, &body, rid));
        }
        Ok(resp)
    }
}

enum Body {
    Read(Bytes),
    /// A live 2xx body, with the stream connection's lease when it is a stream's.
    Open(reqwest::Response, Option<crate::stream_pool::Lease>),
    /// A non-2xx response whose body was cut short, already turned into its error.
    Failed(Error),
}

enum Got {
    Read(HeaderMap, Bytes),
    Open(reqwest::Response),
    Stream(crate::stream_body::StreamBody),
}

impl Body {
    fn into_got(self, headers: HeaderMap, want: Want) -> Got {
        use crate::stream_body::StreamBody;
        match self {
            Body::Read(b) => Got::Read(headers, b),
            Body::Open(r, lease) if want == Want::Stream => Got::Stream(StreamBody::new(r, lease)),
            Body::Open(r, _) => Got::Open(r),
            Body::Failed(_) => unreachable!("only non-2xx responses fail this way"),
        }
    }
}

/// Longest `Idempotency-Key` the API accepts (docs/api-contract.md §2.3).
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A caller's idempotency key, checked once here for every binding: non-empty, at most 255
/// characters, and a valid header value (no control characters).
fn check_idempotency_key(k: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid_argument("idempotency_key", format!("idempotency_key: {why}")));
    if k.trim().is_empty() {
        return bad("must not be empty");
    }
    if k.chars().count() > MAX_IDEMPOTENCY_KEY {
        return bad(&format!("must be at most {MAX_IDEMPOTENCY_KEY} characters, got {}", k.chars().count()));
    }
    if !k.is_ascii() || k.chars().any(|c| c.is_ascii_control()) || http::HeaderValue::from_str(k).is_err() {
        return bad("must be printable ASCII without control characters (it is sent as a header)");
    }
    Ok(())
}

/// Strips anything that looks like a bearer credential from a transport message.
pub(crate) fn redact(s: &str) -> String {
    match s.find("Bearer ") {
        Some(i) => format!("{}Bearer ***", &s[..i]),
        None => s.to_string(),
    }
}

/// Maps a reqwest failure to our kinds (timeouts vs connection failures).
pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    let mut kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Connection };
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    // hyper's own bound on an HTTP/1.1 response head (see `limits.rs`).
    if msg.contains("message head is too large") {
        kind = ErrorKind::ResponseTooLarge;
    }
    Error::new(kind, redact(&msg))
}

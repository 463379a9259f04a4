//! Client configuration: token, base URL, region, timeouts, retries and limits.
//!
//! Resolution order follows the official SDK so users can switch without surprises: an explicit
//! argument wins, then the environment (`QODER_ACCESS_TOKEN`, `QODER_PAT`, `QODER_BASE_URL` /
//! `QODER_MANAGED_BASE_URL`, `QODER_REGION`), then the region preset.

use std::fmt;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// Base URL of the global region.
pub const GLOBAL_BASE_URL: &str = "https://api.qoder.com/api/v1/cloud";
/// Base URL of the China region.
pub const CN_BASE_URL: &str = "https://api.qoder.com.cn/api/v1/cloud";
/// Request body limit of the global gateway (32 MB).
pub const GLOBAL_MAX_BODY: usize = 32 * 1024 * 1024;
/// Request body limit of the CN gateway (4 MB).
pub const CN_MAX_BODY: usize = 4 * 1024 * 1024;
/// Default cap on one SSE event (16 MiB).
pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

/// A deployment region of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// `api.qoder.com`.
    Global,
    /// `api.qoder.com.cn`.
    Cn,
}

impl Region {
    /// Parses `"global"` or `"cn"` (case-insensitive).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "global" | "" => Ok(Self::Global),
            "cn" | "china" => Ok(Self::Cn),
            other => Err(Error::invalid_argument(
                "region",
                format!("unknown region {other:?}: expected \"global\" or \"cn\""),
            )),
        }
    }
    /// The preset base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Global => GLOBAL_BASE_URL,
            Self::Cn => CN_BASE_URL,
        }
    }
    /// The gateway's request body limit.
    pub fn max_body_bytes(self) -> usize {
        match self {
            Self::Global => GLOBAL_MAX_BODY,
            Self::Cn => CN_MAX_BODY,
        }
    }
}

/// A secret string whose `Debug`/`Display` never reveal the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret itself; only call this where the value is put on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}
impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Telemetry identifying the calling language runtime (bindings override the Rust defaults).
#[derive(Debug, Clone)]
pub struct Platform {
    /// `X-Qoder-Lang`, e.g. `rust`, `python`, `node`.
    pub lang: String,
    /// `X-Qoder-Package-Version`.
    pub package_version: String,
    /// `X-Qoder-Runtime`, e.g. `rustc`, `CPython`, `node`.
    pub runtime: String,
    /// `X-Qoder-Runtime-Version`.
    pub runtime_version: String,
}

impl Default for Platform {
    fn default() -> Self {
        Self {
            lang: "rust".into(),
            package_version: crate::VERSION.into(),
            runtime: "rustc".into(),
            runtime_version: option_env!("CARGO_PKG_RUST_VERSION").unwrap_or("unknown").into(),
        }
    }
}

/// Resolved, validated configuration of a client.
#[derive(Clone)]
pub struct Config {
    pub(crate) credentials: crate::auth::Credentials,
    pub(crate) base_url: url::Url,
    pub(crate) region: Region,
    pub(crate) max_body_bytes: usize,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) total_deadline: Option<Duration>,
    pub(crate) max_retries: u32,
    pub(crate) default_headers: Vec<(String, String)>,
    pub(crate) platform: Platform,
    pub(crate) stream_idle_timeout: Duration,
    pub(crate) max_event_bytes: usize,
    pub(crate) net: crate::net::Net,
    pub(crate) http2_prior_knowledge: bool,
    /// Streams on connections of their own (`stream_pool`), not the calls' pool.
    pub(crate) own_stream_connections: bool,
    pub(crate) max_streams_per_connection: usize,
    pub(crate) limits: crate::limits::Limits,
    pub(crate) trace_headers: Option<TraceHeaders>,
}

/// Returns the W3C trace-context headers (`traceparent`, `tracestate`) of the caller's current
/// trace; called as each call starts, in the caller's task (see [`ClientBuilder::trace_headers`]).
pub type TraceHeaders = std::sync::Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync>;

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url.as_str())
            .field("region", &self.region)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("total_deadline", &self.total_deadline)
            .field("max_retries", &self.max_retries)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The base URL all paths are joined to (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.base_url.as_str().trim_end_matches('/')
    }
    /// The region in force.
    pub fn region(&self) -> Region {
        self.region
    }
    /// Default number of retries.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }
    /// Per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// Maximum request body size enforced before sending.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }
    /// Idle timeout of streams (time without any bytes).
    pub fn stream_idle_timeout(&self) -> Duration {
        self.stream_idle_timeout
    }
    /// Cap on one SSE event's size.
    pub fn max_event_bytes(&self) -> usize {
        self.max_event_bytes
    }
    /// The bounds on responses and waits (see `limits.rs`).
    pub fn limits(&self) -> crate::limits::Limits {
        self.limits
    }
}

/// Builds a [`crate::Client`]. Every setter is optional; `build()` validates the result.
#[derive(Default, Clone)]
pub struct ClientBuilder {
    token: Option<Secret>,
    token_provider: Option<std::sync::Arc<dyn crate::auth::TokenProvider>>,
    service_account: Option<crate::auth::ServiceAccount>,
    base_url: Option<String>,
    region: Option<String>,
    max_body_bytes: Option<usize>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    total_deadline: Option<Duration>,
    max_retries: Option<u32>,
    default_headers: Vec<(String, String)>,
    platform: Option<Platform>,
    stream_idle_timeout: Option<Duration>,
    max_event_bytes: Option<usize>,
    net: crate::net::NetOptions,
    http2_prior_knowledge: Option<bool>,
    pooled_streams: bool,
    max_streams_per_connection: Option<usize>,
    pub(crate) limits: crate::limits::LimitOptions,
    ignore_env: bool,
    trace_headers: Option<TraceHeaders>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("token_provider", &self.token_provider.is_some())
            .field("service_account", &self.service_account)
            .field("base_url", &self.base_url)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Builder setters that store `Some(value)` in the field of the same name.
macro_rules! setters {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty; )*) => {
        $( $(#[$doc])* pub fn $name(mut self, value: $ty) -> Self { self.$name = Some(value); self } )*
    };
}

impl ClientBuilder {
    /// Access token (PAT or service-account token). Falls back to `QODER_ACCESS_TOKEN`, then `QODER_PAT`.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }
    setters! {
        /// A token provider asked before every attempt (instead of a fixed token).
        token_provider: std::sync::Arc<dyn crate::auth::TokenProvider>;
        /// A service-account key the client exchanges for short-lived tokens itself (instead of a
        /// fixed token). Falls back to `QODER_SA_KEY` when no token is given or set.
        service_account: crate::auth::ServiceAccount;
        /// Overrides the region's request body limit.
        max_body_bytes: usize;
        /// TCP connect timeout (default 5 s).
        connect_timeout: Duration;
        /// Timeout of one HTTP attempt (default 600 s).
        timeout: Duration;
        /// A deadline for a whole call, spanning every retry and backoff sleep (default none).
        total_deadline: Duration;
        /// Default retries per call (default 2; 0 disables).
        max_retries: u32;
        /// W3C trace-context propagation: the function is called as each call (and each stream connection)
        /// starts, in the caller's task, and returns the headers to send, e.g. `traceparent` from
        /// the current span of `tracing-opentelemetry`. A header the call sets itself wins.
        trace_headers: TraceHeaders;
        /// Runtime telemetry; the bindings set their language here.
        platform: Platform;
        /// Stream idle timeout: time without any byte, keep-alives included (default 90 s).
        stream_idle_timeout: Duration;
        /// Cap on one SSE event (default 16 MiB).
        max_event_bytes: usize;
        /// Speaks HTTP/2 without negotiation on plain `http://` URLs (e.g. a local emulator), so
        /// every call and stream shares one connection. Over HTTPS, HTTP/2 is negotiated anyway.
        /// Falls back to `QODER_HTTP2=prior-knowledge`.
        http2_prior_knowledge: bool;
        /// Event streams over TLS share an HTTP/2 connection up to this many at a time, then open
        /// another (default 100, at or below the per-connection caps of common gateways: nginx and
        /// AWS ALB 128, Google's front ends 100). Set it at or below your gateway's cap if that is
        /// lower. Falls back to `QODER_MAX_STREAMS_PER_CONNECTION`.
        max_streams_per_connection: usize;
    }
    /// Base URL, e.g. `http://127.0.0.1:4010/api/v1/cloud`. Falls back to `QODER_BASE_URL`, then the region preset.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// Region preset, `"global"` (default) or `"cn"`. Falls back to `QODER_REGION`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    /// A header sent on every API request (a call's own header of the same name wins).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }
    /// Disables TLS certificate verification. Never use this outside a test bench: the client
    /// logs a warning before its first request.
    pub fn danger_accept_invalid_certs(mut self, yes: bool) -> Self {
        self.net.danger_accept_invalid_certs = yes;
        self
    }
    /// Trusts the CA certificates of a PEM file too, on top of the bundled roots and the system
    /// store (which honours `SSL_CERT_FILE` / `SSL_CERT_DIR`). May be called more than once.
    pub fn add_ca_certificate_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.net.extra_ca.push(crate::net::CaSource::File(path.into()));
        self
    }
    /// Trusts the CA certificates of PEM text too (see [`Self::add_ca_certificate_file`]).
    pub fn add_ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.net.extra_ca.push(crate::net::CaSource::Pem(pem.into()));
        self
    }
    /// Sends every request through this proxy (`http://host:port` or `https://host:port`,
    /// credentials allowed), still honouring `NO_PROXY`. Without it, `HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` apply.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.net.proxy = Some(url.into());
        self
    }
    /// A client certificate for mutual TLS: the certificate chain and its private key, each as a
    /// PEM file or PEM text.
    pub fn client_certificate(mut self, cert: crate::net::CaSource, key: crate::net::SecretPem) -> Self {
        self.net.client_cert = Some(cert);
        self.net.client_key = Some(key);
        self
    }
    /// All trust, proxy and client-certificate settings at once (what the bindings pass).
    pub fn network(mut self, net: crate::net::NetOptions) -> Self {
        self.net = net;
        self
    }
    /// Sends event streams through the calls' own connection pool. By default streams get
    /// connections of their own, carrying at most [`Self::max_streams_per_connection`] streams
    /// each over HTTP/2, so that no gateway's cap on concurrent HTTP/2 streams per connection can
    /// hold streams back (over HTTP/1.1 every stream has a connection of its own either way).
    /// Pooled, streams over HTTP/2 multiplex on the calls' one connection (at most the gateway's
    /// cap open at once). Falls back to `QODER_STREAM_TRANSPORT=pooled`.
    pub fn pooled_streams(mut self, yes: bool) -> Self {
        self.pooled_streams = yes;
        self
    }
    /// Ignores the `QODER_*` environment variables (tests use this for isolation).
    pub fn ignore_env(mut self, yes: bool) -> Self {
        self.ignore_env = yes;
        self
    }

    fn env(&self, key: &str) -> Option<String> {
        if self.ignore_env {
            return None;
        }
        std::env::var(key).ok().filter(|v| !v.trim().is_empty())
    }

    /// Resolves and validates the configuration.
    pub fn resolve(&self) -> Result<Config> {
        let explicit = [self.token.is_some(), self.token_provider.is_some(), self.service_account.is_some()];
        if explicit.iter().filter(|x| **x).count() > 1 {
            return Err(Error::invalid_argument(
                "access_token",
                "give one of access_token, token_provider or a service-account key, not several",
            ));
        }
        let credentials = if let Some(p) = &self.token_provider {
            crate::auth::Credentials::Provider(p.clone())
        } else if let Some(sa) = &self.service_account {
            crate::auth::Credentials::ServiceAccount(sa.clone())
        } else {
            let token = match &self.token {
                Some(t) => Some(t.clone()),
                None => self.env("QODER_ACCESS_TOKEN").or_else(|| self.env("QODER_PAT")).map(Secret::new),
            };
            match (token, self.env("QODER_SA_KEY")) {
                (Some(token), _) => {
                    let t = token.expose();
                    if t.trim().is_empty() || t.chars().any(|c| c.is_control()) || t.contains(' ') {
                        return Err(Error::invalid_argument(
                            "access_token",
                            "access token is empty or contains whitespace/control characters",
                        ));
                    }
                    crate::auth::Credentials::Token(token)
                }
                (None, Some(key)) => crate::auth::Credentials::ServiceAccount(crate::auth::ServiceAccount::new(key)),
                (None, None) => {
                    return Err(Error::invalid_argument(
                        "access_token",
                        "no access token: pass access_token (or a token provider or service-account key) or set QODER_ACCESS_TOKEN, QODER_PAT or QODER_SA_KEY",
                    ))
                }
            }
        };
        let region = match self.region.clone().or_else(|| self.env("QODER_REGION")) {
            Some(r) => Region::parse(&r)?,
            None => Region::Global,
        };
        let base = self
            .base_url
            .clone()
            .or_else(|| self.env("QODER_BASE_URL"))
            .or_else(|| self.env("QODER_MANAGED_BASE_URL"))
            .unwrap_or_else(|| region.base_url().to_string());
        let base_url = validate_base_url(&base)?;
        if self.default_headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("idempotency-key")) {
            // One key for every call would make the server replay the first call's result.
            return Err(Error::invalid_argument(
                "default_headers",
                "Idempotency-Key cannot be a default header (every call would share one key): pass it per call",
            ));
        }
        Ok(Config {
            credentials,
            base_url,
            region,
            max_body_bytes: self.max_body_bytes.unwrap_or(region.max_body_bytes()),
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_secs(5)),
            timeout: self.timeout.unwrap_or(Duration::from_secs(600)),
            total_deadline: self.total_deadline,
            max_retries: self.max_retries.unwrap_or(2),
            default_headers: self.default_headers.clone(),
            platform: self.platform.clone().unwrap_or_default(),
            stream_idle_timeout: self.stream_idle_timeout.unwrap_or(Duration::from_secs(90)),
            max_event_bytes: self.max_event_bytes.unwrap_or(crate::config::DEFAULT_MAX_EVENT_BYTES),
            net: {
                let platform = self.platform.clone().unwrap_or_default();
                // Node's own way of adding CAs; other runtimes have SSL_CERT_FILE / SSL_CERT_DIR.
                let node_extra = if platform.lang == "node" { self.env("NODE_EXTRA_CA_CERTS") } else { None };
                self.net.resolve(node_extra)?
            },
            http2_prior_knowledge: self
                .http2_prior_knowledge
                .unwrap_or_else(|| self.env("QODER_HTTP2").is_some_and(|v| v == "prior-knowledge")),
            own_stream_connections: !(self.pooled_streams
                || self.env("QODER_STREAM_TRANSPORT").is_some_and(|v| v == "pooled")),
            max_streams_per_connection: match self.max_streams_per_connection {
                Some(0) => {
                    return Err(Error::invalid_argument(
                        "max_streams_per_connection",
                        "max_streams_per_connection must be ≥ 1",
                    ))
                }
                Some(n) => n,
                None => match self.env("QODER_MAX_STREAMS_PER_CONNECTION") {
                    Some(v) => v.trim().parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        Error::invalid_argument(
                            "max_streams_per_connection",
                            format!("QODER_MAX_STREAMS_PER_CONNECTION={v:?}: expected a whole number ≥ 1"),
                        )
                    })?,
                    None => crate::stream_pool::DEFAULT_STREAMS_PER_CONNECTION,
                },
            },
            limits: self.limits.resolve()?,
            trace_headers: self.trace_headers.clone(),
        })
    }

    /// Builds the client.
    pub fn build(self) -> Result<crate::Client> {
        crate::Client::from_config(self.resolve()?)
    }
}

/// Validates a base URL: absolute http(s), a host, no userinfo, query or fragment.
pub fn validate_base_url(s: &str) -> Result<url::Url> {
    let bad = |why: &str| Error::new(ErrorKind::InvalidArgument, format!("invalid base_url: {why}"));
    let u = url::Url::parse(s.trim()).map_err(|e| bad(&e.to_string()).with_param("base_url"))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(bad("scheme must be http or https").with_param("base_url"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(bad("a host is required").with_param("base_url"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(bad("credentials in the URL are not allowed").with_param("base_url"));
    }
    if u.query().is_some() {
        return Err(bad("a query string is not allowed").with_param("base_url"));
    }
    if u.fragment().is_some() {
        return Err(bad("a fragment is not allowed").with_param("base_url"));
    }
    Ok(u)
}

impl Error {
    pub(crate) fn with_param(mut self, p: &str) -> Self {
        self.set_param(p);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_token_is_clear() {
        let e = ClientBuilder::default().ignore_env(true).resolve().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("QODER_ACCESS_TOKEN"));
    }

    #[test]
    fn base_url_rules() {
        assert!(validate_base_url("http://127.0.0.1:1/api/v1/cloud").is_ok());
        for bad in ["ftp://x", "http://u:p@h/", "http://h/?q=1", "http://h/#f", "/relative"] {
            assert!(validate_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn region_presets() {
        let c = ClientBuilder::default().ignore_env(true).access_token("t").region("cn").resolve().unwrap();
        assert_eq!(c.base_url(), CN_BASE_URL);
        assert_eq!(c.max_body_bytes(), CN_MAX_BODY);
        assert!(!format!("{c:?}").contains("\"t\""));
    }
}

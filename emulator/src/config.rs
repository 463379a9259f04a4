//! Emulator configuration.

use std::time::Duration;

use crate::tls::TlsConfig;

/// Default request-body limit for the global region (32 MiB).
pub const GLOBAL_MAX_BODY: usize = 32 * 1024 * 1024;
/// Request-body limit for the CN region (4 MiB).
pub const CN_MAX_BODY: usize = 4 * 1024 * 1024;

/// Deployment region; only affects the default body limit and its error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    /// `api.qoder.com`: 32 MiB bodies, explicit "too large" message.
    #[default]
    Global,
    /// `api.qoder.com.cn`: 4 MiB bodies; oversize bodies fail as invalid JSON.
    Cn,
}

impl std::str::FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "global" => Ok(Region::Global),
            "cn" => Ok(Region::Cn),
            other => Err(format!("unknown region '{other}' (expected global or cn)")),
        }
    }
}

/// Configuration for [`crate::start`].
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// TCP port; 0 picks an ephemeral port.
    pub port: u16,
    /// Bind address (default `127.0.0.1`).
    pub host: String,
    /// API prefix (default `/api/v1/cloud`).
    pub prefix: String,
    /// Region (default global).
    pub region: Region,
    /// Maximum request body in bytes; `None` = region default (32 MiB, or 4 MiB for cn).
    pub max_body_bytes: Option<usize>,
    /// Interval between SSE `: keep-alive` comments (default 15 s).
    pub keepalive_interval: Duration,
    /// Delay before each step of a scripted turn (default 0 = instant).
    pub turn_step_delay: Duration,
    /// Server-wide fault spec (see README), applied to every API request.
    pub fault: Option<String>,
    /// Accepted bearer tokens; `None` accepts any non-empty token.
    pub allowed_tokens: Option<Vec<String>>,
    /// Tokens that authenticate but are refused with 403 `permission_error`.
    pub forbidden_tokens: Vec<String>,
    /// HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS` per connection (default 200, hyper's and a
    /// common server value); `None` = unlimited.
    pub h2_max_streams: Option<u32>,
    /// Serve HTTPS instead of cleartext HTTP (default `None`): HTTP/2 or
    /// HTTP/1.1 chosen by ALPN, like production.
    pub tls: Option<TlsConfig>,
    /// ALPN protocols offered over TLS, preferred first (default `["h2", "http/1.1"]`;
    /// only those two values; empty = no ALPN, so HTTP/1.1). Ignored without `tls`.
    pub alpn: Vec<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            host: "127.0.0.1".into(),
            prefix: "/api/v1/cloud".into(),
            region: Region::Global,
            max_body_bytes: None,
            keepalive_interval: Duration::from_secs(15),
            turn_step_delay: Duration::ZERO,
            fault: None,
            allowed_tokens: None,
            forbidden_tokens: Vec::new(),
            h2_max_streams: Some(200),
            tls: None,
            alpn: crate::tls::default_alpn(),
        }
    }
}

impl EmulatorConfig {
    /// The effective body limit.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes.unwrap_or(match self.region {
            Region::Global => GLOBAL_MAX_BODY,
            Region::Cn => CN_MAX_BODY,
        })
    }

    /// `https` with TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// The prefix normalised to `/x/y` (leading slash, no trailing slash; empty allowed).
    pub fn normalized_prefix(&self) -> String {
        let p = self.prefix.trim_matches('/');
        if p.is_empty() {
            String::new()
        } else {
            format!("/{p}")
        }
    }
}

//! Credentials (docs/api-contract.md §1.5): a fixed token (PAT or service-account token), a
//! token provider called before every attempt, or a service-account key that the client
//! exchanges for short-lived tokens itself.
//!
//! Service accounts: the token is cached and refreshed `min(60 s, 10 % of its TTL)` before it
//! expires; concurrent calls wait for one exchange in flight (the cache's lock is held across
//! it). When the exchange fails transiently (connection, timeout, 429, 5xx) and the cached token
//! has not expired yet, calls go on with it. A 401 from the API makes the transport ask for a new
//! token once, naming the refused one, and retry the call if that is safe (see `transport.rs`).
//! Neither the key nor a token ever appears in `Debug` output, logs or errors.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::config::{Region, Secret};
use crate::error::{Error, ErrorKind, Result};
use crate::tools::BoxFuture;

/// A source of tokens, asked before every attempt (so tokens may rotate at will).
pub trait TokenProvider: Send + Sync {
    /// The token for the next attempt. `refused` is the token the server just answered 401 to:
    /// return a fresh one (or the same, and the call fails with the 401).
    fn token(&self, refused: Option<&str>) -> BoxFuture<Result<String>>;
}

impl<F> TokenProvider for F
where
    F: Fn(Option<&str>) -> BoxFuture<Result<String>> + Send + Sync,
{
    fn token(&self, refused: Option<&str>) -> BoxFuture<Result<String>> {
        self(refused)
    }
}

/// A service-account key and how to exchange it (`QODER_SA_KEY` in the environment).
#[derive(Clone)]
pub struct ServiceAccount {
    key: Secret,
    exchange_url: Option<String>,
    ttl_seconds: u32,
    scopes: Vec<String>,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("key", &self.key)
            .field("exchange_url", &self.exchange_url)
            .field("ttl_seconds", &self.ttl_seconds)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl ServiceAccount {
    /// A key with the defaults: scope `qca.access`, tokens of one hour, the region's exchange host.
    pub fn new(key: impl Into<String>) -> Self {
        Self { key: Secret::new(key), exchange_url: None, ttl_seconds: 3600, scopes: vec!["qca.access".into()] }
    }
    /// The exchange endpoint (default: the region's, `https://openapi.qoder.sh/api/v1/serviceToken/exchange`
    /// or `https://openapi.qoder.com.cn/...`).
    pub fn exchange_url(mut self, url: impl Into<String>) -> Self {
        self.exchange_url = Some(url.into());
        self
    }
    /// Lifetime of the tokens asked for, 1 to 43,200 seconds.
    pub fn ttl_seconds(mut self, ttl: u32) -> Self {
        self.ttl_seconds = ttl;
        self
    }
    /// Scopes asked for (must include `qca.access` for this API).
    pub fn scopes(mut self, scopes: Vec<String>) -> Self {
        self.scopes = scopes;
        self
    }

    fn check(&self) -> Result<()> {
        let k = self.key.expose();
        if k.trim().is_empty() || k.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid_argument(
                "service_account_key",
                "service-account key is empty or contains whitespace/control characters",
            ));
        }
        if !(1..=43_200).contains(&self.ttl_seconds) {
            return Err(Error::invalid_argument(
                "service_account_ttl",
                format!("service_account_ttl: must be 1 to 43200 seconds, got {}", self.ttl_seconds),
            ));
        }
        if self.scopes.is_empty() || self.scopes.iter().any(|s| s.is_empty() || s.chars().any(char::is_whitespace)) {
            return Err(Error::invalid_argument(
                "service_account_scopes",
                "service_account_scopes: must be non-empty scope names without spaces",
            ));
        }
        Ok(())
    }
}

/// Where a client's tokens come from.
#[derive(Clone)]
pub(crate) enum Credentials {
    Token(Secret),
    Provider(Arc<dyn TokenProvider>),
    ServiceAccount(ServiceAccount),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(t) => write!(f, "Token({t:?})"),
            Credentials::Provider(_) => f.write_str("Provider(..)"),
            Credentials::ServiceAccount(sa) => write!(f, "{sa:?}"),
        }
    }
}

/// The exchange URL of a region.
fn default_exchange_url(region: Region) -> &'static str {
    match region {
        Region::Cn => "https://openapi.qoder.com.cn/api/v1/serviceToken/exchange",
        Region::Global => "https://openapi.qoder.sh/api/v1/serviceToken/exchange",
    }
}

/// How long before expiry a token is refreshed.
pub fn refresh_margin(ttl: Duration) -> Duration {
    (ttl / 10).min(Duration::from_secs(60))
}

struct Issued {
    token: Secret,
    refresh_at: Instant,
    expires_at: Instant,
}

/// A transport's live credentials.
pub(crate) struct Auth {
    creds: Credentials,
    exchange_url: Option<url::Url>,
    cache: tokio::sync::Mutex<Option<Issued>>,
    exchange_timeout: Duration,
}

impl Auth {
    pub(crate) fn new(creds: Credentials, region: Region, timeout: Duration) -> Result<Self> {
        let exchange_url = match &creds {
            Credentials::ServiceAccount(sa) => {
                sa.check()?;
                let raw = sa.exchange_url.as_deref().unwrap_or(default_exchange_url(region));
                let u = url::Url::parse(raw).map_err(|e| {
                    Error::invalid_argument(
                        "service_account_exchange_url",
                        format!("service_account_exchange_url: {e}"),
                    )
                })?;
                if !matches!(u.scheme(), "http" | "https") {
                    return Err(Error::invalid_argument(
                        "service_account_exchange_url",
                        "service_account_exchange_url: must be http(s)",
                    ));
                }
                Some(u)
            }
            _ => None,
        };
        Ok(Self {
            creds,
            exchange_url,
            cache: tokio::sync::Mutex::new(None),
            exchange_timeout: timeout.min(Duration::from_secs(30)),
        })
    }

    /// Whether a refused token can be replaced by another (a provider or a service account).
    pub(crate) fn refreshable(&self) -> bool {
        !matches!(self.creds, Credentials::Token(_))
    }

    /// The bearer token of the next attempt; `refused`: the token the server just answered 401 to.
    pub(crate) async fn bearer(&self, http: &reqwest::Client, refused: Option<&str>) -> Result<Secret> {
        match &self.creds {
            Credentials::Token(t) => Ok(t.clone()),
            Credentials::Provider(p) => {
                let t = p.token(refused).await?;
                if t.trim().is_empty() || t.chars().any(|c| c.is_control() || c == ' ') {
                    return Err(Error::invalid_argument(
                        "token_provider",
                        "the token provider returned an empty token or one with whitespace/control characters",
                    ));
                }
                Ok(Secret::new(t))
            }
            Credentials::ServiceAccount(sa) => {
                let mut cached = self.cache.lock().await;
                let now = Instant::now();
                if let Some(i) = cached.as_ref() {
                    if now < i.refresh_at && refused != Some(i.token.expose()) {
                        return Ok(i.token.clone());
                    }
                }
                match self.exchange(http, sa).await {
                    Ok(issued) => {
                        let t = issued.token.clone();
                        *cached = Some(issued);
                        Ok(t)
                    }
                    // A passing outage of the exchange does not stop calls while the token lasts.
                    Err(e) if e.is_retryable() => match cached.as_ref() {
                        Some(i) if now < i.expires_at && refused != Some(i.token.expose()) => Ok(i.token.clone()),
                        _ => Err(e),
                    },
                    Err(e) => Err(e),
                }
            }
        }
    }

    async fn exchange(&self, http: &reqwest::Client, sa: &ServiceAccount) -> Result<Issued> {
        let url = self.exchange_url.clone().expect("service accounts have an exchange URL");
        let body = json!({"grant_type": "client_credentials", "audience": "qoder", "scope": sa.scopes.join(" "), "ttl_seconds": sa.ttl_seconds});
        let mut attempt = 0u32;
        loop {
            let sent = http
                .post(url.clone())
                .bearer_auth(sa.key.expose())
                .header("accept", "application/json")
                .json(&body)
                .timeout(self.exchange_timeout)
                .send()
                .await;
            let outcome = match sent {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let rid = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
                    match resp.bytes().await {
                        Ok(b) if (200..300).contains(&status) => return parse_issued(&b, status),
                        Ok(b) => Error::from_response(status, &b, rid),
                        Err(e) => Error::new(
                            ErrorKind::Connection,
                            format!("reading the exchange response: {}", crate::transport::redact(&e.to_string())),
                        ),
                    }
                }
                Err(e) if e.is_timeout() => Error::new(ErrorKind::Timeout, "the token exchange timed out"),
                Err(e) => Error::new(ErrorKind::Connection, crate::transport::redact(&e.to_string())),
            };
            let transient = matches!(
                outcome.kind(),
                ErrorKind::Connection
                    | ErrorKind::Timeout
                    | ErrorKind::RateLimit
                    | ErrorKind::InternalServer
                    | ErrorKind::Overloaded
            );
            let mut e = outcome.with_retryable(transient);
            e.prepend_message("service-account token exchange: ");
            if !transient || attempt >= 2 {
                return Err(e);
            }
            let delay = crate::retry::backoff(attempt, &mut rand::thread_rng());
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

fn parse_issued(body: &[u8], status: u16) -> Result<Issued> {
    let bad =
        || Error::decode("the token exchange answered without a usable access_token / expires_in", b"", Some(status));
    let v: Value = serde_json::from_slice(body).map_err(|_| bad())?;
    let token =
        v.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty() && !t.contains(' ')).ok_or_else(bad)?;
    let ttl = Duration::from_secs(v.get("expires_in").and_then(Value::as_u64).filter(|&s| s > 0).ok_or_else(bad)?);
    let now = Instant::now();
    Ok(Issued { token: Secret::new(token), refresh_at: now + ttl - refresh_margin(ttl), expires_at: now + ttl })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_margin_is_a_tenth_of_the_ttl_up_to_a_minute() {
        assert_eq!(refresh_margin(Duration::from_secs(3600)), Duration::from_secs(60));
        assert_eq!(refresh_margin(Duration::from_secs(100)), Duration::from_secs(10));
        assert_eq!(refresh_margin(Duration::from_secs(1)), Duration::from_millis(100));
    }

    #[test]
    fn parse_issued_needs_a_token_and_a_lifetime() {
        let i = parse_issued(br#"{"access_token":"sat-1","token_type":"bearer","expires_in":100}"#, 200).unwrap();
        assert_eq!(i.token.expose(), "sat-1");
        assert_eq!(i.expires_at - i.refresh_at, Duration::from_secs(10));
        for bad in [
            &br#"{"expires_in":100}"#[..],
            br#"{"access_token":"x","expires_in":0}"#,
            br#"{"access_token":"","expires_in":5}"#,
            b"nope",
        ] {
            assert!(parse_issued(bad, 200).is_err());
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let sa = ServiceAccount::new("sak-very-secret");
        assert!(!format!("{sa:?}").contains("very-secret"));
        assert!(!format!("{:?}", Credentials::ServiceAccount(sa)).contains("very-secret"));
        assert!(!format!("{:?}", Credentials::Token(Secret::new("pt-secret"))).contains("pt-secret"));
    }
}

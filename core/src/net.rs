//! Trust and routing of the client's connections: which certificate authorities are trusted,
//! an optional client certificate (mTLS), the proxy, and the warnings for unsafe settings.
//!
//! Defaults suit production behind a corporate proxy that inspects TLS with its own CA:
//! - trusted roots are the bundled Mozilla roots **plus** the operating system's store, which
//!   also honours `SSL_CERT_FILE` and `SSL_CERT_DIR` (through `rustls-native-certs`); the Node
//!   binding adds `NODE_EXTRA_CA_CERTS` as Node itself does;
//! - extra CA certificates (PEM files or bytes) are added on top, never in place of the others;
//! - `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY` are honoured (by reqwest, for
//!   calls and pooled streams alike; the direct stream connection is only used where no proxy
//!   applies), and an explicit proxy URL replaces them, still honouring `NO_PROXY`.
//!
//! Verification is off only when asked for explicitly, and the client then logs a warning, as it
//! does when a token is about to be sent in cleartext to a host other than loopback.

use std::fmt;
use std::path::PathBuf;

use crate::config::Secret;
use crate::error::{Error, ErrorKind, Result};

/// One extra trusted certificate authority, as given by the caller.
#[derive(Clone, PartialEq, Eq)]
pub enum CaSource {
    /// A PEM file (one or more `CERTIFICATE` blocks), read when the client is built.
    File(PathBuf),
    /// PEM text (one or more `CERTIFICATE` blocks).
    Pem(Vec<u8>),
}

/// Whether text is PEM content rather than a path: PEM always carries a `-----BEGIN` line.
fn is_pem(s: &str) -> bool {
    s.contains("-----BEGIN ")
}

impl CaSource {
    /// The one rule every binding uses for a string option: PEM text when it holds a
    /// `-----BEGIN` line, else the path of a PEM file. (Bytes are PEM text too.)
    pub fn from_text(s: impl Into<String>) -> Self {
        let s = s.into();
        if is_pem(&s) {
            Self::Pem(s.into_bytes())
        } else {
            Self::File(PathBuf::from(s))
        }
    }
}

impl fmt::Debug for CaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(p) => write!(f, "File({})", p.display()),
            Self::Pem(b) => write!(f, "Pem({} bytes)", b.len()),
        }
    }
}

/// What the caller asked for (unvalidated); [`NetOptions::resolve`] checks it.
#[derive(Clone, Default)]
pub struct NetOptions {
    /// Extra trusted CAs, on top of the bundled and system roots.
    pub extra_ca: Vec<CaSource>,
    /// Proxy URL for every request (`http://`, `https://`); `None` uses the environment.
    pub proxy: Option<String>,
    /// Client certificate chain (PEM) for mTLS.
    pub client_cert: Option<CaSource>,
    /// The client certificate's private key (PEM); a secret.
    pub client_key: Option<SecretPem>,
    /// Disables certificate verification (tests only; logs a warning).
    pub danger_accept_invalid_certs: bool,
}

impl fmt::Debug for NetOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proxy = self
            .proxy
            .as_deref()
            .map(|p| url::Url::parse(p).map(|u| redacted(&u)).unwrap_or_else(|_| "(unparsable)".into()));
        f.debug_struct("NetOptions")
            .field("extra_ca", &self.extra_ca)
            .field("proxy", &proxy)
            .field("client_cert", &self.client_cert)
            .field("client_key", &self.client_key)
            .field("danger_accept_invalid_certs", &self.danger_accept_invalid_certs)
            .finish()
    }
}

/// PEM bytes of a private key, or the file holding them; never shown by `Debug`.
#[derive(Clone)]
pub enum SecretPem {
    /// A file, read when the client is built.
    File(PathBuf),
    /// The key itself.
    Pem(Secret),
}

impl SecretPem {
    /// PEM text when it holds a `-----BEGIN` line, else the path of a PEM file (as
    /// [`CaSource::from_text`]).
    pub fn from_text(s: impl Into<String>) -> Self {
        let s = s.into();
        if is_pem(&s) {
            Self::Pem(Secret::new(s))
        } else {
            Self::File(PathBuf::from(s))
        }
    }
}

impl fmt::Debug for SecretPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(p) => write!(f, "File({})", p.display()),
            Self::Pem(_) => f.write_str("Pem(***)"),
        }
    }
}

/// Resolved network settings: every certificate parsed, the proxy URL checked.
#[derive(Clone)]
pub(crate) struct Net {
    pub(crate) extra_roots: Vec<reqwest::Certificate>,
    pub(crate) identity: Option<reqwest::Identity>,
    pub(crate) proxy: Option<url::Url>,
    pub(crate) danger_accept_invalid_certs: bool,
}

impl fmt::Debug for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Net")
            .field("extra_roots", &self.extra_roots.len())
            .field("identity", &self.identity.as_ref().map(|_| "***"))
            .field("proxy", &self.proxy.as_ref().map(redacted))
            .field("danger_accept_invalid_certs", &self.danger_accept_invalid_certs)
            .finish()
    }
}

fn invalid(param: &str, msg: String) -> Error {
    let mut e = Error::new(ErrorKind::InvalidArgument, msg);
    e.set_param(param);
    e
}

fn read(param: &str, path: &PathBuf, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| invalid(param, format!("{param}: cannot read the {what} file {}: {e}", path.display())))
}

/// A proxy URL without its password, for logs and `Debug`.
fn redacted(u: &url::Url) -> String {
    let mut u = u.clone();
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    u.to_string()
}

impl NetOptions {
    /// Loads and checks every certificate, key and URL. `node_extra_ca` is the value of
    /// `NODE_EXTRA_CA_CERTS` when the caller is the Node binding (Node's own convention).
    pub(crate) fn resolve(&self, node_extra_ca: Option<String>) -> Result<Net> {
        let mut extra_roots = Vec::new();
        let mut sources: Vec<(&str, CaSource)> = self.extra_ca.iter().map(|s| ("ca_certs", s.clone())).collect();
        if let Some(p) = node_extra_ca {
            sources.push(("NODE_EXTRA_CA_CERTS", CaSource::File(PathBuf::from(p))));
        }
        for (param, src) in sources {
            let (pem, origin) = match &src {
                CaSource::File(p) => (read(param, p, "CA certificate")?, p.display().to_string()),
                CaSource::Pem(b) => (b.clone(), "the PEM bytes".to_string()),
            };
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| invalid(param, format!("{param}: {origin} is not PEM certificates: {e}")))?;
            if certs.is_empty() {
                return Err(invalid(param, format!("{param}: {origin} holds no CERTIFICATE block")));
            }
            extra_roots.extend(certs);
        }
        let identity = match (&self.client_cert, &self.client_key) {
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                return Err(invalid(
                    "client_cert",
                    "client_cert and client_key go together: pass both or neither".into(),
                ))
            }
            (Some(cert), Some(key)) => {
                let mut pem = match cert {
                    CaSource::File(p) => read("client_cert", p, "client certificate")?,
                    CaSource::Pem(b) => b.clone(),
                };
                pem.push(b'\n');
                match key {
                    SecretPem::File(p) => pem.extend(read("client_key", p, "client key")?),
                    SecretPem::Pem(s) => pem.extend_from_slice(s.expose().as_bytes()),
                }
                // The key's bytes never reach the message: only reqwest's description of the problem.
                let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                    invalid(
                        "client_cert",
                        format!("client_cert/client_key: not a PEM certificate chain and private key: {e}"),
                    )
                })?;
                // `from_pem` only splits the blocks; the key itself is checked when a TLS
                // configuration is made from it. Make one now, so a bad key is the caller's
                // argument error here rather than a connection error later.
                reqwest::Client::builder().identity(id.clone()).build().map_err(|_| {
                    invalid(
                        "client_key",
                        "client_cert/client_key: the private key is not a usable PEM key, or does not belong to the certificate".into(),
                    )
                })?;
                Some(id)
            }
        };
        let proxy = match &self.proxy {
            None => None,
            Some(p) => {
                let u = url::Url::parse(p.trim()).map_err(|e| invalid("proxy", format!("proxy: not a URL: {e}")))?;
                if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
                    return Err(invalid(
                        "proxy",
                        format!("proxy: expected http://host:port or https://host:port, got {}", redacted(&u)),
                    ));
                }
                Some(u)
            }
        };
        Ok(Net { extra_roots, identity, proxy, danger_accept_invalid_certs: self.danger_accept_invalid_certs })
    }
}

impl Net {
    /// Applies trust, identity and proxy to a reqwest builder (the API client and the
    /// credential-free download client alike).
    pub(crate) fn apply(&self, mut b: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        for c in &self.extra_roots {
            b = b.add_root_certificate(c.clone());
        }
        if let Some(id) = &self.identity {
            b = b.identity(id.clone());
        }
        if let Some(p) = &self.proxy {
            let proxy = reqwest::Proxy::all(p.as_str())
                .map_err(|e| invalid("proxy", format!("proxy: {e}")))?
                .no_proxy(reqwest::NoProxy::from_env());
            b = b.proxy(proxy);
        }
        Ok(b.danger_accept_invalid_certs(self.danger_accept_invalid_certs))
    }

    /// The warnings this configuration deserves, logged once per client before its first request.
    pub(crate) fn warnings(&self, base: &url::Url) -> Vec<String> {
        let mut out = Vec::new();
        if self.danger_accept_invalid_certs {
            out.push(
                "TLS certificate verification is OFF (danger_accept_invalid_certs): any server can \
                 impersonate the API and read the access token; use it only against a test server"
                    .to_string(),
            );
        }
        if base.scheme() == "http" && !is_loopback(base) {
            out.push(format!(
                "the access token is sent in cleartext: base_url {} uses http:// to a host that is not loopback",
                base.origin().ascii_serialization()
            ));
        }
        out
    }
}

/// Whether a URL's host is this machine (`localhost`, 127.0.0.0/8, `::1`).
pub(crate) fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for (u, yes) in [
            ("http://127.0.0.1:1/x", true),
            ("http://127.9.9.9/x", true),
            ("http://localhost/x", true),
            ("http://[::1]:8/x", true),
            ("http://10.0.0.1/x", false),
            ("http://api.example.com/x", false),
        ] {
            assert_eq!(is_loopback(&url::Url::parse(u).unwrap()), yes, "{u}");
        }
    }

    #[test]
    fn warnings_name_the_risk() {
        let net = NetOptions::default().resolve(None).unwrap();
        assert!(net.warnings(&url::Url::parse("http://127.0.0.1:4010/api").unwrap()).is_empty());
        assert!(net.warnings(&url::Url::parse("https://api.qoder.com/api").unwrap()).is_empty());
        let w = net.warnings(&url::Url::parse("http://api.example.com/api").unwrap());
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("cleartext"), "{w:?}");
        let insecure = NetOptions { danger_accept_invalid_certs: true, ..Default::default() }.resolve(None).unwrap();
        assert!(insecure.warnings(&url::Url::parse("https://h/").unwrap())[0].contains("verification is OFF"));
    }

    #[test]
    fn bad_inputs_are_typed_and_named() {
        let e = NetOptions { extra_ca: vec![CaSource::File("/nonexistent/ca.pem".into())], ..Default::default() }
            .resolve(None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("/nonexistent/ca.pem"), "{}", e.message());
        let e = NetOptions { extra_ca: vec![CaSource::Pem(b"hello".to_vec())], ..Default::default() }
            .resolve(None)
            .unwrap_err();
        assert!(e.message().contains("no CERTIFICATE"), "{}", e.message());
        let e = NetOptions::default().resolve(Some("/nonexistent/node-extra.pem".into())).unwrap_err();
        assert!(e.message().starts_with("NODE_EXTRA_CA_CERTS"), "{}", e.message());
        let e = NetOptions { proxy: Some("ftp://p:3128".into()), ..Default::default() }.resolve(None).unwrap_err();
        assert!(e.message().contains("proxy"), "{}", e.message());
        let e = NetOptions { client_key: Some(SecretPem::Pem(Secret::new("k"))), ..Default::default() }
            .resolve(None)
            .unwrap_err();
        assert!(e.message().contains("go together"));
        let key = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n";
        let e = NetOptions {
            client_cert: Some(CaSource::Pem(b"nope".to_vec())),
            client_key: Some(SecretPem::Pem(Secret::new(key))),
            ..Default::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(!e.message().contains("c2VjcmV0"), "the key leaked: {}", e.message());
    }

    #[test]
    fn text_is_pem_or_a_path() {
        assert!(matches!(CaSource::from_text("/etc/ssl/ca.pem"), CaSource::File(_)));
        assert!(matches!(CaSource::from_text("-----BEGIN CERTIFICATE-----\nAA==\n"), CaSource::Pem(_)));
        assert!(matches!(SecretPem::from_text("key.pem"), SecretPem::File(_)));
        assert!(matches!(SecretPem::from_text("-----BEGIN PRIVATE KEY-----\n"), SecretPem::Pem(_)));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let opts = NetOptions {
            client_key: Some(SecretPem::Pem(Secret::new("-----BEGIN PRIVATE KEY-----\nsecretbytes\n"))),
            proxy: Some("http://user:hunter2@proxy:3128".into()),
            ..Default::default()
        };
        let dbg = format!("{opts:?}");
        assert!(!dbg.contains("secretbytes") && !dbg.contains("hunter2"), "{dbg}");
        let net = NetOptions { proxy: opts.proxy.clone(), ..Default::default() }.resolve(None).unwrap();
        assert!(!format!("{net:?}").contains("hunter2"));
    }
}

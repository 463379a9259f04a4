//! HTTPS: certificates, ALPN and the per-connection TLS handshake.
//!
//! Production serves `https://api.qoder.com` with HTTP/2 chosen by ALPN, so
//! the emulator can too (`--tls`). Certificates are either generated at start
//! (a throw-away CA plus a server certificate it signs, so clients trust the
//! CA rather than disabling verification) or loaded from PEM files. rustls
//! uses the ring provider, the one the core's reqwest already builds.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// ALPN id of HTTP/2.
pub const ALPN_H2: &str = "h2";
/// ALPN id of HTTP/1.1.
pub const ALPN_HTTP1: &str = "http/1.1";
/// How long a client gets to complete the handshake; a stalled client must not
/// hold a connection task (and its slot in the stats) forever.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The default ALPN list, `["h2", "http/1.1"]` (HTTP/2 preferred, like production).
pub fn default_alpn() -> Vec<String> {
    vec![ALPN_H2.to_string(), ALPN_HTTP1.to_string()]
}

/// Checks an ALPN list: only `h2` and `http/1.1`, each at most once. An empty
/// list is allowed and means no ALPN (clients then get HTTP/1.1).
pub fn validate_alpn(list: &[String]) -> Result<(), String> {
    for (i, p) in list.iter().enumerate() {
        if p != ALPN_H2 && p != ALPN_HTTP1 {
            return Err(format!("unknown ALPN protocol '{p}' (expected h2 or http/1.1)"));
        }
        if list[..i].contains(p) {
            return Err(format!("ALPN protocol '{p}' listed twice"));
        }
    }
    Ok(())
}

/// Parses a comma-separated ALPN list such as `h2,http/1.1` (the `--alpn` flag).
pub fn parse_alpn(s: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if list.is_empty() {
        return Err("the ALPN list is empty (expected h2 and/or http/1.1)".into());
    }
    validate_alpn(&list)?;
    Ok(list)
}

/// Where the server certificate comes from (see [`crate::EmulatorConfig::tls`]).
#[derive(Clone)]
pub struct TlsConfig {
    source: Source,
}

#[derive(Clone)]
enum Source {
    /// Generated at start, because the names it covers depend on the configured host.
    Generate,
    /// Given PEM texts, already checked to parse and to match.
    Pem { cert_chain: String, key: String },
}

impl fmt::Debug for TlsConfig {
    // Never print the private key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Generate => f.write_str("TlsConfig::Generate"),
            Source::Pem { .. } => f.write_str("TlsConfig::Pem { .. }"),
        }
    }
}

impl TlsConfig {
    /// A fresh self-signed CA and a server certificate signed by it for
    /// `localhost`, `127.0.0.1`, `::1` and the configured host, made at start.
    /// [`crate::RunningEmulator::ca_pem`] returns the CA to trust.
    pub fn generate() -> Self {
        TlsConfig { source: Source::Generate }
    }

    /// A certificate chain (leaf first) and its private key (PKCS#8, PKCS#1 or
    /// SEC1) as PEM text. Fails if either does not parse or they do not match.
    pub fn from_pem(cert_chain_pem: impl Into<String>, key_pem: impl Into<String>) -> io::Result<Self> {
        Self::checked(cert_chain_pem.into(), key_pem.into(), "certificate", "private key")
    }

    /// Reads [`TlsConfig::from_pem`]'s inputs from files. Every error names the
    /// file, so a bad `--tls-cert`/`--tls-key` is obvious at startup.
    pub fn from_pem_files(cert: impl AsRef<Path>, key: impl AsRef<Path>) -> io::Result<Self> {
        let (cert, key) = (cert.as_ref(), key.as_ref());
        let read = |p: &Path, what: &str| {
            std::fs::read_to_string(p)
                .map_err(|e| io::Error::new(e.kind(), format!("cannot read TLS {what} file {}: {e}", p.display())))
        };
        let (cert_pem, key_pem) = (read(cert, "certificate")?, read(key, "key")?);
        Self::checked(
            cert_pem,
            key_pem,
            &format!("certificate file {}", cert.display()),
            &format!("key file {}", key.display()),
        )
    }

    fn checked(cert_chain: String, key: String, cert_name: &str, key_name: &str) -> io::Result<Self> {
        let chain = parse_chain(&cert_chain, cert_name)?;
        let key_der = parse_key(&key, key_name)?;
        // Building a config now runs rustls' own checks (key type, key matches the leaf).
        server_config(chain, key_der, &[])
            .map_err(|e| invalid(format!("TLS {cert_name} and {key_name} do not form a usable pair: {e}")))?;
        Ok(TlsConfig { source: Source::Pem { cert_chain, key } })
    }

    /// Whether the certificate is generated at start (as opposed to given).
    pub fn is_generated(&self) -> bool {
        matches!(self.source, Source::Generate)
    }
}

/// PEM texts made by [`generate_certificate`].
#[derive(Clone)]
pub struct GeneratedCert {
    /// The CA certificate clients should trust.
    pub ca_pem: String,
    /// The server certificate followed by the CA certificate (a chain file).
    pub cert_chain_pem: String,
    /// The server's private key (PKCS#8).
    pub key_pem: String,
}

impl fmt::Debug for GeneratedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedCert").field("ca_pem", &self.ca_pem).finish_non_exhaustive()
    }
}

/// Makes a CA and a server certificate it signs for `localhost`, `127.0.0.1`,
/// `::1` and `extra_names` (DNS names or IP addresses). Useful to write a
/// cert/key pair for `--tls-cert`/`--tls-key`.
pub fn generate_certificate(extra_names: &[&str]) -> io::Result<GeneratedCert> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
    let err = |e: rcgen::Error| invalid(format!("cannot generate TLS certificate: {e}"));
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.distinguished_name.push(DnType::CommonName, "qoder-emulator local CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;

    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    for n in extra_names {
        // Bracketed IPv6 (`[::1]`) is how hosts appear in URLs; a SAN wants the bare address.
        let n = n.trim_start_matches('[').trim_end_matches(']');
        if !n.is_empty() && !names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
            names.push(n.to_string());
        }
    }
    let mut leaf = CertificateParams::new(names).map_err(err)?;
    leaf.distinguished_name.push(DnType::CommonName, "qoder-emulator");
    // Explicit CA:false plus key identifiers keep strict verifiers (OpenSSL's
    // X509_STRICT, used by recent Python) happy.
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().map_err(err)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).map_err(err)?;
    let ca_pem = ca_cert.pem();
    Ok(GeneratedCert {
        cert_chain_pem: format!("{}{}", leaf_cert.pem(), ca_pem),
        ca_pem,
        key_pem: leaf_key.serialize_pem(),
    })
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn parse_chain(pem: &str, name: &str) -> io::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("TLS {name} is not valid PEM: {e}")))?;
    if chain.is_empty() {
        return Err(invalid(format!("TLS {name} holds no CERTIFICATE block")));
    }
    Ok(chain)
}

fn parse_key(pem: &str, name: &str) -> io::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| invalid(format!("TLS {name} holds no usable private key: {e}")))
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    alpn: &[String],
) -> Result<rustls::ServerConfig, rustls::Error> {
    // An explicit provider: never depend on a process-wide default being installed.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Ok(config)
}

/// The protocol a TLS connection will speak after the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Negotiated {
    /// ALPN chose `h2`.
    H2,
    /// ALPN chose `http/1.1`.
    Http1,
    /// The client offered no ALPN (or the server advertises none): HTTP/1.1.
    None,
}

impl Negotiated {
    /// The stats key: `h2`, `http/1.1` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Negotiated::H2 => ALPN_H2,
            Negotiated::Http1 => ALPN_HTTP1,
            Negotiated::None => "none",
        }
    }
}

/// A ready TLS server side: the acceptor and the PEM clients should trust.
pub struct TlsServer {
    acceptor: TlsAcceptor,
    ca_pem: String,
}

impl fmt::Debug for TlsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsServer").finish_non_exhaustive()
    }
}

impl TlsServer {
    /// Builds the server side for `host` (added to a generated certificate's names).
    pub fn new(config: &TlsConfig, host: &str, alpn: &[String]) -> io::Result<Self> {
        validate_alpn(alpn).map_err(invalid)?;
        let (cert_chain, key, ca_pem) = match &config.source {
            Source::Generate => {
                let g = generate_certificate(&[host])?;
                (g.cert_chain_pem, g.key_pem, g.ca_pem)
            }
            Source::Pem { cert_chain, key } => (cert_chain.clone(), key.clone(), cert_chain.clone()),
        };
        let chain = parse_chain(&cert_chain, "certificate")?;
        let key = parse_key(&key, "private key")?;
        let config = server_config(chain, key, alpn).map_err(|e| invalid(format!("TLS setup failed: {e}")))?;
        Ok(TlsServer { acceptor: TlsAcceptor::from(Arc::new(config)), ca_pem })
    }

    /// The generated CA certificate, or the given certificate chain (PEM).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Runs the handshake (bounded by [`HANDSHAKE_TIMEOUT`]); returns the stream
    /// and the protocol ALPN chose, or the reason it failed.
    pub async fn handshake(&self, stream: TcpStream) -> io::Result<(TlsStream<TcpStream>, Negotiated)> {
        let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(stream))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))??;
        let negotiated = match tls.get_ref().1.alpn_protocol() {
            Some(p) if p == ALPN_H2.as_bytes() => Negotiated::H2,
            Some(_) => Negotiated::Http1,
            None => Negotiated::None,
        };
        Ok((tls, negotiated))
    }
}

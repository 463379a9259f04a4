//! HTTPS (`--tls`): certificates, ALPN (HTTP/2 or HTTP/1.1), handshake
//! failures, SSE and faults over TLS, given cert/key files, and the binary's
//! ready line and temporary CA file.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use qoder_emulator::tls::generate_certificate;
use qoder_emulator::{EmulatorConfig, TlsConfig};
use tokio::io::AsyncWriteExt;

const T: Duration = Duration::from_secs(10);

/// A client that trusts only `ca_pem` (the CA bundle may hold several certificates).
fn client_trusting(ca_pem: &str, http1_only: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder().tls_built_in_root_certs(false).timeout(T);
    for cert in reqwest::Certificate::from_pem_bundle(ca_pem.as_bytes()).expect("CA PEM") {
        b = b.add_root_certificate(cert);
    }
    if http1_only {
        b = b.http1_only();
    }
    b.build().unwrap()
}

async fn start_tls(config: EmulatorConfig, http1_only_client: bool) -> Harness {
    let emu = qoder_emulator::start(EmulatorConfig {
        tls: Some(config.tls.clone().unwrap_or_else(TlsConfig::generate)),
        ..config
    })
    .await
    .expect("start emulator");
    let http = client_trusting(&emu.ca_pem().expect("TLS emulator has a CA"), http1_only_client);
    let base = emu.base_url();
    Harness { emu, http, base }
}

fn conn_stat(h: &Harness, key: &str) -> u64 {
    let c = &h.emu.stats()["connections"];
    let v = if let Some(p) = key.strip_prefix("alpn.") { &c["alpn"][p] } else { &c[key] };
    v.as_u64().unwrap_or_else(|| panic!("stats connections.{key}: {c}"))
}

/// Waits (bounded) until a connection counter reaches `n`: the server records
/// a failed handshake a moment after the client has given up.
async fn wait_conn_stat(h: &Harness, key: &str, n: u64) {
    let deadline = Instant::now() + T;
    while conn_stat(h, key) < n {
        assert!(Instant::now() < deadline, "connections.{key} never reached {n}: {}", h.emu.stats());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn https_negotiates_h2_by_alpn_and_counts_it() {
    let h = start_tls(EmulatorConfig::default(), false).await;
    assert!(h.base.starts_with("https://127.0.0.1:") && h.base.ends_with("/api/v1/cloud"), "{}", h.base);
    assert!(h.emu.root_url().starts_with("https://"));
    assert!(h.emu.ca_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    let r = h.get("/models").send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.version()), (200, http::Version::HTTP_2));
    assert_eq!(h.control(reqwest::Method::GET, "/health", None).await["status"], "ok");
    assert_eq!(conn_stat(&h, "tls_handshakes"), 1, "one pooled HTTP/2 connection");
    assert_eq!((conn_stat(&h, "alpn.h2"), conn_stat(&h, "alpn.http/1.1")), (1, 0));
    assert_eq!(conn_stat(&h, "tls_handshake_failures"), 0);
    // A client that offers only http/1.1 falls back to it on the same server.
    let h1 = client_trusting(&h.emu.ca_pem().unwrap(), true);
    let r = h1.get(h.url("/models")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.version()), (200, http::Version::HTTP_11));
    assert_eq!(conn_stat(&h, "alpn.http/1.1"), 1);
    // Without TLS nothing changes: no CA, http:// URLs, no handshakes.
    let plain = start().await;
    assert!(plain.emu.ca_pem().is_none() && plain.base.starts_with("http://"));
    assert_eq!(plain.emu.stats()["connections"]["tls_handshakes"], 0);
}

#[tokio::test]
async fn alpn_restricted_to_http1_serves_http1() {
    let h = start_tls(EmulatorConfig { alpn: vec!["http/1.1".into()], ..Default::default() }, false).await;
    let r = h.get("/models").send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.version()), (200, http::Version::HTTP_11));
    assert_eq!((conn_stat(&h, "alpn.h2"), conn_stat(&h, "alpn.http/1.1")), (0, 1));
    // A client that insists on h2 finds no common protocol: the handshake fails.
    let h2_only = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(h.emu.ca_pem().unwrap().as_bytes()).unwrap())
        .http2_prior_knowledge()
        .timeout(T)
        .build()
        .unwrap();
    assert!(h2_only.get(h.url("/models")).bearer_auth(TOKEN).send().await.is_err());
    wait_conn_stat(&h, "tls_handshake_failures", 1).await;
    // Invalid ALPN lists are refused at start.
    let bad = EmulatorConfig { tls: Some(TlsConfig::generate()), alpn: vec!["h3".into()], ..Default::default() };
    assert!(qoder_emulator::start(bad).await.unwrap_err().to_string().contains("h3"));
}

#[tokio::test]
async fn untrusted_clients_and_plain_http_fail_while_others_are_served() {
    let h = start_tls(EmulatorConfig::default(), false).await;
    // A connection that never starts its handshake must not block anyone.
    let _silent = tokio::net::TcpStream::connect(h.emu.addr()).await.unwrap();
    let untrusted = reqwest::Client::builder().tls_built_in_root_certs(false).timeout(T).build().unwrap();
    let err = untrusted.get(h.url("/models")).bearer_auth(TOKEN).send().await.unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    wait_conn_stat(&h, "tls_handshake_failures", 1).await;
    // Plain HTTP to the TLS port fails promptly (rustls answers with an alert and closes).
    let plain_url = h.url("/models").replacen("https://", "http://", 1);
    let r = tokio::time::timeout(T, reqwest::Client::new().get(plain_url).bearer_auth(TOKEN).send())
        .await
        .expect("no hang");
    assert!(r.is_err(), "{r:?}");
    wait_conn_stat(&h, "tls_handshake_failures", 2).await;
    // A raw non-TLS byte stream is dropped too, and the server stays healthy.
    let mut raw = tokio::net::TcpStream::connect(h.emu.addr()).await.unwrap();
    raw.write_all(b"\x00\x01garbage\r\n\r\n").await.unwrap();
    wait_conn_stat(&h, "tls_handshake_failures", 3).await;
    assert_eq!(h.ok(h.get("/models")).await["has_more"], false);
    assert_eq!(conn_stat(&h, "tls_handshakes"), 1);
}

#[tokio::test]
async fn sse_streams_over_tls_with_http2() {
    let h = start_tls(EmulatorConfig::default(), false).await;
    let sid = h.session().await;
    let resp = open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await;
    assert_eq!((resp.status().as_u16(), resp.version()), (200, http::Version::HTTP_2));
    let mut r = SseReader::new(resp);
    let echo = h.say(&sid, "over tls").await;
    let frames = r.until("session.status_idle").await;
    assert!(frames.iter().any(|f| f.id.as_deref() == echo["id"].as_str()));
    let reply = frames.iter().find(|f| f.event.as_deref() == Some("agent.message")).expect("agent.message");
    assert!(reply.data.contains("over tls"), "{}", reply.data);
    assert_eq!(conn_stat(&h, "alpn.h2"), 1, "SSE and REST share one HTTP/2 connection");
    // Graceful shutdown still ends the stream and returns.
    tokio::time::timeout(T, h.emu.shutdown()).await.expect("shutdown finished");
    while r.next(T).await.is_some() {}
    assert!(r.ended, "stream ended on shutdown");
}

#[tokio::test]
async fn file_download_links_use_https() {
    let h = start_tls(EmulatorConfig::default(), false).await;
    let form = reqwest::multipart::Form::new().part("file", file_part("a.txt", "over tls", Some("text/plain")));
    let f = h.ok(h.upload("/files", form)).await;
    let link = h.ok(h.get(&format!("/files/{}/content", f["id"].as_str().unwrap()))).await;
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/_storage/files/", h.emu.root_url())), "{url}");
    let r = h.http.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..], b"over tls");
}

/// `stream-drop-after=2` over TLS: both frames arrive, then the body fails.
async fn drop_after_two(h: &Harness, sid: &str, version: http::Version) {
    let resp = open_stream(h, &format!("/sessions/{sid}/events/stream"), None, Some("stream-drop-after=2")).await;
    assert_eq!((resp.status().as_u16(), resp.version()), (200, version));
    let mut body = resp.bytes_stream();
    let mut text = String::new();
    let errored = loop {
        match tokio::time::timeout(T, body.next()).await.expect("stream stalled") {
            Some(Ok(b)) => text.push_str(std::str::from_utf8(&b).unwrap()),
            Some(Err(_)) => break true,
            None => break false,
        }
    };
    assert_eq!(text.matches("\nevent: ").count() + usize::from(text.starts_with("event: ")), 2, "{text}");
    assert!(errored, "the cut is visible to the client: {text}");
}

#[tokio::test]
async fn stream_drop_fault_cuts_tls_connections() {
    for http1 in [true, false] {
        let h = start_tls(EmulatorConfig::default(), http1).await;
        let sid = h.session().await;
        h.say(&sid, "hello").await;
        h.wait_idle(&sid).await;
        drop_after_two(&h, &sid, if http1 { http::Version::HTTP_11 } else { http::Version::HTTP_2 }).await;
        // The server is unaffected.
        assert_eq!(h.ok(h.get("/models")).await["has_more"], false);
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qoder-emulator-tls-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn given_cert_and_key_files_round_trip() {
    let dir = temp_dir("files");
    let g = generate_certificate(&["emulator.test"]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &g.cert_chain_pem).unwrap();
    std::fs::write(&key, &g.key_pem).unwrap();
    let tls = TlsConfig::from_pem_files(&cert, &key).expect("load cert/key");
    assert!(!tls.is_generated());
    let h = start_tls(EmulatorConfig { tls: Some(tls), ..Default::default() }, false).await;
    assert_eq!(h.emu.ca_pem().as_deref(), Some(g.cert_chain_pem.as_str()), "the given chain is what clients trust");
    // A client trusting only the CA that signed the files.
    let r = client_trusting(&g.ca_pem, false).get(h.url("/models")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.version()), (200, http::Version::HTTP_2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_or_bad_cert_files_are_clear_errors() {
    let dir = temp_dir("bad");
    let missing = dir.join("missing-cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&key, generate_certificate(&[]).unwrap().key_pem).unwrap();
    let e = TlsConfig::from_pem_files(&missing, &key).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    assert!(e.to_string().contains(missing.to_str().unwrap()), "{e}");
    let not_pem = dir.join("not-pem.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let e = TlsConfig::from_pem_files(&not_pem, &key).unwrap_err().to_string();
    assert!(e.contains("not-pem.txt") && e.contains("CERTIFICATE"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn binary_prints_https_line_and_removes_its_temp_ca() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qoder-emulator"))
        .args(["--port", "0", "--tls", "--exit-on-stdin-close"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let rest = line.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("ready line: {line:?}"));
    let (base, ca) = rest.split_once(" ca=").unwrap_or_else(|| panic!("ca= in {line:?}"));
    assert!(base.starts_with("https://127.0.0.1:") && base.ends_with("/api/v1/cloud"), "{base}");
    let ca = PathBuf::from(ca);
    let pem = std::fs::read_to_string(&ca).expect("CA file exists");
    let r = client_trusting(&pem, false).get(format!("{base}/models")).bearer_auth("tok").send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.version()), (200, http::Version::HTTP_2));
    drop(child.stdin.take());
    let waited = tokio::time::timeout(T, tokio::task::spawn_blocking(move || child.wait())).await;
    let status = match waited {
        Ok(joined) => joined.unwrap().unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("did not exit after stdin EOF");
        }
    };
    assert!(status.success());
    assert!(!ca.exists(), "temp CA file removed");
    assert!(!ca.parent().unwrap().exists(), "temp CA dir removed");
}

#[test]
fn binary_tls_flag_errors_exit_2() {
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_qoder-emulator")).args(args).output().unwrap();
    let out = run(&["--tls-cert", "/nonexistent/qoder-cert.pem", "--tls-key", "/nonexistent/qoder-key.pem"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/qoder-cert.pem"));
    let out = run(&["--tls-cert", "/nonexistent/qoder-cert.pem"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
    let out = run(&["--tls", "--alpn", "spdy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("spdy"));
}

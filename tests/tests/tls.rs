//! The production path: HTTPS with a private CA, HTTP/2 negotiated by ALPN (or HTTP/1.1 where
//! the server offers only that), trust options, explicit proxies and the safety warnings.
//! Environment-dependent trust (`SSL_CERT_FILE`) lives in `tls_env.rs`, a process of its own.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use qoder_cloud::log::{LogLevel, Logger};
use qoder_cloud::models::EventListParams;
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::{Client, ErrorKind};
use qoder_emulator::tls::TlsConfig;
use qoder_emulator::EmulatorConfig;
use qoder_tests::TestEnv;

/// An HTTPS emulator (generated CA) offering `alpn`, and a client that trusts its CA.
async fn tls_env(alpn: &[&str]) -> TestEnv {
    let config = EmulatorConfig {
        tls: Some(TlsConfig::generate()),
        alpn: alpn.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let mut config = config;
    config.port = 0;
    let emu = qoder_emulator::start(config).await.expect("emulator starts");
    let ca = emu.ca_pem().expect("a generated CA");
    let client = TestEnv::client_for(&emu, |b| b.add_ca_certificate_pem(ca.into_bytes()));
    TestEnv { emu, client }
}

fn alpn_count(env: &TestEnv, proto: &str) -> u64 {
    env.stats()["connections"]["alpn"][proto].as_u64().unwrap_or(0)
}

/// Calls and a streamed turn over HTTPS: `calls` is the protocol ALPN gives the calls, `streams`
/// the one the event stream used; `connections` how many connections the emulator saw.
async fn turn_over(alpn: &[&str], pooled: bool, calls: &str, streams: &str, connections: u64) {
    let mut env = tls_env(alpn).await;
    if pooled {
        let ca = env.emu.ca_pem().unwrap().into_bytes();
        env.client = env.client(|b| b.add_ca_certificate_pem(ca).pooled_streams(true));
    }
    assert!(env.emu.base_url().starts_with("https://"), "{}", env.emu.base_url());
    let session = env.session().await;
    let turn = env.client.run_turn(&session, "hello over TLS", Default::default()).await.expect("turn over https");
    assert_eq!(turn.stop_type(), Some("end_turn"));
    assert!(!turn.text().is_empty());
    let conns = env.stats()["connections"].clone();
    assert!(alpn_count(&env, calls) >= 1, "ALPN {calls} not negotiated: {conns}");
    assert!(alpn_count(&env, streams) >= 1, "ALPN {streams} not negotiated: {conns}");
    for other in ["h2", "http/1.1"] {
        if other != calls && other != streams {
            assert_eq!(alpn_count(&env, other), 0, "{conns}");
        }
    }
    assert_eq!(conns["tls_handshake_failures"].as_u64(), Some(0));
    assert_eq!(conns["total"].as_u64(), Some(connections), "{conns}");
}

#[tokio::test]
async fn https_calls_and_streams_negotiate_http2_on_connections_of_their_own() {
    turn_over(&["h2", "http/1.1"], false, "h2", "h2", 2).await;
}

#[tokio::test]
async fn https_pooled_streams_share_the_http2_connection() {
    turn_over(&["h2", "http/1.1"], true, "h2", "h2", 1).await;
}

#[tokio::test]
async fn https_falls_back_to_http1_when_the_server_offers_only_that() {
    turn_over(&["http/1.1"], false, "http/1.1", "http/1.1", 2).await;
}

/// A stream cut every 3 events resumes from its cursor: every persisted event once, in order.
async fn resume_over(alpn: &[&str], pooled: bool, expect: &str) {
    let mut env = tls_env(alpn).await;
    if pooled {
        let ca = env.emu.ca_pem().unwrap().into_bytes();
        env.client = env.client(|b| b.add_ca_certificate_pem(ca).pooled_streams(true));
    }
    let session = env.session().await;
    env.client.run_turn(&session, "[[burst 300 size=20-200]]", Default::default()).await.unwrap();
    let expected: Vec<String> = env
        .client
        .sessions()
        .events()
        .list_all(&session, &EventListParams { limit: Some(100), ..Default::default() })
        .unwrap()
        .map_ok(|e: serde_json::Value| e["id"].as_str().unwrap().to_string())
        .try_collect()
        .await
        .unwrap();
    assert!(expected.len() > 300, "{}", expected.len());
    let opts = StreamOptions { request: qoder_tests::fault("stream-drop-after=3;id=tls-resume"), ..Default::default() };
    let mut stream = env.client.stream_session(&session, opts).unwrap();
    let got = qoder_tests::read_persisted_ids(&mut stream, expected.len()).await;
    assert_eq!(got, expected, "every persisted event exactly once, in order");
    assert!(stream.reconnects() >= 90, "{} reconnects", stream.reconnects());
    stream.close();
    assert!(alpn_count(&env, expect) >= 1, "{}", env.stats()["connections"]);
}

#[tokio::test]
async fn resume_under_drops_over_https_http2() {
    resume_over(&["h2", "http/1.1"], true, "h2").await;
}

#[tokio::test]
async fn resume_under_drops_over_https_http1() {
    resume_over(&["http/1.1"], false, "http/1.1").await;
}

#[tokio::test]
async fn resume_under_drops_over_https_http2_stream_connections() {
    resume_over(&["h2", "http/1.1"], false, "h2").await;
}

#[tokio::test]
async fn a_private_ca_is_rejected_unless_trusted() {
    let env = tls_env(&["h2", "http/1.1"]).await;
    let untrusting = env.client(|b| b.max_retries(0));
    let err = untrusting.call("agents.list", serde_json::json!({}), Default::default()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    let text = format!("{err} {:?}", std::error::Error::source(&err));
    assert!(text.to_lowercase().contains("certificate"), "the error does not name the certificate problem: {text}");
    assert_eq!(env.created("agent"), 0);
    // The CA file option trusts it.
    let dir = std::env::temp_dir().join(format!("qoder-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, env.emu.ca_pem().unwrap()).unwrap();
    let trusting = env.client(|b| b.add_ca_certificate_file(&ca_file));
    trusting
        .call("agents.list", serde_json::json!({}), Default::default())
        .await
        .expect("trusted through the file option");
    std::fs::remove_dir_all(&dir).ok();
}

fn capture(client: &Client) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    client.set_logger(Some(Logger::new(LogLevel::Warn, move |r| {
        if r.event == "insecure" {
            sink.lock().unwrap().push(r.message.clone());
        }
    })));
    seen
}

#[tokio::test]
async fn turning_verification_off_works_and_warns_once() {
    let env = tls_env(&["h2", "http/1.1"]).await;
    let client = env.client(|b| b.danger_accept_invalid_certs(true));
    let warnings = capture(&client);
    for _ in 0..3 {
        client.call("agents.list", serde_json::json!({}), Default::default()).await.expect("unverified call");
    }
    let w = warnings.lock().unwrap().clone();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("verification is OFF"), "{w:?}");
    // A verified client says nothing.
    let quiet = capture(&env.client);
    env.client.call("agents.list", serde_json::json!({}), Default::default()).await.unwrap();
    assert!(quiet.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_token_in_cleartext_to_another_host_warns_once() {
    // Port 9 of a reserved documentation address: the warning comes before any connection.
    let client = Client::builder()
        .ignore_env(true)
        .access_token("pt-secret-value")
        .base_url("http://192.0.2.1:9/api/v1/cloud")
        .connect_timeout(Duration::from_millis(1))
        .max_retries(0)
        .build()
        .unwrap();
    let warnings = capture(&client);
    let _ = client.call("agents.list", serde_json::json!({}), Default::default()).await;
    let _ = client.call("agents.list", serde_json::json!({}), Default::default()).await;
    let w = warnings.lock().unwrap().clone();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("cleartext") && w[0].contains("192.0.2.1"), "{w:?}");
    assert!(!w[0].contains("pt-secret-value"));
}

/// A proxy that records the first request line of each connection and answers 502.
fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let lines = Arc::new(Mutex::new(Vec::new()));
    let seen = lines.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            let mut first = String::new();
            let _ = BufReader::new(conn.try_clone().unwrap()).read_line(&mut first);
            seen.lock().unwrap().push(first.trim().to_string());
            let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, lines)
}

#[tokio::test]
async fn an_explicit_proxy_carries_calls_and_streams() {
    // Cleartext: the proxy sees absolute-form requests, for the call and for the stream (which
    // must leave the direct connection for the proxied pool).
    let env = TestEnv::start().await;
    let (proxy, lines) = recording_proxy();
    let client = env.client(|b| b.proxy(proxy.as_str()).max_retries(0));
    let err = client.call("agents.list", serde_json::json!({}), Default::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(502), "{err}");
    let mut stream =
        client.stream_session("sess_0123", StreamOptions { max_reconnect_attempts: 0, ..Default::default() }).unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.next()).await.expect("the stream gives up, bounded");
    let seen = lines.lock().unwrap().clone();
    assert!(seen.iter().any(|l| l.starts_with("GET http://127.0.0.1:") && l.contains("/agents")), "{seen:?}");
    assert!(seen.iter().any(|l| l.contains("/sessions/sess_0123/events/stream")), "{seen:?}");
    assert_eq!(env.stats()["requests_total"].as_u64(), Some(0), "a request bypassed the proxy");

    // HTTPS: the proxy is asked for a tunnel.
    let tls = tls_env(&["h2", "http/1.1"]).await;
    let (proxy, lines) = recording_proxy();
    let client = tls.client(|b| {
        b.add_ca_certificate_pem(tls.emu.ca_pem().unwrap().into_bytes()).proxy(proxy.as_str()).max_retries(0)
    });
    let _ = client.call("agents.list", serde_json::json!({}), Default::default()).await.unwrap_err();
    let seen = lines.lock().unwrap().clone();
    assert!(seen.iter().any(|l| l.starts_with("CONNECT 127.0.0.1:")), "{seen:?}");
}

#[tokio::test]
async fn bad_trust_options_are_typed_argument_errors() {
    let e = Client::builder()
        .ignore_env(true)
        .access_token("t")
        .add_ca_certificate_file("/nonexistent/ca.pem")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("/nonexistent/ca.pem"));
    let e = Client::builder().ignore_env(true).access_token("t").proxy("not a url").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(e.param(), Some("proxy"));
}

/// Behind a gateway that caps concurrent HTTP/2 streams per connection (8 here, nginx's default
/// is 128), many more streams than the cap all open and deliver when the client's streams per
/// connection are at or below the cap: it opens a further connection whenever one is full.
async fn many_streams_behind_a_capped_gateway(pooled: bool, wait: Duration) -> usize {
    let config =
        EmulatorConfig { port: 0, tls: Some(TlsConfig::generate()), h2_max_streams: Some(8), ..Default::default() };
    let emu = qoder_emulator::start(config).await.expect("emulator starts");
    let ca = emu.ca_pem().unwrap().into_bytes();
    let client = TestEnv::client_for(&emu, |b| {
        b.add_ca_certificate_pem(ca).pooled_streams(pooled).max_streams_per_connection(8)
    });
    let env = TestEnv { emu, client };
    let session = env.session().await;
    env.client.run_turn(&session, "hello", Default::default()).await.unwrap();
    let mut streams = Vec::new();
    for _ in 0..40 {
        streams.push(env.client.stream_session(&session, StreamOptions::default()).unwrap());
    }
    // Every stream delivers its first event; all stay open meanwhile (none is closed early).
    let firsts =
        futures_util::future::join_all(streams.iter_mut().map(|s| async move {
            tokio::time::timeout(wait, s.next()).await.ok().flatten().is_some_and(|r| r.is_ok())
        }))
        .await;
    let opened = firsts.iter().filter(|ok| **ok).count();
    let conns = env.stats()["connections"].clone();
    if !pooled {
        // 40 streams, 8 per connection: 5 stream connections (+1 for the calls).
        assert_eq!(conns["alpn"]["h2"].as_u64(), Some(6), "{conns}");
    }
    opened
}

#[tokio::test]
async fn forty_streams_open_behind_a_gateway_capping_http2_at_eight() {
    assert_eq!(many_streams_behind_a_capped_gateway(false, Duration::from_secs(10)).await, 40);
}

/// Why: the same forty streams multiplexed on the calls' HTTP/2 connection (`pooled_streams`)
/// stop at the gateway's cap; the others wait for a slot that long-lived streams never free.
#[tokio::test]
async fn streams_sharing_one_capped_http2_connection_stall_at_the_cap() {
    assert_eq!(many_streams_behind_a_capped_gateway(true, Duration::from_secs(2)).await, 8);
}

#[tokio::test]
async fn a_retried_create_over_https_creates_once() {
    for alpn in [&["h2", "http/1.1"][..], &["http/1.1"][..]] {
        let env = tls_env(alpn).await;
        let r = env
            .client
            .call(
                "agents.create",
                serde_json::json!({"name": "once", "model": "auto"}),
                qoder_tests::fault("status=503;count=1;id=tls-retry"),
            )
            .await
            .expect("retried past the 503");
        assert_eq!(r.meta.retries, 1, "{alpn:?}");
        assert_eq!(env.created("agent"), 1, "{alpn:?}");
        // The same key again is answered from the idempotency store: still one agent.
        let key = r.meta.idempotency_key.clone().unwrap();
        let opts = qoder_cloud::RequestOptions { idempotency_key: Some(key), ..Default::default() };
        let again =
            env.client.call("agents.create", serde_json::json!({"name": "once", "model": "auto"}), opts).await.unwrap();
        assert_eq!(again.value["id"], r.value["id"]);
        assert_eq!(env.created("agent"), 1, "{alpn:?}");
    }
}

#[tokio::test]
async fn closing_a_waiting_https_stream_frees_its_connection() {
    let env = tls_env(&["h2", "http/1.1"]).await;
    let session = env.session().await;
    let mut stream = env.client.stream_session(&session, StreamOptions::default()).unwrap();
    env.eventually(Duration::from_secs(10), |s| s["streams"]["open"].as_u64() == Some(1)).await;
    let closer = stream.closer();
    let reader = tokio::spawn(async move { stream.next().await.map(|r| r.is_ok()) });
    closer.close();
    let ended =
        tokio::time::timeout(Duration::from_secs(5), reader).await.expect("the waiting read ends at once").unwrap();
    assert!(ended.is_none() || ended == Some(true), "{ended:?}");
    env.eventually(Duration::from_secs(10), |s| s["streams"]["open"].as_u64() == Some(0)).await;
}

//! Fault injection: per-request header and server-wide.

mod common;

use std::time::{Duration, Instant};

use common::*;
use qoder_emulator::EmulatorConfig;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn status_faults_are_counted_per_header_value() {
    let h = start().await;
    let fault = "status=503;count=2;retry-after=1;should-retry=true;id=abc";
    for i in 0..2 {
        let r = h.get("/agents").header("x-emulator-fault", fault).send().await.unwrap();
        assert_eq!(r.status(), 503, "attempt {i}");
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(r.headers()["x-should-retry"], "true");
        assert!(r.headers().contains_key("x-request-id"));
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(b["error"]["type"], "api_error");
    }
    assert_eq!(h.get("/agents").header("x-emulator-fault", fault).send().await.unwrap().status(), 200);
    // A different value has its own counter.
    let r = h.get("/agents").header("x-emulator-fault", "status=429;count=1;retry-after-ms=250").send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after-ms"], "250");
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["error"]["type"], "rate_limit_error");
    let (s, b) = h.send(h.get("/agents").header("x-emulator-fault", "status=abc")).await;
    assert_eq!((s, b["error"]["param"].as_str()), (400, Some("x-emulator-fault")));
    let (s, b) = h.send(h.get("/agents").header("x-emulator-fault", "explode")).await;
    assert_eq!(s, 400);
    assert!(b["error"]["message"].as_str().unwrap().contains("explode"));
    assert_eq!(h.emu.stats()["faults_injected"], 3);
}

#[tokio::test]
async fn delay_is_applied() {
    let h = start().await;
    let t = Instant::now();
    h.ok(h.get("/agents").header("x-emulator-fault", "delay-ms=150")).await;
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn drop_response_processes_but_sends_nothing() {
    let h = start().await;
    let addr = h.emu.addr();
    let body = r#"{"name":"lost","model":"ultimate"}"#;
    let req = format!(
        "POST /api/v1/cloud/agents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nx-emulator-fault: drop-response;count=1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut buf)).await.expect("closed promptly");
    assert_eq!(n.unwrap_or(0), 0, "no response bytes: {:?}", String::from_utf8_lossy(&buf));
    // The object was created nevertheless.
    let list = h.ok(h.get("/agents")).await;
    assert_eq!(list["data"][0]["name"], "lost");
    // With an idempotency key, the retry replays the lost response.
    let send = || {
        h.post("/agents", json!({"name": "x", "model": "ultimate"}))
            .header("Idempotency-Key", "drop-1")
            .header("x-emulator-fault", "drop-response;count=1;id=idem")
    };
    assert!(send().send().await.is_err());
    let r = send().send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    assert_eq!(h.ok(h.get("/agents")).await["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_truncated_html_and_content_type() {
    let h = start().await;
    let r = h.get("/models").header("x-emulator-fault", "malformed-json").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.bytes().await.unwrap()).is_err());

    let r = h.get("/models").header("x-emulator-fault", "truncated").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let declared: usize = r.headers()["content-length"].to_str().unwrap().parse().unwrap();
    assert!(declared > 100);
    assert!(r.bytes().await.is_err(), "body ends early");

    let r = h.get("/models").header("x-emulator-fault", "html-error").send().await.unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("502 Bad Gateway"));

    let r = h.get("/models").header("x-emulator-fault", "wrong-content-type").send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(serde_json::from_slice::<serde_json::Value>(&r.bytes().await.unwrap()).is_ok());
}

#[tokio::test]
async fn global_faults_via_config_and_control() {
    let h = start_with(EmulatorConfig { fault: Some("status=500;count=1;path=/agents".into()), ..Default::default() })
        .await;
    assert_eq!(h.get("/models").send().await.unwrap().status(), 200, "path filter");
    assert_eq!(h.get("/agents").send().await.unwrap().status(), 500);
    assert_eq!(h.get("/agents").send().await.unwrap().status(), 200, "count exhausted");
    h.control(reqwest::Method::POST, "/faults", Some(json!({"spec": "status=529;method=POST"}))).await;
    assert_eq!(h.get("/agents").send().await.unwrap().status(), 200);
    let (s, b) = h.send(h.post("/agents", json!({}))).await;
    assert_eq!((s, b["error"]["type"].as_str()), (529, Some("overloaded_error")));
    h.control(reqwest::Method::POST, "/faults", Some(json!({"spec": null}))).await;
    assert_eq!(h.send(h.post("/agents", json!({"name": "a", "model": "auto"}))).await.0, 201);
    let r = h
        .http
        .post(format!("{}/_emulator/faults", h.emu.root_url()))
        .json(&json!({"spec": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(qoder_emulator::start(EmulatorConfig { fault: Some("bogus".into()), ..Default::default() }).await.is_err());
}

#[tokio::test]
async fn clock_advance_endpoint() {
    let h = start().await;
    let a = h.control(reqwest::Method::GET, "/clock", None).await;
    let b = h.control(reqwest::Method::POST, "/clock/advance", Some(json!({"seconds": 3600}))).await;
    assert!(b["now"].as_str().unwrap() > a["now"].as_str().unwrap());
    assert!(b["offset_seconds"].as_f64().unwrap() >= 3600.0);
    let r = h
        .http
        .post(format!("{}/_emulator/clock/advance", h.emu.root_url()))
        .json(&json!({"seconds": -1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn concurrent_duplicate_is_in_flight_conflict() {
    let h = start().await;
    let body = json!({"name": "slow", "model": "ultimate"});
    let first = h
        .post("/agents", body.clone())
        .header("Idempotency-Key", "dup")
        .header("x-emulator-fault", "delay-ms=1000")
        .send();
    let second = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        h.send(h.post("/agents", body.clone()).header("Idempotency-Key", "dup")).await
    };
    let (first, (status, err)) = tokio::join!(first, second);
    assert_eq!(first.unwrap().status(), 201);
    assert_eq!(status, 409);
    assert!(err["error"]["message"].as_str().unwrap().contains("in progress"));
    let r = h.post("/agents", body).header("Idempotency-Key", "dup").send().await.unwrap();
    assert_eq!(r.headers()["idempotent-replayed"], "true");
}

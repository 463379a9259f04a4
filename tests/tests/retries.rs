//! Retries, lost responses and client-side validation, proven with the emulator's stats.

use std::time::{Duration, Instant};

use qoder_cloud::models::AgentCreateParams;
use qoder_cloud::{ErrorKind, RequestOptions};
use qoder_tests::{fault, TestEnv};
use serde_json::json;

fn params() -> AgentCreateParams {
    AgentCreateParams::new("r", "auto")
}

#[tokio::test]
async fn retries_through_a_503_burst() {
    let t = TestEnv::start().await;
    let r = t
        .client
        .agents()
        .with_options(fault("status=503;count=2;retry-after-ms=1;id=burst1"))
        .create(&params())
        .await
        .unwrap();
    assert_eq!(r.meta.retries, 2);
    assert_eq!(t.requests("POST /agents"), 3);
    assert_eq!(t.created("agent"), 1, "the key made the POST safe to retry, and it ran once");
}

#[tokio::test]
async fn honours_retry_after_on_429() {
    let t = TestEnv::start().await;
    let started = Instant::now();
    let r = t.client.models().with_options(fault("status=429;count=1;retry-after=1;id=ra1")).list().await.unwrap();
    assert_eq!(r.meta.retries, 1);
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After: 1 was honoured");
}

#[tokio::test]
async fn gives_up_after_max_retries_with_a_typed_error() {
    let t = TestEnv::start().await;
    let c = t.client(|b| b.max_retries(1));
    let e = c.models().with_options(fault("status=503;count=5;retry-after-ms=1;id=many")).list().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InternalServer);
    assert_eq!(e.status(), Some(503));
    assert!(e.request_id().is_some());
    assert_eq!(t.requests("GET /models"), 2);
}

#[tokio::test]
async fn should_retry_false_stops_retries() {
    let t = TestEnv::start().await;
    let e =
        t.client.models().with_options(fault("status=503;count=3;should-retry=false;id=nsr")).list().await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(t.requests("GET /models"), 1);
}

#[tokio::test]
async fn raw_posts_carry_a_key_and_so_retry_safely() {
    let t = TestEnv::start().await;
    // Even a raw transport POST gets an Idempotency-Key, which makes its 5xx safe to retry.
    let raw = qoder_cloud::transport::ApiRequest {
        body: qoder_cloud::transport::RequestBody::Json(bytes_of(json!({"name": "x", "model": "auto"}))),
        opts: fault("status=503;count=1;retry-after-ms=1;id=raw"),
        ..qoder_cloud::transport::ApiRequest::new(http_post(), "/agents")
    };
    let r = t.client.transport().execute(raw).await.unwrap();
    assert!(r.meta.idempotency_key.is_some());
    assert_eq!(r.meta.retries, 1);
    assert_eq!(t.requests("POST /agents"), 2);
    assert_eq!(t.created("agent"), 1);
}

fn http_post() -> http::Method {
    http::Method::POST
}

fn bytes_of(v: serde_json::Value) -> bytes::Bytes {
    bytes::Bytes::from(serde_json::to_vec(&v).unwrap())
}

#[tokio::test]
async fn lost_response_after_create_is_replayed_once() {
    let t = TestEnv::start().await;
    let r = t.client.agents().with_options(fault("drop-response;count=1;id=lost1")).create(&params()).await.unwrap();
    assert_eq!(r.meta.retries, 1);
    assert_eq!(t.requests("POST /agents"), 2);
    assert_eq!(t.created("agent"), 1, "exactly one agent despite the lost response");
    let listed = t.client.call("agents.list", json!({}), RequestOptions::default()).await.unwrap();
    assert_eq!(listed.value["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn lost_response_on_send_posts_one_message() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let before = t.created("user.message");
    let r = t
        .client
        .sessions()
        .events()
        .with_options(fault("drop-response;count=1;id=lost-send"))
        .send(&sid, vec![json!({"type": "user.message", "content": [{"type": "text", "text": "once"}]})])
        .await
        .unwrap();
    assert_eq!(r.meta.retries, 1);
    assert_eq!(t.created("user.message"), before + 1);
}

#[tokio::test]
async fn malformed_and_html_bodies_are_typed_errors() {
    let t = TestEnv::start().await;
    let e = t.client.models().with_options(fault("malformed-json;count=1;id=mj")).list().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.body().is_some());
    let c = t.client(|b| b.max_retries(0));
    let e = c.models().with_options(fault("html-error;count=1;id=html")).list().await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert!(e.body().unwrap().contains('<'), "raw HTML kept: {:?}", e.body());
}

#[tokio::test]
async fn total_deadline_ends_a_call_that_keeps_retrying() {
    let t = TestEnv::start().await;
    let c = t.client(|b| b.max_retries(50));
    let opts = RequestOptions {
        total_deadline: Some(Duration::from_millis(300)),
        ..fault("status=503;count=100;retry-after-ms=100;id=dl")
    };
    let e = c.models().with_options(opts).list().await.unwrap_err();
    // Either the deadline fired during an attempt or a backoff, or a server hint that would
    // have slept past it ended the call at once, with the hint (never sleeping into it).
    match e.kind() {
        ErrorKind::Timeout => assert!(e.message().contains("total deadline"), "{}", e.message()),
        ErrorKind::InternalServer => {
            assert_eq!(e.retry_after(), Some(Duration::from_millis(100)));
            assert!(e.message().contains("past the call's total deadline"), "{}", e.message());
            assert!(e.is_retryable());
        }
        k => panic!("unexpected {k:?}: {e}"),
    }
}

#[tokio::test]
async fn bad_input_sends_no_request() {
    let t = TestEnv::start().await;
    let before = t.stats()["requests"].clone();
    for id in ["", " ", "a/b", "..", "x?y", "x#y", "x\r\ny", "x\0y"] {
        let e = t.client.agents().retrieve(id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
        assert_eq!(e.param(), Some("agent_id"));
    }
    let e = t.client.call("agents.create", json!({"name": "x"}), Default::default()).await.unwrap_err();
    assert_eq!(e.param(), Some("model"));
    let e = t.client.call("sessions.list", json!({"order": "sideways"}), Default::default()).await.unwrap_err();
    assert_eq!(e.param(), Some("order"));
    let small = t.client(|b| b.max_body_bytes(64));
    let e = small
        .call("agents.create", json!({"name": "x".repeat(100), "model": "auto"}), Default::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("limit"), "{}", e.message());
    assert_eq!(t.stats()["requests"], before, "no request reached the server");
}

/// The first attempt of a create times out on our side while the server is still running it;
/// the retry (same key) meets "still being processed" (409 `idempotency_key_in_use`), waits and
/// retries again, and gets the object the first attempt created: one agent, no error.
#[tokio::test]
async fn a_retry_that_meets_its_own_first_attempt_in_flight_gets_the_object() {
    let t = TestEnv::start().await;
    let before = t.created("agent");
    let c = t.client(|b| b.max_retries(6).timeout(Duration::from_millis(300)));
    let agent = c
        .agents()
        .with_options(fault("delay-ms=1200;count=1;method=POST;id=in-flight"))
        .create(&params())
        .await
        .unwrap();
    assert_eq!(t.created("agent"), before + 1, "exactly one agent");
    assert_eq!(c.agents().retrieve(&agent.id).await.unwrap().id, agent.id);
    assert!(t.stats()["idempotent_replays"].as_u64().unwrap() >= 1, "the object came from the stored first outcome");
    assert!(t.requests("POST /agents") >= 3, "first attempt, a 409 while it ran, the replay");
}

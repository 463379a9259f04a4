//! `Client::close` (the core's, which both bindings call): calls in flight end with
//! `client_closed`, open streams close, later calls and streams fail at once, clones included.

use std::time::Duration;

use qoder_cloud::stream::StreamOptions;
use qoder_cloud::ErrorKind;
use qoder_tests::{fault, TestEnv};
use serde_json::json;

#[tokio::test]
async fn close_ends_calls_in_flight_and_open_streams_and_refuses_new_ones() {
    let env = TestEnv::start().await;
    let sid = env.session().await;
    let client = env.client(|b| b);
    let clone = client.clone();

    let mut stream =
        client.stream("sessions.events.stream", json!({"session_id": sid}), StreamOptions::default()).unwrap();
    env.eventually(Duration::from_secs(20), |s| s["streams"]["open"].as_u64() == Some(1)).await;

    // A call the emulator holds for a minute.
    let held = tokio::spawn({
        let c = client.clone();
        async move { c.call("agents.list", json!({}), fault("delay-ms=60000")).await }
    });
    env.eventually(Duration::from_secs(20), |s| s["requests"]["GET /agents"].as_u64() == Some(1)).await;

    clone.close();
    assert!(client.is_closed(), "closing a clone closes the client");

    let err =
        tokio::time::timeout(Duration::from_secs(20), held).await.expect("the held call ends").unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ClientClosed, "{err}");
    assert!(err.to_string().contains("in flight"), "{err}");

    let end = tokio::time::timeout(Duration::from_secs(20), stream.next()).await.expect("the stream ends");
    assert!(end.is_none(), "a closed stream ends without an error: {end:?}");
    env.eventually(Duration::from_secs(20), |s| s["streams"]["open"].as_u64() == Some(0)).await;

    let later = client.call("agents.list", json!({}), Default::default()).await.unwrap_err();
    assert_eq!(later.kind(), ErrorKind::ClientClosed);
    let refused =
        client.stream("sessions.events.stream", json!({"session_id": sid}), StreamOptions::default()).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ClientClosed);
    assert_eq!(env.requests("GET /agents"), 1, "nothing was sent after the close");
    client.close(); // idempotent
}

//! Exact headers on the wire: the caller's headers replace the SDK's of the same name (matched
//! case-insensitively), never add a second copy; an `Idempotency-Key` given as a header is the
//! call's key, sent exactly once and re-sent unchanged on a retry.

use std::sync::{Arc, Mutex};

use qoder_cloud::{Client, ErrorKind, RequestOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server that records each request head and answers `statuses` in turn (then 200 `{}`).
async fn recording_server(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/v1/cloud", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { break };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            seen.lock().unwrap().push(String::from_utf8_lossy(&buf).into_owned());
            let status = statuses.next().unwrap_or(200);
            let body =
                if status == 200 { "{}" } else { r#"{"type":"error","error":{"type":"api_error","message":"busy"}}"# };
            let resp = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    (base, heads)
}

/// The values of header `name` in a raw request head (case-insensitive).
fn values(head: &str, name: &str) -> Vec<String> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

fn client(base: &str, f: impl FnOnce(qoder_cloud::ClientBuilder) -> qoder_cloud::ClientBuilder) -> Client {
    f(Client::builder().ignore_env(true).access_token("pt-sdk-token").base_url(base).max_retries(1)).build().unwrap()
}

#[tokio::test]
async fn caller_headers_replace_the_sdks_exactly_once() {
    let (base, heads) = recording_server(vec![]).await;
    let c = client(&base, |b| b.default_header("X-Team", "default").default_header("User-Agent", "my-app/1.0"));
    let opts = RequestOptions {
        extra_headers: vec![
            ("authorization".into(), "Bearer pt-override".into()),
            ("x-team".into(), "call".into()),
            ("X-QODER-LANG".into(), "custom".into()),
        ],
        ..Default::default()
    };
    // The body `{}` is not a page: only the request matters here.
    let _ = c.call("agents.list", serde_json::json!({}), opts).await;
    let head = heads.lock().unwrap()[0].clone();
    assert_eq!(values(&head, "authorization"), ["Bearer pt-override"], "{head}");
    assert_eq!(values(&head, "x-team"), ["call"], "{head}");
    assert_eq!(values(&head, "user-agent"), ["my-app/1.0"], "{head}");
    assert_eq!(values(&head, "x-qoder-lang"), ["custom"], "{head}");
}

#[tokio::test]
async fn an_idempotency_key_header_is_the_calls_key_on_every_attempt() {
    let (base, heads) = recording_server(vec![503]).await;
    let c = client(&base, |b| b);
    let opts =
        RequestOptions { extra_headers: vec![("Idempotency-Key".into(), "my-key-1".into())], ..Default::default() };
    let r = c.call("agents.create", serde_json::json!({"name": "a", "model": "auto"}), opts).await.unwrap();
    assert_eq!(r.meta.idempotency_key.as_deref(), Some("my-key-1"));
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2, "a retry after the 503");
    for head in &heads {
        assert_eq!(values(head, "idempotency-key"), ["my-key-1"], "{head}");
    }
    // Without one, the SDK mints a key, the same on both attempts, and sends it once.
    let (base, heads) = recording_server(vec![503]).await;
    client(&base, |b| b)
        .call("agents.create", serde_json::json!({"name": "a", "model": "auto"}), Default::default())
        .await
        .unwrap();
    let heads = heads.lock().unwrap().clone();
    let keys: Vec<Vec<String>> = heads.iter().map(|h| values(h, "idempotency-key")).collect();
    assert_eq!(keys[0].len(), 1);
    assert_eq!(keys[0], keys[1]);
}

#[tokio::test]
async fn a_client_wide_idempotency_key_is_refused() {
    let e = Client::builder()
        .ignore_env(true)
        .access_token("t")
        .default_header("Idempotency-Key", "k")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(e.param(), Some("default_headers"));
}

#[tokio::test]
async fn a_bad_header_is_the_callers_argument_error() {
    let (base, heads) = recording_server(vec![]).await;
    let c = client(&base, |b| b);
    let opts = RequestOptions { extra_headers: vec![("x-bad".into(), "line\r\nbreak".into())], ..Default::default() };
    let e = c.call("agents.list", serde_json::json!({}), opts).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert_eq!(e.param(), Some("headers"));
    assert!(heads.lock().unwrap().is_empty(), "nothing was sent");
}

/// Idempotency keys are checked once, in the core, for every binding: empty, too long or not a
/// header value is an `InvalidArgumentError` naming `idempotency_key`, and nothing is sent.
#[tokio::test]
async fn bad_idempotency_keys_are_refused_before_sending() {
    let (base, heads) = recording_server(vec![]).await;
    let c = Client::builder().ignore_env(true).access_token("pt-k").base_url(&base).build().unwrap();
    for (key, why) in [
        ("", "empty"),
        ("   ", "empty"),
        ("a\nb", "control"),
        ("é", "printable"),
        (&"k".repeat(256)[..], "at most 255"),
    ] {
        let opts = RequestOptions { idempotency_key: Some(key.to_string()), ..Default::default() };
        let e = c.call("agents.create", serde_json::json!({"name": "x", "model": "auto"}), opts).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{key:?}");
        assert_eq!(e.param(), Some("idempotency_key"));
        assert!(e.message().contains(why), "{key:?}: {}", e.message());
    }
    // The same rules for a key given as a header.
    let opts = RequestOptions { extra_headers: vec![("Idempotency-Key".into(), " ".into())], ..Default::default() };
    let e = c.call("agents.create", serde_json::json!({"name": "x", "model": "auto"}), opts).await.unwrap_err();
    assert_eq!(e.param(), Some("idempotency_key"));
    assert!(heads.lock().unwrap().is_empty(), "nothing was sent");
    // 255 printable characters are fine.
    let opts = RequestOptions { idempotency_key: Some("k".repeat(255)), ..Default::default() };
    c.call("agents.create", serde_json::json!({"name": "x", "model": "auto"}), opts).await.unwrap();
}

//! The ways an event stream reaches the framer: connections of its own (`stream_pool`, the
//! default), the calls' pool (`pooled_streams`) and HTTP/2 by prior knowledge. Against the
//! emulator all must deliver the same events under drops; against a scripted raw server a
//! stream must handle every body framing, interim responses, replays, error statuses, broken
//! bodies and stalled heads.

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use qoder_cloud::models::EventListParams;
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::{Client, ErrorKind};
use qoder_tests::{fault, read_persisted_ids, TestEnv};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server that answers the n-th connection with the n-th script (pieces written one by one,
/// then the connection is closed) and records every request head.
struct Scripted {
    base_url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn scripted(scripts: Vec<Vec<Vec<u8>>>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let h = heads.clone();
    tokio::spawn(async move {
        for script in scripts {
            let (mut sock, _) = listener.accept().await.unwrap();
            let head = read_request_head(&mut sock).await.unwrap_or_default();
            h.lock().unwrap().push(head);
            for piece in script {
                sock.write_all(&piece).await.unwrap();
                sock.flush().await.unwrap();
            }
        }
    });
    Scripted { base_url, heads }
}

/// Reads one request head, byte by byte so nothing after it is consumed; `None` if the client
/// closed first.
async fn read_request_head(sock: &mut tokio::net::TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if sock.read(&mut byte).await.unwrap() == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8(head).unwrap())
}

fn client(base_url: &str, f: impl FnOnce(qoder_cloud::ClientBuilder) -> qoder_cloud::ClientBuilder) -> Client {
    f(Client::builder().ignore_env(true).access_token("pt-raw-token").base_url(base_url)).build().unwrap()
}

fn frame(id: &str, ty: &str) -> String {
    format!("id: {id}\nevent: {ty}\ndata: {{\"type\":\"{ty}\",\"id\":\"{id}\",\"content\":[]}}\n\n")
}

/// Reads the stream to its end; every event must be Ok and carry an id.
async fn drain_ids(stream: &mut qoder_cloud::stream::EventStream) -> Vec<String> {
    let mut ids = Vec::new();
    while let Some(ev) = stream.next().await {
        ids.push(ev.unwrap().id.unwrap());
    }
    ids
}

fn chunk(s: &str) -> Vec<u8> {
    format!("{:x}\r\n{s}\r\n", s.len()).into_bytes()
}

const SSE_CHUNKED: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";

#[tokio::test]
async fn stream_handles_every_framing_and_resumes() {
    let (e1, e2, e3, e4) = (
        frame("e1", "agent.message"),
        frame("e2", "agent.message"),
        frame("e3", "agent.message"),
        frame("e4", "session.status_terminated"),
    );
    let body1 = format!("{e1}{e2}");
    let server = scripted(vec![
        // Content-Length body: it ends without a terminal event, so the stream resumes.
        vec![format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\n\r\n{body1}",
            body1.len()
        )
        .into_bytes()],
        // An interim 100 response, then a close-delimited body replaying e2 (dropped) before e3.
        vec![
            b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(),
            format!("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n{e2}").into_bytes(),
            e3.clone().into_bytes(),
        ],
        // Chunked with an extension, an event split across chunks and a trailer.
        vec![
            SSE_CHUNKED.as_bytes().to_vec(),
            format!("{:x};note=1\r\n{}\r\n", 10, &e4[..10]).into_bytes(),
            chunk(&e4[10..]),
            b"0\r\nx-trailer: yes\r\n\r\n".to_vec(),
        ],
    ])
    .await;
    let c = client(&server.base_url, |b| b);
    let mut stream = c.stream_session("sesn_1", StreamOptions::default()).unwrap();
    let ids = drain_ids(&mut stream).await;
    assert_eq!(ids, ["e1", "e2", "e3", "e4"], "every event once, in order, the replay dropped");
    assert_eq!(stream.reconnects(), 2);
    let heads = server.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 3);
    for h in &heads {
        assert!(h.starts_with("GET /v1/sessions/sesn_1/events/stream HTTP/1.1\r\n"), "{h}");
        assert!(h.contains("\r\nauthorization: Bearer pt-raw-token\r\n"), "credentials are sent");
        assert!(h.contains("\r\naccept: text/event-stream\r\n"));
    }
    assert!(!heads[0].contains("last-event-id"));
    assert!(heads[1].contains("\r\nlast-event-id: e2\r\n"), "{}", heads[1]);
    assert!(heads[2].contains("\r\nlast-event-id: e3\r\n"), "{}", heads[2]);
}

#[tokio::test]
async fn pooled_streams_switch_delivers() {
    let e = frame("e1", "session.status_terminated");
    let server = scripted(vec![vec![SSE_CHUNKED.as_bytes().to_vec(), chunk(&e), b"0\r\n\r\n".to_vec()]]).await;
    let c = client(&server.base_url, |b| b.pooled_streams(true));
    let mut stream = c.stream_session("sesn_1", StreamOptions::default()).unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().id.as_deref(), Some("e1"));
    assert!(stream.next().await.is_none());
    assert_eq!(server.heads.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn stream_error_statuses_are_typed() {
    let not_found = r#"{"type":"error","error":{"type":"not_found_error","message":"session sesn_x not found"},"request_id":"req_nf"}"#;
    let bad = r#"{"type":"error","error":{"type":"invalid_request_error","message":"bad event_deltas"}}"#;
    let server = scripted(vec![
        vec![format!("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nx-request-id: req_nf\r\ncontent-length: {}\r\n\r\n{not_found}", not_found.len()).into_bytes()],
        vec![b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec(), chunk(&bad[..20]), chunk(&bad[20..]), b"0\r\n\r\n".to_vec()],
        // A body cut short: the status still decides the error, and the message says so.
        vec![format!("HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{}", &bad[..30]).into_bytes()],
    ])
    .await;
    let c = client(&server.base_url, |b| b);
    let e = c.stream_session("sesn_x", StreamOptions::default()).unwrap().next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.request_id(), Some("req_nf"));
    assert!(e.message().contains("session sesn_x not found"), "{}", e.message());

    let e = c.stream_session("sesn_x", StreamOptions::default()).unwrap().next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(e.message().contains("bad event_deltas"), "chunked error body decoded: {}", e.message());

    let e = c.stream_session("sesn_x", StreamOptions::default()).unwrap().next().await.unwrap().unwrap_err();
    assert_eq!(e.status(), Some(403));
    assert!(e.message().contains("body cut short"), "{}", e.message());
}

#[tokio::test]
async fn stream_broken_chunking_reconnects() {
    let e1 = frame("e1", "agent.message");
    let e2 = frame("e2", "session.status_terminated");
    let server = scripted(vec![
        vec![SSE_CHUNKED.as_bytes().to_vec(), chunk(&e1), b"zz\r\n".to_vec()],
        vec![SSE_CHUNKED.as_bytes().to_vec(), chunk(&e2), b"0\r\n\r\n".to_vec()],
    ])
    .await;
    let c = client(&server.base_url, |b| b);
    let mut stream = c.stream_session("sesn_1", StreamOptions::default()).unwrap();
    let ids = drain_ids(&mut stream).await;
    assert_eq!(ids, ["e1", "e2"]);
    assert_eq!(stream.reconnects(), 1);

    // Without resume the broken body is reported as a connection error that names the problem.
    let server = scripted(vec![vec![SSE_CHUNKED.as_bytes().to_vec(), chunk(&e1), b"zz\r\n".to_vec()]]).await;
    let c = client(&server.base_url, |b| b);
    let mut raw = c.stream_session("sesn_1", StreamOptions { resume: false, ..Default::default() }).unwrap();
    assert_eq!(raw.next().await.unwrap().unwrap().id.as_deref(), Some("e1"));
    let e = raw.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.message().contains("chunk"), "{}", e.message());
}

#[tokio::test]
async fn stream_connection_refused_is_typed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client(&format!("http://{addr}/v1"), |b| b);
    let mut raw = c.stream_session("sesn_1", StreamOptions { resume: false, ..Default::default() }).unwrap();
    let e = raw.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.message().contains(&addr.to_string()), "names the address: {}", e.message());
    assert!(!e.message().contains("pt-raw-token"));
}

/// Every persisted event exactly once, in order, through drops every 3 frames, on each transport.
#[tokio::test]
async fn all_transports_deliver_the_same_events_under_drops() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    t.client.run_turn(&sid, "[[burst 600 size=20-200]]", Default::default()).await.unwrap();
    let expected: Vec<String> = t
        .client
        .sessions()
        .events()
        .list_all(&sid, &EventListParams { limit: Some(100), ..Default::default() })
        .unwrap()
        .map_ok(|e: Value| e["id"].as_str().unwrap().to_string())
        .try_collect()
        .await
        .unwrap();
    type Mode = fn(qoder_cloud::ClientBuilder) -> qoder_cloud::ClientBuilder;
    let modes: [(&str, Mode); 3] =
        [("own", |b| b), ("pooled", |b| b.pooled_streams(true)), ("http2", |b| b.http2_prior_knowledge(true))];
    for (name, mode) in modes {
        let c = t.client(mode);
        let opts = StreamOptions {
            request: fault(&format!("stream-drop-after=3;id=transport-{name}")),
            event_deltas: vec!["agent.message".into()],
            ..Default::default()
        };
        let mut stream = c.stream_session(&sid, opts).unwrap();
        let got = read_persisted_ids(&mut stream, expected.len()).await;
        assert_eq!(got, expected, "{name}: every persisted event exactly once, in order");
        assert!(stream.reconnects() as usize >= expected.len() / 3 - 1, "{name}: {} reconnects", stream.reconnects());
    }
}

#[tokio::test]
async fn events_before_an_oversized_one_are_delivered_first() {
    let e1 = frame("e1", "agent.message");
    let big =
        format!("id: e2\ndata: {{\"type\":\"agent.message\",\"id\":\"e2\",\"pad\":\"{}\"}}\n\n", "x".repeat(4096));
    for pooled in [false, true] {
        // Both events in one chunk, so they arrive in one read.
        let server =
            scripted(vec![vec![SSE_CHUNKED.as_bytes().to_vec(), chunk(&format!("{e1}{big}")), b"0\r\n\r\n".to_vec()]])
                .await;
        let c = client(&server.base_url, |b| b.max_event_bytes(1024).pooled_streams(pooled));
        let mut stream = c.stream_session("sesn_1", StreamOptions::default()).unwrap();
        assert_eq!(stream.next().await.unwrap().unwrap().id.as_deref(), Some("e1"), "pooled={pooled}");
        let e = stream.next().await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EventTooLarge, "pooled={pooled}");
        assert!(stream.next().await.is_none());
    }
}

#[tokio::test]
async fn stream_to_localhost() {
    let e = frame("e1", "session.status_terminated");
    let server = scripted(vec![vec![SSE_CHUNKED.as_bytes().to_vec(), chunk(&e), b"0\r\n\r\n".to_vec()]]).await;
    let base = server.base_url.replace("127.0.0.1", "localhost");
    let c = client(&base, |b| b);
    let mut stream = c.stream_session("sesn_1", StreamOptions::default()).unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().id.as_deref(), Some("e1"));
    assert!(stream.next().await.is_none());
    let heads = server.heads.lock().unwrap().clone();
    let port = base.rsplit(':').next().unwrap().trim_end_matches("/v1");
    assert!(heads[0].contains(&format!("\r\nhost: localhost:{port}\r\n")), "{}", heads[0]);
}

/// A server that never answers some streams' requests (their response heads stall) holds back no
/// other stream of the same client: the healthy one opens while 80 stalled ones are still
/// waiting, with an attempt timeout far beyond the test's guard.
#[tokio::test]
async fn stalled_response_heads_never_delay_a_healthy_stream() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let stalled: Arc<Mutex<Vec<tokio::net::TcpStream>>> = Arc::default();
    let s2 = stalled.clone();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let s2 = s2.clone();
            tokio::spawn(async move {
                let Some(head) = read_request_head(&mut sock).await else { return };
                if head.contains("/sessions/sesn_stall") {
                    s2.lock().unwrap().push(sock); // never answered, kept open
                } else {
                    let body = format!(
                        "{SSE_CHUNKED}{}0\r\n\r\n",
                        String::from_utf8(chunk(&frame("e1", "session.status_terminated"))).unwrap()
                    );
                    sock.write_all(body.as_bytes()).await.unwrap();
                }
            });
        }
    });
    let c = client(&base, |b| b.timeout(std::time::Duration::from_secs(600)));
    let waiting: Vec<_> = (0..80)
        .map(|_| {
            let mut s = c.stream_session("sesn_stall", StreamOptions::default()).unwrap();
            tokio::spawn(async move { s.next().await })
        })
        .collect();
    let guard = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while stalled.lock().unwrap().len() < 80 {
        assert!(tokio::time::Instant::now() < guard, "only {} stalled requests arrived", stalled.lock().unwrap().len());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut healthy = c.stream_session("sesn_ok", StreamOptions::default()).unwrap();
    let first = tokio::time::timeout_at(guard, healthy.next()).await.expect("the healthy stream was held back");
    assert_eq!(first.unwrap().unwrap().id.as_deref(), Some("e1"));
    assert!(waiting.iter().all(|w| !w.is_finished()), "the stalled streams are still waiting");
    for w in waiting {
        w.abort();
    }
}

//! Throughput: a one-million-message burst is generated, paged and resumed
//! without quadratic behaviour. Streaming all of it through a debug-build
//! client is slow (the client, not the server, is the bottleneck), so the full
//! stream read is an ignored test: `cargo test -p qoder-emulator -- --ignored`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;

async fn burst_session(h: &Harness, n: u64) -> String {
    let sid = h.session().await;
    h.say(&sid, &format!("[[burst {n} size=50-250]]")).await;
    loop {
        if h.ok(h.get(&format!("/sessions/{sid}"))).await["status"] == "idle" {
            return sid;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn million_message_burst_pages_and_resumes_cheaply() {
    let h = start().await;
    let t = Instant::now();
    let sid = burst_session(&h, 1_000_000).await;
    assert!(t.elapsed() < Duration::from_secs(60), "burst generation too slow");
    assert_eq!(h.emu.stats()["objects_created"]["agent.message"], 1_000_000);
    // Paging from the end and resuming near the end are binary searches, not scans.
    let t2 = Instant::now();
    let last = h.ok(h.get(&format!("/sessions/{sid}/events?order=desc&limit=3"))).await;
    assert_eq!(last["data"][0]["type"], "session.status_idle");
    let before = last["data"][2]["id"].as_str().unwrap();
    let page = h.ok(h.get(&format!("/sessions/{sid}/events?limit=100&before_id={before}"))).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 100);
    assert!(page["data"][99]["content"][0]["text"].as_str().unwrap().starts_with("Burst message 999999 of 1000000."));
    let mut r = SseReader::new(open_stream(&h, &format!("/sessions/{sid}/events/stream"), Some(before), None).await);
    let tail = r.until("session.status_idle").await;
    assert_eq!(tail.len(), 2);
    assert!(t2.elapsed() < Duration::from_secs(5), "{:?}", t2.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "streams ~565 MB through a debug-build client; run with --ignored"]
async fn million_message_burst_streams_completely() {
    let h = start().await;
    let sid = burst_session(&h, 1_000_000).await;
    let t = Instant::now();
    let resp = open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await;
    let mut stream = resp.bytes_stream();
    let (mut messages, mut carry) = (0usize, String::new());
    loop {
        let chunk = tokio::time::timeout(Duration::from_secs(120), stream.next()).await.expect("stream stalled");
        let chunk = chunk.expect("stream ended early").expect("chunk");
        carry.push_str(std::str::from_utf8(&chunk).expect("utf-8 chunk"));
        let Some(end) = carry.rfind("\n\n") else { continue };
        let complete: String = carry.drain(..end + 2).collect();
        messages += complete.matches("event: agent.message\n").count();
        if complete.contains("event: session.status_idle\n") {
            break;
        }
    }
    assert_eq!(messages, 1_000_000);
    eprintln!("streamed 1M messages in {:?}", t.elapsed());
}

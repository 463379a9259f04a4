//! Throughput: a one-million-message burst is generated, paged, resumed and
//! streamed in full without quadratic behaviour. The full stream (~565 MB) is
//! checked by counting newlines with std's memchr-backed `str::matches(char)`
//! (every frame has exactly four), which keeps a debug-build client fast.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use qoder_emulator::EmulatorConfig;

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
async fn million_message_burst_streams_completely() {
    let h = start_with(EmulatorConfig { keepalive_interval: Duration::from_secs(3600), ..Default::default() }).await;
    let sid = burst_session(&h, 1_000_000).await;
    // Every persisted event of the (only) session is counted under its type.
    let stats = h.emu.stats();
    let created = stats["objects_created"].as_object().unwrap();
    assert_eq!(created["agent.message"], 1_000_000);
    let events: u64 = created.iter().filter(|(k, _)| k.contains('.')).map(|(_, v)| v.as_u64().unwrap()).sum();
    let t = Instant::now();
    let resp = open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await;
    let mut stream = resp.bytes_stream();
    // The last 4 KiB of the stream, kept across chunks: the final frame may be split between two.
    let (mut newlines, mut bytes, mut tail) = (0u64, 0u64, Vec::<u8>::new());
    while newlines < events * 4 {
        let chunk = tokio::time::timeout(Duration::from_secs(120), stream.next()).await.expect("stream stalled");
        let chunk = chunk.expect("stream ended early").expect("chunk");
        newlines += std::str::from_utf8(&chunk).expect("ASCII stream").matches('\n').count() as u64;
        bytes += chunk.len() as u64;
        tail.extend_from_slice(&chunk);
        tail.drain(..tail.len().saturating_sub(4096));
    }
    assert_eq!(newlines, events * 4, "every event arrives as one 4-line frame");
    let tail = String::from_utf8_lossy(&tail).into_owned();
    let idle = tail.rfind("event: ").map(|i| &tail[i..]).unwrap_or_default();
    assert!(idle.starts_with("event: session.status_idle\n"), "last frame: {idle}");
    assert!(bytes > 500_000_000, "{bytes} bytes");
    eprintln!("streamed 1M messages ({bytes} bytes) in {:?}", t.elapsed());
}

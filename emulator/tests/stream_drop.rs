//! `stream-drop-after=N` cuts the connection right after the N-th frame with
//! no timers (the connection's kill switch), yet every frame written before
//! the cut arrives. A resuming client that is dropped after every single
//! frame still sees the whole log, in order, without gaps or duplicates.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;

/// Reads one connection to its end: (frames, ended with an error).
async fn read_connection(h: &Harness, sid: &str, last: Option<&str>, fault: &str) -> (Vec<Frame>, bool) {
    let resp = open_stream(h, &format!("/sessions/{sid}/events/stream"), last, Some(fault)).await;
    assert_eq!(resp.status(), 200);
    let mut stream = resp.bytes_stream();
    let mut buf = String::new();
    let errored = loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.next()).await.expect("stream stalled") {
            Some(Ok(b)) => buf.push_str(std::str::from_utf8(&b).unwrap()),
            Some(Err(_)) => break true,
            None => break false,
        }
    };
    (parse(&buf), errored)
}

fn parse(buf: &str) -> Vec<Frame> {
    let mut out = Vec::new();
    for raw in buf.split("\n\n").filter(|r| !r.is_empty()) {
        let mut f = Frame::default();
        for line in raw.lines() {
            if let Some(v) = line.strip_prefix("id: ") {
                f.id = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("event: ") {
                f.event = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("data: ") {
                f.data.push_str(v);
            } else if line.starts_with(':') {
                f.comment = true;
            }
        }
        if !f.comment {
            out.push(f);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_after_every_frame_loses_nothing_and_is_fast() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "[[burst 2000 size=40]]").await;
    let all = h.wait_idle(&sid).await;
    assert!(all.len() > 2000);
    let t = Instant::now();
    let mut got: Vec<Frame> = Vec::new();
    let mut last: Option<String> = None;
    let mut aborted = 0;
    while got.len() < all.len() {
        let (frames, errored) = read_connection(&h, &sid, last.as_deref(), "stream-drop-after=1").await;
        assert_eq!(frames.len(), 1, "exactly the frame before the cut arrives (connection {})", got.len());
        aborted += usize::from(errored);
        last = frames[0].id.clone();
        got.extend(frames);
    }
    let elapsed = t.elapsed();
    eprintln!("{} reconnects, each cut after one frame, in {elapsed:?}", got.len());
    assert_eq!(aborted, got.len(), "every connection ends abruptly (incomplete chunked body), not cleanly");
    for (f, e) in got.iter().zip(&all) {
        assert_eq!(f.id.as_deref(), e["id"].as_str());
        assert_eq!(f.json(), *e);
    }
    assert_eq!(h.emu.stats()["faults_injected"].as_u64().unwrap(), got.len() as u64);
}

#[tokio::test]
async fn drop_after_many_frames_delivers_them_all() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "[[burst 3000 size=500]]").await;
    let all = h.wait_idle(&sid).await;
    // ~1.7 MB in one go: hyper buffers a lot before the cut, and all of it arrives.
    let (frames, errored) = read_connection(&h, &sid, None, "stream-drop-after=2500").await;
    assert!(errored);
    assert_eq!(frames.len(), 2500);
    assert_eq!(frames[2499].id.as_deref(), all[2499]["id"].as_str());
}

#[tokio::test]
async fn http2_streams_fall_back_to_a_drained_reset() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "[[burst 20 size=40]]").await;
    let all = h.wait_idle(&sid).await;
    let client = reqwest::Client::builder().http2_prior_knowledge().build().unwrap();
    let resp = client
        .get(h.url(&format!("/sessions/{sid}/events/stream")))
        .bearer_auth(TOKEN)
        .header("x-emulator-fault", "stream-drop-after=3")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.version(), reqwest::Version::HTTP_2);
    let mut stream = resp.bytes_stream();
    let mut buf = String::new();
    let errored = loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.next()).await.expect("stream stalled") {
            Some(Ok(b)) => buf.push_str(std::str::from_utf8(&b).unwrap()),
            Some(Err(_)) => break true,
            None => break false,
        }
    };
    let frames = parse(&buf);
    assert!(errored, "the stream is reset, not ended");
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[2].id.as_deref(), all[2]["id"].as_str());
    // Other requests on the same HTTP/2 connection keep working.
    let r = client.get(h.url(&format!("/sessions/{sid}"))).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

//! Benchmark driver for the Rust side. Prints one JSON object per run on stdout.
//!
//! Usage: `bench-rust <scenario> <base_url> <session_id> <expected_events>`
//! - `stream-core`: the SDK's resumable stream, every event parsed to JSON.
//! - `stream-raw`: the limit — reqwest bytes, a minimal inline framer, `serde_json::from_slice`.
//! - `retrieve-core N agent_id` / `list-core N`: sequential round trips.
//! - `large-core`: like `stream-core` (for the large-event scenario).

use std::time::Instant;

use futures_util::StreamExt;
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::Client;
use serde_json::{json, Value};

fn client(base: &str) -> Client {
    Client::builder().access_token("pt-bench").base_url(base).build().expect("client")
}

async fn stream_core(base: &str, sid: &str, expected: u64) -> Value {
    let c = client(base);
    let t0 = Instant::now();
    let mut s = c.stream_session(sid, StreamOptions::default()).unwrap();
    let mut n = 0u64;
    let mut bytes = 0u64;
    while n < expected {
        let ev = s.next().await.expect("stream ended early").expect("stream error");
        let v = ev.json().unwrap();
        bytes += ev.data.len() as u64;
        std::hint::black_box(v);
        n += 1;
    }
    let secs = t0.elapsed().as_secs_f64();
    json!({"events": n, "bytes": bytes, "seconds": secs, "events_per_sec": n as f64 / secs})
}

async fn stream_raw(base: &str, sid: &str, expected: u64) -> Value {
    let http = reqwest::Client::new();
    let t0 = Instant::now();
    let resp = http
        .get(format!("{base}/sessions/{sid}/events/stream"))
        .bearer_auth("pt-bench")
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    let mut body = resp.bytes_stream();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut n = 0u64;
    let mut bytes = 0u64;
    let mut scanned = 0usize;
    'outer: while let Some(chunk) = body.next().await {
        buf.extend_from_slice(&chunk.unwrap());
        let mut start = 0;
        // Frames end at a blank line; data lines start with "data: ". Bytes already scanned for
        // a frame end are not scanned again (keeps large events linear).
        while let Some(pos) = find(&buf[scanned.max(start)..], b"\n\n").map(|p| p + scanned.max(start) - start) {
            let frame = &buf[start..start + pos];
            for line in frame.split(|b| *b == b'\n') {
                if let Some(d) = line.strip_prefix(b"data: ") {
                    let v: Value = serde_json::from_slice(d).unwrap();
                    std::hint::black_box(&v);
                    bytes += d.len() as u64;
                    n += 1;
                }
            }
            start += pos + 2;
            scanned = start;
            if n >= expected {
                break 'outer;
            }
        }
        buf.drain(..start);
        scanned = buf.len().saturating_sub(1);
    }
    let secs = t0.elapsed().as_secs_f64();
    json!({"events": n, "bytes": bytes, "seconds": secs, "events_per_sec": n as f64 / secs})
}

fn find(h: &[u8], needle: &[u8]) -> Option<usize> {
    h.windows(needle.len()).position(|w| w == needle)
}

async fn round_trips(base: &str, op: &str, n: u64, arg: &str, concurrency: usize) -> Value {
    let c = client(base);
    let args = if op == "agents.retrieve" { json!({"agent_id": arg}) } else { json!({"limit": 20}) };
    let mut lat = Vec::with_capacity(n as usize);
    let t0 = Instant::now();
    let per = n as usize / concurrency;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let c = c.clone();
        let args = args.clone();
        let op = op.to_string();
        tasks.push(tokio::spawn(async move {
            let mut l = Vec::with_capacity(per);
            for _ in 0..per {
                let s = Instant::now();
                c.call(&op, args.clone(), Default::default()).await.unwrap();
                l.push(s.elapsed().as_secs_f64() * 1e3);
            }
            l
        }));
    }
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let secs = t0.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    json!({"requests": lat.len(), "seconds": secs, "requests_per_sec": lat.len() as f64 / secs, "p50_ms": pct(0.5), "p99_ms": pct(0.99)})
}

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    let get = |i: usize| a.get(i).cloned().unwrap_or_default();
    let out = match get(1).as_str() {
        "stream-core" => stream_core(&get(2), &get(3), get(4).parse().unwrap()).await,
        "stream-raw" => stream_raw(&get(2), &get(3), get(4).parse().unwrap()).await,
        "retrieve-core" => round_trips(&get(2), "agents.retrieve", get(3).parse().unwrap(), &get(4), get(5).parse().unwrap_or(1)).await,
        "list-core" => round_trips(&get(2), "agents.list", get(3).parse().unwrap(), "", get(4).parse().unwrap_or(1)).await,
        other => {
            eprintln!("unknown scenario {other:?}");
            std::process::exit(2);
        }
    };
    println!("{out}");
}

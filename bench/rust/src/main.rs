//! Benchmark driver for the Rust side. Prints one JSON object per run on stdout.
//!
//! Usage: `bench-rust <scenario> <base_url> <session_id> <expected_events> [ca.pem]`
//! - `stream-core`: the SDK's resumable stream, every event parsed to JSON.
//! - `stream-core-pooled`: the same with `pooled_streams(true)` (over TLS: the calls' HTTP/2
//!   connection, by ALPN, instead of an HTTP/1.1 connection of the stream's own).
//! - `stream-raw`: the limit — reqwest bytes, a minimal inline framer, `serde_json::from_slice`;
//!   HTTP/1.1 only (the wire our streams use, cleartext or TLS).
//! - `stream-raw-alpn`: the same with reqwest's default protocol choice (HTTP/2 by ALPN over TLS).
//! - `retrieve-core N agent_id` / `list-core N`: sequential round trips.
//!
//! Both stream sides read `type`, `id` and `processed_at` of every parsed event (and the first
//! content block's text of an `agent.message`). `ca.pem` (optional) is trusted on top of the
//! usual roots: the SDK through `add_ca_certificate_file`, raw reqwest through
//! `add_root_certificate`.

use std::time::Instant;

use futures_util::StreamExt;
use qoder_cloud::stream::StreamOptions;
use qoder_cloud::Client;
use serde_json::{json, Value};

fn client(base: &str) -> Client {
    Client::builder().access_token("pt-bench").base_url(base).build().expect("client")
}

/// What a consumer does with each event: reads its type, id and one payload field.
fn touch(v: &Value) -> usize {
    let t = v.get("type").and_then(Value::as_str).unwrap_or("");
    let id = v.get("id").and_then(Value::as_str).unwrap_or("");
    let field = if t == "agent.message" {
        v.pointer("/content/0/text").and_then(Value::as_str)
    } else {
        v.get("processed_at").and_then(Value::as_str)
    };
    std::hint::black_box((t, id));
    field.map_or(0, str::len)
}

async fn stream_core(base: &str, sid: &str, expected: u64, ca: Option<&str>, pooled: bool) -> Value {
    let mut b = Client::builder().access_token("pt-bench").base_url(base).pooled_streams(pooled);
    if let Some(ca) = ca {
        b = b.add_ca_certificate_file(ca);
    }
    let c = b.build().expect("client");
    let t0 = Instant::now();
    let mut s = c.stream_session(sid, StreamOptions::default()).unwrap();
    let mut n = 0u64;
    let mut bytes = 0u64;
    let mut chars = 0usize;
    while n < expected {
        let ev = s.next().await.expect("stream ended early").expect("stream error");
        let v = ev.json().unwrap();
        bytes += ev.data.len() as u64;
        chars += touch(&v);
        std::hint::black_box(v);
        n += 1;
    }
    let secs = t0.elapsed().as_secs_f64();
    json!({"events": n, "bytes": bytes, "field_chars": chars, "seconds": secs, "events_per_sec": n as f64 / secs})
}

async fn stream_raw(base: &str, sid: &str, expected: u64, ca: Option<&str>, alpn: bool) -> Value {
    let mut b = reqwest::Client::builder();
    if !alpn {
        b = b.http1_only();
    }
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).expect("read CA file");
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("CA PEM"));
    }
    let http = b.build().expect("reqwest client");
    let t0 = Instant::now();
    let resp = http
        .get(format!("{base}/sessions/{sid}/events/stream"))
        .bearer_auth("pt-bench")
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "stream: HTTP {}", resp.status());
    let version = format!("{:?}", resp.version());
    let mut body = resp.bytes_stream();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut n = 0u64;
    let mut bytes = 0u64;
    let mut chars = 0usize;
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
                    chars += touch(&v);
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
    assert_eq!(n, expected, "stream ended early");
    let secs = t0.elapsed().as_secs_f64();
    json!({"events": n, "bytes": bytes, "field_chars": chars, "seconds": secs, "events_per_sec": n as f64 / secs, "http_version": version})
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
    let ca = a.get(5).map(String::as_str).filter(|s| !s.is_empty());
    let out = match get(1).as_str() {
        "stream-core" => stream_core(&get(2), &get(3), get(4).parse().unwrap(), ca, false).await,
        "stream-core-pooled" => stream_core(&get(2), &get(3), get(4).parse().unwrap(), ca, true).await,
        "stream-raw" => stream_raw(&get(2), &get(3), get(4).parse().unwrap(), ca, false).await,
        "stream-raw-alpn" => stream_raw(&get(2), &get(3), get(4).parse().unwrap(), ca, true).await,
        "retrieve-core" => {
            round_trips(&get(2), "agents.retrieve", get(3).parse().unwrap(), &get(4), get(5).parse().unwrap_or(1)).await
        }
        "list-core" => {
            round_trips(&get(2), "agents.list", get(3).parse().unwrap(), "", get(4).parse().unwrap_or(1)).await
        }
        other => {
            eprintln!("unknown scenario {other:?}");
            std::process::exit(2);
        }
    };
    println!("{out}");
}

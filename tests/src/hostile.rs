//! A hostile HTTP server: each scenario misbehaves in one way on the wire (endless bodies, huge
//! heads, trickles, malformed chunking, bad event ids, out-of-order replays, redirects, long
//! `Retry-After` hints, stalled heads ...). The cases that drive it are data
//! (`tests/hostile/cases.json`), run by the Rust, Python and Node suites alike, and listed in
//! RELIABILITY.md.
//!
//! A scenario is chosen by the first path segment: a client whose base URL is
//! `http://127.0.0.1:PORT/<scenario>~<instance>/v1` meets that scenario on every request.
//! Requests are counted per `<scenario>~<instance>` (`GET /_stats`), so each case (and each
//! client running it) has counters of its own and can assert how many attempts a call made.
//! A second listener, the black hole, never accepts: its backlog is full, so a connect to it
//! hangs until the client's connect timeout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// What the server saw of one scenario.
#[derive(Default, Clone, Debug)]
struct Seen {
    requests: u64,
    idempotency_keys: Vec<String>,
    last_event_ids: Vec<String>,
    /// The most copies of one header name in any request (1 when no name repeats).
    max_header_copies: usize,
}

/// A running hostile server.
pub struct Hostile {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// An address whose connects never complete.
    pub blackhole: String,
    seen: Arc<Mutex<HashMap<String, Seen>>>,
    _holds: Vec<TcpStream>,
}

impl Hostile {
    /// Starts both listeners on ephemeral ports.
    pub async fn start() -> std::io::Result<Hostile> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let origin = format!("http://{}", listener.local_addr()?);
        let (blackhole, holds) = blackhole().await?;
        let seen: Arc<Mutex<HashMap<String, Seen>>> = Arc::default();
        let (s, o) = (seen.clone(), origin.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (s, o) = (s.clone(), o.clone());
                tokio::spawn(async move {
                    let _ = serve(sock, &o, &s).await;
                });
            }
        });
        Ok(Hostile { origin, blackhole, seen, _holds: holds })
    }

    /// The base URL of `scenario` (`<behaviour>~<instance>`).
    pub fn base_url(&self, scenario: &str) -> String {
        format!("{}/{scenario}/v1", self.origin)
    }

    /// What was seen of `scenario` (`<behaviour>~<instance>`), as `GET /_stats` reports it.
    pub fn stats(&self, scenario: &str) -> Value {
        let seen = self.seen.lock().unwrap().get(scenario).cloned().unwrap_or_default();
        stats_json(&seen)
    }
}

fn stats_json(s: &Seen) -> Value {
    json!({
        "requests": s.requests,
        "idempotency_keys": s.idempotency_keys,
        "last_event_ids": s.last_event_ids,
        "max_header_copies": s.max_header_copies,
    })
}

/// A listener with a backlog of one, filled by connections of our own that are never accepted:
/// the kernel drops further SYNs, so a client's connect hangs.
async fn blackhole() -> std::io::Result<(String, Vec<TcpStream>)> {
    let socket = TcpSocket::new_v4()?;
    socket.bind("127.0.0.1:0".parse().unwrap())?;
    let addr = socket.local_addr()?;
    let listener = socket.listen(1)?;
    let mut holds = Vec::new();
    for _ in 0..4 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => holds.push(s),
            _ => break, // the queue is full: this connect would hang as the client's will
        }
    }
    // Never accepted, never dropped: leaked for the life of the process.
    std::mem::forget(listener);
    Ok((format!("http://{addr}"), holds))
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1 << 20 {
            return Ok(None);
        }
        let n = sock.read(&mut byte).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    // Drain a body of known length (creates send small JSON bodies).
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut have = buf.len() - end - 4;
    while have < len {
        let n = sock.read(&mut byte).await?;
        if n == 0 {
            break;
        }
        have += n;
    }
    Ok(Some(Request { method, path, headers }))
}

fn json_response(status: u16, body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

fn error_body(ty: &str, message: &str, code: Option<&str>) -> Value {
    json!({"type": "error", "error": {"type": ty, "message": message, "code": code}, "request_id": "req_hostile"})
}

const SSE_HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";

/// One SSE frame of an event.
fn frame(id: &str, ty: &str) -> String {
    format!("id: {id}\nevent: {ty}\ndata: {}\n\n", json!({"type": ty, "id": id, "content": []}))
}

fn end_frame(id: &str) -> String {
    frame(id, "session.status_terminated")
}

fn agent(id: &str) -> Value {
    json!({"type": "agent", "id": id, "name": "hostile", "model": {"id": "auto"}, "version": 1, "created_at": "2026-01-01T00:00:00Z"})
}

/// Writes until the peer goes away.
async fn endless(sock: &mut TcpStream, piece: &[u8]) {
    while sock.write_all(piece).await.is_ok() {}
}

/// Holds the connection open, sending nothing, until the peer goes away.
async fn hold(sock: &mut TcpStream) {
    let mut b = [0u8; 256];
    while matches!(sock.read(&mut b).await, Ok(n) if n > 0) {}
}

/// Writes `bytes` one at a time, `every` apart, until done or the peer goes away.
async fn trickle(sock: &mut TcpStream, bytes: &[u8], every: Duration) {
    for b in bytes {
        if sock.write_all(std::slice::from_ref(b)).await.is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

async fn serve(mut sock: TcpStream, origin: &str, seen: &Mutex<HashMap<String, Seen>>) -> std::io::Result<()> {
    let Some(req) = read_request(&mut sock).await? else { return Ok(()) };
    if std::env::var("HOSTILE_DEBUG").is_ok() {
        eprintln!("hostile: {} {}", req.method, req.path);
    }
    if req.path == "/_stats" {
        let all: serde_json::Map<String, Value> =
            seen.lock().unwrap().iter().map(|(k, v)| (k.clone(), stats_json(v))).collect();
        return sock.write_all(&json_response(200, &Value::Object(all))).await;
    }
    let mut parts = req.path.splitn(3, '/').skip(1);
    let scenario = parts.next().unwrap_or_default().to_string();
    let rest = format!("/{}", parts.next().unwrap_or_default());
    let n = {
        let mut g = seen.lock().unwrap();
        let s = g.entry(scenario.clone()).or_default();
        s.requests += 1;
        if let Some(k) = req.header("idempotency-key") {
            s.idempotency_keys.push(k.to_string());
        }
        if let Some(k) = req.header("last-event-id") {
            s.last_event_ids.push(k.to_string());
        }
        let mut counts: HashMap<String, usize> = HashMap::new();
        for (k, _) in &req.headers {
            *counts.entry(k.to_ascii_lowercase()).or_default() += 1;
        }
        s.max_header_copies = s.max_header_copies.max(counts.values().copied().max().unwrap_or(0));
        s.requests
    };
    // `<behaviour>~<instance>`: requests are counted per instance (one per case and client),
    // and the behaviour is the part before `~`.
    let behaviour = scenario.split('~').next().unwrap_or_default().to_string();
    respond(&mut sock, &behaviour, &scenario, &rest, &req, n, origin).await
}

/// The scenarios. `n` is the 1-based number of this request within the scenario.
#[allow(clippy::too_many_arguments)]
async fn respond(
    sock: &mut TcpStream,
    scenario: &str,
    instance: &str,
    rest: &str,
    req: &Request,
    n: u64,
    origin: &str,
) -> std::io::Result<()> {
    let ok_list = || {
        json_response(
            200,
            &json!({"data": [agent("agent_1")], "has_more": false, "first_id": "agent_1", "last_id": "agent_1"}),
        )
    };
    let w = |bytes: Vec<u8>| bytes;
    let out: Vec<u8> = match scenario {
        // ---- bodies -----------------------------------------------------------------------
        "endless-body" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await?;
            let chunk = format!("10000\r\n{}\r\n", "[".repeat(0x10000));
            endless(sock, chunk.as_bytes()).await;
            return Ok(());
        }
        "huge-content-length" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000000000\r\n\r\n[").await?;
            hold(sock).await;
            return Ok(());
        }
        "endless-error-body" | "stream-endless-error-body" => {
            let status = if scenario == "endless-error-body" { "500 Internal Server Error" } else { "400 Bad Request" };
            sock.write_all(format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").as_bytes()).await?;
            let chunk = format!("10000\r\n{}\r\n", "e".repeat(0x10000));
            endless(sock, chunk.as_bytes()).await;
            return Ok(());
        }
        "trickle-body" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n").await?;
            trickle(sock, &[b' '; 1000], Duration::from_millis(50)).await;
            return Ok(());
        }
        "reset-mid-body" => w(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"data\":[".to_vec()),
        "malformed-json" => w(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10\r\nconnection: close\r\n\r\n{\"data\": [".to_vec()),
        "html-502" => {
            let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
            w(format!("HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}", page.len()).into_bytes())
        }
        // ---- heads ------------------------------------------------------------------------
        "huge-headers" | "stream-huge-headers" => {
            let pad: String = (0..200).map(|i| format!("x-pad-{i}: {}\r\n", "p".repeat(1500))).collect();
            let ct = if scenario == "huge-headers" { "application/json" } else { "text/event-stream" };
            w(format!("HTTP/1.1 200 OK\r\ncontent-type: {ct}\r\n{pad}content-length: 2\r\nconnection: close\r\n\r\n{{}}").into_bytes())
        }
        "giant-head" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\nx-giant: ").await?;
            endless(sock, &[b'g'; 65536]).await;
            return Ok(());
        }
        "slow-head" | "stream-stalled-head" => {
            hold(sock).await;
            return Ok(());
        }
        // ---- chunked framing ----------------------------------------------------------------
        "bad-chunk-size" => w(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec()),
        "chunk-ext-flood" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n2;").await?;
            endless(sock, "a=b;".repeat(4096).as_bytes()).await;
            return Ok(());
        }
        "trailer-flood" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n").await?;
            let mut i = 0u64;
            loop {
                i += 1;
                if sock.write_all(format!("x-trailer-{i}: {}\r\n", "t".repeat(1000)).as_bytes()).await.is_err() {
                    return Ok(());
                }
            }
        }
        // ---- statuses and hints -------------------------------------------------------------
        "retry-after-50-days" => {
            let body = error_body("api_error", "come back later", None).to_string();
            w(format!("HTTP/1.1 503 X\r\ncontent-type: application/json\r\nretry-after: 4320000\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes())
        }
        "retry-after-date" => {
            let when = httpdate_in(Duration::from_secs(50 * 86400));
            let body = error_body("rate_limit_error", "slow down", None).to_string();
            w(format!("HTTP/1.1 429 X\r\ncontent-type: application/json\r\nretry-after: {when}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes())
        }
        "retry-after-short" if n == 1 => {
            let body = error_body("api_error", "busy", None).to_string();
            w(format!("HTTP/1.1 503 X\r\ncontent-type: application/json\r\nretry-after: 0.05\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes())
        }
        "retry-after-short" => ok_list(),
        "redirect" | "stream-redirect" => w(format!(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: {origin}/elsewhere{rest}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        .into_bytes()),
        "conflict-in-flight" if n == 1 => json_response(409, &error_body("conflict_error", "A request with this idempotency key is already in progress.", Some("idempotency_key_in_use"))),
        "conflict-in-flight" => json_response(200, &agent("agent_created")),
        "conflict-version" => json_response(409, &error_body("conflict_error", "version mismatch: the agent is at version 3", None)),
        "conflict-key-mismatch" => json_response(409, &error_body("conflict_error", "Idempotency key reused with a different request body.", None)),
        "echo" => ok_list(),
        "create-ok" => json_response(200, &agent("agent_ok")),
        // ---- streams ------------------------------------------------------------------------
        "stream-trickle" | "stream-comments-only" | "stream-idle" if n == 1 => {
            sock.write_all(SSE_HEAD.as_bytes()).await?;
            match scenario {
                "stream-trickle" => trickle(sock, &[b':'; 100_000], Duration::from_millis(20)).await,
                "stream-comments-only" => {
                    while sock.write_all(b": keep-alive\n\n").await.is_ok() {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
                _ => hold(sock).await,
            }
            return Ok(());
        }
        "stream-trickle" | "stream-comments-only" | "stream-idle" => sse(&[frame("e1", "agent.message"), end_frame("e2")]),
        "stream-bad-id" => sse(&[frame("e1", "agent.message"), frame("e\u{1}bad", "agent.message"), end_frame("e3")]),
        "stream-replay-out-of-order" if n == 1 => sse(&[frame("e1", "agent.message"), frame("e2", "agent.message"), frame("e3", "agent.message")]),
        "stream-replay-out-of-order" => sse(&[frame("e4", "agent.message"), frame("e2", "agent.message"), frame("e3", "agent.message"), end_frame("e5")]),
        "stream-replay-prefix" if n == 1 => sse(&[frame("e1", "agent.message"), frame("e2", "agent.message")]),
        "stream-replay-prefix" => sse(&[frame("e1", "agent.message"), frame("e2", "agent.message"), end_frame("e3")]),
        "stream-oversized-event" => {
            let big = format!("id: e2\nevent: agent.message\ndata: {{\"type\":\"agent.message\",\"id\":\"e2\",\"pad\":\"{}\"}}\n\n", "x".repeat(2 << 20));
            sse(&[frame("e1", "agent.message"), big, end_frame("e3")])
        }
        "stream-bad-chunking" if n == 1 => {
            let e1 = frame("e1", "agent.message");
            w(format!("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\n{e1}\r\nzz\r\n", e1.len()).into_bytes())
        }
        "stream-bad-chunking" => sse(&[end_frame("e2")]),
        "stream-error-frame-retryable" if n == 1 => sse(&["event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"overloaded\"}}\n\n".to_string()]),
        "stream-error-frame-retryable" => sse(&[end_frame("e1")]),
        "stream-error-frame-fatal" => sse(&["event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad cursor\"}}\n\n".to_string()]),
        "stream-done" => sse(&[frame("e1", "agent.message"), "data: [DONE]\n\n".to_string(), frame("e2", "agent.message")]),
        "stream-malformed-event" if n == 1 => sse(&["id: e1\nevent: agent.message\ndata: {not json\n\n".to_string()]),
        "stream-malformed-event" => sse(&[end_frame("e2")]),
        "stream-eof" => sse(&[frame("e1", "agent.message")]),
        "stream-crlf-lines" => sse(&[frame("e1", "agent.message").replace('\n', "\r\n"), end_frame("e2")]),
        // ---- downloads ----------------------------------------------------------------------
        "download-stalled-body" | "download-trickle" if rest.starts_with("/files/") => {
            json_response(200, &json!({"url": format!("{origin}/{instance}/blob")}))
        }
        "download-stalled-body" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n0123456789").await?;
            hold(sock).await;
            return Ok(());
        }
        "download-trickle" => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n").await?;
            trickle(sock, &[b'b'; 1000], Duration::from_millis(50)).await;
            return Ok(());
        }
        _ => json_response(404, &error_body("not_found_error", &format!("no such hostile scenario: {scenario} ({} {})", req.method, rest), None)),
    };
    sock.write_all(&out).await?;
    sock.flush().await?;
    // Let the client read everything before the close (no RST over unread request bytes).
    let _ = sock.shutdown().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    Ok(())
}

/// A close-delimited SSE response with `frames`.
fn sse(frames: &[String]) -> Vec<u8> {
    let mut out = SSE_HEAD.as_bytes().to_vec();
    for f in frames {
        out.extend_from_slice(f.as_bytes());
    }
    out
}

/// An HTTP date `d` from now.
fn httpdate_in(d: Duration) -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now() + d)
}

//! Shared helpers for the emulator's integration tests.
#![allow(dead_code)]

use std::time::Duration;

use futures_util::StreamExt;
use qoder_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::{json, Value};

pub const TOKEN: &str = "test-token";

pub struct Harness {
    pub emu: RunningEmulator,
    pub http: reqwest::Client,
    pub base: String,
}

pub async fn start() -> Harness {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> Harness {
    let emu = qoder_emulator::start(config).await.expect("start emulator");
    let base = emu.base_url();
    Harness { emu, http: reqwest::Client::new(), base }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(TOKEN)
    }

    pub fn post(&self, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(TOKEN).json(&body)
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(path)).bearer_auth(TOKEN)
    }

    pub fn upload(&self, path: &str, form: reqwest::multipart::Form) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(TOKEN).multipart(form)
    }

    /// Sends and returns (status, json body).
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = rb.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn ok(&self, rb: reqwest::RequestBuilder) -> Value {
        let (status, body) = self.send(rb).await;
        assert!((200..300).contains(&status), "unexpected {status}: {body}");
        body
    }

    pub async fn agent(&self) -> String {
        let a = self.ok(self.post("/agents", json!({"name": "test-agent", "model": "ultimate"}))).await;
        a["id"].as_str().unwrap().to_string()
    }

    pub async fn environment(&self) -> String {
        let e = self
            .ok(self.post(
                "/environments",
                json!({"name": "env", "config": {"type": "cloud", "networking": {"type": "unrestricted"}}}),
            ))
            .await;
        e["id"].as_str().unwrap().to_string()
    }

    /// Creates agent + environment + session; returns the session id.
    pub async fn session(&self) -> String {
        let (a, e) = (self.agent().await, self.environment().await);
        let s = self.ok(self.post("/sessions", json!({"agent": a, "environment_id": e}))).await;
        s["id"].as_str().unwrap().to_string()
    }

    /// Posts one user message; returns the echoed event.
    pub async fn say(&self, sid: &str, text: &str) -> Value {
        let r = self
            .ok(self.post(
                &format!("/sessions/{sid}/events"),
                json!({"events": [{"type": "user.message", "content": text}]}),
            ))
            .await;
        r["data"][0].clone()
    }

    /// All events of a session (follows pagination).
    pub async fn events(&self, sid: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut path = format!("/sessions/{sid}/events?limit=100");
            if let Some(p) = &page {
                path.push_str(&format!("&page={p}"));
            }
            let r = self.ok(self.get(&path)).await;
            out.extend(r["data"].as_array().unwrap().iter().cloned());
            if !r["has_more"].as_bool().unwrap() {
                return out;
            }
            page = Some(r["next_page"].as_str().unwrap().to_string());
        }
    }

    /// Waits until the session's last event is a `session.status_idle` (or terminated).
    pub async fn wait_idle(&self, sid: &str) -> Vec<Value> {
        for _ in 0..500 {
            let s = self.ok(self.get(&format!("/sessions/{sid}"))).await;
            if s["status"] != "running" && s["status"] != "rescheduling" {
                let evs = self.events(sid).await;
                if evs
                    .last()
                    .is_some_and(|e| e["type"] == "session.status_idle" || e["type"] == "session.status_terminated")
                {
                    return evs;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("session {sid} never became idle");
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut rb = self.http.request(method, format!("{}/_emulator{path}", self.emu.root_url()));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.ok(rb).await
    }
}

/// A multipart file part with a filename (and an optional MIME type).
pub fn file_part(name: &str, data: impl Into<Vec<u8>>, mime: Option<&str>) -> reqwest::multipart::Part {
    let p = reqwest::multipart::Part::bytes(data.into()).file_name(name.to_string());
    match mime {
        Some(m) => p.mime_str(m).unwrap(),
        None => p,
    }
}

/// Asserts a 4xx/5xx envelope: (status, error.type, error.param).
pub fn assert_error(got: &(u16, Value), status: u16, kind: &str, param: Option<&str>) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["type"], kind, "{}", got.1);
    if let Some(p) = param {
        assert_eq!(got.1["error"]["param"], p, "{}", got.1);
    }
}

pub fn types(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["type"].as_str().unwrap_or("").to_string()).collect()
}

/// A parsed SSE frame.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
    pub comment: bool,
}

impl Frame {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

/// Reads SSE frames from a response.
pub struct SseReader {
    stream: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
    pub ended: bool,
}

impl SseReader {
    pub fn new(resp: reqwest::Response) -> Self {
        SseReader { stream: resp.bytes_stream().boxed(), buf: String::new(), ended: false }
    }

    /// Next frame (comments included), or None at end of stream / error / timeout.
    pub async fn next(&mut self, timeout: Duration) -> Option<Frame> {
        loop {
            if let Some(pos) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..pos + 2).collect();
                let mut f = Frame::default();
                for line in raw.lines() {
                    if let Some(c) = line.strip_prefix(':') {
                        let _ = c;
                        f.comment = true;
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        f.id = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        f.event = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        f.data.push_str(v);
                    }
                }
                return Some(f);
            }
            match tokio::time::timeout(timeout, self.stream.next()).await {
                Ok(Some(Ok(b))) => self.buf.push_str(&String::from_utf8_lossy(&b)),
                Ok(Some(Err(_))) | Ok(None) => {
                    self.ended = true;
                    return None;
                }
                Err(_) => return None,
            }
        }
    }

    /// Next non-comment frame.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<Frame> {
        loop {
            let f = self.next(timeout).await?;
            if !f.comment {
                return Some(f);
            }
        }
    }

    /// Reads event frames until one of type `until` (inclusive).
    pub async fn until(&mut self, until: &str) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some(f) = self.next_event(Duration::from_secs(10)).await {
            let done = f.event.as_deref() == Some(until);
            out.push(f);
            if done {
                return out;
            }
        }
        panic!("stream ended before {until}; got {:?}", out.iter().map(|f| f.event.clone()).collect::<Vec<_>>());
    }
}

pub async fn open_stream(
    h: &Harness,
    path: &str,
    last_event_id: Option<&str>,
    fault: Option<&str>,
) -> reqwest::Response {
    let mut rb = h.get(path).header("accept", "text/event-stream");
    if let Some(id) = last_event_id {
        rb = rb.header("last-event-id", id);
    }
    if let Some(f) = fault {
        rb = rb.header("x-emulator-fault", f);
    }
    rb.send().await.expect("stream request")
}

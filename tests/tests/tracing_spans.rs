//! `tracing` spans: one `qoder.call` per logical call (retries inside it) with the operation,
//! method, path, status, retries and request id, one `qoder.stream` per event stream with its
//! connections as calls inside it, and never a token in any recorded value.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use qoder_tests::{fault, TestEnv};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Debug, Clone, Default)]
struct Span {
    name: String,
    parent: Option<u64>,
    fields: HashMap<String, String>,
}

/// Records every span (name, parent, fields) it sees.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<HashMap<u64, Span>>>,
    stack: Arc<Mutex<Vec<u64>>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_string(), format!("{value:?}").trim_matches('"').to_string());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let parent = attrs.parent().map(|p| p.into_u64()).or_else(|| {
            if attrs.is_contextual() {
                self.stack.lock().unwrap().last().copied()
            } else {
                None
            }
        });
        let mut span = Span { name: attrs.metadata().name().to_string(), parent, ..Default::default() };
        attrs.record(&mut Fields(&mut span.fields));
        self.spans.lock().unwrap().insert(id, span);
        Id::from_u64(id)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        if let Some(s) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut s.fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, id: &Id) {
        self.stack.lock().unwrap().push(id.into_u64());
    }
    fn exit(&self, id: &Id) {
        let mut st = self.stack.lock().unwrap();
        if let Some(i) = st.iter().rposition(|x| *x == id.into_u64()) {
            st.remove(i);
        }
    }
}

impl Capture {
    fn named(&self, name: &str) -> Vec<(u64, Span)> {
        let mut v: Vec<(u64, Span)> =
            self.spans.lock().unwrap().iter().filter(|(_, s)| s.name == name).map(|(k, s)| (*k, s.clone())).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

#[test]
fn calls_and_streams_have_spans_with_their_outcome_and_no_secret() {
    let capture = Capture::default();
    let dispatch = tracing::Dispatch::new(capture.clone());
    // A current-thread runtime: every task runs on this thread, under this subscriber.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    tracing::dispatcher::with_default(&dispatch, || {
        rt.block_on(async {
            let t = TestEnv::start().await;
            let c = &t.client;
            // A call retried once after a 503: one span, retries = 1, the final status.
            let mut opts = fault("status=503;count=1;id=trace-retry");
            opts.max_retries = Some(2);
            c.call("agents.create", json!({"name": "traced", "model": "auto"}), opts).await.unwrap();
            // A failing call: its status and kind.
            let e =
                c.call("agents.retrieve", json!({"agent_id": "agent_missing"}), Default::default()).await.unwrap_err();
            assert_eq!(e.status(), Some(404));
            // A turn: the send and the stream (with its connection as a call inside it).
            let sid = t.session().await;
            c.run_turn(&sid, "hello", Default::default()).await.unwrap();
        })
    });
    let calls = capture.named("qoder.call");
    let create = calls
        .iter()
        .find(|(_, s)| s.fields.get("operation").map(String::as_str) == Some("agents.create"))
        .expect("a span for agents.create");
    assert_eq!(create.1.fields["http.request.method"], "POST");
    assert_eq!(create.1.fields["url.path"], "/agents");
    assert_eq!(create.1.fields["http.response.status_code"], "201");
    assert_eq!(create.1.fields["retries"], "1");
    assert!(!create.1.fields["request_id"].is_empty());
    let missing =
        calls.iter().find(|(_, s)| s.fields.get("operation").map(String::as_str) == Some("agents.retrieve")).unwrap();
    assert_eq!(missing.1.fields["http.response.status_code"], "404");
    assert_eq!(missing.1.fields["error.kind"], "not_found");
    let streams = capture.named("qoder.stream");
    assert_eq!(streams.len(), 1, "one span per stream");
    assert_eq!(streams[0].1.fields["operation"], "sessions.events.stream");
    let inside: Vec<_> = calls.iter().filter(|(_, s)| s.parent == Some(streams[0].0)).collect();
    assert_eq!(inside.len(), 1, "the stream's connection is a call inside its span");
    assert_eq!(inside[0].1.fields["operation"], "sessions.events.stream");
    for (_, s) in capture.spans.lock().unwrap().iter() {
        for v in s.fields.values() {
            assert!(!v.contains("pt-test-token"), "a token in a span: {s:?}");
        }
    }
}

#[tokio::test]
async fn trace_headers_reach_the_server_and_a_calls_own_header_wins() {
    let t = TestEnv::start().await;
    let calls = Arc::new(AtomicU64::new(0));
    let n = calls.clone();
    let c = t.client(|b| {
        b.trace_headers(Arc::new(move || {
            n.fetch_add(1, Ordering::SeqCst);
            vec![("traceparent".to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string())]
        }))
    });
    c.call("agents.list", json!({}), Default::default()).await.unwrap();
    assert_eq!(t.stats()["last_traceparent"], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    let mine = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let opts =
        qoder_cloud::RequestOptions { extra_headers: vec![("TraceParent".into(), mine.into())], ..Default::default() };
    c.call("agents.list", json!({}), opts).await.unwrap();
    assert_eq!(t.stats()["last_traceparent"], mine);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "asked once per call");
}

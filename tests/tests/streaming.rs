//! Event streams against the emulator: replay, live turns, deltas, resume across dropped
//! connections, idle timeouts, in-stream errors, close/drop and the run-turn helper.

use std::time::Duration;

use futures_util::TryStreamExt;
use qoder_cloud::accumulator::DeltaAccumulator;
use qoder_cloud::models::EventListParams;
use qoder_cloud::stream::{StreamEvent, StreamOptions};
use qoder_cloud::turn::TurnOptions;
use qoder_cloud::{ErrorKind, RequestOptions};
use qoder_tests::{fault, read_persisted_ids, TestEnv};
use serde_json::{json, Value};

fn text_msg(t: &str) -> Value {
    json!({"type": "user.message", "content": [{"type": "text", "text": t}]})
}

async fn persisted_ids(t: &TestEnv, sid: &str) -> Vec<String> {
    t.client
        .sessions()
        .events()
        .list_all(sid, &EventListParams { limit: Some(100), ..Default::default() })
        .unwrap()
        .map_ok(|e: Value| e["id"].as_str().unwrap().to_string())
        .try_collect()
        .await
        .unwrap()
}

/// Reads events until a `session.status_idle` that follows a `session.status_running`.
async fn read_turn(stream: &mut qoder_cloud::stream::EventStream) -> Vec<StreamEvent> {
    let mut out = Vec::new();
    let mut running = false;
    while let Some(ev) = stream.next().await {
        let ev = ev.unwrap();
        let ty = ev.event_type.clone();
        out.push(ev);
        if ty == "session.status_running" {
            running = true;
        }
        if ty == "session.status_idle" && running {
            break;
        }
    }
    out
}

#[tokio::test]
async fn replays_history_then_goes_live() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    t.client.run_turn(&sid, "first", Default::default()).await.unwrap();
    let history = persisted_ids(&t, &sid).await;

    let mut stream = t.client.stream_session(&sid, StreamOptions::default()).unwrap();
    for id in &history {
        let ev = stream.next().await.unwrap().unwrap();
        assert_eq!(ev.id.as_deref(), Some(id.as_str()), "history replayed in order");
    }
    // Live: a second turn arrives on the same connection.
    t.client.sessions().events().send(&sid, vec![text_msg("second")]).await.unwrap();
    let turn = read_turn(&mut stream).await;
    assert_eq!(turn.first().unwrap().event_type, "user.message");
    let msg = turn.iter().find(|e| e.event_type == "agent.message").unwrap();
    assert!(msg.text().unwrap().contains("second"));
    assert!(matches!(msg.decode().unwrap(), qoder_cloud::models::event::SessionEvent::AgentMessage(_)));
    assert_eq!(stream.last_event_id(), turn.last().unwrap().id);
    assert_eq!(stream.reconnects(), 0);
}

#[tokio::test]
async fn resumes_strictly_after_last_event_id() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    t.client.run_turn(&sid, "one", Default::default()).await.unwrap();
    let ids = persisted_ids(&t, &sid).await;
    let mut stream = t
        .client
        .stream_session(&sid, StreamOptions { last_event_id: Some(ids[2].clone()), ..Default::default() })
        .unwrap();
    let ev = stream.next().await.unwrap().unwrap();
    assert_eq!(ev.id.as_deref(), Some(ids[3].as_str()));

    let bad = t
        .client
        .stream_session(&sid, StreamOptions { last_event_id: Some("evt_nope".into()), ..Default::default() })
        .unwrap();
    let mut bad = bad;
    let e = bad.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest, "unknown Last-Event-ID is a 400, not retried");
}

#[tokio::test]
async fn deltas_fold_into_the_final_message() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let sent =
        t.client.sessions().events().send(&sid, vec![text_msg("please stream this reply in pieces")]).await.unwrap();
    let mut stream = t
        .client
        .stream_session(
            &sid,
            StreamOptions {
                last_event_id: sent.last_id().map(str::to_string),
                event_deltas: vec!["agent.message".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let events = read_turn(&mut stream).await;
    let deltas: Vec<&StreamEvent> = events.iter().filter(|e| e.event_type == "event_delta").collect();
    assert!(deltas.len() >= 2, "several delta frames");
    let start = events.iter().position(|e| e.event_type == "event_start").expect("event_start");
    let fin = events.iter().position(|e| e.event_type == "agent.message").expect("final message");
    assert!(start < fin);
    let final_msg = &events[fin];
    assert!(deltas.iter().all(|d| d.id == final_msg.id), "previews carry the final event's id");
    let concatenated: String = deltas.iter().map(|d| d.text().unwrap()).collect();
    assert_eq!(concatenated, final_msg.text().unwrap());

    let mut acc = DeltaAccumulator::new();
    let mut last = None;
    for e in &events {
        if let Some(s) = acc.push(e) {
            last = Some(s);
        }
    }
    let last = last.unwrap();
    assert!(last.is_final);
    assert_eq!(last.text(), final_msg.text().unwrap());
    // The cursor never points at a preview.
    assert_eq!(stream.last_event_id(), events.last().unwrap().id);
    // The list endpoint has no previews.
    let page = t
        .client
        .sessions()
        .events()
        .list(&sid, &EventListParams { limit: Some(100), ..Default::default() })
        .await
        .unwrap();
    assert!(page.data.iter().all(|e| e["type"] != "event_start" && e["type"] != "event_delta"));
}

async fn resume_under_drops(every: u64, deltas: bool) {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let turn_text = "[[burst 10000 size=20-200]]";
    t.client.run_turn(&sid, turn_text, Default::default()).await.unwrap();
    let expected = persisted_ids(&t, &sid).await;
    assert!(expected.len() > 10_000);

    let mut opts =
        StreamOptions { request: fault(&format!("stream-drop-after={every};id=drop{every}")), ..Default::default() };
    if deltas {
        opts.event_deltas = vec!["agent.message".into()];
    }
    let mut stream = t.client.stream_session(&sid, opts).unwrap();
    let got = read_persisted_ids(&mut stream, expected.len()).await;
    assert_eq!(got, expected, "every persisted event exactly once, in order");
    let min_reconnects = (expected.len() as u64 / every).saturating_sub(1) as u32;
    assert!(stream.reconnects() >= min_reconnects, "{} reconnects < {min_reconnects}", stream.reconnects());
    stream.close();
}

#[tokio::test]
async fn resume_drop_every_frame() {
    resume_under_drops(1, false).await;
}

#[tokio::test]
async fn resume_drop_every_3_frames_with_deltas() {
    resume_under_drops(3, true).await;
}

#[tokio::test]
async fn resume_drop_every_97_frames() {
    resume_under_drops(97, false).await;
}

#[tokio::test]
async fn accumulated_text_is_never_duplicated_across_drops() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let sent = t
        .client
        .sessions()
        .events()
        .send(&sid, vec![text_msg("a fairly long message so that it is cut into many delta fragments")])
        .await
        .unwrap();
    let mut stream = t
        .client
        .stream_session(
            &sid,
            StreamOptions {
                last_event_id: sent.last_id().map(str::to_string),
                event_deltas: vec!["agent.message".into()],
                request: fault("stream-drop-after=1;id=acc"),
                ..Default::default()
            },
        )
        .unwrap();
    let events = read_turn(&mut stream).await;
    let mut acc = DeltaAccumulator::new();
    let final_text = events.iter().find(|e| e.event_type == "agent.message").unwrap().text().unwrap();
    for e in &events {
        if let Some(s) = acc.push(e).filter(|s| s.event_type == "agent.message") {
            assert!(final_text.starts_with(&s.text()), "snapshot {:?} is not a prefix of the final text", s.text());
        }
    }
    assert!(stream.reconnects() > 0);
}

#[tokio::test]
async fn stalled_stream_times_out_and_resumes() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    t.client.run_turn(&sid, "hello", Default::default()).await.unwrap();
    let expected = persisted_ids(&t, &sid).await;
    let mut stream = t
        .client
        .stream_session(
            &sid,
            StreamOptions {
                idle_timeout: Some(Duration::from_millis(300)),
                request: fault("stream-stall=2;count=1;id=stall"),
                ..Default::default()
            },
        )
        .unwrap();
    let mut got = Vec::new();
    while got.len() < expected.len() {
        got.push(stream.next().await.unwrap().unwrap().id.unwrap());
    }
    assert_eq!(got, expected);
    assert_eq!(stream.reconnects(), 1, "one idle timeout, one resume");
}

#[tokio::test]
async fn in_stream_errors_are_classified() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let mut stream = t
        .client
        .stream_session(
            &sid,
            StreamOptions { request: fault("stream-error=invalid_request_error;id=se"), ..Default::default() },
        )
        .unwrap();
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(e.is_stream_error());
    assert!(!e.is_retryable());

    // A retryable in-stream error (overloaded) is resumed transparently; with resume off it surfaces.
    let mut raw = t
        .client
        .stream_session(
            &sid,
            StreamOptions {
                resume: false,
                request: fault("stream-error=overloaded_error;id=se2"),
                ..Default::default()
            },
        )
        .unwrap();
    let e = raw.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Overloaded);
    assert!(e.is_retryable());
}

#[tokio::test]
async fn closing_an_idle_stream_closes_the_connection() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let mut stream = t.client.stream_session(&sid, StreamOptions::default()).unwrap();
    t.eventually(Duration::from_secs(5), |s| s["streams"]["open"].as_u64() == Some(1)).await;
    // Close from another task while this one is waiting on a silent stream.
    let closer = stream.closer();
    let waiter = tokio::spawn(async move { stream.next().await.is_none() });
    tokio::task::yield_now().await;
    closer.close();
    closer.close(); // idempotent
    assert!(waiter.await.unwrap(), "the pending read ends with None");
    t.eventually(Duration::from_secs(5), |s| s["streams"]["open"].as_u64() == Some(0)).await;

    // Dropping a stream closes its connection too.
    let s2 = t.client.stream_session(&sid, StreamOptions::default()).unwrap();
    t.eventually(Duration::from_secs(5), |s| s["streams"]["open"].as_u64() == Some(1)).await;
    drop(s2);
    t.eventually(Duration::from_secs(5), |s| s["streams"]["open"].as_u64() == Some(0)).await;
}

#[tokio::test]
async fn stream_ends_after_termination_and_deletion() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let r = t.client.run_turn(&sid, "bye [[terminate]]", Default::default()).await.unwrap();
    assert!(r.terminated);
    let mut stream = t.client.stream_session(&sid, StreamOptions::default()).unwrap();
    let mut last = None;
    while let Some(ev) = stream.next().await {
        last = Some(ev.unwrap().event_type);
    }
    assert_eq!(last.as_deref(), Some("session.status_terminated"));
    let e = t.client.sessions().events().send(&sid, vec![text_msg("more")]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);

    let sid2 = t.session().await;
    let mut live = t.client.stream_session(&sid2, StreamOptions::default()).unwrap();
    t.eventually(Duration::from_secs(5), |s| s["streams"]["open"].as_u64() == Some(1)).await;
    t.client.sessions().delete(&sid2).await.unwrap();
    let ev = live.next().await.unwrap().unwrap();
    assert_eq!(ev.event_type, "session.deleted");
    assert!(live.next().await.is_none());
}

#[tokio::test]
async fn approval_flow_through_run_turn() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let r = t.client.run_turn(&sid, "deploy it [[approve name=bash]]", Default::default()).await.unwrap();
    assert_eq!(r.stop_type(), Some("requires_action"));
    assert_eq!(r.blocking_event_ids.len(), 1);
    let tool_use = r.events.iter().find(|e| e.event_type == "agent.tool_use").unwrap().json().unwrap();
    assert_eq!(tool_use["evaluated_permission"], "ask");
    let blocking = r.blocking_event_ids[0].clone();

    // An unknown id is rejected.
    let e = t
        .client
        .sessions()
        .events()
        .send(&sid, vec![json!({"type": "user.tool_confirmation", "tool_use_id": "evt_unknown", "result": "allow"})])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);

    let done = t
        .client
        .send_and_wait(
            &sid,
            vec![json!({"type": "user.tool_confirmation", "tool_use_id": blocking, "result": "allow"})],
            TurnOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.stop_type(), Some("end_turn"));
    assert!(done.events.iter().any(|e| e.event_type == "agent.tool_result"));
}

#[tokio::test]
async fn custom_tool_flow_through_run_turn() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let r = t.client.run_turn(&sid, "weather? [[custom_tool name=get_weather]]", Default::default()).await.unwrap();
    assert_eq!(r.stop_type(), Some("requires_action"));
    let use_ev = r.events.iter().find(|e| e.event_type == "agent.custom_tool_use").unwrap().json().unwrap();
    assert_eq!(use_ev["name"], "get_weather");
    let reply = json!({"type": "user.custom_tool_result", "custom_tool_use_id": r.blocking_event_ids[0], "content": [{"type": "text", "text": "sunny"}]});
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let opts = TurnOptions {
        on_event: Some(Box::new(move |_e| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })),
        ..Default::default()
    };
    let done = t.client.send_and_wait(&sid, vec![reply], opts).await.unwrap();
    assert_eq!(done.stop_type(), Some("end_turn"));
    assert!(!done.messages.is_empty());
    assert!(seen.load(std::sync::atomic::Ordering::SeqCst) >= done.events.len(), "the callback saw every event");
}

#[tokio::test]
async fn error_turn_ends_with_retries_exhausted() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let r = t.client.run_turn(&sid, "[[error retries=2]]", Default::default()).await.unwrap();
    assert_eq!(r.stop_type(), Some("retries_exhausted"));
    let errors = r.events.iter().filter(|e| e.event_type == "session.error").count();
    assert_eq!(errors, 3, "two retrying errors then the exhausted one");
}

#[tokio::test]
async fn queued_message_waits_for_its_own_turn() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    t.client.sessions().events().send(&sid, vec![text_msg("slow one [[slow ms=30]]")]).await.unwrap();
    let sent = t.client.sessions().events().send(&sid, vec![text_msg("queued")]).await.unwrap();
    assert!(sent.data[0].processed_at().is_none(), "queued while running");
    let r = t.client.run_turn(&sid, "third", Default::default()).await.unwrap();
    assert_eq!(r.stop_type(), Some("end_turn"));
    assert!(r.text().contains("third"), "the helper waited for its own turn: {:?}", r.text());
}

#[tokio::test]
async fn interrupt_and_cancel_stop_a_running_turn() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    t.client.sessions().events().send(&sid, vec![text_msg("long [[slow ms=200]]")]).await.unwrap();
    let running = t.client.sessions().retrieve(&sid).await.unwrap();
    assert_eq!(running.status, "running");
    let c = t.client.sessions().cancel(&sid).await.unwrap();
    assert_eq!(c.meta.status, 202);
    let mut stream = t.client.stream_session(&sid, StreamOptions::default()).unwrap();
    let events = read_turn(&mut stream).await;
    assert!(events.iter().all(|e| e.event_type != "agent.message"), "a cancelled turn delivers no message");
    stream.close();

    t.client.sessions().events().send(&sid, vec![text_msg("again [[slow ms=200]]")]).await.unwrap();
    let r =
        t.client.send_and_wait(&sid, vec![json!({"type": "user.interrupt"})], TurnOptions::default()).await.unwrap();
    assert_eq!(r.stop_type(), Some("end_turn"));
    assert!(r.messages.is_empty(), "an interrupted turn delivers no message");
    let s = t.client.sessions().retrieve(&sid).await.unwrap();
    assert_eq!(s.status, "idle");
}

#[tokio::test]
async fn slow_consumer_keeps_memory_bounded() {
    // Backpressure: the reader cannot run ahead of the consumer by more than the buffered batches.
    let t = TestEnv::start().await;
    let sid = t.session().await;
    t.client.run_turn(&sid, "[[burst 20000 size=100]]", Default::default()).await.unwrap();
    let mut stream = t.client.stream_session(&sid, StreamOptions { buffer_batches: 2, ..Default::default() }).unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(first.id.is_some());
    // Give the reader every chance to run ahead, then count what it buffered.
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let buffered = stream.take_buffered(usize::MAX).len();
    assert!(buffered < 20_000 / 2, "the reader ran ahead by {buffered} events despite backpressure");
    let _ = RequestOptions::default();
}

/// The turn helper's request options reach the stream it opens, not only the send: a fault
/// header that fails only the stream's path fails the turn.
#[tokio::test]
async fn run_turn_request_options_reach_its_stream() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let path = format!("/sessions/{sid}/events/stream");
    let c = t.client(|b| b.max_retries(0));
    let opts = TurnOptions { request: fault(&format!("status=418;path={path};id=turn-opts")), ..Default::default() };
    let e = c.run_turn(&sid, "hello", opts).await.unwrap_err();
    assert_eq!(e.status(), Some(418), "the stream got the caller's header: {e}");
    // Headers given to the stream itself win over the send's.
    let mut opts =
        TurnOptions { request: fault(&format!("status=418;path={path};id=turn-opts-2")), ..Default::default() };
    opts.stream.request.extra_headers = vec![("x-trace".into(), "1".into())];
    let r = c.run_turn(&sid, "again", opts).await.unwrap();
    assert!(!r.messages.is_empty());
}

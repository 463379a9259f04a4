//! SSE streams: replay, resume, deltas, keep-alive, fan-out, termination,
//! connection accounting.

mod common;

use std::time::Duration;

use common::*;
use qoder_emulator::EmulatorConfig;
use serde_json::json;

const T: Duration = Duration::from_secs(10);

#[tokio::test]
async fn replay_then_live_then_resume() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "one").await;
    let history = h.wait_idle(&sid).await;
    let resp = open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut r = SseReader::new(resp);
    let replay = r.until("session.status_idle").await;
    assert_eq!(replay.len(), history.len());
    for (f, e) in replay.iter().zip(&history) {
        assert_eq!(f.id.as_deref(), e["id"].as_str());
        assert_eq!(f.event.as_deref(), e["type"].as_str());
        assert_eq!(f.json(), *e, "data equals the list endpoint's JSON");
    }
    // Live: stays open across idle.
    let echo = h.say(&sid, "two").await;
    let live = r.until("session.status_idle").await;
    assert_eq!(live[0].id.as_deref(), echo["id"].as_str());
    // Resume strictly after the user message.
    let resp = open_stream(&h, &format!("/sessions/{sid}/events/stream"), echo["id"].as_str(), None).await;
    let mut r2 = SseReader::new(resp);
    let resumed = r2.until("session.status_idle").await;
    assert_eq!(resumed[0].event.as_deref(), Some("session.status_running"));
    assert_eq!(resumed.len(), live.len() - 1);
    // Unknown id: 400 before streaming.
    let resp =
        open_stream(&h, &format!("/sessions/{sid}/events/stream"), Some("evt_ffffffffffffffffffffffffffffffff"), None)
            .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let resp = open_stream(&h, "/sessions/sess_nope/events/stream", None, None).await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn deltas_preview_agent_messages() {
    let h = start().await;
    let sid = h.session().await;
    let resp = open_stream(
        &h,
        &format!("/sessions/{sid}/events/stream?event_deltas[]=agent.message&event_deltas[]=agent.thinking"),
        None,
        None,
    )
    .await;
    let mut r = SseReader::new(resp);
    let plain = SseReader::new(open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await);
    h.say(&sid, "hello there general kenobi").await;
    let frames = r.until("session.status_idle").await;
    let names: Vec<&str> = frames.iter().map(|f| f.event.as_deref().unwrap()).collect();
    let final_msg = frames.iter().find(|f| f.event.as_deref() == Some("agent.message")).unwrap();
    let mid = final_msg.id.clone().unwrap();
    let start = names.iter().position(|n| *n == "event_start").unwrap();
    // agent.thinking gets an event_start only, right before it.
    assert_eq!(frames[start].json()["event"]["type"], "agent.thinking");
    assert_eq!(names[start + 1], "agent.thinking");
    let msg_start = frames
        .iter()
        .position(|f| f.event.as_deref() == Some("event_start") && f.json()["event"]["type"] == "agent.message")
        .unwrap();
    assert_eq!(frames[msg_start].json(), json!({"type": "event_start", "event": {"type": "agent.message", "id": mid}}));
    let deltas: Vec<_> = frames.iter().filter(|f| f.event.as_deref() == Some("event_delta")).collect();
    assert!(deltas.len() >= 2);
    let mut text = String::new();
    for d in &deltas {
        assert_eq!(d.id.as_deref(), Some(mid.as_str()));
        let j = d.json();
        assert_eq!(j["event_id"], mid.as_str());
        assert_eq!(j["delta"]["type"], "content_delta");
        assert_eq!(j["delta"]["index"], 0);
        text.push_str(j["delta"]["content"]["text"].as_str().unwrap());
    }
    assert_eq!(text, final_msg.json()["content"][0]["text"].as_str().unwrap());
    // Previews are neither listed nor sent to connections without the parameter.
    let listed = h.events(&sid).await;
    assert!(types(&listed).iter().all(|t| !t.starts_with("event_")));
    let mut plain = plain;
    let plain_frames = plain.until("session.status_idle").await;
    assert!(plain_frames.iter().all(|f| !f.event.as_deref().unwrap().starts_with("event_")));
    assert_eq!(plain_frames.len(), listed.len());
    let resp =
        open_stream(&h, &format!("/sessions/{sid}/events/stream?event_deltas[]=agent.tool_use"), None, None).await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn keep_alive_comments_are_sent() {
    let h = start_with(EmulatorConfig { keepalive_interval: Duration::from_millis(50), ..Default::default() }).await;
    let sid = h.session().await;
    let mut r = SseReader::new(open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await);
    let f = r.next(Duration::from_secs(2)).await.expect("a keep-alive");
    assert!(f.comment);
    let f = r.next(Duration::from_secs(2)).await.expect("another keep-alive");
    assert!(f.comment);
}

#[tokio::test]
async fn concurrent_streams_see_the_same_order() {
    let h = start().await;
    let sid = h.session().await;
    let mut a = SseReader::new(open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await);
    let mut b = SseReader::new(
        open_stream(&h, &format!("/sessions/{sid}/threads/{}/stream", thread(&h, &sid).await), None, None).await,
    );
    h.say(&sid, "[[burst 2000 size=20]]").await;
    let fa = a.until("session.status_idle").await;
    let fb = b.until("session.status_idle").await;
    let ia: Vec<_> = fa.iter().map(|f| f.id.clone()).collect();
    let ib: Vec<_> = fb.iter().map(|f| f.id.clone()).collect();
    assert_eq!(ia, ib);
    assert_eq!(fa.iter().filter(|f| f.event.as_deref() == Some("agent.message")).count(), 2000);
}

async fn thread(h: &Harness, sid: &str) -> String {
    h.ok(h.get(&format!("/sessions/{sid}/threads"))).await["data"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn stream_ends_on_termination_and_deletion() {
    let h = start().await;
    let sid = h.session().await;
    let mut r = SseReader::new(open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await);
    h.say(&sid, "[[terminate]]").await;
    let frames = r.until("session.status_terminated").await;
    assert!(!frames.is_empty());
    assert!(r.next(T).await.is_none());
    assert!(r.ended, "stream closed after session.status_terminated");

    let sid = h.session().await;
    let mut r = SseReader::new(open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await);
    tokio::time::sleep(Duration::from_millis(50)).await;
    h.ok(h.delete(&format!("/sessions/{sid}"))).await;
    let f = r.next_event(T).await.expect("session.deleted");
    assert_eq!(f.event.as_deref(), Some("session.deleted"));
    assert!(r.next(T).await.is_none());
    assert!(r.ended);
}

#[tokio::test]
async fn stream_connections_are_counted_and_closing_is_noticed() {
    let h = start_with(EmulatorConfig { keepalive_interval: Duration::from_secs(3600), ..Default::default() }).await;
    let sid = h.session().await;
    let resp = open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(h.emu.stats()["streams"]["open"], 1);
    assert_eq!(h.emu.stats()["streams"]["total"], 1);
    drop(resp); // silent session, no keep-alives due: the close must still be noticed
    for _ in 0..200 {
        if h.emu.stats()["streams"]["open"] == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("stream still counted as open: {}", h.emu.stats());
}

#[tokio::test]
async fn stream_drop_after_allows_gapless_resume() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "[[burst 20]]").await;
    let history = h.wait_idle(&sid).await;
    let fault = "stream-drop-after=5";
    let mut seen: Vec<String> = Vec::new();
    let mut last: Option<String> = None;
    for _ in 0..10 {
        let resp = open_stream(&h, &format!("/sessions/{sid}/events/stream"), last.as_deref(), Some(fault)).await;
        let mut r = SseReader::new(resp);
        let mut n = 0;
        while let Some(f) = r.next_event(Duration::from_millis(500)).await {
            seen.push(f.id.clone().unwrap());
            last = f.id.clone();
            n += 1;
        }
        assert!(n <= 5, "at most 5 frames per connection");
        if n == 5 {
            assert!(r.ended, "connection was closed by the fault");
        }
        if seen.len() >= history.len() {
            break;
        }
    }
    let expected: Vec<String> = history.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(seen, expected, "no duplicates, no gaps");
    assert!(h.emu.stats()["faults_injected"].as_u64().unwrap() >= 4);
}

#[tokio::test]
async fn stream_error_malformed_and_stall_faults() {
    let h = start_with(EmulatorConfig { keepalive_interval: Duration::from_millis(30), ..Default::default() }).await;
    let sid = h.session().await;
    h.say(&sid, "x").await;
    h.wait_idle(&sid).await;
    let path = format!("/sessions/{sid}/events/stream");
    let mut r =
        SseReader::new(open_stream(&h, &path, None, Some("stream-error=overloaded_error;stream-error-after=2")).await);
    assert!(r.next_event(T).await.is_some());
    assert!(r.next_event(T).await.is_some());
    let e = r.next_event(T).await.unwrap();
    assert_eq!(e.event.as_deref(), Some("error"));
    assert_eq!(e.json()["error"]["type"], "overloaded_error");
    assert!(r.next(T).await.is_none());

    let mut r = SseReader::new(open_stream(&h, &path, None, Some("stream-malformed-frame=1")).await);
    r.next_event(T).await.unwrap();
    let bad = r.next_event(T).await.unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&bad.data).is_err());

    let mut r = SseReader::new(open_stream(&h, &path, None, Some("stream-stall=1")).await);
    assert!(r.next_event(T).await.is_some());
    // Nothing at all afterwards, not even keep-alives (interval is 30 ms).
    assert!(r.next(Duration::from_millis(300)).await.is_none());
    assert!(!r.ended);
}

#[tokio::test]
async fn shutdown_ends_open_streams() {
    let h = start().await;
    let sid = h.session().await;
    let mut r = SseReader::new(open_stream(&h, &format!("/sessions/{sid}/events/stream"), None, None).await);
    let Harness { emu, .. } = h;
    let t = std::time::Instant::now();
    emu.shutdown().await;
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(r.next(Duration::from_secs(3)).await.is_none());
    assert!(r.ended);
}

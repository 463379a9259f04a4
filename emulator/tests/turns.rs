//! The scripted agent: turns, queueing, approvals, custom tools, errors,
//! termination, interrupt and cancel.

mod common;

use std::time::Duration;

use common::*;
use qoder_emulator::EmulatorConfig;
use serde_json::{json, Value};

fn send_events(h: &Harness, sid: &str, events: Value) -> reqwest::RequestBuilder {
    h.post(&format!("/sessions/{sid}/events"), json!({ "events": events }))
}

#[tokio::test]
async fn full_turn_is_visible_in_the_list() {
    let h = start().await;
    let sid = h.session().await;
    let echo = h.say(&sid, "Summarise README.md").await;
    assert_eq!(echo["type"], "user.message");
    assert_eq!(echo["content"], json!([{"type": "text", "text": "Summarise README.md"}]));
    assert!(echo["processed_at"].is_string());
    assert!(echo["turn_id"].as_str().unwrap().starts_with("turn_"));
    assert_eq!(echo["session_thread_id"], Value::Null);
    let evs = h.wait_idle(&sid).await;
    assert_eq!(
        types(&evs),
        vec![
            "user.message",
            "session.status_running",
            "span.model_request_start",
            "agent.thinking",
            "agent.message",
            "span.model_request_end",
            "session.status_idle"
        ]
    );
    assert_eq!(evs[4]["content"][0]["text"], "Echo: Summarise README.md");
    assert_eq!(evs[5]["model_request_start_id"], evs[2]["id"]);
    assert_eq!(evs[5]["is_error"], false);
    assert!(evs[5]["model_usage"]["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(evs[6]["stop_reason"], json!({"type": "end_turn"}));
    assert!(evs.iter().skip(1).all(|e| e["turn_id"] == echo["turn_id"]));
    let ids: Vec<&str> = evs.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ids sort in creation order");
    let s = h.ok(h.get(&format!("/sessions/{sid}"))).await;
    assert_eq!(s["status"], "idle");
    assert!(s["usage"]["output_tokens"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn string_and_block_content_and_validation() {
    let h = start().await;
    let sid = h.session().await;
    for (events, param) in [
        (json!([]), "events"),
        (json!([{"type": "user.nope"}]), "events[0].type"),
        (json!([{"type": "user.message"}]), "events[0].content"),
        (json!([{"type": "user.message", "content": [{"type": "text", "text": ""}]}]), "events[0].content[0].text"),
        (json!([{"type": "user.tool_result", "tool_use_id": "x"}]), "events[0].type"),
        (
            json!([{"type": "user.tool_confirmation", "tool_use_id": "evt_x", "result": "allow"}]),
            "events[0].tool_use_id",
        ),
        (json!([{"type": "user.custom_tool_result", "custom_tool_use_id": "evt_x"}]), "events[0].custom_tool_use_id"),
        (json!([{"type": "user.message", "content": "[[burst x]]"}]), "events[0].content"),
    ] {
        let (s, b) = h.send(send_events(&h, &sid, events.clone())).await;
        assert_eq!((s, b["error"]["param"].as_str()), (400, Some(param)), "{events}");
    }
    assert!(h.events(&sid).await.is_empty(), "failed batches store nothing");
    let r = h.ok(send_events(&h, &sid, json!([
        {"type": "system.message", "content": "be brief"},
        {"type": "user.define_outcome", "description": "a summary", "rubric": {"type": "text", "content": "short"}},
    ]))).await;
    assert!(r["data"][1]["outcome_id"].as_str().unwrap().starts_with("outc_"));
    let evs = h.wait_idle(&sid).await;
    assert!(types(&evs).contains(&"span.outcome_evaluation_end".to_string()));
    let s = h.ok(h.get(&format!("/sessions/{sid}"))).await;
    assert_eq!(s["outcome_evaluations"][0]["result"], "satisfied");
}

#[tokio::test]
async fn messages_sent_while_running_are_queued() {
    let h = start_with(EmulatorConfig { turn_step_delay: Duration::from_millis(20), ..Default::default() }).await;
    let sid = h.session().await;
    let r = h
        .ok(send_events(
            &h,
            &sid,
            json!([
                {"type": "user.message", "content": "first"},
                {"type": "user.message", "content": "second"},
            ]),
        ))
        .await;
    assert!(r["data"][0]["processed_at"].is_string());
    assert_eq!(r["data"][1]["processed_at"], Value::Null);
    let s = h.ok(h.get(&format!("/sessions/{sid}"))).await;
    assert_eq!(s["status"], "running");
    let evs = h.wait_idle(&sid).await;
    let texts: Vec<&str> = evs
        .iter()
        .filter(|e| e["type"] == "agent.message")
        .map(|e| e["content"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["Echo: first", "Echo: second"]);
    let second = evs.iter().find(|e| e["id"] == r["data"][1]["id"]).unwrap();
    assert!(second["processed_at"].is_string(), "processed_at filled once processed");
    assert_eq!(types(&evs).iter().filter(|t| *t == "session.status_idle").count(), 2);
}

#[tokio::test]
async fn tool_approval_allow_deny_and_partial() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "deploy [[approve count=2]]").await;
    let evs = h.wait_idle(&sid).await;
    let idle = evs.last().unwrap();
    assert_eq!(idle["stop_reason"]["type"], "requires_action");
    let ids: Vec<String> =
        idle["stop_reason"]["event_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 2);
    let tool_use = evs.iter().find(|e| e["id"] == ids[0].as_str()).unwrap();
    assert_eq!(
        (tool_use["type"].as_str(), tool_use["evaluated_permission"].as_str()),
        (Some("agent.tool_use"), Some("ask"))
    );
    // deny_message with allow is rejected.
    let (s, _) = h
        .send(send_events(
            &h,
            &sid,
            json!([{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow", "deny_message": "no"}]),
        ))
        .await;
    assert_eq!(s, 400);
    // Partial resolution re-idles with the remaining id.
    h.ok(send_events(&h, &sid, json!([{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"}])))
        .await;
    let evs = h.events(&sid).await;
    let last = evs.last().unwrap();
    assert_eq!(last["stop_reason"], json!({"type": "requires_action", "event_ids": [ids[1]]}));
    // Resolving an already-resolved id fails.
    let (s, _) = h
        .send(send_events(
            &h,
            &sid,
            json!([{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"}]),
        ))
        .await;
    assert_eq!(s, 400);
    h.ok(send_events(&h, &sid, json!([{"type": "user.tool_confirmation", "tool_use_id": ids[1], "result": "deny", "deny_message": "not in prod"}]))).await;
    let evs = h.wait_idle(&sid).await;
    let tail: Vec<String> = types(&evs).into_iter().rev().take(7).rev().collect();
    // The allowed call gets its result; the denied one only shows up in the reply.
    assert_eq!(
        tail,
        vec![
            "session.status_running",
            "agent.tool_result",
            "span.model_request_start",
            "agent.thinking",
            "agent.message",
            "span.model_request_end",
            "session.status_idle"
        ]
    );
    let msg = evs.iter().rev().find(|e| e["type"] == "agent.message").unwrap();
    assert!(msg["content"][0]["text"].as_str().unwrap().contains("denied: not in prod"));
    assert_eq!(evs.last().unwrap()["stop_reason"]["type"], "end_turn");
}

#[tokio::test]
async fn custom_tool_round_trip() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "weather? [[custom_tool name=get_weather city=Paris]]").await;
    let evs = h.wait_idle(&sid).await;
    let cu = evs.iter().find(|e| e["type"] == "agent.custom_tool_use").unwrap();
    assert_eq!((cu["name"].as_str(), &cu["input"]), (Some("get_weather"), &json!({"city": "Paris"})));
    assert_eq!(evs.last().unwrap()["stop_reason"]["event_ids"], json!([cu["id"]]));
    let (s, _) = h
        .send(send_events(
            &h,
            &sid,
            json!([{"type": "user.custom_tool_result", "custom_tool_use_id": "evt_00000000000000000000000000000000"}]),
        ))
        .await;
    assert_eq!(s, 400);
    h.ok(send_events(&h, &sid, json!([{"type": "user.custom_tool_result", "custom_tool_use_id": cu["id"], "content": [{"type": "text", "text": "sunny"}]}]))).await;
    let evs = h.wait_idle(&sid).await;
    let msg = evs.iter().rev().find(|e| e["type"] == "agent.message").unwrap();
    assert!(msg["content"][0]["text"].as_str().unwrap().starts_with("Tool get_weather returned: sunny"));
    assert_eq!(evs.last().unwrap()["stop_reason"]["type"], "end_turn");
}

#[tokio::test]
async fn errors_retry_then_exhaust() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "[[error retries=2]]").await;
    let evs = h.wait_idle(&sid).await;
    let errs: Vec<&str> = evs
        .iter()
        .filter(|e| e["type"] == "session.error")
        .map(|e| e["error"]["retry_status"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(errs, vec!["retrying", "retrying", "exhausted"]);
    assert_eq!(evs.last().unwrap()["stop_reason"], json!({"type": "retries_exhausted"}));
    let end = evs.iter().find(|e| e["type"] == "span.model_request_end").unwrap();
    assert_eq!(end["is_error"], true);
    h.say(&sid, "again [[error retries=1 recover]]").await;
    let evs = h.wait_idle(&sid).await;
    assert_eq!(evs.last().unwrap()["stop_reason"]["type"], "end_turn");
    assert_eq!(evs.iter().rev().find(|e| e["type"] == "agent.message").unwrap()["content"][0]["text"], "Echo: again");
}

#[tokio::test]
async fn termination_rejects_further_sends() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "[[terminate]]").await;
    let evs = h.wait_idle(&sid).await;
    assert_eq!(evs.last().unwrap()["type"], "session.status_terminated");
    assert_eq!(h.ok(h.get(&format!("/sessions/{sid}"))).await["status"], "terminated");
    let (s, e) = h.send(send_events(&h, &sid, json!([{"type": "user.message", "content": "hello?"}]))).await;
    assert_eq!((s, e["error"]["type"].as_str()), (409, Some("conflict_error")));
}

#[tokio::test]
async fn interrupt_stops_a_slow_turn() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "take your time [[slow ms=1000]]").await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(h.ok(h.get(&format!("/sessions/{sid}"))).await["status"], "running");
    h.ok(send_events(&h, &sid, json!([{"type": "user.interrupt"}]))).await;
    let evs = h.wait_idle(&sid).await;
    let t = types(&evs);
    assert!(!t.contains(&"agent.message".to_string()), "{t:?}");
    let i = t.iter().position(|x| x == "user.interrupt").unwrap();
    let after: Vec<&str> = t[i + 1..].iter().map(String::as_str).collect();
    assert_eq!(after.last(), Some(&"session.status_idle"));
    if t.contains(&"span.model_request_start".to_string()) {
        let end = evs.iter().find(|e| e["type"] == "span.model_request_end").unwrap();
        assert_eq!(end["is_error"], true);
    }
    assert_eq!(evs.last().unwrap()["stop_reason"]["type"], "end_turn");
    // The session is reusable.
    h.say(&sid, "next").await;
    let evs = h.wait_idle(&sid).await;
    assert_eq!(evs.iter().rev().find(|e| e["type"] == "agent.message").unwrap()["content"][0]["text"], "Echo: next");
}

#[tokio::test]
async fn cancel_is_202_when_running_and_200_when_idle() {
    let h = start().await;
    let sid = h.session().await;
    let (s, b) = h.send(h.post(&format!("/sessions/{sid}/cancel"), json!({}))).await;
    assert_eq!(s, 200);
    assert_eq!(b, json!({"id": sid, "type": "session", "status": "canceling"}));
    h.say(&sid, "[[slow ms=1000]] long").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (s, b) = h.send(h.post(&format!("/sessions/{sid}/cancel"), json!({}))).await;
    assert_eq!(s, 202);
    assert_eq!(b["status"], "canceling");
    let evs = h.wait_idle(&sid).await;
    assert!(!types(&evs).contains(&"agent.message".to_string()));
    assert_eq!(evs.last().unwrap()["stop_reason"]["type"], "end_turn");
    assert_eq!(h.ok(h.get(&format!("/sessions/{sid}"))).await["turn_status"], "idle");
}

#[tokio::test]
async fn initial_events_start_a_turn() {
    let h = start().await;
    let (a, e) = (h.agent().await, h.environment().await);
    let s = h
        .ok(h.post(
            "/sessions",
            json!({"agent": a, "environment_id": e, "initial_events": [{"type": "user.message", "content": "boot"}]}),
        ))
        .await;
    let sid = s["id"].as_str().unwrap();
    let evs = h.wait_idle(sid).await;
    assert_eq!(evs[0]["type"], "user.message");
    assert_eq!(evs.iter().rev().find(|e| e["type"] == "agent.message").unwrap()["content"][0]["text"], "Echo: boot");
    let (st, _) = h
        .send(h.post(
            "/sessions",
            json!({"agent": a, "environment_id": e, "initial_events": [{"type": "user.interrupt"}]}),
        ))
        .await;
    assert_eq!(st, 400);
}

#[tokio::test]
async fn large_message_and_burst() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "[[bytes 200000]]").await;
    let evs = h.wait_idle(&sid).await;
    let m = evs.iter().find(|e| e["type"] == "agent.message").unwrap();
    assert_eq!(m["content"][0]["text"].as_str().unwrap().len(), 200_000);
    h.say(&sid, "[[burst 250 size=10-300]]").await;
    let evs = h.wait_idle(&sid).await;
    let msgs: Vec<&Value> = evs.iter().filter(|e| e["type"] == "agent.message").collect();
    assert_eq!(msgs.len(), 251);
    assert!(msgs[1..].iter().all(|m| (10..=300).contains(&m["content"][0]["text"].as_str().unwrap().len())));
}

//! Agents, environments, sessions, threads, pagination and idempotency.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn agent_versions_and_occ() {
    let h = start().await;
    let (s, a) = h.send(h.post("/agents", json!({"name": "a", "model": {"id": "ultimate", "effort": "high"}, "instructions": "be nice", "metadata": {"team": "x"}}))).await;
    assert_eq!(s, 201);
    let id = a["id"].as_str().unwrap();
    assert!(id.starts_with("agent_") && id.len() == 6 + 32);
    for k in [
        "description",
        "system",
        "tools",
        "mcp_servers",
        "skills",
        "multiagent",
        "metadata",
        "version",
        "archived",
        "archived_at",
        "created_at",
        "updated_at",
    ] {
        assert!(a.get(k).is_some(), "missing {k}");
    }
    assert_eq!(a["system"], "be nice");
    assert_eq!(a["version"], 1);
    // Update via POST with the right version, then via PUT without version.
    let u = h
        .ok(h.post(&format!("/agents/{id}"), json!({"version": 1, "name": "b", "metadata": {"team": null, "k": "v"}})))
        .await;
    assert_eq!((u["version"].as_i64(), u["name"].as_str()), (Some(2), Some("b")));
    assert_eq!(u["metadata"], json!({"k": "v"}));
    let u =
        h.ok(h.http.put(h.url(&format!("/agents/{id}"))).bearer_auth(TOKEN).json(&json!({"description": "d"}))).await;
    assert_eq!(u["version"], 3);
    // Stale version.
    let (s, e) = h.send(h.post(&format!("/agents/{id}"), json!({"version": 2, "name": "c"}))).await;
    assert_eq!(s, 409);
    assert_eq!(e["error"]["type"], "conflict_error");
    assert_eq!(e["error"]["message"], "Version mismatch: expected 3, got 2");
    assert_eq!(e["error"]["param"], "version");
    // Snapshots.
    let v1 = h.ok(h.get(&format!("/agents/{id}?version=1"))).await;
    assert_eq!((v1["name"].as_str(), v1["version"].as_i64()), (Some("a"), Some(1)));
    let (s, _) = h.send(h.get(&format!("/agents/{id}?version=9"))).await;
    assert_eq!(s, 404);
    let vs = h.ok(h.get(&format!("/agents/{id}/versions?limit=2"))).await;
    let nums: Vec<i64> = vs["data"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(nums, vec![3, 2]);
    assert_eq!(vs["has_more"], true);
    let next = vs["next_page"].as_str().unwrap();
    let vs2 = h.ok(h.get(&format!("/agents/{id}/versions?limit=2&page={next}"))).await;
    assert_eq!(vs2["data"][0]["version"], 1);
    assert_eq!(vs2["has_more"], false);
    // Archive: excluded from list unless include_archived.
    let ar = h.ok(h.post(&format!("/agents/{id}/archive"), json!({}))).await;
    assert!(ar["archived_at"].is_string());
    assert_eq!(h.ok(h.get("/agents")).await["data"].as_array().unwrap().len(), 0);
    assert_eq!(h.ok(h.get("/agents?include_archived=true")).await["data"].as_array().unwrap().len(), 1);
    // Validation of tools.
    let (s, e) = h
        .send(h.post(
            "/agents",
            json!({"name": "t", "model": "auto", "tools": [{"type": "mcp_toolset", "mcp_server_name": "gh"}]}),
        ))
        .await;
    assert_eq!((s, e["error"]["param"].as_str()), (400, Some("tools[0].mcp_server_name")));
}

#[tokio::test]
async fn pagination_envelope_cursors_and_errors() {
    let h = start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let e = h.ok(h.post("/environments", json!({"name": format!("e{i}")}))).await;
        ids.push(e["id"].as_str().unwrap().to_string());
    }
    let p1 = h.ok(h.get("/environments?limit=2")).await;
    let got: Vec<&str> = p1["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(got, vec![ids[4].as_str(), ids[3].as_str()], "newest first");
    assert_eq!(p1["first_id"], ids[4].as_str());
    assert_eq!(p1["last_id"], ids[3].as_str());
    assert_eq!(p1["has_more"], true);
    // Insert while paging: the cursor is stable.
    h.ok(h.post("/environments", json!({"name": "late"}))).await;
    let p2 = h.ok(h.get(&format!("/environments?limit=2&page={}", p1["next_page"].as_str().unwrap()))).await;
    let got: Vec<&str> = p2["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(got, vec![ids[2].as_str(), ids[1].as_str()]);
    let p3 = h.ok(h.get(&format!("/environments?limit=2&after_id={}", ids[1]))).await;
    assert_eq!(p3["data"].as_array().unwrap().len(), 1);
    assert_eq!(p3["has_more"], false);
    assert_eq!(p3["next_page"], Value::Null);
    let back = h.ok(h.get(&format!("/environments?limit=2&before_id={}", ids[1]))).await;
    let got: Vec<&str> = back["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(got, vec![ids[3].as_str(), ids[2].as_str()]);
    let empty = h.ok(h.get(&format!("/environments?after_id={}", ids[0]))).await;
    assert_eq!(empty, json!({"data": [], "has_more": false, "first_id": null, "last_id": null, "next_page": null}));
    for q in ["limit=0", "limit=101", "limit=abc", "page=x&after_id=y", "after_id=x&before_id=y"] {
        let (s, b) = h.send(h.get(&format!("/environments?{q}"))).await;
        assert_eq!(s, 400, "{q}");
        assert!(b["error"]["param"].is_string(), "{q}: {b}");
    }
}

#[tokio::test]
async fn idempotent_replay_conflict_and_expiry() {
    let h = start().await;
    let body = json!({"name": "idem", "model": "ultimate"});
    let send = |key: &str, body: &Value| h.post("/agents", body.clone()).header("Idempotency-Key", key.to_string());
    let r1 = send("k1", &body).send().await.unwrap();
    assert_eq!(r1.status(), 201);
    assert!(r1.headers().get("idempotent-replayed").is_none());
    let b1 = r1.bytes().await.unwrap();
    let r2 = send("k1", &body).send().await.unwrap();
    assert_eq!(r2.status(), 201);
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
    assert_eq!(r2.bytes().await.unwrap(), b1, "byte-for-byte replay");
    assert_eq!(h.ok(h.get("/agents")).await["data"].as_array().unwrap().len(), 1);
    // Same key, different body.
    let (s, e) = h.send(send("k1", &json!({"name": "other", "model": "ultimate"}))).await;
    assert_eq!(s, 409);
    assert_eq!(e["error"]["message"], "Idempotency key reused with a different request body.");
    // Alias header and key order independence.
    let r = h
        .http
        .post(h.url("/agents"))
        .bearer_auth(TOKEN)
        .header("X-Idempotency-Key", "k1")
        .header("content-type", "application/json")
        .body(r#"{"model":"ultimate","name":"idem"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    // Keys are scoped by token.
    let r = h
        .http
        .post(h.url("/agents"))
        .bearer_auth("another")
        .header("Idempotency-Key", "k1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("idempotent-replayed").is_none());
    // 5xx (injected) is not stored: the retry executes.
    let r = send("k5", &body).header("x-emulator-fault", "status=500;count=1").send().await.unwrap();
    assert_eq!(r.status(), 500);
    let r = send("k5", &body).header("x-emulator-fault", "status=500;count=1").send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("idempotent-replayed").is_none());
    // 4xx outcomes are stored and replayed too.
    let bad = json!({"model": "ultimate"});
    assert_eq!(send("k4", &bad).send().await.unwrap().status(), 400);
    let r = send("k4", &bad).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers().contains_key("idempotent-replayed")), (400, true));
    // After 24 h the key is new again.
    h.emu.advance_clock(Duration::from_secs(24 * 3600 + 1));
    let r = send("k1", &body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("idempotent-replayed").is_none());
    assert!(h.emu.stats()["idempotent_replays"].as_u64().unwrap() >= 3);
}

#[tokio::test]
async fn environments_crud_and_delete_conflict() {
    let h = start().await;
    let (s, e) = h
        .send(h.post("/environments", json!({"name": "e", "config": {"type": "cloud", "networking": "unrestricted"}})))
        .await;
    assert_eq!((s, e["error"]["param"].as_str()), (400, Some("config.networking")));
    let e = h.ok(h.post("/environments", json!({"name": "e", "config": {"type": "cloud", "networking": {"type": "allowed_hosts", "allowed_hosts": ["x.com"]}}, "metadata": {"a": "1"}}))).await;
    assert_eq!(e["config"]["networking"]["type"], "limited");
    assert_eq!(e["status"], "ready");
    let eid = e["id"].as_str().unwrap();
    let u = h.ok(h.post(&format!("/environments/{eid}"), json!({"description": "d", "metadata": {"b": "2"}}))).await;
    assert_eq!(u["metadata"], json!({"a": "1", "b": "2"}));
    let agent = h.agent().await;
    let s = h.ok(h.post("/sessions", json!({"agent": agent, "environment_id": eid}))).await;
    let (st, err) = h.send(h.delete(&format!("/environments/{eid}"))).await;
    assert_eq!((st, err["error"]["type"].as_str()), (409, Some("conflict_error")));
    h.ok(h.delete(&format!("/sessions/{}", s["id"].as_str().unwrap()))).await;
    let d = h.ok(h.delete(&format!("/environments/{eid}"))).await;
    assert_eq!(d, json!({"id": eid, "type": "environment_deleted"}));
    assert_eq!(h.send(h.get(&format!("/environments/{eid}"))).await.0, 404);
    // Archived environments cannot host new sessions.
    let e2 = h.environment().await;
    h.ok(h.post(&format!("/environments/{e2}/archive"), json!({}))).await;
    let (st, _) = h.send(h.post("/sessions", json!({"agent": agent, "environment_id": e2}))).await;
    assert_eq!(st, 409);
}

#[tokio::test]
async fn sessions_create_list_update_archive_delete() {
    let h = start().await;
    let agent = h.agent().await;
    let env = h.environment().await;
    let (s, e) = h.send(h.post("/sessions", json!({"agent": {"id": agent}, "environment_id": env}))).await;
    assert_eq!((s, e["error"]["param"].as_str()), (400, Some("agent.type")));
    let (s, e) = h.send(h.post("/sessions", json!({"agent": "agent_nope", "environment_id": env}))).await;
    assert_eq!((s, e["error"]["message"].as_str()), (404, Some("Agent 'agent_nope' was not found.")));
    let s1 = h.ok(h.post("/sessions", json!({"agent": {"type": "agent", "id": agent, "version": 1}, "environment_id": env, "title": "one", "metadata": {"x": "1"}}))).await;
    for k in [
        "agent",
        "agent_id",
        "environment_id",
        "status",
        "turn_status",
        "title",
        "metadata",
        "environment_variables",
        "resources",
        "vault_ids",
        "memory_store_ids",
        "budget",
        "stats",
        "usage",
        "outcome_evaluations",
        "archived_at",
        "created_at",
        "updated_at",
    ] {
        assert!(s1.get(k).is_some(), "missing {k}");
    }
    assert_eq!(s1["status"], "idle");
    assert_eq!(s1["agent"]["version"], 1);
    // Agent updates do not affect the snapshot.
    h.ok(h.post(&format!("/agents/{agent}"), json!({"name": "renamed"}))).await;
    let s2 = h.ok(h.post("/sessions", json!({"agent": {"type": "agent_with_overrides", "id": agent, "system": "override"}, "environment_id": env,
        "resources": [{"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "secret"}]}))).await;
    assert_eq!(s2["agent"]["name"], "renamed");
    assert_eq!(s2["agent"]["system"], "override");
    assert!(s2["resources"][0]["id"].as_str().unwrap().starts_with("sesr_"));
    assert!(s2["resources"][0].get("authorization_token").is_none());
    let sid1 = s1["id"].as_str().unwrap();
    assert_eq!(h.ok(h.get(&format!("/sessions/{sid1}"))).await["agent"]["name"], "test-agent");
    // List: order and filters.
    let l = h.ok(h.get("/sessions")).await;
    assert_eq!(l["data"][0]["id"], s2["id"]);
    let l = h.ok(h.get("/sessions?order=asc&limit=1")).await;
    assert_eq!(l["data"][0]["id"], s1["id"]);
    let l =
        h.ok(h.get(&format!("/sessions?agent_id={agent}&agent_version=1&statuses[]=idle&statuses[]=running"))).await;
    assert_eq!(l["data"].as_array().unwrap().len(), 1);
    let l = h.ok(h.get("/sessions?statuses=running")).await;
    assert_eq!(l["data"].as_array().unwrap().len(), 0);
    assert_eq!(h.send(h.get("/sessions?statuses[]=bogus")).await.0, 400);
    // Update emits session.updated.
    let u =
        h.ok(h.post(&format!("/sessions/{sid1}"), json!({"title": "new", "metadata": {"x": null, "y": "2"}}))).await;
    assert_eq!((u["title"].as_str(), &u["metadata"]), (Some("new"), &json!({"y": "2"})));
    let evs = h.events(sid1).await;
    assert_eq!(types(&evs), vec!["session.updated"]);
    assert_eq!(evs[0]["title"], "new");
    // Archive keeps status; sends are then rejected.
    let a = h.ok(h.post(&format!("/sessions/{sid1}/archive"), json!({}))).await;
    assert_eq!(a["status"], "idle");
    assert!(a["archived_at"].is_string());
    let (st, e) = h
        .send(
            h.post(&format!("/sessions/{sid1}/events"), json!({"events": [{"type": "user.message", "content": "hi"}]})),
        )
        .await;
    assert_eq!((st, e["error"]["type"].as_str()), (409, Some("conflict_error")));
    assert_eq!(h.ok(h.get("/sessions")).await["data"].as_array().unwrap().len(), 1);
    assert_eq!(h.ok(h.get("/sessions?include_archived=true")).await["data"].as_array().unwrap().len(), 2);
    // Delete.
    let d = h.ok(h.delete(&format!("/sessions/{sid1}"))).await;
    assert_eq!(d, json!({"id": sid1, "type": "session_deleted"}));
    let (st, e) = h.send(h.get(&format!("/sessions/{sid1}"))).await;
    assert_eq!(
        (st, e["error"]["message"].as_str().map(str::to_string)),
        (404, Some(format!("Session '{sid1}' was not found.")))
    );
}

#[tokio::test]
async fn threads_mirror_the_session() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "hello").await;
    let evs = h.wait_idle(&sid).await;
    let threads = h.ok(h.get(&format!("/sessions/{sid}/threads"))).await;
    let t = &threads["data"][0];
    let tid = t["id"].as_str().unwrap();
    assert!(tid.starts_with("sthr_"));
    assert_eq!(t["parent_thread_id"], Value::Null);
    assert_eq!(t["type"], "session_thread");
    assert_eq!(h.ok(h.get(&format!("/sessions/{sid}/threads/{tid}"))).await["id"], tid);
    let tev = h.ok(h.get(&format!("/sessions/{sid}/threads/{tid}/events?limit=100"))).await;
    assert_eq!(tev["data"].as_array().unwrap().len(), evs.len());
    assert_eq!(h.send(h.get(&format!("/sessions/{sid}/threads/sthr_nope"))).await.0, 404);
    let a = h.ok(h.post(&format!("/sessions/{sid}/threads/{tid}/archive"), json!({}))).await;
    assert!(a["archived_at"].is_string());
}

#[tokio::test]
async fn event_list_filters_and_order() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "one").await;
    h.wait_idle(&sid).await;
    h.say(&sid, "two").await;
    let all = h.wait_idle(&sid).await;
    let msgs = h.ok(h.get(&format!("/sessions/{sid}/events?types[]=agent.message&types[]=user.message"))).await;
    assert_eq!(
        types(msgs["data"].as_array().unwrap()),
        vec!["user.message", "agent.message", "user.message", "agent.message"]
    );
    let msgs =
        h.ok(h.get(&format!("/sessions/{sid}/events?type=agent.message,session.status_idle&order=desc&limit=1"))).await;
    assert_eq!(msgs["data"][0]["type"], "session.status_idle");
    assert_eq!(msgs["has_more"], true);
    let page =
        h.ok(h.get(&format!("/sessions/{sid}/events?limit=3&after_id={}", all[2]["id"].as_str().unwrap()))).await;
    assert_eq!(page["data"][0]["id"], all[3]["id"]);
    let texts: Vec<&str> = all
        .iter()
        .filter(|e| e["type"] == "agent.message")
        .map(|e| e["content"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["Echo: one", "Echo: two"]);
    for e in &all {
        assert_eq!(e["schema_version"], "1.0");
        assert_eq!(e["session_id"], sid.as_str());
        assert!(e["id"].as_str().unwrap().starts_with("evt_"));
        assert!(e["created_at"].is_string());
    }
}

//! Auth, request ids, error envelope, body limits, query parsing, stats.

mod common;

use common::*;
use qoder_emulator::{EmulatorConfig, Region};
use serde_json::{json, Value};

#[tokio::test]
async fn auth_is_required_on_every_api_route() {
    let h = start().await;
    for (method, path) in [("GET", "/agents"), ("POST", "/sessions"), ("GET", "/models"), ("GET", "/nope")] {
        let resp = h.http.request(method.parse().unwrap(), h.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{method} {path}");
        assert_eq!(resp.headers()["content-type"], "application/json");
        let rid = resp.headers()["x-request-id"].to_str().unwrap().to_string();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["type"], "error");
        assert_eq!(body["error"]["type"], "authentication_error");
        assert_eq!(body["request_id"], rid.as_str());
    }
    // x-api-key alone is not accepted; empty bearer neither.
    let resp = h.http.get(h.url("/agents")).header("x-api-key", "k").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = h.http.get(h.url("/agents")).header("authorization", "Bearer ").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    // Control endpoints need no auth.
    let s = h.control(reqwest::Method::GET, "/stats", None).await;
    assert!(s["requests"].is_object());
}

#[tokio::test]
async fn allow_list_and_forbidden_tokens() {
    let h = start_with(EmulatorConfig {
        allowed_tokens: Some(vec![TOKEN.into(), "blocked".into()]),
        forbidden_tokens: vec!["blocked".into()],
        ..Default::default()
    })
    .await;
    assert_eq!(h.get("/agents").send().await.unwrap().status(), 200);
    let r = h.http.get(h.url("/agents")).bearer_auth("other").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let (s, b) = h.send(h.http.get(h.url("/agents")).bearer_auth("blocked")).await;
    assert_eq!((s, b["error"]["type"].as_str()), (403, Some("permission_error")));
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let h = start().await;
    let r = h.get("/agents").header("x-request-id", "req-123").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "req-123");
    let r = h.get("/agents/agent_missing").header("x-request-id", "req-456").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-request-id"], "req-456");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["request_id"], "req-456");
    assert_eq!(body["error"]["type"], "not_found_error");
    assert_eq!(body["error"]["message"], "Agent 'agent_missing' was not found.");
    let r = h.get("/agents").send().await.unwrap();
    let generated = r.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "uuid: {generated}");
    // Control routes get one too.
    let r = h.http.get(format!("{}/_emulator/stats", h.emu.root_url())).send().await.unwrap();
    assert!(r.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn unknown_routes_and_methods_use_the_envelope() {
    let h = start().await;
    let (s, b) = h.send(h.get("/does-not-exist")).await;
    assert_eq!(s, 404);
    assert_eq!(b["error"]["type"], "not_found_error");
    let (s, b) = h.send(h.http.patch(h.url("/agents")).bearer_auth(TOKEN)).await;
    assert_eq!(s, 405);
    assert_eq!(b["type"], "error");
    let r = h.http.get(format!("{}/other", h.emu.root_url())).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn invalid_json_and_validation_errors() {
    let h = start().await;
    let r = h
        .http
        .post(h.url("/agents"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"]["message"], "Request body must be valid JSON.");
    let (s, b) = h.send(h.post("/agents", json!({"model": "ultimate"}))).await;
    assert_eq!((s, b["error"]["param"].as_str()), (400, Some("name")));
    assert_eq!(b["error"]["message"], "Missing required field: name");
    let (s, b) = h.send(h.post("/agents", json!({"name": "x".repeat(257), "model": "ultimate"}))).await;
    assert_eq!((s, b["error"]["param"].as_str()), (400, Some("name")));
    let (s, b) = h.send(h.post("/agents", json!({"name": "a", "model": "ultimate", "metadata": {"k": 1}}))).await;
    assert_eq!((s, b["error"]["param"].as_str()), (400, Some("metadata.k")));
    let many: serde_json::Map<String, Value> = (0..17).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (s, _) = h.send(h.post("/agents", json!({"name": "a", "model": "ultimate", "metadata": many}))).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn body_limit_is_enforced() {
    let h = start_with(EmulatorConfig { max_body_bytes: Some(1024), ..Default::default() }).await;
    let big = json!({"name": "a", "model": "ultimate", "system": "x".repeat(4000)});
    let (s, b) = h.send(h.post("/agents", big)).await;
    assert_eq!(s, 400);
    assert_eq!(b["error"]["type"], "invalid_request_error");
    let cn = start_with(EmulatorConfig { region: Region::Cn, max_body_bytes: Some(100), ..Default::default() }).await;
    let (s, b) =
        cn.send(cn.post("/agents", json!({"name": "a", "model": "ultimate", "system": "y".repeat(200)}))).await;
    assert_eq!(s, 400);
    assert_eq!(b["error"]["message"], "Request body must be valid JSON.");
}

#[tokio::test]
async fn query_values_are_validated() {
    let h = start().await;
    let (s, b) = h.send(h.get("/agents?include_archived=maybe")).await;
    assert_eq!((s, b["error"]["param"].as_str()), (400, Some("include_archived")));
    let (s, b) = h.send(h.get("/agents?created_at[gte]=yesterday")).await;
    assert_eq!((s, b["error"]["param"].as_str()), (400, Some("created_at[gte]")));
    let (s, _) = h.send(h.get("/agents?created_at%5Bgte%5D=2020-01-01T00:00:00Z&include_archived=true")).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn stats_count_routes_objects_and_connections() {
    let h = start().await;
    let sid = h.session().await;
    h.say(&sid, "hi").await;
    h.wait_idle(&sid).await;
    h.ok(h.get(&format!("/sessions/{sid}"))).await;
    let s = h.emu.stats();
    assert_eq!(s["requests"]["POST /agents"], 1);
    assert_eq!(s["requests"]["POST /sessions/{session_id}/events"], 1);
    assert!(s["requests"]["GET /sessions/{session_id}"].as_u64().unwrap() >= 2);
    assert_eq!(s["objects_created"]["agent"], 1);
    assert_eq!(s["objects_created"]["environment"], 1);
    assert_eq!(s["objects_created"]["session"], 1);
    assert_eq!(s["objects_created"]["user.message"], 1);
    assert_eq!(s["objects_created"]["agent.message"], 1);
    assert!(s["connections"]["open"].as_u64().unwrap() >= 1);
    assert!(s["connections"]["total"].as_u64().unwrap() >= 1);
    assert_eq!(s["streams"]["open"], 0);
    let via_http = h.control(reqwest::Method::GET, "/stats", None).await;
    assert_eq!(via_http["requests"]["POST /agents"], 1);
    // Reset clears state and counters.
    h.control(reqwest::Method::POST, "/reset", None).await;
    let (st, _) = h.send(h.get(&format!("/sessions/{sid}"))).await;
    assert_eq!(st, 404);
    assert!(h.emu.stats()["objects_created"].as_object().unwrap().is_empty());
}

#[tokio::test]
async fn models_list_shape() {
    let h = start().await;
    let m = h.ok(h.get("/models")).await;
    assert_eq!(m["has_more"], false);
    let ids: Vec<&str> = m["data"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"ultimate") && ids.contains(&"auto"));
    let u = &m["data"][0];
    for k in
        ["type", "display_name", "is_enabled", "price_factor", "efforts", "available_context_windows", "capabilities"]
    {
        assert!(!u[k].is_null(), "{k}");
    }
    assert_eq!(u["type"], "model");
}

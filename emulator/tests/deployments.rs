//! Deployments (validation, pinning, pause/unpause, manual and scheduled
//! runs creating real sessions, run listings) and dreams.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

async fn deployment(h: &Harness, agent: &str, env: &str, extra: Value) -> Value {
    let mut body = json!({"name": "nightly", "agent": agent, "environment_id": env,
        "initial_events": [{"type": "user.message", "content": "run the report"}]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (s, d) = h.send(h.post("/deployments", body)).await;
    assert_eq!(s, 201, "{d}");
    d
}

#[tokio::test]
async fn deployment_validation() {
    let h = start().await;
    let (agent, env) = (h.agent().await, h.environment().await);
    let base = json!({"name": "d", "agent": agent, "environment_id": env, "initial_events": [{"type": "user.message", "content": "x"}]});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        h.post("/deployments", b)
    };
    for k in ["name", "agent", "environment_id", "initial_events"] {
        assert_error(&h.send(with(k, Value::Null)).await, 400, "invalid_request_error", Some(k));
    }
    assert_error(
        &h.send(with("initial_events", json!([]))).await,
        400,
        "invalid_request_error",
        Some("initial_events"),
    );
    let many: Vec<Value> = (0..51).map(|_| json!({"type": "user.message", "content": "x"})).collect();
    assert_error(
        &h.send(with("initial_events", json!(many))).await,
        400,
        "invalid_request_error",
        Some("initial_events"),
    );
    assert_error(
        &h.send(with("initial_events", json!([{"type": "user.interrupt"}]))).await,
        400,
        "invalid_request_error",
        Some("initial_events[0].type"),
    );
    assert_error(
        &h.send(with("schedule", json!({"type": "cron", "expression": "* * *"}))).await,
        400,
        "invalid_request_error",
        Some("schedule.expression"),
    );
    assert_error(
        &h.send(with("schedule", json!({"type": "cron", "expression": "0 3 * * *", "timezone": "Mars"}))).await,
        400,
        "invalid_request_error",
        Some("schedule.timezone"),
    );
    let vaults: Vec<String> = (0..51).map(|i| format!("vault_{i}")).collect();
    assert_error(&h.send(with("vault_ids", json!(vaults))).await, 400, "invalid_request_error", Some("vault_ids"));
    assert_error(
        &h.send(with("metadata", json!({"cas_config": "nope"}))).await,
        400,
        "invalid_request_error",
        Some("metadata.cas_config"),
    );
    assert_error(
        &h.send(with("metadata", json!({"cas_config": "{\"config\":{\"max_concurrent\":0}}"}))).await,
        400,
        "invalid_request_error",
        Some("metadata.cas_config"),
    );
    assert_error(
        &h.send(with("environment_id", json!("env_nope"))).await,
        404,
        "not_found_error",
        Some("environment_id"),
    );
    assert_error(&h.send(with("agent", json!("agent_nope"))).await, 404, "not_found_error", Some("agent"));
    assert_error(
        &h.send(with("agent", json!({"type": "agent", "id": agent, "version": 7}))).await,
        404,
        "not_found_error",
        None,
    );
    let ok = h.send(with("metadata", json!({"cas_config": "{\"session_strategy\":\"new_session\",\"config\":{\"max_retries\":0,\"timeout_ms\":300000,\"max_concurrent\":1}}"}))).await;
    assert_eq!(ok.0, 201, "{}", ok.1);
}

#[tokio::test]
async fn deployments_pin_pause_and_run() {
    let h = start().await;
    let (agent, env) = (h.agent().await, h.environment().await);
    let d = deployment(
        &h,
        &agent,
        &env,
        json!({"schedule": {"type": "cron", "expression": "0 3 * * 1-5", "timezone": "Europe/Paris"},
        "resources": [{"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "ghp_dep"}],
        "environment_variables": {"MODE": "nightly"}}),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("dep_"));
    assert_eq!((d["type"].as_str(), d["status"].as_str()), (Some("deployment"), Some("active")));
    assert_eq!(d["agent"], json!({"id": agent, "type": "agent", "version": 1}));
    assert_eq!(d["schedule"]["expression"], "0 3 * * 1-5");
    assert!(d["paused_reason"].is_null() && !d.to_string().contains("ghp_dep"));
    // The agent moves on; the deployment stays pinned.
    h.ok(h.post(&format!("/agents/{agent}"), json!({"name": "v2"}))).await;
    let u = h.ok(h.post(&format!("/deployments/{id}"), json!({"description": "weekday report"}))).await;
    assert_eq!((u["description"].as_str(), u["agent"]["version"].as_i64()), (Some("weekday report"), Some(1)));
    assert_eq!(h.ok(h.get(&format!("/deployments/{id}"))).await, u);
    assert_eq!(h.ok(h.get(&format!("/deployments?agent_id={agent}"))).await["data"].as_array().unwrap().len(), 1);

    let p = h.ok(h.post(&format!("/deployments/{id}/pause"), json!({}))).await;
    assert_eq!((p["status"].as_str(), p["paused_reason"]["type"].as_str()), (Some("paused"), Some("manual")));
    assert_eq!(h.ok(h.get("/deployments?status=active")).await["data"].as_array().unwrap().len(), 0);
    assert_eq!(h.ok(h.get("/deployments?status=paused")).await["data"].as_array().unwrap().len(), 1);
    assert_error(&h.send(h.get("/deployments?status=gone")).await, 400, "invalid_request_error", Some("status"));

    // Manual run while paused: a real session from the pinned agent, with the initial events.
    let (s, run) = h.send(h.post(&format!("/deployments/{id}/run"), json!({}))).await;
    assert_eq!(s, 201, "{run}");
    assert!(run["id"].as_str().unwrap().starts_with("drun_"));
    assert_eq!((run["type"].as_str(), run["deployment_id"].as_str()), (Some("deployment_run"), Some(id.as_str())));
    assert_eq!(run["trigger_context"], json!({"type": "manual"}));
    assert!(run["error"].is_null());
    let sid = run["session_id"].as_str().unwrap();
    let sess = h.ok(h.get(&format!("/sessions/{sid}"))).await;
    assert_eq!(
        (sess["deployment_id"].as_str(), sess["agent"]["version"].as_i64(), sess["agent"]["name"].as_str()),
        (Some(id.as_str()), Some(1), Some("test-agent"))
    );
    assert_eq!(sess["environment_variables"], json!({"MODE": "nightly"}));
    assert_eq!(sess["resources"][0]["type"], "github_repository");
    let evs = h.wait_idle(sid).await;
    assert_eq!(evs[0]["type"], "user.message");
    assert!(types(&evs).contains(&"agent.message".to_string()));
    assert_eq!(h.ok(h.get(&format!("/sessions?deployment_id={id}"))).await["data"].as_array().unwrap().len(), 1);

    // Scheduled runs (control endpoint) are refused while paused.
    let trigger = format!("{}/_emulator/deployments/{id}/trigger", h.emu.root_url());
    assert_eq!(h.http.post(&trigger).send().await.unwrap().status(), 409);
    let up = h.ok(h.post(&format!("/deployments/{id}/unpause"), json!({}))).await;
    assert!(up["paused_reason"].is_null() && up["status"] == "active");
    let sched: Value = h.http.post(&trigger).send().await.unwrap().json().await.unwrap();
    assert_eq!(sched["trigger_context"]["type"], "schedule");
    assert!(h.ok(h.get(&format!("/deployments/{id}"))).await["schedule"]["last_run_at"].is_string());

    // A run that cannot create its session is recorded with an error.
    h.ok(h.post(&format!("/environments/{env}/archive"), json!({}))).await;
    let failed = h.ok(h.post(&format!("/deployments/{id}/run"), json!({}))).await;
    assert!(failed["session_id"].is_null());
    assert_eq!(failed["error"]["type"], "conflict_error");

    let runs = h.ok(h.get(&format!("/deployments/{id}/runs"))).await;
    assert_eq!(runs["data"].as_array().unwrap().len(), 3);
    assert_eq!(runs["data"][0]["id"], failed["id"], "newest first");
    let rid = run["id"].as_str().unwrap();
    assert_eq!(h.ok(h.get(&format!("/deployments/{id}/runs/{rid}"))).await, run);
    assert_eq!(h.ok(h.get(&format!("/deployment_runs/{rid}"))).await, run);
    let global = |q: &str| h.get(&format!("/deployment_runs?{q}"));
    assert_eq!(h.ok(global("trigger_type=schedule")).await["data"].as_array().unwrap().len(), 1);
    assert_eq!(h.ok(global("trigger_type=manual")).await["data"].as_array().unwrap().len(), 2);
    assert_eq!(h.ok(global("has_error=true")).await["data"][0]["id"], failed["id"]);
    assert_eq!(h.ok(global("has_error=false")).await["data"].as_array().unwrap().len(), 2);
    assert_eq!(h.ok(global(&format!("deployment_id={id}&limit=1"))).await["has_more"], true);
    assert_error(&h.send(global("trigger_type=cron")).await, 400, "invalid_request_error", Some("trigger_type"));
    assert_error(&h.send(h.get(&format!("/deployments/{id}/runs/drun_nope"))).await, 404, "not_found_error", None);

    // Archive: excluded from lists, cannot run.
    let a = h.ok(h.post(&format!("/deployments/{id}/archive"), json!({}))).await;
    assert!(a["archived_at"].is_string());
    assert_eq!(h.ok(h.get("/deployments")).await["data"].as_array().unwrap().len(), 0);
    assert_eq!(h.ok(h.get("/deployments?include_archived=true")).await["data"].as_array().unwrap().len(), 1);
    assert_error(&h.send(h.post(&format!("/deployments/{id}/run"), json!({}))).await, 409, "conflict_error", None);
    let stats = h.emu.stats();
    assert_eq!(
        (stats["objects_created"]["deployment"].as_u64(), stats["objects_created"]["deployment_run"].as_u64()),
        (Some(1), Some(3))
    );
}

#[tokio::test]
async fn dreams_progress_deterministically() {
    let h = start().await;
    let ms = h.ok(h.post("/memory_stores", json!({"name": "src"}))).await;
    let sid = h.session().await;
    let inputs =
        json!([{"type": "memory_store", "memory_store_id": ms["id"]}, {"type": "sessions", "session_ids": [sid]}]);
    assert_error(
        &h.send(h.post("/dreams", json!({"model": "auto"}))).await,
        400,
        "invalid_request_error",
        Some("inputs"),
    );
    assert_error(
        &h.send(h.post("/dreams", json!({"inputs": inputs}))).await,
        400,
        "invalid_request_error",
        Some("model"),
    );
    assert_error(
        &h.send(h.post(
            "/dreams",
            json!({"inputs": [{"type": "memory_store", "memory_store_id": "memstore_x"}], "model": "auto"}),
        ))
        .await,
        404,
        "not_found_error",
        Some("inputs[0].memory_store_id"),
    );
    assert_error(
        &h.send(
            h.post("/dreams", json!({"inputs": [{"type": "sessions", "session_ids": ["sess_x"]}], "model": "auto"})),
        )
        .await,
        404,
        "not_found_error",
        Some("inputs[0].session_ids[0]"),
    );
    assert_error(
        &h.send(h.post("/dreams", json!({"inputs": [{"type": "files"}], "model": "auto"}))).await,
        400,
        "invalid_request_error",
        Some("inputs[0].type"),
    );

    let (s, d) = h
        .send(h.post(
            "/dreams",
            json!({"inputs": inputs, "model": {"id": "ultimate", "speed": "fast"}, "instructions": "tidy"}),
        ))
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().unwrap();
    assert!(id.starts_with("dream_"));
    assert_eq!(
        (d["status"].as_str(), d["model"].clone(), d["output_behavior"].clone()),
        (Some("pending"), json!({"id": "ultimate", "speed": "fast"}), json!({"type": "create_new"}))
    );
    h.emu.advance_clock(Duration::from_secs(1));
    let done = h.ok(h.get(&format!("/dreams/{id}"))).await;
    assert_eq!(done["status"], "completed");
    assert!(done["ended_at"].is_string() && done["error"].is_null());
    let out = done["outputs"][0]["memory_store_id"].as_str().unwrap();
    assert_ne!(out, ms["id"].as_str().unwrap());
    h.ok(h.get(&format!("/memory_stores/{out}"))).await;
    assert_error(&h.send(h.post(&format!("/dreams/{id}/cancel"), json!({}))).await, 409, "conflict_error", None);

    let held = h
        .ok(h.post(
            "/dreams",
            json!({"inputs": inputs, "model": "auto", "instructions": "[[hold]]",
        "output_behavior": {"type": "update_existing", "memory_store_id": ms["id"]}}),
        ))
        .await;
    let failing = h.ok(h.post("/dreams", json!({"inputs": inputs, "model": "auto", "instructions": "[[fail]]"}))).await;
    h.emu.advance_clock(Duration::from_secs(5));
    let hid = held["id"].as_str().unwrap();
    assert_eq!(h.ok(h.get(&format!("/dreams/{hid}"))).await["status"], "running");
    let f = h.ok(h.get(&format!("/dreams/{}", failing["id"].as_str().unwrap()))).await;
    assert_eq!((f["status"].as_str(), f["error"]["type"].as_str()), (Some("failed"), Some("dream_failed")));
    assert_eq!(h.ok(h.get("/dreams?statuses[]=running")).await["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        h.ok(h.get("/dreams?statuses[]=completed&statuses[]=failed")).await["data"].as_array().unwrap().len(),
        2
    );
    assert_error(&h.send(h.get("/dreams?statuses[]=sleeping")).await, 400, "invalid_request_error", Some("statuses"));
    let c = h.ok(h.post(&format!("/dreams/{hid}/cancel"), json!({}))).await;
    assert_eq!(c["status"], "canceled");
    assert_eq!(h.ok(h.post(&format!("/dreams/{hid}/cancel"), json!({}))).await["status"], "canceled");
    let a = h.ok(h.post(&format!("/dreams/{hid}/archive"), json!({}))).await;
    assert!(a["archived_at"].is_string());
    assert_eq!(h.ok(h.get("/dreams")).await["data"].as_array().unwrap().len(), 2);
    assert_eq!(h.ok(h.get("/dreams?include_archived=true")).await["data"].as_array().unwrap().len(), 3);
    assert_error(&h.send(h.get("/dreams/dream_nope")).await, 404, "not_found_error", None);
    assert_eq!(h.emu.stats()["objects_created"]["dream"], 3);
}

//! REST slice against the in-process emulator: agents, environments, sessions, events, models,
//! pagination, idempotency and optimistic concurrency.

use futures_util::TryStreamExt;
use qoder_cloud::models::*;
use qoder_cloud::{ErrorKind, RequestOptions};
use qoder_tests::TestEnv;
use serde_json::{json, Map, Value};

fn agent_params(name: &str) -> AgentCreateParams {
    AgentCreateParams { system: Some("be brief".into()), ..AgentCreateParams::new(name, "auto") }
}

#[tokio::test]
async fn agents_lifecycle_and_versions() {
    let t = TestEnv::start().await;
    let agents = t.client.agents();
    let a = agents.create(&agent_params("alpha")).await.unwrap();
    assert!(a.id.starts_with("agent_") && a.id.len() == "agent_".len() + 32, "{}", a.id);
    assert_eq!(a.version, 1);
    assert_eq!(a.model.id(), "auto");
    assert_eq!(a.meta.status, 201);
    assert!(a.request_id().is_some());
    assert!(a.idempotency_key().is_some(), "every POST carries an idempotency key");

    let got = agents.retrieve(&a.id).await.unwrap();
    assert_eq!(got.id, a.id);
    assert_eq!(got.name, "alpha");

    let up = agents
        .update(&a.id, &AgentUpdateParams { version: Some(1), name: Some("alpha-2".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(up.version, 2);
    assert_eq!(up.name, "alpha-2");

    // Stale version: conflict, never retried.
    let before = t.requests("POST /agents/{agent_id}");
    let e = agents
        .update(&a.id, &AgentUpdateParams { version: Some(1), name: Some("stale".into()), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.status(), Some(409));
    assert_eq!(e.param(), Some("version"));
    assert!(e.message().contains("Version mismatch"), "{}", e.message());
    assert!(e.request_id().is_some());
    assert_eq!(t.requests("POST /agents/{agent_id}"), before + 1, "409 must not be retried");

    let v1 = agents.retrieve_version(&a.id, 1).await.unwrap();
    assert_eq!(v1.name, "alpha");
    assert_eq!(v1.version, 1);
    let versions = agents.versions(&a.id, None).await.unwrap();
    let nums: Vec<u64> = versions.data.iter().map(|v| v.version).collect();
    assert_eq!(nums, vec![2, 1], "versions newest first");

    let arch = agents.archive(&a.id).await.unwrap();
    assert!(arch.archived_at.is_some());
    let listed = agents.list(&AgentListParams::default()).await.unwrap();
    assert!(listed.data.iter().all(|x| x.id != a.id), "archived agents are hidden by default");
    let listed = agents.list(&AgentListParams { include_archived: Some(true), ..Default::default() }).await.unwrap();
    assert!(listed.data.iter().any(|x| x.id == a.id));

    let e = agents.retrieve("agent_00000000000000000000000000000000").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.error_type(), Some("not_found_error"));
}

#[tokio::test]
async fn unknown_fields_are_kept() {
    let t = TestEnv::start().await;
    let a = t.client.agents().create(&agent_params("keep")).await.unwrap();
    // Fields the typed model does not name (e.g. `default_environment`, `archived`) stay reachable.
    let raw = t.client.call("agents.retrieve", json!({"agent_id": a.id}), Default::default()).await.unwrap();
    for (k, v) in raw.value.as_object().unwrap() {
        let typed = serde_json::to_value(&a.value).unwrap();
        assert_eq!(typed.get(k), Some(v), "field {k} lost in the typed round trip");
    }
}

#[tokio::test]
async fn pagination_walks_pages_with_filters() {
    let t = TestEnv::start().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(t.client.agents().create(&agent_params(&format!("p{i}"))).await.unwrap().id.clone());
    }
    let archived = t.client.agents().create(&agent_params("gone")).await.unwrap();
    t.client.agents().archive(&archived.id).await.unwrap();

    let first = t.client.agents().list(&AgentListParams { limit: Some(3), ..Default::default() }).await.unwrap();
    assert_eq!(first.data.len(), 3);
    assert!(first.has_more);
    assert_eq!(first.first_id.as_deref(), Some(ids[6].as_str()), "newest first");
    assert!(first.next_page.is_some());

    let before = t.requests("GET /agents");
    let all: Vec<Agent> = t
        .client
        .agents()
        .list_all(&AgentListParams { limit: Some(3), ..Default::default() })
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let mut got: Vec<String> = all.iter().map(|a| a.id.clone()).collect();
    got.reverse();
    assert_eq!(got, ids, "every unarchived agent exactly once, in order");
    assert_eq!(t.requests("GET /agents") - before, 3, "3 pages of 3");

    // Server-side limits and cursor rules.
    let e = t.client.call("agents.list", json!({"limit": 0}), Default::default()).await.unwrap_err();
    assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidArgument, Some("limit")));
    let e = t
        .client
        .call(
            "agents.list",
            json!({"page": "x"}),
            RequestOptions { extra_query: vec![("after_id".into(), "y".into())], ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest, "the server rejects two cursors too");
}

#[tokio::test]
async fn environments_and_delete_conflict() {
    let t = TestEnv::start().await;
    let envs = t.client.environments();
    let e = envs.create(&EnvironmentCreateParams::cloud("env-a")).await.unwrap();
    assert!(e.id.starts_with("env_"));
    let md = [("team".to_string(), Some("core".to_string()))].into_iter().collect();
    let up = envs.update(&e.id, &EnvironmentUpdateParams { metadata: Some(md), ..Default::default() }).await.unwrap();
    assert_eq!(up.metadata.get("team"), Some(&"core".to_string()));
    assert_eq!(envs.retrieve(&e.id).await.unwrap().name, "env-a");

    // A bare string for networking is rejected by the server with the param named.
    let bad = t
        .client
        .call(
            "environments.create",
            json!({"name": "x", "config": {"type": "cloud", "networking": "open"}}),
            Default::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::BadRequest);
    assert!(bad.param().unwrap_or_default().contains("networking"), "{:?}", bad.param());

    let a = t.client.agents().create(&agent_params("x")).await.unwrap();
    let s = t.client.sessions().create(&SessionCreateParams::new(a.id.as_str(), e.id.clone())).await.unwrap();
    let conflict = envs.delete(&e.id).await.unwrap_err();
    assert_eq!(conflict.kind(), ErrorKind::Conflict);
    t.client.sessions().delete(&s.id).await.unwrap();
    let gone = envs.delete(&e.id).await.unwrap();
    assert_eq!(gone.object_type, "environment_deleted");
    assert_eq!(envs.retrieve(&e.id).await.unwrap_err().kind(), ErrorKind::NotFound);

    let other = envs.create(&EnvironmentCreateParams::cloud("env-b")).await.unwrap();
    let arch = envs.archive(&other.id).await.unwrap();
    assert!(arch.archived_at.is_some());
}

#[tokio::test]
async fn sessions_lifecycle_filters_and_cancel() {
    let t = TestEnv::start().await;
    let a = t.client.agents().create(&agent_params("s")).await.unwrap();
    let e = t.client.environments().create(&EnvironmentCreateParams::cloud("e")).await.unwrap();
    let sessions = t.client.sessions();
    let mut params = SessionCreateParams::new(a.id.as_str(), e.id.clone());
    params.title = Some("first".into());
    let s1 = sessions.create(&params).await.unwrap();
    assert_eq!(s1.status, "idle");
    assert_eq!(s1.agent.as_ref().unwrap().id, a.id);
    let s2 = sessions.create(&SessionCreateParams::new(a.id.as_str(), e.id.clone())).await.unwrap();

    // The session keeps its agent snapshot after the agent changes.
    t.client
        .agents()
        .update(&a.id, &AgentUpdateParams { version: Some(1), name: Some("renamed".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(sessions.retrieve(&s1.id).await.unwrap().agent.as_ref().unwrap().name.as_deref(), Some("s"));

    let mut changes = Map::new();
    changes.insert("title".into(), json!("renamed"));
    changes.insert("metadata".into(), json!({"k": "v"}));
    let up = sessions.update(&s1.id, &changes).await.unwrap();
    assert_eq!(up.title.as_deref(), Some("renamed"));

    let asc = sessions.list(&SessionListParams { order: Some(SortOrder::Asc), ..Default::default() }).await.unwrap();
    assert_eq!(asc.data.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), vec![s1.id.clone(), s2.id.clone()]);
    let idle = sessions
        .list(&SessionListParams { statuses: Some(vec![SessionStatusFilter::Running]), ..Default::default() })
        .await
        .unwrap();
    assert!(idle.data.is_empty());
    let by_agent = sessions
        .list(&SessionListParams { agent_id: Some(a.id.clone()), limit: Some(1), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(by_agent.data.len(), 1);
    assert!(by_agent.has_more);

    let c = sessions.cancel(&s2.id).await.unwrap();
    assert_eq!(c.meta.status, 200, "cancel on an idle session is a no-op");
    assert_eq!(c.status, "canceling");

    let arch = sessions.archive(&s2.id).await.unwrap();
    assert!(arch.archived_at.is_some());
    assert_eq!(arch.status, "idle", "archive keeps the status");
    let e409 =
        sessions.events().send(&s2.id, vec![json!({"type": "user.message", "content": "hi"})]).await.unwrap_err();
    assert_eq!(e409.kind(), ErrorKind::Conflict);

    let d = sessions.delete(&s1.id).await.unwrap();
    assert_eq!(d.object_type, "session_deleted");
    assert_eq!(sessions.retrieve(&s1.id).await.unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn events_send_and_list_a_full_turn() {
    let t = TestEnv::start().await;
    let sid = t.session().await;
    let turn = t.client.run_turn(&sid, "hello there", Default::default()).await.unwrap();
    assert_eq!(turn.stop_type(), Some("end_turn"));
    assert!(!turn.text().is_empty());
    let types: Vec<String> = t
        .client
        .sessions()
        .events()
        .list_all(&sid, &EventListParams::default())
        .unwrap()
        .map_ok(|e: Value| e["type"].as_str().unwrap_or_default().to_string())
        .try_collect()
        .await
        .unwrap();
    let expected = [
        "user.message",
        "session.status_running",
        "span.model_request_start",
        "agent.thinking",
        "agent.message",
        "span.model_request_end",
        "session.status_idle",
    ];
    assert_eq!(types, expected, "the scripted turn, oldest first");
    let only = t
        .client
        .sessions()
        .events()
        .list(&sid, &EventListParams { types: Some(vec!["agent.message".into()]), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(only.data.len(), 1);
    let s = t.client.sessions().retrieve(&sid).await.unwrap();
    assert_eq!(s.status, "idle");
}

#[tokio::test]
async fn models_list() {
    let t = TestEnv::start().await;
    let m = t.client.models().list().await.unwrap();
    let ids: Vec<&str> = m.data.iter().map(|m| m.id.as_str()).collect();
    assert!(ids.contains(&"ultimate") && ids.contains(&"auto"), "{ids:?}");
    assert!(!m.has_more);
}

#[tokio::test]
async fn idempotent_replay_and_key_reuse_conflict() {
    let t = TestEnv::start().await;
    let opts = RequestOptions { idempotency_key: Some("key-123".into()), ..Default::default() };
    let a1 = t.client.agents().with_options(opts.clone()).create(&agent_params("idem")).await.unwrap();
    let a2 = t.client.agents().with_options(opts.clone()).create(&agent_params("idem")).await.unwrap();
    assert_eq!(a1.id, a2.id, "same key + same body replays the first response");
    assert_eq!(a2.idempotency_key(), Some("key-123"));
    assert_eq!(t.created("agent"), 1);
    let e = t.client.agents().with_options(opts).create(&agent_params("different")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.idempotency_key(), Some("key-123"));
    assert!(e.message().contains("Idempotency key reused"), "{}", e.message());
}

#[tokio::test]
async fn authentication_error_is_typed() {
    let t = TestEnv::with(qoder_emulator::EmulatorConfig {
        allowed_tokens: Some(vec!["pt-good".into()]),
        ..Default::default()
    })
    .await;
    let e = t.client.models().list().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.status(), Some(401));
    assert!(!format!("{e} {e:?}").contains("pt-test-token"), "the token never appears in errors");
    let ok = t.client(|b| b.access_token("pt-good"));
    assert!(ok.models().list().await.is_ok());
}

//! The typed result models (whose schema the Python and TypeScript result types are generated
//! from) against what a server really sends: rich objects decode into their nested shapes (no
//! union falls back to its `Unknown` arm) and re-serialise without losing a field.

use qoder_cloud::models::*;
use qoder_tests::TestEnv;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Whether `typed` holds everything `raw` does (it may add defaulted fields).
fn covers(typed: &Value, raw: &Value, at: &str) {
    match (typed, raw) {
        (Value::Object(t), Value::Object(r)) => {
            for (k, v) in r {
                let got = t.get(k).unwrap_or_else(|| panic!("{at}.{k} lost in the typed round trip"));
                covers(got, v, &format!("{at}.{k}"));
            }
        }
        (Value::Array(t), Value::Array(r)) => {
            assert_eq!(t.len(), r.len(), "{at}: array length changed");
            for (i, (a, b)) in t.iter().zip(r).enumerate() {
                covers(a, b, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(typed, raw, "{at} changed in the typed round trip"),
    }
}

/// Calls `op`, decodes the result as `T` and checks the round trip; returns the typed value.
async fn typed<T: DeserializeOwned + serde::Serialize>(t: &TestEnv, op: &str, args: Value) -> T {
    let raw = t.client.call(op, args, Default::default()).await.unwrap_or_else(|e| panic!("{op}: {e}")).value;
    let v: T = serde_json::from_value(raw.clone()).unwrap_or_else(|e| panic!("{op}: does not decode: {e}"));
    covers(&serde_json::to_value(&v).unwrap(), &raw, op);
    v
}

#[tokio::test]
async fn rich_objects_decode_into_their_shapes_and_lose_nothing() {
    let t = TestEnv::start().await;
    let agent: Agent = typed(
        &t,
        "agents.create",
        json!({
            "name": "rich", "model": {"id": "auto", "speed": "fast", "effort": "high"}, "metadata": {"team": "core"},
            "tools": [
                {"type": "agent_toolset_20260401", "default_config": {"enabled": true, "permission_policy": {"type": "always_ask"}},
                 "configs": [{"name": "web_search", "enabled": true, "allowed_domains": ["example.com"]}]},
                {"type": "mcp_toolset", "mcp_server_name": "docs"},
                {"type": "custom", "name": "lookup", "description": "Looks up", "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}
            ],
            "mcp_servers": [{"type": "url", "name": "docs", "url": "https://mcp.example.com/sse"}],
            "multiagent": {"type": "coordinator", "agents": [{"type": "self"}]}
        }),
    )
    .await;
    assert!(matches!(agent.tools[0], AgentTool::Toolset(_)), "{:?}", agent.tools[0]);
    assert!(matches!(&agent.tools[1], AgentTool::Mcp(m) if m.mcp_server_name == "docs"), "{:?}", agent.tools[1]);
    assert!(matches!(&agent.tools[2], AgentTool::Custom(c) if c.name == "lookup"), "{:?}", agent.tools[2]);
    assert_eq!(agent.mcp_servers[0].url, "https://mcp.example.com/sse");
    let team = agent.multiagent.as_ref().expect("multiagent");
    assert!(matches!(&team.agents[..], [CoordinatedAgent::Ref(r)] if r.kind == "self"), "{team:?}");
    assert_eq!(agent.metadata.get("team").map(String::as_str), Some("core"));
    match &agent.model {
        ModelRef::Config(c) => assert!(matches!(&c.effort, Some(EffortSetting::Level(l)) if l == "high"), "{c:?}"),
        other => panic!("model config expected: {other:?}"),
    }

    let env: Environment = typed(
        &t,
        "environments.create",
        json!({"name": "e", "config": {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["pypi.org"]}, "packages": {"pip": ["requests"]}}}),
    )
    .await;
    match &env.config {
        Some(EnvironmentConfig::Cloud(c)) => {
            assert_eq!(c.networking.as_ref().unwrap().allowed_hosts.as_deref(), Some(&["pypi.org".to_string()][..]));
            assert_eq!(c.packages.as_ref().unwrap().pip.as_deref(), Some(&["requests".to_string()][..]));
        }
        other => panic!("cloud config expected: {other:?}"),
    }

    let session: Session = typed(
        &t,
        "sessions.create",
        json!({
            "agent": agent.id, "environment_id": env.id, "title": "t",
            "budget": {"type": "limit", "max_credit_cost": "12.50"},
            "resources": [{"type": "github_repository", "url": "https://github.com/o/r", "mount_path": "/work/r", "checkout": {"type": "branch", "name": "main"}}]
        }),
    )
    .await;
    let snapshot = session.agent.as_ref().expect("agent snapshot");
    assert_eq!(snapshot.id, agent.id);
    assert!(matches!(
        snapshot.tools.as_deref(),
        Some([AgentTool::Toolset(_), AgentTool::Mcp(_), AgentTool::Custom(_)])
    ));
    assert_eq!(session.budget.as_ref().map(|b| b.max_credit_cost.as_str()), Some("12.50"));
    assert!(
        matches!(&session.resources[0].checkout, Some(Checkout::Branch(b)) if b.name == "main"),
        "{:?}",
        session.resources
    );
    let _: Session = typed(&t, "sessions.retrieve", json!({"session_id": session.id})).await;

    let vault: Vault = typed(&t, "vaults.create", json!({"display_name": "v"})).await;
    let cred: VaultCredential = typed(
        &t,
        "vaults.credentials.create",
        json!({"vault_id": vault.id, "display_name": "c", "auth": {
            "type": "mcp_oauth", "access_token": "at-secret", "mcp_server_url": "https://mcp.example.com/sse",
            "refresh": {"client_id": "cid", "refresh_token": "rt-secret", "token_endpoint": "https://auth.example.com/token",
                        "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "cs-secret"}}}}),
    )
    .await;
    assert_eq!(cred.auth.kind, "mcp_oauth");
    let refresh = cred.auth.refresh.as_ref().expect("refresh config");
    assert_eq!(refresh.token_endpoint_auth.kind, "client_secret_post");
    assert!(!serde_json::to_string(&cred).unwrap().contains("secret\""), "no secret value comes back");

    let store: MemoryStore = typed(&t, "memory_stores.create", json!({"name": "m"})).await;
    let dream: Dream = typed(
        &t,
        "dreams.create",
        json!({"inputs": [{"type": "memory_store", "memory_store_id": store.id}, {"type": "sessions", "session_ids": [session.id]}], "model": "auto"}),
    )
    .await;
    assert!(matches!(&dream.inputs[..], [DreamInput::MemoryStore(_), DreamInput::Sessions(_)]), "{:?}", dream.inputs);
    let deployment: Deployment = typed(
        &t,
        "deployments.create",
        json!({"name": "d", "agent": agent.id, "environment_id": env.id,
               "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": "hi"}]}],
               "schedule": {"type": "cron", "expression": "0 9 * * 1", "timezone": "Europe/Berlin"}}),
    )
    .await;
    assert_eq!(deployment.agent.as_ref().map(|a| a.id.as_str()), Some(agent.id.as_str()));
    assert_eq!(deployment.schedule.as_ref().map(|s| s.expression.as_str()), Some("0 9 * * 1"));
    let _: DeploymentRun = typed(&t, "deployments.run", json!({"deployment_id": deployment.id})).await;
}

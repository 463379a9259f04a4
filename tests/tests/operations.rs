//! Coverage that cannot drift: every operation of `core/operations.json` is called through the
//! core against the emulator, once successfully and once on an error path, and the test fails
//! if any operation of the table was not exercised both ways.

use std::collections::BTreeSet;

use qoder_cloud::stream::StreamOptions;
use qoder_cloud::upload::{SkillFile, UploadSource};
use qoder_cloud::{Client, ErrorKind, RequestOptions};
use qoder_tests::TestEnv;
use serde_json::{json, Value};

const MISSING: &str = "zz_00000000000000000000000000000000";

struct Run<'a> {
    c: &'a Client,
    ok: BTreeSet<String>,
    err: BTreeSet<String>,
}

impl Run<'_> {
    /// Calls `op` with `args`, expecting success; returns the JSON result.
    async fn ok(&mut self, op: &str, args: Value) -> Value {
        let r = self.c.call(op, args.clone(), RequestOptions::default()).await;
        let v = r.unwrap_or_else(|e| panic!("{op} {args} failed: {e:?}")).value;
        self.ok.insert(op.to_string());
        v
    }

    /// Calls `op` expecting an API error of `kind` (from the server, not client validation).
    async fn err(&mut self, op: &str, args: Value, opts: RequestOptions, kind: ErrorKind) {
        let e = self.c.call(op, args.clone(), opts).await.expect_err(op);
        assert_eq!(e.kind(), kind, "{op} {args}: {e:?}");
        assert!(e.status().is_some() && e.request_id().is_some(), "{op}: the error came from the server: {e:?}");
        self.err.insert(op.to_string());
    }

    /// The not-found path: the same call with one id replaced by an unknown one.
    async fn missing(&mut self, op: &str, mut args: Value, key: &str) {
        args[key] = json!(MISSING);
        self.err(op, args, RequestOptions::default(), ErrorKind::NotFound).await;
    }

    /// A server-side 400 on a list: a limit the server refuses, sent past client validation.
    async fn bad_limit(&mut self, op: &str, args: Value) {
        let opts = RequestOptions { extra_query: vec![("limit".into(), "1000".into())], ..Default::default() };
        self.err(op, args, opts, ErrorKind::BadRequest).await;
    }

    /// A server-side 400 on a body: `field` overridden with `bad` after client validation.
    async fn bad_body(&mut self, op: &str, args: Value, field: &str, bad: Value) {
        let mut extra = serde_json::Map::new();
        extra.insert(field.into(), bad);
        let opts = RequestOptions { extra_body: Some(extra), ..Default::default() };
        self.err(op, args, opts, ErrorKind::BadRequest).await;
    }

    /// Records a success checked by the caller (streams, uploads, downloads).
    fn ok_if(&mut self, op: &str, cond: bool) {
        assert!(cond, "{op}: unexpected success result");
        self.ok.insert(op.into());
    }

    /// Records an error path checked by the caller.
    fn err_if(&mut self, op: &str, cond: bool) {
        assert!(cond, "{op}: unexpected error result");
        self.err.insert(op.into());
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

#[test]
fn every_operation_succeeds_and_fails_properly() {
    // In a debug build the poll function of one async fn awaiting all 98 operations gets a stack
    // slot for every temporary of every await: ≈ 2 MiB, a test thread's whole stack. So the
    // body runs on a thread of its own with room to spare.
    let body = std::thread::Builder::new()
        .name("every-operation".into())
        .stack_size(16 << 20)
        .spawn(|| {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(every_operation())
        })
        .unwrap();
    if let Err(panic) = body.join() {
        std::panic::resume_unwind(panic);
    }
}

async fn every_operation() {
    let t = TestEnv::start().await;
    let c = t.client.clone();
    let mut r = Run { c: &c, ok: BTreeSet::new(), err: BTreeSet::new() };

    // Agents.
    let agent = r.ok("agents.create", json!({"name": "cov", "model": "auto"})).await;
    let aid = id(&agent);
    r.bad_body("agents.create", json!({"name": "x", "model": "auto"}), "name", json!("")).await;
    r.ok("agents.retrieve", json!({"agent_id": aid})).await;
    r.missing("agents.retrieve", json!({"agent_id": aid}), "agent_id").await;
    r.ok("agents.update", json!({"agent_id": aid, "version": 1, "description": "d"})).await;
    r.err(
        "agents.update",
        json!({"agent_id": aid, "version": 1, "description": "e"}),
        Default::default(),
        ErrorKind::Conflict,
    )
    .await;
    r.ok("agents.list", json!({})).await;
    r.bad_limit("agents.list", json!({})).await;
    r.ok("agents.versions.list", json!({"agent_id": aid})).await;
    r.missing("agents.versions.list", json!({"agent_id": aid}), "agent_id").await;

    // Environments (cloud and self-hosted).
    let cloud = json!({"type": "cloud", "networking": {"type": "unrestricted"}});
    let env = r.ok("environments.create", json!({"name": "cov", "config": cloud})).await;
    let eid = id(&env);
    r.bad_body("environments.create", json!({"name": "x"}), "config", json!({"type": "cloud", "networking": "open"}))
        .await;
    r.ok("environments.retrieve", json!({"environment_id": eid})).await;
    r.missing("environments.retrieve", json!({"environment_id": eid}), "environment_id").await;
    r.ok("environments.update", json!({"environment_id": eid, "description": "d"})).await;
    r.missing("environments.update", json!({"environment_id": eid, "description": "d"}), "environment_id").await;
    r.ok("environments.list", json!({})).await;
    r.bad_limit("environments.list", json!({})).await;
    let hosted = r.ok("environments.create", json!({"name": "hosted", "config": {"type": "self_hosted"}})).await;
    let hid = id(&hosted);

    // Sessions and events.
    let sess = r.ok("sessions.create", json!({"agent": aid, "environment_id": eid})).await;
    let sid = id(&sess);
    r.err("sessions.create", json!({"agent": aid, "environment_id": MISSING}), Default::default(), ErrorKind::NotFound)
        .await;
    r.ok("sessions.retrieve", json!({"session_id": sid})).await;
    r.missing("sessions.retrieve", json!({"session_id": sid}), "session_id").await;
    r.ok("sessions.update", json!({"session_id": sid, "title": "t"})).await;
    r.missing("sessions.update", json!({"session_id": sid, "title": "t"}), "session_id").await;
    r.ok("sessions.list", json!({"statuses": ["idle"]})).await;
    r.bad_limit("sessions.list", json!({})).await;
    r.ok("sessions.cancel", json!({"session_id": sid})).await;
    r.missing("sessions.cancel", json!({"session_id": sid}), "session_id").await;
    let turn = c.run_turn(&sid, "coverage", Default::default()).await.unwrap();
    r.ok_if("sessions.events.send", turn.stop_type() == Some("end_turn"));
    r.bad_body(
        "sessions.events.send",
        json!({"session_id": sid, "events": [{"type": "user.interrupt"}]}),
        "events",
        json!([{"type": "user.bogus"}]),
    )
    .await;
    r.ok("sessions.events.list", json!({"session_id": sid, "types": ["agent.message"]})).await;
    r.missing("sessions.events.list", json!({"session_id": sid}), "session_id").await;
    let mut stream = c.stream_session(&sid, StreamOptions::default()).unwrap();
    r.ok_if("sessions.events.stream", stream.next().await.unwrap().is_ok());
    let mut bad = c.stream_session(MISSING, StreamOptions::default()).unwrap();
    r.err_if("sessions.events.stream", bad.next().await.unwrap().unwrap_err().kind() == ErrorKind::NotFound);
    drop(stream);

    // Threads.
    let threads = r.ok("sessions.threads.list", json!({"session_id": sid})).await;
    let tid = threads["data"][0]["id"].as_str().unwrap().to_string();
    r.missing("sessions.threads.list", json!({"session_id": sid}), "session_id").await;
    r.ok("sessions.threads.retrieve", json!({"session_id": sid, "thread_id": tid})).await;
    r.missing("sessions.threads.retrieve", json!({"session_id": sid, "thread_id": tid}), "thread_id").await;
    r.ok("sessions.threads.events.list", json!({"session_id": sid, "thread_id": tid})).await;
    r.missing("sessions.threads.events.list", json!({"session_id": sid, "thread_id": tid}), "thread_id").await;
    let mut ts = c.stream_thread(&sid, &tid, StreamOptions::default()).unwrap();
    r.ok_if("sessions.threads.events.stream", ts.next().await.unwrap().is_ok());
    let mut tbad = c.stream_thread(&sid, MISSING, StreamOptions::default()).unwrap();
    r.err_if("sessions.threads.events.stream", tbad.next().await.unwrap().unwrap_err().kind() == ErrorKind::NotFound);
    drop(ts);
    r.ok("sessions.threads.archive", json!({"session_id": sid, "thread_id": tid})).await;
    r.missing("sessions.threads.archive", json!({"session_id": sid, "thread_id": tid}), "thread_id").await;

    // Files.
    let file = c
        .upload_file(
            UploadSource::Bytes { data: "hello".into(), filename: "a.txt".into() },
            json!({}),
            Default::default(),
        )
        .await
        .unwrap();
    let fid = id(&file.value);
    r.ok_if("files.upload", file.meta.status == 201);
    let opts = RequestOptions {
        extra_headers: vec![("x-emulator-fault".into(), "status=400;count=1;id=upl".into())],
        ..Default::default()
    };
    let e = c
        .upload_file(UploadSource::Bytes { data: "x".into(), filename: "b.txt".into() }, json!({}), opts)
        .await
        .unwrap_err();
    r.err_if("files.upload", e.kind() == ErrorKind::BadRequest);
    r.ok("files.retrieve", json!({"file_id": fid})).await;
    r.missing("files.retrieve", json!({"file_id": fid}), "file_id").await;
    r.ok("files.list", json!({"ids": [fid]})).await;
    r.bad_limit("files.list", json!({})).await;
    let bytes = c.download_file(&fid, Default::default()).await.unwrap().bytes().await.unwrap();
    r.ok_if("files.download", &bytes[..] == b"hello");
    r.err_if(
        "files.download",
        c.download_file(MISSING, Default::default()).await.unwrap_err().kind() == ErrorKind::NotFound,
    );

    // Session resources.
    let res = r.ok("sessions.resources.add", json!({"session_id": sid, "type": "file", "file_id": fid})).await;
    let rid = id(&res);
    r.err(
        "sessions.resources.add",
        json!({"session_id": sid, "type": "file", "file_id": fid}),
        Default::default(),
        ErrorKind::Conflict,
    )
    .await;
    r.ok("sessions.resources.list", json!({"session_id": sid})).await;
    r.missing("sessions.resources.list", json!({"session_id": sid}), "session_id").await;
    r.ok("sessions.resources.retrieve", json!({"session_id": sid, "resource_id": rid})).await;
    r.missing("sessions.resources.retrieve", json!({"session_id": sid, "resource_id": rid}), "resource_id").await;
    let repo_sess = r
        .ok(
            "sessions.create",
            json!({"agent": aid, "environment_id": eid, "resources": [{"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "ghp_secret"}]}),
        )
        .await;
    let rsid = id(&repo_sess);
    let listed = r.ok("sessions.resources.list", json!({"session_id": rsid})).await;
    let repo_rid = listed["data"][0]["id"].as_str().unwrap().to_string();
    let upd = r
        .ok(
            "sessions.resources.update",
            json!({"session_id": rsid, "resource_id": repo_rid, "authorization_token": "ghp_new"}),
        )
        .await;
    assert!(!upd.to_string().contains("ghp_"), "repository secrets are never returned");
    r.missing(
        "sessions.resources.update",
        json!({"session_id": rsid, "resource_id": repo_rid, "authorization_token": "x"}),
        "resource_id",
    )
    .await;
    r.ok("sessions.resources.delete", json!({"session_id": sid, "resource_id": rid})).await;
    r.missing("sessions.resources.delete", json!({"session_id": sid, "resource_id": rid}), "resource_id").await;

    // Vaults and credentials.
    let vault = r.ok("vaults.create", json!({"display_name": "v"})).await;
    let vid = id(&vault);
    r.bad_body("vaults.create", json!({"display_name": "v"}), "display_name", json!("")).await;
    r.ok("vaults.retrieve", json!({"vault_id": vid})).await;
    r.missing("vaults.retrieve", json!({"vault_id": vid}), "vault_id").await;
    r.ok("vaults.list", json!({})).await;
    r.bad_limit("vaults.list", json!({})).await;
    let auth = json!({"type": "mcp_oauth", "access_token": "at-secret", "mcp_server_url": "https://mcp.example.com",
                      "refresh": {"client_id": "cid", "refresh_token": "rt-secret", "token_endpoint": "https://auth.example.com/token",
                                  "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "cs-secret"}}});
    let cred = r.ok("vaults.credentials.create", json!({"vault_id": vid, "auth": auth})).await;
    let cid = id(&cred);
    assert!(!cred.to_string().contains("secret\""), "secrets are never returned: {cred}");
    r.bad_body(
        "vaults.credentials.create",
        json!({"vault_id": vid, "auth": {"type": "static_bearer", "token": "t", "mcp_server_url": "https://x"}}),
        "auth",
        json!({"type": "static_bearer"}),
    )
    .await;
    r.ok("vaults.credentials.retrieve", json!({"vault_id": vid, "credential_id": cid})).await;
    r.missing("vaults.credentials.retrieve", json!({"vault_id": vid, "credential_id": cid}), "credential_id").await;
    r.ok(
        "vaults.credentials.update",
        json!({"vault_id": vid, "credential_id": cid, "auth": {"type": "mcp_oauth", "access_token": "at-2"}}),
    )
    .await;
    r.err(
        "vaults.credentials.update",
        json!({"vault_id": vid, "credential_id": cid, "auth": {"type": "static_bearer", "token": "t"}}),
        Default::default(),
        ErrorKind::BadRequest,
    )
    .await;
    r.ok("vaults.credentials.list", json!({"vault_id": vid})).await;
    r.missing("vaults.credentials.list", json!({"vault_id": vid}), "vault_id").await;
    r.ok("vaults.credentials.mcp_oauth_validate", json!({"vault_id": vid, "credential_id": cid})).await;
    r.missing("vaults.credentials.mcp_oauth_validate", json!({"vault_id": vid, "credential_id": cid}), "credential_id")
        .await;
    r.ok("vaults.credentials.archive", json!({"vault_id": vid, "credential_id": cid})).await;
    r.missing("vaults.credentials.archive", json!({"vault_id": vid, "credential_id": cid}), "credential_id").await;
    r.ok("vaults.credentials.delete", json!({"vault_id": vid, "credential_id": cid})).await;
    r.missing("vaults.credentials.delete", json!({"vault_id": vid, "credential_id": cid}), "credential_id").await;
    r.ok("vaults.archive", json!({"vault_id": vid})).await;
    r.missing("vaults.archive", json!({"vault_id": vid}), "vault_id").await;
    r.ok("vaults.delete", json!({"vault_id": vid})).await;
    r.missing("vaults.delete", json!({"vault_id": vid}), "vault_id").await;

    // Skills.
    let skill_md = "---\nname: cov-skill\ndescription: covers things\n---\n# Body\n";
    let files = vec![SkillFile {
        path: "cov/SKILL.md".into(),
        source: UploadSource::Bytes { data: skill_md.into(), filename: "SKILL.md".into() },
    }];
    let skill = c.upload_skill(None, files.clone(), json!({"display_title": "Cov"}), Default::default()).await.unwrap();
    let skid = id(&skill.value);
    r.ok_if("skills.create", skill.meta.status == 201);
    let no_md = vec![SkillFile {
        path: "cov/readme.txt".into(),
        source: UploadSource::Bytes { data: "x".into(), filename: "readme.txt".into() },
    }];
    r.err_if(
        "skills.create",
        c.upload_skill(None, no_md.clone(), json!({}), Default::default()).await.unwrap_err().kind()
            == ErrorKind::BadRequest,
    );
    r.ok("skills.retrieve", json!({"skill_id": skid})).await;
    r.missing("skills.retrieve", json!({"skill_id": skid}), "skill_id").await;
    r.ok("skills.list", json!({})).await;
    r.bad_limit("skills.list", json!({})).await;
    let v2md = "---\nname: cov-skill\ndescription: v2\n---\n";
    let v2 = c
        .upload_skill(
            Some(&skid),
            vec![SkillFile {
                path: "cov/SKILL.md".into(),
                source: UploadSource::Bytes { data: v2md.into(), filename: "SKILL.md".into() },
            }],
            json!({}),
            Default::default(),
        )
        .await
        .unwrap();
    r.ok_if("skills.versions.create", v2.meta.status == 201);
    r.err_if(
        "skills.versions.create",
        c.upload_skill(Some(MISSING), files, json!({}), Default::default()).await.unwrap_err().kind()
            == ErrorKind::NotFound,
    );
    let ver = v2.value["version"].as_str().unwrap().to_string();
    r.ok("skills.versions.list", json!({"skill_id": skid})).await;
    r.missing("skills.versions.list", json!({"skill_id": skid}), "skill_id").await;
    r.ok("skills.versions.retrieve", json!({"skill_id": skid, "version": ver})).await;
    r.missing("skills.versions.retrieve", json!({"skill_id": skid, "version": ver}), "version").await;
    let zip = c.download_skill_version(&skid, &ver, Default::default()).await.unwrap().bytes().await.unwrap();
    r.ok_if("skills.versions.download", zip.starts_with(b"PK"));
    r.err_if(
        "skills.versions.download",
        c.download_skill_version(&skid, "nope", Default::default()).await.unwrap_err().kind() == ErrorKind::NotFound,
    );
    r.ok("skills.versions.delete", json!({"skill_id": skid, "version": ver})).await;
    r.missing("skills.versions.delete", json!({"skill_id": skid, "version": ver}), "version").await;
    r.ok("skills.delete", json!({"skill_id": skid})).await;
    r.missing("skills.delete", json!({"skill_id": skid}), "skill_id").await;

    // Memory stores, memories, versions.
    let store = r.ok("memory_stores.create", json!({"name": "m"})).await;
    let msid = id(&store);
    r.bad_body("memory_stores.create", json!({"name": "m"}), "name", json!("")).await;
    r.ok("memory_stores.retrieve", json!({"memory_store_id": msid})).await;
    r.missing("memory_stores.retrieve", json!({"memory_store_id": msid}), "memory_store_id").await;
    r.ok("memory_stores.update", json!({"memory_store_id": msid, "description": "d"})).await;
    r.missing("memory_stores.update", json!({"memory_store_id": msid, "description": "d"}), "memory_store_id").await;
    r.ok("memory_stores.list", json!({})).await;
    r.bad_limit("memory_stores.list", json!({})).await;
    let mem = r
        .ok("memory_stores.memories.create", json!({"memory_store_id": msid, "path": "/notes/a.md", "content": "one"}))
        .await;
    let mid = id(&mem);
    r.bad_body(
        "memory_stores.memories.create",
        json!({"memory_store_id": msid, "path": "/x", "content": "c"}),
        "path",
        json!("/a/../b"),
    )
    .await;
    r.ok("memory_stores.memories.retrieve", json!({"memory_store_id": msid, "memory_id": mid})).await;
    r.missing("memory_stores.memories.retrieve", json!({"memory_store_id": msid, "memory_id": mid}), "memory_id").await;
    r.ok("memory_stores.memories.list", json!({"memory_store_id": msid, "path_prefix": "/notes"})).await;
    r.missing("memory_stores.memories.list", json!({"memory_store_id": msid}), "memory_store_id").await;
    let sha = mem["content_sha256"].as_str().unwrap().to_string();
    r.ok(
        "memory_stores.memories.update",
        json!({"memory_store_id": msid, "memory_id": mid, "content": "two", "content_sha256": sha}),
    )
    .await;
    r.err(
        "memory_stores.memories.update",
        json!({"memory_store_id": msid, "memory_id": mid, "content": "three", "content_sha256": sha}),
        Default::default(),
        ErrorKind::Conflict,
    )
    .await;
    let versions = r.ok("memory_stores.memory_versions.list", json!({"memory_store_id": msid, "memory_id": mid})).await;
    let mvid = versions["data"][0]["id"].as_str().unwrap().to_string();
    r.missing("memory_stores.memory_versions.list", json!({"memory_store_id": msid}), "memory_store_id").await;
    r.ok("memory_stores.memory_versions.retrieve", json!({"memory_store_id": msid, "memory_version_id": mvid})).await;
    r.missing(
        "memory_stores.memory_versions.retrieve",
        json!({"memory_store_id": msid, "memory_version_id": mvid}),
        "memory_version_id",
    )
    .await;
    let red =
        r.ok("memory_stores.memory_versions.redact", json!({"memory_store_id": msid, "memory_version_id": mvid})).await;
    assert!(red["content"].is_null() && red["redacted_at"].is_string());
    r.missing(
        "memory_stores.memory_versions.redact",
        json!({"memory_store_id": msid, "memory_version_id": mvid}),
        "memory_version_id",
    )
    .await;
    r.err(
        "memory_stores.memories.delete",
        json!({"memory_store_id": msid, "memory_id": mid, "expected_content_sha256": sha}),
        Default::default(),
        ErrorKind::Conflict,
    )
    .await;
    r.ok("memory_stores.memories.delete", json!({"memory_store_id": msid, "memory_id": mid})).await;

    // Dreams (need a memory store).
    let dream = r
        .ok("dreams.create", json!({"inputs": [{"type": "memory_store", "memory_store_id": msid}], "model": "auto"}))
        .await;
    let did = id(&dream);
    r.err(
        "dreams.create",
        json!({"inputs": [{"type": "memory_store", "memory_store_id": MISSING}], "model": "auto"}),
        Default::default(),
        ErrorKind::NotFound,
    )
    .await;
    r.ok("dreams.retrieve", json!({"dream_id": did})).await;
    r.missing("dreams.retrieve", json!({"dream_id": did}), "dream_id").await;
    r.ok("dreams.list", json!({})).await;
    r.bad_limit("dreams.list", json!({})).await;
    r.ok("dreams.cancel", json!({"dream_id": did})).await;
    r.missing("dreams.cancel", json!({"dream_id": did}), "dream_id").await;
    r.ok("dreams.archive", json!({"dream_id": did})).await;
    r.missing("dreams.archive", json!({"dream_id": did}), "dream_id").await;
    r.ok("memory_stores.archive", json!({"memory_store_id": msid})).await;
    r.missing("memory_stores.archive", json!({"memory_store_id": msid}), "memory_store_id").await;
    r.ok("memory_stores.delete", json!({"memory_store_id": msid})).await;
    r.missing("memory_stores.delete", json!({"memory_store_id": msid}), "memory_store_id").await;

    // Deployments and runs.
    let initial = json!([{"type": "user.message", "content": [{"type": "text", "text": "scheduled hello"}]}]);
    let dep = r
        .ok("deployments.create", json!({"name": "d", "agent": aid, "environment_id": eid, "initial_events": initial}))
        .await;
    let depid = id(&dep);
    r.bad_body(
        "deployments.create",
        json!({"name": "d", "agent": aid, "environment_id": eid, "initial_events": initial}),
        "initial_events",
        json!([]),
    )
    .await;
    r.ok("deployments.retrieve", json!({"deployment_id": depid})).await;
    r.missing("deployments.retrieve", json!({"deployment_id": depid}), "deployment_id").await;
    r.ok("deployments.update", json!({"deployment_id": depid, "description": "d"})).await;
    r.missing("deployments.update", json!({"deployment_id": depid, "description": "d"}), "deployment_id").await;
    r.ok("deployments.list", json!({"status": "active"})).await;
    r.bad_limit("deployments.list", json!({})).await;
    let paused = r.ok("deployments.pause", json!({"deployment_id": depid})).await;
    assert_eq!(paused["status"], "paused");
    r.missing("deployments.pause", json!({"deployment_id": depid}), "deployment_id").await;
    let run = r.ok("deployments.run", json!({"deployment_id": depid})).await;
    let runid = id(&run);
    assert!(run["session_id"].is_string(), "a manual run creates a session: {run}");
    r.missing("deployments.run", json!({"deployment_id": depid}), "deployment_id").await;
    r.ok("deployments.unpause", json!({"deployment_id": depid})).await;
    r.missing("deployments.unpause", json!({"deployment_id": depid}), "deployment_id").await;
    r.ok("deployments.runs.list", json!({"deployment_id": depid})).await;
    r.missing("deployments.runs.list", json!({"deployment_id": depid}), "deployment_id").await;
    r.ok("deployments.runs.retrieve", json!({"deployment_id": depid, "run_id": runid})).await;
    r.missing("deployments.runs.retrieve", json!({"deployment_id": depid, "run_id": runid}), "run_id").await;
    r.ok("deployment_runs.list", json!({"deployment_id": depid, "trigger_type": "manual"})).await;
    r.bad_limit("deployment_runs.list", json!({})).await;
    r.ok("deployment_runs.retrieve", json!({"deployment_run_id": runid})).await;
    r.missing("deployment_runs.retrieve", json!({"deployment_run_id": runid}), "deployment_run_id").await;
    r.ok("deployments.archive", json!({"deployment_id": depid})).await;
    r.missing("deployments.archive", json!({"deployment_id": depid}), "deployment_id").await;

    // Self-hosted work: a message on a self-hosted session queues work for a worker.
    let hs = r.ok("sessions.create", json!({"agent": aid, "environment_id": hid})).await;
    let hsid = id(&hs);
    c.sessions()
        .events()
        .send(&hsid, vec![json!({"type": "user.message", "content": [{"type": "text", "text": "work"}]})])
        .await
        .unwrap();
    let work =
        r.ok("environments.work.poll", json!({"environment_id": hid, "worker_id": "w1", "block_ms": 1000})).await;
    let wid = id(&work);
    r.missing("environments.work.poll", json!({"environment_id": hid}), "environment_id").await;
    r.ok("environments.work.list", json!({"environment_id": hid})).await;
    r.missing("environments.work.list", json!({"environment_id": hid}), "environment_id").await;
    r.ok("environments.work.retrieve", json!({"environment_id": hid, "work_id": wid})).await;
    r.missing("environments.work.retrieve", json!({"environment_id": hid, "work_id": wid}), "work_id").await;
    r.ok("environments.work.update", json!({"environment_id": hid, "work_id": wid, "metadata": {"k": "v"}})).await;
    r.missing("environments.work.update", json!({"environment_id": hid, "work_id": wid, "metadata": {}}), "work_id")
        .await;
    r.ok("environments.work.ack", json!({"environment_id": hid, "work_id": wid})).await;
    r.missing("environments.work.ack", json!({"environment_id": hid, "work_id": wid}), "work_id").await;
    let hb = r
        .ok("environments.work.heartbeat", json!({"environment_id": hid, "work_id": wid, "desired_ttl_seconds": 30}))
        .await;
    assert_eq!(hb["type"], "work_heartbeat");
    r.err(
        "environments.work.heartbeat",
        json!({"environment_id": hid, "work_id": wid, "expected_last_heartbeat": "1999-01-01T00:00:00Z"}),
        Default::default(),
        ErrorKind::Conflict,
    )
    .await;
    r.ok("environments.work.stats", json!({"environment_id": hid})).await;
    r.missing("environments.work.stats", json!({"environment_id": hid}), "environment_id").await;
    r.ok("environments.work.stop", json!({"environment_id": hid, "work_id": wid, "force": true})).await;
    r.missing("environments.work.stop", json!({"environment_id": hid, "work_id": wid}), "work_id").await;

    // Models (error path: a token the server refuses).
    r.ok("models.list", json!({})).await;
    let strict = TestEnv::with(qoder_emulator::EmulatorConfig {
        allowed_tokens: Some(vec!["pt-only".into()]),
        ..Default::default()
    })
    .await;
    let e = strict.client.call("models.list", json!({}), Default::default()).await.unwrap_err();
    r.err_if("models.list", e.kind() == ErrorKind::Authentication);

    // Archive and delete last, when nothing else needs the objects.
    r.ok("sessions.archive", json!({"session_id": sid})).await;
    r.missing("sessions.archive", json!({"session_id": sid}), "session_id").await;
    r.ok("sessions.delete", json!({"session_id": sid})).await;
    r.missing("sessions.delete", json!({"session_id": sid}), "session_id").await;
    r.ok("agents.archive", json!({"agent_id": aid})).await;
    r.missing("agents.archive", json!({"agent_id": aid}), "agent_id").await;
    r.ok("files.delete", json!({"file_id": fid})).await;
    r.missing("files.delete", json!({"file_id": fid}), "file_id").await;
    r.err("environments.delete", json!({"environment_id": eid}), Default::default(), ErrorKind::Conflict).await;
    let env2 = r.ok("environments.create", json!({"name": "spare", "config": cloud})).await;
    r.ok("environments.archive", json!({"environment_id": id(&env2)})).await;
    r.missing("environments.archive", json!({"environment_id": eid}), "environment_id").await;
    r.ok("environments.delete", json!({"environment_id": id(&env2)})).await;

    // The verdict: every operation of the table, both ways.
    let table: BTreeSet<String> = qoder_cloud::operations::operations().iter().map(|o| o.name.clone()).collect();
    let no_ok: Vec<_> = table.difference(&r.ok).collect();
    let no_err: Vec<_> = table.difference(&r.err).collect();
    assert!(no_ok.is_empty(), "operations never exercised successfully: {no_ok:?}");
    assert!(no_err.is_empty(), "operations without an error-path test: {no_err:?}");
    assert_eq!(table.len(), 98);
}

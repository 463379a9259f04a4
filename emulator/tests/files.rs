//! Files: multipart upload, metadata, list filters, link-based download via
//! the unauthenticated storage route, deletion tombstones; session resources.

mod common;

use common::*;
use qoder_emulator::EmulatorConfig;
use reqwest::multipart::Form;
use serde_json::{json, Value};

async fn upload(h: &Harness, name: &str, data: &[u8], extra: &[(&str, &str)]) -> Value {
    let mut form = Form::new().part("file", file_part(name, data.to_vec(), None));
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    let (s, f) = h.send(h.upload("/files", form)).await;
    assert_eq!(s, 201, "{f}");
    f
}

#[tokio::test]
async fn upload_retrieve_list_download_delete() {
    let h = start().await;
    let f =
        upload(&h, "hello.txt", b"hello world", &[("metadata", r#"{"team":"x"}"#), ("expires_in_seconds", "60")]).await;
    let id = f["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("file_") && id.len() == 5 + 32);
    assert_eq!(f["type"], "file");
    assert_eq!(f["filename"], "hello.txt");
    assert_eq!(f["size_bytes"], 11);
    assert_eq!(f["mime_type"], "text/plain");
    assert_eq!(f["status"], "ready");
    assert_eq!(f["downloadable"], true);
    assert_eq!(f["metadata"], json!({"team": "x"}));
    assert!(f["expires_at"].is_string() && f["scope"].is_null());
    // `name` overrides the part's filename; an explicit part type wins over guessing.
    let g = upload(&h, "raw.bin", b"# T", &[("name", "notes.md")]).await;
    assert_eq!((g["filename"].as_str(), g["mime_type"].as_str()), (Some("notes.md"), Some("text/markdown")));
    let form = Form::new().part("file", file_part("data", b"{}".to_vec(), Some("application/json")));
    let j = h.ok(h.upload("/files", form)).await;
    assert_eq!(j["mime_type"], "application/json");

    assert_eq!(h.ok(h.get(&format!("/files/{id}"))).await, f);
    let all = h.ok(h.get("/files")).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 3);
    assert_eq!(all["data"][0]["id"], j["id"], "newest first");
    let by_name = h.ok(h.get("/files?name=notes.md")).await;
    assert_eq!(by_name["data"].as_array().unwrap().len(), 1);
    let by_ids = h.ok(h.get(&format!("/files?ids[]={id}&ids[]={}", j["id"].as_str().unwrap()))).await;
    assert_eq!(by_ids["data"].as_array().unwrap().len(), 2);
    let page = h.ok(h.get("/files?limit=2")).await;
    assert_eq!((page["has_more"].as_bool(), page["data"].as_array().unwrap().len()), (Some(true), 2));

    // Download: a link, then the bytes without any credentials.
    let link = h.ok(h.get(&format!("/files/{id}/content"))).await;
    let url = link["url"].as_str().unwrap();
    assert!(url.contains("/_storage/files/") && !url.contains("/api/v1/cloud"), "{url}");
    assert!(link["expires_at"].is_string());
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(&r.bytes().await.unwrap()[..], b"hello world");
    let stats = h.emu.stats();
    assert_eq!((stats["storage_requests"].as_u64(), stats["storage_requests_with_auth"].as_u64()), (Some(1), Some(0)));
    let r = h.http.get(url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(h.emu.stats()["storage_requests_with_auth"], 1);
    let tampered = url.replace("sig=", "sig=0");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403);

    // Delete: tombstone; retrieve 404; content 410 (also through an old link).
    assert_eq!(h.ok(h.delete(&format!("/files/{id}"))).await, json!({"id": id, "type": "file_deleted"}));
    assert_error(&h.send(h.get(&format!("/files/{id}"))).await, 404, "not_found_error", None);
    assert_error(&h.send(h.get(&format!("/files/{id}/content"))).await, 410, "not_found_error", None);
    assert_eq!(reqwest::get(url).await.unwrap().status(), 410);
    assert_error(&h.send(h.delete(&format!("/files/{id}"))).await, 404, "not_found_error", None);
    assert_eq!(h.ok(h.get("/files")).await["data"].as_array().unwrap().len(), 2);
    assert_error(&h.send(h.get("/files/file_nope/content")).await, 404, "not_found_error", None);
    assert_eq!(h.emu.stats()["objects_created"]["file"], 3);
}

#[tokio::test]
async fn not_downloadable_not_ready_and_validation() {
    let h = start().await;
    let a = upload(&h, "a.txt", b"a", &[("purpose", "session_resource")]).await;
    assert_eq!(a["downloadable"], false);
    assert_error(
        &h.send(h.get(&format!("/files/{}/content", a["id"].as_str().unwrap()))).await,
        403,
        "permission_error",
        None,
    );
    let b = upload(&h, "b.txt", b"b", &[("metadata", r#"{"emulator.downloadable":"false"}"#)]).await;
    assert_error(
        &h.send(h.get(&format!("/files/{}/content", b["id"].as_str().unwrap()))).await,
        403,
        "permission_error",
        None,
    );
    let c = upload(&h, "c.txt", b"c", &[("metadata", r#"{"emulator.status":"processing"}"#)]).await;
    assert_eq!(c["status"], "processing");
    assert_error(
        &h.send(h.get(&format!("/files/{}/content", c["id"].as_str().unwrap()))).await,
        409,
        "conflict_error",
        None,
    );

    let no_file = Form::new().text("name", "x");
    assert_error(&h.send(h.upload("/files", no_file)).await, 400, "invalid_request_error", Some("file"));
    let bad_meta = Form::new().part("file", file_part("x", b"x".to_vec(), None)).text("metadata", "{nope");
    assert_error(&h.send(h.upload("/files", bad_meta)).await, 400, "invalid_request_error", Some("metadata"));
    let bad_exp = Form::new().part("file", file_part("x", b"x".to_vec(), None)).text("expires_in_seconds", "0");
    assert_error(&h.send(h.upload("/files", bad_exp)).await, 400, "invalid_request_error", Some("expires_in_seconds"));
    let bad_purpose = Form::new().part("file", file_part("x", b"x".to_vec(), None)).text("purpose", "nope");
    assert_error(&h.send(h.upload("/files", bad_purpose)).await, 400, "invalid_request_error", Some("purpose"));
    let (s, _) = h.send(h.post("/files", json!({"file": "x"}))).await;
    assert_eq!(s, 400, "JSON is not multipart");
}

#[tokio::test]
async fn idempotent_upload_survives_a_new_boundary() {
    let h = start().await;
    let form = || Form::new().part("file", file_part("same.txt", b"same".to_vec(), None));
    let first = h.upload("/files", form()).header("Idempotency-Key", "up-1").send().await.unwrap();
    let a: Value = first.json().await.unwrap();
    let again = h.upload("/files", form()).header("Idempotency-Key", "up-1").send().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let b: Value = again.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(h.ok(h.get("/files")).await["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn size_limits() {
    let h = start_with(EmulatorConfig { max_body_bytes: Some(60 * 1024 * 1024), ..Default::default() }).await;
    let big = vec![b'x'; 50 * 1024 * 1024 + 1];
    let form = Form::new().part("file", file_part("big.bin", big, None));
    let got = h.send(h.upload("/files", form)).await;
    assert_error(&got, 400, "invalid_request_error", Some("file"));
    assert!(got.1["error"]["message"].as_str().unwrap().contains("50 MB"));
    let small = start_with(EmulatorConfig { max_body_bytes: Some(1024), ..Default::default() }).await;
    let form = Form::new().part("file", file_part("two_k.bin", vec![b'y'; 2048], None));
    let got = small.send(small.upload("/files", form)).await;
    assert_error(&got, 400, "invalid_request_error", None);
    assert!(got.1["error"]["message"].as_str().unwrap().contains("too large"));
}

#[tokio::test]
async fn session_resources_mount_files() {
    let h = start().await;
    let (agent, env) = (h.agent().await, h.environment().await);
    let f1 = upload(&h, "one.txt", b"1", &[]).await;
    let f1_id = f1["id"].as_str().unwrap();
    let store = h.ok(h.post("/memory_stores", json!({"name": "Team Notes"}))).await;
    let s = h
        .ok(h.post("/sessions", json!({"agent": agent, "environment_id": env, "resources": [
            {"type": "file", "file_id": f1_id},
            {"type": "github_repository", "url": "https://github.com/o/repo.git", "authorization_token": "ghp_secret"},
            {"type": "memory_store", "memory_store_id": store["id"]},
        ]})))
        .await;
    let sid = s["id"].as_str().unwrap();
    assert_eq!(s["memory_store_ids"], json!([store["id"]]));
    assert_eq!(s["resources"][0]["mount_path"], format!("/mnt/session/uploads/{f1_id}"));
    assert_eq!(s["resources"][1]["mount_path"], "/workspace/repo");
    assert_eq!(s["resources"][2]["name"], "Team Notes");
    assert!(!s.to_string().contains("ghp_secret"));
    let listed = h.ok(h.get(&format!("/sessions/{sid}/resources"))).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 3);

    let f2 = upload(&h, "two.txt", b"2", &[]).await;
    let f2_id = f2["id"].as_str().unwrap();
    let (st, r) = h
        .send(h.post(
            &format!("/sessions/{sid}/resources"),
            json!({"type": "file", "file_id": f2_id, "mount_path": "/data/two.txt"}),
        ))
        .await;
    assert_eq!(st, 200, "{r}");
    let rid = r["id"].as_str().unwrap();
    assert!(rid.starts_with("sesr_") && rid.len() == 5 + 24);
    assert_eq!(
        (r["type"].as_str(), r["file_id"].as_str(), r["mount_path"].as_str()),
        (Some("file"), Some(f2_id), Some("/data/two.txt"))
    );
    let listed = h.ok(h.get(&format!("/sessions/{sid}/resources?limit=2"))).await;
    assert_eq!(listed["data"][0]["id"], rid, "newest first");
    assert_eq!(listed["has_more"], true);
    assert_eq!(h.ok(h.get(&format!("/sessions/{sid}/resources/{rid}"))).await, r);
    assert_eq!(h.emu.stats()["objects_created"]["session_resource"], 1);

    // Errors.
    let add = |body: Value| h.post(&format!("/sessions/{sid}/resources"), body);
    assert_error(&h.send(add(json!({"type": "file", "file_id": f2_id}))).await, 409, "conflict_error", None);
    assert_error(
        &h.send(add(json!({"type": "file", "file_id": "file_nope"}))).await,
        404,
        "not_found_error",
        Some("file_id"),
    );
    assert_error(
        &h.send(add(json!({"type": "github_repository", "url": "https://x/y"}))).await,
        400,
        "invalid_request_error",
        Some("type"),
    );
    assert_error(&h.send(add(json!({"type": "file"}))).await, 400, "invalid_request_error", Some("file_id"));
    let f3 = upload(&h, "three.txt", b"3", &[]).await;
    assert_error(
        &h.send(add(json!({"type": "file", "file_id": f3["id"], "mount_path": "relative"}))).await,
        400,
        "invalid_request_error",
        Some("mount_path"),
    );
    let busy = upload(&h, "p.txt", b"p", &[("metadata", r#"{"emulator.status":"processing"}"#)]).await;
    assert_error(&h.send(add(json!({"type": "file", "file_id": busy["id"]}))).await, 409, "conflict_error", None);
    assert_error(
        &h.send(h.post("/sessions/sess_nope/resources", json!({"type": "file", "file_id": f2_id}))).await,
        404,
        "not_found_error",
        None,
    );
    let (st, _) = h
        .send(h.post(
            "/sessions",
            json!({"agent": agent, "environment_id": env, "resources": [{"type": "file", "file_id": "file_nope"}]}),
        ))
        .await;
    assert_eq!(st, 404);

    // Rotate the repository secret; never returned. Files cannot be updated.
    let repo_id = s["resources"][1]["id"].as_str().unwrap();
    let u =
        h.ok(h.post(&format!("/sessions/{sid}/resources/{repo_id}"), json!({"authorization_token": "ghp_new"}))).await;
    assert!(u.get("authorization_token").is_none() && !u.to_string().contains("ghp_new"));
    assert_error(
        &h.send(h.post(&format!("/sessions/{sid}/resources/{repo_id}"), json!({"password": "x"}))).await,
        400,
        "invalid_request_error",
        Some("password"),
    );
    assert_error(
        &h.send(h.post(&format!("/sessions/{sid}/resources/{rid}"), json!({"password": "x"}))).await,
        400,
        "invalid_request_error",
        None,
    );

    // Delete; memory store detaches.
    let ms_rid = s["resources"][2]["id"].as_str().unwrap();
    assert_eq!(
        h.ok(h.delete(&format!("/sessions/{sid}/resources/{ms_rid}"))).await,
        json!({"id": ms_rid, "type": "session_resource_deleted"})
    );
    assert_eq!(h.ok(h.get(&format!("/sessions/{sid}"))).await["memory_store_ids"], json!([]));
    assert_error(&h.send(h.get(&format!("/sessions/{sid}/resources/{ms_rid}"))).await, 404, "not_found_error", None);

    // Archived sessions refuse new resources.
    h.ok(h.post(&format!("/sessions/{sid}/archive"), json!({}))).await;
    assert_error(&h.send(add(json!({"type": "file", "file_id": f3["id"]}))).await, 409, "conflict_error", None);
}

//! Memory stores, memories (paths, views, depth, sha256 preconditions) and
//! memory versions (history, filters, redaction).

mod common;

use common::*;
use serde_json::{json, Value};

fn sha(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

fn paths(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{}:{}", m["type"].as_str().unwrap(), m["path"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn stores_crud_and_archive() {
    let h = start().await;
    assert_error(&h.send(h.post("/memory_stores", json!({}))).await, 400, "invalid_request_error", Some("name"));
    assert_error(
        &h.send(h.post("/memory_stores", json!({"name": "x", "description": "d".repeat(1025)}))).await,
        400,
        "invalid_request_error",
        Some("description"),
    );
    let (s, ms) = h.send(h.post("/memory_stores", json!({"name": "notes", "metadata": {"k": "v"}}))).await;
    assert_eq!(s, 201);
    let id = ms["id"].as_str().unwrap();
    assert!(id.starts_with("memstore_"));
    assert_eq!(
        (ms["entry_count"].as_i64(), ms["total_size"].as_i64(), ms["status"].as_str(), ms["description"].as_str()),
        (Some(0), Some(0), Some("active"), Some(""))
    );
    let u = h
        .ok(h.post(
            &format!("/memory_stores/{id}"),
            json!({"description": "team notes", "metadata": {"k": null, "n": "1"}}),
        ))
        .await;
    assert_eq!((u["description"].as_str(), u["metadata"].clone()), (Some("team notes"), json!({"n": "1"})));
    h.ok(h.post("/memory_stores", json!({"name": "other"}))).await;
    assert_eq!(h.ok(h.get("/memory_stores?name=notes")).await["data"].as_array().unwrap().len(), 1);
    let a = h.ok(h.post(&format!("/memory_stores/{id}/archive"), json!({}))).await;
    assert!(a["archived_at"].is_string());
    assert_eq!(h.ok(h.get("/memory_stores")).await["data"].as_array().unwrap().len(), 1);
    assert_eq!(h.ok(h.get("/memory_stores?include_archived=true")).await["data"].as_array().unwrap().len(), 2);
    let write =
        h.send(h.post(&format!("/memory_stores/{id}/memories"), json!({"path": "/a.md", "content": "x"}))).await;
    assert_error(&write, 409, "conflict_error", None);
    assert_eq!(
        h.ok(h.delete(&format!("/memory_stores/{id}"))).await,
        json!({"id": id, "type": "memory_store_deleted"})
    );
    assert_error(&h.send(h.get(&format!("/memory_stores/{id}"))).await, 404, "not_found_error", None);
}

#[tokio::test]
async fn memories_paths_views_preconditions_and_versions() {
    let h = start().await;
    let ms = h.ok(h.post("/memory_stores", json!({"name": "m"}))).await;
    let base = format!("/memory_stores/{}", ms["id"].as_str().unwrap());
    let create =
        |path: &str, content: &str| h.post(&format!("{base}/memories"), json!({"path": path, "content": content}));
    let (s, a) = h.send(create("/notes/a.md", "alpha")).await;
    assert_eq!(s, 201, "{a}");
    let aid = a["id"].as_str().unwrap().to_string();
    assert!(aid.starts_with("mem_"));
    assert_eq!(
        (a["content"].as_str(), a["content_sha256"].as_str(), a["content_size_bytes"].as_i64()),
        (Some("alpha"), Some(sha("alpha").as_str()), Some(5))
    );
    assert!(a["memory_version_id"].as_str().unwrap().starts_with("memver_"));
    h.ok(create("notes/b.md", "bravo")).await;
    h.ok(create("/notes/sub/c.md", "charlie")).await;
    h.ok(create("/top.md", "t")).await;
    // Path rules.
    assert_error(&h.send(create("notes/a.md", "dup")).await, 409, "conflict_error", Some("path"));
    assert_error(&h.send(create("/notes/../x.md", "x")).await, 400, "invalid_request_error", Some("path"));
    assert_error(&h.send(create("", "x")).await, 400, "invalid_request_error", Some("path"));
    assert_error(&h.send(create("/a//b", "x")).await, 400, "invalid_request_error", Some("path"));
    assert_error(
        &h.send(h.post(&format!("{base}/memories"), json!({"path": "/x"}))).await,
        400,
        "invalid_request_error",
        Some("content"),
    );
    assert_error(
        &h.send(create("/big", &"x".repeat(100 * 1024 + 1))).await,
        400,
        "invalid_request_error",
        Some("content"),
    );

    // Lists: by path, basic omits content; depth collapses into prefixes.
    let all = h.ok(h.get(&format!("{base}/memories"))).await;
    assert_eq!(
        paths(&all),
        vec!["memory:/notes/a.md", "memory:notes/b.md", "memory:/notes/sub/c.md", "memory:/top.md"]
    );
    assert!(all["data"][0].get("content").is_none());
    let full = h.ok(h.get(&format!("{base}/memories?view=full&path_prefix=/notes/"))).await;
    assert_eq!(full["data"][0]["content"], "alpha");
    assert_eq!(full["data"].as_array().unwrap().len(), 3);
    let shallow = h.ok(h.get(&format!("{base}/memories?path_prefix=/notes/&depth=1"))).await;
    assert_eq!(paths(&shallow), vec!["memory:/notes/a.md", "memory:notes/b.md", "memory_prefix:/notes/sub/"]);
    let root = h.ok(h.get(&format!("{base}/memories?depth=1"))).await;
    assert_eq!(paths(&root), vec!["memory_prefix:/notes/", "memory:/top.md"]);
    let p1 = h.ok(h.get(&format!("{base}/memories?limit=2"))).await;
    assert_eq!(p1["has_more"], true);
    let p2 = h.ok(h.get(&format!("{base}/memories?limit=2&page={}", p1["next_page"].as_str().unwrap()))).await;
    assert_eq!(paths(&p2), vec!["memory:/notes/sub/c.md", "memory:/top.md"]);
    let after = h.ok(h.get(&format!("{base}/memories?after_id={aid}"))).await;
    assert_eq!(after["data"].as_array().unwrap().len(), 3);
    assert_error(
        &h.send(h.get(&format!("{base}/memories?depth=2000"))).await,
        400,
        "invalid_request_error",
        Some("depth"),
    );
    assert_error(
        &h.send(h.get(&format!("{base}/memories?view=huge"))).await,
        400,
        "invalid_request_error",
        Some("view"),
    );

    // Retrieve has content; update with preconditions.
    let m = format!("{base}/memories/{aid}");
    assert_eq!(h.ok(h.get(&m)).await["content"], "alpha");
    assert!(h.ok(h.get(&format!("{m}?view=basic"))).await.get("content").is_none());
    let stale = h.send(h.post(&m, json!({"content": "new", "content_sha256": sha("other")}))).await;
    assert_error(&stale, 409, "conflict_error", Some("content_sha256"));
    let u =
        h.ok(h.post(&m, json!({"content": "alpha2", "content_sha256": sha("alpha"), "metadata": {"tag": "x"}}))).await;
    assert_eq!((u["content"].as_str(), u["content_sha256"].as_str()), (Some("alpha2"), Some(sha("alpha2").as_str())));
    assert_ne!(u["memory_version_id"], a["memory_version_id"]);
    let stale = h
        .send(h.post(
            &m,
            json!({"path": "/renamed.md", "precondition": {"type": "content_sha256", "content_sha256": sha("alpha")}}),
        ))
        .await;
    assert_error(&stale, 409, "conflict_error", None);
    let r = h
        .ok(h.post(
            &m,
            json!({"path": "/renamed.md", "precondition": {"type": "content_sha256", "content_sha256": sha("alpha2")}}),
        ))
        .await;
    assert_eq!((r["path"].as_str(), r["metadata"]["tag"].as_str()), (Some("/renamed.md"), Some("x")));
    assert_error(&h.send(h.post(&m, json!({"path": "/top.md"}))).await, 409, "conflict_error", Some("path"));

    // Delete with the precondition; a `deleted` version is recorded.
    assert_error(
        &h.send(h.delete(&format!("{m}?expected_content_sha256={}", sha("nope")))).await,
        409,
        "conflict_error",
        None,
    );
    assert_eq!(
        h.ok(h.delete(&format!("{m}?expected_content_sha256={}", sha("alpha2")))).await,
        json!({"id": aid, "type": "memory_deleted"})
    );
    assert_error(&h.send(h.get(&m)).await, 404, "not_found_error", None);
    let store = h.ok(h.get(&base)).await;
    assert_eq!((store["entry_count"].as_i64(), store["total_size"].as_i64()), (Some(3), Some(5 + 7 + 1)));

    // Versions: newest first, filters, views, redaction.
    let vs = h.ok(h.get(&format!("{base}/memory_versions?memory_id={aid}"))).await;
    let ops: Vec<&str> = vs["data"].as_array().unwrap().iter().map(|v| v["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, vec!["deleted", "modified", "modified", "created"]);
    assert!(vs["data"][1].get("content").is_none(), "basic view");
    assert_eq!(vs["data"][0]["created_by"]["type"], "api_key_actor");
    let key = vs["data"][0]["created_by"]["api_key_id"].as_str().unwrap();
    assert_eq!(
        h.ok(h.get(&format!("{base}/memory_versions?api_key_id={key}"))).await["data"].as_array().unwrap().len(),
        7
    );
    assert_eq!(
        h.ok(h.get(&format!("{base}/memory_versions?operation=created"))).await["data"].as_array().unwrap().len(),
        4
    );
    assert_eq!(
        h.ok(h.get(&format!("{base}/memory_versions?session_id=sess_x"))).await["data"].as_array().unwrap().len(),
        0
    );
    assert_error(
        &h.send(h.get(&format!("{base}/memory_versions?operation=moved"))).await,
        400,
        "invalid_request_error",
        Some("operation"),
    );
    let created = vs["data"][3]["id"].as_str().unwrap();
    let v = h.ok(h.get(&format!("{base}/memory_versions/{created}"))).await;
    assert_eq!(
        (v["content"].as_str(), v["path"].as_str(), v["type"].as_str()),
        (Some("alpha"), Some("/notes/a.md"), Some("memory_version"))
    );
    let red = h.ok(h.post(&format!("{base}/memory_versions/{created}/redact"), json!({}))).await;
    assert!(red["content"].is_null() && red["path"].is_null() && red["content_sha256"].is_null());
    assert!(red["redacted_at"].is_string());
    assert_eq!(red["redacted_by"]["type"], "api_key_actor");
    let again = h.ok(h.post(&format!("{base}/memory_versions/{created}/redact"), json!({}))).await;
    assert_eq!(again, red, "idempotent");
    assert_error(&h.send(h.get(&format!("{base}/memory_versions/memver_nope"))).await, 404, "not_found_error", None);
    let stats = h.emu.stats();
    assert_eq!(
        (stats["objects_created"]["memory"].as_u64(), stats["objects_created"]["memory_version"].as_u64()),
        (Some(4), Some(7))
    );
}

//! Every operation of the SDK's table (`core/operations.json`) is routed:
//! sending it with dummy ids never yields the unknown-route 404
//! (`error.code: route_not_found`) or a 405.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn every_sdk_operation_is_routed() {
    let h = start().await;
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/operations.json");
    let ops: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(file).expect("read operations.json")).expect("json");
    assert!(ops.len() >= 98, "{} operations", ops.len());
    for op in &ops {
        let (name, method, template) =
            (op["name"].as_str().unwrap(), op["method"].as_str().unwrap(), op["path"].as_str().unwrap());
        let path: String = template
            .split('/')
            .map(|seg| if seg.starts_with('{') { "dummy_id" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let mut rb = h.http.request(method.parse().unwrap(), h.url(&path)).bearer_auth(TOKEN);
        rb = match op["body"].as_str().unwrap() {
            "json" => rb.json(&json!({})),
            "none" => rb,
            _ => rb.header("content-type", "multipart/form-data; boundary=b").body("--b--\r\n"),
        };
        let resp = tokio::time::timeout(Duration::from_secs(10), rb.send()).await.expect(name).expect(name);
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_ne!(status, 405, "{name}: {method} {template} → 405 {body}");
        assert_ne!(body["error"]["code"], "route_not_found", "{name}: {method} {template} is not routed");
        // The stats key is the template itself.
        let key = format!("{method} {template}");
        assert!(h.emu.stats()["requests"][&key].as_u64().unwrap_or(0) >= 1, "{name}: no stats under '{key}'");
    }
    // The unknown-route 404 is distinguishable from an unknown id.
    let (s, b) = h.send(h.get("/nope/nothing")).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("route_not_found")));
    let (s, b) = h.send(h.get("/files/file_missing")).await;
    assert_eq!(s, 404);
    assert!(b["error"].get("code").is_none(), "{b}");
}

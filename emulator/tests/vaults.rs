//! Vaults and credentials: auth union validation, secrets never returned,
//! rotation, metadata patches, archive/delete, mcp_oauth_validate.

mod common;

use common::*;
use serde_json::{json, Value};

const SECRETS: [&str; 6] = ["tok-static", "acc-oauth", "ref-oauth", "cs-oauth", "sv-env", "tok-rotated"];

fn assert_no_secrets(v: &Value) {
    let text = v.to_string();
    for s in SECRETS {
        assert!(!text.contains(s), "secret {s} leaked: {text}");
    }
    for k in ["token", "access_token", "refresh_token", "client_secret", "secret_value"] {
        assert!(!text.contains(&format!("\"{k}\"")), "field {k} leaked: {text}");
    }
}

#[tokio::test]
async fn vault_lifecycle() {
    let h = start().await;
    assert_error(&h.send(h.post("/vaults", json!({}))).await, 400, "invalid_request_error", Some("display_name"));
    assert_error(
        &h.send(h.post("/vaults", json!({"display_name": ""}))).await,
        400,
        "invalid_request_error",
        Some("display_name"),
    );
    let (s, v) = h.send(h.post("/vaults", json!({"display_name": "Prod", "metadata": {"env": "prod"}}))).await;
    assert_eq!(s, 201);
    let id = v["id"].as_str().unwrap();
    assert!(id.starts_with("vault_"));
    assert_eq!((v["type"].as_str(), v["display_name"].as_str()), (Some("vault"), Some("Prod")));
    assert!(v["archived_at"].is_null());
    let other = h.ok(h.post("/vaults", json!({"display_name": "Dev"}))).await;
    assert_eq!(h.ok(h.get(&format!("/vaults/{id}"))).await, v);
    assert_eq!(h.ok(h.get("/vaults?name=Prod")).await["data"].as_array().unwrap().len(), 1);
    let a = h.ok(h.post(&format!("/vaults/{id}/archive"), json!({}))).await;
    assert!(a["archived_at"].is_string());
    let listed = h.ok(h.get("/vaults")).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], other["id"]);
    assert_eq!(h.ok(h.get("/vaults?include_archived=true")).await["data"].as_array().unwrap().len(), 2);
    assert_error(
        &h.send(h.post(
            &format!("/vaults/{id}/credentials"),
            json!({"auth": {"type": "static_bearer", "token": "t", "mcp_server_url": "https://m"}}),
        ))
        .await,
        409,
        "conflict_error",
        None,
    );
    assert_eq!(h.ok(h.delete(&format!("/vaults/{id}"))).await, json!({"id": id, "type": "vault_deleted"}));
    assert_error(&h.send(h.get(&format!("/vaults/{id}"))).await, 404, "not_found_error", None);
    assert_eq!(h.emu.stats()["objects_created"]["vault"], 2);
}

#[tokio::test]
async fn credentials_validate_store_and_hide_secrets() {
    let h = start().await;
    let vault = h.ok(h.post("/vaults", json!({"display_name": "V"}))).await;
    let vid = vault["id"].as_str().unwrap();
    let path = format!("/vaults/{vid}/credentials");
    let create =
        |auth: Value| h.post(&path, json!({"auth": auth, "display_name": "c", "metadata": {"a": "1", "b": "1"}}));

    // Validation per auth type.
    assert_error(&h.send(h.post(&path, json!({}))).await, 400, "invalid_request_error", Some("auth"));
    assert_error(&h.send(create(json!({"type": "basic"}))).await, 400, "invalid_request_error", Some("auth.type"));
    assert_error(
        &h.send(create(json!({"type": "static_bearer", "mcp_server_url": "https://m"}))).await,
        400,
        "invalid_request_error",
        Some("auth.token"),
    );
    assert_error(
        &h.send(create(json!({"type": "static_bearer", "token": "t"}))).await,
        400,
        "invalid_request_error",
        Some("auth.mcp_server_url"),
    );
    assert_error(
        &h.send(create(json!({"type": "static_bearer", "token": "t", "mcp_server_url": "ftp://m"}))).await,
        400,
        "invalid_request_error",
        Some("auth.mcp_server_url"),
    );
    assert_error(&h.send(create(json!({"type": "mcp_oauth", "access_token": "a", "mcp_server_url": "https://m",
        "refresh": {"client_id": "c", "refresh_token": "r", "token_endpoint": "https://t", "token_endpoint_auth": {"type": "client_secret_post"}}}))).await,
        400, "invalid_request_error", Some("auth.refresh.token_endpoint_auth.client_secret"));
    assert_error(&h.send(create(json!({"type": "environment_variable", "secret_name": "K", "secret_value": "v", "networking": {"type": "limited"}}))).await,
        400, "invalid_request_error", Some("auth.networking.allowed_hosts"));
    assert_error(&h.send(create(json!({"type": "environment_variable", "secret_name": "1BAD", "secret_value": "v", "networking": {"type": "unrestricted"}}))).await,
        400, "invalid_request_error", Some("auth.secret_name"));
    assert_error(
        &h.send(h.post(
            "/vaults/vault_nope/credentials",
            json!({"auth": {"type": "static_bearer", "token": "t", "mcp_server_url": "https://m"}}),
        ))
        .await,
        404,
        "not_found_error",
        None,
    );

    let (s, sb) = h
        .send(create(
            json!({"type": "static_bearer", "token": "tok-static", "mcp_server_url": "https://mcp.example.com/sse"}),
        ))
        .await;
    assert_eq!(s, 201, "{sb}");
    assert!(sb["id"].as_str().unwrap().starts_with("vcred_"));
    assert_eq!(sb["type"], "vault_credential");
    assert_eq!(sb["vault_id"], vid);
    assert_eq!(sb["auth"], json!({"type": "static_bearer", "mcp_server_url": "https://mcp.example.com/sse"}));
    let oauth = h.ok(create(json!({"type": "mcp_oauth", "access_token": "acc-oauth", "mcp_server_url": "https://m", "expires_at": "2099-01-01T00:00:00Z",
        "refresh": {"client_id": "cid", "refresh_token": "ref-oauth", "token_endpoint": "https://t/token", "scope": "read",
                    "token_endpoint_auth": {"type": "client_secret_basic", "client_secret": "cs-oauth"}}}))).await;
    assert_eq!(
        oauth["auth"]["refresh"],
        json!({"client_id": "cid", "token_endpoint": "https://t/token", "token_endpoint_auth": {"type": "client_secret_basic"}, "resource": null, "scope": "read"})
    );
    assert_eq!(oauth["auth"]["expires_at"], "2099-01-01T00:00:00.000000Z");
    let env = h.ok(create(json!({"type": "environment_variable", "secret_name": "API_KEY", "secret_value": "sv-env",
        "networking": {"type": "limited", "allowed_hosts": ["api.example.com"]}, "injection_location": {"header": true}}))).await;
    assert_eq!(
        env["auth"],
        json!({"type": "environment_variable", "secret_name": "API_KEY",
        "networking": {"type": "limited", "allowed_hosts": ["api.example.com"]}, "injection_location": {"header": true, "body": false}})
    );
    for c in [&sb, &oauth, &env] {
        assert_no_secrets(c);
        assert_no_secrets(&h.ok(h.get(&format!("{path}/{}", c["id"].as_str().unwrap()))).await);
    }
    let listed = h.ok(h.get(&path)).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 3);
    assert_no_secrets(&listed);

    // Update: same type only; secrets rotate; metadata patch / clear.
    let sb_path = format!("{path}/{}", sb["id"].as_str().unwrap());
    assert_error(
        &h.send(h.post(&sb_path, json!({"auth": {"type": "mcp_oauth", "access_token": "x"}}))).await,
        400,
        "invalid_request_error",
        Some("auth.type"),
    );
    let u = h
        .ok(h.post(
            &sb_path,
            json!({"auth": {"type": "static_bearer", "token": "tok-rotated"}, "metadata": {"a": null, "b": "2"}}),
        ))
        .await;
    assert_no_secrets(&u);
    assert_eq!(u["metadata"], json!({"b": "2"}));
    assert_eq!(u["auth"]["mcp_server_url"], "https://mcp.example.com/sse");
    let u = h.ok(h.post(&sb_path, json!({"metadata": null, "display_name": "renamed"}))).await;
    assert_eq!((u["metadata"].clone(), u["display_name"].as_str()), (json!({}), Some("renamed")));
    let oauth_path = format!("{path}/{}", oauth["id"].as_str().unwrap());
    let u = h
        .ok(h.post(
            &oauth_path,
            json!({"auth": {"type": "mcp_oauth", "refresh": {"refresh_token": "r2", "scope": "write"}}}),
        ))
        .await;
    assert_eq!(u["auth"]["refresh"]["scope"], "write");
    assert_eq!(u["auth"]["refresh"]["client_id"], "cid");

    // mcp_oauth_validate.
    let val = h.ok(h.post(&format!("{oauth_path}/mcp_oauth_validate"), json!({}))).await;
    assert_eq!((val["status"].as_str(), val["has_refresh_token"].as_bool()), (Some("valid"), Some(true)));
    assert_eq!(val["credential_id"], oauth["id"]);
    assert_eq!(val["mcp_probe"]["http_response"]["status_code"], 200);
    h.ok(h.post(&oauth_path, json!({"auth": {"type": "mcp_oauth", "access_token": "invalid-now"}}))).await;
    let val = h.ok(h.post(&format!("{oauth_path}/mcp_oauth_validate"), json!({}))).await;
    assert_eq!(val["mcp_probe"]["http_response"]["status_code"], 401);
    assert_eq!((val["status"].as_str(), val["refresh"]["status"].as_str()), (Some("valid"), Some("succeeded")));
    assert_error(
        &h.send(h.post(&format!("{sb_path}/mcp_oauth_validate"), json!({}))).await,
        400,
        "invalid_request_error",
        None,
    );

    // Archive, delete.
    let a = h.ok(h.post(&format!("{sb_path}/archive"), json!({}))).await;
    assert!(a["archived_at"].is_string());
    assert_error(&h.send(h.post(&sb_path, json!({"display_name": "x"}))).await, 409, "conflict_error", None);
    assert_eq!(h.ok(h.get(&path)).await["data"].as_array().unwrap().len(), 2);
    assert_eq!(h.ok(h.get(&format!("{path}?include_archived=true"))).await["data"].as_array().unwrap().len(), 3);
    let env_id = env["id"].as_str().unwrap();
    assert_eq!(
        h.ok(h.delete(&format!("{path}/{env_id}"))).await,
        json!({"id": env_id, "type": "vault_credential_deleted"})
    );
    assert_error(&h.send(h.get(&format!("{path}/{env_id}"))).await, 404, "not_found_error", None);
    h.ok(h.delete(&format!("/vaults/{vid}"))).await;
    assert_error(&h.send(h.get(&oauth_path)).await, 404, "not_found_error", None);
    assert_eq!(h.emu.stats()["objects_created"]["vault_credential"], 3);
}

//! Vault credentials (docs/api-contract.md §3.7, §4.8). The `auth` union is validated
//! per type; secrets (`token`, `access_token`, `refresh_token`,
//! `client_secret`, `secret_value`) are stored but never rendered.
//!
//! `mcp_oauth_validate` is simulated: the probe fails (HTTP 401) when the
//! access token contains `invalid` or `expires_at` is past; a refresh is then
//! attempted if configured and fails when the refresh token contains `invalid`.

use serde_json::{json, Value};

use super::vaults::vault_or_404;
use crate::body::Reply;
use crate::clock::{format_rfc3339, parse_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::session::ts_or_null;
use crate::state::Store;
use crate::validate::{metadata_create, metadata_patch, none_or, type_name, Fields, Obj};

const AUTH_TYPES: [&str; 3] = ["static_bearer", "mcp_oauth", "environment_variable"];

/// A stored credential; `auth` keeps the secrets.
#[derive(Debug, Clone)]
pub struct Credential {
    /// `vcred_…`.
    pub id: String,
    /// Owning vault.
    pub vault_id: String,
    /// `display_name`.
    pub display_name: Value,
    /// Full auth including secrets.
    pub auth: Obj,
    /// `metadata`.
    pub metadata: Obj,
    /// Archive time.
    pub archived_at: Option<Micros>,
    /// Creation time.
    pub created_us: Micros,
    /// Last update.
    pub updated_us: Micros,
}

fn auth_type(a: &Obj) -> &str {
    a.get("type").and_then(Value::as_str).unwrap_or("")
}

/// The auth object without secrets.
fn public_auth(a: &Obj) -> Value {
    let get = |k: &str| a.get(k).cloned().unwrap_or(Value::Null);
    match auth_type(a) {
        "static_bearer" => json!({"type": "static_bearer", "mcp_server_url": get("mcp_server_url")}),
        "mcp_oauth" => {
            let refresh = match a.get("refresh") {
                Some(Value::Object(r)) => {
                    let rg = |k: &str| r.get(k).cloned().unwrap_or(Value::Null);
                    let tea = r.get("token_endpoint_auth").and_then(|t| t.get("type")).cloned().unwrap_or(Value::Null);
                    json!({"client_id": rg("client_id"), "token_endpoint": rg("token_endpoint"),
                           "token_endpoint_auth": {"type": tea}, "resource": rg("resource"), "scope": rg("scope")})
                }
                _ => Value::Null,
            };
            json!({"type": "mcp_oauth", "mcp_server_url": get("mcp_server_url"), "expires_at": get("expires_at"), "refresh": refresh})
        }
        _ => {
            let inj = a.get("injection_location").and_then(Value::as_object);
            let flag = |k: &str| inj.and_then(|i| i.get(k)).and_then(Value::as_bool).unwrap_or(false);
            json!({"type": "environment_variable", "secret_name": get("secret_name"), "networking": get("networking"),
                   "injection_location": {"header": flag("header"), "body": flag("body")}})
        }
    }
}

impl Credential {
    /// The Credential object (secrets stripped).
    pub fn render(&self) -> Value {
        json!({
            "id": self.id, "type": "vault_credential", "vault_id": self.vault_id, "display_name": self.display_name,
            "auth": public_auth(&self.auth), "metadata": Value::Object(self.metadata.clone()),
            "archived_at": ts_or_null(self.archived_at),
            "created_at": format_rfc3339(self.created_us), "updated_at": format_rfc3339(self.updated_us),
        })
    }
}

fn url(f: &Fields<'_>, key: &str) -> ApiResult<String> {
    let u = f.req_str(key, 1, 2047)?;
    if !(u.starts_with("https://") || u.starts_with("http://")) {
        return Err(ApiError::param(f.param(key), format!("{} must be an http(s) URL", f.param(key))));
    }
    Ok(u.to_string())
}

fn timestamp(f: &Fields<'_>, key: &str) -> ApiResult<Value> {
    match f.opt_str(key, 64)? {
        None => Ok(Value::Null),
        Some(s) => parse_rfc3339(s)
            .map(|t| json!(format_rfc3339(t)))
            .ok_or_else(|| ApiError::param(f.param(key), format!("{} must be an RFC 3339 timestamp", f.param(key)))),
    }
}

fn token_endpoint_auth(f: &Fields<'_>, required: bool) -> ApiResult<Option<Obj>> {
    let Some(m) =
        (if required { Some(f.req_object("token_endpoint_auth")?) } else { f.opt_object("token_endpoint_auth")? })
    else {
        return Ok(None);
    };
    let tf = Fields::new(m, &format!("{}.", f.param("token_endpoint_auth")));
    let ty = tf.req_enum("type", &["none", "client_secret_basic", "client_secret_post"])?;
    let mut out = Obj::new();
    out.insert("type".into(), json!(ty));
    if ty != "none" {
        out.insert("client_secret".into(), json!(tf.req_str("client_secret", 1, 8192)?));
    }
    Ok(Some(out))
}

fn networking(f: &Fields<'_>, required: bool) -> ApiResult<Option<Value>> {
    let Some(m) = (if required { Some(f.req_object("networking")?) } else { f.opt_object("networking")? }) else {
        return Ok(None);
    };
    let nf = Fields::new(m, &format!("{}.", f.param("networking")));
    match nf.req_enum("type", &["unrestricted", "limited"])? {
        "unrestricted" => Ok(Some(json!({"type": "unrestricted"}))),
        _ => {
            let hosts =
                nf.opt_array("allowed_hosts", 1000)?.ok_or_else(|| ApiError::missing(&nf.param("allowed_hosts")))?;
            if hosts.is_empty() || !hosts.iter().all(|h| h.as_str().is_some_and(|s| !s.is_empty())) {
                return Err(ApiError::param(
                    nf.param("allowed_hosts"),
                    "allowed_hosts must be a non-empty array of host names",
                ));
            }
            Ok(Some(json!({"type": "limited", "allowed_hosts": hosts})))
        }
    }
}

fn injection(f: &Fields<'_>) -> ApiResult<Option<Value>> {
    let Some(m) = f.opt_object("injection_location")? else { return Ok(None) };
    let inf = Fields::new(m, &format!("{}.", f.param("injection_location")));
    Ok(Some(
        json!({"header": inf.opt_bool("header")?.unwrap_or(false), "body": inf.opt_bool("body")?.unwrap_or(false)}),
    ))
}

/// Validates a CredentialAuthCreate.
fn auth_create(v: Option<&Value>) -> ApiResult<Obj> {
    let m = match v {
        None | Some(Value::Null) => return Err(ApiError::missing("auth")),
        Some(Value::Object(m)) => m,
        Some(o) => return Err(ApiError::param("auth", format!("auth must be an object, got {}", type_name(o)))),
    };
    let f = Fields::new(m, "auth.");
    let ty = f.req_enum("type", &AUTH_TYPES)?;
    let mut out = Obj::new();
    out.insert("type".into(), json!(ty));
    match ty {
        "static_bearer" => {
            out.insert("token".into(), json!(f.req_str("token", 1, 8192)?));
            out.insert("mcp_server_url".into(), json!(url(&f, "mcp_server_url")?));
        }
        "mcp_oauth" => {
            out.insert("access_token".into(), json!(f.req_str("access_token", 1, 8192)?));
            out.insert("mcp_server_url".into(), json!(url(&f, "mcp_server_url")?));
            out.insert("expires_at".into(), timestamp(&f, "expires_at")?);
            if let Some(r) = f.opt_object("refresh")? {
                let rf = Fields::new(r, "auth.refresh.");
                let mut ro = Obj::new();
                ro.insert("client_id".into(), json!(rf.req_str("client_id", 1, 1024)?));
                ro.insert("refresh_token".into(), json!(rf.req_str("refresh_token", 1, 8192)?));
                ro.insert("token_endpoint".into(), json!(url(&rf, "token_endpoint")?));
                ro.insert(
                    "token_endpoint_auth".into(),
                    Value::Object(token_endpoint_auth(&rf, true)?.unwrap_or_default()),
                );
                ro.insert("resource".into(), rf.opt_str("resource", 2047)?.map_or(Value::Null, |s| json!(s)));
                ro.insert("scope".into(), rf.opt_str("scope", 4096)?.map_or(Value::Null, |s| json!(s)));
                out.insert("refresh".into(), Value::Object(ro));
            }
        }
        _ => {
            let name = f.req_str("secret_name", 1, 256)?;
            let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(ApiError::param(
                    "auth.secret_name",
                    "secret_name must be a valid environment variable name",
                ));
            }
            out.insert("secret_name".into(), json!(name));
            out.insert("secret_value".into(), json!(f.req_str("secret_value", 1, 65_536)?));
            out.insert("networking".into(), networking(&f, true)?.unwrap_or(Value::Null));
            if let Some(i) = injection(&f)? {
                out.insert("injection_location".into(), i);
            }
        }
    }
    Ok(out)
}

/// Applies a CredentialAuthUpdate (same `type`; only given secrets rotate).
fn auth_update(existing: &Obj, m: &Obj) -> ApiResult<Obj> {
    let f = Fields::new(m, "auth.");
    let ty = f.req_str("type", 1, 64)?;
    if ty != auth_type(existing) {
        return Err(ApiError::param(
            "auth.type",
            format!("auth.type cannot be changed: the credential is '{}', got '{ty}'", auth_type(existing)),
        ));
    }
    let mut out = existing.clone();
    let mut set = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            out.insert(k.into(), json!(v));
        }
    };
    match ty {
        "static_bearer" => set("token", f.opt_str_len("token", 1, 8192)?),
        "mcp_oauth" => {
            set("access_token", f.opt_str_len("access_token", 1, 8192)?);
            if f.get("expires_at").is_some() {
                out.insert("expires_at".into(), timestamp(&f, "expires_at")?);
            }
            if let Some(r) = f.opt_object("refresh")? {
                let mut ro = existing.get("refresh").and_then(Value::as_object).cloned().ok_or_else(|| {
                    ApiError::param("auth.refresh", "This credential has no refresh configuration to update.")
                })?;
                let rf = Fields::new(r, "auth.refresh.");
                if let Some(t) = rf.opt_str_len("refresh_token", 1, 8192)? {
                    ro.insert("refresh_token".into(), json!(t));
                }
                if let Some(s) = rf.opt_str("scope", 4096)? {
                    ro.insert("scope".into(), json!(s));
                }
                if let Some(tm) = rf.opt_object("token_endpoint_auth")? {
                    let tf = Fields::new(tm, "auth.refresh.token_endpoint_auth.");
                    let tty = tf.req_enum("type", &["client_secret_basic", "client_secret_post"])?;
                    let mut tea = ro.get("token_endpoint_auth").and_then(Value::as_object).cloned().unwrap_or_default();
                    tea.insert("type".into(), json!(tty));
                    match tf.opt_str_len("client_secret", 1, 8192)? {
                        Some(s) => drop(tea.insert("client_secret".into(), json!(s))),
                        None if !tea.contains_key("client_secret") => {
                            return Err(ApiError::missing("auth.refresh.token_endpoint_auth.client_secret"))
                        }
                        None => {}
                    }
                    ro.insert("token_endpoint_auth".into(), Value::Object(tea));
                }
                out.insert("refresh".into(), Value::Object(ro));
            }
        }
        _ => {
            set("secret_value", f.opt_str_len("secret_value", 1, 65_536)?);
            if let Some(n) = networking(&f, false)? {
                out.insert("networking".into(), n);
            }
            if let Some(i) = injection(&f)? {
                out.insert("injection_location".into(), i);
            }
        }
    }
    Ok(out)
}

fn cred_mut<'a>(store: &'a mut Store, vault_id: &str, id: &str) -> ApiResult<&'a mut Credential> {
    vault_or_404(store, vault_id)?;
    store
        .credentials
        .get_mut(id)
        .filter(|c| c.vault_id == vault_id)
        .ok_or_else(|| ApiError::not_found("Credential", id))
}

/// `POST /vaults/{vault_id}/credentials`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let auth = auth_create(f.get("auth"))?;
    let display_name = f.opt_str("display_name", 255)?.map_or(Value::Null, |s| json!(s));
    let metadata = metadata_create(f.get("metadata"), "metadata")?;
    let st = &ctx.state;
    let vault_id = ctx.param(0).to_string();
    let mut store = st.store();
    if vault_or_404(&store, &vault_id)?.archived_at.is_some() {
        return Err(ApiError::conflict(format!("Vault '{vault_id}' is archived.")));
    }
    let now = st.now();
    let c = Credential {
        id: st.new_id(prefix::CREDENTIAL),
        vault_id,
        display_name,
        auth,
        metadata,
        archived_at: None,
        created_us: now,
        updated_us: now,
    };
    let out = c.render();
    store.credentials.insert(c.id.clone(), c);
    drop(store);
    st.stats.count_objects("vault_credential", 1);
    Ok(Reply::created(&out))
}

/// `GET /vaults/{vault_id}/credentials/{credential_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let mut store = ctx.state.store();
    Ok(Reply::ok(&cred_mut(&mut store, ctx.param(0), ctx.param(1))?.render()))
}

/// `GET /vaults/{vault_id}/credentials` (`include_archived`, `name`).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let include_archived = q.bool("include_archived")?.unwrap_or(false);
    let name = q.get("name").or_else(|| q.get("display_name"));
    let store = ctx.state.store();
    let vault_id = ctx.param(0);
    vault_or_404(&store, vault_id)?;
    let creds: Vec<&Credential> = store.credentials.values().filter(|c| c.vault_id == vault_id).collect();
    list_reply(
        q,
        &creds,
        |c| c.id.clone(),
        |c| (include_archived || c.archived_at.is_none()) && none_or(name, |n| c.display_name == n),
        |c| c.render(),
        Order::Desc,
    )
}

/// `POST /vaults/{vault_id}/credentials/{credential_id}`: `auth` (same type,
/// secrets rotate), `display_name`, `metadata` (patch; top-level null clears).
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let c = cred_mut(&mut store, ctx.param(0), ctx.param(1))?;
    if c.archived_at.is_some() {
        return Err(ApiError::conflict(format!("Credential '{}' is archived and cannot be updated.", c.id)));
    }
    let auth = match f.opt_object("auth")? {
        Some(m) => auth_update(&c.auth, m)?,
        None => c.auth.clone(),
    };
    let display_name = if f.get("display_name").is_some() {
        f.opt_str("display_name", 255)?.map_or(Value::Null, |s| json!(s))
    } else {
        c.display_name.clone()
    };
    let mut metadata = c.metadata.clone();
    if f.get("metadata").is_some_and(Value::is_null) {
        metadata.clear();
    } else {
        metadata_patch(&mut metadata, f.get("metadata"), "metadata")?;
    }
    c.auth = auth;
    c.display_name = display_name;
    c.metadata = metadata;
    c.updated_us = now;
    Ok(Reply::ok(&c.render()))
}

/// `DELETE /vaults/{vault_id}/credentials/{credential_id}`
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let mut store = ctx.state.store();
    let id = cred_mut(&mut store, ctx.param(0), ctx.param(1))?.id.clone();
    store.credentials.remove(&id);
    Ok(Reply::ok(&json!({"id": id, "type": "vault_credential_deleted"})))
}

/// `POST /vaults/{vault_id}/credentials/{credential_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let c = cred_mut(&mut store, ctx.param(0), ctx.param(1))?;
    c.archived_at.get_or_insert(now);
    c.updated_us = now;
    Ok(Reply::ok(&c.render()))
}

fn http_response(status: u16, body: &Value) -> Value {
    json!({"status_code": status, "content_type": "application/json", "body": body.to_string(), "body_truncated": false})
}

/// `POST /vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate`
pub fn mcp_oauth_validate(ctx: &Ctx) -> ApiResult<Reply> {
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let c = cred_mut(&mut store, ctx.param(0), ctx.param(1))?;
    if auth_type(&c.auth) != "mcp_oauth" {
        return Err(ApiError::param("auth.type", format!("Credential '{}' is not an mcp_oauth credential.", c.id)));
    }
    let s = |k: &str| c.auth.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let expired = parse_rfc3339(&s("expires_at")).is_some_and(|t| t <= now);
    let refresh = c.auth.get("refresh").and_then(Value::as_object);
    let probe_ok = !s("access_token").contains("invalid") && !expired;
    let probe = if probe_ok {
        http_response(
            200,
            &json!({"jsonrpc": "2.0", "id": 1, "result": {"protocolVersion": "2025-06-18", "serverInfo": {"name": "emulated-mcp"}}}),
        )
    } else {
        http_response(401, &json!({"error": "invalid_token"}))
    };
    let (status, refresh_out) = match (probe_ok, refresh) {
        (true, _) => ("valid", Value::Null),
        (false, None) => (if expired { "expired" } else { "invalid" }, Value::Null),
        (false, Some(r)) => {
            let ok = !r.get("refresh_token").and_then(Value::as_str).unwrap_or("").contains("invalid");
            let resp = if ok {
                http_response(200, &json!({"access_token": "[redacted]", "token_type": "bearer", "expires_in": 3600}))
            } else {
                http_response(400, &json!({"error": "invalid_grant"}))
            };
            (
                if ok { "valid" } else { "invalid" },
                json!({"status": if ok { "succeeded" } else { "failed" }, "http_response": resp}),
            )
        }
    };
    Ok(Reply::ok(&json!({
        "type": "credential_validation", "credential_id": c.id, "vault_id": c.vault_id, "status": status,
        "has_refresh_token": refresh.is_some(), "validated_at": format_rfc3339(now),
        "mcp_probe": {"method": "initialize", "http_response": probe}, "refresh": refresh_out,
    })))
}

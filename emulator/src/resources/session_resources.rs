//! Session resources (docs/api-contract.md §3.5, §4.6): validation of `resources[]` at
//! session creation and the `/sessions/{id}/resources` sub-API. Only `file`
//! resources can be added later (200, like the table of docs/api-contract.md); repository
//! secrets (`authorization_token`, `password`) are stored on the session and
//! never rendered.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::events::session_or_404;
use crate::body::Reply;
use crate::clock::format_rfc3339;
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::{prefix, short_id};
use crate::pagination::{list_reply, Order};
use crate::session::{SessionCore, Status};
use crate::state::{AppState, Store};
use crate::validate::{type_name, Fields, Obj};

/// Validated `resources[]` of a session.
#[derive(Debug, Default)]
pub struct ResourceSet {
    /// SessionResource objects (secrets stripped).
    pub rendered: Vec<Value>,
    /// Memory store ids attached.
    pub memory_store_ids: Vec<Value>,
    /// Secrets by resource id.
    pub secrets: BTreeMap<String, String>,
}

fn mount_path(f: &Fields<'_>) -> ApiResult<Option<String>> {
    match f.opt_str_len("mount_path", 1, 1024)? {
        Some(p) if !p.starts_with('/') || p.split('/').any(|s| s == "..") => {
            Err(ApiError::param(f.param("mount_path"), "mount_path must be an absolute path without '..' segments"))
        }
        p => Ok(p.map(str::to_string)),
    }
}

/// Checks a file can be mounted: 404 unknown/deleted, 409 not ready.
fn mountable_file(store: &Store, f: &Fields<'_>) -> ApiResult<String> {
    let id = f.req_str("file_id", 1, 256)?;
    let file = super::files::live(&store.files, id).map_err(|e| e.with_param(f.param("file_id")))?;
    if file.status() != "ready" {
        return Err(ApiError::conflict(format!("File '{id}' is not ready (status '{}').", file.status()))
            .with_code("file_not_ready"));
    }
    Ok(id.to_string())
}

/// Validates and renders one resource; returns it and its secret.
fn one(st: &AppState, store: &Store, m: &Obj, p: &str, ts: &str) -> ApiResult<(Value, Option<String>)> {
    let f = Fields::new(m, p);
    let ty = f.req_enum("type", &["file", "github_repository", "git_repository", "memory_store"])?;
    let id = short_id(prefix::SESSION_RESOURCE, st.ids.next_raw(st.clock.now_ms()));
    let mount = mount_path(&f)?;
    let mut o = Obj::new();
    o.insert("id".into(), json!(id));
    o.insert("type".into(), json!(ty));
    let mut secret = None;
    let mount = match ty {
        "file" => {
            let file_id = mountable_file(store, &f)?;
            o.insert("file_id".into(), json!(file_id));
            mount.unwrap_or_else(|| format!("/mnt/session/uploads/{file_id}"))
        }
        "memory_store" => {
            let ms_id = f.req_str("memory_store_id", 1, 256)?;
            let ms = store
                .memory_stores
                .get(ms_id)
                .ok_or_else(|| ApiError::not_found("Memory store", ms_id).with_param(f.param("memory_store_id")))?;
            o.insert("memory_store_id".into(), json!(ms_id));
            o.insert(
                "access".into(),
                json!(f.opt_enum("access", &["read_write", "read_only"])?.unwrap_or("read_write")),
            );
            o.insert("instructions".into(), f.opt_str("instructions", 4096)?.map_or(Value::Null, |s| json!(s)));
            o.insert("name".into(), json!(ms.name));
            o.insert("description".into(), json!(ms.description));
            let slug: String =
                ms.name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
            mount.unwrap_or_else(|| {
                format!("/mnt/memory/{}-{}", slug.trim_matches('-'), &ms_id[ms_id.len().saturating_sub(6)..])
            })
        }
        _ => {
            let url = f.req_str("url", 1, 2047)?;
            let checkout = match f.opt_object("checkout")? {
                None => Value::Null,
                Some(c) => {
                    let cf = Fields::new(c, &format!("{p}checkout."));
                    match cf.req_enum("type", &["branch", "commit"])? {
                        "branch" => json!({"type": "branch", "name": cf.req_str("name", 1, 1024)?}),
                        _ => json!({"type": "commit", "sha": cf.req_str("sha", 1, 64)?}),
                    }
                }
            };
            let key = if ty == "github_repository" { "authorization_token" } else { "password" };
            secret = f.opt_str(key, 8192)?.map(str::to_string);
            o.insert("url".into(), json!(url));
            o.insert("checkout".into(), checkout);
            let repo =
                url.trim_end_matches('/').trim_end_matches(".git").rsplit('/').next().unwrap_or("repo").to_string();
            mount.unwrap_or_else(|| format!("/workspace/{repo}"))
        }
    };
    o.insert("mount_path".into(), json!(mount));
    o.insert("created_at".into(), json!(ts));
    o.insert("updated_at".into(), json!(ts));
    Ok((Value::Object(o), secret))
}

/// Validates `resources[]` of `POST /sessions` (and deployments).
pub fn validate_resources(st: &AppState, store: &Store, v: Option<&Value>) -> ApiResult<ResourceSet> {
    let items = match v {
        None | Some(Value::Null) => return Ok(ResourceSet::default()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(ApiError::param("resources", format!("resources must be an array, got {}", type_name(other))))
        }
    };
    let ts = format_rfc3339(st.now());
    let mut out = ResourceSet::default();
    for (i, r) in items.iter().enumerate() {
        let m =
            r.as_object().ok_or_else(|| ApiError::param(format!("resources[{i}]"), "resource must be an object"))?;
        let (res, secret) = one(st, store, m, &format!("resources[{i}]."), &ts)?;
        let clash = out.rendered.iter().any(|x| x["mount_path"] == res["mount_path"]);
        if clash {
            return Err(ApiError::param(
                format!("resources[{i}].mount_path"),
                format!("mount_path {} is used twice", res["mount_path"]),
            ));
        }
        if let Some(ms) = res.get("memory_store_id") {
            out.memory_store_ids.push(ms.clone());
        }
        if let Some(s) = secret {
            out.secrets.insert(res["id"].as_str().unwrap_or_default().to_string(), s);
        }
        out.rendered.push(res);
    }
    if out.memory_store_ids.len() > 8 {
        return Err(ApiError::param("resources", "at most 8 memory stores may be attached to a session"));
    }
    Ok(out)
}

fn position(c: &SessionCore, id: &str) -> ApiResult<usize> {
    c.resources.iter().position(|r| r["id"] == id).ok_or_else(|| ApiError::not_found("Session resource", id))
}

/// `POST /sessions/{session_id}/resources`: mounts a ready file.
pub fn add(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let ty = f.req_str("type", 1, 64)?;
    if ty != "file" {
        return Err(ApiError::param("type", format!("Only 'file' resources can be added to an existing session, got '{ty}'; repositories and memory stores must be given at creation.")));
    }
    mount_path(&f)?;
    let st = &ctx.state;
    let store = st.store();
    let sess = store.sessions.get(ctx.param(0)).cloned().ok_or_else(|| ApiError::not_found("Session", ctx.param(0)))?;
    let file_id = f.req_str("file_id", 1, 256)?;
    super::files::live(&store.files, file_id).map_err(|e| e.with_param("file_id"))?;
    let out = sess.with(|c| {
        if c.archived_at.is_some() {
            return Err(
                ApiError::conflict(format!("Session '{}' is archived.", c.session_id)).with_code("session_archived")
            );
        }
        if c.status == Status::Terminated {
            return Err(ApiError::conflict(format!("Session '{}' is terminated.", c.session_id))
                .with_code("session_terminated"));
        }
        let (res, _) = one(st, &store, &body, "", &format_rfc3339(st.now()))?;
        if c.resources.iter().any(|r| r["type"] == "file" && r["file_id"] == file_id) {
            return Err(ApiError::conflict(format!(
                "File '{file_id}' is already mounted in session '{}'.",
                c.session_id
            ))
            .with_code("already_mounted"));
        }
        if c.resources.iter().any(|r| r["mount_path"] == res["mount_path"]) {
            return Err(ApiError::conflict(format!("mount_path {} is already in use.", res["mount_path"]))
                .with_param("mount_path"));
        }
        c.resources.push(res.clone());
        c.updated_us = st.now();
        Ok(res)
    })?;
    drop(store);
    st.stats.count_objects("session_resource", 1);
    Ok(Reply::ok(&out))
}

/// `GET /sessions/{session_id}/resources` (newest first).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    let items = sess.with(|c| c.resources.clone());
    list_reply(
        &ctx.query,
        &items,
        |r| r["id"].as_str().unwrap_or_default().to_string(),
        |_| true,
        Value::clone,
        Order::Desc,
    )
}

/// `GET /sessions/{session_id}/resources/{resource_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    let r = sess.with(|c| position(c, ctx.param(1)).map(|i| c.resources[i].clone()))?;
    Ok(Reply::ok(&r))
}

/// `POST /sessions/{session_id}/resources/{resource_id}`: rotates a
/// repository secret (`authorization_token` for GitHub, `password` for git).
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let sess = session_or_404(ctx, ctx.param(0))?;
    let now = ctx.state.now();
    let r = sess.with(|c| {
        let i = position(c, ctx.param(1))?;
        let (key, other) = match c.resources[i]["type"].as_str() {
            Some("github_repository") => ("authorization_token", "password"),
            Some("git_repository") => ("password", "authorization_token"),
            _ => return Err(ApiError::invalid("Only repository resources can be updated (to rotate their secret).")),
        };
        if f.get(other).is_some() {
            return Err(ApiError::param(
                other,
                format!("{other} does not apply to a {} resource; use {key}", c.resources[i]["type"]),
            ));
        }
        if let Some(secret) = f.opt_str_len(key, 1, 8192)? {
            let id = c.resources[i]["id"].as_str().unwrap_or_default().to_string();
            c.resource_secrets.insert(id, secret.to_string());
        }
        c.resources[i]["updated_at"] = json!(format_rfc3339(now));
        Ok(c.resources[i].clone())
    })?;
    Ok(Reply::ok(&r))
}

/// `DELETE /sessions/{session_id}/resources/{resource_id}`
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    let id = ctx.param(1);
    sess.with(|c| {
        let i = position(c, id)?;
        let r = c.resources.remove(i);
        c.resource_secrets.remove(id);
        if let Some(ms) = r.get("memory_store_id") {
            c.memory_store_ids.retain(|x| x != ms);
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Reply::ok(&json!({"id": id, "type": "session_resource_deleted"})))
}

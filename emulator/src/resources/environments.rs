//! Environments (docs/api-contract.md §3.2, §4.4).

use serde_json::{json, Value};

use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::query::Visible;
use crate::validate::{metadata_create, metadata_patch, type_name, Fields, Obj};

/// A stored environment (the rendered object plus bookkeeping).
#[derive(Debug, Clone)]
pub struct Environment {
    /// `env_…`.
    pub id: String,
    /// The Environment object.
    pub obj: Obj,
    /// Archive time.
    pub archived_at: Option<Micros>,
    /// Creation time.
    pub created_us: Micros,
}

impl Environment {
    /// Whether the config is `self_hosted`.
    pub fn is_self_hosted(&self) -> bool {
        self.obj.get("config").and_then(|c| c.get("type")).and_then(Value::as_str) == Some("self_hosted")
    }
}

/// Validates and normalises an EnvironmentConfig. The docs' `allowed_hosts`
/// networking type is accepted as an alias of `limited`.
fn config(v: Option<&Value>) -> ApiResult<Value> {
    let m = match v {
        None | Some(Value::Null) => return Ok(json!({"type": "cloud", "networking": {"type": "unrestricted"}})),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(ApiError::param("config", format!("config must be an object, got {}", type_name(other))))
        }
    };
    let f = Fields::new(m, "config.");
    let ty = f.opt_enum("type", &["cloud", "self_hosted"])?.unwrap_or("cloud");
    let mut out = m.clone();
    out.insert("type".into(), json!(ty));
    f.opt_str("setup_script", 1_000_000)?;
    if ty == "self_hosted" {
        return Ok(Value::Object(out));
    }
    let networking = match f.get("networking") {
        None | Some(Value::Null) => json!({"type": "unrestricted"}),
        Some(Value::Object(n)) => {
            let nf = Fields::new(n, "config.networking.");
            let nty = nf.req_enum("type", &["unrestricted", "limited", "allowed_hosts"])?;
            let mut n = n.clone();
            if nty != "unrestricted" {
                nf.opt_bool("allow_mcp_servers")?;
                nf.opt_bool("allow_package_managers")?;
                if let Some(hosts) = nf.opt_array("allowed_hosts", 1000)? {
                    if !hosts.iter().all(Value::is_string) {
                        return Err(ApiError::param(
                            "config.networking.allowed_hosts",
                            "allowed_hosts must be an array of strings",
                        ));
                    }
                }
                n.insert("type".into(), json!("limited"));
            }
            Value::Object(n)
        }
        Some(other) => {
            return Err(ApiError::param(
                "config.networking",
                format!(
                    "config.networking must be an object such as {{\"type\":\"unrestricted\"}}, got {}",
                    type_name(other)
                ),
            ))
        }
    };
    out.insert("networking".into(), networking);
    if let Some(p) = f.opt_object("packages")? {
        for (k, v) in p {
            if k == "type" {
                continue;
            }
            if !v.is_null() && !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                return Err(ApiError::param(format!("config.packages.{k}"), "package lists must be arrays of strings"));
            }
        }
    }
    Ok(Value::Object(out))
}

/// `POST /environments`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let name = f.req_str("name", 1, 256)?;
    let description = f.opt_str("description", 2048)?.unwrap_or("");
    let config = config(f.get("config"))?;
    let scope = f.opt_enum("scope", &["organization", "account"])?.unwrap_or("organization");
    let metadata = metadata_create(f.get("metadata"), "metadata")?;
    let st = &ctx.state;
    let now = st.now();
    let id = st.new_id(prefix::ENVIRONMENT);
    let ts = format_rfc3339(now);
    let obj = json!({
        "id": id, "type": "environment", "name": name, "description": description, "config": config,
        "scope": scope, "metadata": metadata, "status": "ready", "archived": false, "archived_at": null,
        "created_at": ts, "updated_at": ts,
    });
    let env = Environment { id: id.clone(), obj: super::agents::into_obj(obj), archived_at: None, created_us: now };
    let out = Value::Object(env.obj.clone());
    st.store().environments.insert(id, env);
    st.stats.count_objects("environment", 1);
    Ok(Reply::created(&out))
}

/// `GET /environments/{environment_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let store = ctx.state.store();
    let env = store.environments.get(id).ok_or_else(|| ApiError::not_found("Environment", id))?;
    Ok(Reply::ok(&Value::Object(env.obj.clone())))
}

/// `POST /environments/{environment_id}` (patch).
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let env = store.environments.get_mut(id).ok_or_else(|| ApiError::not_found("Environment", id))?;
    let mut obj = env.obj.clone();
    if f.get("name").is_some() {
        obj.insert("name".into(), json!(f.req_str("name", 1, 256)?));
    }
    if f.get("description").is_some() {
        obj.insert("description".into(), json!(f.opt_str("description", 2048)?.unwrap_or("")));
    }
    if f.get("config").is_some_and(|v| !v.is_null()) {
        obj.insert("config".into(), config(f.get("config"))?);
    }
    if let Some(scope) = f.opt_enum("scope", &["organization", "account"])? {
        obj.insert("scope".into(), json!(scope));
    }
    let mut metadata = obj.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
    metadata_patch(&mut metadata, f.get("metadata"), "metadata")?;
    obj.insert("metadata".into(), Value::Object(metadata));
    obj.insert("updated_at".into(), json!(format_rfc3339(now)));
    env.obj = obj;
    Ok(Reply::ok(&Value::Object(env.obj.clone())))
}

/// `GET /environments`
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let visible = Visible::parse(q)?;
    let store = ctx.state.store();
    let envs: Vec<&Environment> = store.environments.values().collect();
    let keep = |e: &&Environment| visible.keeps(&e.archived_at, e.created_us);
    list_reply(q, &envs, |e| e.id.clone(), keep, |e| Value::Object(e.obj.clone()), Order::Desc)
}

/// `DELETE /environments/{environment_id}`: 409 while sessions reference it.
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let mut store = ctx.state.store();
    if !store.environments.contains_key(id) {
        return Err(ApiError::not_found("Environment", id));
    }
    let refs = store.sessions.values().filter(|s| s.environment_id == id).count();
    if refs > 0 {
        return Err(ApiError::conflict(format!(
            "Environment '{id}' is referenced by {refs} session(s) and cannot be deleted; archive it instead."
        )));
    }
    store.environments.remove(id);
    Ok(Reply::ok(&json!({"id": id, "type": "environment_deleted"})))
}

/// `POST /environments/{environment_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let env = store.environments.get_mut(id).ok_or_else(|| ApiError::not_found("Environment", id))?;
    let at = *env.archived_at.get_or_insert(now);
    env.obj.insert("archived".into(), json!(true));
    env.obj.insert("archived_at".into(), json!(format_rfc3339(at)));
    env.obj.insert("updated_at".into(), json!(format_rfc3339(now)));
    Ok(Reply::ok(&Value::Object(env.obj.clone())))
}

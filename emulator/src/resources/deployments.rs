//! Deployments (docs/api-contract.md §3.11, §4.11): a pinned agent + environment +
//! initial events that can be run on demand (`deployment_runs.rs`). The cron
//! `schedule` is validated and stored but never fires by itself; use
//! `POST /_emulator/deployments/{id}/trigger` for a scheduled run.

use serde_json::{json, Value};

use super::event_input::validate_detached;
use super::session_resources::validate_resources;
use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::query::Visible;
use crate::session::ts_or_null;
use crate::state::{AppState, Store};
use crate::validate::{
    budget, metadata_create, metadata_patch, none_or, string_list, string_map, type_name, Fields, Obj,
};

/// Event types a deployment may start a session with.
pub const INITIAL_TYPES: [&str; 3] = ["user.message", "user.define_outcome", "system.message"];

/// A stored deployment; `config` holds the create fields (resources with secrets).
#[derive(Debug, Clone)]
pub struct Deployment {
    /// `dep_…`.
    pub id: String,
    /// Normalised create fields.
    pub config: Obj,
    /// `active` / `paused`.
    pub status: &'static str,
    /// `paused_reason`.
    pub paused_reason: Value,
    /// Archive time.
    pub archived_at: Option<Micros>,
    /// Time of the last run.
    pub last_run_us: Option<Micros>,
    /// Creation time.
    pub created_us: Micros,
    /// Last update.
    pub updated_us: Micros,
}

/// A run of a deployment (the DeploymentRun object plus filter fields).
#[derive(Debug, Clone)]
pub struct DeploymentRun {
    /// `drun_…`.
    pub id: String,
    /// Owning deployment.
    pub deployment_id: String,
    /// The DeploymentRun object.
    pub obj: Value,
    /// Creation time.
    pub created_us: Micros,
}

impl Deployment {
    /// The Deployment object (repository secrets stripped).
    pub fn render(&self) -> Value {
        let mut m = self.config.clone();
        if let Some(Value::Array(rs)) = m.get_mut("resources") {
            for r in rs.iter_mut().filter_map(Value::as_object_mut) {
                r.remove("authorization_token");
                r.remove("password");
            }
        }
        if let Some(Value::Object(s)) = m.get_mut("schedule") {
            s.insert("last_run_at".into(), ts_or_null(self.last_run_us));
            s.entry("upcoming_runs_at").or_insert(json!([]));
        }
        m.insert("id".into(), json!(self.id));
        m.insert("type".into(), json!("deployment"));
        m.insert("status".into(), json!(self.status));
        m.insert("paused_reason".into(), self.paused_reason.clone());
        m.insert("next_run_at".into(), Value::Null);
        m.insert("archived_at".into(), ts_or_null(self.archived_at));
        m.insert("created_at".into(), json!(format_rfc3339(self.created_us)));
        m.insert("updated_at".into(), json!(format_rfc3339(self.updated_us)));
        Value::Object(m)
    }
}

fn agent_pin(store: &Store, v: Option<&Value>) -> ApiResult<Value> {
    let (id, version) = match v {
        None | Some(Value::Null) => return Err(ApiError::missing("agent")),
        Some(Value::String(s)) if !s.is_empty() => (s.clone(), None),
        Some(Value::Object(m)) => {
            let f = Fields::new(m, "agent.");
            f.req_enum("type", &["agent"])?;
            (f.req_str("id", 1, 256)?.to_string(), f.opt_int("version")?.filter(|v| *v != 0))
        }
        Some(o) => {
            return Err(ApiError::param("agent", format!("agent must be a string or an object, got {}", type_name(o))))
        }
    };
    let a = store.agents.get(&id).ok_or_else(|| ApiError::not_found("Agent", &id).with_param("agent"))?;
    if a.archived_at.is_some() {
        return Err(ApiError::conflict(format!("Agent '{id}' is archived.")).with_param("agent"));
    }
    let version = version.unwrap_or_else(|| a.version());
    if a.at(version).is_none() {
        return Err(ApiError::not_found("Agent version", &format!("{id}@{version}")).with_param("agent.version"));
    }
    Ok(json!({"id": id, "type": "agent", "version": version}))
}

fn schedule(v: Option<&Value>) -> ApiResult<Value> {
    let m = match v {
        None | Some(Value::Null) => return Ok(Value::Null),
        Some(Value::Object(m)) => m,
        Some(o) => {
            return Err(ApiError::param("schedule", format!("schedule must be an object, got {}", type_name(o))))
        }
    };
    let f = Fields::new(m, "schedule.");
    f.req_enum("type", &["cron"])?;
    let expr = f.req_str("expression", 1, 256)?;
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let ok = fields.len() == 5
        && fields.iter().all(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || "*,-/?#".contains(c)));
    if !ok {
        return Err(ApiError::param(
            "schedule.expression",
            format!("schedule.expression must be a 5-field cron expression, got '{expr}'"),
        ));
    }
    let tz = f.opt_str_len("timezone", 1, 64)?.unwrap_or("UTC");
    let tz_ok =
        tz == "UTC" || (tz.contains('/') && tz.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)));
    if !tz_ok {
        return Err(ApiError::param(
            "schedule.timezone",
            format!("schedule.timezone must be an IANA time zone, got '{tz}'"),
        ));
    }
    Ok(json!({"type": "cron", "expression": fields.join(" "), "timezone": tz}))
}

fn metadata(v: Option<&Value>, existing: Option<&Obj>) -> ApiResult<Obj> {
    let m = match existing {
        None => metadata_create(v, "metadata")?,
        Some(e) => {
            let mut m = e.clone();
            metadata_patch(&mut m, v, "metadata")?;
            m
        }
    };
    if let Some(cas) = m.get("cas_config") {
        let bad = |msg: &str| ApiError::param("metadata.cas_config", format!("metadata.cas_config {msg}"));
        let parsed: Value =
            serde_json::from_str(cas.as_str().unwrap_or_default()).map_err(|_| bad("must be a JSON-encoded object"))?;
        let obj = parsed.as_object().ok_or_else(|| bad("must be a JSON-encoded object"))?;
        if let Some(s) = obj.get("session_strategy") {
            if !matches!(s.as_str(), Some("new_session" | "reuse_session")) {
                return Err(bad("session_strategy must be 'new_session' or 'reuse_session'"));
            }
        }
        if let Some(c) = obj.get("config") {
            let c = c.as_object().ok_or_else(|| bad("config must be an object"))?;
            for (k, min) in [("max_retries", 0), ("timeout_ms", 1), ("max_concurrent", 1)] {
                if c.get(k).is_some_and(|v| v.as_i64().is_none_or(|n| n < min)) {
                    return Err(bad(&format!("config.{k} must be an integer >= {min}")));
                }
            }
        }
    }
    Ok(m)
}

/// Validates create fields (all required) or a patch over `existing`.
fn configure(st: &AppState, store: &Store, body: &Obj, existing: Option<&Obj>) -> ApiResult<Obj> {
    let f = Fields::new(body, "");
    let mut c = existing.cloned().unwrap_or_default();
    let given = |k: &str| existing.is_none() || f.get(k).is_some();
    if given("name") {
        c.insert("name".into(), json!(f.req_str("name", 1, 256)?));
    }
    if given("description") {
        c.insert("description".into(), json!(f.opt_str("description", 2048)?.unwrap_or("")));
    }
    if given("agent") {
        c.insert("agent".into(), agent_pin(store, f.get("agent"))?);
    }
    if given("environment_id") {
        let env_id = f.req_str("environment_id", 1, 256)?;
        let env = store
            .environments
            .get(env_id)
            .ok_or_else(|| ApiError::not_found("Environment", env_id).with_param("environment_id"))?;
        if env.archived_at.is_some() {
            return Err(ApiError::conflict(format!("Environment '{env_id}' is archived.")).with_param("environment_id"));
        }
        c.insert("environment_id".into(), json!(env_id));
    }
    if given("initial_events") {
        let events = f.opt_array("initial_events", 50)?.ok_or_else(|| ApiError::missing("initial_events"))?;
        if events.is_empty() {
            return Err(ApiError::param("initial_events", "initial_events must contain between 1 and 50 events"));
        }
        let inputs = validate_detached(events, "initial_events", &INITIAL_TYPES)?;
        let normal: Vec<Value> = inputs
            .into_iter()
            .map(|i| {
                let mut m = i.fields;
                m.insert("type".into(), json!(i.etype));
                Value::Object(m)
            })
            .collect();
        c.insert("initial_events".into(), Value::Array(normal));
    }
    if given("schedule") {
        c.insert("schedule".into(), schedule(f.get("schedule"))?);
    }
    if given("resources") {
        validate_resources(st, store, f.get("resources"))?;
        c.insert("resources".into(), f.get("resources").filter(|v| !v.is_null()).cloned().unwrap_or(json!([])));
    }
    if given("vault_ids") {
        let v = string_list(f.get("vault_ids"), "vault_ids")?;
        if v.len() > 50 {
            return Err(ApiError::param(
                "vault_ids",
                format!("vault_ids must contain at most 50 items, got {}", v.len()),
            ));
        }
        c.insert("vault_ids".into(), Value::Array(v));
    }
    let existing_meta = existing.and_then(|e| e.get("metadata")).and_then(Value::as_object);
    c.insert("metadata".into(), Value::Object(metadata(f.get("metadata"), existing_meta)?));
    if given("budget") {
        c.insert("budget".into(), budget(f.get("budget"), "budget")?);
    }
    if given("environment_variables") {
        let ev = match f.get("environment_variables") {
            Some(Value::String(s)) => json!(s),
            other => Value::Object(string_map(other, "environment_variables")?),
        };
        c.insert("environment_variables".into(), ev);
    }
    Ok(c)
}

fn dep_mut<'a>(store: &'a mut Store, id: &str) -> ApiResult<&'a mut Deployment> {
    store.deployments.get_mut(id).ok_or_else(|| ApiError::not_found("Deployment", id))
}

/// `POST /deployments`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let st = &ctx.state;
    let mut store = st.store();
    let config = configure(st, &store, &body, None)?;
    let now = st.now();
    let d = Deployment {
        id: st.new_id(prefix::DEPLOYMENT),
        config,
        status: "active",
        paused_reason: Value::Null,
        archived_at: None,
        last_run_us: None,
        created_us: now,
        updated_us: now,
    };
    let out = d.render();
    store.deployments.insert(d.id.clone(), d);
    drop(store);
    st.stats.count_objects("deployment", 1);
    Ok(Reply::created(&out))
}

/// `GET /deployments/{deployment_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let mut store = ctx.state.store();
    Ok(Reply::ok(&dep_mut(&mut store, ctx.param(0))?.render()))
}

/// `POST /deployments/{deployment_id}` (patch of any create field).
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let st = &ctx.state;
    let mut store = st.store();
    let existing = dep_mut(&mut store, ctx.param(0))?;
    if existing.archived_at.is_some() {
        return Err(ApiError::conflict(format!("Deployment '{}' is archived.", existing.id)));
    }
    let existing = existing.config.clone();
    let config = configure(st, &store, &body, Some(&existing))?;
    let d = dep_mut(&mut store, ctx.param(0))?;
    d.config = config;
    d.updated_us = st.now();
    Ok(Reply::ok(&d.render()))
}

/// `GET /deployments` (`agent_id`, `status`, `include_archived`, `created_at[...]`).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let status = q.one_of("status", &["active", "paused"])?;
    let agent_id = q.get("agent_id");
    let visible = Visible::parse(q)?;
    let store = ctx.state.store();
    let deps: Vec<&Deployment> = store.deployments.values().collect();
    list_reply(
        q,
        &deps,
        |d| d.id.clone(),
        |d| {
            visible.keeps(&d.archived_at, d.created_us)
                && none_or(status.as_deref(), |s| d.status == s)
                && none_or(agent_id, |a| d.config["agent"]["id"] == a)
        },
        |d| d.render(),
        Order::Desc,
    )
}

fn transition(ctx: &Ctx, f: impl FnOnce(&mut Deployment) -> ApiResult<()>) -> ApiResult<Reply> {
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let d = dep_mut(&mut store, ctx.param(0))?;
    f(d)?;
    d.updated_us = now;
    Ok(Reply::ok(&d.render()))
}

/// `POST /deployments/{deployment_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let now = ctx.state.now();
    transition(ctx, |d| {
        d.archived_at.get_or_insert(now);
        Ok(())
    })
}

/// `POST /deployments/{deployment_id}/pause` (`paused_reason: {type: "manual"}`).
pub fn pause(ctx: &Ctx) -> ApiResult<Reply> {
    transition(ctx, |d| {
        if d.archived_at.is_some() {
            return Err(ApiError::conflict(format!("Deployment '{}' is archived.", d.id)));
        }
        if d.status != "paused" {
            d.status = "paused";
            d.paused_reason = json!({"type": "manual"});
        }
        Ok(())
    })
}

/// `POST /deployments/{deployment_id}/unpause`
pub fn unpause(ctx: &Ctx) -> ApiResult<Reply> {
    transition(ctx, |d| {
        if d.archived_at.is_some() {
            return Err(ApiError::conflict(format!("Deployment '{}' is archived.", d.id)));
        }
        d.status = "active";
        d.paused_reason = Value::Null;
        Ok(())
    })
}

//! Sessions (docs/api-contract.md §3.3, §4.5).

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::agent_fields as fields;
use super::agents::Agent;
use super::event_input::validate_batch;
use super::events::{apply_batch, session_or_404, stop_current};
use super::session_resources::validate_resources;
use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::event_log::EventLog;
use crate::ids::prefix;
use crate::pagination::{select, Order, PageRequest};
use crate::query::TimeRange;
use crate::session::{Session, SessionCore, Status, TurnStatus, Usage};
use crate::state::AppState;
use crate::validate::{
    budget, metadata_create, metadata_patch, none_or, string_list, string_map, type_name, Fields, Obj,
};

const STATUSES: [&str; 4] = ["idle", "running", "rescheduling", "terminated"];

/// Resolves the `agent` field to (agent id, requested version, overrides).
fn agent_ref<'a>(f: &Fields<'a>) -> ApiResult<(String, Option<i64>, Option<&'a Obj>)> {
    match f.get("agent") {
        None | Some(Value::Null) => Err(ApiError::missing("agent")),
        Some(Value::String(s)) if !s.is_empty() => Ok((s.clone(), None, None)),
        Some(Value::Object(m)) => {
            let af = Fields::new(m, "agent.");
            let ty = af.req_enum("type", &["agent", "agent_with_overrides"])?;
            let id = af.req_str("id", 1, 256)?.to_string();
            let version = af.opt_int("version")?.filter(|v| *v != 0);
            Ok((id, version, (ty == "agent_with_overrides").then_some(m)))
        }
        Some(other) => {
            Err(ApiError::param("agent", format!("agent must be a string or an object, got {}", type_name(other))))
        }
    }
}

/// Applies `model/system/tools/mcp_servers/skills` overrides onto a snapshot.
fn apply_agent_overrides(snapshot: &mut Obj, o: &Obj, param: &str) -> ApiResult<bool> {
    let prefix = format!("{param}.");
    let f = Fields::new(o, &prefix);
    let mut changed = false;
    if f.get("model").is_some() {
        snapshot.insert("model".into(), fields::model(f.get("model"), &f.param("model"))?);
        changed = true;
    }
    if let Some(system) = fields::system(&f)? {
        snapshot.insert("system".into(), json!(system));
        changed = true;
    }
    if f.get("mcp_servers").is_some() {
        snapshot.insert(
            "mcp_servers".into(),
            Value::Array(fields::mcp_servers(f.get("mcp_servers"), &f.param("mcp_servers"))?),
        );
        changed = true;
    }
    if f.get("tools").is_some() || f.get("mcp_servers").is_some() {
        let mcp = snapshot.get("mcp_servers").and_then(Value::as_array).cloned().unwrap_or_default();
        let tools = if f.get("tools").is_some() { f.get("tools").cloned() } else { snapshot.get("tools").cloned() };
        snapshot.insert("tools".into(), Value::Array(fields::tools(tools.as_ref(), &mcp, &f.param("tools"))?));
        changed = true;
    }
    if f.get("skills").is_some() {
        snapshot.insert("skills".into(), Value::Array(fields::skills(f.get("skills"), &f.param("skills"))?));
        changed = true;
    }
    Ok(changed)
}

/// `POST /sessions`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let (_, out) = create_session(&ctx.state, &body, None)?;
    Ok(Reply::created(&out))
}

/// Creates a session from a `POST /sessions` body (also used by deployment
/// runs, which pass their id). Returns the session and its JSON.
pub fn create_session(
    st: &Arc<AppState>,
    body: &Obj,
    deployment_id: Option<String>,
) -> ApiResult<(Arc<Session>, Value)> {
    let f = Fields::new(body, "");
    let (agent_id, version, overrides) = agent_ref(&f)?;
    let environment_id = f.req_str("environment_id", 1, 256)?.to_string();
    let title = f.opt_str("title", 1000)?.unwrap_or("").to_string();
    let metadata = metadata_create(f.get("metadata"), "metadata")?;
    let environment_variables = string_map(f.get("environment_variables"), "environment_variables")?;
    let vault_ids = string_list(f.get("vault_ids"), "vault_ids")?;
    let mut memory_store_ids = string_list(f.get("memory_store_ids"), "memory_store_ids")?;
    let budget = budget(f.get("budget"), "budget")?;
    f.opt_bool("incremental_streaming_enabled")?;
    if let Some(ms) = f.opt_int("delta_flush_interval_ms")? {
        if !(50..=5000).contains(&ms) {
            return Err(ApiError::param(
                "delta_flush_interval_ms",
                "delta_flush_interval_ms must be between 50 and 5000",
            ));
        }
    }
    let initial = f.opt_array("initial_events", 100)?.cloned().unwrap_or_default();

    let mut store = st.store();
    let res = validate_resources(st, &store, f.get("resources"))?;
    for ms in res.memory_store_ids {
        if !memory_store_ids.contains(&ms) {
            memory_store_ids.push(ms);
        }
    }
    let env =
        store.environments.get(&environment_id).ok_or_else(|| ApiError::not_found("Environment", &environment_id))?;
    if env.archived_at.is_some() {
        return Err(
            ApiError::conflict(format!("Environment '{environment_id}' is archived.")).with_param("environment_id")
        );
    }
    let self_hosted = env.is_self_hosted();
    let agent = store.agents.get(&agent_id).ok_or_else(|| ApiError::not_found("Agent", &agent_id))?;
    if agent.archived_at.is_some() {
        return Err(ApiError::conflict(format!("Agent '{agent_id}' is archived.")).with_param("agent"));
    }
    let snap = match version {
        None => agent.latest(),
        Some(v) => agent.at(v).ok_or_else(|| {
            ApiError::new(
                http::StatusCode::NOT_FOUND,
                "not_found_error",
                format!("Agent '{agent_id}' version {v} was not found."),
            )
        })?,
    };
    let mut snapshot = Agent::session_snapshot(snap);
    if let Some(o) = overrides {
        apply_agent_overrides(&mut snapshot, o, "agent")?;
    }
    let now = st.now();
    let core = SessionCore {
        session_id: st.new_id(prefix::SESSION),
        thread_id: st.new_id(prefix::THREAD),
        environment_id,
        agent: snapshot,
        title: json!(title),
        metadata,
        environment_variables,
        resources: res.rendered,
        resource_secrets: res.secrets,
        deployment_id,
        vault_ids,
        memory_store_ids,
        budget,
        status: Status::Idle,
        turn_status: TurnStatus::Idle,
        archived_at: None,
        created_us: now,
        updated_us: now,
        deleted: false,
        usage: Usage::default(),
        active_us: 0,
        running_since: None,
        outcome_evaluations: Vec::new(),
        thread_archived_at: None,
        log: EventLog::default(),
        queue: VecDeque::new(),
        blocked: None,
        busy: false,
        worker_running: false,
        turn_active: false,
        cancel: CancellationToken::new(),
        current_turn: None,
        self_hosted,
        step_delay: st.config.turn_step_delay,
    };
    let inputs = validate_batch(&initial, &core, "initial_events", &["user.message", "user.define_outcome"])?;
    let sess = Session::new(core);
    store.sessions.insert(sess.id.clone(), sess.clone());
    drop(store);
    st.stats.count_objects("session", 1);
    let out = sess.with(|c| {
        if !inputs.is_empty() {
            apply_batch(st, &sess, c, inputs);
        }
        c.render(st.now())
    });
    Ok((sess, out))
}

/// `GET /sessions/{session_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    let now = ctx.state.now();
    Ok(Reply::ok(&sess.with(|c| c.render(now))))
}

/// `GET /sessions`
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let page = PageRequest::parse(q)?;
    let order = Order::parse(q, Order::Desc)?;
    let include_archived = q.bool("include_archived")?.unwrap_or(false);
    let range = TimeRange::parse(q, "created_at")?;
    let statuses = q.list("statuses");
    if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(&s.as_str())) {
        return Err(ApiError::param(
            "statuses",
            format!("statuses must be among {}, got '{bad}'", STATUSES.join(", ")),
        ));
    }
    let agent_id = q.get("agent_id").map(str::to_string);
    let agent_version = q.int("agent_version")?;
    let deployment_id = q.get("deployment_id");
    let memory_store_id = q.get("memory_store_id").map(str::to_string);
    let now = ctx.state.now();
    // Render every session once (under each session's lock), then page.
    let rendered: Vec<(String, Value)> =
        ctx.state.store().sessions.values().map(|s| (s.id.clone(), s.with(|c| c.render(now)))).collect();
    let keep = |(_, v): &(String, Value)| {
        let created = v["created_at"].as_str().and_then(crate::clock::parse_rfc3339).unwrap_or_default();
        (include_archived || v["archived_at"].is_null())
            && (statuses.is_empty() || statuses.iter().any(|s| v["status"] == s.as_str()))
            && none_or(agent_id.as_deref(), |a| v["agent_id"] == a)
            && none_or(agent_version, |n| v["agent"]["version"] == n)
            && none_or(deployment_id, |d| v["deployment_id"] == d)
            && none_or(memory_store_id.as_deref(), |m| {
                v["memory_store_ids"].as_array().is_some_and(|a| a.iter().any(|x| x == m))
            })
            && range.contains(created)
    };
    let sel = select(&rendered, |(id, _)| id.clone(), keep, order, &page);
    let body = sel.envelope(|(_, v)| v.to_string(), |(id, _)| id.clone(), |(id, _)| id.clone());
    Ok(Reply::raw_json(http::StatusCode::OK, body))
}

/// `POST /sessions/{session_id}`: emits `session.updated` with the changed fields.
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let st = &ctx.state;
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let sess = session_or_404(ctx, ctx.param(0))?;
    let out = sess.with(|c| -> ApiResult<Value> {
        let mut changed = Obj::new();
        let mut next_title = None;
        if f.get("title").is_some() {
            let t = json!(f.opt_str("title", 1000)?.unwrap_or(""));
            changed.insert("title".into(), t.clone());
            next_title = Some(t);
        }
        let mut metadata = c.metadata.clone();
        if metadata_patch(&mut metadata, f.get("metadata"), "metadata")? {
            changed.insert("metadata".into(), Value::Object(metadata.clone()));
        }
        let mut agent = c.agent.clone();
        if let Some(o) = f.opt_object("agent")? {
            if c.busy {
                return Err(ApiError::conflict(format!(
                    "Session '{}' is running; its agent can only be updated while idle.",
                    c.session_id
                )));
            }
            if apply_agent_overrides(&mut agent, o, "agent")? {
                changed.insert("agent".into(), Value::Object(agent.clone()));
            }
        }
        let mut env_vars = c.environment_variables.clone();
        if let Some(v) = f.opt_object("environment_variables")? {
            for (k, val) in v {
                match val {
                    Value::Null => drop(env_vars.remove(k)),
                    Value::String(_) => drop(env_vars.insert(k.clone(), val.clone())),
                    _ => {
                        return Err(ApiError::param(
                            format!("environment_variables.{k}"),
                            "environment_variables values must be strings",
                        ))
                    }
                }
            }
        }
        let next_budget = if f.get("budget").is_some() { Some(budget(f.get("budget"), "budget")?) } else { None };
        if let Some(b) = &next_budget {
            changed.insert("budget".into(), b.clone());
        }
        let next_vaults =
            if f.get("vault_ids").is_some() { Some(string_list(f.get("vault_ids"), "vault_ids")?) } else { None };
        // All validated: apply.
        let now = st.now();
        if let Some(t) = next_title {
            c.title = t;
        }
        c.metadata = metadata;
        c.agent = agent;
        c.environment_variables = env_vars;
        if let Some(b) = next_budget {
            c.budget = b;
        }
        if let Some(v) = next_vaults {
            c.vault_ids = v;
        }
        c.updated_us = now;
        if !changed.is_empty() && !c.deleted {
            c.append_event(st, "session.updated", changed, true, None);
        }
        Ok(c.render(now))
    })?;
    Ok(Reply::ok(&out))
}

/// `DELETE /sessions/{session_id}`: tombstone; open streams get `session.deleted`.
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let st = &ctx.state;
    let id = ctx.param(0);
    let sess = st.store().sessions.remove(id).ok_or_else(|| ApiError::not_found("Session", id))?;
    sess.with(|c| {
        c.cancel.cancel();
        c.queue.clear();
        c.blocked = None;
        c.emit(st, "session.deleted", json!({}));
        c.deleted = true;
    });
    Ok(Reply::ok(&json!({"id": id, "type": "session_deleted"})))
}

/// `POST /sessions/{session_id}/archive` (status unchanged).
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    let now = ctx.state.now();
    Ok(Reply::ok(&sess.with(|c| {
        c.archived_at.get_or_insert(now);
        c.updated_us = now;
        c.render(now)
    })))
}

/// `POST /sessions/{session_id}/cancel`: 202 when a turn runs, 200 when idle.
pub fn cancel(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    let running = sess.with(|c| stop_current(&ctx.state, c, true));
    let status = if running { http::StatusCode::ACCEPTED } else { http::StatusCode::OK };
    Ok(Reply::json(status, &json!({"id": sess.id, "type": "session", "status": "canceling"})))
}

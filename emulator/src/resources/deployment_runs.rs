//! Deployment runs (docs/api-contract.md §3.11, §4.11). A run creates a real session
//! from the deployment's pinned agent, environment, resources, vaults,
//! budget and environment variables (`deployment_id` set, title = the
//! deployment name), then posts its `initial_events`. If the session cannot
//! be created (e.g. the environment was archived) the run is still recorded,
//! with `session_id: null` and `error: {type, message}`.

use std::sync::Arc;

use serde_json::{json, Value};

use super::deployments::{DeploymentRun, INITIAL_TYPES};
use super::event_input::validate_batch;
use super::events::apply_batch;
use super::sessions::create_session;
use crate::body::Reply;
use crate::clock::format_rfc3339;
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::query::TimeRange;
use crate::state::AppState;
use crate::validate::{none_or, Obj};

/// Starts a run; `scheduled` runs (control endpoint) are refused while paused.
pub fn start_run(st: &Arc<AppState>, deployment_id: &str, scheduled: bool) -> ApiResult<Value> {
    let (config, agent) = {
        let store = st.store();
        let d = store.deployments.get(deployment_id).ok_or_else(|| ApiError::not_found("Deployment", deployment_id))?;
        if d.archived_at.is_some() {
            return Err(ApiError::conflict(format!("Deployment '{deployment_id}' is archived and cannot run.")));
        }
        if scheduled && d.status == "paused" {
            return Err(ApiError::conflict(format!(
                "Deployment '{deployment_id}' is paused; scheduled runs are skipped."
            )));
        }
        (d.config.clone(), d.config["agent"].clone())
    };
    let mut body = Obj::new();
    body.insert("agent".into(), agent.clone());
    for k in ["environment_id", "resources", "vault_ids", "budget"] {
        if let Some(v) = config.get(k).filter(|v| !v.is_null()) {
            body.insert(k.into(), v.clone());
        }
    }
    if let Some(ev @ Value::Object(_)) = config.get("environment_variables") {
        body.insert("environment_variables".into(), ev.clone());
    }
    body.insert("title".into(), config.get("name").cloned().unwrap_or(Value::Null));
    let events = config.get("initial_events").and_then(Value::as_array).cloned().unwrap_or_default();
    let outcome = create_session(st, &body, Some(deployment_id.to_string())).and_then(|(sess, _)| {
        sess.with(|c| {
            let inputs = validate_batch(&events, c, "initial_events", &INITIAL_TYPES)?;
            apply_batch(st, &sess, c, inputs);
            Ok(sess.id.clone())
        })
    });
    let (session_id, error) = match outcome {
        Ok(id) => (json!(id), Value::Null),
        Err(e) => (Value::Null, json!({"type": e.kind, "message": e.message})),
    };
    let now = st.now();
    let trigger = if scheduled {
        json!({"type": "schedule", "scheduled_at": format_rfc3339(now)})
    } else {
        json!({"type": "manual"})
    };
    let id = st.new_id(prefix::DEPLOYMENT_RUN);
    let obj = json!({
        "id": id, "type": "deployment_run", "deployment_id": deployment_id, "agent": agent,
        "session_id": session_id, "trigger_context": trigger, "error": error, "created_at": format_rfc3339(now),
    });
    let mut store = st.store();
    if let Some(d) = store.deployments.get_mut(deployment_id) {
        d.last_run_us = Some(now);
    }
    store.deployment_runs.insert(
        id.clone(),
        DeploymentRun { id, deployment_id: deployment_id.to_string(), obj: obj.clone(), created_us: now },
    );
    drop(store);
    st.stats.count_objects("deployment_run", 1);
    Ok(obj)
}

/// `POST /deployments/{deployment_id}/run`: manual trigger (allowed while paused); 201.
pub fn run(ctx: &Ctx) -> ApiResult<Reply> {
    Ok(Reply::created(&start_run(&ctx.state, ctx.param(0), false)?))
}

/// `GET /deployments/{deployment_id}/runs` (`triggered_after`, `triggered_before`).
pub fn list_for_deployment(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let after = q.timestamp("triggered_after")?;
    let before = q.timestamp("triggered_before")?;
    let store = ctx.state.store();
    let dep = ctx.param(0);
    if !store.deployments.contains_key(dep) {
        return Err(ApiError::not_found("Deployment", dep));
    }
    let runs: Vec<&DeploymentRun> = store.deployment_runs.values().filter(|r| r.deployment_id == dep).collect();
    list_reply(
        q,
        &runs,
        |r| r.id.clone(),
        |r| none_or(after, |t| r.created_us > t) && none_or(before, |t| r.created_us < t),
        |r| r.obj.clone(),
        Order::Desc,
    )
}

/// `GET /deployments/{deployment_id}/runs/{run_id}`
pub fn retrieve_for_deployment(ctx: &Ctx) -> ApiResult<Reply> {
    let store = ctx.state.store();
    if !store.deployments.contains_key(ctx.param(0)) {
        return Err(ApiError::not_found("Deployment", ctx.param(0)));
    }
    let r = store
        .deployment_runs
        .get(ctx.param(1))
        .filter(|r| r.deployment_id == ctx.param(0))
        .ok_or_else(|| ApiError::not_found("Deployment run", ctx.param(1)))?;
    Ok(Reply::ok(&r.obj))
}

/// `GET /deployment_runs` (`deployment_id`, `has_error`, `trigger_type`, `created_at[...]`).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let dep = q.get("deployment_id");
    let has_error = q.bool("has_error")?;
    let trigger = q.one_of("trigger_type", &["schedule", "manual"])?;
    let range = TimeRange::parse(q, "created_at")?;
    let store = ctx.state.store();
    let runs: Vec<&DeploymentRun> = store.deployment_runs.values().collect();
    list_reply(
        q,
        &runs,
        |r| r.id.clone(),
        |r| {
            none_or(dep, |d| r.deployment_id == d)
                && none_or(has_error, |h| h != r.obj["error"].is_null())
                && none_or(trigger.as_deref(), |t| r.obj["trigger_context"]["type"] == t)
                && range.contains(r.created_us)
        },
        |r| r.obj.clone(),
        Order::Desc,
    )
}

/// `GET /deployment_runs/{deployment_run_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let store = ctx.state.store();
    let r =
        store.deployment_runs.get(ctx.param(0)).ok_or_else(|| ApiError::not_found("Deployment run", ctx.param(0)))?;
    Ok(Reply::ok(&r.obj))
}

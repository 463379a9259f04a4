//! Self-hosted environment work (docs/api-contract.md §3.2, §4.4, §7.4).
//!
//! A `user.message` (or `user.define_outcome`) on a session in a
//! `self_hosted` environment enqueues one Work item for the session
//! (`data: {id: <session>, type: "session"}`) unless the session already has
//! one that is not `stopped`. States: `queued` → (`ack`) `acknowledged` →
//! (first heartbeat) `running` → (`stop`) `stopping` → (`stop` again or
//! `force`) `stopped`; stopping a `queued` item stops it at once.
//!
//! `poll` hands out the oldest queued item not yet handed out (it stays
//! `queued` until acked), waiting up to `block_ms` (capped at 30 s) and
//! answering 204 when none shows up. With `reclaim_older_than_ms=N` it also
//! hands out items polled but not acked for ≥ N ms, and active items whose
//! last heartbeat/ack is ≥ N ms old (those go back to `queued`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::body::Reply;
use crate::clock::{format_rfc3339, parse_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::session::ts_or_null;
use crate::state::AppState;
use crate::validate::{metadata_patch, Fields, Obj};

/// Longest accepted `block_ms`.
pub const MAX_BLOCK_MS: i64 = 30_000;

/// One work item.
#[derive(Debug, Clone)]
pub struct Work {
    id: String,
    environment_id: String,
    session_id: String,
    state: &'static str,
    metadata: Obj,
    secret: String,
    created_us: Micros,
    acknowledged_us: Option<Micros>,
    started_us: Option<Micros>,
    heartbeat_us: Option<Micros>,
    stop_requested_us: Option<Micros>,
    stopped_us: Option<Micros>,
    leased_us: Option<Micros>,
    ttl_seconds: i64,
}

impl Work {
    fn render(&self) -> Value {
        json!({
            "id": self.id, "type": "work", "environment_id": self.environment_id, "state": self.state,
            "data": {"id": self.session_id, "type": "session"}, "metadata": Value::Object(self.metadata.clone()),
            "secret": self.secret, "created_at": format_rfc3339(self.created_us),
            "acknowledged_at": ts_or_null(self.acknowledged_us), "started_at": ts_or_null(self.started_us),
            "latest_heartbeat_at": ts_or_null(self.heartbeat_us), "stop_requested_at": ts_or_null(self.stop_requested_us),
            "stopped_at": ts_or_null(self.stopped_us),
        })
    }
}

#[derive(Debug, Default)]
struct Inner {
    items: BTreeMap<String, Work>,
    polling: HashMap<String, u64>,
}

/// All work queues (one per environment, kept in one map).
#[derive(Debug, Default)]
pub struct WorkQueue {
    inner: Mutex<Inner>,
    notify: Notify,
}

impl WorkQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops every item (reset).
    pub fn clear(&self) {
        self.lock().items.clear();
        self.notify.notify_waiters();
    }

    /// Enqueues work for a session unless it already has unstopped work.
    pub fn enqueue(&self, st: &AppState, environment_id: &str, session_id: &str) {
        let mut q = self.lock();
        if q.items.values().any(|w| w.session_id == session_id && w.state != "stopped") {
            return;
        }
        let id = st.new_id(prefix::WORK);
        let w = Work {
            id: id.clone(),
            environment_id: environment_id.to_string(),
            session_id: session_id.to_string(),
            state: "queued",
            metadata: Obj::new(),
            secret: format!("wsec_{}", uuid::Uuid::new_v4().simple()),
            created_us: st.now(),
            acknowledged_us: None,
            started_us: None,
            heartbeat_us: None,
            stop_requested_us: None,
            stopped_us: None,
            leased_us: None,
            ttl_seconds: 30,
        };
        q.items.insert(id, w);
        drop(q);
        st.stats.count_objects("work", 1);
        self.notify.notify_waiters();
    }
}

fn check_env(ctx: &Ctx) -> ApiResult<String> {
    let id = ctx.param(0);
    ctx.state.store().environments.get(id).map(|e| e.id.clone()).ok_or_else(|| ApiError::not_found("Environment", id))
}

fn with_work<R>(ctx: &Ctx, f: impl FnOnce(&mut Work, Micros) -> ApiResult<R>) -> ApiResult<R> {
    let env = check_env(ctx)?;
    let now = ctx.state.now();
    let mut q = ctx.state.work.lock();
    let w = q
        .items
        .get_mut(ctx.param(1))
        .filter(|w| w.environment_id == env)
        .ok_or_else(|| ApiError::not_found("Work", ctx.param(1)))?;
    f(w, now)
}

fn non_negative(ctx: &Ctx, key: &str, max: i64) -> ApiResult<Option<i64>> {
    match ctx.query.int(key)? {
        Some(v) if v < 0 => Err(ApiError::param(key, format!("{key} must be a non-negative integer, got {v}"))),
        v => Ok(v.map(|v| v.min(max))),
    }
}

/// `GET /environments/{environment_id}/work` (newest first).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let env = check_env(ctx)?;
    let q = ctx.state.work.lock();
    let items: Vec<&Work> = q.items.values().filter(|w| w.environment_id == env).collect();
    list_reply(&ctx.query, &items, |w| w.id.clone(), |_| true, |w| w.render(), Order::Desc)
}

/// `GET /environments/{environment_id}/work/{work_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    with_work(ctx, |w, _| Ok(Reply::ok(&w.render())))
}

/// `POST /environments/{environment_id}/work/{work_id}`: `metadata` (patch).
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    f.req_object("metadata")?;
    with_work(ctx, |w, _| {
        metadata_patch(&mut w.metadata, f.get("metadata"), "metadata")?;
        Ok(Reply::ok(&w.render()))
    })
}

/// `POST /environments/{environment_id}/work/{work_id}/ack`
pub fn ack(ctx: &Ctx) -> ApiResult<Reply> {
    with_work(ctx, |w, now| {
        match w.state {
            "queued" => {
                w.state = "acknowledged";
                w.acknowledged_us = Some(now);
            }
            "acknowledged" | "running" => {}
            s => return Err(ApiError::conflict(format!("Work '{}' is {s} and cannot be acknowledged.", w.id))),
        }
        Ok(Reply::ok(&w.render()))
    })
}

/// `POST /environments/{environment_id}/work/{work_id}/heartbeat`
/// (`desired_ttl_seconds`, `expected_last_heartbeat` compare-and-swap).
pub fn heartbeat(ctx: &Ctx) -> ApiResult<Reply> {
    let ttl = match ctx.query.int("desired_ttl_seconds")? {
        Some(t) if !(1..=86_400).contains(&t) => {
            return Err(ApiError::param(
                "desired_ttl_seconds",
                format!("desired_ttl_seconds must be between 1 and 86400, got {t}"),
            ))
        }
        t => t,
    };
    let expected = match ctx.query.get("expected_last_heartbeat").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(parse_rfc3339(s).ok_or_else(|| {
            ApiError::param(
                "expected_last_heartbeat",
                format!("expected_last_heartbeat must be an RFC 3339 timestamp, got '{s}'"),
            )
        })?),
    };
    with_work(ctx, |w, now| {
        if w.state == "queued" {
            return Err(ApiError::conflict(format!("Work '{}' must be acknowledged before it can heartbeat.", w.id)));
        }
        if let Some(e) = expected {
            if w.heartbeat_us != Some(e) {
                let current = w.heartbeat_us.map(format_rfc3339).unwrap_or_else(|| "none".into());
                return Err(ApiError::conflict(format!(
                    "expected_last_heartbeat does not match; the last heartbeat is {current}."
                ))
                .with_param("expected_last_heartbeat"));
            }
        }
        if let Some(t) = ttl {
            w.ttl_seconds = t;
        }
        let extended = matches!(w.state, "acknowledged" | "running");
        if w.state != "stopped" {
            w.heartbeat_us = Some(now);
        }
        if w.state == "acknowledged" {
            w.state = "running";
            w.started_us = Some(now);
        }
        Ok(Reply::ok(&json!({
            "type": "work_heartbeat", "last_heartbeat": ts_or_null(w.heartbeat_us), "lease_extended": extended,
            "state": w.state, "ttl_seconds": w.ttl_seconds,
        })))
    })
}

/// `POST /environments/{environment_id}/work/{work_id}/stop` (`force`).
pub fn stop(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let force = Fields::new(&body, "").opt_bool("force")?.unwrap_or(false);
    with_work(ctx, |w, now| {
        match w.state {
            "stopped" => {}
            "queued" | "stopping" => w.state = "stopped",
            _ if force => w.state = "stopped",
            _ => {
                w.state = "stopping";
                w.stop_requested_us = Some(now);
            }
        }
        if w.state == "stopped" && w.stopped_us.is_none() {
            w.stop_requested_us.get_or_insert(now);
            w.stopped_us = Some(now);
        }
        Ok(Reply::ok(&w.render()))
    })
}

/// `GET /environments/{environment_id}/work/stats`
pub fn stats(ctx: &Ctx) -> ApiResult<Reply> {
    let env = check_env(ctx)?;
    let q = ctx.state.work.lock();
    let queued: Vec<&Work> = q.items.values().filter(|w| w.environment_id == env && w.state == "queued").collect();
    Ok(Reply::ok(&json!({
        "type": "work_queue_stats",
        "depth": queued.len(),
        "pending": queued.iter().filter(|w| w.leased_us.is_none()).count(),
        "workers_polling": q.polling.get(&env).copied().unwrap_or(0),
        "oldest_queued_at": ts_or_null(queued.iter().map(|w| w.created_us).min()),
    })))
}

fn try_claim(q: &mut Inner, env: &str, reclaim_us: Option<Micros>, now: Micros) -> Option<Value> {
    let old = |t: Option<Micros>| reclaim_us.is_some_and(|r| t.is_some_and(|t| now - t >= r));
    let w = q.items.values_mut().find(|w| {
        w.environment_id == env
            && match w.state {
                "queued" => w.leased_us.is_none() || old(w.leased_us),
                "acknowledged" | "running" => old(w.heartbeat_us.or(w.acknowledged_us)),
                _ => false,
            }
    })?;
    if w.state != "queued" {
        w.state = "queued";
        w.acknowledged_us = None;
        w.started_us = None;
        w.heartbeat_us = None;
    }
    w.leased_us = Some(now);
    Some(w.render())
}

/// `GET /environments/{environment_id}/work/poll` (`block_ms`,
/// `reclaim_older_than_ms`, header `Worker-ID`): the Work, or 204.
pub async fn poll(ctx: &Ctx) -> ApiResult<Reply> {
    let block = non_negative(ctx, "block_ms", MAX_BLOCK_MS)?.unwrap_or(0);
    let reclaim = non_negative(ctx, "reclaim_older_than_ms", i64::MAX / 1000)?.map(|ms| ms * 1000);
    let env = check_env(ctx)?;
    let st = &ctx.state;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(block as u64);
    let mut guard = None;
    loop {
        let notified = st.work.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(w) = try_claim(&mut st.work.lock(), &env, reclaim, st.now()) {
            return Ok(Reply::ok(&w));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Reply::no_content());
        }
        guard.get_or_insert_with(|| Polling::new(st, &env));
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
            _ = st.shutdown.cancelled() => return Ok(Reply::no_content()),
        }
    }
}

/// Counts a blocked poller for `workers_polling` while alive.
struct Polling<'a> {
    st: &'a AppState,
    env: String,
}

impl<'a> Polling<'a> {
    fn new(st: &'a AppState, env: &str) -> Self {
        *st.work.lock().polling.entry(env.to_string()).or_default() += 1;
        Polling { st, env: env.to_string() }
    }
}

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        if let Some(n) = self.st.work.lock().polling.get_mut(&self.env) {
            *n = n.saturating_sub(1);
        }
    }
}

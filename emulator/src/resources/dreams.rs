//! Dreams (docs/api-contract.md §3.12, §4.11): memory consolidation jobs.
//!
//! Status is derived from the emulator clock, so it is deterministic and
//! `clock/advance` fast-forwards it: `pending` for the first 50 ms,
//! `running` until 200 ms after creation, then `completed` (`ended_at` =
//! creation + 200 ms). Directives in `instructions`: `[[hold]]` keeps the dream
//! `running` until cancelled, `[[fail]]` ends it `failed` with an error.
//! On completion a `create_new` dream gets a new memory store
//! (`Dream output <id>`) and both behaviours list their store in `outputs`.
//! `cancel` turns a pending/running dream `canceled` (409 once it ended).

use serde_json::{json, Value};

use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::query::Visible;
use crate::session::ts_or_null;
use crate::state::{AppState, Store};
use crate::validate::{type_name, Fields, Obj};

const PENDING_US: Micros = 50_000;
const DONE_US: Micros = 200_000;
const STATUSES: [&str; 5] = ["pending", "running", "completed", "failed", "canceled"];

/// A stored dream.
#[derive(Debug, Clone)]
pub struct Dream {
    id: String,
    inputs: Vec<Value>,
    instructions: Value,
    model: Value,
    output_behavior: Value,
    hold: bool,
    fail: bool,
    output_store: Option<String>,
    canceled_us: Option<Micros>,
    archived_at: Option<Micros>,
    created_us: Micros,
}

impl Dream {
    fn status(&self, now: Micros) -> &'static str {
        let age = now - self.created_us;
        match self.canceled_us {
            Some(_) => "canceled",
            None if age < PENDING_US => "pending",
            None if self.hold || age < DONE_US => "running",
            None if self.fail => "failed",
            None => "completed",
        }
    }

    fn render(&self, now: Micros) -> Value {
        let status = self.status(now);
        let ended = match status {
            "canceled" => self.canceled_us,
            "completed" | "failed" => Some(self.created_us + DONE_US),
            _ => None,
        };
        let store_id = self
            .output_store
            .clone()
            .or_else(|| self.output_behavior.get("memory_store_id").and_then(Value::as_str).map(str::to_string));
        let outputs = match (status, store_id) {
            ("completed", Some(id)) => json!([{"type": "memory_store", "memory_store_id": id, "files_touched": []}]),
            _ => json!([]),
        };
        let done = status == "completed";
        json!({
            "id": self.id, "type": "dream", "status": status, "inputs": self.inputs, "instructions": self.instructions,
            "model": self.model, "output_behavior": self.output_behavior, "outputs": outputs, "session_id": null,
            "error": if status == "failed" { json!({"type": "dream_failed", "message": "The dream failed ([[fail]] directive)."}) } else { Value::Null },
            "usage": {
                "input_tokens": if done { 1000 * self.inputs.len() } else { 0 }, "output_tokens": if done { 200 } else { 0 },
                "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0,
            },
            "archived_at": ts_or_null(self.archived_at), "created_at": format_rfc3339(self.created_us), "ended_at": ts_or_null(ended),
        })
    }
}

/// Creates the output stores of `create_new` dreams that have completed.
fn settle(st: &AppState, store: &mut Store, now: Micros) {
    let due: Vec<String> = store
        .dreams
        .values()
        .filter(|d| {
            d.output_store.is_none() && d.output_behavior["type"] == "create_new" && d.status(now) == "completed"
        })
        .map(|d| d.id.clone())
        .collect();
    for id in due {
        let (ms, _) = super::memory::insert_store_in(
            store,
            st,
            format!("Dream output {id}"),
            format!("Created by dream {id}."),
            Obj::new(),
        );
        if let Some(d) = store.dreams.get_mut(&id) {
            d.output_store = Some(ms);
        }
    }
}

fn memory_store_ref(store: &Store, f: &Fields<'_>) -> ApiResult<String> {
    let id = f.req_str("memory_store_id", 1, 256)?;
    if !store.memory_stores.contains_key(id) {
        return Err(ApiError::not_found("Memory store", id).with_param(f.param("memory_store_id")));
    }
    Ok(id.to_string())
}

/// `POST /dreams`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let st = &ctx.state;
    let mut store = st.store();
    let raw_inputs = f.opt_array("inputs", 100)?.ok_or_else(|| ApiError::missing("inputs"))?;
    if raw_inputs.is_empty() {
        return Err(ApiError::param("inputs", "inputs must contain at least one input"));
    }
    let mut inputs = Vec::new();
    for (i, v) in raw_inputs.iter().enumerate() {
        let m = v.as_object().ok_or_else(|| ApiError::param(format!("inputs[{i}]"), "each input must be an object"))?;
        let p = format!("inputs[{i}].");
        let inf = Fields::new(m, &p);
        match inf.req_enum("type", &["memory_store", "sessions"])? {
            "memory_store" => {
                inputs.push(json!({"type": "memory_store", "memory_store_id": memory_store_ref(&store, &inf)?}))
            }
            _ => {
                let ids = inf
                    .opt_array("session_ids", 100)?
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| ApiError::missing(&inf.param("session_ids")))?;
                for (j, s) in ids.iter().enumerate() {
                    let sid = s.as_str().ok_or_else(|| {
                        ApiError::param(format!("{p}session_ids[{j}]"), "session ids must be strings")
                    })?;
                    if !store.sessions.contains_key(sid) {
                        return Err(ApiError::not_found("Session", sid).with_param(format!("{p}session_ids[{j}]")));
                    }
                }
                inputs.push(json!({"type": "sessions", "session_ids": ids}));
            }
        }
    }
    let model = match f.get("model") {
        None | Some(Value::Null) => return Err(ApiError::missing("model")),
        Some(Value::String(s)) if !s.is_empty() => json!({"id": s, "speed": "standard"}),
        Some(Value::Object(m)) => {
            let mf = Fields::new(m, "model.");
            json!({"id": mf.req_str("id", 1, 256)?, "speed": mf.opt_enum("speed", &["standard", "fast"])?.unwrap_or("standard")})
        }
        Some(o) => {
            return Err(ApiError::param("model", format!("model must be a string or an object, got {}", type_name(o))))
        }
    };
    let instructions = f.opt_str("instructions", 100_000)?;
    let output_behavior = match f.opt_object("output_behavior")? {
        None => json!({"type": "create_new"}),
        Some(m) => {
            let of = Fields::new(m, "output_behavior.");
            match of.req_enum("type", &["create_new", "update_existing"])? {
                "create_new" => json!({"type": "create_new"}),
                _ => json!({"type": "update_existing", "memory_store_id": memory_store_ref(&store, &of)?}),
            }
        }
    };
    let d = Dream {
        id: st.new_id(prefix::DREAM),
        inputs,
        hold: instructions.is_some_and(|i| i.contains("[[hold]]")),
        fail: instructions.is_some_and(|i| i.contains("[[fail]]")),
        instructions: instructions.map_or(Value::Null, |s| json!(s)),
        model,
        output_behavior,
        output_store: None,
        canceled_us: None,
        archived_at: None,
        created_us: st.now(),
    };
    let out = d.render(st.now());
    store.dreams.insert(d.id.clone(), d);
    drop(store);
    st.stats.count_objects("dream", 1);
    Ok(Reply::created(&out))
}

fn with_dream(ctx: &Ctx, f: impl FnOnce(&mut Dream, Micros) -> ApiResult<()>) -> ApiResult<Reply> {
    let st = &ctx.state;
    let mut store = st.store();
    let now = st.now();
    settle(st, &mut store, now);
    let d = store.dreams.get_mut(ctx.param(0)).ok_or_else(|| ApiError::not_found("Dream", ctx.param(0)))?;
    f(d, now)?;
    Ok(Reply::ok(&d.render(now)))
}

/// `GET /dreams/{dream_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    with_dream(ctx, |_, _| Ok(()))
}

/// `POST /dreams/{dream_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    with_dream(ctx, |d, now| {
        d.archived_at.get_or_insert(now);
        Ok(())
    })
}

/// `POST /dreams/{dream_id}/cancel`
pub fn cancel(ctx: &Ctx) -> ApiResult<Reply> {
    with_dream(ctx, |d, now| match d.status(now) {
        "pending" | "running" => {
            d.canceled_us = Some(now);
            Ok(())
        }
        "canceled" => Ok(()),
        s => Err(ApiError::conflict(format!("Dream '{}' is {s} and can no longer be cancelled.", d.id))),
    })
}

/// `GET /dreams` (`statuses[]`, `include_archived`, `created_at[...]`; newest first).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let statuses = q.list("statuses");
    if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(&s.as_str())) {
        return Err(ApiError::param(
            "statuses",
            format!("statuses must be among {}, got '{bad}'", STATUSES.join(", ")),
        ));
    }
    let visible = Visible::parse(q)?;
    let st = &ctx.state;
    let mut store = st.store();
    let now = st.now();
    settle(st, &mut store, now);
    let dreams: Vec<&Dream> = store.dreams.values().collect();
    list_reply(
        q,
        &dreams,
        |d| d.id.clone(),
        |d| {
            visible.keeps(&d.archived_at, d.created_us)
                && (statuses.is_empty() || statuses.iter().any(|s| s == d.status(now)))
        },
        |d| d.render(now),
        Order::Desc,
    )
}

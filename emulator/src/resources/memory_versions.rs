//! Memory versions (docs/api-contract.md §3.9, §4.10): the history of a store's memories,
//! newest first, with redaction. Redacting nulls `content`, `path` and
//! `content_sha256` and sets `redacted_at`/`redacted_by`; repeating it
//! returns the same object.

use serde_json::Value;

use super::memories::view_full;
use super::memory::{actor, store_mut, MemoryVersion};
use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::{list_reply, Order};
use crate::query::TimeRange;
use crate::validate::none_or;

fn actor_field<'a>(v: &'a MemoryVersion, key: &str) -> Option<&'a str> {
    v.created_by.get(key).and_then(Value::as_str)
}

/// `GET /memory_stores/{memory_store_id}/memory_versions` (`memory_id`,
/// `operation`, `session_id`, `api_key_id`, `service_account_id`,
/// `created_at[...]`, `view` basic (default) | full).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let full = view_full(ctx, false)?;
    let operation = q.one_of("operation", &["created", "modified", "deleted"])?;
    let memory_id = q.get("memory_id");
    let session_id = q.get("session_id");
    let api_key_id = q.get("api_key_id");
    let service_account_id = q.get("service_account_id");
    let range = TimeRange::parse(q, "created_at")?;
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    let versions: Vec<&MemoryVersion> = ms.versions.values().collect();
    list_reply(
        q,
        &versions,
        |v| v.id.clone(),
        |v| {
            none_or(operation.as_deref(), |o| v.operation == o)
                && none_or(memory_id, |m| v.memory_id == m)
                && none_or(session_id, |s| actor_field(v, "session_id") == Some(s))
                && none_or(api_key_id, |k| actor_field(v, "api_key_id") == Some(k))
                && none_or(service_account_id, |k| actor_field(v, "service_account_id") == Some(k))
                && range.contains(v.created_us)
        },
        |v| ms.render_version(v, full),
        Order::Desc,
    )
}

/// `GET /memory_stores/{memory_store_id}/memory_versions/{memory_version_id}` (`view`, default full).
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let full = view_full(ctx, true)?;
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    let v = ms.versions.get(ctx.param(1)).ok_or_else(|| ApiError::not_found("Memory version", ctx.param(1)))?;
    Ok(Reply::ok(&ms.render_version(v, full)))
}

/// `POST /memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact`
pub fn redact(ctx: &Ctx) -> ApiResult<Reply> {
    let now = ctx.state.now();
    let by = actor(ctx);
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    let v = ms.versions.get_mut(ctx.param(1)).ok_or_else(|| ApiError::not_found("Memory version", ctx.param(1)))?;
    if v.redacted_at.is_none() {
        v.content = None;
        v.path = None;
        v.sha256 = None;
        v.redacted_at = Some(now);
        v.redacted_by = by;
    }
    let v = v.clone();
    Ok(Reply::ok(&ms.render_version(&v, true)))
}

//! Session threads (docs/api-contract.md §3.4, §4.5). Single-agent sessions expose one
//! primary thread whose events mirror the session's.

use serde_json::Value;

use super::events::session_or_404;
use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::{select, Order, PageRequest};
use crate::session::Session;

/// 404 unless `thread_id` is the session's primary thread.
pub fn check_thread(sess: &Session, thread_id: &str) -> ApiResult<()> {
    let ok = sess.with(|c| c.thread_id == thread_id && !c.deleted);
    if ok {
        Ok(())
    } else {
        Err(ApiError::not_found("Session thread", thread_id))
    }
}

/// `GET /sessions/{session_id}/threads`
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let page = PageRequest::parse(&ctx.query)?;
    let sess = session_or_404(ctx, ctx.param(0))?;
    let now = ctx.state.now();
    let thread: Vec<(String, Value)> = vec![sess.with(|c| (c.thread_id.clone(), c.render_thread(now)))];
    let sel = select(&thread, |(id, _)| id.clone(), |_| true, Order::Asc, &page);
    let body = sel.envelope(|(_, v)| v.to_string(), |(id, _)| id.clone(), |(id, _)| id.clone());
    Ok(Reply::raw_json(http::StatusCode::OK, body))
}

/// `GET /sessions/{session_id}/threads/{thread_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    check_thread(&sess, ctx.param(1))?;
    let now = ctx.state.now();
    Ok(Reply::ok(&sess.with(|c| c.render_thread(now))))
}

/// `POST /sessions/{session_id}/threads/{thread_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let sess = session_or_404(ctx, ctx.param(0))?;
    check_thread(&sess, ctx.param(1))?;
    let now = ctx.state.now();
    Ok(Reply::ok(&sess.with(|c| {
        c.thread_archived_at.get_or_insert(now);
        c.render_thread(now)
    })))
}

//! Memories (docs/api-contract.md §3.9, §4.10, §2.4): path-addressed entries of a memory
//! store with a `content_sha256` precondition. Every content or path change
//! appends a MemoryVersion (`created` / `modified` / `deleted`).
//!
//! Paths are stored verbatim (with or without a leading `/`) and compared
//! without it. Lists are ordered by path (ascending, `order=desc` allowed) and
//! the page cursor is a path; `after_id`/`before_id` may also name a memory.
//! With `depth=N`, entries more than N segments below `path_prefix` collapse
//! into `{type:"memory_prefix", path:"<prefix>/"}` items.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::memory::{check_path, path_key, record, sha256_hex, store_mut, Memory, MemoryStore};
use crate::body::Reply;
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{select, Cursor, Order, PageRequest};
use crate::validate::{metadata_create, metadata_patch, type_name, Fields};

/// Largest memory content (100 KiB).
pub const MAX_CONTENT: usize = 100 * 1024;

/// Reads `view` (`basic`/`full`); `default_full` for single-object endpoints.
pub fn view_full(ctx: &Ctx, default_full: bool) -> ApiResult<bool> {
    Ok(match ctx.query.one_of("view", &["basic", "full"])?.as_deref() {
        Some("full") => true,
        Some(_) => false,
        None => default_full,
    })
}

fn content(f: &Fields<'_>, required: bool) -> ApiResult<Option<String>> {
    let c = match f.get("content") {
        None if required => return Err(ApiError::missing("content")),
        None => return Ok(None),
        Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(ApiError::param("content", format!("content must be a string, got {}", type_name(v)))),
    };
    if c.len() > MAX_CONTENT {
        return Err(ApiError::param(
            "content",
            format!("content must be at most {MAX_CONTENT} bytes, got {}", c.len()),
        ));
    }
    Ok(Some(c))
}

fn path_taken(ms: &MemoryStore, path: &str, except: Option<&str>) -> ApiResult<()> {
    if ms.memories.values().any(|m| path_key(&m.path) == path_key(path) && Some(m.id.as_str()) != except) {
        return Err(ApiError::conflict(format!("A memory already exists at path '{path}'.")).with_param("path"));
    }
    Ok(())
}

fn memory_of<'a>(ms: &'a MemoryStore, id: &str) -> ApiResult<&'a Memory> {
    ms.memories.get(id).ok_or_else(|| ApiError::not_found("Memory", id))
}

fn precondition(expected: Option<&str>, m: &Memory, param: &str) -> ApiResult<()> {
    match expected {
        Some(e) if !e.eq_ignore_ascii_case(&m.sha256) => Err(ApiError::conflict(format!(
            "content_sha256 precondition failed: the memory's current content hash is {}, not {e}.",
            m.sha256
        ))
        .with_param(param)
        .with_code("precondition_failed")),
        _ => Ok(()),
    }
}

/// `POST /memory_stores/{memory_store_id}/memories`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let full = view_full(ctx, true)?;
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let path = check_path(&f)?;
    let content = content(&f, true)?.unwrap_or_default();
    let metadata = metadata_create(f.get("metadata"), "metadata")?;
    let st = &ctx.state;
    let mut store = st.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    ms.ensure_writable()?;
    path_taken(ms, &path, None)?;
    let now = st.now();
    let sha256 = sha256_hex(&content);
    let mut m = Memory {
        id: st.new_id(prefix::MEMORY),
        path,
        content,
        sha256,
        metadata,
        version_id: String::new(),
        created_us: now,
        updated_us: now,
    };
    record(&mut ms.versions, ctx, &mut m, "created");
    ms.updated_us = now;
    let out = ms.render_memory(&m, full);
    ms.memories.insert(m.id.clone(), m);
    drop(store);
    st.stats.count_objects("memory", 1);
    Ok(Reply::created(&out))
}

/// `GET /memory_stores/{memory_store_id}/memories/{memory_id}` (`view`, default full).
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let full = view_full(ctx, true)?;
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    let m = memory_of(ms, ctx.param(1))?;
    Ok(Reply::ok(&ms.render_memory(m, full)))
}

/// `POST /memory_stores/{memory_store_id}/memories/{memory_id}`: `content`,
/// `path` (rename), `metadata` (patch), `content_sha256` / `precondition`.
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let full = view_full(ctx, true)?;
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let mut expected = f.opt_str("content_sha256", 64)?.map(str::to_string);
    if let Some(p) = f.opt_object("precondition")? {
        let pf = Fields::new(p, "precondition.");
        pf.req_enum("type", &["content_sha256"])?;
        let h = pf.req_str("content_sha256", 1, 64)?.to_string();
        expected.get_or_insert(h);
    }
    let new_content = content(&f, false)?;
    let new_path = if f.get("path").is_some_and(|v| !v.is_null()) { Some(check_path(&f)?) } else { None };
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    ms.ensure_writable()?;
    let mut m = memory_of(ms, ctx.param(1))?.clone();
    precondition(expected.as_deref(), &m, "content_sha256")?;
    if let Some(p) = &new_path {
        path_taken(ms, p, Some(&m.id))?;
    }
    metadata_patch(&mut m.metadata, f.get("metadata"), "metadata")?;
    let mut changed = false;
    if let Some(c) = new_content.filter(|c| *c != m.content) {
        m.sha256 = sha256_hex(&c);
        m.content = c;
        changed = true;
    }
    if let Some(p) = new_path.filter(|p| *p != m.path) {
        m.path = p;
        changed = true;
    }
    let now = ctx.state.now();
    m.updated_us = now;
    if changed {
        record(&mut ms.versions, ctx, &mut m, "modified");
    }
    ms.updated_us = now;
    let out = ms.render_memory(&m, full);
    ms.memories.insert(m.id.clone(), m);
    Ok(Reply::ok(&out))
}

/// `DELETE /memory_stores/{memory_store_id}/memories/{memory_id}` (`expected_content_sha256`).
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let expected = ctx.query.get("expected_content_sha256").map(str::to_string);
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    ms.ensure_writable()?;
    let mut m = memory_of(ms, ctx.param(1))?.clone();
    precondition(expected.as_deref(), &m, "expected_content_sha256")?;
    record(&mut ms.versions, ctx, &mut m, "deleted");
    ms.memories.remove(&m.id);
    ms.updated_us = ctx.state.now();
    Ok(Reply::ok(&json!({"id": m.id, "type": "memory_deleted"})))
}

/// A list entry: a memory or a collapsed directory.
enum Item<'a> {
    Memory(&'a Memory),
    Prefix(String),
}

/// `GET /memory_stores/{memory_store_id}/memories` (`path_prefix`, `depth`,
/// `view` basic (default) | full — full pages hold at most 20 items).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let full = view_full(ctx, false)?;
    let mut page = PageRequest::parse(q)?;
    let order = Order::parse(q, Order::Asc)?;
    let depth = match q.int("depth")? {
        Some(d) if !(0..=1024).contains(&d) => {
            return Err(ApiError::param("depth", format!("depth must be between 0 and 1024, got {d}")))
        }
        d => d.map(|d| d as usize),
    };
    if full {
        page.limit = page.limit.min(20);
    }
    let prefix_raw = q.get("path_prefix").unwrap_or("");
    let prefix = path_key(prefix_raw);
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    // Cursors naming a memory id are translated to that memory's path.
    if let Cursor::After(k) | Cursor::Before(k) = &mut page.cursor {
        if let Some(m) = ms.memories.get(k.as_str()) {
            *k = path_key(&m.path).to_string();
        }
    }
    let mut items: BTreeMap<String, Item<'_>> = BTreeMap::new();
    for m in ms.memories.values() {
        let key = path_key(&m.path);
        let Some(rest) = key.strip_prefix(prefix) else { continue };
        let segs: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
        match depth {
            Some(d) if segs.len() > d => {
                // Keep the prefix text, then the first `d` segments below it.
                let below = rest.len() - rest.trim_start_matches('/').len();
                let cut: usize = segs[..d].iter().map(|s| s.len() + 1).sum::<usize>() + below;
                let dir = format!("{}{}", &key[..prefix.len()], &rest[..cut.min(rest.len())]);
                let dir = if dir.ends_with('/') || dir.is_empty() { dir } else { format!("{dir}/") };
                let shown = if m.path.starts_with('/') { format!("/{dir}") } else { dir.clone() };
                items.entry(dir).or_insert(Item::Prefix(shown));
            }
            _ => {
                items.insert(key.to_string(), Item::Memory(m));
            }
        }
    }
    let items: Vec<(String, Item<'_>)> = items.into_iter().collect();
    let sel = select(&items, |(k, _)| k.clone(), |_| true, order, &page);
    let body = sel.envelope(
        |(_, it)| match it {
            Item::Memory(m) => ms.render_memory(m, full).to_string(),
            Item::Prefix(p) => json!({"type": "memory_prefix", "path": p}).to_string(),
        },
        |(k, it)| match it {
            Item::Memory(m) => m.id.clone(),
            Item::Prefix(_) => k.clone(),
        },
        |(k, _)| k.clone(),
    );
    Ok(Reply::raw_json(http::StatusCode::OK, body))
}

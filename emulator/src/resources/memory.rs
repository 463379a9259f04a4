//! Memory stores (docs/api-contract.md §3.9, §4.10) and the shared memory model. Each
//! store owns its memories (`memories.rs`) and their version history
//! (`memory_versions.rs`); deleting a store drops both.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::query::Visible;
use crate::session::ts_or_null;
use crate::state::Store;
use crate::validate::{metadata_create, metadata_patch, none_or, Fields, Obj};

/// A memory (one file-like entry).
#[derive(Debug, Clone)]
pub struct Memory {
    /// `mem_…`.
    pub id: String,
    /// Path as given (with or without a leading `/`).
    pub path: String,
    /// Content.
    pub content: String,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// `metadata`.
    pub metadata: Obj,
    /// Latest version id.
    pub version_id: String,
    /// Creation time.
    pub created_us: Micros,
    /// Last update.
    pub updated_us: Micros,
}

/// One entry of a memory's history.
#[derive(Debug, Clone)]
pub struct MemoryVersion {
    /// `memver_…`.
    pub id: String,
    /// The memory.
    pub memory_id: String,
    /// `created` / `modified` / `deleted`.
    pub operation: &'static str,
    /// Path (None once redacted).
    pub path: Option<String>,
    /// Content (None for deletions and once redacted).
    pub content: Option<String>,
    /// Hash (None for deletions and once redacted).
    pub sha256: Option<String>,
    /// Content size in bytes.
    pub size: usize,
    /// Actor that made the change.
    pub created_by: Value,
    /// Creation time.
    pub created_us: Micros,
    /// Redaction time.
    pub redacted_at: Option<Micros>,
    /// Redacting actor.
    pub redacted_by: Value,
}

/// A memory store with its contents.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    /// `memstore_…`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: String,
    /// `metadata`.
    pub metadata: Obj,
    /// Archive time.
    pub archived_at: Option<Micros>,
    /// Creation time.
    pub created_us: Micros,
    /// Last update.
    pub updated_us: Micros,
    /// Live memories by id.
    pub memories: BTreeMap<String, Memory>,
    /// Every version by id.
    pub versions: BTreeMap<String, MemoryVersion>,
}

impl MemoryStore {
    /// The MemoryStore object.
    pub fn render(&self) -> Value {
        json!({
            "id": self.id, "type": "memory_store", "name": self.name, "description": self.description,
            "metadata": Value::Object(self.metadata.clone()), "status": "active",
            "entry_count": self.memories.len(),
            "total_size": self.memories.values().map(|m| m.content.len()).sum::<usize>(),
            "archived_at": ts_or_null(self.archived_at),
            "created_at": format_rfc3339(self.created_us), "updated_at": format_rfc3339(self.updated_us),
        })
    }

    /// 409 when archived (no writes).
    pub fn ensure_writable(&self) -> ApiResult<()> {
        match self.archived_at {
            Some(_) => Err(ApiError::conflict(format!("Memory store '{}' is archived.", self.id))),
            None => Ok(()),
        }
    }

    /// Renders a memory (content only in the full view).
    pub fn render_memory(&self, m: &Memory, full: bool) -> Value {
        let mut v = json!({
            "id": m.id, "type": "memory", "memory_store_id": self.id, "path": m.path,
            "content_sha256": m.sha256, "content_size_bytes": m.content.len(), "memory_version_id": m.version_id,
            "metadata": Value::Object(m.metadata.clone()),
            "created_at": format_rfc3339(m.created_us), "updated_at": format_rfc3339(m.updated_us),
        });
        if full {
            v.as_object_mut().expect("object").insert("content".into(), json!(m.content));
        }
        v
    }

    /// Renders a version (content only in the full view).
    pub fn render_version(&self, v: &MemoryVersion, full: bool) -> Value {
        let mut out = json!({
            "id": v.id, "type": "memory_version", "memory_id": v.memory_id, "memory_store_id": self.id,
            "operation": v.operation, "path": v.path, "content_sha256": v.sha256, "content_size_bytes": v.size,
            "created_by": v.created_by, "created_at": format_rfc3339(v.created_us),
            "redacted_at": ts_or_null(v.redacted_at), "redacted_by": v.redacted_by,
        });
        if full {
            out.as_object_mut().expect("object").insert("content".into(), json!(v.content));
        }
        out
    }
}

/// Appends a version of `m` to `versions` and makes it the memory's latest.
pub fn record(
    versions: &mut BTreeMap<String, MemoryVersion>,
    ctx: &Ctx,
    m: &mut Memory,
    operation: &'static str,
) -> String {
    let st = &ctx.state;
    let deleted = operation == "deleted";
    let v = MemoryVersion {
        id: st.new_id(prefix::MEMORY_VERSION),
        memory_id: m.id.clone(),
        operation,
        path: Some(m.path.clone()),
        content: (!deleted).then(|| m.content.clone()),
        sha256: (!deleted).then(|| m.sha256.clone()),
        size: if deleted { 0 } else { m.content.len() },
        created_by: actor(ctx),
        created_us: st.now(),
        redacted_at: None,
        redacted_by: Value::Null,
    };
    m.version_id = v.id.clone();
    let id = v.id.clone();
    versions.insert(id.clone(), v);
    st.stats.count_objects("memory_version", 1);
    id
}

/// Hex SHA-256.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The acting principal: a session when `x-emulator-actor-session` names
/// one, else the API key (a stable id derived from the bearer token).
pub fn actor(ctx: &Ctx) -> Value {
    match ctx.header("x-emulator-actor-session").map(str::trim).filter(|s| !s.is_empty()) {
        Some(sid) => json!({"type": "session_actor", "session_id": sid}),
        None => json!({"type": "api_key_actor", "api_key_id": format!("apikey_{}", &sha256_hex(&ctx.token)[..24])}),
    }
}

/// Path comparison key: the path without its leading `/`.
pub fn path_key(p: &str) -> &str {
    p.strip_prefix('/').unwrap_or(p)
}

/// Validates a memory path: 1–1024 bytes, no empty, `.` or `..` segments.
pub fn check_path(f: &Fields<'_>) -> ApiResult<String> {
    let p = f.req_str("path", 1, 1024)?;
    let bad = p.len() > 1024
        || path_key(p).is_empty()
        || path_key(p).split('/').any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        return Err(ApiError::param(
            f.param("path"),
            format!("Invalid memory path '{p}': it needs at least one segment and no empty, '.' or '..' segments."),
        ));
    }
    Ok(p.to_string())
}

/// The store or 404.
pub fn store_mut<'a>(store: &'a mut Store, id: &str) -> ApiResult<&'a mut MemoryStore> {
    store.memory_stores.get_mut(id).ok_or_else(|| ApiError::not_found("Memory store", id))
}

/// `POST /memory_stores`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let name = f.req_str("name", 1, 255)?.to_string();
    let description = f.opt_str("description", 1024)?.unwrap_or("").to_string();
    let metadata = metadata_create(f.get("metadata"), "metadata")?;
    let st = &ctx.state;
    let out = insert_store(st, name, description, metadata);
    Ok(Reply::created(&out))
}

/// Creates a store (also used by dreams) and returns its JSON.
pub fn insert_store_in(
    store: &mut Store,
    st: &crate::state::AppState,
    name: String,
    description: String,
    metadata: Obj,
) -> (String, Value) {
    let now = st.now();
    let ms = MemoryStore {
        id: st.new_id(prefix::MEMORY_STORE),
        name,
        description,
        metadata,
        archived_at: None,
        created_us: now,
        updated_us: now,
        memories: BTreeMap::new(),
        versions: BTreeMap::new(),
    };
    let out = ms.render();
    let id = ms.id.clone();
    store.memory_stores.insert(id.clone(), ms);
    st.stats.count_objects("memory_store", 1);
    (id, out)
}

fn insert_store(st: &crate::state::AppState, name: String, description: String, metadata: Obj) -> Value {
    insert_store_in(&mut st.store(), st, name, description, metadata).1
}

/// `GET /memory_stores/{memory_store_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let mut store = ctx.state.store();
    Ok(Reply::ok(&store_mut(&mut store, ctx.param(0))?.render()))
}

/// `POST /memory_stores/{memory_store_id}`: `name`, `description`, `metadata` (patch).
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    let name =
        if f.get("name").is_some_and(|v| !v.is_null()) { Some(f.req_str("name", 1, 255)?.to_string()) } else { None };
    let description = f.opt_str("description", 1024)?.map(str::to_string);
    let mut metadata = ms.metadata.clone();
    metadata_patch(&mut metadata, f.get("metadata"), "metadata")?;
    if let Some(n) = name {
        ms.name = n;
    }
    if let Some(d) = description {
        ms.description = d;
    }
    ms.metadata = metadata;
    ms.updated_us = now;
    Ok(Reply::ok(&ms.render()))
}

/// `GET /memory_stores` (`include_archived`, `name`, `created_at[...]`; newest first).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let visible = Visible::parse(q)?;
    let name = q.get("name");
    let store = ctx.state.store();
    let stores: Vec<&MemoryStore> = store.memory_stores.values().collect();
    let keep = |m: &&MemoryStore| visible.keeps(&m.archived_at, m.created_us) && none_or(name, |n| m.name == n);
    list_reply(q, &stores, |m| m.id.clone(), keep, |m| m.render(), Order::Desc)
}

/// `DELETE /memory_stores/{memory_store_id}`
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    ctx.state.store().memory_stores.remove(id).ok_or_else(|| ApiError::not_found("Memory store", id))?;
    Ok(Reply::ok(&json!({"id": id, "type": "memory_store_deleted"})))
}

/// `POST /memory_stores/{memory_store_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let ms = store_mut(&mut store, ctx.param(0))?;
    ms.archived_at.get_or_insert(now);
    ms.updated_us = now;
    Ok(Reply::ok(&ms.render()))
}

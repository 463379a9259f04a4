//! Files (docs/api-contract.md §3.6, §4.7): multipart upload, metadata, link-based
//! download through the unauthenticated storage route (`storage.rs`).
//!
//! Deleted files stay in the store as tombstones (`status: "deleted"`, bytes
//! dropped): they are gone from retrieve/list (404) but `/content` answers 410.
//!
//! `downloadable` is true unless `purpose` is `session_resource`. Emulator
//! directives in `metadata` (kept verbatim): `emulator.downloadable` =
//! `"true"|"false"` overrides it, and `emulator.status` = `"processing"` (or
//! any status) makes the file not ready (`/content` and mounting answer 409).

use bytes::Bytes;
use serde_json::{json, Value};

use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::multipart::{guess_mime, Form};
use crate::pagination::{list_reply, Order};
use crate::query::TimeRange;
use crate::validate::{none_or, Obj};

/// Largest accepted file (docs/api-contract.md §1.6: 50 MB per file).
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// How long a download link stays valid.
pub const LINK_TTL_US: Micros = 3600 * 1_000_000;
const PURPOSES: [&str; 5] = ["user_upload", "tool_output", "skill_output", "session_resource", "agent_output"];

/// A stored file.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// `file_…`.
    pub id: String,
    /// The FileMetadata object.
    pub obj: Obj,
    /// Content (emptied on delete).
    pub data: Bytes,
    /// Deleted (tombstone).
    pub deleted: bool,
    /// Creation time.
    pub created_us: Micros,
}

impl StoredFile {
    /// `status` field.
    pub fn status(&self) -> &str {
        self.obj.get("status").and_then(Value::as_str).unwrap_or("ready")
    }

    /// `downloadable` field.
    pub fn downloadable(&self) -> bool {
        self.obj.get("downloadable").and_then(Value::as_bool).unwrap_or(false)
    }

    /// `mime_type` field.
    pub fn mime_type(&self) -> String {
        self.obj.get("mime_type").and_then(Value::as_str).unwrap_or("application/octet-stream").to_string()
    }

    /// `filename` field.
    pub fn filename(&self) -> String {
        self.obj.get("filename").and_then(Value::as_str).unwrap_or("file").to_string()
    }

    fn scope_id(&self) -> Option<&str> {
        self.obj.get("scope").and_then(|s| s.get("id")).and_then(Value::as_str)
    }
}

/// `POST /files` (multipart: `file`, `name`/`filename`, `metadata`,
/// `expires_in_seconds`, `purpose`; emulator extension `scope_id`).
pub fn upload(ctx: &Ctx) -> ApiResult<Reply> {
    let form = Form::parse(ctx.content_type(), &ctx.body)?;
    let part = form.get("file").ok_or_else(|| ApiError::missing("file"))?;
    if part.data.len() > MAX_FILE_BYTES {
        return Err(ApiError::param(
            "file",
            format!("File is too large: {} bytes; the maximum is {MAX_FILE_BYTES} bytes (50 MB).", part.data.len()),
        ));
    }
    let filename = form
        .text("name")
        .or_else(|| form.text("filename"))
        .or_else(|| part.filename.clone().filter(|f| !f.is_empty()))
        .unwrap_or_else(|| "file".to_string());
    if filename.chars().count() > 255 {
        return Err(ApiError::param("name", "The file name must be at most 255 characters."));
    }
    let metadata = form.metadata()?;
    let purpose = form.text("purpose").unwrap_or_else(|| "user_upload".into());
    if !PURPOSES.contains(&purpose.as_str()) {
        return Err(ApiError::param(
            "purpose",
            format!("purpose must be one of {}, got '{purpose}'", PURPOSES.join(", ")),
        ));
    }
    let st = &ctx.state;
    let now = st.now();
    let expires_at = match form.text("expires_in_seconds") {
        None => Value::Null,
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if (1..=10 * 365 * 86_400).contains(&n) => json!(format_rfc3339(now + n * 1_000_000)),
            _ => {
                return Err(ApiError::param(
                    "expires_in_seconds",
                    format!("expires_in_seconds must be a positive integer, got '{s}'"),
                ))
            }
        },
    };
    let mime = part
        .content_type
        .clone()
        .filter(|c| !c.is_empty() && c != "application/octet-stream")
        .unwrap_or_else(|| guess_mime(&filename).to_string());
    let directive = |k: &str| metadata.get(k).and_then(Value::as_str).map(str::to_string);
    let downloadable = match directive("emulator.downloadable").as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => purpose != "session_resource",
    };
    let status = directive("emulator.status").unwrap_or_else(|| "ready".into());
    let mut store = st.store();
    let scope = match form.text("scope_id") {
        None => Value::Null,
        Some(sid) if store.sessions.contains_key(&sid) => json!({"id": sid, "type": "session"}),
        Some(sid) => return Err(ApiError::not_found("Session", &sid).with_param("scope_id")),
    };
    let id = st.new_id(prefix::FILE);
    let ts = format_rfc3339(now);
    let obj = json!({
        "id": id, "type": "file", "filename": filename, "mime_type": mime, "size_bytes": part.data.len(),
        "status": status, "downloadable": downloadable, "purpose": purpose, "scope": scope,
        "metadata": metadata, "expires_at": expires_at, "created_at": ts, "updated_at": ts,
    });
    let file = StoredFile {
        id: id.clone(),
        obj: super::agents::into_obj(obj),
        data: part.data.clone(),
        deleted: false,
        created_us: now,
    };
    let out = Value::Object(file.obj.clone());
    store.files.insert(id, file);
    drop(store);
    st.stats.count_objects("file", 1);
    Ok(Reply::created(&out))
}

/// Looks up a live (not deleted) file.
pub fn live<'a>(files: &'a std::collections::BTreeMap<String, StoredFile>, id: &str) -> ApiResult<&'a StoredFile> {
    files.get(id).filter(|f| !f.deleted).ok_or_else(|| ApiError::not_found("File", id))
}

/// `GET /files/{file_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let store = ctx.state.store();
    let f = live(&store.files, ctx.param(0))?;
    Ok(Reply::ok(&Value::Object(f.obj.clone())))
}

/// `GET /files` (`name`, `scope_id`, `ids[]`, `created_at[...]`; newest first).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let name = q.get("name").map(str::to_string);
    let scope_id = q.get("scope_id").map(str::to_string);
    let ids = q.list("ids");
    let range = TimeRange::parse(q, "created_at")?;
    let store = ctx.state.store();
    let files: Vec<&StoredFile> = store.files.values().collect();
    list_reply(
        q,
        &files,
        |f| f.id.clone(),
        |f| {
            !f.deleted
                && none_or(name.as_deref(), |n| f.filename() == n)
                && none_or(scope_id.as_deref(), |s| f.scope_id() == Some(s))
                && (ids.is_empty() || ids.contains(&f.id))
                && range.contains(f.created_us)
        },
        |f| Value::Object(f.obj.clone()),
        Order::Desc,
    )
}

/// `DELETE /files/{file_id}`: tombstone `file_deleted`.
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let f = store.files.get_mut(id).filter(|f| !f.deleted).ok_or_else(|| ApiError::not_found("File", id))?;
    f.deleted = true;
    f.data = Bytes::new();
    f.obj.insert("status".into(), json!("deleted"));
    f.obj.insert("updated_at".into(), json!(format_rfc3339(now)));
    Ok(Reply::ok(&json!({"id": id, "type": "file_deleted"})))
}

/// Checks that a file can be downloaded: 404 unknown, 410 deleted, 409 not
/// ready, 403 not downloadable.
pub fn check_downloadable(f: Option<&StoredFile>, id: &str) -> ApiResult<()> {
    let f = f.ok_or_else(|| ApiError::not_found("File", id))?;
    if f.deleted {
        return Err(ApiError::new(http::StatusCode::GONE, "not_found_error", format!("File '{id}' has been deleted.")));
    }
    if f.status() != "ready" {
        return Err(ApiError::conflict(format!("File '{id}' is not ready (status '{}').", f.status()))
            .with_code("file_not_ready"));
    }
    if !f.downloadable() {
        return Err(
            ApiError::permission(format!("File '{id}' is not downloadable.")).with_code("file_not_downloadable")
        );
    }
    Ok(())
}

/// `GET /files/{file_id}/content`: `{url, expires_at}`; the URL needs no credentials.
pub fn content(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    check_downloadable(ctx.state.store().files.get(id), id)?;
    let expires = ctx.state.now() + LINK_TTL_US;
    let url = super::storage::signed_url(ctx, id, expires);
    Ok(Reply::ok(&json!({"url": url, "expires_at": format_rfc3339(expires)})))
}

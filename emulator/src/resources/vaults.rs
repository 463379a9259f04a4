//! Vaults (docs/api-contract.md §3.7, §4.8). Credentials live in `credentials.rs`;
//! deleting a vault deletes its credentials.

use serde_json::{json, Value};

use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, Order};
use crate::query::Visible;
use crate::session::ts_or_null;
use crate::state::Store;
use crate::validate::{metadata_create, none_or, Fields, Obj};

/// A stored vault.
#[derive(Debug, Clone)]
pub struct Vault {
    /// `vault_…`.
    pub id: String,
    /// `display_name`.
    pub display_name: String,
    /// `metadata`.
    pub metadata: Obj,
    /// Archive time.
    pub archived_at: Option<Micros>,
    /// Creation time.
    pub created_us: Micros,
    /// Last update.
    pub updated_us: Micros,
}

impl Vault {
    /// The Vault object.
    pub fn render(&self) -> Value {
        json!({
            "id": self.id, "type": "vault", "display_name": self.display_name,
            "metadata": Value::Object(self.metadata.clone()), "status": "active",
            "archived_at": ts_or_null(self.archived_at),
            "created_at": format_rfc3339(self.created_us), "updated_at": format_rfc3339(self.updated_us),
        })
    }
}

/// The vault or 404.
pub fn vault_or_404<'a>(store: &'a Store, id: &str) -> ApiResult<&'a Vault> {
    store.vaults.get(id).ok_or_else(|| ApiError::not_found("Vault", id))
}

/// `POST /vaults`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let display_name = f.req_str("display_name", 1, 255)?.to_string();
    let metadata = metadata_create(f.get("metadata"), "metadata")?;
    let st = &ctx.state;
    let now = st.now();
    let v = Vault {
        id: st.new_id(prefix::VAULT),
        display_name,
        metadata,
        archived_at: None,
        created_us: now,
        updated_us: now,
    };
    let out = v.render();
    st.store().vaults.insert(v.id.clone(), v);
    st.stats.count_objects("vault", 1);
    Ok(Reply::created(&out))
}

/// `GET /vaults/{vault_id}`
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let store = ctx.state.store();
    Ok(Reply::ok(&vault_or_404(&store, ctx.param(0))?.render()))
}

/// `GET /vaults` (`include_archived`, `name` = exact display name, `created_at[...]`).
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let visible = Visible::parse(q)?;
    let name = q.get("name").or_else(|| q.get("display_name"));
    let store = ctx.state.store();
    let vaults: Vec<&Vault> = store.vaults.values().collect();
    let keep = |v: &&Vault| visible.keeps(&v.archived_at, v.created_us) && none_or(name, |n| v.display_name == n);
    list_reply(q, &vaults, |v| v.id.clone(), keep, |v| v.render(), Order::Desc)
}

/// `DELETE /vaults/{vault_id}`: also deletes its credentials.
pub fn delete(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let mut store = ctx.state.store();
    store.vaults.remove(id).ok_or_else(|| ApiError::not_found("Vault", id))?;
    store.credentials.retain(|_, c| c.vault_id != id);
    Ok(Reply::ok(&json!({"id": id, "type": "vault_deleted"})))
}

/// `POST /vaults/{vault_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let v = store.vaults.get_mut(ctx.param(0)).ok_or_else(|| ApiError::not_found("Vault", ctx.param(0)))?;
    v.archived_at.get_or_insert(now);
    v.updated_us = now;
    Ok(Reply::ok(&v.render()))
}

//! Agents (docs/api-contract.md §3.1, §4.1): versioned with optimistic concurrency.

use serde_json::{json, Value};

use super::agent_fields as fields;
use crate::body::Reply;
use crate::clock::{format_rfc3339, Micros};
use crate::context::Ctx;
use crate::errors::{ApiError, ApiResult};
use crate::ids::prefix;
use crate::pagination::{list_reply, select, Order, PageRequest};
use crate::query::Visible;
use crate::validate::{metadata_create, metadata_patch, Fields, Obj};

/// A stored agent: every version's full object is kept.
#[derive(Debug, Clone)]
pub struct Agent {
    /// `agent_…`.
    pub id: String,
    /// Snapshots, index = version - 1.
    pub versions: Vec<Obj>,
    /// Archive time (agent-level, shown on every version).
    pub archived_at: Option<Micros>,
    /// Creation time.
    pub created_us: Micros,
}

impl Agent {
    /// Latest snapshot.
    pub fn latest(&self) -> &Obj {
        self.versions.last().expect("an agent has at least one version")
    }

    /// Current version number.
    pub fn version(&self) -> i64 {
        self.versions.len() as i64
    }

    /// Snapshot of version `v` (1-based).
    pub fn at(&self, v: i64) -> Option<&Obj> {
        usize::try_from(v).ok().filter(|v| *v >= 1).and_then(|v| self.versions.get(v - 1))
    }

    /// Renders a snapshot with the agent-level archive state.
    pub fn render(&self, snapshot: &Obj) -> Value {
        let mut m = snapshot.clone();
        m.insert("archived".into(), json!(self.archived_at.is_some()));
        m.insert("archived_at".into(), self.archived_at.map(|t| json!(format_rfc3339(t))).unwrap_or(Value::Null));
        Value::Object(m)
    }

    /// The session-side snapshot (docs/api-contract.md §4.5 SessionAgent).
    pub fn session_snapshot(snapshot: &Obj) -> Obj {
        let mut m = Obj::new();
        for k in [
            "id",
            "type",
            "name",
            "description",
            "model",
            "system",
            "tools",
            "mcp_servers",
            "skills",
            "multiagent",
            "version",
            "metadata",
        ] {
            m.insert(k.into(), snapshot.get(k).cloned().unwrap_or(Value::Null));
        }
        m
    }
}

/// `POST /agents`
pub fn create(ctx: &Ctx) -> ApiResult<Reply> {
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let name = f.req_str("name", 1, 256)?.to_string();
    let model = fields::model(f.get("model"), "model")?;
    let system = fields::system(&f)?.unwrap_or_default();
    let description = f.opt_str("description", 2048)?.unwrap_or("").to_string();
    let mcp = fields::mcp_servers(f.get("mcp_servers"), "mcp_servers")?;
    let tools = fields::tools(f.get("tools"), &mcp, "tools")?;
    let skills = fields::skills(f.get("skills"), "skills")?;
    let multiagent = fields::multiagent(f.get("multiagent"), "multiagent")?;
    let metadata = metadata_create(f.get("metadata"), "metadata")?;

    let st = &ctx.state;
    let now = st.now();
    let id = st.new_id(prefix::AGENT);
    let ts = format_rfc3339(now);
    let snapshot = json!({
        "type": "agent", "id": id, "name": name, "description": description, "model": model,
        "system": system, "tools": tools, "mcp_servers": mcp, "skills": skills, "multiagent": multiagent,
        "metadata": metadata, "version": 1, "archived": false, "archived_at": null,
        "created_at": ts, "updated_at": ts, "instructions": system, "default_environment": "",
    });
    let agent = Agent { id: id.clone(), versions: vec![into_obj(snapshot)], archived_at: None, created_us: now };
    let out = agent.render(agent.latest());
    st.store().agents.insert(id, agent);
    st.stats.count_objects("agent", 1);
    Ok(Reply::created(&out))
}

/// `GET /agents/{agent_id}` (optional `?version=N`).
pub fn retrieve(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let version = ctx.query.int("version")?;
    let store = ctx.state.store();
    let agent = store.agents.get(id).ok_or_else(|| ApiError::not_found("Agent", id))?;
    let snap = match version {
        None | Some(0) => agent.latest(),
        Some(v) => agent.at(v).ok_or_else(|| {
            ApiError::new(
                http::StatusCode::NOT_FOUND,
                "not_found_error",
                format!("Agent '{id}' version {v} was not found."),
            )
        })?,
    };
    Ok(Reply::ok(&agent.render(snap)))
}

/// `POST|PUT /agents/{agent_id}`: partial update with `version` OCC.
pub fn update(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0).to_string();
    let body = ctx.object()?;
    let f = Fields::new(&body, "");
    let st = &ctx.state;
    let mut store = st.store();
    let agent = store.agents.get_mut(&id).ok_or_else(|| ApiError::not_found("Agent", &id))?;
    let current = agent.version();
    if f.get("version").is_some_and(|v| !v.is_null()) {
        let given = f.opt_int("version")?.unwrap_or_default();
        if given != current {
            return Err(
                ApiError::conflict(format!("Version mismatch: expected {current}, got {given}")).with_param("version")
            );
        }
    }
    let mut next = agent.latest().clone();
    if f.get("name").is_some() {
        next.insert("name".into(), json!(f.req_str("name", 1, 256)?));
    }
    if f.get("model").is_some() {
        next.insert("model".into(), fields::model(f.get("model"), "model")?);
    }
    if let Some(system) = fields::system(&f)? {
        next.insert("system".into(), json!(system));
        next.insert("instructions".into(), json!(system));
    }
    if f.get("description").is_some() {
        next.insert("description".into(), json!(f.opt_str("description", 2048)?.unwrap_or("")));
    }
    if f.get("mcp_servers").is_some() {
        next.insert("mcp_servers".into(), Value::Array(fields::mcp_servers(f.get("mcp_servers"), "mcp_servers")?));
    }
    if f.get("tools").is_some() || f.get("mcp_servers").is_some() {
        let mcp = next.get("mcp_servers").and_then(Value::as_array).cloned().unwrap_or_default();
        let tools_in = if f.get("tools").is_some() { f.get("tools").cloned() } else { next.get("tools").cloned() };
        next.insert("tools".into(), Value::Array(fields::tools(tools_in.as_ref(), &mcp, "tools")?));
    }
    if f.get("skills").is_some() {
        next.insert("skills".into(), Value::Array(fields::skills(f.get("skills"), "skills")?));
    }
    if f.get("multiagent").is_some() {
        next.insert("multiagent".into(), fields::multiagent(f.get("multiagent"), "multiagent")?);
    }
    let mut metadata = next.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
    metadata_patch(&mut metadata, f.get("metadata"), "metadata")?;
    next.insert("metadata".into(), Value::Object(metadata));
    next.insert("version".into(), json!(current + 1));
    next.insert("updated_at".into(), json!(format_rfc3339(st.now())));
    agent.versions.push(next);
    Ok(Reply::ok(&agent.render(agent.latest())))
}

/// `GET /agents`
pub fn list(ctx: &Ctx) -> ApiResult<Reply> {
    let q = &ctx.query;
    let visible = Visible::parse(q)?;
    let store = ctx.state.store();
    let agents: Vec<&Agent> = store.agents.values().collect();
    let keep = |a: &&Agent| visible.keeps(&a.archived_at, a.created_us);
    list_reply(q, &agents, |a| a.id.clone(), keep, |a| a.render(a.latest()), Order::Desc)
}

/// `POST /agents/{agent_id}/archive`
pub fn archive(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let now = ctx.state.now();
    let mut store = ctx.state.store();
    let agent = store.agents.get_mut(id).ok_or_else(|| ApiError::not_found("Agent", id))?;
    if agent.archived_at.is_none() {
        agent.archived_at = Some(now);
    }
    if let Some(last) = agent.versions.last_mut() {
        last.insert("updated_at".into(), json!(format_rfc3339(now)));
    }
    Ok(Reply::ok(&agent.render(agent.latest())))
}

/// `GET /agents/{agent_id}/versions` (newest first).
pub fn versions(ctx: &Ctx) -> ApiResult<Reply> {
    let id = ctx.param(0);
    let page = PageRequest::parse(&ctx.query)?;
    let store = ctx.state.store();
    let agent = store.agents.get(id).ok_or_else(|| ApiError::not_found("Agent", id))?;
    let numbered: Vec<(i64, &Obj)> = agent.versions.iter().enumerate().map(|(i, v)| (i as i64 + 1, v)).collect();
    let key = |v: &(i64, &Obj)| format!("{:010}", v.0);
    let sel = select(&numbered, key, |_| true, Order::Desc, &page);
    let body = sel.envelope(|v| agent.render(v.1).to_string(), |_| agent.id.clone(), key);
    Ok(Reply::raw_json(http::StatusCode::OK, body))
}

/// Unwraps a JSON object.
pub fn into_obj(v: Value) -> Obj {
    match v {
        Value::Object(m) => m,
        _ => Obj::new(),
    }
}

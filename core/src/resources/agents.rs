//! `client.agents()`: create, retrieve (at a version), update with optimistic concurrency,
//! list, archive, and the versions list.

use serde_json::json;

use super::{namespace, Ns, NONE};
use crate::client::Response;
use crate::error::Result;
use crate::models::{Agent, AgentCreateParams, AgentListParams, AgentUpdateParams};
use crate::pagination::{ItemStream, Page};

/// Agents namespace.
#[derive(Clone, Debug)]
pub struct Agents {
    ns: Ns,
}
namespace!(Agents);

impl Agents {
    /// The operations this namespace covers.
    pub const OPERATIONS: &'static [&'static str] =
        &["agents.create", "agents.retrieve", "agents.update", "agents.list", "agents.archive", "agents.versions.list"];
    /// Creates an agent (version 1).
    pub async fn create(&self, params: &AgentCreateParams) -> Result<Response<Agent>> {
        self.ns.call("agents.create", params, &[]).await
    }
    /// Retrieves the latest version of an agent.
    pub async fn retrieve(&self, agent_id: &str) -> Result<Response<Agent>> {
        self.ns.call("agents.retrieve", NONE, &[("agent_id", agent_id)]).await
    }
    /// Retrieves the snapshot of an agent at `version`.
    pub async fn retrieve_version(&self, agent_id: &str, version: u64) -> Result<Response<Agent>> {
        self.ns.call("agents.retrieve", &json!({ "version": version }), &[("agent_id", agent_id)]).await
    }
    /// Updates an agent; pass the `version` you last read to get a conflict instead of a lost update.
    pub async fn update(&self, agent_id: &str, params: &AgentUpdateParams) -> Result<Response<Agent>> {
        self.ns.call("agents.update", params, &[("agent_id", agent_id)]).await
    }
    /// Lists agents, newest first (one page).
    pub async fn list(&self, params: &AgentListParams) -> Result<Response<Page<Agent>>> {
        self.ns.page("agents.list", params, &[]).await
    }
    /// Every agent, across pages.
    pub fn list_all(&self, params: &AgentListParams) -> Result<ItemStream<Agent>> {
        self.ns.iter("agents.list", params, &[])
    }
    /// Archives an agent (irreversible; it stays retrievable).
    pub async fn archive(&self, agent_id: &str) -> Result<Response<Agent>> {
        self.ns.call("agents.archive", NONE, &[("agent_id", agent_id)]).await
    }
    /// Lists the versions of an agent, newest first (one page).
    pub async fn versions(&self, agent_id: &str, limit: Option<u32>) -> Result<Response<Page<Agent>>> {
        self.ns.page("agents.versions.list", &json!({ "limit": limit }), &[("agent_id", agent_id)]).await
    }
}

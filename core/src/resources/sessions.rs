//! `client.sessions()`: create, inspect, update, cancel and remove sessions.

use serde_json::{Map, Value};

use super::{namespace, Ns, NONE};
use crate::client::Response;
use crate::error::Result;
use crate::models::{CancelAck, Deleted, Session, SessionCreateParams, SessionListParams};
use crate::pagination::{ItemStream, Page};

/// Sessions namespace.
#[derive(Clone, Debug)]
pub struct Sessions {
    ns: Ns,
}
namespace!(Sessions);

impl Sessions {
    /// The operations this namespace covers.
    pub const OPERATIONS: &'static [&'static str] = &[
        "sessions.create",
        "sessions.retrieve",
        "sessions.update",
        "sessions.list",
        "sessions.delete",
        "sessions.archive",
        "sessions.cancel",
    ];
    /// Creates a session (status `idle`) that snapshots the agent.
    pub async fn create(&self, params: &SessionCreateParams) -> Result<Response<Session>> {
        self.ns.call("sessions.create", params, &[]).await
    }
    /// Retrieves a session.
    pub async fn retrieve(&self, session_id: &str) -> Result<Response<Session>> {
        self.ns.call("sessions.retrieve", NONE, &[("session_id", session_id)]).await
    }
    /// Updates a session: `title`, `metadata` (patch; `null` deletes a key), `agent` tools, ...
    pub async fn update(&self, session_id: &str, changes: &Map<String, Value>) -> Result<Response<Session>> {
        self.ns.call("sessions.update", changes, &[("session_id", session_id)]).await
    }
    /// Lists sessions (one page), newest first unless `order` is `asc`.
    pub async fn list(&self, params: &SessionListParams) -> Result<Response<Page<Session>>> {
        self.ns.page("sessions.list", params, &[]).await
    }
    /// Every session matching the filters, across pages.
    pub fn list_all(&self, params: &SessionListParams) -> Result<ItemStream<Session>> {
        self.ns.iter("sessions.list", params, &[])
    }
    /// Deletes a session and its events; open streams receive `session.deleted`.
    pub async fn delete(&self, session_id: &str) -> Result<Response<Deleted>> {
        self.ns.call("sessions.delete", NONE, &[("session_id", session_id)]).await
    }
    /// Archives a session (it then rejects new events).
    pub async fn archive(&self, session_id: &str) -> Result<Response<Session>> {
        self.ns.call("sessions.archive", NONE, &[("session_id", session_id)]).await
    }
    /// Cancels the running turn: status 202 when a turn was running, 200 when idle.
    pub async fn cancel(&self, session_id: &str) -> Result<Response<CancelAck>> {
        self.ns.call("sessions.cancel", NONE, &[("session_id", session_id)]).await
    }
    /// The session's events namespace.
    pub fn events(&self) -> super::events::Events {
        super::events::Events::new(&self.ns.client).with_options(self.ns.opts.clone())
    }
}

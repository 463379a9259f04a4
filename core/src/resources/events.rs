//! `client.sessions().events()`: send input events and list history. Streaming lives in
//! [`crate::stream`].

use serde_json::{json, Value};

use super::{namespace, Ns};
use crate::client::Response;
use crate::error::Result;
use crate::models::{EventListParams, SentEvents};
use crate::pagination::{ItemStream, Page};

/// Session events namespace.
#[derive(Clone, Debug)]
pub struct Events {
    ns: Ns,
}
namespace!(Events);

impl Events {
    /// The operations this namespace covers.
    pub const OPERATIONS: &'static [&'static str] = &["sessions.events.send", "sessions.events.list"];
    /// Sends input events (`user.message`, `user.interrupt`, confirmations, tool results, ...).
    ///
    /// The call carries an `Idempotency-Key` (minted unless set with `with_options`), reused on
    /// every retry, so a retried send never posts the message twice.
    pub async fn send(&self, session_id: &str, events: Vec<Value>) -> Result<Response<SentEvents>> {
        self.ns.call("sessions.events.send", &json!({ "events": events }), &[("session_id", session_id)]).await
    }
    /// Lists persisted events, oldest first (one page).
    pub async fn list(&self, session_id: &str, params: &EventListParams) -> Result<Response<Page<Value>>> {
        self.ns.page("sessions.events.list", params, &[("session_id", session_id)]).await
    }
    /// Every persisted event, across pages.
    pub fn list_all(&self, session_id: &str, params: &EventListParams) -> Result<ItemStream<Value>> {
        self.ns.iter("sessions.events.list", params, &[("session_id", session_id)])
    }
}

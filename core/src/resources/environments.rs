//! `client.environments()`: sandboxes sessions run in.

use serde_json::json;

use super::{namespace, Ns, NONE};
use crate::client::Response;
use crate::error::Result;
use crate::models::{Deleted, Environment, EnvironmentCreateParams, EnvironmentUpdateParams};
use crate::pagination::{ItemStream, Page};

/// Environments namespace.
#[derive(Clone, Debug)]
pub struct Environments {
    ns: Ns,
}
namespace!(Environments);

impl Environments {
    /// The operations this namespace covers.
    pub const OPERATIONS: &'static [&'static str] = &[
        "environments.create",
        "environments.retrieve",
        "environments.update",
        "environments.list",
        "environments.delete",
        "environments.archive",
    ];
    /// Creates an environment.
    pub async fn create(&self, params: &EnvironmentCreateParams) -> Result<Response<Environment>> {
        self.ns.call("environments.create", params, &[]).await
    }
    /// Retrieves an environment.
    pub async fn retrieve(&self, environment_id: &str) -> Result<Response<Environment>> {
        self.ns.call("environments.retrieve", NONE, &[("environment_id", environment_id)]).await
    }
    /// Updates an environment (metadata is patched).
    pub async fn update(
        &self,
        environment_id: &str,
        params: &EnvironmentUpdateParams,
    ) -> Result<Response<Environment>> {
        self.ns.call("environments.update", params, &[("environment_id", environment_id)]).await
    }
    /// Lists environments (one page).
    pub async fn list(
        &self,
        limit: Option<u32>,
        include_archived: Option<bool>,
    ) -> Result<Response<Page<Environment>>> {
        self.ns.page("environments.list", &json!({"limit": limit, "include_archived": include_archived}), &[]).await
    }
    /// Every environment, across pages.
    pub fn list_all(&self, include_archived: Option<bool>) -> Result<ItemStream<Environment>> {
        self.ns.iter("environments.list", &json!({"include_archived": include_archived}), &[])
    }
    /// Deletes an environment; fails with a conflict while sessions reference it.
    pub async fn delete(&self, environment_id: &str) -> Result<Response<Deleted>> {
        self.ns.call("environments.delete", NONE, &[("environment_id", environment_id)]).await
    }
    /// Archives an environment.
    pub async fn archive(&self, environment_id: &str) -> Result<Response<Environment>> {
        self.ns.call("environments.archive", NONE, &[("environment_id", environment_id)]).await
    }
}

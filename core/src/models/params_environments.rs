//! Request parameters of environments and their work queues (self-hosted environments), with
//! the environment configuration they take.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::params::{params, string_enum, tag, MetadataParam};

tag! {
    /// `"packages"`.
    PackagesTag = "packages";
}

string_enum! {
    /// Network access of a sandbox: `unrestricted`, `limited` or `allowed_hosts`.
    pub enum NetworkingType {
        /// Any host.
        Unrestricted,
        /// Only the allowed hosts (and, if enabled, MCP servers and package managers).
        Limited,
        /// Only the allowed hosts.
        AllowedHosts,
    }
}

/// Network access of an environment's sandboxes.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NetworkingParam {
    /// `unrestricted`, `limited` or `allowed_hosts`.
    #[serde(rename = "type")]
    pub r#type: NetworkingType,
    /// Whether the agent's MCP servers are reachable (limited networking).
    pub allow_mcp_servers: Option<bool>,
    /// Whether package registries are reachable (limited networking).
    pub allow_package_managers: Option<bool>,
    /// Hosts the sandbox may reach.
    pub allowed_hosts: Option<Vec<String>>,
}

/// Packages installed in an environment's sandboxes, per package manager.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct PackagesParam {
    /// `"packages"`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<PackagesTag>,
    /// `apt` packages.
    pub apt: Option<Vec<String>>,
    /// `cargo` crates.
    pub cargo: Option<Vec<String>>,
    /// Ruby gems.
    pub gem: Option<Vec<String>>,
    /// Go modules.
    pub go: Option<Vec<String>>,
    /// npm packages.
    pub npm: Option<Vec<String>>,
    /// pip packages.
    pub pip: Option<Vec<String>>,
}

string_enum! {
    /// Where an environment's sandboxes run: `cloud` or `self_hosted`.
    pub enum EnvironmentConfigType {
        /// Managed cloud sandboxes.
        Cloud,
        /// Your own workers (work queue).
        SelfHosted,
    }
}

/// An environment's configuration: `{"type": "cloud" | "self_hosted", ...}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EnvironmentConfigParam {
    /// `cloud` or `self_hosted`.
    #[serde(rename = "type")]
    pub r#type: EnvironmentConfigType,
    /// Network access (cloud).
    pub networking: Option<NetworkingParam>,
    /// Packages to install (cloud).
    pub packages: Option<PackagesParam>,
    /// Shell script run when a sandbox starts.
    pub setup_script: Option<String>,
}

string_enum! {
    /// Who can use an environment: `organization` or `account`.
    pub enum EnvironmentScope {
        /// Everyone in the organization.
        Organization,
        /// The creating account only.
        Account,
    }
}

params! {
    /// Parameters of `environments.create`.
    pub struct EnvironmentCreateParams {
        /// Name, 1–256 characters (required).
        name: String,
        /// Description.
        description: String,
        /// Configuration (an object).
        config: EnvironmentConfigParam,
        /// `organization` or `account`.
        scope: EnvironmentScope,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
    }
}

params! {
    /// Parameters of `environments.list`.
    pub struct EnvironmentListParams {
        /// Created at or after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gte: String,
        /// Created at or before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lte: String,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Also list archived environments.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
    }
}

params! {
    /// Parameters of `environments.update`.
    pub struct EnvironmentUpdateParams {
        /// New description.
        description: String,
        /// New name, 1–256 characters.
        name: String,
        /// New configuration (an object).
        config: EnvironmentConfigParam,
        /// `organization` or `account`.
        scope: EnvironmentScope,
        /// Metadata patch: a `null` value deletes the key.
        metadata: MetadataParam,
    }
}

params! {
    /// Parameters of `environments.work.heartbeat`.
    pub struct WorkHeartbeatParams {
        /// Lease length asked for, in seconds.
        desired_ttl_seconds: u64,
        /// The `last_heartbeat` of the previous heartbeat (a mismatch means the lease was lost).
        #[schemars(extend("format" = "date-time"))]
        expected_last_heartbeat: String,
    }
}

params! {
    /// Parameters of `environments.work.list`.
    pub struct WorkListParams {
        /// Work items before this id.
        before_id: String,
        /// Work items after this id.
        after_id: String,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Page size, 1–100 (default 20).
        limit: u32,
    }
}

params! {
    /// Parameters of `environments.work.poll`.
    pub struct WorkPollParams {
        /// How long to wait for work, in milliseconds.
        block_ms: u64,
        /// Also claim work whose worker has been silent this long, in milliseconds.
        reclaim_older_than_ms: u64,
        /// The polling worker's id (sent as the `Worker-ID` header).
        worker_id: String,
    }
}

params! {
    /// Parameters of `environments.work.stop`.
    pub struct WorkStopParams {
        /// Stop at once instead of after the current turn.
        force: bool,
    }
}

params! {
    /// Parameters of `environments.work.update`.
    pub struct WorkUpdateParams {
        /// The work item's metadata (required).
        metadata: Map<String, Value>,
    }
}

impl EnvironmentCreateParams {
    /// A cloud environment named `name`, with unrestricted networking.
    pub fn cloud(name: impl Into<String>) -> Self {
        let networking = NetworkingParam {
            r#type: NetworkingType::Unrestricted,
            allow_mcp_servers: None,
            allow_package_managers: None,
            allowed_hosts: None,
        };
        let config = EnvironmentConfigParam {
            r#type: EnvironmentConfigType::Cloud,
            networking: Some(networking),
            packages: None,
            setup_script: None,
        };
        Self { name: Some(name.into()), config: Some(config), ..Default::default() }
    }
}

//! Request parameters of deployments (and their runs) and dreams.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::params::{nullable, param_union, params, string_enum, tag, tagged, MetadataParam};
use super::params_agents::ModelSpeed;
use super::params_events::{SystemMessageEventParam, UserDefineOutcomeEventParam, UserMessageEventParam};
use super::params_sessions::{BudgetParam, MemoryStoreTag, ResourceParam};

tag! {
    /// `"cron"`.
    CronTag = "cron";
    /// `"agent"`.
    AgentTag = "agent";
    /// `"sessions"`.
    SessionsTag = "sessions";
    /// `"create_new"`.
    CreateNewTag = "create_new";
    /// `"update_existing"`.
    UpdateExistingTag = "update_existing";
}

tagged! {
    /// A pinned agent version: `{"type": "agent", "id", "version"?}`.
    #[derive(Default)]
    pub struct AgentVersionRefParam [AgentTag] {
        /// The agent's id.
        pub id: String,
        /// A version (default: the latest at creation).
        pub version: Option<u64>,
    }
}

/// The agent of a deployment: an agent id (its latest version) or a pinned version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum DeploymentAgentParam {
    /// An agent id.
    Id(String),
    /// A pinned version.
    Ref(AgentVersionRefParam),
}

param_union! {
    /// An event each run of a deployment starts with, tagged by `type`.
    pub enum DeploymentInitialEventParam {
        /// `user.message`.
        UserMessage(UserMessageEventParam),
        /// `user.define_outcome`.
        UserDefineOutcome(UserDefineOutcomeEventParam),
        /// `system.message`.
        SystemMessage(SystemMessageEventParam),
    }
}

tagged! {
    /// When a deployment runs: `{"type": "cron", "expression", "timezone"}`.
    #[derive(Default)]
    pub struct ScheduleParam [CronTag] {
        /// A 5-field cron expression.
        pub expression: String,
        /// IANA time zone the expression is read in.
        pub timezone: String,
    }
}

/// Environment variables of a deployment's sessions: a map, or a string (`KEY=value` lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum EnvironmentVariablesParam {
    /// Name → value.
    Map(BTreeMap<String, String>),
    /// `KEY=value` lines.
    Text(String),
}

params! {
    /// Parameters of `deployments.create`.
    pub struct DeploymentCreateParams {
        /// Environment variables of the sessions.
        environment_variables: EnvironmentVariablesParam,
        /// The agent: an id or a pinned version (required).
        agent: DeploymentAgentParam,
        /// The environment's id (required).
        environment_id: String,
        /// Events each run starts with, 1–50 (required).
        initial_events: Vec<DeploymentInitialEventParam>,
        /// Name, 1–256 characters (required).
        name: String,
        /// Description.
        description: String,
        /// Spending limit of each run.
        budget: BudgetParam,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
        /// Resources of the sessions.
        resources: Vec<ResourceParam>,
        /// When to run (`null`: only when triggered).
        #[schemars(transform = nullable)]
        schedule: ScheduleParam,
        /// Vaults whose credentials the sessions may use, at most 50.
        vault_ids: Vec<String>,
    }
}

params! {
    /// Parameters of `deployments.update`: the fields to change.
    pub struct DeploymentUpdateParams {
        /// New environment variables.
        environment_variables: EnvironmentVariablesParam,
        /// New description.
        description: String,
        /// New environment id.
        environment_id: String,
        /// New name, 1–256 characters.
        name: String,
        /// Metadata patch: a `null` value deletes the key.
        metadata: MetadataParam,
        /// Replacement resources.
        resources: Vec<ResourceParam>,
        /// Replacement vault ids.
        vault_ids: Vec<String>,
        /// New agent.
        agent: DeploymentAgentParam,
        /// New spending limit.
        budget: BudgetParam,
        /// Replacement initial events, 1–50.
        initial_events: Vec<DeploymentInitialEventParam>,
        /// New schedule (`null` removes it).
        #[schemars(transform = nullable)]
        schedule: ScheduleParam,
    }
}

string_enum! {
    /// A deployment status to filter on: `active` or `paused`.
    pub enum DeploymentStatusFilter {
        /// Runs on schedule.
        Active,
        /// Does not run.
        Paused,
    }
}

params! {
    /// Parameters of `deployments.list`.
    pub struct DeploymentListParams {
        /// Deployments before this id.
        before_id: String,
        /// Deployments after this id.
        after_id: String,
        /// Only deployments of this agent.
        agent_id: String,
        /// Created at or after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gte: String,
        /// Created at or before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lte: String,
        /// Also list archived deployments.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// `active` or `paused`.
        status: DeploymentStatusFilter,
    }
}

params! {
    /// Parameters of `deployments.runs.list`.
    pub struct DeploymentRunListParams {
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Runs after this id.
        after_id: String,
        /// Runs before this id.
        before_id: String,
        /// Triggered after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        triggered_after: String,
        /// Triggered before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        triggered_before: String,
    }
}

string_enum! {
    /// What triggered a deployment run: `schedule` or `manual`.
    pub enum TriggerType {
        /// The schedule.
        Schedule,
        /// A manual run.
        Manual,
    }
}

params! {
    /// Parameters of `deployment_runs.list` (the runs of every deployment).
    pub struct AllDeploymentRunsListParams {
        /// Runs before this id.
        before_id: String,
        /// Runs after this id.
        after_id: String,
        /// Created after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gt: String,
        /// Created at or after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gte: String,
        /// Created before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lt: String,
        /// Created at or before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lte: String,
        /// Only runs of this deployment.
        deployment_id: String,
        /// Only runs that failed (`true`) or did not (`false`).
        has_error: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// `schedule` or `manual`.
        trigger_type: TriggerType,
    }
}

tagged! {
    /// A memory store a dream reads: `{"type": "memory_store", "memory_store_id"}`.
    #[derive(Default)]
    pub struct MemoryStoreDreamInputParam [MemoryStoreTag] {
        /// The memory store's id.
        pub memory_store_id: String,
    }
}

tagged! {
    /// Sessions a dream reads: `{"type": "sessions", "session_ids"}`.
    #[derive(Default)]
    pub struct SessionsDreamInputParam [SessionsTag] {
        /// The sessions' ids.
        pub session_ids: Vec<String>,
    }
}

param_union! {
    /// An input of a dream, tagged by `type`.
    pub enum DreamInputParam {
        /// A memory store.
        MemoryStore(MemoryStoreDreamInputParam),
        /// Sessions.
        Sessions(SessionsDreamInputParam),
    }
}

/// The model of a dream as an object: `{"id", "speed"?}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct DreamModelConfigParam {
    /// Catalog id.
    pub id: String,
    /// `standard` or `fast`.
    pub speed: Option<ModelSpeed>,
}

/// The model of a dream: a catalog id or `{"id", "speed"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum DreamModelParam {
    /// Catalog id.
    Id(String),
    /// Configuration object.
    Config(DreamModelConfigParam),
}

tagged! {
    /// Write the dream's output to a new memory store: `{"type": "create_new"}`.
    #[derive(Default)]
    pub struct CreateNewOutputParam [CreateNewTag] {
    }
}

tagged! {
    /// Write the dream's output into a memory store: `{"type": "update_existing", "memory_store_id"}`.
    #[derive(Default)]
    pub struct UpdateExistingOutputParam [UpdateExistingTag] {
        /// The memory store's id.
        pub memory_store_id: String,
    }
}

param_union! {
    /// Where a dream writes its output, tagged by `type`.
    pub enum OutputBehaviorParam {
        /// A new memory store.
        CreateNew(CreateNewOutputParam),
        /// An existing memory store.
        UpdateExisting(UpdateExistingOutputParam),
    }
}

params! {
    /// Parameters of `dreams.create`.
    pub struct DreamCreateParams {
        /// What the dream reads (required).
        inputs: Vec<DreamInputParam>,
        /// The model (required).
        model: DreamModelParam,
        /// Extra instructions.
        instructions: String,
        /// Where the output goes (default: a new memory store).
        output_behavior: OutputBehaviorParam,
    }
}

string_enum! {
    /// A dream status to filter on.
    pub enum DreamStatusFilter {
        /// Queued.
        Pending,
        /// Running.
        Running,
        /// Finished.
        Completed,
        /// Failed.
        Failed,
        /// Canceled.
        Canceled,
    }
}

params! {
    /// Parameters of `dreams.list`.
    pub struct DreamListParams {
        /// Created after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gt: String,
        /// Created before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lt: String,
        /// Also list archived dreams.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Only dreams in these statuses.
        statuses: Vec<DreamStatusFilter>,
    }
}

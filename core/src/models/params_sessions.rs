//! Request parameters of sessions, with the shapes they take: agent references, budgets,
//! resources, initial events.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::params::{nullable, param_union, params, string_enum, tag, tagged, FileTag, MetadataParam, SortOrder};
use super::params_agents::{AgentToolParam, McpServerParam, ModelParam, SkillRefParam};
use super::params_events::{UserDefineOutcomeEventParam, UserMessageEventParam};

tag! {
    /// `"limit"`.
    LimitTag = "limit";
    /// `"github_repository"`.
    GithubRepositoryTag = "github_repository";
    /// `"git_repository"`.
    GitRepositoryTag = "git_repository";
    /// `"memory_store"`.
    MemoryStoreTag = "memory_store";
    /// `"branch"`.
    BranchTag = "branch";
    /// `"commit"`.
    CommitTag = "commit";
}

string_enum! {
    /// The form of an agent reference: `agent` or `agent_with_overrides`.
    pub enum AgentRefType {
        /// A version of an agent.
        Agent,
        /// A version of an agent with some fields overridden for this session.
        AgentWithOverrides,
    }
}

/// An agent reference: `{"type": "agent" | "agent_with_overrides", "id", "version"?, ...}`
/// (overrides only with `agent_with_overrides`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgentRefParam {
    /// `agent` or `agent_with_overrides`.
    #[serde(rename = "type")]
    pub r#type: AgentRefType,
    /// The agent's id.
    pub id: String,
    /// A version (default: the latest).
    pub version: Option<u64>,
    /// Overridden system prompt.
    pub system: Option<String>,
    /// Overridden model.
    pub model: Option<ModelParam>,
    /// Overridden tools.
    pub tools: Option<Vec<AgentToolParam>>,
    /// Overridden MCP servers.
    pub mcp_servers: Option<Vec<McpServerParam>>,
    /// Overridden skills.
    pub skills: Option<Vec<SkillRefParam>>,
}

/// The agent of a session: an agent id (latest version) or an agent reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)] // built once per call; boxing would only burden callers
pub enum SessionAgentParam {
    /// An agent id: its latest version.
    Id(String),
    /// An agent reference.
    Ref(AgentRefParam),
}

impl From<&str> for SessionAgentParam {
    fn from(s: &str) -> Self {
        Self::Id(s.to_string())
    }
}

/// Changes to a session's agent (`sessions.update`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct SessionAgentUpdateParam {
    /// New model.
    pub model: Option<ModelParam>,
    /// New system prompt.
    pub system: Option<String>,
    /// Replacement skills.
    pub skills: Option<Vec<SkillRefParam>>,
    /// Replacement MCP servers.
    pub mcp_servers: Option<Vec<McpServerParam>>,
    /// Replacement tools.
    pub tools: Option<Vec<AgentToolParam>>,
}

tagged! {
    /// A spending limit: `{"type": "limit", "max_credit_cost"}`.
    #[derive(Default)]
    pub struct BudgetParam [LimitTag] {
        /// Positive decimal credits, e.g. `"12.50"`.
        pub max_credit_cost: String,
    }
}

tagged! {
    /// A branch to check out: `{"type": "branch", "name"}`.
    #[derive(Default)]
    pub struct BranchCheckoutParam [BranchTag] {
        /// Branch name.
        pub name: String,
    }
}

tagged! {
    /// A commit to check out: `{"type": "commit", "sha"}`.
    #[derive(Default)]
    pub struct CommitCheckoutParam [CommitTag] {
        /// Commit SHA.
        pub sha: String,
    }
}

param_union! {
    /// What to check out of a repository, tagged by `type`.
    pub enum CheckoutParam {
        /// A branch.
        Branch(BranchCheckoutParam),
        /// A commit.
        Commit(CommitCheckoutParam),
    }
}

tagged! {
    /// An uploaded file mounted in the sandbox: `{"type": "file", "file_id", "mount_path"?}`.
    #[derive(Default)]
    pub struct FileResourceParam [FileTag] {
        /// Id of an uploaded file.
        pub file_id: String,
        /// Where to mount it.
        pub mount_path: Option<String>,
    }
}

tagged! {
    /// A GitHub repository cloned into the sandbox.
    #[derive(Default)]
    pub struct GithubRepositoryResourceParam [GithubRepositoryTag] {
        /// Repository URL.
        pub url: String,
        /// Token to clone (and push) with.
        pub authorization_token: Option<String>,
        /// Where to clone it.
        pub mount_path: Option<String>,
        /// What to check out (default: the default branch).
        pub checkout: Option<CheckoutParam>,
    }
}

tagged! {
    /// A git repository cloned into the sandbox.
    #[derive(Default)]
    pub struct GitRepositoryResourceParam [GitRepositoryTag] {
        /// Repository URL.
        pub url: String,
        /// Password to clone with.
        pub password: Option<String>,
        /// Where to clone it.
        pub mount_path: Option<String>,
        /// What to check out (default: the default branch).
        pub checkout: Option<CheckoutParam>,
    }
}

string_enum! {
    /// Access of a session to a memory store: `read_write` or `read_only`.
    pub enum MemoryStoreAccess {
        /// Read and write.
        ReadWrite,
        /// Read only.
        ReadOnly,
    }
}

tagged! {
    /// A memory store the agent can use: `{"type": "memory_store", "memory_store_id", ...}`.
    #[derive(Default)]
    pub struct MemoryStoreResourceParam [MemoryStoreTag] {
        /// The memory store's id.
        pub memory_store_id: String,
        /// `read_write` (default) or `read_only`.
        pub access: Option<MemoryStoreAccess>,
        /// How the agent should use the store.
        pub instructions: Option<String>,
    }
}

param_union! {
    /// A resource of a session (or deployment), tagged by `type`.
    pub enum ResourceParam {
        /// An uploaded file.
        File(FileResourceParam),
        /// A GitHub repository.
        GithubRepository(GithubRepositoryResourceParam),
        /// A git repository.
        GitRepository(GitRepositoryResourceParam),
        /// A memory store.
        MemoryStore(MemoryStoreResourceParam),
    }
}

param_union! {
    /// An event processed right after a session is created, tagged by `type`.
    pub enum SessionInitialEventParam {
        /// `user.message`.
        UserMessage(UserMessageEventParam),
        /// `user.define_outcome`.
        UserDefineOutcome(UserDefineOutcomeEventParam),
    }
}

params! {
    /// Parameters of `sessions.create`.
    pub struct SessionCreateParams {
        /// Environment variables of the sandbox.
        environment_variables: BTreeMap<String, String>,
        /// The agent: an id (latest version) or a reference (required).
        agent: SessionAgentParam,
        /// The environment's id (required).
        environment_id: String,
        /// Title.
        #[schemars(transform = nullable)]
        title: String,
        /// Spending limit.
        budget: BudgetParam,
        /// Events processed right after creation.
        initial_events: Vec<SessionInitialEventParam>,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
        /// Resources to mount (files, repositories, memory stores).
        resources: Vec<ResourceParam>,
        /// Vaults whose credentials the session may use, at most 50.
        vault_ids: Vec<String>,
    }
}

string_enum! {
    /// A session status to filter on.
    pub enum SessionStatusFilter {
        /// Waiting for input.
        Idle,
        /// Running a turn.
        Running,
        /// Being moved to a new sandbox.
        Rescheduling,
        /// Ended.
        Terminated,
    }
}

params! {
    /// Parameters of `sessions.list`.
    pub struct SessionListParams {
        /// Only sessions of this agent.
        agent_id: String,
        /// Only sessions of this agent version (with `agent_id`).
        agent_version: u64,
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
        /// Only sessions started by this deployment.
        deployment_id: String,
        /// Also list archived sessions.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Only sessions using this memory store.
        memory_store_id: String,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// `asc` or `desc` (default).
        order: SortOrder,
        /// Only sessions in these statuses.
        statuses: Vec<SessionStatusFilter>,
    }
}

params! {
    /// Parameters of `sessions.update`.
    pub struct SessionUpdateParams {
        /// Replacement environment variables.
        environment_variables: BTreeMap<String, String>,
        /// New title (`null` clears it).
        #[schemars(transform = nullable)]
        title: String,
        /// Metadata patch: a `null` value deletes the key.
        #[schemars(transform = nullable)]
        metadata: MetadataParam,
        /// Changes to the session's agent.
        agent: SessionAgentUpdateParam,
        /// New spending limit (`null` removes it).
        #[schemars(transform = nullable)]
        budget: BudgetParam,
        /// Replacement vault ids.
        vault_ids: Vec<String>,
    }
}

string_enum! {
    /// The type of a resource added to a running session: `file`.
    pub enum SessionResourceType {
        /// An uploaded file.
        File,
    }
}

params! {
    /// Parameters of `sessions.resources.add`.
    pub struct SessionResourceAddParams {
        /// Id of an uploaded file (required).
        file_id: String,
        /// `file` (required).
        r#type: SessionResourceType,
        /// Where to mount the file.
        mount_path: String,
    }
}

params! {
    /// Parameters of `sessions.resources.list`.
    pub struct SessionResourceListParams {
        /// Resources before this id.
        before_id: String,
        /// Resources after this id.
        after_id: String,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

params! {
    /// Parameters of `sessions.resources.update`: rotates a repository's credential.
    pub struct SessionResourceUpdateParams {
        /// New password of a git repository.
        password: String,
        /// New token of a GitHub repository.
        authorization_token: String,
    }
}

params! {
    /// Parameters of `sessions.threads.list`.
    pub struct ThreadListParams {
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

impl From<String> for SessionAgentParam {
    fn from(s: String) -> Self {
        Self::Id(s)
    }
}

impl SessionCreateParams {
    /// A session of `agent` (an id: its latest version; or a reference) in `environment_id`.
    pub fn new(agent: impl Into<SessionAgentParam>, environment_id: impl Into<String>) -> Self {
        Self { agent: Some(agent.into()), environment_id: Some(environment_id.into()), ..Default::default() }
    }
}

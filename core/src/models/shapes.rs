//! The nested shapes of result objects: an agent's tools, an environment's config, a session's
//! usage, a credential's auth and the like. Written once here; `docs/schema.json` carries them
//! to the generated Python classes and TypeScript interfaces.
//!
//! Shapes keep unknown fields, unions have an `Unknown` arm and every field defaults, so a
//! newer server never fails a decode. Free-form JSON stays `Value` only where the API itself is
//! free-form (a tool's `input_schema`, a model's `capabilities`).

use serde_json::{Map, Value};

use super::common::{Metadata, ModelRef};
use super::content::wire::{tagged_union, wire_name, wire_struct, Present};
use super::object::shape;

// ---- agents ----

shape!(
    /// When a tool may run: `{type: "always_allow"}` or `{type: "always_ask"}`.
    PermissionPolicy {
        /// `always_allow` or `always_ask`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["always_allow", "always_ask"], "x-open" = true))]
        policy: String,
    }
);

shape!(
    /// Defaults for every tool of a toolset.
    ToolDefaults {
        /// Whether the tools are enabled.
        #[schemars(extend("x-optional" = true))]
        enabled: Option<bool>,
        /// Their permission policy.
        #[schemars(extend("x-optional" = true))]
        permission_policy: Option<PermissionPolicy>,
    }
);

shape!(
    /// Approximate user location for web search.
    UserLocation {
        /// `approximate`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["approximate"], "x-open" = true))]
        kind: String,
        /// City.
        #[schemars(extend("x-optional" = true))]
        city: Option<String>,
        /// Region.
        #[schemars(extend("x-optional" = true))]
        region: Option<String>,
        /// Country.
        #[schemars(extend("x-optional" = true))]
        country: Option<String>,
        /// IANA time zone.
        #[schemars(extend("x-optional" = true))]
        timezone: Option<String>,
    }
);

shape!(
    /// One tool's settings inside a toolset.
    ToolConfigEntry {
        /// The tool's name.
        name: String,
        /// Whether it is enabled.
        #[schemars(extend("x-optional" = true))]
        enabled: Option<bool>,
        /// Its permission policy.
        #[schemars(extend("x-optional" = true))]
        permission_policy: Option<PermissionPolicy>,
        /// Web tools: domains allowed.
        #[schemars(extend("x-optional" = true))]
        allowed_domains: Option<Vec<String>>,
        /// Web tools: domains blocked.
        #[schemars(extend("x-optional" = true))]
        blocked_domains: Option<Vec<String>>,
        /// Web fetch: content limit in tokens.
        #[schemars(extend("x-optional" = true))]
        max_content_tokens: Option<u64>,
        /// Web search: the user's approximate location.
        #[schemars(extend("x-optional" = true))]
        user_location: Option<UserLocation>,
    }
);

tagged_union! {
    /// One entry of an agent's `tools`.
    pub enum AgentTool {
        /// The built-in toolset.
        Toolset(AgentToolset),
        /// The tools of one MCP server.
        Mcp(McpToolset),
        /// A tool the caller runs (`agent.custom_tool_use`).
        Custom(CustomTool),
    }
}

wire_struct! {
    /// The built-in toolset (bash, file edits, web, ...).
    pub struct AgentToolset [tag = "agent_toolset_20260401"] {
        /// Only these tools (all when absent).
        pub enabled_tools: Option<Vec<String>>,
        /// Tools turned off.
        pub disallowed_tools: Option<Vec<String>>,
        /// Defaults for every tool.
        pub default_config: Option<ToolDefaults>,
        /// Per-tool settings.
        pub configs: Option<Vec<ToolConfigEntry>>,
    }
}

wire_struct! {
    /// The tools of one of the agent's MCP servers.
    pub struct McpToolset [tag = "mcp_toolset"] {
        /// Name of the server in `mcp_servers`.
        pub mcp_server_name: String,
        /// Defaults for every tool.
        pub default_config: Option<ToolDefaults>,
        /// Per-tool settings.
        pub configs: Option<Vec<ToolConfigEntry>>,
    }
}

wire_struct! {
    /// A tool the caller runs: the agent emits `agent.custom_tool_use`, the caller answers.
    pub struct CustomTool [tag = "custom"] {
        /// Tool name.
        pub name: String,
        /// What the tool does (the model reads it).
        pub description: Option<String>,
        /// JSON Schema of the tool's input (free-form by nature).
        pub input_schema: Option<Map<String, Value>>,
    }
}

shape!(
    /// An MCP server the agent may call: `{type: "url", name, url}`.
    McpServer {
        /// `url`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["url"], "x-open" = true))]
        kind: String,
        /// Name the toolsets refer to.
        name: String,
        /// Server URL.
        url: String,
    }
);

shape!(
    /// A skill the agent loads.
    SkillRef {
        /// `qoder` (built in) or `custom`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["qoder", "custom"], "x-open" = true))]
        kind: String,
        /// Skill id.
        skill_id: String,
        /// Pinned version (latest when absent).
        #[schemars(extend("x-optional" = true))]
        version: Option<String>,
    }
);

shape!(
    /// Multi-agent coordination: the agents this one may delegate to.
    Multiagent {
        /// `coordinator`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["coordinator"], "x-open" = true))]
        kind: String,
        /// The agents: ids, or `{type: "agent", id, version?}`, `{type: "self"}`, `{type: "advisor", model}`.
        agents: Vec<CoordinatedAgent>,
    }
);

/// One agent a coordinator may delegate to: an agent id, or an object naming one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum CoordinatedAgent {
    /// An agent id (its latest version).
    Id(String),
    /// `{type: "agent", id, version?}`, `{type: "self"}` or `{type: "advisor", model}`.
    Ref(CoordinatedAgentRef),
    /// Any other JSON, kept verbatim (not part of the documented shape).
    #[schemars(skip)]
    Other(Value),
}

shape!(
    /// A coordinated agent given as an object.
    CoordinatedAgentRef {
        /// `agent`, `self` or `advisor` (unknown values are kept).
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["agent", "self", "advisor"], "x-open" = true))]
        kind: String,
        /// Agent id (`agent`).
        #[schemars(extend("x-optional" = true))]
        id: Option<String>,
        /// Pinned version (`agent`).
        #[schemars(extend("x-optional" = true))]
        version: Option<u64>,
        /// Model (`advisor`).
        #[schemars(extend("x-optional" = true))]
        model: Option<String>,
    }
);

shape!(
    /// The agent snapshot a session or thread runs (the agent's fields at creation; `null`s are
    /// sent as such, so no field here skips).
    SessionAgent {
        /// Agent id.
        id: String,
        /// `agent`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["agent"], "x-open" = true))]
        kind: String,
        /// Name.
        name: Option<String>,
        /// Description.
        description: Option<String>,
        /// Model id or config.
        model: Option<ModelRef>,
        /// System prompt.
        system: Option<String>,
        /// Tools.
        tools: Option<Vec<AgentTool>>,
        /// MCP servers.
        mcp_servers: Option<Vec<McpServer>>,
        /// Skills.
        skills: Option<Vec<SkillRef>>,
        /// Multi-agent config.
        multiagent: Option<Multiagent>,
        /// Agent version.
        version: Option<u64>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
);

// ---- environments ----

tagged_union! {
    /// An environment's sandbox configuration.
    pub enum EnvironmentConfig {
        /// A hosted sandbox.
        Cloud(CloudEnvironmentConfig),
        /// Machines the caller runs (`environments.work`).
        SelfHosted(SelfHostedEnvironmentConfig),
    }
}

wire_struct! {
    /// A hosted sandbox.
    pub struct CloudEnvironmentConfig [tag = "cloud"] {
        /// Outbound network access.
        pub networking: Option<Box<Networking>>,
        /// Packages installed at start.
        pub packages: Option<Box<Packages>>,
        /// Script run at start.
        pub setup_script: Option<String>,
    }
}

wire_struct! {
    /// Machines the caller runs.
    pub struct SelfHostedEnvironmentConfig [tag = "self_hosted"] {
        /// Script run at start.
        pub setup_script: Option<String>,
    }
}

shape!(
    /// Outbound network access: `unrestricted`, or `limited` to listed hosts.
    Networking {
        /// `unrestricted` or `limited`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["unrestricted", "limited"], "x-open" = true))]
        kind: String,
        /// Hosts allowed (`limited`).
        #[schemars(extend("x-optional" = true))]
        allowed_hosts: Option<Vec<String>>,
        /// Whether the agent's MCP servers are reachable (`limited`).
        #[schemars(extend("x-optional" = true))]
        allow_mcp_servers: Option<bool>,
        /// Whether package registries are reachable (`limited`).
        #[schemars(extend("x-optional" = true))]
        allow_package_managers: Option<bool>,
    }
);

shape!(
    /// Packages per package manager.
    Packages {
        /// apt packages.
        #[schemars(extend("x-optional" = true))]
        apt: Option<Vec<String>>,
        /// Cargo crates.
        #[schemars(extend("x-optional" = true))]
        cargo: Option<Vec<String>>,
        /// Ruby gems.
        #[schemars(extend("x-optional" = true))]
        gem: Option<Vec<String>>,
        /// Go modules.
        #[schemars(extend("x-optional" = true))]
        go: Option<Vec<String>>,
        /// npm packages.
        #[schemars(extend("x-optional" = true))]
        npm: Option<Vec<String>>,
        /// pip packages.
        #[schemars(extend("x-optional" = true))]
        pip: Option<Vec<String>>,
    }
);

// ---- sessions ----

shape!(
    /// A spending limit: `{type: "limit", max_credit_cost}`.
    Budget {
        /// `limit`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["limit"], "x-open" = true))]
        kind: String,
        /// Positive decimal credits, e.g. `"12.50"`.
        max_credit_cost: String,
    }
);

shape!(
    /// Time a session or thread has run.
    SessionStats {
        /// Seconds spent running turns.
        #[schemars(extend("x-optional" = true))]
        active_seconds: Option<f64>,
        /// Seconds since creation.
        #[schemars(extend("x-optional" = true))]
        duration_seconds: Option<f64>,
        /// Seconds the sandbox took to start.
        #[schemars(extend("x-optional" = true))]
        startup_seconds: Option<f64>,
    }
);

shape!(
    /// Prompt-cache writes by lifetime.
    CacheCreation {
        /// Tokens written with a one-hour lifetime.
        #[schemars(extend("x-optional" = true))]
        ephemeral_1h_input_tokens: Option<u64>,
        /// Tokens written with a five-minute lifetime.
        #[schemars(extend("x-optional" = true))]
        ephemeral_5m_input_tokens: Option<u64>,
    }
);

shape!(
    /// A price: `{amount: "1.20", currency: "USD"}`.
    ListCost {
        /// Decimal amount.
        amount: String,
        /// Currency code.
        currency: String,
    }
);

shape!(
    /// Server-side tool calls counted.
    ServerToolUse {
        /// Web searches.
        #[schemars(extend("x-optional" = true))]
        web_search_requests: Option<u64>,
        /// Web fetches.
        #[schemars(extend("x-optional" = true))]
        web_fetch_requests: Option<u64>,
    }
);

shape!(
    /// Cumulative usage of a session or thread.
    SessionUsage {
        /// Credits spent on the model.
        #[schemars(extend("x-optional" = true))]
        model_credits: Option<f64>,
        /// Credits spent on sandbox time.
        #[schemars(extend("x-optional" = true))]
        sandbox_runtime_credits: Option<f64>,
        /// Credits in total.
        #[schemars(extend("x-optional" = true))]
        total_credits: Option<f64>,
        /// Seconds spent running turns.
        #[schemars(extend("x-optional" = true))]
        active_seconds: Option<f64>,
        /// Input tokens.
        #[schemars(extend("x-optional" = true))]
        input_tokens: Option<u64>,
        /// Output tokens.
        #[schemars(extend("x-optional" = true))]
        output_tokens: Option<u64>,
        /// Input tokens read from the prompt cache.
        #[schemars(extend("x-optional" = true))]
        cache_read_input_tokens: Option<u64>,
        /// Prompt-cache writes.
        #[schemars(extend("x-optional" = true))]
        cache_creation: Option<CacheCreation>,
        /// What the usage would cost at list price.
        #[schemars(extend("x-optional" = true))]
        list_cost: Option<ListCost>,
        /// Server-side tool calls.
        #[schemars(extend("x-optional" = true))]
        server_tool_use: Option<ServerToolUse>,
    }
);

shape!(
    /// The grader's verdict on one outcome iteration.
    OutcomeEvaluation {
        /// Evaluation kind.
        #[serde(rename = "type")]
        kind: String,
        /// The outcome evaluated.
        outcome_id: String,
        /// What the outcome asked for.
        description: String,
        /// Iteration, from 1.
        iteration: u64,
        /// `satisfied`, `needs_revision`, ... (unknown values are kept).
        result: String,
        /// The grader's explanation.
        explanation: String,
        /// When the evaluation finished.
        completed_at: Option<String>,
    }
);

tagged_union! {
    /// The commit a repository resource is checked out at.
    pub enum Checkout {
        /// A branch head.
        Branch(BranchCheckout),
        /// One commit.
        Commit(CommitCheckout),
    }
}

wire_struct! {
    /// A branch head.
    pub struct BranchCheckout [tag = "branch"] {
        /// Branch name.
        pub name: String,
    }
}

wire_struct! {
    /// One commit.
    pub struct CommitCheckout [tag = "commit"] {
        /// Full commit SHA.
        pub sha: String,
    }
}

// ---- files, vaults, memory ----

shape!(
    /// What a file belongs to, e.g. `{id: "sess_…", type: "session"}`.
    FileScope {
        /// Owner id.
        id: String,
        /// Owner type.
        #[serde(rename = "type")]
        kind: String,
    }
);

shape!(
    /// How a token endpoint authenticates the client (secrets are never returned).
    TokenEndpointAuth {
        /// `none`, `client_secret_basic` or `client_secret_post`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["none", "client_secret_basic", "client_secret_post"], "x-open" = true))]
        kind: String,
    }
);

shape!(
    /// An OAuth refresh configuration, without the refresh token.
    CredentialRefresh {
        /// OAuth client id.
        client_id: String,
        /// Token endpoint URL.
        token_endpoint: String,
        /// How the client authenticates there.
        token_endpoint_auth: TokenEndpointAuth,
        /// OAuth resource indicator.
        #[schemars(extend("x-optional" = true))]
        resource: Option<String>,
        /// Requested scope.
        #[schemars(extend("x-optional" = true))]
        scope: Option<String>,
    }
);

shape!(
    /// Where an environment-variable credential is injected.
    InjectionLocation {
        /// Into request headers.
        #[schemars(extend("x-optional" = true))]
        header: Option<bool>,
        /// Into request bodies.
        #[schemars(extend("x-optional" = true))]
        body: Option<bool>,
    }
);

shape!(
    /// Hosts an environment-variable credential may be sent to.
    CredentialNetworking {
        /// `unrestricted` or `limited`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["unrestricted", "limited"], "x-open" = true))]
        kind: String,
        /// Hosts allowed (`limited`).
        #[schemars(extend("x-optional" = true))]
        allowed_hosts: Option<Vec<String>>,
    }
);

shape!(
    /// A credential's auth as returned: secret values are never included.
    CredentialAuth {
        /// `static_bearer`, `mcp_oauth` or `environment_variable` (unknown values are kept).
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["static_bearer", "mcp_oauth", "environment_variable"], "x-open" = true))]
        kind: String,
        /// MCP server the credential is for.
        #[schemars(extend("x-optional" = true))]
        mcp_server_url: Option<String>,
        /// When the access token expires.
        #[schemars(extend("x-optional" = true))]
        expires_at: Option<String>,
        /// OAuth refresh configuration.
        #[schemars(extend("x-optional" = true))]
        refresh: Option<CredentialRefresh>,
        /// Environment variable name.
        #[schemars(extend("x-optional" = true))]
        secret_name: Option<String>,
        /// Hosts the secret may be sent to.
        #[schemars(extend("x-optional" = true))]
        networking: Option<CredentialNetworking>,
        /// Where the secret is injected.
        #[schemars(extend("x-optional" = true))]
        injection_location: Option<InjectionLocation>,
    }
);

shape!(
    /// An HTTP response seen while validating a credential.
    HttpProbe {
        /// HTTP status.
        status_code: u16,
        /// Its `Content-Type`.
        content_type: Option<String>,
        /// The body (truncated).
        body: Option<String>,
        /// Whether `body` was cut.
        body_truncated: bool,
    }
);

shape!(
    /// The request made to the MCP server while validating a credential.
    McpProbe {
        /// MCP method called.
        method: String,
        /// What the server answered.
        http_response: HttpProbe,
    }
);

shape!(
    /// The token refresh tried while validating a credential.
    RefreshProbe {
        /// Outcome.
        status: String,
        /// What the token endpoint answered.
        http_response: HttpProbe,
    }
);

shape!(
    /// Who made or redacted a memory version.
    Actor {
        /// `session_actor`, `user_actor`, ... (unknown values are kept).
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["session_actor", "user_actor"], "x-open" = true))]
        kind: String,
        /// The session (session actors).
        #[schemars(extend("x-optional" = true))]
        session_id: Option<String>,
        /// The API key used.
        #[schemars(extend("x-optional" = true))]
        api_key_id: Option<String>,
        /// The user.
        #[schemars(extend("x-optional" = true))]
        user_id: Option<String>,
        /// The service account.
        #[schemars(extend("x-optional" = true))]
        service_account_id: Option<String>,
    }
);

// ---- deployments, dreams, work ----

shape!(
    /// A pinned agent version: `{id, type: "agent", version}`.
    AgentVersionRef {
        /// Agent id.
        id: String,
        /// `agent`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["agent"], "x-open" = true))]
        kind: String,
        /// Agent version.
        version: u64,
    }
);

shape!(
    /// When a deployment runs.
    Schedule {
        /// `cron`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["cron"], "x-open" = true))]
        kind: String,
        /// 5-field cron expression.
        expression: String,
        /// IANA time zone.
        timezone: String,
        /// The last scheduled run.
        #[schemars(extend("x-optional" = true))]
        last_run_at: Option<String>,
        /// The next scheduled runs.
        #[schemars(extend("x-optional" = true))]
        upcoming_runs_at: Option<Vec<String>>,
    }
);

shape!(
    /// An error: `{type, message}`.
    ErrorInfo {
        /// Error type.
        #[serde(rename = "type")]
        kind: String,
        /// Message.
        message: String,
    }
);

shape!(
    /// Why a deployment is paused.
    PausedReason {
        /// Reason type, e.g. `manual` or `error`.
        #[serde(rename = "type")]
        kind: String,
        /// The error that paused it.
        #[schemars(extend("x-optional" = true))]
        error: Option<ErrorInfo>,
    }
);

shape!(
    /// What started a deployment run.
    TriggerContext {
        /// `schedule` or `manual`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["schedule", "manual"], "x-open" = true))]
        kind: String,
        /// The scheduled time (scheduled runs).
        #[schemars(extend("x-optional" = true))]
        scheduled_at: Option<String>,
    }
);

tagged_union! {
    /// What a dream consolidates.
    pub enum DreamInput {
        /// A memory store's memories.
        MemoryStore(MemoryStoreInput),
        /// Sessions' transcripts.
        Sessions(SessionsInput),
    }
}

wire_struct! {
    /// A memory store's memories.
    pub struct MemoryStoreInput [tag = "memory_store"] {
        /// The store.
        pub memory_store_id: String,
    }
}

wire_struct! {
    /// Sessions' transcripts.
    pub struct SessionsInput [tag = "sessions"] {
        /// The sessions.
        pub session_ids: Vec<String>,
    }
}

shape!(
    /// The model a dream runs.
    DreamModel {
        /// Model id.
        id: String,
        /// `standard` or `fast`.
        #[schemars(extend("x-optional" = true))]
        #[schemars(extend("enum" = ["standard", "fast"], "x-open" = true))]
        speed: Option<String>,
    }
);

shape!(
    /// Where a dream writes.
    OutputBehavior {
        /// `create_new` or `update_existing`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["create_new", "update_existing"], "x-open" = true))]
        kind: String,
        /// The store updated (`update_existing`).
        #[schemars(extend("x-optional" = true))]
        memory_store_id: Option<String>,
    }
);

shape!(
    /// What a dream wrote.
    DreamOutput {
        /// Output type.
        #[serde(rename = "type")]
        kind: String,
        /// The store written.
        memory_store_id: String,
        /// Paths touched.
        files_touched: Vec<String>,
    }
);

shape!(
    /// Tokens a dream used.
    DreamUsage {
        /// Input tokens.
        input_tokens: u64,
        /// Output tokens.
        output_tokens: u64,
        /// Input tokens read from the prompt cache.
        cache_read_input_tokens: u64,
        /// Input tokens written to the prompt cache.
        cache_creation_input_tokens: u64,
    }
);

shape!(
    /// What a unit of work is about: `{id: "sess_…", type: "session"}`.
    WorkData {
        /// Session id.
        id: String,
        /// `session`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["session"], "x-open" = true))]
        kind: String,
    }
);

/// Where a skill comes from: `"custom"` / `"qoder"`, or the object form `{"type": ...}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum SkillOrigin {
    /// `custom` or `qoder`.
    Name(String),
    /// `{"type": "custom" | "qoder", ...}`.
    Object(SkillOriginObject),
    /// Any other JSON, kept verbatim (not part of the documented shape).
    #[schemars(skip)]
    Other(Value),
}

shape!(
    /// The object form of a skill's source.
    SkillOriginObject {
        /// `custom` or `qoder`.
        #[serde(rename = "type")]
        #[schemars(extend("enum" = ["custom", "qoder"], "x-open" = true))]
        kind: String,
    }
);

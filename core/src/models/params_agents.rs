//! Request parameters of agents and skills, and the agent shapes (model, tools, MCP servers,
//! skills, multi-agent config) that sessions and deployments reuse.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::params::{nullable, params, string_enum, tag, tagged, uploads_schema, MetadataParam, UploadParam, UrlTag};

tag! {
    /// `"custom"`.
    CustomTag = "custom";
    /// `"agent_toolset_20260401"`.
    AgentToolsetTag = "agent_toolset_20260401";
    /// `"mcp_toolset"`.
    McpToolsetTag = "mcp_toolset";
    /// `"approximate"`.
    ApproximateTag = "approximate";
    /// `"coordinator"`.
    CoordinatorTag = "coordinator";
}

string_enum! {
    /// Inference speed of a model: `standard` or `fast`.
    pub enum ModelSpeed {
        /// Standard speed.
        Standard,
        /// Fast mode (where the model offers it).
        Fast,
    }
}

/// An effort given as an object: `{"type": "<effort>"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct EffortConfigParam {
    /// The effort: `none`, `low`, `medium`, `high`, `xhigh` or `max`.
    #[serde(rename = "type")]
    pub r#type: String,
}

/// Reasoning effort: a level (`none`, `low`, `medium`, `high`, `xhigh`, `max`) or `{"type": level}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum EffortParam {
    /// The level, e.g. `high`.
    Level(String),
    /// `{"type": level}`.
    Config(EffortConfigParam),
}

/// A model configuration: `{"id", "effort"?, "speed"?, "context_window"?, "inference_geo"?}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct ModelConfigParam {
    /// Catalog id of the model (`models.list`), e.g. `auto`.
    pub id: String,
    /// Reasoning effort (one of the model's `efforts`).
    pub effort: Option<EffortParam>,
    /// `standard` or `fast`.
    pub speed: Option<ModelSpeed>,
    /// One of the model's `available_context_windows`, in tokens.
    pub context_window: Option<u64>,
    /// Inference geography.
    pub inference_geo: Option<String>,
}

/// A model: a catalog id, or a model configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ModelParam {
    /// Catalog id, e.g. `auto`.
    Id(String),
    /// Configuration object.
    Config(ModelConfigParam),
}

impl From<&str> for ModelParam {
    fn from(s: &str) -> Self {
        Self::Id(s.to_string())
    }
}

tagged! {
    /// An MCP server the agent can use: `{"type": "url", "name", "url"}`.
    #[derive(Default)]
    pub struct McpServerParam [UrlTag] {
        /// Name, unique within the agent (referred to by `mcp_toolset` tools).
        pub name: String,
        /// The server's URL.
        pub url: String,
    }
}

string_enum! {
    /// Where a skill comes from: `qoder` (built in) or `custom` (uploaded).
    pub enum SkillRefType {
        /// A built-in skill.
        Qoder,
        /// An uploaded skill.
        Custom,
    }
}

/// A skill the agent can use: `{"type": "qoder" | "custom", "skill_id", "version"?}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SkillRefParam {
    /// `qoder` or `custom`.
    #[serde(rename = "type")]
    pub r#type: SkillRefType,
    /// The skill's id.
    pub skill_id: String,
    /// A version of the skill (default: the latest).
    pub version: Option<String>,
}

tagged! {
    /// A custom tool, run by the client: `{"type": "custom", "name", "description", "input_schema"}`.
    #[derive(Default)]
    pub struct CustomToolParam [CustomTag] {
        /// Tool name.
        pub name: String,
        /// What the tool does (shown to the model).
        pub description: String,
        /// JSON Schema of the tool's input (`{"type": "object", "properties", "required"}`).
        pub input_schema: Map<String, Value>,
    }
}

string_enum! {
    /// Whether a tool runs without asking: `always_allow` or `always_ask`.
    pub enum PermissionPolicyType {
        /// Runs without confirmation.
        AlwaysAllow,
        /// Waits for a `user.tool_confirmation`.
        AlwaysAsk,
    }
}

/// A tool's permission policy: `{"type": "always_allow" | "always_ask"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PermissionPolicyParam {
    /// `always_allow` or `always_ask`.
    #[serde(rename = "type")]
    pub r#type: PermissionPolicyType,
}

/// Settings of every tool of a toolset, unless a `configs` entry overrides them.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct ToolDefaultConfigParam {
    /// Whether the tools are enabled.
    pub enabled: Option<bool>,
    /// Permission policy of the tools.
    pub permission_policy: Option<PermissionPolicyParam>,
}

tagged! {
    /// An approximate user location for web search: `{"type": "approximate", ...}`.
    #[derive(Default)]
    pub struct UserLocationParam [ApproximateTag] {
        /// City.
        pub city: Option<String>,
        /// Region.
        pub region: Option<String>,
        /// Country (ISO 3166-1 alpha-2).
        pub country: Option<String>,
        /// IANA time zone.
        pub timezone: Option<String>,
    }
}

/// Settings of one tool of a toolset.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct ToolConfigParam {
    /// The tool's type, where the toolset needs it.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Tool name, e.g. `bash` or `web_search`.
    pub name: String,
    /// Whether the tool is enabled.
    pub enabled: Option<bool>,
    /// Permission policy of the tool.
    pub permission_policy: Option<PermissionPolicyParam>,
    /// Domains the tool may reach (web tools).
    pub allowed_domains: Option<Vec<String>>,
    /// Domains the tool may not reach (web tools).
    pub blocked_domains: Option<Vec<String>>,
    /// Cap on the tokens of fetched content (web fetch).
    pub max_content_tokens: Option<u64>,
    /// Approximate user location (web search).
    pub user_location: Option<UserLocationParam>,
}

tagged! {
    /// The built-in toolset: `{"type": "agent_toolset_20260401", ...}`.
    #[derive(Default)]
    pub struct AgentToolsetParam [AgentToolsetTag] {
        /// Only these tools are enabled.
        pub enabled_tools: Option<Vec<String>>,
        /// These tools are disabled.
        pub disallowed_tools: Option<Vec<String>>,
        /// Settings of every tool.
        pub default_config: Option<ToolDefaultConfigParam>,
        /// Per-tool settings.
        pub configs: Option<Vec<ToolConfigParam>>,
    }
}

tagged! {
    /// The tools of one of the agent's MCP servers: `{"type": "mcp_toolset", "mcp_server_name", ...}`.
    #[derive(Default)]
    pub struct McpToolsetParam [McpToolsetTag] {
        /// Name of an entry of the agent's `mcp_servers`.
        pub mcp_server_name: String,
        /// Settings of every tool.
        pub default_config: Option<ToolDefaultConfigParam>,
        /// Per-tool settings.
        pub configs: Option<Vec<ToolConfigParam>>,
    }
}

/// A tool of an agent: the built-in toolset, an MCP toolset, a custom tool, or any other (e.g.
/// legacy) tool object, sent as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum AgentToolParam {
    /// The built-in toolset.
    Toolset(AgentToolsetParam),
    /// An MCP server's tools.
    McpToolset(McpToolsetParam),
    /// A custom tool.
    Custom(CustomToolParam),
    /// Any other tool object.
    Other(Map<String, Value>),
}

/// A member of a coordinator's team: an agent id, or an object (`{"type": "agent", "id",
/// "version"?}`, `{"type": "self"}`, `{"type": "advisor", "model"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum MultiagentAgentParam {
    /// An agent id (latest version).
    Id(String),
    /// An object form.
    Object(Map<String, Value>),
}

tagged! {
    /// Multi-agent configuration: `{"type": "coordinator", "agents"}`.
    #[derive(Default)]
    pub struct MultiagentParam [CoordinatorTag] {
        /// The agents the coordinator can delegate to.
        pub agents: Vec<MultiagentAgentParam>,
    }
}

params! {
    /// Parameters of `agents.create`.
    pub struct AgentCreateParams {
        /// The model: a catalog id or a configuration (required).
        model: ModelParam,
        /// Name, 1–256 characters (required).
        name: String,
        /// Description, at most 2048 characters.
        #[schemars(transform = nullable)]
        description: String,
        /// System prompt, at most 100,000 characters.
        #[schemars(transform = nullable)]
        system: String,
        /// MCP servers, at most 20.
        mcp_servers: Vec<McpServerParam>,
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
        /// Multi-agent (coordinator) configuration.
        #[schemars(transform = nullable)]
        multiagent: MultiagentParam,
        /// Skills, at most 20.
        skills: Vec<SkillRefParam>,
        /// Tools, at most 128.
        tools: Vec<AgentToolParam>,
    }
}

params! {
    /// Parameters of `agents.list`.
    pub struct AgentListParams {
        /// Created at or after this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_gte: String,
        /// Created at or before this time (RFC 3339).
        #[schemars(extend("format" = "date-time"))]
        created_at_lte: String,
        /// Also list archived agents.
        include_archived: bool,
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

params! {
    /// Parameters of `agents.retrieve`.
    pub struct AgentRetrieveParams {
        /// A version snapshot (≥ 1; default: the latest).
        version: u64,
    }
}

params! {
    /// Parameters of `agents.update`: the fields to change, and the version they apply to.
    pub struct AgentUpdateParams {
        /// New description, at most 2048 characters (`null` clears it).
        #[schemars(transform = nullable)]
        description: String,
        /// New system prompt, at most 100,000 characters (`null` clears it).
        #[schemars(transform = nullable)]
        system: String,
        /// New name, 1–256 characters.
        name: String,
        /// The version last read (≥ 1): a stale version fails with a conflict.
        version: u64,
        /// Replacement MCP servers, at most 20.
        mcp_servers: Vec<McpServerParam>,
        /// Metadata patch: at most 16 keys; a `null` value deletes the key.
        metadata: MetadataParam,
        /// Replacement skills, at most 20.
        skills: Vec<SkillRefParam>,
        /// Replacement tools, at most 128.
        tools: Vec<AgentToolParam>,
        /// New model.
        model: ModelParam,
        /// New multi-agent configuration (`null` removes it).
        #[schemars(transform = nullable)]
        multiagent: MultiagentParam,
    }
}

params! {
    /// Parameters of `agents.versions.list`.
    pub struct AgentVersionListParams {
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

params! {
    /// Parameters of `skills.create` (sent as `multipart/form-data`).
    pub struct SkillCreateParams {
        /// Metadata: at most 16 string keys and values.
        metadata: MetadataParam,
        /// The skill's files (one directory holding `SKILL.md`), required.
        #[schemars(schema_with = "uploads_schema")]
        files: Vec<UploadParam>,
        /// Display title.
        display_title: String,
    }
}

params! {
    /// Parameters of `skills.list`.
    pub struct SkillListParams {
        /// Only skills with this display title (alias of `display_title`).
        display_name: String,
        /// Only skills with this display title.
        display_title: String,
        /// Only skills with this name.
        name: String,
        /// Skills before this id.
        before_id: String,
        /// Skills after this id.
        after_id: String,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Only skills of this source, e.g. `custom` or `qoder`.
        source: String,
        /// Page size, 1–100 (default 20).
        limit: u32,
    }
}

params! {
    /// Parameters of `skills.versions.create` (sent as `multipart/form-data`).
    pub struct SkillVersionCreateParams {
        /// The new version's files (one directory holding `SKILL.md`), required.
        #[schemars(schema_with = "uploads_schema")]
        files: Vec<UploadParam>,
    }
}

params! {
    /// Parameters of `skills.versions.list`.
    pub struct SkillVersionListParams {
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
    }
}

impl AgentCreateParams {
    /// An agent named `name` on `model` (a catalog id such as `"auto"`, or a configuration).
    pub fn new(name: impl Into<String>, model: impl Into<ModelParam>) -> Self {
        Self { name: Some(name.into()), model: Some(model.into()), ..Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_omit_unset_fields() {
        let p = AgentCreateParams { name: Some("a".into()), model: Some("auto".into()), ..Default::default() };
        assert_eq!(serde_json::to_value(&p).unwrap(), serde_json::json!({"model": "auto", "name": "a"}));
        let t = AgentToolParam::Custom(CustomToolParam { name: "t".into(), ..Default::default() });
        assert_eq!(serde_json::to_value(&t).unwrap()["type"], "custom");
    }
}

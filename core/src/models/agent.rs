//! Agents: definition objects and request bodies.

use super::object::shape;

use super::common::{Metadata, ModelRef};
use super::shapes::{AgentTool, McpServer, Multiagent, SkillRef};

shape! {
    /// An agent (or one frozen version of it).
    Agent {
        /// `agent_...`.
        id: String,
        /// `"agent"`.
        #[serde(rename = "type")]
        object_type: String,
        /// Name (1-256 characters).
        name: String,
        /// Description.
        description: Option<String>,
        /// Model id or config.
        model: ModelRef,
        /// System prompt.
        system: Option<String>,
        /// Tool configurations.
        tools: Vec<AgentTool>,
        /// MCP servers `{type: "url", name, url}`.
        mcp_servers: Vec<McpServer>,
        /// Skill references.
        skills: Vec<SkillRef>,
        /// Multi-agent coordinator config.
        multiagent: Option<Multiagent>,
        /// Metadata.
        metadata: Metadata,
        /// Version, starting at 1.
        version: u64,
        /// Archive time.
        archived_at: Option<String>,
        /// Creation time (RFC 3339).
        created_at: Option<String>,
        /// Last update time.
        updated_at: Option<String>,
    }
}

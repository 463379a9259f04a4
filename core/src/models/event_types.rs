//! Small types used inside events: stop reasons, error objects, rubrics, usage, preview parts.

use serde_json::Number;

use super::super::content::wire::{string_enum, tagged_union, wire_name, wire_struct, Present};
use super::super::content::TextBlock;

// ---- small shared types --------------------------------------------------------------------

string_enum! {
    /// Answer to a tool confirmation request.
    pub enum ToolConfirmationResult {
        /// Run the tool.
        Allow = "allow",
        /// Do not run it (optionally with a `deny_message` for the agent).
        Deny = "deny",
    }
}

string_enum! {
    /// Permission the server evaluated for a tool call; `ask` blocks until a confirmation.
    pub enum EvaluatedPermission {
        /// Runs without asking.
        Allow = "allow",
        /// Waits for `user.tool_confirmation`.
        Ask = "ask",
        /// Refused by policy.
        Deny = "deny",
    }
}

string_enum! {
    /// Whether the server retries after a `session.error`.
    pub enum RetryStatusType {
        /// The server is retrying.
        Retrying = "retrying",
        /// Retries are used up; the session idles with `retries_exhausted`.
        Exhausted = "exhausted",
        /// Not retryable.
        Terminal = "terminal",
    }
}

string_enum! {
    /// `session.error` error types.
    pub enum SessionErrorType {
        /// Unclassified failure.
        UnknownError = "unknown_error",
        /// The model is overloaded.
        ModelOverloaded = "model_overloaded_error",
        /// The model rate limit was hit.
        ModelRateLimited = "model_rate_limited_error",
        /// A model request failed.
        ModelRequestFailed = "model_request_failed_error",
        /// An MCP server could not be reached.
        McpConnectionFailed = "mcp_connection_failed_error",
        /// An MCP server rejected the credentials.
        McpAuthenticationFailed = "mcp_authentication_failed_error",
        /// Billing problem (e.g. no credits).
        Billing = "billing_error",
        /// A vault credential's host was unreachable.
        CredentialHostUnreachable = "credential_host_unreachable_error",
    }
}

string_enum! {
    /// Verdict of an outcome evaluation.
    pub enum OutcomeResult {
        /// The outcome is met.
        Satisfied = "satisfied",
        /// Another iteration follows.
        NeedsRevision = "needs_revision",
        /// Gave up after `max_iterations`.
        MaxIterationsReached = "max_iterations_reached",
        /// Evaluation failed.
        Failed = "failed",
        /// Evaluation was interrupted.
        Interrupted = "interrupted",
    }
}

tagged_union! {
    /// Why a session (or thread) went idle.
    pub enum StopReason {
        /// The agent finished its turn.
        EndTurn(StopEndTurn),
        /// Blocked on the listed events (tool confirmations or custom tool results).
        RequiresAction(StopRequiresAction),
        /// A server-side error persisted through all retries.
        RetriesExhausted(StopRetriesExhausted),
        /// The session budget is used up.
        BudgetReached(StopBudgetReached),
    }
}

wire_struct! {
    /// `{"type":"end_turn"}`.
    #[derive(Default)]
    pub struct StopEndTurn [tag = "end_turn"] {}
}

wire_struct! {
    /// `{"type":"requires_action","event_ids":[…]}`.
    #[derive(Default)]
    pub struct StopRequiresAction [tag = "requires_action"] {
        /// Ids of the blocking `agent.tool_use` / `agent.mcp_tool_use` / `agent.custom_tool_use`
        /// events still waiting for a reply.
        pub event_ids: Vec<String>,
    }
}

wire_struct! {
    /// `{"type":"retries_exhausted"}`.
    #[derive(Default)]
    pub struct StopRetriesExhausted [tag = "retries_exhausted"] {}
}

wire_struct! {
    /// `{"type":"budget_reached"}`.
    #[derive(Default)]
    pub struct StopBudgetReached [tag = "budget_reached"] {}
}

impl StopReason {
    /// `{"type":"end_turn"}`.
    pub fn end_turn() -> Self {
        Self::EndTurn(StopEndTurn::default())
    }

    /// The blocking event ids of a `requires_action` stop (empty for other reasons).
    pub fn event_ids(&self) -> &[String] {
        match self {
            Self::RequiresAction(r) => &r.event_ids,
            _ => &[],
        }
    }
}

tagged_union! {
    /// Grading rubric of `user.define_outcome`.
    pub enum Rubric {
        /// Inline rubric text.
        Text(TextRubric),
        /// Rubric stored in an uploaded file.
        File(FileRubric),
    }
}

wire_struct! {
    /// `{"type":"text","content"}`.
    #[derive(Default)]
    pub struct TextRubric [tag = "text"] {
        /// The rubric.
        pub content: String,
    }
}

wire_struct! {
    /// `{"type":"file","file_id"}`.
    #[derive(Default)]
    pub struct FileRubric [tag = "file"] {
        /// Id of the uploaded rubric file.
        pub file_id: String,
    }
}

wire_struct! {
    /// `{"type":"retrying"|"exhausted"|"terminal"}` on a session error.
    pub struct RetryStatus {
        /// The retry state.
        pub kind ["type"]: RetryStatusType,
    }
}

wire_struct! {
    /// The `error` object of `session.error`.
    pub struct SessionError {
        /// Error type, e.g. `model_overloaded_error`.
        pub kind ["type"]: SessionErrorType,
        /// Human-readable message.
        pub message: Option<String>,
        /// Whether the server retries.
        pub retry_status: Option<RetryStatus>,
        /// Qoder diagnostic code (informational only).
        pub qoder_error_code: Option<QoderErrorCode>,
        /// MCP server involved, for MCP errors.
        pub mcp_server_name: Option<String>,
        /// Vault involved, for credential errors.
        pub vault_id: Option<String>,
        /// Credential involved, for credential errors.
        pub credential_id: Option<String>,
    }
}

wire_struct! {
    /// Token usage of one model request (`span.model_request_end.model_usage`).
    #[derive(Default)]
    pub struct ModelUsage {
        /// Input tokens.
        pub input_tokens: Option<u64>,
        /// Output tokens.
        pub output_tokens: Option<u64>,
        /// Tokens written to the prompt cache.
        pub cache_creation_input_tokens: Option<u64>,
        /// Tokens read from the prompt cache.
        pub cache_read_input_tokens: Option<u64>,
        /// Qoder credits charged (kept as a JSON number so it re-serialises exactly).
        pub credits: Option<Number>,
    }
}

wire_struct! {
    /// The `event` of `event_start`: which buffered event a preview belongs to.
    #[derive(Default)]
    pub struct PreviewTarget {
        /// Type of the event being previewed (`agent.message` or `agent.thinking`).
        pub kind ["type"]: String,
        /// Id the buffered event will carry.
        pub id: Option<String>,
    }
}

wire_struct! {
    /// The `delta` of `event_delta`.
    #[derive(Default)]
    pub struct ContentDelta {
        /// Delta type (`content_delta`).
        pub kind ["type"]: String,
        /// Position in the event's `content` array: append to a known index, insert a new one.
        pub index: Option<usize>,
        /// The fragment: a text block whose text is appended.
        pub content: TextBlock,
    }
}

/// A Qoder diagnostic code: text or a number (kept exactly as sent).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum QoderErrorCode {
    /// A code such as `"E1042"`.
    Text(String),
    /// A numeric code.
    Number(serde_json::Number),
}

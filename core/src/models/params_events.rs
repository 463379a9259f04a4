//! Request parameters of session events: input events (`sessions.events.send`, initial events),
//! event listings and streams.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::params::{
    param_union, params, string_enum, tag, tagged, ContentBlockParam, FileTag, SortOrder, TextBlockParam, TextTag,
};

tag! {
    /// `"user.message"`.
    UserMessageTag = "user.message";
    /// `"user.interrupt"`.
    UserInterruptTag = "user.interrupt";
    /// `"user.tool_confirmation"`.
    UserToolConfirmationTag = "user.tool_confirmation";
    /// `"user.custom_tool_result"`.
    UserCustomToolResultTag = "user.custom_tool_result";
    /// `"user.define_outcome"`.
    UserDefineOutcomeTag = "user.define_outcome";
    /// `"user.tool_result"`.
    UserToolResultTag = "user.tool_result";
    /// `"system.message"`.
    SystemMessageTag = "system.message";
}

/// A user message's content: a string, or a list of text, image and document blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum MessageContentParam {
    /// Plain text.
    Text(String),
    /// Content blocks.
    Blocks(Vec<ContentBlockParam>),
}

impl Default for MessageContentParam {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

tagged! {
    /// A user message: `{"type": "user.message", "content"}`.
    #[derive(Default)]
    pub struct UserMessageEventParam [UserMessageTag] {
        /// The message: a string or content blocks.
        pub content: MessageContentParam,
        /// Files attached to the message.
        pub file_attachments: Option<Vec<Map<String, Value>>>,
    }
}

tagged! {
    /// Interrupts the running turn (of one thread, or of the whole session).
    #[derive(Default)]
    pub struct UserInterruptEventParam [UserInterruptTag] {
        /// The thread to interrupt (default: the primary thread).
        pub session_thread_id: Option<String>,
    }
}

string_enum! {
    /// The answer to a tool confirmation: `allow` or `deny`.
    pub enum ConfirmationResult {
        /// Run the tool.
        Allow,
        /// Do not run the tool.
        Deny,
    }
}

tagged! {
    /// Answers a `agent.tool_use` / `agent.mcp_tool_use` that waits for confirmation.
    pub struct UserToolConfirmationEventParam [UserToolConfirmationTag] {
        /// Id of the tool use event being answered.
        pub tool_use_id: String,
        /// `allow` or `deny`.
        pub result: ConfirmationResult,
        /// Why the tool was denied (shown to the agent; with `deny` only).
        pub deny_message: Option<String>,
        /// The thread the tool use belongs to (default: the primary thread).
        pub session_thread_id: Option<String>,
    }
}

tagged! {
    /// The result of a custom tool the agent called (`agent.custom_tool_use`).
    #[derive(Default)]
    pub struct UserCustomToolResultEventParam [UserCustomToolResultTag] {
        /// Id of the `agent.custom_tool_use` event being answered.
        pub custom_tool_use_id: String,
        /// The result's content blocks.
        pub content: Option<Vec<ContentBlockParam>>,
        /// Whether the tool failed.
        pub is_error: Option<bool>,
        /// The thread the tool use belongs to (default: the primary thread).
        pub session_thread_id: Option<String>,
    }
}

tagged! {
    /// Defines an outcome the agent works towards, graded against a rubric.
    #[derive(Default)]
    pub struct UserDefineOutcomeEventParam [UserDefineOutcomeTag] {
        /// What the outcome is.
        pub description: String,
        /// The rubric: `{"type": "text", "content"}` or `{"type": "file", "file_id"}`.
        pub rubric: RubricParam,
        /// Maximum number of grading iterations.
        pub max_iterations: Option<u32>,
    }
}

param_union! {
    /// A grading rubric, tagged by `type`.
    pub enum RubricParam {
        /// Inline rubric text.
        Text(TextRubricParam),
        /// A rubric in an uploaded file.
        File(FileRubricParam),
    }
}

impl Default for RubricParam {
    fn default() -> Self {
        Self::Text(TextRubricParam::default())
    }
}

tagged! {
    /// Inline rubric text: `{"type": "text", "content"}`.
    #[derive(Default)]
    pub struct TextRubricParam [TextTag] {
        /// The rubric.
        pub content: String,
    }
}

tagged! {
    /// A rubric in an uploaded file: `{"type": "file", "file_id"}`.
    #[derive(Default)]
    pub struct FileRubricParam [FileTag] {
        /// Id of the uploaded rubric file.
        pub file_id: String,
    }
}

tagged! {
    /// The result of a built-in tool run by the client.
    #[derive(Default)]
    pub struct UserToolResultEventParam [UserToolResultTag] {
        /// Id of the tool use event being answered.
        pub tool_use_id: String,
        /// The result's content blocks.
        pub content: Option<Vec<ContentBlockParam>>,
        /// Whether the tool failed.
        pub is_error: Option<bool>,
        /// The thread the tool use belongs to (default: the primary thread).
        pub session_thread_id: Option<String>,
    }
}

tagged! {
    /// A system message: `{"type": "system.message", "content": [text blocks]}`.
    #[derive(Default)]
    pub struct SystemMessageEventParam [SystemMessageTag] {
        /// Text blocks.
        pub content: Vec<TextBlockParam>,
    }
}

param_union! {
    /// An input event, tagged by `type`.
    pub enum InputEventParam {
        /// `user.message`.
        UserMessage(UserMessageEventParam),
        /// `user.interrupt`.
        UserInterrupt(UserInterruptEventParam),
        /// `user.tool_confirmation`.
        UserToolConfirmation(UserToolConfirmationEventParam),
        /// `user.custom_tool_result`.
        UserCustomToolResult(UserCustomToolResultEventParam),
        /// `user.define_outcome`.
        UserDefineOutcome(UserDefineOutcomeEventParam),
        /// `user.tool_result`.
        UserToolResult(UserToolResultEventParam),
        /// `system.message`.
        SystemMessage(SystemMessageEventParam),
    }
}

impl InputEventParam {
    /// A `user.message` with text content.
    pub fn user_message(text: impl Into<String>) -> Self {
        Self::UserMessage(UserMessageEventParam {
            content: MessageContentParam::Text(text.into()),
            ..Default::default()
        })
    }
}

params! {
    /// Parameters of `sessions.events.send`.
    pub struct EventSendParams {
        /// The events to send (non-empty; processed in order).
        events: Vec<InputEventParam>,
    }
}

params! {
    /// Parameters of `sessions.events.list` (`page`, `after_id` and `before_id` are exclusive).
    pub struct EventListParams {
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Events after this event id.
        after_id: String,
        /// Events before this event id.
        before_id: String,
        /// `asc` (default) or `desc`.
        order: SortOrder,
        /// Only events of these types (e.g. `agent.message`).
        types: Vec<String>,
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
    }
}

string_enum! {
    /// A kind of delta a stream may carry (`agent.message`, `agent.thinking`).
    pub enum EventDeltaType {
        /// Message text deltas.
        #[serde(rename = "agent.message")]
        AgentMessage,
        /// Thinking deltas.
        #[serde(rename = "agent.thinking")]
        AgentThinking,
    }
}

params! {
    /// Parameters of `sessions.events.stream`.
    pub struct EventStreamParams {
        /// Also stream partial deltas of these event types (`agent.message`, `agent.thinking`).
        event_deltas: Vec<EventDeltaType>,
        /// Resume after this event id (sent as the `Last-Event-ID` header).
        last_event_id: String,
    }
}

params! {
    /// Parameters of `sessions.threads.events.stream`.
    pub struct ThreadEventStreamParams {
        /// Also stream partial deltas of these event types (`agent.message`, `agent.thinking`).
        event_deltas: Vec<EventDeltaType>,
        /// Resume after this event id (sent as the `Last-Event-ID` header).
        last_event_id: String,
    }
}

params! {
    /// Parameters of `sessions.threads.events.list`.
    pub struct ThreadEventListParams {
        /// Page size, 1–100 (default 20).
        limit: u32,
        /// Opaque cursor: a previous page's `next_page`.
        page: String,
        /// Events after this event id.
        after_id: String,
        /// Events before this event id.
        before_id: String,
    }
}

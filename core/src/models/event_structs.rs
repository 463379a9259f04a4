//! The per-type event structs of docs/api-contract.md §5.2.
//!
//! Every struct carries the envelope fields (all optional, because inputs have none before
//! they are sent and stream-only previews have no own id), its type-specific fields, and an
//! `extra` map with whatever else the server sent. Fields docs/api-contract.md marks as required are
//! plain (non-`Option`) fields: an event missing them decodes as `SessionEvent::Unknown`.

use serde_json::{Map, Number, Value};

use super::super::content::wire::{event_struct, wire_name, wire_struct, Present};
use super::super::content::ContentBlock;
use super::types::*;
use super::EnvelopeRef;
use crate::models::{Budget, JsonOf, Metadata, SessionAgent, SessionUsage};

// ---- user / system inputs ------------------------------------------------------------------

event_struct! {
    /// `user.message`: a user turn (postable).
    #[derive(Default)]
    pub struct UserMessageEvent [tag = "user.message"] {
        /// Text, image, document or redacted blocks.
        pub content: Vec<ContentBlock>,
        /// Optional attachments, stored verbatim by the server.
        pub file_attachments: Option<Vec<Value>>,
    }

    /// `user.interrupt`: stop the current turn of every thread, or of `session_thread_id` only.
    #[derive(Default)]
    pub struct UserInterruptEvent [tag = "user.interrupt"] {}

    /// `user.tool_confirmation`: allow or deny a tool call that waited with permission `ask`.
    pub struct UserToolConfirmationEvent [tag = "user.tool_confirmation"] {
        /// Id of the `agent.tool_use` / `agent.mcp_tool_use` event being answered.
        pub tool_use_id: String,
        /// `allow` or `deny`.
        pub result: ToolConfirmationResult,
        /// Reason given to the agent (only with `deny`, at most 10 000 characters).
        pub deny_message: Option<String>,
    }

    /// `user.custom_tool_result`: the client's result for an `agent.custom_tool_use`.
    #[derive(Default)]
    pub struct UserCustomToolResultEvent [tag = "user.custom_tool_result"] {
        /// Id of the `agent.custom_tool_use` event being answered.
        pub custom_tool_use_id: String,
        /// Result blocks (the server defaults to one empty text block).
        pub content: Option<Vec<ContentBlock>>,
        /// Whether the tool failed.
        pub is_error: Option<bool>,
    }

    /// `user.define_outcome`: start outcome-driven work graded against a rubric.
    pub struct UserDefineOutcomeEvent [tag = "user.define_outcome"] {
        /// What the agent should achieve.
        pub description: String,
        /// How the result is graded.
        pub rubric: Rubric,
        /// Evaluation rounds (server default 3, maximum 20).
        pub max_iterations: Option<u32>,
        /// Assigned by the server in the echo (`outc_…`).
        pub outcome_id: Option<String>,
    }

    /// `user.tool_result`: a built-in tool's result from a self-hosted environment worker.
    #[derive(Default)]
    pub struct UserToolResultEvent [tag = "user.tool_result"] {
        /// Id of the `agent.tool_use` event being answered.
        pub tool_use_id: String,
        /// Result blocks.
        pub content: Option<Vec<ContentBlock>>,
        /// Whether the tool failed.
        pub is_error: Option<bool>,
    }

    /// `system.message`: a system-role turn appended between turns (text blocks only).
    #[derive(Default)]
    pub struct SystemMessageEvent [tag = "system.message"] {
        /// Text blocks.
        pub content: Vec<ContentBlock>,
    }
}

// ---- agent outputs -------------------------------------------------------------------------

event_struct! {
    /// `agent.message`: a complete (buffered, authoritative) agent message.
    #[derive(Default)]
    pub struct AgentMessageEvent [tag = "agent.message"] {
        /// Text and redacted blocks.
        pub content: Vec<ContentBlock>,
    }

    /// `agent.thinking`: the agent is reasoning (a progress signal).
    #[derive(Default)]
    pub struct AgentThinkingEvent [tag = "agent.thinking"] {
        /// Reasoning text, when the server includes it.
        pub thinking: Option<String>,
    }

    /// `agent.tool_use`: the agent calls a built-in tool.
    #[derive(Default)]
    pub struct AgentToolUseEvent [tag = "agent.tool_use"] {
        /// Tool name, e.g. `bash`.
        pub name: String,
        /// Tool input object.
        pub input: Map<String, Value>,
        /// `ask` means the session waits for a `user.tool_confirmation`.
        pub evaluated_permission: Option<EvaluatedPermission>,
    }

    /// `agent.tool_result`: a built-in tool's result.
    #[derive(Default)]
    pub struct AgentToolResultEvent [tag = "agent.tool_result"] {
        /// Id of the `agent.tool_use` event.
        pub tool_use_id: String,
        /// Result blocks.
        pub content: Option<Vec<ContentBlock>>,
        /// Whether the tool failed.
        pub is_error: Option<bool>,
    }

    /// `agent.mcp_tool_use`: the agent calls an MCP server tool.
    #[derive(Default)]
    pub struct AgentMcpToolUseEvent [tag = "agent.mcp_tool_use"] {
        /// Tool name.
        pub name: String,
        /// The MCP server providing it.
        pub mcp_server_name: Option<String>,
        /// Tool input object.
        pub input: Map<String, Value>,
        /// `ask` means the session waits for a `user.tool_confirmation`.
        pub evaluated_permission: Option<EvaluatedPermission>,
    }

    /// `agent.mcp_tool_result`: an MCP tool's result.
    #[derive(Default)]
    pub struct AgentMcpToolResultEvent [tag = "agent.mcp_tool_result"] {
        /// Id of the `agent.mcp_tool_use` event.
        pub mcp_tool_use_id: String,
        /// Result blocks.
        pub content: Option<Vec<ContentBlock>>,
        /// Whether the tool failed.
        pub is_error: Option<bool>,
    }

    /// `agent.custom_tool_use`: the agent calls a client-side tool; the session then idles with
    /// `requires_action` until a `user.custom_tool_result` arrives.
    #[derive(Default)]
    pub struct AgentCustomToolUseEvent [tag = "agent.custom_tool_use"] {
        /// Custom tool name.
        pub name: String,
        /// Tool input object.
        pub input: Map<String, Value>,
    }

    /// `agent.thread_message_sent`: a message to another agent thread.
    #[derive(Default)]
    pub struct AgentThreadMessageSentEvent [tag = "agent.thread_message_sent"] {
        /// Receiving thread.
        pub to_session_thread_id: Option<String>,
        /// Receiving agent's name.
        pub to_agent_name: Option<String>,
        /// Message blocks.
        pub content: Option<Vec<ContentBlock>>,
    }

    /// `agent.thread_message_received`: a message from another agent thread.
    #[derive(Default)]
    pub struct AgentThreadMessageReceivedEvent [tag = "agent.thread_message_received"] {
        /// Sending thread.
        pub from_session_thread_id: Option<String>,
        /// Sending agent's name.
        pub from_agent_name: Option<String>,
        /// Message blocks.
        pub content: Option<Vec<ContentBlock>>,
    }

    /// `agent.thread_context_compacted`: the thread's context was summarised.
    #[derive(Default)]
    pub struct AgentThreadContextCompactedEvent [tag = "agent.thread_context_compacted"] {}

    /// `agent.artifact_delivered` (Qoder): the agent produced a file.
    #[derive(Default)]
    pub struct AgentArtifactDeliveredEvent [tag = "agent.artifact_delivered"] {
        /// The delivered file (`file_…`).
        pub file_id: Option<String>,
        /// Its original name.
        pub original_filename: Option<String>,
        /// Size in bytes.
        pub size: Option<u64>,
        /// MIME type.
        pub content_type: Option<String>,
    }
}

// ---- session status / lifecycle ------------------------------------------------------------

event_struct! {
    /// `session.status_running`: the agent started working.
    #[derive(Default)]
    pub struct SessionStatusRunningEvent [tag = "session.status_running"] {}

    /// `session.status_idle`: the agent stopped; see `stop_reason`. Does not end the stream.
    pub struct SessionStatusIdleEvent [tag = "session.status_idle"] {
        /// Why the session went idle.
        pub stop_reason: StopReason,
    }

    /// `session.status_rescheduled`: a transient error occurred and the server is retrying.
    #[derive(Default)]
    pub struct SessionStatusRescheduledEvent [tag = "session.status_rescheduled"] {}

    /// `session.status_terminated`: final; the session accepts no more input.
    #[derive(Default)]
    pub struct SessionStatusTerminatedEvent [tag = "session.status_terminated"] {}

    /// `session.error`: an error during the session, with its retry status.
    pub struct SessionErrorEvent [tag = "session.error"] {
        /// The error.
        pub error: SessionError,
    }

    /// `session.deleted`: the session was deleted (last event of the stream).
    #[derive(Default)]
    pub struct SessionDeletedEvent [tag = "session.deleted"] {}

    /// `session.updated`: carries only the fields that changed.
    #[derive(Default)]
    pub struct SessionUpdatedEvent [tag = "session.updated"] {
        /// New title.
        pub title: Option<String>,
        /// The full new metadata bag.
        pub metadata: Option<JsonOf<Metadata>>,
        /// The full new agent snapshot.
        pub agent: Option<JsonOf<SessionAgent>>,
        /// The new budget.
        pub budget: Option<JsonOf<Budget>>,
    }

    /// `session.usage`: cumulative usage snapshot.
    #[derive(Default)]
    pub struct SessionUsageEvent [tag = "session.usage"] {
        /// Tokens, cache usage, list cost, server tool use and active seconds.
        pub usage: Option<JsonOf<SessionUsage>>,
        /// The session budget.
        pub budget: Option<JsonOf<Budget>>,
        /// Qoder model credits so far.
        pub model_credits: Option<Number>,
        /// Qoder sandbox runtime credits so far.
        pub sandbox_runtime_credits: Option<Number>,
        /// Qoder total credits so far.
        pub total_credits: Option<Number>,
    }

    /// `session.thread_created`: a sub-agent thread started (`session_thread_id`).
    #[derive(Default)]
    pub struct SessionThreadCreatedEvent [tag = "session.thread_created"] {
        /// The thread's agent.
        pub agent_name: Option<String>,
    }

    /// `session.thread_status_running`: a thread started working.
    #[derive(Default)]
    pub struct SessionThreadStatusRunningEvent [tag = "session.thread_status_running"] {
        /// The thread's agent.
        pub agent_name: Option<String>,
    }

    /// `session.thread_status_idle`: a thread stopped.
    #[derive(Default)]
    pub struct SessionThreadStatusIdleEvent [tag = "session.thread_status_idle"] {
        /// The thread's agent.
        pub agent_name: Option<String>,
        /// Why it went idle.
        pub stop_reason: Option<StopReason>,
    }

    /// `session.thread_status_rescheduled`: a thread is retrying after a transient error.
    #[derive(Default)]
    pub struct SessionThreadStatusRescheduledEvent [tag = "session.thread_status_rescheduled"] {
        /// The thread's agent.
        pub agent_name: Option<String>,
    }

    /// `session.thread_status_terminated`: a thread ended for good.
    #[derive(Default)]
    pub struct SessionThreadStatusTerminatedEvent [tag = "session.thread_status_terminated"] {
        /// The thread's agent.
        pub agent_name: Option<String>,
    }
}

// ---- spans ---------------------------------------------------------------------------------

event_struct! {
    /// `span.model_request_start`: a model request began.
    #[derive(Default)]
    pub struct SpanModelRequestStartEvent [tag = "span.model_request_start"] {}

    /// `span.model_request_end`: a model request finished (also ends an open preview).
    #[derive(Default)]
    pub struct SpanModelRequestEndEvent [tag = "span.model_request_end"] {
        /// Id of the matching `span.model_request_start`.
        pub model_request_start_id: Option<String>,
        /// Whether the request failed or was interrupted.
        pub is_error: Option<bool>,
        /// Token usage of the request.
        pub model_usage: Option<ModelUsage>,
    }

    /// `span.outcome_evaluation_start`: an outcome evaluation round began.
    #[derive(Default)]
    pub struct SpanOutcomeEvaluationStartEvent [tag = "span.outcome_evaluation_start"] {
        /// The outcome (`outc_…`).
        pub outcome_id: Option<String>,
        /// Round number, 0-based.
        pub iteration: Option<u32>,
    }

    /// `span.outcome_evaluation_ongoing`: heartbeat while an evaluation runs.
    #[derive(Default)]
    pub struct SpanOutcomeEvaluationOngoingEvent [tag = "span.outcome_evaluation_ongoing"] {
        /// The outcome (`outc_…`).
        pub outcome_id: Option<String>,
        /// Round number, 0-based.
        pub iteration: Option<u32>,
    }

    /// `span.outcome_evaluation_end`: an evaluation round's verdict.
    #[derive(Default)]
    pub struct SpanOutcomeEvaluationEndEvent [tag = "span.outcome_evaluation_end"] {
        /// Id of the matching `span.outcome_evaluation_start`.
        pub outcome_evaluation_start_id: Option<String>,
        /// The outcome (`outc_…`).
        pub outcome_id: Option<String>,
        /// Round number, 0-based.
        pub iteration: Option<u32>,
        /// The verdict; `needs_revision` starts another round.
        pub result: Option<OutcomeResult>,
        /// The grader's explanation.
        pub explanation: Option<String>,
        /// Usage of the evaluation.
        pub usage: Option<JsonOf<ModelUsage>>,
    }
}

// ---- stream-only previews ------------------------------------------------------------------

event_struct! {
    /// `event_start` (stream only, with `event_deltas[]`): a buffered event is being previewed.
    #[derive(Default)]
    pub struct EventStartEvent [tag = "event_start"] {
        /// The previewed event's type and future id.
        pub event: PreviewTarget,
    }

    /// `event_delta` (stream only): a text fragment of the previewed event. The buffered event
    /// with id `event_id` replaces the preview when it arrives.
    #[derive(Default)]
    pub struct EventDeltaEvent [tag = "event_delta"] {
        /// Id of the previewed event.
        pub event_id: Option<String>,
        /// The fragment and its content index.
        pub delta: ContentDelta,
    }
}

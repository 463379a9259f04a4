//! Session events (docs/api-contract.md §5): the 38 known types as one enum, plus an `Unknown` arm.
//!
//! Decoding never fails on an object: an unknown `type`, or a known `type` whose shape does not
//! match this SDK's struct (a missing required field, a changed field type), becomes
//! [`SessionEvent::Unknown`] with the raw JSON kept, so a newer server cannot break an older
//! client. Unknown fields of known types are kept in each struct's `extra`, and every event
//! re-serialises to the JSON it was decoded from (including the `type` tag and explicit nulls).
//!
//! The same structs are used to send input events: absent optional fields are omitted, so
//! [`SessionEvent::user_message_text`] serialises to exactly
//! `{"type":"user.message","content":[{"type":"text","text":"…"}]}`.

#[path = "event_structs.rs"]
mod structs;
#[path = "event_types.rs"]
mod types;

pub use structs::*;
pub use types::*;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::content::{joined_text, ContentBlock};

/// Borrowed view of the envelope fields every persisted event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnvelopeRef<'a> {
    /// Event id (`evt_…`).
    pub id: Option<&'a str>,
    /// When the server handled the event; `None` while queued.
    pub processed_at: Option<&'a str>,
    /// Session id.
    pub session_id: Option<&'a str>,
    /// Thread scope / cross-post marker.
    pub session_thread_id: Option<&'a str>,
    /// Turn id (`turn_…`).
    pub turn_id: Option<&'a str>,
    /// Creation time.
    pub created_at: Option<&'a str>,
}

impl<'a> EnvelopeRef<'a> {
    fn of_raw(raw: &'a Value) -> Self {
        let s = |k: &str| raw.get(k).and_then(Value::as_str);
        EnvelopeRef {
            id: s("id"),
            processed_at: s("processed_at"),
            session_id: s("session_id"),
            session_thread_id: s("session_thread_id"),
            turn_id: s("turn_id"),
            created_at: s("created_at"),
        }
    }
}

macro_rules! session_events {
    ( $( $(#[$vmeta:meta])* $variant:ident($ty:ident), )* ) => {
        /// One session event, tagged by its `type`.
        ///
        /// Match on the variants you handle and keep a wildcard arm: new event types are added
        /// to the API over time (they arrive as [`SessionEvent::Unknown`] until this SDK models
        /// them).
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum SessionEvent {
            $( $(#[$vmeta])* $variant($ty), )*
            /// An event type this SDK does not know, or a known type whose shape did not decode.
            Unknown {
                /// The `type` field (`""` if absent or not a string).
                event_type: String,
                /// The complete event JSON, re-serialised verbatim.
                raw: Value,
            },
        }

        impl schemars::JsonSchema for SessionEvent {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "SessionEvent".into()
            }
            fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let variants = vec![$( g.subschema_for::<$ty>() ),*];
                let mut s = schemars::json_schema!({ "oneOf": variants, "x-open": true });
                s.insert("description".into(), "One session event, tagged by its `type`; unknown types are kept.".into());
                // Which members only a stream yields (and only when asked to).
                let previews: Vec<&str> = [$( $ty::TYPE, )*].into_iter().filter(|t| crate::stream::is_preview_type(t)).collect();
                s.insert("x-stream-only".into(), previews.into());
                s
            }
        }

        /// Every event type of docs/api-contract.md (§5.2), in catalogue order.
        pub const ALL_EVENT_TYPES: [&str; 38] = [ $( $ty::TYPE, )* ];

        $(
        impl From<$ty> for SessionEvent {
            fn from(e: $ty) -> Self {
                Self::$variant(e)
            }
        }
        )*

        impl SessionEvent {
            /// The wire `type`, e.g. `agent.message`.
            pub fn event_type(&self) -> &str {
                match self {
                    $( Self::$variant(_) => $ty::TYPE, )*
                    Self::Unknown { event_type, .. } => event_type,
                }
            }

            /// The envelope fields (read from the raw JSON for `Unknown`).
            pub fn envelope(&self) -> EnvelopeRef<'_> {
                match self {
                    $( Self::$variant(e) => e.envelope(), )*
                    Self::Unknown { raw, .. } => EnvelopeRef::of_raw(raw),
                }
            }

            /// Sets `session_thread_id`, which routes an input event to one thread (reply with
            /// the thread id a blocking event carried).
            pub fn with_session_thread_id(mut self, thread_id: impl Into<String>) -> Self {
                let thread_id = thread_id.into();
                match &mut self {
                    $( Self::$variant(e) => e.session_thread_id = Some(thread_id), )*
                    Self::Unknown { raw, .. } => {
                        if let Value::Object(m) = raw {
                            m.insert("session_thread_id".to_owned(), Value::String(thread_id));
                        }
                    }
                }
                self
            }

            /// Decodes an event from JSON. Never fails: see the module docs for the fallback.
            pub fn from_value(raw: Value) -> Self {
                let known = match raw.get("type").and_then(Value::as_str) {
                    $( Some($ty::TYPE) => <$ty as Deserialize>::deserialize(&raw).ok().map(Self::$variant), )*
                    _ => None,
                };
                known.unwrap_or_else(|| {
                    let event_type = raw.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
                    Self::Unknown { event_type, raw }
                })
            }

            /// Like [`from_value`](Self::from_value), but reports why a known type did not
            /// match its struct instead of falling back (for validating events, e.g. in tests
            /// or an emulator). Unknown types still decode as `Unknown`.
            pub fn from_value_strict(raw: Value) -> Result<Self, serde_json::Error> {
                match raw.get("type").and_then(Value::as_str) {
                    $( Some($ty::TYPE) => <$ty as Deserialize>::deserialize(&raw).map(Self::$variant), )*
                    _ => Ok(Self::from_value(raw)),
                }
            }
        }

        impl Serialize for SessionEvent {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(e) => e.serialize(s), )*
                    Self::Unknown { raw, .. } => raw.serialize(s),
                }
            }
        }
    };
}

session_events! {
    /// `user.message`
    UserMessage(UserMessageEvent),
    /// `user.interrupt`
    UserInterrupt(UserInterruptEvent),
    /// `user.tool_confirmation`
    UserToolConfirmation(UserToolConfirmationEvent),
    /// `user.custom_tool_result`
    UserCustomToolResult(UserCustomToolResultEvent),
    /// `user.define_outcome`
    UserDefineOutcome(UserDefineOutcomeEvent),
    /// `user.tool_result` (self-hosted environments)
    UserToolResult(UserToolResultEvent),
    /// `system.message`
    SystemMessage(SystemMessageEvent),
    /// `agent.message`
    AgentMessage(AgentMessageEvent),
    /// `agent.thinking`
    AgentThinking(AgentThinkingEvent),
    /// `agent.tool_use`
    AgentToolUse(AgentToolUseEvent),
    /// `agent.tool_result`
    AgentToolResult(AgentToolResultEvent),
    /// `agent.mcp_tool_use`
    AgentMcpToolUse(AgentMcpToolUseEvent),
    /// `agent.mcp_tool_result`
    AgentMcpToolResult(AgentMcpToolResultEvent),
    /// `agent.custom_tool_use`
    AgentCustomToolUse(AgentCustomToolUseEvent),
    /// `agent.thread_message_sent`
    AgentThreadMessageSent(AgentThreadMessageSentEvent),
    /// `agent.thread_message_received`
    AgentThreadMessageReceived(AgentThreadMessageReceivedEvent),
    /// `agent.thread_context_compacted`
    AgentThreadContextCompacted(AgentThreadContextCompactedEvent),
    /// `agent.artifact_delivered` (Qoder)
    AgentArtifactDelivered(AgentArtifactDeliveredEvent),
    /// `session.status_running`
    SessionStatusRunning(SessionStatusRunningEvent),
    /// `session.status_idle`
    SessionStatusIdle(SessionStatusIdleEvent),
    /// `session.status_rescheduled`
    SessionStatusRescheduled(SessionStatusRescheduledEvent),
    /// `session.status_terminated` (terminal)
    SessionStatusTerminated(SessionStatusTerminatedEvent),
    /// `session.error`
    SessionError(SessionErrorEvent),
    /// `session.deleted` (terminal)
    SessionDeleted(SessionDeletedEvent),
    /// `session.updated`
    SessionUpdated(SessionUpdatedEvent),
    /// `session.usage`
    SessionUsage(SessionUsageEvent),
    /// `session.thread_created`
    SessionThreadCreated(SessionThreadCreatedEvent),
    /// `session.thread_status_running`
    SessionThreadStatusRunning(SessionThreadStatusRunningEvent),
    /// `session.thread_status_idle`
    SessionThreadStatusIdle(SessionThreadStatusIdleEvent),
    /// `session.thread_status_rescheduled`
    SessionThreadStatusRescheduled(SessionThreadStatusRescheduledEvent),
    /// `session.thread_status_terminated`
    SessionThreadStatusTerminated(SessionThreadStatusTerminatedEvent),
    /// `span.model_request_start`
    SpanModelRequestStart(SpanModelRequestStartEvent),
    /// `span.model_request_end`
    SpanModelRequestEnd(SpanModelRequestEndEvent),
    /// `span.outcome_evaluation_start`
    SpanOutcomeEvaluationStart(SpanOutcomeEvaluationStartEvent),
    /// `span.outcome_evaluation_ongoing`
    SpanOutcomeEvaluationOngoing(SpanOutcomeEvaluationOngoingEvent),
    /// `span.outcome_evaluation_end`
    SpanOutcomeEvaluationEnd(SpanOutcomeEvaluationEndEvent),
    /// `event_start` (stream-only preview)
    EventStart(EventStartEvent),
    /// `event_delta` (stream-only preview)
    EventDelta(EventDeltaEvent),
}

impl<'de> Deserialize<'de> for SessionEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_value(Value::deserialize(d)?))
    }
}

impl SessionEvent {
    /// Decodes one event from JSON bytes (e.g. an SSE frame's `data`). Fails only on
    /// malformed JSON.
    pub fn from_json_slice(json: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice::<Value>(json).map(Self::from_value)
    }

    /// The event id (`None` for unsent inputs and stream-only previews).
    pub fn id(&self) -> Option<&str> {
        self.envelope().id
    }

    /// When the server processed the event (`None` while a sent input is queued).
    pub fn processed_at(&self) -> Option<&str> {
        self.envelope().processed_at
    }

    /// The thread the event belongs to, if scoped to one.
    pub fn session_thread_id(&self) -> Option<&str> {
        self.envelope().session_thread_id
    }

    /// Whether this is a stream-only preview (`event_start` / `event_delta`), which is never
    /// persisted and is replaced by the buffered event with the same id.
    pub fn is_preview(&self) -> bool {
        matches!(self.event_type(), "event_start" | "event_delta")
    }

    /// Whether the stream ends after this event (`session.status_terminated`,
    /// `session.deleted`).
    pub fn is_terminal(&self) -> bool {
        matches!(self.event_type(), "session.status_terminated" | "session.deleted")
    }

    /// Whether clients may send this type (`user.*`, `system.message`).
    pub fn is_input(&self) -> bool {
        let t = self.event_type();
        t.starts_with("user.") || t == "system.message"
    }

    /// For a preview, the id of the buffered event it previews.
    pub fn preview_event_id(&self) -> Option<&str> {
        match self {
            Self::EventStart(e) => e.event.id.as_deref(),
            Self::EventDelta(e) => e.event_id.as_deref(),
            _ => None,
        }
    }

    /// The stop reason of `session.status_idle` / `session.thread_status_idle`.
    pub fn stop_reason(&self) -> Option<&StopReason> {
        match self {
            Self::SessionStatusIdle(e) => Some(&e.stop_reason),
            Self::SessionThreadStatusIdle(e) => e.stop_reason.as_ref(),
            _ => None,
        }
    }

    /// `user.message` with the given content blocks.
    pub fn user_message(content: Vec<ContentBlock>) -> Self {
        UserMessageEvent::new(content, None).into()
    }

    /// `user.message` with one text block.
    pub fn user_message_text(text: impl Into<String>) -> Self {
        Self::user_message(vec![ContentBlock::text(text)])
    }

    /// `user.interrupt` for every thread (add [`with_session_thread_id`](Self::with_session_thread_id)
    /// to interrupt one thread).
    pub fn user_interrupt() -> Self {
        UserInterruptEvent::new().into()
    }

    /// `user.tool_confirmation` answering the `agent.tool_use`/`agent.mcp_tool_use` event
    /// `tool_use_id`. `deny_message` is only valid with [`ToolConfirmationResult::Deny`].
    pub fn user_tool_confirmation(
        tool_use_id: impl Into<String>,
        result: ToolConfirmationResult,
        deny_message: Option<String>,
    ) -> Self {
        UserToolConfirmationEvent::new(tool_use_id.into(), result, deny_message).into()
    }

    /// `user.custom_tool_result` answering the `agent.custom_tool_use` event
    /// `custom_tool_use_id` (set `is_error` on the struct to report a failure).
    pub fn user_custom_tool_result(custom_tool_use_id: impl Into<String>, content: Vec<ContentBlock>) -> Self {
        UserCustomToolResultEvent::new(custom_tool_use_id.into(), Some(content), None).into()
    }

    /// `user.define_outcome` with the given rubric.
    pub fn user_define_outcome(description: impl Into<String>, rubric: Rubric) -> Self {
        UserDefineOutcomeEvent::new(description.into(), rubric, None, None).into()
    }

    /// `system.message` with one text block.
    pub fn system_message_text(text: impl Into<String>) -> Self {
        SystemMessageEvent::new(vec![ContentBlock::text(text)]).into()
    }
}

impl AgentMessageEvent {
    /// The message's text blocks concatenated.
    pub fn text(&self) -> String {
        joined_text(&self.content)
    }
}

impl Rubric {
    /// An inline text rubric.
    pub fn text(content: impl Into<String>) -> Self {
        Self::Text(TextRubric { content: content.into(), extra: Default::default() })
    }

    /// A rubric stored in an uploaded file.
    pub fn file(file_id: impl Into<String>) -> Self {
        Self::File(FileRubric { file_id: file_id.into(), extra: Default::default() })
    }
}

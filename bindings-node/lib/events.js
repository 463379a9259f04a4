'use strict';
// Event types this SDK version models (docs/api-contract.md §5.2): 36 persisted types and 2 stream-only
// previews. index.d.ts has one interface per entry (test/types.test.js keeps them in sync).

const KNOWN_EVENT_TYPES = new Set([
  'user.message',
  'user.interrupt',
  'user.tool_confirmation',
  'user.custom_tool_result',
  'user.define_outcome',
  'user.tool_result',
  'system.message',
  'agent.message',
  'agent.thinking',
  'agent.tool_use',
  'agent.tool_result',
  'agent.mcp_tool_use',
  'agent.mcp_tool_result',
  'agent.custom_tool_use',
  'agent.thread_message_sent',
  'agent.thread_message_received',
  'agent.thread_context_compacted',
  'agent.artifact_delivered',
  'session.status_running',
  'session.status_idle',
  'session.status_rescheduled',
  'session.status_terminated',
  'session.error',
  'session.deleted',
  'session.updated',
  'session.usage',
  'session.thread_created',
  'session.thread_status_running',
  'session.thread_status_idle',
  'session.thread_status_rescheduled',
  'session.thread_status_terminated',
  'span.model_request_start',
  'span.model_request_end',
  'span.outcome_evaluation_start',
  'span.outcome_evaluation_ongoing',
  'span.outcome_evaluation_end',
  'event_start',
  'event_delta',
]);

/** Whether `type` is an event type this SDK version models. */
function isKnownEventType(type) {
  return KNOWN_EVENT_TYPES.has(type);
}

module.exports = { KNOWN_EVENT_TYPES, isKnownEventType };

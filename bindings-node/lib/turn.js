'use strict';
// The run-turn helper's result shaping and the delta accumulator (both native: the core's).

const native = require('./native');
const { typeError } = require('./options');

/** Event types the accumulator reacts to; others are answered in JS without a native call. */
const ACCUMULATED = new Set(['event_start', 'event_delta', 'agent.message', 'agent.thinking', 'span.model_request_end']);

function toSnapshot(s) {
  const blocks = s.blocks;
  return {
    id: s.id,
    type: s.type,
    blocks,
    text: blocks.join(''),
    isFinal: s.is_final,
    finalEvent: s.final_event ?? null,
  };
}

/**
 * Folds `event_start` / `event_delta` previews into growing message snapshots; the final
 * `agent.message` (same id) replaces the preview. Feed it every event of a stream, in order.
 */
class DeltaAccumulator {
  #native = new native.DeltaAccumulator();

  /** Folds one event in; returns the snapshot it changed, or `null`. */
  push(event) {
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string') throw typeError('DeltaAccumulator.push', 'event', 'a stream event object', event);
    if (!ACCUMULATED.has(event.type)) return null;
    const s = this.#native.push(JSON.stringify(event));
    return s === null ? null : toSnapshot(JSON.parse(s));
  }

  /** Snapshots still in progress (previews whose final event has not arrived). */
  inProgress() {
    return JSON.parse(this.#native.inProgress()).map(toSnapshot);
  }
}

/** The turn result object from the native JSON. */
function toTurnResult(json) {
  const r = JSON.parse(json);
  return {
    result: {
      sent: r.sent,
      messages: r.messages,
      stopReason: r.stop_reason ?? null,
      blockingEventIds: r.blocking_event_ids,
      usage: r.usage,
      events: r.events,
      terminated: r.terminated,
      requestId: r.request_id ?? null,
      text: r.text,
      ...(r.pending !== undefined ? { pending: r.pending, replies: r.replies } : {}),
    },
    callbacks: r.callbacks,
  };
}

module.exports = { DeltaAccumulator, toTurnResult, toSnapshot };

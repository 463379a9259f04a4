'use strict';
// OpenTelemetry spans and W3C trace-context propagation, active when `@opentelemetry/api` (an
// optional peer dependency) can be required. Each call is a CLIENT span `qoder <operation>` (a
// list: one per page fetched; a stream: one for its whole life), a child of the active context,
// and its context goes out as `traceparent` / `tracestate` headers (a header the caller set
// wins). Without a registered tracer provider the API's spans are no-ops and inject nothing.
// Spans record the operation, the status, the request id and the error class; never a header
// value, a body or a token.

let api = null;
try {
  api = require('@opentelemetry/api');
} catch {
  api = null;
}

const VERSION = require('../package.json').version;

/**
 * Starts the span of a call; returns `{ span, nopts }` where `nopts` is the call's options (JSON
 * text, or null) with the trace context headers added. `span` is null without the API.
 */
function begin(operation, nopts) {
  if (api === null) return { span: null, nopts };
  const parent = api.context.active();
  const span = api.trace.getTracer('qoder-cloud', VERSION).startSpan(
    `qoder ${operation}`,
    { kind: api.SpanKind.CLIENT, attributes: { 'qoder.operation': operation, 'rpc.system': 'qoder' } },
    parent,
  );
  const carrier = {};
  api.propagation.inject(api.trace.setSpan(parent, span), carrier);
  const extra = Object.entries(carrier);
  if (extra.length === 0) return { span, nopts };
  const o = nopts === null ? {} : JSON.parse(nopts);
  const headers = o.headers ?? {};
  const given = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  for (const [k, v] of extra) if (!given.has(k.toLowerCase())) headers[k] = v;
  return { span, nopts: JSON.stringify({ ...o, headers }) };
}

/** Ends a span with the call's outcome (`res`: the native response, or `err`: a QoderError). */
function end(span, res, err) {
  if (span === null) return;
  if (err !== undefined && err !== null) {
    if (typeof err.status === 'number') span.setAttribute('http.response.status_code', err.status);
    if (typeof err.requestId === 'string') span.setAttribute('qoder.request_id', err.requestId);
    const type = (err.constructor && err.constructor.name) || 'Error';
    span.setAttribute('error.type', type);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
  } else if (res) {
    if (typeof res.status === 'number') span.setAttribute('http.response.status_code', res.status);
    if (typeof res.requestId === 'string') span.setAttribute('qoder.request_id', res.requestId);
  }
  span.end();
}

module.exports = { begin, end, enabled: api !== null };

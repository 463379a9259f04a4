'use strict';
// OpenTelemetry (the API is a dev dependency; this file registers an SDK provider in its own
// process): each call is a CLIENT span that is a child of the active span, its trace context
// reaches the server as `traceparent` (a header the caller set wins), streams, page fetches and
// the turn helper get spans, failures carry their class and status, and no attribute holds the
// token.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const api = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const Q = require('..');
const { newSession, useEmulator } = require('./helpers/fixtures');

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider();
provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
api.trace.setGlobalTracerProvider(provider);
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const app = api.trace.getTracer('app');

const ctx = useEmulator();

const named = (name) => exporter.getFinishedSpans().filter((s) => s.name === name);

test('calls are CLIENT spans under the active span, and the server gets their traceparent', async () => {
  exporter.reset();
  let parentCtx;
  const agent = await app.startActiveSpan('app work', async (parent) => {
    parentCtx = parent.spanContext();
    try {
      return await ctx.client.agents.create({ name: 'otel', model: 'auto' });
    } finally {
      parent.end();
    }
  });
  const [create] = named('qoder agents.create');
  assert.equal(create.kind, api.SpanKind.CLIENT);
  assert.equal(create.parentSpanId, parentCtx.spanId);
  assert.equal(create.spanContext().traceId, parentCtx.traceId);
  assert.equal(create.attributes['qoder.operation'], 'agents.create');
  assert.equal(create.attributes['http.response.status_code'], 201);
  assert.match(create.attributes['qoder.request_id'], /^\S+$/);
  assert.equal(agent.name, 'otel');
  const [, traceId, spanId] = (await ctx.emu.stats()).last_traceparent.split('-');
  assert.deepEqual([traceId, spanId], [create.spanContext().traceId, create.spanContext().spanId]);

  const mine = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  await ctx.client.agents.list({ limit: 1 }, { headers: { traceparent: mine } });
  assert.equal((await ctx.emu.stats()).last_traceparent, mine);

  await assert.rejects(ctx.client.agents.retrieve('agent_missing'), (e) => e instanceof Q.NotFoundError);
  const failed = named('qoder agents.retrieve').find((s) => s.status.code === api.SpanStatusCode.ERROR);
  assert.equal(failed.attributes['error.type'], 'NotFoundError');
  assert.equal(failed.attributes['http.response.status_code'], 404);
  for (const s of exporter.getFinishedSpans()) assert.ok(!JSON.stringify(s.attributes).includes(ctx.emu.token), s.name);
});

test('streams, page fetches and the turn helper get spans', async () => {
  exporter.reset();
  const { session } = await newSession(ctx.client);
  const sent = await ctx.client.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }] });
  for await (const ev of ctx.client.sessions.events.stream(session.id, { lastEventId: sent.data[0].id })) {
    if (ev.type === 'session.status_idle') break;
  }
  assert.equal(named('qoder sessions.events.stream').length, 1, 'the stream span ended with the stream');
  for (let i = 0; i < 3; i++) await ctx.client.agents.create({ name: `p${i}`, model: 'auto' });
  let n = 0;
  for await (const a of ctx.client.agents.list({ limit: 1 })) {
    void a;
    if (++n >= 3) break;
  }
  assert.ok(named('qoder agents.list').length >= 3, 'a span per page fetched');
  await ctx.client.sessions.runTurn(session.id, 'again');
  assert.equal(named('qoder sessions.run_turn').length, 1);
});

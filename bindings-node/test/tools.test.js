'use strict';
// sessions.runTools and customTool against the emulator's scripted agent ([[custom_tool]],
// [[approve]]): concurrent handlers, each call answered once, error results, confirmation
// policies, resuming a waiting session, dropped streams, and aborting a run.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const Q = require('..');
const { uniq } = require('./helpers/emulator');
const { newSession, useEmulator } = require('./helpers/fixtures');

const ctx = useEmulator();

async function history(sessionId) {
  const out = [];
  for await (const e of ctx.client.sessions.events.list(sessionId, { limit: 100 })) out.push(e);
  return out;
}

/** custom_tool_use id -> results sent for it (every use appears). */
function resultsByUse(events) {
  const out = new Map(events.filter((e) => e.type === 'agent.custom_tool_use').map((e) => [e.id, []]));
  for (const e of events) {
    if (e.type === 'user.custom_tool_result') {
      if (!out.has(e.custom_tool_use_id)) out.set(e.custom_tool_use_id, []);
      out.get(e.custom_tool_use_id).push(e);
    }
  }
  return out;
}

test('handlers run concurrently and each call is answered once', async () => {
  const { session } = await newSession(ctx.client);
  let arrived = 0;
  let release;
  const allHere = new Promise((r) => (release = r));
  const contexts = [];
  const tools = {
    async get_weather(input, ctx) {
      contexts.push(ctx);
      if (++arrived === 3) release();
      await allHere; // only resolves once all three calls are running
      return `sunny in ${input.city}`;
    },
  };
  const r = await ctx.client.sessions.runTools(session.id, { text: '[[custom_tool name=get_weather city=Paris count=3]]', tools });
  assert.deepEqual(r.stopReason, { type: 'end_turn' });
  assert.deepEqual(r.pending, []);
  assert.equal(r.replies.length, 3);
  assert.ok(r.text.includes('sunny in Paris'), r.text);
  assert.deepEqual(new Set(contexts.map((c) => c.id)).size, 3);
  assert.ok(contexts.every((c) => c.name === 'get_weather' && c.signal.aborted === false && c.sessionThreadId === null));
  const byUse = resultsByUse(await history(session.id));
  assert.equal(byUse.size, 3);
  for (const [, [res, ...more]] of byUse) {
    assert.equal(more.length, 0);
    assert.equal(res.is_error, false);
    assert.equal(res.content[0].text, 'sunny in Paris');
  }
});

test('throws and unknown tools become error results; objects are sent as JSON text', async () => {
  const { session } = await newSession(ctx.client);
  const tools = {
    get_weather(input) {
      throw new RangeError(`no station in ${input.city}`);
    },
    get_time: () => ({ hour: 12 }),
  };
  const text = '[[custom_tool name=get_weather city=Nowhere]] [[custom_tool name=get_time]] [[custom_tool name=launch]]';
  const r = await ctx.client.sessions.runTools(session.id, { text, tools });
  assert.deepEqual(r.stopReason, { type: 'end_turn' });
  const results = (await history(session.id)).filter((e) => e.type === 'user.custom_tool_result');
  assert.deepEqual(results.map((x) => x.is_error), [true, false, true]);
  assert.equal(results[0].content[0].text, 'RangeError: no station in Nowhere');
  assert.equal(results[1].content[0].text, '{"hour":12}');
  assert.match(results[2].content[0].text, /unknown tool: "launch"/);
});

test('confirmations by callback, by lists, or left to the caller', async () => {
  const asked = [];
  const confirm = async (ev) => {
    asked.push(ev);
    return ev.input.command === 'rm' ? 'not today' : true;
  };
  let { session } = await newSession(ctx.client);
  let r = await ctx.client.sessions.runTools(session.id, { text: '[[approve name=bash command=rm]] [[approve name=bash command=ls]]', confirm });
  assert.deepEqual(r.stopReason, { type: 'end_turn' });
  assert.deepEqual(asked.map((a) => a.type), ['agent.tool_use', 'agent.tool_use']);
  let confirmations = (await history(session.id)).filter((e) => e.type === 'user.tool_confirmation');
  assert.deepEqual(confirmations.map((c) => [c.result, c.deny_message ?? null]), [['deny', 'not today'], ['allow', null]]);

  ({ session } = await newSession(ctx.client));
  r = await ctx.client.sessions.runTools(session.id, { text: '[[approve name=bash]]', allowTools: ['bash'] });
  assert.deepEqual(r.stopReason, { type: 'end_turn' });

  ({ session } = await newSession(ctx.client));
  r = await ctx.client.sessions.runTools(session.id, { text: '[[approve name=bash]]', denyTools: ['bash'], denyMessage: 'no shell' });
  confirmations = (await history(session.id)).filter((e) => e.type === 'user.tool_confirmation');
  assert.deepEqual(confirmations.map((c) => [c.result, c.deny_message]), [['deny', 'no shell']]);

  ({ session } = await newSession(ctx.client));
  r = await ctx.client.sessions.runTools(session.id, { text: '[[approve name=bash]]' });
  assert.equal(r.stopReason.type, 'requires_action');
  assert.deepEqual(r.pending.map((p) => p.type), ['agent.tool_use']);
  assert.deepEqual(r.blockingEventIds, [r.pending[0].id]);
  assert.deepEqual(r.replies, []);

  await assert.rejects(ctx.client.sessions.runTools(session.id, { confirm, allowTools: ['bash'] }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'confirm');
  assert.throws(() => ctx.client.sessions.runTools(session.id, { tools: { x: 42 } }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'tools');
  assert.throws(() => ctx.client.sessions.runTools(session.id, { allowTools: 'bash' }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'allowTools');
  assert.throws(() => ctx.client.sessions.runTools(session.id, { text: 'x', events: [{ type: 'user.interrupt' }] }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'events');
});

test('a run on a waiting session answers only what is pending', async () => {
  const { session } = await newSession(ctx.client);
  let t = await ctx.client.sessions.sendAndWait(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '[[custom_tool name=get_weather city=Lima count=2]]' }] }] });
  assert.equal(t.stopReason.type, 'requires_action');
  const [first, second] = t.blockingEventIds;
  t = await ctx.client.sessions.sendAndWait(session.id, { events: [{ type: 'user.custom_tool_result', custom_tool_use_id: first, content: [{ type: 'text', text: 'by hand' }] }] });
  assert.deepEqual(t.blockingEventIds, [second]);
  const calls = [];
  const r = await ctx.client.sessions.runTools(session.id, { tools: { get_weather: (input) => (calls.push(input.city), 'mild') } });
  assert.deepEqual(r.stopReason, { type: 'end_turn' });
  assert.deepEqual(calls, ['Lima']);
  assert.deepEqual(r.replies.map((x) => x.custom_tool_use_id), [second]);
  assert.deepEqual([...resultsByUse(await history(session.id)).values()].map((v) => v.length), [1, 1]);
});

test('dropped streams neither repeat nor lose a tool call', async () => {
  const { session } = await newSession(ctx.client);
  const calls = [];
  const r = await ctx.client.sessions.runTools(
    session.id,
    { text: '[[custom_tool name=get_weather city=Oslo]] [[custom_tool name=get_weather city=Bergen count=2]]', tools: { get_weather: async (i) => (calls.push(i.city), 'windy') } },
    { headers: { 'x-emulator-fault': `stream-drop-after=1;count=6;id=${uniq('drop')}` } },
  );
  assert.deepEqual(r.stopReason, { type: 'end_turn' });
  assert.deepEqual(calls.sort(), ['Bergen', 'Bergen', 'Oslo']);
  const byUse = resultsByUse(await history(session.id));
  assert.equal(byUse.size, 3);
  assert.ok([...byUse.values()].every((v) => v.length === 1));
});

test('aborting the run aborts the running handlers and sends nothing', async () => {
  const { session } = await newSession(ctx.client);
  let started;
  const running = new Promise((r) => (started = r));
  let handlerSignal = null;
  const ac = new AbortController();
  const run = ctx.client.sessions.runTools(
    session.id,
    {
      text: '[[custom_tool name=get_weather city=X]]',
      tools: {
        get_weather: (input, { signal }) => {
          handlerSignal = signal;
          started();
          return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        },
      },
    },
    { signal: ac.signal },
  );
  await running;
  ac.abort();
  await assert.rejects(run, (e) => e instanceof Q.RequestCancelledError);
  assert.equal(handlerSignal.aborted, true);
  assert.equal((await history(session.id)).filter((e) => e.type === 'user.custom_tool_result').length, 0);
});

test('customTool builds checked definitions the server accepts', async () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const def = Q.customTool({ name: 'get_weather', description: 'The weather in a city.', inputSchema: schema });
  assert.deepEqual(def, { type: 'custom', name: 'get_weather', description: 'The weather in a city.', input_schema: schema });
  const agent = await ctx.client.agents.create({ name: 'tools', model: 'auto', tools: [def] });
  assert.equal(agent.tools[0].name, 'get_weather');
  for (const [spec, param] of [
    [{ name: '', description: 'd', inputSchema: { type: 'object' } }, 'name'],
    [{ name: 'x', description: 'd', inputSchema: { type: 'array' } }, 'input_schema'],
    [{ name: 'x', description: 'd'.repeat(4097), inputSchema: { type: 'object' } }, 'description'],
    [{ name: 'x', description: 'd' }, 'inputSchema'],
  ]) {
    assert.throws(() => Q.customTool(spec), (e) => e instanceof Q.InvalidArgumentError && e.param === param, JSON.stringify(spec).slice(0, 80));
  }
});

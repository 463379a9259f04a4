'use strict';
// The core's turn helper (sessions.runTurn / sessions.sendAndWait) and delta accumulator.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const Q = require('..');
const { startEmulator, waitFor } = require('./helpers/emulator');
const { clientFor, newSession, say, readUntil } = require('./helpers/fixtures');

let emu;
let client;
before(async () => {
  emu = await startEmulator();
  client = clientFor(emu);
});
after(async () => {
  client.close();
  await emu.stop();
});

test('runTurn sends a message and resolves when the turn is over', async () => {
  const { session } = await newSession(client);
  const seen = [];
  const r = await client.sessions.runTurn(session.id, 'hello turn', { eventDeltas: true, onEvent: (e) => seen.push(e) });
  assert.equal(r.text, 'Echo: hello turn');
  assert.deepEqual(r.stopReason, { type: 'end_turn' });
  assert.equal(r.terminated, false);
  assert.equal(r.sent[0].type, 'user.message');
  assert.equal(r.messages.length, 1);
  assert.equal(typeof r.requestId, 'string');
  assert.equal(r.events[r.events.length - 1].type, 'session.status_idle');
  assert.ok(r.usage && typeof r.usage === 'object');
  // Every callback ran before the Promise resolved, previews included.
  assert.ok(seen.some((e) => e.type === 'event_delta'));
  for (const e of r.events) assert.ok(seen.some((s) => s.id === e.id && s.type === e.type), e.type);
  // Only this turn's events: the next turn starts fresh.
  const r2 = await client.sessions.runTurn(session.id, 'second');
  assert.equal(r2.text, 'Echo: second');
  assert.ok(!r2.events.some((e) => r.events.some((x) => x.id === e.id)));
  await waitFor(async () => (await emu.stats()).streams.open === 0, 'the turn streams to close');
});

test('sendAndWait drives a tool approval to the end', async () => {
  const { session } = await newSession(client);
  const first = await client.sessions.runTurn(session.id, 'run it [[approve]]');
  assert.equal(first.stopReason.type, 'requires_action');
  assert.equal(first.blockingEventIds.length, 1);
  const toolUse = first.events.find((e) => e.type === 'agent.tool_use');
  assert.equal(toolUse.id, first.blockingEventIds[0]);
  const done = await client.sessions.sendAndWait(session.id, { events: [{ type: 'user.tool_confirmation', tool_use_id: toolUse.id, result: 'allow' }] });
  assert.equal(done.stopReason.type, 'end_turn');
  assert.ok(done.events.some((e) => e.type === 'agent.tool_result'));
});

test('runTurn arguments are checked; errors and aborts reject', async () => {
  assert.throws(() => client.sessions.runTurn(5, 'x'), TypeError);
  assert.throws(() => client.sessions.runTurn('sess_1', 5), TypeError);
  assert.throws(() => client.sessions.runTurn('sess_1', 'x', { onEvent: 'no' }), TypeError);
  assert.throws(() => client.sessions.sendAndWait('sess_1', { events: [] }), TypeError);
  await assert.rejects(client.sessions.runTurn('sess_00000000000000000000000000000000', 'x'), Q.NotFoundError);

  const { session } = await newSession(client);
  const controller = new AbortController();
  const p = client.sessions.runTurn(session.id, 'slow [[slow ms=2000]]', { signal: controller.signal });
  await waitFor(async () => (await emu.stats()).streams.open === 1, 'the turn to stream');
  controller.abort();
  await assert.rejects(p, Q.APIUserAbortError);
  await waitFor(async () => (await emu.stats()).streams.open === 0, 'the aborted turn stream to close');

  // An exception in onEvent aborts the turn and is what the Promise rejects with.
  const boom = new Error('renderer failed');
  await assert.rejects(
    client.sessions.runTurn(session.id, 'again', {
      onEvent: () => {
        throw boom;
      },
    }),
    (e) => e === boom,
  );
});

test('DeltaAccumulator folds previews into snapshots the final message replaces', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'accumulate this text please');
  const events = await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id, eventDeltas: ['agent.message'] }), (e) => e.type === 'session.status_idle');
  const acc = new Q.DeltaAccumulator();
  const texts = [];
  let final = null;
  for (const e of events) {
    const snap = acc.push(e);
    if (e.type === 'session.status_running') assert.equal(snap, null);
    if (snap === null) continue;
    if (snap.isFinal) final = snap;
    else texts.push(snap.text);
  }
  assert.ok(texts.length >= 2, 'several growing snapshots');
  for (let i = 1; i < texts.length; i++) assert.ok(texts[i].startsWith(texts[i - 1]), 'snapshots grow');
  assert.equal(final.text, 'Echo: accumulate this text please');
  assert.equal(texts[texts.length - 1], final.text);
  assert.equal(final.finalEvent.type, 'agent.message');
  assert.deepEqual(acc.inProgress(), []);
  // A restated preview (as after a reconnect) restarts instead of duplicating text.
  const acc2 = new Q.DeltaAccumulator();
  const start = events.find((e) => e.type === 'event_start');
  const delta = events.find((e) => e.type === 'event_delta');
  acc2.push(start);
  acc2.push(delta);
  acc2.push(start);
  const again = acc2.push(delta);
  assert.equal(again.text, delta.delta.content.text);
  assert.equal(acc2.inProgress().length, 1);
  assert.throws(() => acc2.push(null), TypeError);
});

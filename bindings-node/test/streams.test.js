'use strict';
// Event streams: deltas, resume, batches, errors, reconnects, and every way of closing one
// (break, return(), close() while next() is pending, abort) — each must leave the emulator with
// zero open stream connections.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const Q = require('..');
const { startEmulator, waitFor, uniq } = require('./helpers/emulator');
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

async function openStreams() {
  return (await emu.stats()).streams.open;
}
async function noOpenStreams() {
  await waitFor(async () => (await openStreams()) === 0, 'zero open streams on the emulator');
}
afterEach(noOpenStreams);

const fault = (spec) => ({ 'x-emulator-fault': `${spec};id=${uniq('f')}` });
const isIdle = (e) => e.type === 'session.status_idle';

test('a turn streams live with deltas that add up to the final message', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'stream me please');
  const stream = client.sessions.events.stream(session.id, { lastEventId: msg.id, eventDeltas: ['agent.message'] });
  assert.ok(stream instanceof Q.Stream);
  const events = await readUntil(stream, isIdle);
  const types = events.map((e) => e.type);
  assert.ok(types.indexOf('session.status_running') < types.indexOf('event_start'));
  assert.ok(types.indexOf('event_start') < types.indexOf('event_delta'));
  assert.ok(types.lastIndexOf('event_delta') < types.indexOf('agent.message'));
  const start = events.find((e) => e.type === 'event_start');
  const final = events.find((e) => e.type === 'agent.message');
  assert.equal(start.event.type, 'agent.message');
  assert.equal(start.event.id, final.id);
  // Render the deltas incrementally, as a UI would, and compare with the final message.
  const blocks = [];
  for (const d of events.filter((e) => e.type === 'event_delta' && e.event_id === final.id)) {
    blocks[d.delta.index] = (blocks[d.delta.index] ?? '') + d.delta.content.text;
  }
  assert.ok(events.filter((e) => e.type === 'event_delta').length >= 2, 'several deltas');
  assert.equal(blocks.join(''), final.content.map((b) => b.text).join(''));
  assert.equal(final.content[0].text, 'Echo: stream me please');
  // The resume cursor is the last persisted event, never a preview.
  assert.equal(stream.lastEventId, events[events.length - 1].id);
  assert.equal(stream.closed, true, 'break closed it');
  // Without eventDeltas no previews arrive.
  const msg2 = await say(client, session.id, 'no previews');
  const plain = await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg2.id }), isIdle);
  assert.ok(!plain.some((e) => e.type === 'event_start' || e.type === 'event_delta'));
});

test('history replays without lastEventId; resuming from lastEventId continues exactly after it', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'first turn');
  await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id }), isIdle);
  const history = (await client.sessions.events.list(session.id, { limit: 100 })).data;

  const s1 = client.sessions.events.stream(session.id);
  const firstThree = [];
  for await (const e of s1) {
    firstThree.push(e.id);
    if (firstThree.length === 3) break;
  }
  assert.deepEqual(firstThree, history.slice(0, 3).map((e) => e.id));
  assert.equal(s1.lastEventId, history[2].id);

  const s2 = client.sessions.events.stream(session.id, { lastEventId: s1.lastEventId });
  const rest = await readUntil(s2, isIdle);
  assert.deepEqual(rest.map((e) => e.id), history.slice(3).map((e) => e.id));
});

test('break, return(), close() and close() while next() is pending all close the connection', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'hello');
  await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id }), isIdle);
  await noOpenStreams();

  // return(): explicit iterator protocol.
  const a = client.sessions.events.stream(session.id);
  assert.equal((await a.next()).done, false);
  await waitFor(async () => (await openStreams()) === 1, 'one open stream');
  assert.deepEqual(await a.return(), { value: undefined, done: true });
  assert.equal((await a.next()).done, true);
  await noOpenStreams();

  // close() while next() is pending: the session is idle, so nothing arrives after history.
  const b = client.sessions.events.stream(session.id, { lastEventId: (await client.sessions.events.list(session.id, { order: 'desc', limit: 1 })).data[0].id });
  const pending = b.next();
  await waitFor(async () => (await openStreams()) === 1, 'the stream to connect');
  b.close();
  b.close(); // idempotent
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(b.closed, true);
  await noOpenStreams();

  // close() before iterating at all.
  const c = client.sessions.events.stream(session.id);
  c.close();
  assert.equal((await c.next()).done, true);
});

test('aborting the signal closes the stream at once and rejects with APIUserAbortError', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'abort me');
  await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id }), isIdle);

  const controller = new AbortController();
  const s = client.sessions.events.stream(session.id, { signal: controller.signal });
  const got = [];
  await assert.rejects(
    (async () => {
      for await (const e of s) {
        got.push(e);
        if (e.type === 'session.status_idle') {
          // Now wait on a live connection with nothing to read, then abort from a timer.
          setImmediate(() => controller.abort());
        }
      }
    })(),
    (e) => e instanceof Q.APIUserAbortError,
  );
  assert.ok(got.length > 0);
  assert.equal(s.closed, true);
  await assert.rejects(s.next(), Q.APIUserAbortError);
  await noOpenStreams();

  // A signal aborted before opening: nothing connects.
  const before = (await emu.stats()).streams.total;
  const s2 = client.sessions.events.stream(session.id, { signal: controller.signal });
  await assert.rejects(s2.next(), Q.APIUserAbortError);
  assert.equal((await emu.stats()).streams.total, before);
});

test('nextBatch hands over buffered events in batches; a burst arrives complete and in order', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, '[[burst 3000]]');
  const s = client.sessions.events.stream(session.id, { lastEventId: msg.id, batchSize: 256 });
  let messages = 0;
  let batches = 0;
  let last = null;
  let done = false;
  while (!done) {
    const batch = await s.nextBatch(100);
    assert.ok(batch.length >= 1 && batch.length <= 100, `batch size ${batch.length}`);
    batches++;
    for (const e of batch) {
      if (last !== null && e.id) assert.ok(e.id > last, 'ids increase');
      if (e.id) last = e.id;
      if (e.type === 'agent.message') messages++;
      if (isIdle(e)) done = true;
    }
  }
  assert.equal(messages, 3000);
  assert.ok(batches >= 30 && batches < 3000, `${batches} batches`);
  s.close();
  assert.deepEqual(await s.nextBatch(10), []);
  assert.throws(() => s.nextBatch(0), TypeError);
});

test('concurrent next() calls get distinct events in order', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'concurrency');
  await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id }), isIdle);
  const history = (await client.sessions.events.list(session.id, { limit: 100 })).data.map((e) => e.id);
  const s = client.sessions.events.stream(session.id);
  const results = await Promise.all(history.map(() => s.next()));
  assert.deepEqual(results.map((r) => r.value.id), history);
  s.close();
});

test('a terminal event ends the stream by itself', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'bye [[terminate]]');
  const types = [];
  for await (const e of client.sessions.events.stream(session.id, { lastEventId: msg.id })) types.push(e.type);
  assert.equal(types[types.length - 1], 'session.status_terminated');
});

test('stream errors: unknown session, fatal and retryable in-stream errors, resume off', async () => {
  await assert.rejects(client.sessions.events.stream('sess_00000000000000000000000000000000').next(), (e) => {
    assert.ok(e instanceof Q.NotFoundError);
    assert.equal(e.status, 404);
    return true;
  });

  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'errors');
  await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id }), isIdle);

  // A non-retryable in-stream error ends the stream with the API class, flagged as a stream error.
  const fatal = client.sessions.events.stream(session.id, { headers: fault('stream-error=permission_error;stream-error-after=2') });
  const got = [];
  await assert.rejects(
    (async () => {
      for await (const e of fatal) got.push(e);
    })(),
    (e) => {
      assert.ok(e instanceof Q.PermissionDeniedError, `${e.constructor.name}: ${e.message}`);
      assert.ok(e instanceof Q.APIError);
      assert.ok(e instanceof Q.StreamError, 'in-stream API errors are StreamErrors too');
      assert.equal(e.isStreamError, true);
      assert.equal(e.type, 'permission_error');
      return true;
    },
  );
  assert.equal(got.length, 2);
  assert.ok(!(new Q.NotFoundError('x') instanceof Q.StreamError), 'plain API errors are not StreamErrors');

  // A retryable one is resumed transparently (count=1: only the first connection fails).
  const retried = client.sessions.events.stream(session.id, { headers: fault('stream-error=overloaded_error;stream-error-after=2;count=1') });
  const all = await readUntil(retried, isIdle);
  const history = (await client.sessions.events.list(session.id, { limit: 100 })).data.map((e) => e.id);
  assert.deepEqual(all.map((e) => e.id), history, 'no loss, no duplicates');
  assert.equal(retried.reconnects, 1);

  // With resume off the same error surfaces.
  const raw = client.sessions.events.stream(session.id, { resume: false, headers: fault('stream-error=overloaded_error;stream-error-after=1') });
  await assert.rejects(readUntil(raw, isIdle), (e) => e instanceof Q.OverloadedError && e.isStreamError);
});

test('dropped connections are resumed from the last event without duplicates', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'drop me');
  await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id }), isIdle);
  const history = (await client.sessions.events.list(session.id, { limit: 100 })).data.map((e) => e.id);

  const s = client.sessions.events.stream(session.id, { headers: fault('stream-drop-after=3;count=2') });
  const ids = (await readUntil(s, isIdle)).map((e) => e.id);
  assert.deepEqual(ids, history);
  assert.equal(s.reconnects, 2);

  // An idle connection (no bytes at all) times out and is resumed too.
  const stalled = client.sessions.events.stream(session.id, { idleTimeout: 200, headers: fault('stream-stall=2;count=1') });
  const ids2 = (await readUntil(stalled, isIdle)).map((e) => e.id);
  assert.deepEqual(ids2, history);
  assert.ok(stalled.reconnects >= 1);

  // Without resume, the idle timeout is an error.
  const noResume = client.sessions.events.stream(session.id, { resume: false, idleTimeout: 200, headers: fault('stream-stall=1') });
  await assert.rejects(readUntil(noResume, isIdle), Q.APITimeoutError);
});

test('events the SDK does not model pass through untouched', async () => {
  const { isKnownEventType } = Q;
  assert.equal(isKnownEventType('agent.message'), true);
  assert.equal(isKnownEventType('agent.something_new'), false);
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'known');
  const evs = await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id, eventDeltas: ['agent.message', 'agent.thinking'] }), isIdle);
  for (const e of evs) assert.ok(isKnownEventType(e.type), e.type);
});

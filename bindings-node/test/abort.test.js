'use strict';
// AbortSignal: aborting cancels the Rust work at once (connection closed, backoff sleep ended)
// and rejects with APIUserAbortError; closing the client rejects in-flight calls.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { APIUserAbortError, ClientClosedError, QoderError } = require('..');
const { startEmulator, waitFor, uniq } = require('./helpers/emulator');
const { clientFor } = require('./helpers/fixtures');

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

const fault = (spec) => ({ 'x-emulator-fault': `${spec};id=${uniq('f')}` });

async function openConnections() {
  return (await emu.stats()).connections.open;
}

test('aborting an in-flight call rejects at once and closes its connection', async () => {
  const base = await openConnections();
  const controller = new AbortController();
  const t0 = Date.now();
  const p = client.agents.create({ name: 'slow', model: 'auto' }, { signal: controller.signal, headers: fault('delay-ms=10000') });
  await waitFor(async () => (await emu.stats()).requests['POST /agents'] >= 1, 'the request to reach the server');
  controller.abort();
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof APIUserAbortError);
    assert.ok(e instanceof QoderError);
    assert.equal(e.kind, 'cancelled');
    return true;
  });
  assert.ok(Date.now() - t0 < 5000, 'rejected long before the delayed response');
  await waitFor(async () => (await openConnections()) <= base, 'the aborted connection to close');
});

test('aborting during a retry backoff sleep ends it at once', async () => {
  const retrying = clientFor(emu, { maxRetries: 5 });
  try {
    const controller = new AbortController();
    const before = (await emu.stats()).faults_injected;
    const t0 = Date.now();
    // 503 with retry-after 30 s: after the first attempt the core sleeps 30 s before retrying.
    const p = retrying.agents.retrieve('agent_00000000000000000000000000000000', { signal: controller.signal, headers: fault('status=503;count=10;retry-after=30') });
    await waitFor(async () => (await emu.stats()).faults_injected > before, 'the first attempt to fail');
    controller.abort();
    await assert.rejects(p, APIUserAbortError);
    assert.ok(Date.now() - t0 < 10000, 'did not sleep through the backoff');
    assert.equal((await emu.stats()).faults_injected - before, 1, 'no retry was sent after the abort');
  } finally {
    retrying.close();
  }
});

test('an already-aborted signal rejects without sending anything', async () => {
  const before = (await emu.stats()).requests_total;
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(client.agents.create({ name: 'never', model: 'auto' }, { signal: controller.signal }), APIUserAbortError);
  await assert.rejects(client.models.list({ signal: controller.signal }), APIUserAbortError);
  assert.equal((await emu.stats()).requests_total, before);
});

test('a signal that never fires does not hold the call or leak listeners', async () => {
  const controller = new AbortController();
  for (let i = 0; i < 20; i++) await client.models.list({ signal: controller.signal });
  // Listeners are removed after each call (Node warns past 10 on one signal otherwise).
  const { getEventListeners } = require('node:events');
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('AbortSignal.timeout works as a per-call deadline', async () => {
  const t0 = Date.now();
  await assert.rejects(client.agents.list({}, { signal: AbortSignal.timeout(100), headers: fault('delay-ms=10000') }), APIUserAbortError);
  assert.ok(Date.now() - t0 < 5000);
});

test('closing the client rejects in-flight calls and later calls', async () => {
  const c = clientFor(emu);
  const before = (await emu.stats()).requests['GET /agents/{agent_id}'] || 0;
  const p = c.agents.retrieve('agent_00000000000000000000000000000000', { headers: fault('delay-ms=10000') });
  await waitFor(async () => (await emu.stats()).requests['GET /agents/{agent_id}'] > before, 'the delayed request to arrive');
  c.close();
  c.close(); // idempotent
  assert.equal(c.closed, true);
  await assert.rejects(p, ClientClosedError);
  await assert.rejects(c.models.list(), ClientClosedError);
  assert.throws(() => c.sessions.events.stream('sess_x'), ClientClosedError);
});

'use strict';
// Argument handling: wrong types throw TypeError naming the argument before any request;
// core validation rejects with InvalidArgumentError, also before any request.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { InvalidArgumentError, QoderError } = require('..');
const { startEmulator } = require('./helpers/emulator');
const { clientFor, newSession } = require('./helpers/fixtures');

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

async function requestsTotal() {
  return (await emu.stats()).requests_total;
}

function throwsTypeError(fn, param) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof TypeError, `expected TypeError, got ${e && e.constructor.name}: ${e && e.message}`);
    assert.ok(e.message.includes(`\`${param}\``), `message names ${param}: ${e.message}`);
    return true;
  });
}

test('wrong argument types throw TypeError naming the argument, before any request', async () => {
  const before = await requestsTotal();
  throwsTypeError(() => client.agents.retrieve(5), 'agent_id');
  throwsTypeError(() => client.agents.retrieve(undefined), 'agent_id');
  throwsTypeError(() => client.agents.retrieve(''), 'agent_id');
  throwsTypeError(() => client.agents.retrieve({ agent_id: 'agent_x' }), 'agent_id');
  throwsTypeError(() => client.sessions.events.list(42), 'session_id');
  throwsTypeError(() => client.vaults.credentials.retrieve('vcred_1'), 'vault_id');
  throwsTypeError(() => client.vaults.credentials.retrieve('vcred_1', { vault_id: 7 }), 'vault_id');
  throwsTypeError(() => client.sessions.threads.events.stream('sthr_1', {}), 'session_id');
  throwsTypeError(() => client.agents.create({ model: 'auto' }), 'name');
  throwsTypeError(() => client.agents.create({ name: 'x', model: undefined }), 'model');
  throwsTypeError(() => client.sessions.events.send('sess_1', {}), 'events');
  throwsTypeError(() => client.agents.create('agent'), 'params');
  throwsTypeError(() => client.agents.list({}, { timeout: -1 }), 'timeout');
  throwsTypeError(() => client.agents.list({}, { maxRetries: 1.5 }), 'maxRetries');
  throwsTypeError(() => client.agents.list({}, { signal: 'stop' }), 'signal');
  throwsTypeError(() => client.agents.list({}, { headers: 'x' }), 'headers');
  throwsTypeError(() => client.agents.create({ name: 'x', model: 'auto' }, { idempotencyKey: 5 }), 'idempotencyKey');
  throwsTypeError(() => client.sessions.events.stream('sess_1', { eventDeltas: 5 }), 'eventDeltas');
  throwsTypeError(() => client.sessions.events.stream('sess_1', { lastEventId: 3 }), 'lastEventId');
  throwsTypeError(() => client.sessions.events.stream(null), 'session_id');
  assert.equal(await requestsTotal(), before, 'no request was sent');
});

test('core validation rejects with InvalidArgumentError naming the parameter, before any request', async () => {
  const before = await requestsTotal();
  const cases = [
    [() => client.agents.list({ limit: 101 }), 'limit'],
    [() => client.agents.list({ page: 'a', after_id: 'b' }), 'after_id'],
    [() => client.agents.create({ name: '', model: 'auto' }), 'name'],
    [() => client.agents.retrieve('agent/../x'), 'agent_id'],
    [() => client.agents.retrieve('agent_1', { bogus: 1 }), 'bogus'],
    [() => client.sessions.list({ statuses: ['sleeping'] }), 'statuses'],
    [() => client.agents.create({ name: 'x', model: 'auto' }, { body: { x: 1 }, query: { a: { nested: true } } }), null],
  ];
  for (const [call, param] of cases) {
    if (param === null) {
      assert.throws(call, TypeError);
      continue;
    }
    await assert.rejects(call(), (e) => {
      assert.ok(e instanceof InvalidArgumentError, `${param}: got ${e && e.constructor.name}: ${e && e.message}`);
      assert.ok(e instanceof QoderError);
      assert.equal(e.param, param);
      assert.equal(e.kind, 'invalid_argument');
      return true;
    });
  }
  // A stream with a bad preview kind fails when it is opened.
  assert.throws(() => client.sessions.events.stream('sess_1', { eventDeltas: ['agent.tool_use'] }), (e) => e instanceof InvalidArgumentError && e.param === 'event_deltas');
  assert.equal(await requestsTotal(), before, 'no request was sent');
});

test('a lone options object after the id is taken as options, params stay params', async () => {
  const { agent } = await newSession(client);
  const controller = new AbortController();
  // `{ signal }` alone: options (a param named `signal` would be rejected by the core).
  const a = await client.agents.retrieve(agent.id, { signal: controller.signal });
  assert.equal(a.id, agent.id);
  const b = await client.agents.archive(agent.id, { timeout: 5000, maxRetries: 1 });
  assert.ok(b.archived_at);
  // Params with a real argument name stay params.
  const v1 = await client.agents.retrieve(agent.id, { version: 1 });
  assert.equal(v1.version, 1);
  // Both given explicitly.
  const page = await client.agents.list({ limit: 1, include_archived: true }, { timeout: 5000 });
  assert.equal(page.data.length, 1);
});

test('request options reach the wire: headers, query, extra body, idempotency key', async () => {
  const name = `opts-${process.pid}`;
  const created = await client.agents.create({ name, model: 'auto' }, { body: { description: 'from extra body' }, idempotencyKey: `key-${process.pid}-1` });
  assert.equal(created.description, 'from extra body');
  assert.equal(created.idempotencyKey, `key-${process.pid}-1`);
  // Same key, same body: the server replays the first response.
  const replay = await client.agents.create({ name, model: 'auto' }, { body: { description: 'from extra body' }, idempotencyKey: `key-${process.pid}-1` });
  assert.equal(replay.id, created.id);
  assert.ok((await emu.stats()).idempotent_replays >= 1);
  // Extra query: include_archived via `query` shows an archived agent.
  await client.agents.archive(created.id);
  const all = [];
  for await (const a of client.agents.list({}, { query: { include_archived: true } })) all.push(a.id);
  assert.ok(all.includes(created.id));
  const visible = [];
  for await (const a of client.agents.list()) visible.push(a.id);
  assert.ok(!visible.includes(created.id));
  // Extra headers: an emulator fault header is honoured.
  await assert.rejects(client.agents.list({}, { headers: { 'x-emulator-fault': `status=418;id=${process.pid}-teapot` } }), (e) => e.status === 418);
});

test("options are checked by the core's table: synchronously, naming the option as spelled", async () => {
  const before = await requestsTotal();
  const bad = (fn, param, text) =>
    assert.throws(fn, (e) => {
      assert.ok(e instanceof InvalidArgumentError, `${param}: got ${e && e.constructor.name}: ${e && e.message}`);
      assert.equal(e.param, param);
      assert.ok(e.message.includes(text), e.message);
      return true;
    });
  bad(() => client.agents.list({}, { timeout: '5' }), 'timeout', 'milliseconds');
  bad(() => client.agents.list({}, { totalDeadline: NaN }), 'totalDeadline', 'NaN');
  bad(() => client.agents.list({}, { maxRetries: 2n }), 'maxRetries', 'bigint');
  bad(() => client.agents.list({}, { headers: { a: () => 1 } }), 'headers', 'function');
  bad(() => client.agents.list({}, { bogus: 1, timeout: 5 }), 'bogus', 'unknown option');
  bad(() => client.agents.retrieve('agent_1', {}, { resume: true }), 'resume', 'unknown option');
  bad(() => client.sessions.events.stream('sess_1', { idleTimeout: -1 }), 'idleTimeout', 'milliseconds');
  bad(() => client.sessions.runTurn('sess_1', 'hi', { lastEventId: 'evt_1' }), 'lastEventId', 'unknown option');
  bad(() => client.sessions.runTurn('sess_1', 'hi', { maxReconnectAttempts: -1 }), 'maxReconnectAttempts', 'integer');
  bad(() => clientFor(emu, { baseURL: 5 }), 'baseURL', '`baseURL` must be a string');
  bad(() => clientFor(emu, { baseUrl: 'http://x' }), 'baseUrl', 'unknown option');
  bad(() => clientFor(emu, { streamIdleTimeout: Infinity }), 'streamIdleTimeout', 'Infinity');
  bad(() => clientFor(emu, { maxBodyBytes: -1 }), 'maxBodyBytes', 'bytes');
  bad(() => clientFor(emu, { caCerts: Buffer.from('not pem') }), 'caCerts', '-----BEGIN');
  bad(() => clientFor(emu, { defaultHeaders: ['a'] }), 'defaultHeaders', 'name → value');
  assert.equal(await requestsTotal(), before, 'no request was sent');
  // Headers given as a Map reach the wire.
  const fault = new Map([['x-emulator-fault', `status=418;id=${process.pid}-map`]]);
  await assert.rejects(client.agents.list({}, { headers: fault }), (e) => e.status === 418);
});

test('results are plain objects with non-enumerable metadata', async () => {
  const agent = await client.agents.create({ name: 'meta', model: 'auto' });
  assert.equal(typeof agent.requestId, 'string');
  assert.equal(typeof agent.idempotencyKey, 'string');
  assert.equal(agent.httpStatus, 201);
  assert.ok(!Object.keys(agent).includes('requestId'));
  assert.deepEqual(JSON.parse(JSON.stringify(agent)).id, agent.id);
  const got = await client.agents.retrieve(agent.id);
  assert.equal(got.idempotencyKey, null, 'GETs carry no idempotency key');
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
});

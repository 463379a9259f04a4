'use strict';
// Errors: one class per status with every field, connection/timeout/decode failures, retries,
// and native panics becoming rejections instead of crashes.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const Q = require('..');
const native = require('../lib/native');
const { fromNative } = require('../lib/errors');
const { startEmulator, uniq } = require('./helpers/emulator');
const { clientFor } = require('./helpers/fixtures');

let emu;
let client;
before(async () => {
  emu = await startEmulator(['--token', 'test-token-3f9c2a71', '--token', 'forbidden-token-0b1c', '--forbidden-token', 'forbidden-token-0b1c']);
  client = clientFor(emu);
});
after(async () => {
  client.close();
  await emu.stop();
});

const fault = (spec) => ({ headers: { 'x-emulator-fault': `${spec};id=${uniq('f')}` } });

const STATUS_CLASSES = [
  [400, 'BadRequestError', 'invalid_request_error'],
  [401, 'AuthenticationError', 'authentication_error'],
  [403, 'PermissionDeniedError', 'permission_error'],
  [404, 'NotFoundError', 'not_found_error'],
  [409, 'ConflictError', 'conflict_error'],
  [410, 'NotFoundError', null],
  [413, 'RequestTooLargeError', null],
  [422, 'UnprocessableEntityError', null],
  [429, 'RateLimitError', 'rate_limit_error'],
  [500, 'InternalServerError', 'api_error'],
  [502, 'InternalServerError', null],
  [503, 'InternalServerError', null],
  [504, 'InternalServerError', null],
  [529, 'OverloadedError', 'overloaded_error'],
  [418, 'APIStatusError', 'teapot_error'],
];

for (const [status, cls, type] of STATUS_CLASSES) {
  test(`HTTP ${status} rejects with ${cls} carrying every field`, async () => {
    // An unrecognised status keeps the generic class (the type must not map to a known one).
    const spec = status === 418 ? `status=418;type=teapot_error` : `status=${status}`;
    await assert.rejects(client.agents.create({ name: 'x', model: 'auto' }, fault(spec)), (e) => {
      assert.equal(e.constructor.name, cls);
      assert.ok(e instanceof Q[cls], `instanceof ${cls}`);
      assert.ok(e instanceof Q.APIStatusError, 'instanceof APIStatusError');
      assert.ok(e instanceof Q.APIError, 'instanceof APIError');
      assert.ok(e instanceof Q.QoderError, 'instanceof QoderError');
      assert.ok(e instanceof Error);
      assert.ok(!(e instanceof Q.APIConnectionError));
      assert.equal(e.status, status);
      if (type) assert.equal(e.type, type);
      assert.equal(typeof e.requestId, 'string');
      assert.match(e.idempotencyKey, /^[0-9a-f-]{36}$/, 'POST errors carry the idempotency key');
      assert.ok(e.message.startsWith(`Error code: ${status} - `), e.message);
      assert.equal(typeof e.body, 'object', 'a JSON body is parsed');
      assert.equal(e.body.error.type, e.type);
      assert.equal(e.isStreamError, false);
      assert.equal(e.name, cls);
      return true;
    });
  });
}

test('authentication and permission errors from real token checks', async () => {
  const bad = clientFor(emu, { accessToken: 'wrong-token' });
  const forbidden = clientFor(emu, { accessToken: 'forbidden-token-0b1c' });
  try {
    await assert.rejects(bad.agents.list(), (e) => e instanceof Q.AuthenticationError && e.status === 401 && e.type === 'authentication_error');
    await assert.rejects(forbidden.agents.list(), (e) => e instanceof Q.PermissionDeniedError && e.status === 403);
  } finally {
    bad.close();
    forbidden.close();
  }
});

test('GET errors carry no idempotency key; param and code come from the envelope', async () => {
  await assert.rejects(client.agents.list({}, fault('status=400;message=Bad limit')), (e) => {
    assert.equal(e.idempotencyKey, null);
    assert.ok(e.message.includes('Bad limit'));
    return true;
  });
  await assert.rejects(client.agents.retrieve('agent_00000000000000000000000000000000'), (e) => {
    assert.ok(e instanceof Q.NotFoundError);
    assert.ok(e.message.includes("Agent 'agent_00000000000000000000000000000000' was not found"));
    return true;
  });
});

test('retryable statuses are retried with the same idempotency key until success', async () => {
  const retrying = clientFor(emu, { maxRetries: 2 });
  try {
    const statsBefore = await emu.stats();
    const agent = await retrying.agents.create({ name: 'retried', model: 'auto' }, fault('status=503;count=2;retry-after-ms=1'));
    assert.equal(agent.name, 'retried');
    const s = await emu.stats();
    assert.equal(s.requests['POST /agents'] - (statsBefore.requests['POST /agents'] || 0), 3);
    assert.equal(s.faults_injected - statsBefore.faults_injected, 2);
    assert.equal(s.objects_created.agent - (statsBefore.objects_created.agent || 0), 1, 'created exactly once');
    // Retries exhausted: the last error surfaces.
    await assert.rejects(retrying.agents.list({}, fault('status=529;count=5;retry-after-ms=1')), Q.OverloadedError);
    // 409 is never retried.
    const c0 = (await emu.stats()).faults_injected;
    await assert.rejects(retrying.agents.list({}, fault('status=409;count=5')), Q.ConflictError);
    assert.equal((await emu.stats()).faults_injected - c0, 1);
  } finally {
    retrying.close();
  }
});

test('connection failures reject with APIConnectionError', async () => {
  const port = await new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => resolve(p));
    });
  });
  const dead = new Q.Client({ accessToken: 't', baseURL: `http://127.0.0.1:${port}/api/v1/cloud`, maxRetries: 0 });
  try {
    await assert.rejects(dead.agents.list(), (e) => {
      assert.ok(e instanceof Q.APIConnectionError);
      assert.ok(!(e instanceof Q.APITimeoutError));
      // The same tree as Python's (core/errors.json): connection errors are API errors, not status errors.
      assert.ok(e instanceof Q.APIError);
      assert.ok(!(e instanceof Q.APIStatusError));
      assert.equal(e.status, undefined);
      assert.equal(e.retryable, true);
      return true;
    });
    await assert.rejects(client.agents.list({}, fault('drop-response')), Q.APIConnectionError);
  } finally {
    dead.close();
  }
});

test('timeouts reject with APITimeoutError (an APIConnectionError)', async () => {
  const t0 = Date.now();
  await assert.rejects(client.agents.list({}, { timeout: 150, ...fault('delay-ms=5000') }), (e) => {
    assert.ok(e instanceof Q.APITimeoutError);
    assert.ok(e instanceof Q.APIConnectionError);
    assert.equal(e.kind, 'timeout');
    return true;
  });
  assert.ok(Date.now() - t0 < 4000, 'did not wait for the delayed response');
  await assert.rejects(client.agents.list({}, { totalDeadline: 150, ...fault('delay-ms=5000') }), Q.APITimeoutError);
});

test('bodies that are not the expected JSON reject with APIResponseValidationError or keep the raw body', async () => {
  await assert.rejects(client.agents.list({}, fault('malformed-json')), (e) => {
    assert.ok(e instanceof Q.APIResponseValidationError);
    assert.equal(typeof e.body, 'string');
    return true;
  });
  await assert.rejects(client.agents.list({}, fault('html-error')), (e) => {
    assert.ok(e instanceof Q.InternalServerError);
    assert.equal(e.status, 502);
    assert.equal(typeof e.body, 'string');
    assert.match(e.body, /<html/i);
    return true;
  });
});

test('a panic in native code becomes a rejected Promise / thrown error, not a crash', async () => {
  await assert.rejects(native.debugPanic(true).catch((e) => Promise.reject(fromNative(e))), (e) => {
    assert.ok(e instanceof Q.QoderError);
    assert.equal(e.kind, 'panic');
    assert.match(e.message, /panic inside a future/);
    return true;
  });
  assert.throws(() => {
    try {
      native.debugPanic(false);
    } catch (e) {
      throw fromNative(e);
    }
  }, (e) => e instanceof Q.QoderError && e.kind === 'panic');
  // The process and the client still work.
  assert.ok((await client.models.list()).data.length > 0);
});

test('a missing token fails at construction with InvalidArgumentError', () => {
  const saved = { a: process.env.QODER_ACCESS_TOKEN, b: process.env.QODER_PAT };
  delete process.env.QODER_ACCESS_TOKEN;
  delete process.env.QODER_PAT;
  try {
    assert.throws(() => new Q.Client({ baseURL: emu.baseURL }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'access_token' && /QODER_ACCESS_TOKEN/.test(e.message));
    assert.throws(() => new Q.Client({ accessToken: 't', baseURL: 'ftp://x' }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'base_url');
    assert.throws(() => new Q.Client({ accessToken: 't', region: 'mars' }), Q.InvalidArgumentError);
    // Wrong JS types are InvalidArgumentError too (and still a TypeError, the language's own).
    assert.throws(() => new Q.Client({ accessToken: 42 }), (e) => e instanceof Q.InvalidArgumentError && e instanceof TypeError && e.param === 'accessToken');
    assert.throws(() => new Q.Client({ accessToken: 't', logLevel: 'loud' }), TypeError);
  } finally {
    if (saved.a !== undefined) process.env.QODER_ACCESS_TOKEN = saved.a;
    if (saved.b !== undefined) process.env.QODER_PAT = saved.b;
  }
});

test('the error tree is core/errors.json: every class, its parent, InvalidArgumentError also a TypeError', () => {
  const table = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', 'core', 'errors.json'), 'utf8')).classes;
  for (const c of table) {
    const Cls = Q[c.name];
    assert.equal(typeof Cls, 'function', `${c.name} is exported`);
    if (c.parent === null) continue;
    const base = c.also && c.also.node ? c.also.node : c.parent;
    assert.equal(Object.getPrototypeOf(Cls).name, base, `${c.name} extends ${base}`);
    const e = new Cls('x', { kind: c.kind ?? null });
    assert.ok(e instanceof Q.QoderError && e instanceof Q[c.parent], `${c.name} is a ${c.parent}`);
    assert.equal(e.name, c.name);
  }
  assert.equal(Q.APIUserAbortError, Q.RequestCancelledError, 'the earlier name is the same class');
  const inStream = new Q.OverloadedError('o', { kind: 'overloaded', isStreamError: true });
  assert.ok(inStream instanceof Q.APIStreamError && inStream instanceof Q.StreamError && inStream instanceof Q.APIStatusError);
  assert.ok(!(new Q.OverloadedError('o') instanceof Q.StreamError));
});

test('bad idempotency keys are refused by the core (InvalidArgumentError naming it), nothing sent', async () => {
  for (const key of ['', '   ', 'a\nb', 'é', 'k'.repeat(256)]) {
    await assert.rejects(client.agents.create({ name: 'k', model: 'auto' }, { idempotencyKey: key }), (e) => {
      assert.ok(e instanceof Q.InvalidArgumentError, `${JSON.stringify(key)}: ${e.constructor.name}`);
      assert.equal(e.param, 'idempotency_key');
      return true;
    });
  }
  assert.throws(() => client.agents.create({ name: 'k', model: 'auto' }, { idempotencyKey: 5 }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'idempotencyKey');
});

test('every error carries the attributes of core/errors.json, with their defaults', () => {
  const { attributes } = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', 'core', 'errors.json'), 'utf8'));
  for (const e of [new Q.QoderError('m'), new Q.InvalidArgumentError('m'), new Q.NotFoundError('m', { requestId: 'req_1' })]) {
    for (const a of attributes) {
      assert.ok(Object.hasOwn(e, a.node), `${e.name}.${a.node}`);
      const expected = a.node === 'requestId' && e instanceof Q.NotFoundError ? 'req_1' : a.node === 'kind' && e instanceof Q.InvalidArgumentError ? 'invalid_argument' : a.ts_type.includes('undefined') ? undefined : (a.default ?? null);
      assert.deepEqual(e[a.node], expected, `${e.name}.${a.node}`);
    }
  }
});

'use strict';
// Reliability suite (fault injection): resumable streams under dropped connections (with and
// without delta previews), 503/429 bursts with every Retry-After form on every resource family,
// lost responses, malformed/truncated/HTML bodies, stalled streams, total deadlines, and
// cancellation at every stage. Every claim is checked against the emulator's stats.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Q = require('..');
const { startEmulator, waitFor, uniq } = require('./helpers/emulator');
const { clientFor, newSession, say } = require('./helpers/fixtures');
const { fault, faultHeader, httpDate, noApiConnections, apiConnections, routeCount, createdCount, listEvents, textOf } = require('./helpers/reliability');

let emu;
let client;
let dir;
before(async () => {
  emu = await startEmulator();
  client = clientFor(emu);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qoder-reliability-'));
});
after(async () => {
  client.close();
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const isPreview = (e) => e.type === 'event_start' || e.type === 'event_delta';

// ---------------------------------------------------------------------------------------------
// Streams: resume under dropped connections
// ---------------------------------------------------------------------------------------------

let burstPromise = null;
/** One session holding a 10,000-message burst: its persisted ids and each message's final text. */
function burstSession() {
  if (burstPromise === null) {
    burstPromise = (async () => {
      const { session } = await newSession(client);
      const turn = await client.sessions.runTurn(session.id, '[[burst 10000 size=20-200]]');
      assert.equal(turn.stopReason && turn.stopReason.type, 'end_turn');
      const events = await listEvents(client, session.id);
      const finals = new Map();
      for (const e of events) if (e.type === 'agent.message') finals.set(e.id, textOf(e));
      assert.equal(finals.size, 10000, 'the burst persisted 10,000 messages');
      return { sid: session.id, ids: events.map((e) => e.id), finals };
    })();
  }
  return burstPromise;
}

for (const every of [1, 3, 97]) {
  for (const deltas of [false, true]) {
    const name = `stream drops after every ${every} frame(s) over a 10,000-event session${deltas ? ', with agent.message deltas' : ''}: every persisted event exactly once, in order`;
    test(name, { timeout: 150000 }, async () => {
      const { sid, ids, finals } = await burstSession();
      assert.ok(ids.length > 10000);
      const stream = client.sessions.events.stream(sid, {
        ...(deltas ? { eventDeltas: ['agent.message'] } : {}),
        headers: faultHeader(`stream-drop-after=${every}`),
      });
      const acc = deltas ? new Q.DeltaAccumulator() : null;
      const got = [];
      const seen = new Set();
      let previews = 0;
      let snapshots = 0;
      let finalSnapshots = 0;
      for await (const ev of stream) {
        if (acc !== null) {
          const snap = acc.push(ev);
          if (snap !== null && snap.type === 'agent.message') {
            snapshots++;
            const final = finals.get(snap.id);
            assert.notEqual(final, undefined, `snapshot for an unknown message ${snap.id}`);
            if (!final.startsWith(snap.text)) {
              assert.fail(`snapshot of ${snap.id} is not a prefix of the final text (duplicated or lost delta):\n  snapshot: ${JSON.stringify(snap.text)}\n  final:    ${JSON.stringify(final)}`);
            }
            if (snap.isFinal) {
              finalSnapshots++;
              assert.equal(snap.text, final);
            }
          }
        }
        if (isPreview(ev)) {
          assert.ok(deltas, `a preview arrived without eventDeltas: ${ev.type}`);
          previews++;
          continue;
        }
        if (seen.has(ev.id)) assert.fail(`event ${ev.id} delivered twice (position ${got.length})`);
        seen.add(ev.id);
        got.push(ev.id);
        if (got.length === ids.length) break;
      }
      assert.equal(got.length, ids.length, 'the stream delivered every persisted event');
      assert.deepEqual(got, ids, 'same ids, same order as the list endpoint');
      const minReconnects = Math.max(0, Math.floor(ids.length / every) - 1);
      assert.ok(stream.reconnects >= minReconnects, `${stream.reconnects} reconnects < ${minReconnects}`);
      assert.equal(stream.lastEventId, ids[ids.length - 1]);
      if (deltas) {
        assert.ok(previews >= 20000, `previews arrived (${previews})`);
        assert.ok(snapshots > 10000, `snapshots grew across deltas (${snapshots})`);
        assert.equal(finalSnapshots, 10000, 'one final snapshot per message');
        assert.deepEqual(acc.inProgress(), [], 'no preview left without its final event');
      }
      await waitFor(async () => (await emu.stats()).streams.open === 0, 'the stream connection to close');
    });
  }
}

test('a stalled stream (no bytes at all) hits the idle timeout, resumes and delivers everything', { timeout: 60000 }, async () => {
  const { sid, ids } = await burstSession();
  // Per-stream option.
  const s = client.sessions.events.stream(sid, { idleTimeout: 300, headers: faultHeader('stream-stall=2;count=1') });
  const got = [];
  for await (const ev of s) {
    got.push(ev.id);
    if (got.length === ids.length) break;
  }
  assert.deepEqual(got, ids);
  assert.equal(s.reconnects, 1, 'one idle timeout, one resume');

  // Client-wide option (`streamIdleTimeout`), stalling mid-history.
  const c = clientFor(emu, { streamIdleTimeout: 300 });
  try {
    const s2 = c.sessions.events.stream(sid, { headers: faultHeader('stream-stall=5000;count=1') });
    const got2 = [];
    for await (const ev of s2) {
      got2.push(ev.id);
      if (got2.length === ids.length) break;
    }
    assert.deepEqual(got2, ids);
    assert.equal(s2.reconnects, 1);
  } finally {
    c.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Retries: 503 / 429 bursts, every Retry-After form, every resource family
// ---------------------------------------------------------------------------------------------

const ctx = {};
const FAMILIES = [
  { family: 'agents', route: 'POST /agents', created: 'agent', call: (c, o) => c.agents.create({ name: uniq('retry-agent'), model: 'auto' }, o), check: (r) => assert.match(r.id, /^agent_/) },
  { family: 'environments', route: 'GET /environments', call: (c, o) => c.environments.list({}, o), check: (r) => assert.ok(Array.isArray(r.data)) },
  { family: 'sessions', route: 'GET /sessions/{session_id}', call: (c, o) => c.sessions.retrieve(ctx.sid, o), check: (r) => assert.equal(r.id, ctx.sid) },
  { family: 'events', route: 'GET /sessions/{session_id}/events', call: (c, o) => c.sessions.events.list(ctx.sid, {}, o), check: (r) => assert.ok(r.data.length >= 1) },
  { family: 'files', route: 'POST /files', created: 'file', call: (c, o) => c.files.upload({ file: Buffer.from('retry me'), filename: 'retry.txt' }, o), check: (r) => assert.equal(r.size_bytes, 8) },
  { family: 'vaults', route: 'POST /vaults', created: 'vault', call: (c, o) => c.vaults.create({ display_name: uniq('retry-vault') }, o), check: (r) => assert.match(r.id, /^vault_/) },
  { family: 'skills', route: 'GET /skills', call: (c, o) => c.skills.list({}, o), check: (r) => assert.ok(Array.isArray(r.data)) },
  { family: 'memory stores', route: 'POST /memory_stores', created: 'memory_store', call: (c, o) => c.memoryStores.create({ name: uniq('retry-store') }, o), check: (r) => assert.match(r.id, /^memstore_/) },
  { family: 'deployments', route: 'GET /deployments', call: (c, o) => c.deployments.list({}, o), check: (r) => assert.ok(Array.isArray(r.data)) },
  { family: 'dreams', route: 'GET /dreams', call: (c, o) => c.dreams.list({}, o), check: (r) => assert.ok(Array.isArray(r.data)) },
  { family: 'models', route: 'GET /models', call: (c, o) => c.models.list({}, o), check: (r) => assert.ok(r.data.length > 0) },
];

/**
 * Retry-After forms: the fault spec fragment (built at call time), how many failures precede the
 * success, and the least total wait if the hint is honoured — each above what the default
 * backoff alone would wait (≤ 0.5 s before the first retry, ≤ 1.5 s before the second), so an
 * ignored hint fails the check.
 */
const HINTS = [
  { form: 'Retry-After seconds', spec: () => 'retry-after=1', count: 2, minWaitMs: 1800 },
  // IMF-fixdate 2 s ahead (whole seconds): the first wait is between 1 and 2 s.
  { form: 'Retry-After HTTP date', spec: () => `retry-after=${httpDate(2)}`, count: 1, minWaitMs: 900 },
  { form: 'retry-after-ms', spec: () => 'retry-after-ms=1000', count: 2, minWaitMs: 1900 },
];
const STATUS_CLASS = { 503: Q.InternalServerError, 429: Q.RateLimitError };

test('503 and 429 bursts on every resource family: success within maxRetries, typed error beyond, should-retry=false stops', { timeout: 120000, concurrency: true }, async (t) => {
  const { session } = await newSession(client);
  await say(client, session.id, 'events for the list');
  ctx.sid = session.id;
  const c = clientFor(emu, { maxRetries: 2 });
  t.after(() => c.close());
  // The families run concurrently: each uses its own route, so its request count is its own.
  await Promise.all(
    FAMILIES.map((fam) =>
      t.test(fam.family, async () => {
        const before = await emu.stats();
        const jobs = [];
        for (const status of [503, 429]) {
          for (const hint of HINTS) {
            const label = `${fam.family} ${status} ${hint.form}`;
            // `count` failures (≤ maxRetries 2): the next attempt succeeds, after the waits asked for.
            jobs.push(
              (async () => {
                const t0 = Date.now();
                const r = await fam.call(c, fault(`status=${status};count=${hint.count};${hint.spec()}`));
                const waited = Date.now() - t0;
                fam.check(r);
                assert.ok(waited >= hint.minWaitMs, `${label}: waited ${waited} ms, less than the server asked (${hint.minWaitMs} ms)`);
              })(),
            );
            // Three failures, maxRetries 2: the last error surfaces, typed, with status and request id.
            jobs.push(
              assert.rejects(fam.call(c, fault(`status=${status};count=3;${hint.spec()}`)), (e) => {
                assert.ok(e instanceof STATUS_CLASS[status], `${label}: got ${e.constructor.name}: ${e.message}`);
                assert.equal(e.status, status);
                assert.equal(typeof e.requestId, 'string', `${label}: requestId`);
                assert.ok(e.requestId.length > 0);
                assert.equal(e.retryable, true);
                return true;
              }),
            );
          }
          // should-retry=false: one attempt only, even with retries left.
          jobs.push(
            assert.rejects(fam.call(c, fault(`status=${status};count=3;should-retry=false;retry-after-ms=1`)), (e) => {
              assert.ok(e instanceof STATUS_CLASS[status]);
              assert.equal(e.status, status);
              return true;
            }),
          );
        }
        await Promise.all(jobs);
        const afterStats = await emu.stats();
        // Per status: successes (count + 1 attempts each), 3 exhausted calls × 3 attempts, 1 should-retry=false attempt.
        const perStatus = HINTS.reduce((n, h) => n + h.count + 1, 0) + 3 * 3 + 1;
        assert.equal(routeCount(afterStats, fam.route) - routeCount(before, fam.route), 2 * perStatus, `${fam.route} request count`);
        if (fam.created) assert.equal(createdCount(afterStats, fam.created) - createdCount(before, fam.created), 6, `exactly one ${fam.created} per successful call`);
      }),
    ),
  );
});

test('a total deadline ends a call that keeps retrying (APITimeoutError, or the hint that would pass it)', async () => {
  const c = clientFor(emu, { maxRetries: 50 });
  const deadlined = clientFor(emu, { maxRetries: 50, totalDeadline: 400 });
  try {
    for (const [label, call] of [
      ['per-call totalDeadline', () => c.models.list({}, { totalDeadline: 400, ...fault('status=503;count=100;retry-after-ms=100') })],
      ['client totalDeadline', () => deadlined.models.list({}, fault('status=503;count=100;retry-after-ms=100'))],
      ['per-call totalDeadline on a POST', () => c.agents.create({ name: 'deadline', model: 'auto' }, { totalDeadline: 400, ...fault('status=429;count=100;retry-after-ms=100') })],
    ]) {
      const route = label.includes('POST') ? 'POST /agents' : 'GET /models';
      const before = routeCount(await emu.stats(), route);
      // The deadline fires (APITimeoutError), or the next hint would sleep past it and the call
      // ends at once with the server's error and its hint; either way it stops early.
      await assert.rejects(call(), (e) => {
        if (e instanceof Q.APITimeoutError) {
          assert.ok(e instanceof Q.APIConnectionError);
          assert.equal(e.kind, 'timeout');
        } else {
          assert.ok(e instanceof Q.APIError && e.status >= 429, `${label}: got ${e.constructor.name}: ${e.message}`);
          assert.equal(e.retryAfter, 0.1);
          assert.match(e.message, /past the call's total deadline/);
        }
        return true;
      });
      const n = routeCount(await emu.stats(), route) - before;
      assert.ok(n >= 2 && n < 50, `${label}: it retried, then the deadline stopped it (${n} attempts)`);
    }
  } finally {
    c.close();
    deadlined.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Lost responses
// ---------------------------------------------------------------------------------------------

test('lost responses on creates: the retry replays the first result, exactly one object is created', { timeout: 60000 }, async () => {
  const c = clientFor(emu, { maxRetries: 2 });
  try {
    const { agent, env } = await newSession(c);
    const vault = await c.vaults.create({ display_name: uniq('lost-vault') });
    const store = await c.memoryStores.create({ name: uniq('lost-store') });
    const CREATES = [
      ['agents.create', 'POST /agents', 'agent', () => c.agents.create({ name: uniq('lost'), model: 'auto' }, fault('drop-response;count=1'))],
      ['environments.create', 'POST /environments', 'environment', () => c.environments.create({ name: uniq('lost-env'), config: { type: 'cloud', networking: { type: 'unrestricted' } } }, fault('drop-response;count=1'))],
      ['sessions.create', 'POST /sessions', 'session', () => c.sessions.create({ agent: agent.id, environment_id: env.id }, fault('drop-response;count=1'))],
      ['vaults.create', 'POST /vaults', 'vault', () => c.vaults.create({ display_name: uniq('lost-v') }, fault('drop-response;count=1'))],
      [
        'vaults.credentials.create',
        'POST /vaults/{vault_id}/credentials',
        'vault_credential',
        () => c.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token: 'tok-lost', mcp_server_url: 'https://mcp.example.com/sse' } }, fault('drop-response;count=1')),
      ],
      ['memoryStores.create', 'POST /memory_stores', 'memory_store', () => c.memoryStores.create({ name: uniq('lost-m') }, fault('drop-response;count=1'))],
      ['memoryStores.memories.create', 'POST /memory_stores/{memory_store_id}/memories', 'memory', () => c.memoryStores.memories.create(store.id, { path: `/lost/${uniq('p')}.md`, content: 'once' }, fault('drop-response;count=1'))],
      ['files.upload', 'POST /files', 'file', () => c.files.upload({ file: Buffer.from('lost response'), filename: 'lost.txt' }, fault('drop-response;count=1'))],
      ['skills.create', 'POST /skills', 'skill', () => c.skills.create({ files: [{ path: `${uniq('sk')}/SKILL.md`, content: '---\nname: lost-skill\ndescription: x\n---\n' }] }, fault('drop-response;count=1'))],
      [
        'deployments.create',
        'POST /deployments',
        'deployment',
        () =>
          c.deployments.create(
            { name: uniq('lost-dep'), agent: agent.id, environment_id: env.id, initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }] },
            fault('drop-response;count=1'),
          ),
      ],
      ['dreams.create', 'POST /dreams', 'dream', () => c.dreams.create({ inputs: [{ type: 'memory_store', memory_store_id: store.id }], model: 'auto' }, fault('drop-response;count=1'))],
    ];
    for (const [op, route, type, call] of CREATES) {
      const before = await emu.stats();
      const r = await call();
      assert.equal(typeof r.id, 'string', `${op} resolved with the created object`);
      const s = await emu.stats();
      assert.equal(routeCount(s, route) - routeCount(before, route), 2, `${op}: the lost attempt and one retry`);
      assert.equal(createdCount(s, type) - createdCount(before, type), 1, `${op}: exactly one ${type}`);
      assert.ok(s.idempotent_replays > before.idempotent_replays, `${op}: the retry was a replay`);
    }
  } finally {
    c.close();
  }
});

test('a lost response on sessions.events.send posts exactly one user.message', async () => {
  const c = clientFor(emu, { maxRetries: 2 });
  try {
    const { session } = await newSession(c);
    const before = await emu.stats();
    const text = `exactly once ${uniq('m')}`;
    const sent = await c.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] }, fault('drop-response;count=1'));
    assert.equal(sent.data.length, 1);
    assert.equal(sent.data[0].type, 'user.message');
    const s = await emu.stats();
    assert.equal(routeCount(s, 'POST /sessions/{session_id}/events') - routeCount(before, 'POST /sessions/{session_id}/events'), 2);
    assert.equal(createdCount(s, 'user.message') - createdCount(before, 'user.message'), 1, 'one user.message in the stats');
    const mine = (await listEvents(c, session.id)).filter((e) => e.type === 'user.message' && textOf(e) === text);
    assert.equal(mine.length, 1, 'one user.message in the session');
    assert.equal(mine[0].id, sent.data[0].id);
  } finally {
    c.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Bodies that are not what they claim
// ---------------------------------------------------------------------------------------------

const MISSING = 'agent_00000000000000000000000000000000';

test('malformed JSON: APIResponseValidationError with the status and the raw body, no hang', async () => {
  await assert.rejects(client.agents.list({}, { timeout: 20000, ...fault('malformed-json') }), (e) => {
    assert.ok(e instanceof Q.APIResponseValidationError, `${e.constructor.name}: ${e.message}`);
    assert.equal(e.status, 200);
    assert.equal(typeof e.body, 'string');
    assert.throws(() => JSON.parse(e.body));
    assert.ok(e.body.startsWith('{"data":'), e.body.slice(0, 80));
    assert.equal(typeof e.requestId, 'string');
    return true;
  });
  await assert.rejects(client.agents.create({ name: 'mj', model: 'auto' }, { timeout: 20000, ...fault('malformed-json') }), (e) => {
    assert.ok(e instanceof Q.APIResponseValidationError);
    assert.equal(e.status, 201);
    assert.equal(typeof e.body, 'string');
    return true;
  });
  // A real error status whose envelope is malformed keeps its class and the raw text.
  await assert.rejects(client.agents.retrieve(MISSING, { timeout: 20000, ...fault('malformed-json') }), (e) => {
    assert.ok(e instanceof Q.NotFoundError, e.constructor.name);
    assert.equal(e.status, 404);
    assert.equal(typeof e.body, 'string');
    assert.throws(() => JSON.parse(e.body));
    assert.ok(e.body.startsWith('{"type":"error"'), e.body);
    return true;
  });
});

test('an HTML error page: InternalServerError 502 with the raw HTML, no hang', async () => {
  for (const call of [() => client.agents.list({}, { timeout: 20000, ...fault('html-error') }), () => client.agents.create({ name: 'html', model: 'auto' }, { timeout: 20000, ...fault('html-error') })]) {
    await assert.rejects(call(), (e) => {
      assert.ok(e instanceof Q.InternalServerError, e.constructor.name);
      assert.equal(e.status, 502);
      assert.equal(typeof e.body, 'string');
      assert.match(e.body, /<html>[\s\S]*502 Bad Gateway/);
      return true;
    });
  }
  // Retried like any 502, then it succeeds.
  const c = clientFor(emu, { maxRetries: 1 });
  try {
    const page = await c.agents.list({}, fault('html-error;count=1'));
    assert.ok(Array.isArray(page.data));
  } finally {
    c.close();
  }
});

test('wrong content type: a JSON error served as text/plain keeps its class, status and envelope; a JSON success is still read', async () => {
  await assert.rejects(client.agents.retrieve(MISSING, { timeout: 20000, ...fault('wrong-content-type') }), (e) => {
    assert.ok(e instanceof Q.NotFoundError, e.constructor.name);
    assert.equal(e.status, 404);
    assert.equal(e.body.error.type, 'not_found_error');
    assert.equal(e.type, 'not_found_error');
    assert.equal(typeof e.requestId, 'string');
    return true;
  });
  const a = await client.agents.create({ name: 'plain', model: 'auto' }, { timeout: 20000, ...fault('wrong-content-type') });
  assert.equal(a.name, 'plain');
  assert.equal(a.httpStatus, 201);
});

test('a truncated body: a typed error at once (no hang), and a retry recovers it', async () => {
  // A 2xx cut short is a connection failure (retryable) that still carries its status.
  await assert.rejects(client.agents.list({}, { timeout: 20000, ...fault('truncated') }), (e) => {
    assert.ok(e instanceof Q.APIConnectionError, `${e.constructor.name}: ${e.message}`);
    assert.ok(!(e instanceof Q.APITimeoutError), 'ended by the cut, not by the timeout');
    assert.equal(e.retryable, true);
    assert.equal(e.status, 200);
    return true;
  });
  // A 404 cut short is still the 404 the status line announced (not retried).
  await assert.rejects(client.agents.retrieve(MISSING, { timeout: 20000, ...fault('truncated') }), (e) => {
    assert.ok(e instanceof Q.NotFoundError, `${e.constructor.name}: ${e.message}`);
    assert.equal(e.status, 404);
    return true;
  });
  const c = clientFor(emu, { maxRetries: 1 });
  try {
    const before = routeCount(await emu.stats(), 'GET /agents');
    const page = await c.agents.list({}, fault('truncated;count=1'));
    assert.ok(Array.isArray(page.data));
    assert.equal(routeCount(await emu.stats(), 'GET /agents') - before, 2);
  } finally {
    c.close();
  }
});

test('a truncated body keeps the status and request id that were received before the cut', async () => {
  // The status line and headers (x-request-id) arrived intact; only the body was cut.
  const seen = [];
  for (const [label, status, call] of [
    ['a truncated 200 (agents.list)', 200, () => client.agents.list({}, { timeout: 20000, ...fault('truncated') })],
    ['a truncated 404 (agents.retrieve of an unknown id)', 404, () => client.agents.retrieve(MISSING, { timeout: 20000, ...fault('truncated') })],
  ]) {
    const e = await Promise.resolve(call()).then(() => assert.fail(`${label} resolved`), (x) => x);
    assert.ok(e instanceof Q.QoderError, String(e));
    seen.push({ label, want: status, class: e.constructor.name, status: e.status ?? null, requestId: e.requestId, ok: e.status === status && typeof e.requestId === 'string' });
  }
  assert.ok(
    seen.every((s) => s.ok),
    `status / request id lost:\n${seen.map((s) => `  ${s.label}: ${s.class} status=${s.status} (want ${s.want}) requestId=${s.requestId}`).join('\n')}`,
  );
});

// ---------------------------------------------------------------------------------------------
// Cancellation at every stage (a dedicated emulator, so its connection count is ours alone)
// ---------------------------------------------------------------------------------------------

let cemu = null;
async function cancelEmu() {
  if (cemu === null) cemu = await startEmulator();
  // Every client of the previous test is closed: start from zero API connections.
  await noApiConnections(cemu, 'a clean emulator before the test');
  return cemu;
}
after(async () => {
  if (cemu !== null) await cemu.stop();
});

test('abort before the response headers (delay-ms=30000): rejects at once, its connection closes', { timeout: 60000 }, async () => {
  const e2 = await cancelEmu();
  const c = clientFor(e2);
  try {
    const before = await e2.stats();
    const controller = new AbortController();
    const t0 = Date.now();
    const p = c.agents.create({ name: 'never-answered', model: 'auto' }, { signal: controller.signal, ...fault('delay-ms=30000') });
    await waitFor(async () => routeCount(await e2.stats(), 'POST /agents') === routeCount(before, 'POST /agents') + 1, 'the request to reach the server');
    controller.abort();
    await assert.rejects(p, (e) => e instanceof Q.APIUserAbortError && e.kind === 'cancelled');
    assert.ok(Date.now() - t0 < 25000, 'rejected long before the delayed response');
    await noApiConnections(e2, 'the aborted connection to close');
    const s = await e2.stats();
    assert.equal(routeCount(s, 'POST /agents') - routeCount(before, 'POST /agents'), 1, 'not retried');
    assert.equal(createdCount(s, 'agent') - createdCount(before, 'agent'), 0, 'the delayed create never ran');
  } finally {
    c.close();
  }
});

test('abort mid-stream: the iterator rejects with APIUserAbortError, stream and connection close', { timeout: 60000 }, async () => {
  const e2 = await cancelEmu();
  const setup = clientFor(e2);
  let sid;
  try {
    const { session } = await newSession(setup);
    await setup.sessions.runTurn(session.id, '[[burst 5000 size=100]]');
    sid = session.id;
  } finally {
    setup.close();
  }
  await noApiConnections(e2, 'the setup client to let go');
  const c = clientFor(e2);
  try {
    const controller = new AbortController();
    const s = c.sessions.events.stream(sid, { signal: controller.signal });
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const ev of s) {
          assert.ok(ev.id);
          n++;
          if (n === 100) controller.abort();
        }
      })(),
      Q.APIUserAbortError,
    );
    assert.ok(n >= 100 && n < 5006, `${n} events before the abort took effect`);
    assert.equal(s.closed, true);
    await assert.rejects(s.next(), Q.APIUserAbortError);
    await waitFor(async () => (await e2.stats()).streams.open === 0, 'the stream to close on the server');
    await noApiConnections(e2, 'the stream connection to close');
  } finally {
    c.close();
  }
});

test('abort during a retry backoff (503, retry-after=60): rejects promptly, no further request', { timeout: 60000 }, async () => {
  const e2 = await cancelEmu();
  const c = clientFor(e2, { maxRetries: 3 });
  try {
    const before = await e2.stats();
    const controller = new AbortController();
    const t0 = Date.now();
    // Promise.resolve starts the (lazy) list request now.
    const p = Promise.resolve(c.models.list({}, { signal: controller.signal, ...fault('status=503;count=5;retry-after=60') }));
    await waitFor(async () => {
      const s = await e2.stats();
      return s.faults_injected === before.faults_injected + 1 || { before: before.faults_injected, now: s.faults_injected, models: routeCount(s, 'GET /models') };
    }, 'the first attempt to fail');
    controller.abort();
    await assert.rejects(p, Q.APIUserAbortError);
    assert.ok(Date.now() - t0 < 30000, 'did not sleep through the 60 s backoff');
    const s = await e2.stats();
    assert.equal(routeCount(s, 'GET /models') - routeCount(before, 'GET /models'), 1, 'no retry after the abort');
    assert.equal(s.faults_injected - before.faults_injected, 1);
  } finally {
    c.close();
  }
  // The first attempt's connection completed (a 503) and went back to the pool, kept alive;
  // closing the client releases it.
  await noApiConnections(e2, 'the pooled connection to be released by close()');
});

test('abort during a 24 MB upload: rejects, its connection closes, no file is created', { timeout: 60000 }, async () => {
  const e2 = await cancelEmu();
  const big = path.join(dir, 'big.bin');
  const fd = fs.openSync(big, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  for (let i = 0; i < 24; i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const c = clientFor(e2);
  try {
    const before = await e2.stats();
    const controller = new AbortController();
    const p = c.files.upload({ file: big }, { signal: controller.signal, ...fault('delay-ms=30000') });
    await waitFor(async () => routeCount(await e2.stats(), 'POST /files') === routeCount(before, 'POST /files') + 1 && (await apiConnections(e2)) >= 1, 'the upload to start');
    controller.abort();
    await assert.rejects(p, Q.APIUserAbortError);
    await noApiConnections(e2, 'the upload connection to close');
    const s = await e2.stats();
    assert.equal(createdCount(s, 'file') - createdCount(before, 'file'), 0, 'no file created');
    assert.equal(routeCount(s, 'POST /files') - routeCount(before, 'POST /files'), 1, 'not retried');
  } finally {
    c.close();
  }
  const check = clientFor(e2);
  try {
    assert.deepEqual((await check.files.list()).data, [], 'no half-written file is listed');
  } finally {
    check.close();
  }
});

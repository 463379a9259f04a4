'use strict';
// Concurrency and resources: one client under 500 concurrent calls, Rust panics becoming
// rejections while other calls run, and memory staying flat over 20,000 sequential calls.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Q = require('..');
const native = require('../lib/native');
const { fromNative } = require('../lib/errors');
const { startEmulator, uniq } = require('./helpers/emulator');
const { clientFor, newSession } = require('./helpers/fixtures');
const { routeCount, createdCount, memory, reliabilityDir, MB } = require('./helpers/reliability');

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

test('one client, 500 concurrent calls: all succeed with the right results', { timeout: 120000 }, async () => {
  const N = 500;
  const before = await emu.stats();
  const names = Array.from({ length: N }, (_, i) => `${uniq('conc')}-${i}`);
  const created = await Promise.all(names.map((name, i) => client.agents.create({ name, model: 'auto', metadata: { i: String(i) } })));
  assert.deepEqual(
    created.map((a) => a.name),
    names,
    'each call resolved with its own agent',
  );
  assert.deepEqual(
    created.map((a) => a.metadata.i),
    names.map((_, i) => String(i)),
  );
  assert.equal(new Set(created.map((a) => a.id)).size, N, 'distinct ids');
  const mid = await emu.stats();
  assert.equal(routeCount(mid, 'POST /agents') - routeCount(before, 'POST /agents'), N, 'one request per call, none retried');
  assert.equal(createdCount(mid, 'agent') - createdCount(before, 'agent'), N);

  // 500 concurrent reads of different kinds on the same client.
  const { session } = await newSession(client);
  const reads = await Promise.all(
    created.map((a, i) => {
      switch (i % 4) {
        case 0:
          return client.agents.retrieve(a.id).then((r) => [r.id, r.name]);
        case 1:
          return client.agents.retrieve(a.id, { version: 1 }).then((r) => [r.id, r.version]);
        case 2:
          return client.sessions.retrieve(session.id).then((r) => [r.id, r.agent.id]);
        default:
          return client.agents.retrieve(`agent_${'0'.repeat(32)}`).then(
            () => ['resolved'],
            (e) => [e.constructor.name, e.status],
          );
      }
    }),
  );
  reads.forEach((r, i) => {
    const a = created[i];
    switch (i % 4) {
      case 0:
        assert.deepEqual(r, [a.id, a.name]);
        break;
      case 1:
        assert.deepEqual(r, [a.id, 1]);
        break;
      case 2:
        assert.equal(r[0], session.id);
        break;
      default:
        assert.deepEqual(r, ['NotFoundError', 404]);
    }
  });
});

test('a Rust panic becomes a rejection (or a thrown error) while other calls run; the process and client survive', { timeout: 60000 }, async () => {
  // The panics below are expected: keep the Rust panic hook's output to its one-line message.
  process.env.RUST_BACKTRACE = '0';
  const panics = [];
  const calls = [];
  for (let i = 0; i < 200; i++) {
    calls.push(client.models.list().then((p) => p.data.length));
    if (i % 10 === 0) panics.push(native.debugPanic(true).then(() => 'resolved', (e) => fromNative(e)));
  }
  const [counts, errors] = await Promise.all([Promise.all(calls), Promise.all(panics)]);
  assert.ok(counts.every((n) => n > 0), 'every concurrent call succeeded');
  assert.equal(errors.length, 20);
  for (const e of errors) {
    assert.ok(e instanceof Q.QoderError, `a typed error, got ${e}`);
    assert.equal(e.kind, 'panic');
    assert.match(e.message, /panicked/);
  }
  // A synchronous panic throws instead of aborting the process.
  for (let i = 0; i < 5; i++) {
    assert.throws(
      () => {
        try {
          native.debugPanic(false);
        } catch (e) {
          throw fromNative(e);
        }
      },
      (e) => e instanceof Q.QoderError && e.kind === 'panic',
    );
  }
  // Still alive and working: calls, a stream, a turn.
  const { session } = await newSession(client);
  const turn = await client.sessions.runTurn(session.id, 'after the panics');
  assert.equal(turn.text, 'Echo: after the panics');
  const s = client.sessions.events.stream(session.id);
  assert.equal((await s.next()).value.type, 'user.message');
  s.close();
});

test('memory stays flat over 20,000 sequential calls', { timeout: 300000 }, async (t) => {
  const c = clientFor(emu);
  try {
    const agent = await c.agents.create({ name: uniq('mem'), model: 'auto' });
    const missing = `agent_${'0'.repeat(32)}`;
    let errors = 0;
    // Successes, typed errors and list pages, in a fixed mix.
    const one = async (i) => {
      if (i % 10 === 9) {
        await c.agents.retrieve(missing).catch((e) => {
          assert.ok(e instanceof Q.NotFoundError);
          errors++;
        });
      } else if (i % 50 === 0) {
        assert.ok((await c.agents.list({ limit: 5 })).data.length >= 1);
      } else {
        assert.equal((await c.agents.retrieve(agent.id)).id, agent.id);
      }
    };
    let i = 0;
    for (; i < 1000; i++) await one(i);
    const m1k = memory();
    for (; i < 20000; i++) await one(i);
    const m20k = memory();
    assert.equal(errors, 2000);
    const growth = { heapUsed: m20k.heapUsed - m1k.heapUsed, rss: m20k.rss - m1k.rss };
    const fmt = (b) => `${(b / MB).toFixed(1)} MB`;
    const report = {
      calls: 20000,
      at_1k: { heapUsed_mb: +(m1k.heapUsed / MB).toFixed(1), rss_mb: +(m1k.rss / MB).toFixed(1), external_mb: +(m1k.external / MB).toFixed(1) },
      at_20k: { heapUsed_mb: +(m20k.heapUsed / MB).toFixed(1), rss_mb: +(m20k.rss / MB).toFixed(1), external_mb: +(m20k.external / MB).toFixed(1) },
      growth_mb: { heapUsed: +(growth.heapUsed / MB).toFixed(1), rss: +(growth.rss / MB).toFixed(1) },
    };
    const line = `memory after 1k calls: heap ${fmt(m1k.heapUsed)}, rss ${fmt(m1k.rss)}; after 20k: heap ${fmt(m20k.heapUsed)}, rss ${fmt(m20k.rss)}; growth: heap ${fmt(growth.heapUsed)}, rss ${fmt(growth.rss)}`;
    t.diagnostic(line);
    console.log(line);
    fs.writeFileSync(path.join(reliabilityDir(), 'node-memory.json'), JSON.stringify(report, null, 2) + '\n');
    assert.ok(growth.heapUsed < 60 * MB, `heap grew by ${fmt(growth.heapUsed)}`);
    assert.ok(growth.rss < 60 * MB, `RSS grew by ${fmt(growth.rss)}`);
  } finally {
    c.close();
  }
});

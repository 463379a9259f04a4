'use strict';
// EnvironmentWorker against the emulator's work queue: an item is acked, run once and stopped; a
// stop request aborts the handler's signal; shutdown waits for running handlers; bad settings
// are rejected.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const Q = require('..');
const { waitFor } = require('./helpers/emulator');
const { useEmulator } = require('./helpers/fixtures');

const ctx = useEmulator();

async function queuedWork() {
  const agent = await ctx.client.agents.create({ name: 'w', model: 'auto' });
  const env = await ctx.client.environments.create({ name: 'hosted', config: { type: 'self_hosted' } });
  const s = await ctx.client.sessions.create({ agent: agent.id, environment_id: env.id });
  await ctx.client.sessions.events.send(s.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'work' }] }] });
  return { envId: env.id, sessionId: s.id };
}

async function states(envId) {
  const out = [];
  for await (const w of ctx.client.environments.work.list(envId)) out.push(w.state);
  return out;
}

test('an item is acked, run once and stopped', async () => {
  const { envId, sessionId } = await queuedWork();
  const seen = [];
  const worker = new Q.EnvironmentWorker(ctx.client, envId, (work, { signal }) => {
    seen.push([work.data.id, work.state, signal.aborted]);
  }, { workerId: 'node-1', pollWait: 200, lease: 1000 });
  const running = worker.run();
  await waitFor(async () => (await states(envId))[0] === 'stopped', 'the work to be stopped', 20000);
  worker.shutdown();
  const report = await running;
  assert.deepEqual(seen, [[sessionId, 'acknowledged', false]]);
  assert.deepEqual(report, { completed: 1, failed: 0, stopped: 0 });
  await assert.rejects(worker.run(), (e) => e instanceof Q.InvalidArgumentError);
});

test('a stop request aborts the handler signal; a throw counts as failed', async () => {
  const { envId } = await queuedWork();
  let started;
  const running = new Promise((r) => (started = r));
  const worker = new Q.EnvironmentWorker(ctx.client, envId, (work, { signal }) => {
    started(work.id);
    return new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }, { pollWait: 200, lease: 1000 });
  const done = worker.run();
  const workId = await running;
  await ctx.client.environments.work.stop(workId, { environment_id: envId });
  await waitFor(async () => (await states(envId))[0] === 'stopped', 'the work to be stopped', 20000);
  worker.shutdown();
  assert.deepEqual(await done, { completed: 0, failed: 0, stopped: 1 });

  const second = await queuedWork();
  const failing = new Q.EnvironmentWorker(ctx.client, second.envId, () => {
    throw new Error('disk full');
  }, { pollWait: 200, lease: 1000 });
  const r = failing.run();
  await waitFor(async () => (await states(second.envId))[0] === 'stopped', 'the failed work to be stopped', 20000);
  failing.shutdown();
  assert.deepEqual(await r, { completed: 0, failed: 1, stopped: 0 });
});

test('shutdown aborts running handlers and waits for them to settle', async () => {
  const { envId } = await queuedWork();
  let started;
  const running = new Promise((r) => (started = r));
  let settled = false;
  const worker = new Q.EnvironmentWorker(ctx.client, envId, async (work, { signal }) => {
    started();
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    settled = true;
  }, { pollWait: 200, lease: 1000 });
  const done = worker.run();
  await running;
  worker.shutdown();
  assert.deepEqual(await done, { completed: 0, failed: 0, stopped: 1 });
  assert.equal(settled, true);
});

test('bad worker settings are rejected', async () => {
  assert.throws(() => new Q.EnvironmentWorker({}, 'env_x', () => {}), (e) => e instanceof Q.InvalidArgumentError && e.param === 'client');
  assert.throws(() => new Q.EnvironmentWorker(ctx.client, '', () => {}), (e) => e instanceof Q.InvalidArgumentError && e.param === 'environmentId');
  assert.throws(() => new Q.EnvironmentWorker(ctx.client, 'env_x', 42), (e) => e instanceof Q.InvalidArgumentError && e.param === 'handler');
  assert.throws(() => new Q.EnvironmentWorker(ctx.client, 'env_x', () => {}, { pollWait: -1 }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'pollWait');
  assert.throws(() => new Q.EnvironmentWorker(ctx.client, 'env_x', () => {}, { bogus: 1 }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'bogus');
  await assert.rejects(new Q.EnvironmentWorker(ctx.client, 'env_x', () => {}, { maxConcurrency: 0 }).run(), (e) => e instanceof Q.InvalidArgumentError && e.param === 'max_concurrency');
  await assert.rejects(new Q.EnvironmentWorker(ctx.client, 'env_missing', () => {}, { pollWait: 100 }).run(), (e) => e instanceof Q.NotFoundError);
});

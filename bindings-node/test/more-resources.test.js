'use strict';
// The remaining resource families: deployments and runs, dreams, self-hosted work. Skipped (with
// a reason) against an emulator build that does not serve a family.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const Q = require('..');
const { startEmulator, uniq } = require('./helpers/emulator');
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


async function agentAndEnv(config = { type: 'cloud', networking: { type: 'unrestricted' } }) {
  const agent = await client.agents.create({ name: uniq('a'), model: 'auto' });
  const env = await client.environments.create({ name: uniq('e'), config });
  return { agent, env };
}

test('deployments: create, update, pause/unpause, run, runs, archive', async (t) => {
  const { agent, env } = await agentAndEnv();
  const dep = await client.deployments.create({
    name: uniq('dep'),
    agent: agent.id,
    environment_id: env.id,
    initial_events: [{ type: 'user.message', content: [{ type: 'text', text: 'nightly' }] }],
  });
  assert.match(dep.id, /^dep_/);
  assert.equal(dep.status, 'active');
  assert.equal((await client.deployments.update(dep.id, { description: 'nightly job' })).description, 'nightly job');
  assert.equal((await client.deployments.pause(dep.id)).status, 'paused');
  assert.equal((await client.deployments.unpause(dep.id)).status, 'active');
  const run = await client.deployments.run(dep.id);
  assert.match(run.id, /^drun_/);
  assert.equal(run.deployment_id, dep.id);
  const runs = await client.deployments.runs.list(dep.id);
  assert.ok(runs.data.some((r) => r.id === run.id));
  assert.equal((await client.deployments.runs.retrieve(run.id, { deployment_id: dep.id })).id, run.id);
  assert.equal((await client.deploymentRuns.retrieve(run.id)).id, run.id);
  const all = [];
  for await (const r of client.deploymentRuns.list({ deployment_id: dep.id })) all.push(r.id);
  assert.ok(all.includes(run.id));
  assert.ok((await client.deployments.archive(dep.id)).archived_at);
  assert.throws(() => client.deployments.create({ name: 'x', agent: agent.id, environment_id: env.id }), (e) => e instanceof TypeError && e.param === 'initial_events');
});

test('dreams: create, retrieve, list by status, cancel, archive', async (t) => {
  const store = await client.memoryStores.create({ name: uniq('dream-store') });
  const dream = await client.dreams.create({ inputs: [{ type: 'memory_store', memory_store_id: store.id }], model: 'auto' });
  assert.equal(dream.type, 'dream');
  assert.equal((await client.dreams.retrieve(dream.id)).id, dream.id);
  const listed = await client.dreams.list({ limit: 100, statuses: [dream.status] });
  assert.ok(listed.data.some((d) => d.id === dream.id));
  assert.ok(listed.data.every((d) => d.status === dream.status));
  const cancelled = await client.dreams.cancel(dream.id).catch((e) => e);
  assert.ok(!(cancelled instanceof Error) || cancelled instanceof Q.ConflictError, String(cancelled));
  assert.ok((await client.dreams.archive(dream.id)).archived_at);
});

test('self-hosted work: poll, ack, heartbeat, update, stats, stop', async () => {
  const { agent, env } = await agentAndEnv({ type: 'self_hosted' });
  // Nothing queued: poll answers "no work" as null.
  assert.equal(await client.environments.work.poll(env.id, { block_ms: 0 }), null);
  const session = await client.sessions.create({ agent: agent.id, environment_id: env.id });
  await client.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'work' }] }] });
  const work = await client.environments.work.poll(env.id, { block_ms: 1000, worker_id: 'worker-1' });
  assert.ok(work, 'a work item');
  assert.equal(work.data.id, session.id);
  const acked = await client.environments.work.ack(work.id, { environment_id: env.id });
  assert.equal(acked.state, 'acknowledged');
  const hb = await client.environments.work.heartbeat(work.id, { environment_id: env.id, desired_ttl_seconds: 30 });
  assert.equal(typeof hb.lease_extended, 'boolean');
  const upd = await client.environments.work.update(work.id, { environment_id: env.id, metadata: { host: 'box-1' } });
  assert.equal(upd.metadata.host, 'box-1');
  assert.equal((await client.environments.work.retrieve(work.id, { environment_id: env.id })).id, work.id);
  const stats = await client.environments.work.stats(env.id);
  assert.equal(typeof stats.depth, 'number');
  const listed = await client.environments.work.list(env.id);
  assert.ok(listed.data.some((w) => w.id === work.id));
  const stopped = await client.environments.work.stop(work.id, { environment_id: env.id, force: true });
  assert.equal(stopped.state, 'stopped');
});

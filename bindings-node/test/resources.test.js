'use strict';
// Every resource family the emulator supports, through the generated namespaces:
// agents (+versions), environments, sessions, events, threads, models.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ConflictError, NotFoundError, APIError } = require('..');
const { startEmulator, uniq } = require('./helpers/emulator');
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

test('agents: create, retrieve, update with optimistic concurrency, versions, archive', async () => {
  const name = uniq('agent');
  const agent = await client.agents.create({
    name,
    model: 'auto',
    system: 'Be brief.',
    metadata: { team: 'sdk' },
    tools: [{ type: 'agent_toolset_20260401', enabled_tools: ['Read'] }],
  });
  assert.match(agent.id, /^agent_/);
  assert.equal(agent.type, 'agent');
  assert.equal(agent.version, 1);
  assert.deepEqual(agent.metadata, { team: 'sdk' });

  const got = await client.agents.retrieve(agent.id);
  assert.equal(got.name, name);

  const v2 = await client.agents.update(agent.id, { version: 1, description: 'second' });
  assert.equal(v2.version, 2);
  assert.equal(v2.description, 'second');

  await assert.rejects(client.agents.update(agent.id, { version: 1, description: 'stale' }), (e) => {
    assert.ok(e instanceof ConflictError);
    assert.equal(e.status, 409);
    assert.equal(e.type, 'conflict_error');
    assert.equal(e.param, 'version');
    assert.ok(e.idempotencyKey, 'the failed POST carried an idempotency key');
    return true;
  });

  const snap = await client.agents.retrieve(agent.id, { version: 1 });
  assert.equal(snap.version, 1);
  assert.notEqual(snap.description, 'second');

  const versions = await client.agents.versions.list(agent.id);
  assert.deepEqual(versions.data.map((v) => v.version).sort(), [1, 2]);

  const archived = await client.agents.archive(agent.id);
  assert.ok(archived.archived_at);
  await assert.rejects(client.agents.retrieve('agent_00000000000000000000000000000000'), NotFoundError);
});

test('environments: create, retrieve, update, list, archive, delete', async () => {
  const env = await client.environments.create({ name: uniq('env'), config: { type: 'cloud', networking: { type: 'unrestricted' } }, metadata: { a: '1' } });
  assert.match(env.id, /^env_/);
  assert.equal(env.config.type, 'cloud');
  const upd = await client.environments.update(env.id, { description: 'updated', metadata: { b: '2' } });
  assert.equal(upd.description, 'updated');
  assert.equal(upd.metadata.b, '2');
  assert.equal((await client.environments.retrieve(env.id)).description, 'updated');
  const ids = [];
  for await (const e of client.environments.list()) ids.push(e.id);
  assert.ok(ids.includes(env.id));
  const arch = await client.environments.archive(env.id);
  assert.ok(arch.archived_at);
  const gone = await client.environments.delete(env.id);
  assert.deepEqual({ id: gone.id, type: gone.type }, { id: env.id, type: 'environment_deleted' });
  await assert.rejects(client.environments.retrieve(env.id), NotFoundError);
});

test('environments referenced by a session cannot be deleted (409)', async () => {
  const { env } = await newSession(client);
  await assert.rejects(client.environments.delete(env.id), ConflictError);
});

test('sessions: create, retrieve, update, list filters, cancel, archive, delete', async () => {
  const { agent, env, session } = await newSession(client, { title: 'first', metadata: { k: 'v' } });
  assert.match(session.id, /^sess_/);
  assert.equal(session.status, 'idle');
  assert.equal(session.environment_id, env.id);
  assert.equal(session.agent.id, agent.id);

  const upd = await client.sessions.update(session.id, { title: 'renamed' });
  assert.equal(upd.title, 'renamed');
  assert.equal((await client.sessions.retrieve(session.id)).title, 'renamed');

  const mine = [];
  for await (const s of client.sessions.list({ agent_id: agent.id, statuses: ['idle'] })) mine.push(s.id);
  assert.deepEqual(mine, [session.id]);
  const none = await client.sessions.list({ agent_id: agent.id, statuses: ['terminated'] });
  assert.equal(none.data.length, 0);

  const ack = await client.sessions.cancel(session.id);
  assert.equal(ack.id, session.id);
  assert.equal(ack.status, 'canceling');

  const arch = await client.sessions.archive(session.id);
  assert.ok(arch.archived_at);
  const del = await client.sessions.delete(session.id);
  assert.equal(del.id, session.id);
  await assert.rejects(client.sessions.retrieve(session.id), NotFoundError);
});

test('events: send, list (order, types, limit), and the scripted reply', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'hello emulator');
  assert.match(msg.id, /^evt_/);
  assert.equal(msg.type, 'user.message');
  // Wait for the turn through the stream, then list.
  const stream = client.sessions.events.stream(session.id, { lastEventId: msg.id });
  const seen = await readUntil(stream, (e) => e.type === 'session.status_idle');
  const reply = seen.find((e) => e.type === 'agent.message');
  assert.equal(reply.content[0].text, 'Echo: hello emulator');

  const asc = await client.sessions.events.list(session.id, { limit: 100 });
  assert.equal(asc.data[0].id, msg.id);
  assert.deepEqual(asc.data.map((e) => e.id), [msg.id, ...seen.map((e) => e.id)]);
  const desc = await client.sessions.events.list(session.id, { order: 'desc', limit: 1 });
  assert.equal(desc.data[0].type, 'session.status_idle');
  const onlyMessages = await client.sessions.events.list(session.id, { types: ['agent.message', 'user.message'] });
  assert.deepEqual(onlyMessages.data.map((e) => e.type), ['user.message', 'agent.message']);
  const after = await client.sessions.events.list(session.id, { after_id: msg.id, limit: 2 });
  assert.equal(after.data[0].id, seen[0].id);
});

test('threads: list, retrieve, events list, stream, archive', async () => {
  const { session } = await newSession(client);
  const threads = await client.sessions.threads.list(session.id);
  assert.equal(threads.data.length, 1);
  const primary = threads.data[0];
  assert.match(primary.id, /^sthr_/);
  const got = await client.sessions.threads.retrieve(primary.id, { session_id: session.id });
  assert.equal(got.id, primary.id);

  const msg = await say(client, session.id, 'thread check');
  const ts = client.sessions.threads.events.stream(primary.id, { session_id: session.id, lastEventId: msg.id });
  const seen = await readUntil(ts, (e) => e.type === 'session.status_idle');
  assert.ok(seen.some((e) => e.type === 'agent.message'));
  const evs = await client.sessions.threads.events.list(primary.id, { session_id: session.id });
  assert.ok(evs.data.some((e) => e.id === msg.id));
  const arch = await client.sessions.threads.archive(primary.id, { session_id: session.id });
  assert.ok(arch.archived_at);
  await assert.rejects(client.sessions.threads.retrieve('sthr_00000000000000000000000000000000', { session_id: session.id }), NotFoundError);
});

test('models: list', async () => {
  const models = await client.models.list();
  assert.ok(models.data.length > 0);
  assert.ok(models.data.every((m) => typeof m.id === 'string'));
  const ids = [];
  for await (const m of client.models.list({ limit: 1 })) ids.push(m.id);
  assert.deepEqual(ids, models.data.map((m) => m.id));
});

test('every top-level list goes through the generic path: a page, or an API error if not served', async () => {
  const { Client } = require('..');
  const tops = Client.operations.filter((o) => (o.response === 'page' || o.response === 'models_page') && o.pathParams.length === 0);
  assert.ok(tops.length >= 10);
  for (const op of tops) {
    const [ns, method] = op.jsName.split('.');
    try {
      const page = await client[ns][method]({ limit: 1 });
      assert.ok(Array.isArray(page.data), op.name);
    } catch (e) {
      assert.ok(e instanceof APIError, `${op.name}: ${e}`);
    }
  }
});

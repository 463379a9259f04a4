// A user's test under node:test: `qoder-cloud` and `qoder-cloud/testing` installed from npm,
// the emulator from the platform package (or QODER_EMULATOR_BIN). Run with
// `node --test node-test.test.mjs` (name the file: vitest.test.mjs and jest.test.cjs match
// node --test's default pattern too and need their own runners).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from 'qoder-cloud';
import { startEmulator } from 'qoder-cloud/testing';

let emu;
let client;
before(async () => {
  emu = await startEmulator();
  client = emu.client({ maxRetries: 0 });
});
after(async () => {
  client?.close();
  await emu?.close();
});

test('an agent created through client() can be retrieved', async () => {
  const agent = await client.agents.create({ name: 'node-test', model: 'auto' });
  const got = await client.agents.retrieve(agent.id);
  assert.equal(got.id, agent.id);
  assert.equal(got.name, 'node-test');
});

test('reset() clears what the previous test created', async () => {
  const agent = await client.agents.create({ name: 'temporary', model: 'auto' });
  await emu.reset();
  await assert.rejects(client.agents.retrieve(agent.id), NotFoundError);
});

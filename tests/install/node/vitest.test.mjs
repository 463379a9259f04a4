// A user's test under vitest: `qoder-cloud` and `qoder-cloud/testing` installed from npm, the
// emulator from the platform package (or QODER_EMULATOR_BIN). Run with
// `npx vitest run vitest.test.mjs` (name the file: vitest's default pattern also matches the
// node:test and jest files next to it).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { APIError } from 'qoder-cloud';
import { startEmulator } from 'qoder-cloud/testing';

describe('qoder-cloud/testing under vitest', () => {
  let emu;
  let client;
  beforeAll(async () => {
    emu = await startEmulator();
    client = emu.client({ maxRetries: 0 });
  });
  afterAll(async () => {
    client?.close();
    await emu?.close();
  });

  it('creates an agent through client() and retrieves it', async () => {
    const agent = await client.agents.create({ name: 'vitest', model: 'auto' });
    const got = await client.agents.retrieve(agent.id);
    expect(got.id).toBe(agent.id);
    expect(got.name).toBe('vitest');
  });

  it('an injected fault fails the next call', async () => {
    await emu.setFault('status=503;count=1');
    await expect(client.agents.list()).rejects.toBeInstanceOf(APIError);
    await client.agents.list();
  });
});

// A user's test under jest (CommonJS): `qoder-cloud` and `qoder-cloud/testing` installed from
// npm, the emulator from the platform package (or QODER_EMULATOR_BIN). Run with
// `npx jest jest.test.cjs` (name the file: jest's default pattern also matches the node:test and
// vitest files next to it).
const { startEmulator } = require('qoder-cloud/testing');
const { Client } = require('qoder-cloud');

describe('qoder-cloud/testing under jest', () => {
  let emu;
  let client;
  beforeAll(async () => {
    emu = await startEmulator();
    client = emu.client({ maxRetries: 0 });
  });
  afterAll(async () => {
    if (client) client.close();
    if (emu) await emu.close();
  });

  test('creates an agent through client() and retrieves it', async () => {
    expect(client).toBeInstanceOf(Client);
    const agent = await client.agents.create({ name: 'jest', model: 'auto' });
    const got = await client.agents.retrieve(agent.id);
    expect(got.id).toBe(agent.id);
    expect(got.name).toBe('jest');
    expect((await emu.stats()).requests['POST /agents']).toBe(1);
  });
});

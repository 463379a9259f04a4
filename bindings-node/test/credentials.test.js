'use strict';
// Credentials against the emulator's service-account exchange (this file's own emulator: it moves
// the clock): one exchange for concurrent calls and a refresh after a 401, token providers asked
// before every attempt, bad settings rejected, and no key or token in inspect output or errors.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const Q = require('..');
const { startEmulator } = require('./helpers/emulator');

let emu;
let origin;
before(async () => {
  emu = await startEmulator();
  origin = emu.baseURL.split('/api/')[0];
});
after(async () => {
  await emu.stop();
});

async function exchanges() {
  return (await emu.stats()).service_token_exchanges;
}

async function advance(seconds) {
  const r = await fetch(`${origin}/_emulator/clock/advance`, { method: 'POST', body: JSON.stringify({ seconds }) });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
}

const sa = (key = 'sak-node') => ({ baseURL: emu.baseURL, serviceAccountKey: key, serviceAccountExchangeURL: `${origin}/api/v1/serviceToken/exchange`, maxRetries: 0 });

test('a service-account key: one exchange for concurrent calls, a refresh after a 401', async () => {
  const before = await exchanges();
  const c = new Q.Client(sa());
  try {
    await Promise.all(Array.from({ length: 20 }, () => c.agents.list({ limit: 1 })));
    assert.equal(await exchanges(), before + 1);
    await advance(7200); // every issued token expires on the emulator's clock
    const agent = await c.agents.create({ name: 'sa', model: 'auto' }); // refused, re-exchanged, retried
    assert.equal(agent.name, 'sa');
    assert.equal(await exchanges(), before + 2);
    const shown = util.inspect(c, { depth: 5, showHidden: true });
    assert.ok(!shown.includes('sak-node') && !shown.includes('sat-'), shown);
  } finally {
    c.close();
  }
});

test('a refused key is an AuthenticationError that does not show the key', async () => {
  const c = new Q.Client(sa('sak-revoked-node'));
  try {
    await assert.rejects(c.agents.list(), (e) => {
      assert.ok(e instanceof Q.AuthenticationError, String(e));
      assert.match(e.message, /service-account token exchange: /);
      assert.ok(!util.inspect(e).includes('sak-revoked-node'));
      return true;
    });
  } finally {
    c.close();
  }
});

test('a token provider is asked before every attempt; its failures are AuthenticationErrors', async () => {
  let n = 0;
  let c = new Q.Client({ baseURL: emu.baseURL, tokenProvider: () => `pt-rotating-${++n}` });
  await c.agents.list({ limit: 1 });
  await c.agents.list({ limit: 1 });
  c.close();
  assert.equal(n, 2);
  c = new Q.Client({ baseURL: emu.baseURL, tokenProvider: async () => 'pt-async' });
  await c.agents.list({ limit: 1 });
  c.close();
  c = new Q.Client({ baseURL: emu.baseURL, tokenProvider: () => { throw new Error('vault sealed'); } });
  await assert.rejects(c.agents.list(), (e) => e instanceof Q.AuthenticationError && /vault sealed/.test(e.message));
  c.close();
  c = new Q.Client({ baseURL: emu.baseURL, tokenProvider: () => 42 });
  await assert.rejects(c.agents.list(), (e) => e instanceof Q.AuthenticationError && /must return a string/.test(e.message));
  c.close();
});

test('bad credential settings are rejected up front', () => {
  for (const [options, param] of [
    [{ tokenProvider: 42 }, 'tokenProvider'],
    [{ serviceAccountKey: ' ' }, 'service_account_key'],
    [{ serviceAccountKey: 'sak-x', serviceAccountTtl: 0 }, 'service_account_ttl'],
    [{ serviceAccountKey: 'sak-x', serviceAccountScopes: 'qca.access' }, 'serviceAccountScopes'],
    [{ serviceAccountKey: 'sak-x', accessToken: 'pt-x' }, 'access_token'],
  ]) {
    assert.throws(() => new Q.Client({ baseURL: emu.baseURL, ...options }), (e) => e instanceof Q.InvalidArgumentError && e.param === param, JSON.stringify(options));
  }
});

'use strict';
// Client construction: options, environment variables, default headers, close(), and that the
// token never leaks through the client object.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const Q = require('..');
const { startEmulator, waitFor, uniq } = require('./helpers/emulator');
const { clientFor, newSession, say } = require('./helpers/fixtures');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu.stop();
});

function withEnv(vars, fn) {
  const saved = {};
  for (const k of Object.keys(vars)) {
    saved[k] = process.env[k];
    if (vars[k] === undefined) delete process.env[k];
    else process.env[k] = vars[k];
  }
  const restore = () => {
    for (const k of Object.keys(saved)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
  return Promise.resolve()
    .then(fn)
    .finally(restore);
}

test('token and base URL come from the environment when not given', async () => {
  await withEnv({ QODER_ACCESS_TOKEN: emu.token, QODER_PAT: undefined, QODER_BASE_URL: emu.baseURL }, async () => {
    const c = new Q.Client();
    try {
      assert.equal(c.baseURL, emu.baseURL);
      assert.ok((await c.models.list()).data.length > 0);
    } finally {
      c.close();
    }
  });
  await withEnv({ QODER_ACCESS_TOKEN: undefined, QODER_PAT: emu.token, QODER_BASE_URL: emu.baseURL }, async () => {
    const c = new Q.Client();
    try {
      assert.ok((await c.models.list()).data.length > 0);
    } finally {
      c.close();
    }
  });
  await withEnv({ QODER_BASE_URL: undefined, QODER_MANAGED_BASE_URL: undefined, QODER_REGION: 'cn' }, async () => {
    const c = new Q.Client({ accessToken: 't' });
    assert.equal(c.baseURL, 'https://api.qoder.com.cn/api/v1/cloud');
    c.close();
    const g = new Q.Client({ accessToken: 't', region: 'global' });
    assert.equal(g.baseURL, 'https://api.qoder.com/api/v1/cloud');
    g.close();
  });
});

test('explicit options win over the environment', async () => {
  await withEnv({ QODER_BASE_URL: 'http://127.0.0.1:9/api/v1/cloud', QODER_ACCESS_TOKEN: 'env-token' }, async () => {
    const c = clientFor(emu);
    try {
      assert.equal(c.baseURL, emu.baseURL);
      assert.ok((await c.models.list()).data.length > 0);
    } finally {
      c.close();
    }
  });
});

test('defaultHeaders are sent on every request', async () => {
  const c = clientFor(emu, { defaultHeaders: { 'x-emulator-fault': `status=429;id=${uniq('d')}` } });
  try {
    await assert.rejects(c.models.list(), Q.RateLimitError);
    await assert.rejects(c.agents.retrieve('agent_00000000000000000000000000000000'), Q.RateLimitError);
  } finally {
    c.close();
  }
});

test('client-level timeout and maxRetries apply to every call', async () => {
  const c = clientFor(emu, { timeout: 150 });
  try {
    await assert.rejects(c.models.list({ headers: { 'x-emulator-fault': `delay-ms=5000;id=${uniq('t')}` } }), Q.APITimeoutError);
  } finally {
    c.close();
  }
  const r = clientFor(emu, { maxRetries: 3 });
  try {
    const before = (await emu.stats()).faults_injected;
    await r.models.list({ headers: { 'x-emulator-fault': `status=500;count=3;retry-after-ms=1;id=${uniq('r')}` } });
    assert.equal((await emu.stats()).faults_injected - before, 3);
  } finally {
    r.close();
  }
});

test('close() closes every open stream of the client', async () => {
  const c = clientFor(emu);
  const { session } = await newSession(c);
  await say(c, session.id, 'close me');
  const s1 = c.sessions.events.stream(session.id);
  const s2 = c.sessions.events.stream(session.id, { eventDeltas: ['agent.message'] });
  await s1.next();
  await s2.next();
  await waitFor(async () => (await emu.stats()).streams.open === 2, 'two open streams');
  const pending = (async () => {
    const out = [];
    for await (const e of s2) out.push(e);
    return out;
  })();
  c.close();
  await pending; // ends (buffered events may still be delivered first)
  await waitFor(async () => (await emu.stats()).streams.open === 0, 'streams closed by client.close()');
});

test('the token is not reachable from the client object', () => {
  const token = 'pt-very-secret-token-ab12';
  const c = new Q.Client({ accessToken: token, baseURL: emu.baseURL });
  try {
    const shown = util.inspect(c, { depth: 5, showHidden: true }) + JSON.stringify(c) + Object.keys(c).join(',');
    assert.ok(!shown.includes(token));
  } finally {
    c.close();
  }
});

test('package metadata', () => {
  assert.equal(Q.VERSION, require('../package.json').version);
  assert.match(Q.coreVersion, /^\d+\.\d+\.\d+/);
  assert.equal(Q.default, Q.Client);
});

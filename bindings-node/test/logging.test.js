'use strict';
// Logging: levels, a pluggable logger, QODER_LOG, and no token or secret in any record.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { Client } = require('..');
const { startEmulator, waitFor, uniq } = require('./helpers/emulator');
const { newSession, say, readUntil } = require('./helpers/fixtures');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu.stop();
});

const SECRET_TOKEN = 'test-token-3f9c2a71'; // the emulator helper's token
const SECRET_VALUE = 'sk-live-SECRET-0d2f9';

function capture() {
  const records = [];
  const lines = [];
  const push = (level) => (message, record) => {
    lines.push(`${level} ${message}`);
    records.push({ level, message, record });
  };
  return { records, lines, logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') } };
}

test('debug logging records requests and responses, never the token or request bodies', async () => {
  const cap = capture();
  const client = new Client({ accessToken: SECRET_TOKEN, baseURL: emu.baseURL, maxRetries: 0, logLevel: 'debug', logger: cap.logger });
  try {
    const agent = await client.agents.create({ name: uniq('log'), model: 'auto', system: SECRET_VALUE, metadata: { api_key: SECRET_VALUE } });
    await waitFor(() => cap.records.some((r) => r.record.event === 'response' && r.record.path === '/agents'), 'the response record');
    const req = cap.records.find((r) => r.record.event === 'request' && r.record.path === '/agents');
    assert.equal(req.level, 'debug');
    assert.equal(req.record.method, 'POST');
    assert.equal(req.record.attempt, 0);
    const resp = cap.records.find((r) => r.record.event === 'response' && r.record.path === '/agents');
    assert.equal(resp.record.status, 201);
    assert.equal(resp.record.requestId, agent.requestId);
    assert.match(resp.message, /^\[qoder-cloud\] response POST \/agents status=201/);
    const all = JSON.stringify(cap.records) + cap.lines.join('\n');
    assert.ok(!all.includes(SECRET_TOKEN), 'token never logged');
    assert.ok(!all.includes(SECRET_VALUE), 'request bodies never logged');
  } finally {
    client.close();
  }
});

test('retries log at info, final failures at error; levels filter', async () => {
  const cap = capture();
  const client = new Client({ accessToken: SECRET_TOKEN, baseURL: emu.baseURL, maxRetries: 1, logLevel: 'info', logger: cap.logger });
  try {
    await assert.rejects(client.agents.list({}, { headers: { 'x-emulator-fault': `status=503;retry-after-ms=1;id=${uniq('f')}` } }));
    await waitFor(() => cap.records.some((r) => r.record.event === 'error'), 'the error record');
    const retry = cap.records.find((r) => r.record.event === 'retry');
    assert.equal(retry.level, 'info');
    assert.equal(retry.record.status, 503);
    assert.equal(typeof retry.record.delayMs, 'number');
    const err = cap.records.find((r) => r.record.event === 'error');
    assert.equal(err.level, 'error');
    assert.equal(err.record.attempt, 1);
    assert.ok(!cap.records.some((r) => r.level === 'debug'), 'no debug records at info level');
    assert.ok(!JSON.stringify(cap.records).includes(SECRET_TOKEN));
  } finally {
    client.close();
  }
});

test('stream reconnects are logged', async () => {
  const cap = capture();
  const client = new Client({ accessToken: SECRET_TOKEN, baseURL: emu.baseURL, maxRetries: 0, logLevel: 'info', logger: cap.logger });
  try {
    const { session } = await newSession(client);
    const msg = await say(client, session.id, 'reconnect');
    const s = client.sessions.events.stream(session.id, { lastEventId: msg.id, headers: { 'x-emulator-fault': `stream-drop-after=1;count=1;id=${uniq('f')}` } });
    await readUntil(s, (e) => e.type === 'session.status_idle');
    await waitFor(() => cap.records.some((r) => r.record.event === 'reconnect'), 'the reconnect record');
    const rec = cap.records.find((r) => r.record.event === 'reconnect');
    assert.equal(rec.level, 'info');
    assert.match(rec.record.path, /\/events\/stream$/);
  } finally {
    client.close();
  }
});

test('logLevel off (the default) installs no logger', async () => {
  const cap = capture();
  const saved = process.env.QODER_LOG;
  delete process.env.QODER_LOG;
  const client = new Client({ accessToken: SECRET_TOKEN, baseURL: emu.baseURL, logger: cap.logger });
  try {
    await client.models.list();
    // A second client with logging on, sharing nothing: once its record arrives, the first
    // client's (if any were emitted) would have been delivered too (same JS thread queue).
    const probe = capture();
    const c2 = new Client({ accessToken: SECRET_TOKEN, baseURL: emu.baseURL, logLevel: 'debug', logger: probe.logger });
    await c2.models.list();
    await waitFor(() => probe.records.some((r) => r.record.event === 'response'), 'the probe record');
    c2.close();
    assert.equal(cap.records.length, 0);
  } finally {
    client.close();
    if (saved !== undefined) process.env.QODER_LOG = saved;
  }
});

test('QODER_LOG enables the default console logger (child process), without secrets', async () => {
  const script = path.join(__dirname, 'fixtures', 'log-env.js');
  const { stdout, stderr } = await new Promise((resolve, reject) => {
    execFile(process.execPath, [script], { env: { ...process.env, QODER_LOG: 'debug', QODER_BASE_URL: emu.baseURL, QODER_ACCESS_TOKEN: SECRET_TOKEN }, timeout: 30000 }, (err, out, errOut) =>
      err ? reject(Object.assign(err, { stdout: out, stderr: errOut })) : resolve({ stdout: out, stderr: errOut }),
    );
  });
  const out = stdout + stderr;
  assert.match(out, /\[qoder-cloud\] request GET \/models/);
  assert.match(out, /\[qoder-cloud\] response GET \/models status=200/);
  assert.ok(!out.includes(SECRET_TOKEN));
  assert.match(stdout, /models: \d+/);
});

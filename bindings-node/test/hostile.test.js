'use strict';
// The hostile-server cases (tests/hostile/cases.json, listed in RELIABILITY.md), run by the Node
// client against the `qoder-hostile` server, as the Rust and Python suites run them. Each case
// has its own request counters on the server (`<scenario>~<case>-node`).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const readline = require('node:readline');
const Q = require('..');

const REPO = path.resolve(__dirname, '..', '..');
const { cases: CASES } = JSON.parse(fs.readFileSync(path.join(REPO, 'tests', 'hostile', 'cases.json'), 'utf8'));
const TOKEN = 'pt-hostile';

function hostileBinary() {
  const env = process.env.QODER_HOSTILE_BIN;
  const bin = env || path.join(REPO, 'target', 'debug', process.platform === 'win32' ? 'qoder-hostile.exe' : 'qoder-hostile');
  if (!fs.existsSync(bin) && !env) {
    const r = spawnSync('cargo', ['build', '-p', 'qoder-tests', '--bin', 'qoder-hostile'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('cargo build of qoder-hostile failed');
  }
  if (!fs.existsSync(bin)) throw new Error(`hostile server binary not found at ${bin}`);
  return bin;
}

let server;
let origin;
let blackhole;
before(async () => {
  server = spawn(hostileBinary(), [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: server.stdout }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`hostile server exited (${code})`)));
  });
  const parts = line.split(' ');
  assert.equal(parts[0], 'listening', line);
  origin = parts[1];
  blackhole = parts[2].split('=')[1];
});
after(() => {
  server.stdin.end();
});

function stats(instance) {
  return new Promise((resolve, reject) => {
    http
      .get(`${origin}/_stats`, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body)[instance] || { requests: 0, idempotency_keys: [], max_header_copies: 0 }));
      })
      .on('error', reject);
  });
}

/** Client options of cases.json (snake_case, seconds) as Node options (camelCase, ms). */
function clientOptions(o) {
  const ms = (s) => Math.round(s * 1000);
  const map = {
    timeout: ['timeout', ms],
    connect_timeout: ['connectTimeout', ms],
    total_timeout: ['totalDeadline', ms],
    max_retries: ['maxRetries', (n) => n],
    max_response_bytes: ['maxResponseBytes', (n) => n],
    max_error_bytes: ['maxErrorBytes', (n) => n],
    max_header_bytes: ['maxHeaderBytes', (n) => n],
    max_retry_after: ['maxRetryAfter', ms],
    stream_stall_timeout: ['streamStallTimeout', ms],
    max_event_bytes: ['maxEventBytes', (n) => n],
  };
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (!map[k]) throw new Error(`unknown client option ${k} in cases.json`);
    out[map[k][0]] = map[k][1](v);
  }
  return out;
}

async function runCall(client, c) {
  const options = c.headers ? { headers: c.headers } : {};
  const ids = [];
  try {
    if (c.call === 'list') await client.agents.list({}, options);
    else if (c.call === 'create') await client.agents.create({ name: 'hostile', model: 'auto' }, options);
    else if (c.call === 'download') await (await client.files.download('file_h', options)).buffer();
    else if (c.call === 'stream') {
      const s = c.stream;
      const so = { resume: s.resume ?? true, ...options };
      if (s.idle_timeout !== undefined) so.idleTimeout = Math.round(s.idle_timeout * 1000);
      if (s.max_reconnect_attempts !== undefined) so.maxReconnectAttempts = s.max_reconnect_attempts;
      for await (const ev of client.sessions.events.stream('sesn_h', {}, so)) ids.push(ev.id);
    } else throw new Error(`unknown call ${c.call}`);
  } catch (e) {
    return { ids, err: e };
  }
  return { ids, err: null };
}

function check(c, { ids, err }, seen) {
  const expect = c.expect;
  const bad = [];
  if (expect.kind === undefined) {
    if (err) bad.push(`expected success, got ${err.constructor.name}: ${err.message}`);
  } else if (!(err instanceof Q.QoderError) || err.kind !== expect.kind) {
    bad.push(`expected ${expect.kind}, got ${err ? `${err.constructor.name} (${err.kind}): ${err.message}` : 'success'}`);
  } else {
    if (expect.status !== undefined && err.status !== expect.status) bad.push(`status ${err.status}`);
    if (expect.message !== undefined && !err.message.includes(expect.message)) bad.push(`message lacks ${JSON.stringify(expect.message)}: ${err.message}`);
    if (expect.retry_after !== undefined && (err.retryAfter === null || Math.abs(err.retryAfter - expect.retry_after) > expect.retry_after * 0.01)) bad.push(`retryAfter ${err.retryAfter}`);
    if (expect.retry_after_min !== undefined && (err.retryAfter === null || err.retryAfter < expect.retry_after_min)) bad.push(`retryAfter ${err.retryAfter}`);
    if (expect.retryable !== undefined && err.retryable !== expect.retryable) bad.push(`retryable ${err.retryable}`);
    if (`${err.message} ${JSON.stringify(err)}`.includes(TOKEN)) bad.push('the token is in the error');
  }
  if (expect.ids !== undefined && JSON.stringify(ids) !== JSON.stringify(expect.ids)) bad.push(`ids ${JSON.stringify(ids)}`);
  if (expect.requests !== undefined && seen.requests !== expect.requests) bad.push(`${seen.requests} requests, expected ${expect.requests}`);
  if (expect.min_requests !== undefined && seen.requests < expect.min_requests) bad.push(`${seen.requests} requests, expected >= ${expect.min_requests}`);
  if (expect.same_key) {
    const keys = seen.idempotency_keys;
    if (keys.length === 0 || keys.length !== seen.requests || new Set(keys).size !== 1) bad.push(`idempotency keys ${JSON.stringify(keys)}`);
  }
  if (expect.max_header_copies !== undefined && seen.max_header_copies !== expect.max_header_copies) bad.push(`a header sent ${seen.max_header_copies} times`);
  return bad;
}

test('the suite has at least 40 cases', () => {
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
});

for (const c of CASES) {
  test(`hostile: ${c.id} (${c.what})`, async () => {
    const instance = `${c.scenario}~${c.id}-node`;
    const base = c.base === 'blackhole' ? `${blackhole}/v1` : `${origin}/${instance}/v1`;
    const client = new Q.Client({ accessToken: TOKEN, baseURL: base, ...clientOptions(c.client) });
    let got;
    try {
      got = await runCall(client, c);
    } finally {
      client.close();
    }
    const bad = check(c, got, await stats(instance));
    assert.deepEqual(bad, [], `${c.id}: ${bad.join('; ')}`);
  });
}

'use strict';
// The production path: HTTPS to an emulator with a private CA, once with HTTP/2 offered by ALPN
// (`--alpn h2,http/1.1`) and once with HTTP/1.1 only (`--alpn http/1.1`). Per mode: calls, a
// streamed turn and runTurn; resume under dropped connections; retries with idempotency;
// cancellation of a waiting stream; trust options and their environment variables; an explicit
// proxy; and the client key never showing. The Rust equivalents are tests/tests/tls.rs and
// tls_env.rs.
//
// Protocols: calls use HTTP/2 where ALPN offers it. Event streams over TLS get HTTP/1.1
// connections of their own by default (core/src/transport.rs, so a gateway's cap on concurrent
// HTTP/2 streams per connection cannot hold them back); `QODER_STREAM_TRANSPORT=pooled` puts
// them on the calls' pool, i.e. on HTTP/2 where negotiated. Both are checked against the
// emulator's `connections.alpn` counters.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const Q = require('..');
const { startEmulator } = require('../testing');
const { waitFor, uniq } = require('./helpers/emulator');

const { Client, APIConnectionError, APITimeoutError, APIUserAbortError, InvalidArgumentError, InternalServerError, NotFoundError, QoderError } = Q;

const MODES = [
  // `calls`: the protocol ALPN gives the calls; `other`: the one that must not appear for them.
  { label: 'HTTP/2 by ALPN (h2,http/1.1)', alpn: 'h2,http/1.1', calls: 'h2', other: 'http/1.1' },
  { label: 'HTTP/1.1 only by ALPN (http/1.1)', alpn: 'http/1.1', calls: 'http/1.1', other: 'h2' },
];

/** How long a cancelled stream may take to settle. */
const PROMPT_MS = 3000;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const isIdle = (e) => e.type === 'session.status_idle';
const faultHeaders = (spec) => ({ headers: { 'x-emulator-fault': `${spec};id=${uniq('tls')}` } });

/** `stats.connections.alpn[proto]` (0 when absent). */
const alpnOf = (stats, proto) => (stats.connections.alpn && stats.connections.alpn[proto]) || 0;
const alpnGrowth = (s0, s1, proto) => alpnOf(s1, proto) - alpnOf(s0, proto);
const created = (stats, type) => stats.objects_created[type] || 0;
const routeCount = (stats, route) => stats.requests[route] || 0;

/** Sets `vars` in `process.env` (`undefined` removes one); returns a function restoring the previous values. */
function setEnv(vars) {
  const saved = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = Object.prototype.hasOwnProperty.call(process.env, k) ? process.env[k] : undefined;
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * Runs `fn` with `vars` set in `process.env` and restores every previous value afterwards, even
 * when `fn` throws. The core reads the environment when a Client is constructed, so the
 * constructor call must happen inside `fn`.
 */
async function withEnv(vars, fn) {
  const restore = setEnv(vars);
  try {
    return await fn();
  } finally {
    restore();
  }
}

/** `new Client(options)` with `vars` in the environment during construction only. */
function constructWithEnv(vars, options) {
  const restore = setEnv(vars);
  try {
    return new Client(options);
  } finally {
    restore();
  }
}

/** Reads a stream until `pred(event)` holds (inclusive). */
async function readUntil(stream, pred) {
  const out = [];
  for await (const ev of stream) {
    out.push(ev);
    if (pred(ev)) break;
  }
  return out;
}

async function newSession(client) {
  const agent = await client.agents.create({ name: uniq('tls-agent'), model: 'auto' });
  const env = await client.environments.create({ name: uniq('tls-env'), config: { type: 'cloud', networking: { type: 'unrestricted' } } });
  const session = await client.sessions.create({ agent: agent.id, environment_id: env.id });
  return { agent, env, session };
}

async function say(client, sessionId, text) {
  const sent = await client.sessions.events.send(sessionId, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] });
  return sent.data[0];
}

/** Every persisted event id of a session, auto-paged from the list endpoint (oldest first). */
async function listIds(client, sessionId) {
  const ids = [];
  for await (const e of client.sessions.events.list(sessionId, { limit: 100 })) ids.push(e.id);
  return ids;
}

// A minimal DER encoder: enough for a self-signed P-256 certificate (a real client identity for
// the secrets tests, without depending on an openssl binary).
function derLen(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const der = (tag, ...parts) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
};
const seq = (...parts) => der(0x30, ...parts);
function oid(dotted) {
  const a = dotted.split('.').map(Number);
  const out = [40 * a[0] + a[1]];
  for (const v of a.slice(2)) {
    const b = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) b.unshift((x & 0x7f) | 0x80);
    out.push(...b);
  }
  return der(0x06, Buffer.from(out));
}
function utcTime(d) {
  const p = (n) => String(n).padStart(2, '0');
  return der(0x17, Buffer.from(`${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`));
}
const toPem = (label, buf) => `-----BEGIN ${label}-----\n${buf.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END ${label}-----\n`;

/** A fresh self-signed certificate (ECDSA P-256, SHA-256) and its PKCS#8 key, both PEM. */
function selfSigned(cn) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const alg = seq(oid('1.2.840.10045.4.3.2')); // ecdsa-with-SHA256
  const name = seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn)))));
  const serial = crypto.randomBytes(8);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, no leading zero
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    alg,
    name,
    seq(utcTime(new Date(now - 3600 * 1000)), utcTime(new Date(now + 2 * 86400 * 1000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const cert = seq(tbs, alg, der(0x03, Buffer.from([0]), crypto.sign('sha256', tbs, privateKey)));
  const certPem = toPem('CERTIFICATE', cert);
  // Node parses it and its signature checks out: a well-formed certificate.
  assert.ok(new crypto.X509Certificate(certPem).verify(publicKey), 'the generated certificate is valid');
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
}

/** The base64 lines of a PEM block (the secret part of a key). */
const pemBody = (pem) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));

/** Every text an error shows: message, stack, inspection, JSON and its cause chain. */
function textsOf(e) {
  const parts = [String(e), e && e.message, e && e.stack, util.inspect(e, { depth: Infinity, showHidden: true })];
  try {
    parts.push(JSON.stringify(e));
  } catch {
    // not serialisable: the other texts still count
  }
  if (e && e.cause) parts.push(textsOf(e.cause));
  return parts.join('\n');
}

/** A TCP server that records the first request line of each connection and answers 502. */
async function recordingProxy() {
  const lines = [];
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let answered = false;
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      if (answered) return;
      buf += d;
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      answered = true;
      lines.push(buf.slice(0, nl));
      sock.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    lines,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// A syntactically valid PEM private key whose DER is garbage: the error path must run without
// the key's text reaching any message.
const KEY_BODY = Buffer.from(`qoder-secret-key-bytes-${crypto.randomBytes(24).toString('hex')}`).toString('base64');
const INVALID_KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;

// ---------------------------------------------------------------------------------------------
// The suite, once per HTTPS mode
// ---------------------------------------------------------------------------------------------

let identity = null;
/** One self-signed client identity for the whole file (generated on first use). */
function clientIdentity() {
  if (identity === null) identity = selfSigned('qoder-test-client');
  return identity;
}

for (const mode of MODES) {
  describe(`https, ${mode.label}`, () => {
    let emu;
    let emuPort;
    let caPem;
    let dir;
    const clients = [];

    before(async () => {
      emu = await startEmulator({ tls: true, extraArgs: ['--alpn', mode.alpn] });
      assert.ok(emu.baseUrl.startsWith('https://'), emu.baseUrl);
      assert.equal(typeof emu.caPath, 'string', 'the emulator reported its CA');
      emuPort = new URL(emu.baseUrl).port;
      caPem = fs.readFileSync(emu.caPath, 'utf8');
      assert.ok(caPem.startsWith('-----BEGIN CERTIFICATE-----'), caPem.slice(0, 40));
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qoder-tls-node-'));
    });
    after(async () => {
      for (const c of clients) c.close();
      if (emu) await emu.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /**
     * A client of this emulator that trusts its CA (no retries unless asked), closed after the
     * file. Streams take connections of their own unless `pooled` (`QODER_STREAM_TRANSPORT=pooled`,
     * read at construction; cleared otherwise, so the caller's environment cannot change the mode).
     */
    function mk(extra = {}, { pooled = false } = {}) {
      const c = constructWithEnv(
        { QODER_STREAM_TRANSPORT: pooled ? 'pooled' : undefined },
        { baseURL: emu.baseUrl, accessToken: emu.accessToken, caCerts: emu.caPath, maxRetries: 0, ...extra },
      );
      clients.push(c);
      return c;
    }
    const mkPooled = (extra = {}) => mk(extra, { pooled: true });
    /** A client with no trust option at all. */
    function untrusting(extra = {}) {
      const c = new Client({ baseURL: emu.baseUrl, accessToken: emu.accessToken, maxRetries: 0, ...extra });
      clients.push(c);
      return c;
    }
    async function openStreams() {
      return (await emu.stats()).streams.open;
    }

    // -- 1. Calls, a streamed turn, runTurn ------------------------------------------------------

    test('calls (create, retrieve, list with for-await auto-pagination) negotiate the expected protocol', async () => {
      const c = mk();
      const s0 = await emu.stats();
      const names = [uniq('tls-a'), uniq('tls-b'), uniq('tls-c')];
      const ids = [];
      for (const name of names) {
        const a = await c.agents.create({ name, model: 'auto' });
        assert.match(a.id, /^agent_/);
        assert.equal(a.name, name);
        ids.push(a.id);
      }
      const got = await c.agents.retrieve(ids[1]);
      assert.equal(got.id, ids[1]);
      assert.equal(got.name, names[1]);
      const listed = [];
      for await (const a of c.agents.list({ limit: 1 })) listed.push(a.id);
      for (const id of ids) assert.ok(listed.includes(id), `${id} listed`);
      assert.equal(new Set(listed).size, listed.length, 'no agent listed twice across pages');
      const s1 = await emu.stats();
      assert.ok(routeCount(s1, 'GET /agents') - routeCount(s0, 'GET /agents') >= 3, 'one request per page of one');
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), 3);
      assert.ok(alpnGrowth(s0, s1, mode.calls) >= 1, `ALPN ${mode.calls} not negotiated: ${JSON.stringify(s1.connections)}`);
      assert.equal(alpnGrowth(s0, s1, mode.other), 0, `calls negotiated ${mode.other}: ${JSON.stringify(s1.connections)}`);
      assert.ok(s1.connections.tls_handshakes > s0.connections.tls_handshakes, 'the calls were TLS connections');
      assert.equal(s1.connections.tls_handshake_failures - s0.connections.tls_handshake_failures, 0);
    });

    for (const pooled of [false, true]) {
      // Default: streams take HTTP/1.1 connections of their own; pooled: the calls' protocol.
      const streams = mode.calls; // ALPN's choice, on connections of their own unless pooled
      const how = pooled ? 'pooled streams (QODER_STREAM_TRANSPORT=pooled)' : 'streams on connections of their own';
      test(`a streamed turn and runTurn, ${how}: streams negotiate ${streams}`, async () => {
        const c = pooled ? mkPooled() : mk();
        const s0 = await emu.stats();
        const { session } = await newSession(c);
        const msg = await say(c, session.id, 'hello over TLS');
        assert.equal(msg.type, 'user.message');
        const stream = c.sessions.events.stream(session.id, { lastEventId: msg.id });
        assert.ok(stream instanceof Q.Stream);
        const events = await readUntil(stream, isIdle);
        const types = events.map((e) => e.type);
        assert.ok(!events.some((e) => e.id === msg.id), 'the stream started after the sent event');
        const running = types.indexOf('session.status_running');
        assert.ok(running >= 0, `no session.status_running: ${types}`);
        assert.ok(running < types.indexOf('agent.message'), `${types}`);
        assert.equal(types[types.length - 1], 'session.status_idle');
        const reply = events.find((e) => e.type === 'agent.message');
        assert.equal(reply.content.map((b) => b.text).join(''), 'Echo: hello over TLS');
        assert.equal(stream.closed, true, 'break closed the stream');

        const turn = await c.sessions.runTurn(session.id, 'second over TLS');
        assert.equal(turn.text, 'Echo: second over TLS');
        assert.deepEqual(turn.stopReason, { type: 'end_turn' });
        assert.equal(turn.events[turn.events.length - 1].type, 'session.status_idle');
        assert.ok(!turn.events.some((e) => events.some((x) => x.id === e.id)), 'runTurn saw only its own turn');

        await waitFor(async () => (await openStreams()) === s0.streams.open, 'the turn streams to close');
        const s1 = await emu.stats();
        assert.ok(s1.streams.total - s0.streams.total >= 2, 'both turns were streamed');
        const conns = JSON.stringify(s1.connections);
        assert.ok(alpnGrowth(s0, s1, mode.calls) >= 1, `the new client's calls did not negotiate ${mode.calls}: ${conns}`);
        assert.ok(alpnGrowth(s0, s1, streams) >= 1, `streams did not negotiate ${streams}: ${conns}`);
        for (const p of ['h2', 'http/1.1']) {
          if (p !== mode.calls && p !== streams) assert.equal(alpnGrowth(s0, s1, p), 0, `${p} appeared: ${conns}`);
        }
        assert.equal(s1.connections.tls_handshake_failures - s0.connections.tls_handshake_failures, 0);
      });
    }

    // -- 2. Resume under drops ---------------------------------------------------------------------

    let burst = null;
    /** One session holding a 300-message burst, and its persisted ids (auto-paged list). */
    function burstSession() {
      if (burst === null) {
        burst = (async () => {
          const c = mk();
          const { session } = await newSession(c);
          const turn = await c.sessions.runTurn(session.id, '[[burst 300 size=20-200]]');
          assert.deepEqual(turn.stopReason, { type: 'end_turn' });
          const before = routeCount(await emu.stats(), 'GET /sessions/{session_id}/events');
          const ids = await listIds(c, session.id);
          const pages = routeCount(await emu.stats(), 'GET /sessions/{session_id}/events') - before;
          assert.ok(ids.length > 300, `${ids.length} events`);
          assert.ok(pages >= 4, `the list was auto-paged (${pages} pages)`);
          assert.equal(new Set(ids).size, ids.length);
          return { sid: session.id, ids };
        })();
      }
      return burst;
    }

    for (const pooled of [false, true]) {
      const streams = mode.calls; // ALPN's choice, on connections of their own unless pooled
      test(`resume under drops every 3 events (${pooled ? 'pooled streams' : 'streams on connections of their own'}, ${streams}): every persisted event exactly once, in order`, { timeout: 150000 }, async () => {
        const { sid, ids } = await burstSession();
        const c = pooled ? mkPooled() : mk();
        const s0 = await emu.stats();
        const stream = c.sessions.events.stream(sid, faultHeaders('stream-drop-after=3'));
        const got = [];
        const seen = new Set();
        for await (const ev of stream) {
          assert.equal(typeof ev.id, 'string', `an event without id: ${ev.type}`);
          if (seen.has(ev.id)) assert.fail(`event ${ev.id} delivered twice (position ${got.length})`);
          seen.add(ev.id);
          got.push(ev.id);
          if (got.length === ids.length) break;
        }
        assert.deepEqual(got, ids, 'same ids, same order as the list endpoint');
        const minReconnects = Math.floor(ids.length / 3) - 1;
        assert.ok(stream.reconnects >= minReconnects, `${stream.reconnects} reconnects < ${minReconnects}`);
        assert.equal(stream.lastEventId, ids[ids.length - 1]);
        await waitFor(async () => (await openStreams()) === s0.streams.open, 'the stream connection to close');
        const s1 = await emu.stats();
        assert.ok(s1.faults_injected - s0.faults_injected >= minReconnects, 'the drops were injected');
        assert.ok(s1.streams.total - s0.streams.total >= minReconnects + 1, 'one stream request per connection');
        const conns = JSON.stringify(s1.connections);
        assert.ok(alpnGrowth(s0, s1, streams) >= 1, `ALPN ${streams} not negotiated: ${conns}`);
        for (const p of ['h2', 'http/1.1']) {
          if (p !== streams) assert.equal(alpnGrowth(s0, s1, p), 0, `${p} appeared: ${conns}`);
        }
        // The last connection drops right after the last event, so a reconnect may be mid-handshake
        // when the loop breaks; cutting it is the only handshake allowed to fail.
        const failed = s1.connections.tls_handshake_failures - s0.connections.tls_handshake_failures;
        assert.ok(failed <= 1, `${failed} TLS handshakes failed: ${conns}`);
      });
    }

    // -- 3. Retries and idempotency ----------------------------------------------------------------

    test('a 503 on a create is retried: exactly one object, the retry re-executes; a lost response is replayed', async () => {
      const c = mk({ maxRetries: 2 });
      // Without retries the 503 surfaces and nothing is created.
      let s0 = await emu.stats();
      await assert.rejects(mk().agents.create({ name: uniq('tls-503'), model: 'auto' }, faultHeaders('status=503;count=1')), (e) => {
        assert.ok(e instanceof InternalServerError, `${e.constructor.name}: ${e.message}`);
        assert.equal(e.status, 503);
        return true;
      });
      let s1 = await emu.stats();
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), 0);

      // status=503;count=1: the first attempt fails, the retry (same Idempotency-Key) creates.
      s0 = s1;
      const name = uniq('tls-retry');
      const a = await c.agents.create({ name, model: 'auto' }, faultHeaders('status=503;count=1;retry-after-ms=1'));
      assert.match(a.id, /^agent_/);
      s1 = await emu.stats();
      assert.equal(routeCount(s1, 'POST /agents') - routeCount(s0, 'POST /agents'), 2, 'the failed attempt and one retry');
      assert.equal(s1.faults_injected - s0.faults_injected, 1);
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), 1, 'exactly one agent');
      // A 5xx is not stored under the key (emulator/src/idempotency.rs), so the retry re-executed
      // rather than replayed.
      assert.equal(s1.idempotent_replays - s0.idempotent_replays, 0);
      const named = [];
      for await (const x of c.agents.list({ limit: 100 })) if (x.name === name) named.push(x.id);
      assert.deepEqual(named, [a.id], 'one agent of that name');

      // A lost response: the retry is answered from the idempotency store (a replay), no second agent.
      s0 = await emu.stats();
      const b = await c.agents.create({ name: uniq('tls-lost'), model: 'auto' }, faultHeaders('drop-response;count=1'));
      s1 = await emu.stats();
      assert.match(b.id, /^agent_/);
      assert.equal(routeCount(s1, 'POST /agents') - routeCount(s0, 'POST /agents'), 2);
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), 1, 'exactly one agent');
      assert.equal(s1.idempotent_replays - s0.idempotent_replays, 1, 'the retry was a replay');

      // The same explicit key twice: one agent, the second call a replay of the first.
      s0 = s1;
      const key = uniq('tls-key');
      const body = { name: uniq('tls-keyed'), model: 'auto' };
      const k1 = await c.agents.create(body, { idempotencyKey: key });
      const k2 = await c.agents.create(body, { idempotencyKey: key });
      assert.equal(k2.id, k1.id);
      s1 = await emu.stats();
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), 1);
      assert.equal(s1.idempotent_replays - s0.idempotent_replays, 1);
    });

    // -- 4. Cancellation ---------------------------------------------------------------------------

    for (const pooled of [false, true]) {
      test(`cancelling a stream that waits on a silent https connection settles promptly and closes it (${pooled ? 'pooled' : 'own connection'})`, { timeout: 60000 }, async () => {
        const c = pooled ? mkPooled() : mk();
        const { session } = await newSession(c);
        const turn = await c.sessions.runTurn(session.id, 'then silence');
        const last = turn.events[turn.events.length - 1].id;
        await waitFor(async () => (await openStreams()) === 0, 'the turn stream to close');
        const base = await openStreams();

        // (a) AbortSignal while next() waits on the silent stream.
        const ctl = new AbortController();
        const s = c.sessions.events.stream(session.id, { lastEventId: last, signal: ctl.signal });
        let settled = false;
        const pending = s.next();
        pending.then(
          () => (settled = true),
          () => (settled = true),
        );
        await waitFor(async () => (await openStreams()) === base + 1, 'the stream to connect');
        assert.equal(settled, false, 'nothing arrives on an idle session');
        let t0 = Date.now();
        ctl.abort();
        await assert.rejects(pending, (e) => {
          assert.ok(e instanceof APIUserAbortError, `${e.constructor.name}: ${e.message}`);
          return true;
        });
        assert.ok(Date.now() - t0 < PROMPT_MS, `settled after ${Date.now() - t0} ms`);
        assert.equal(s.closed, true);
        await assert.rejects(s.next(), APIUserAbortError);
        await waitFor(async () => (await openStreams()) === base, 'the aborted stream to close on the server');

        // (b) AbortSignal while a for-await loop waits inside the stream.
        const ctl2 = new AbortController();
        const s2 = c.sessions.events.stream(session.id, { lastEventId: last, signal: ctl2.signal });
        const got = [];
        const loop = (async () => {
          for await (const e of s2) got.push(e);
        })();
        await waitFor(async () => (await openStreams()) === base + 1, 'the looped stream to connect');
        t0 = Date.now();
        ctl2.abort();
        await assert.rejects(loop, APIUserAbortError);
        assert.ok(Date.now() - t0 < PROMPT_MS, `settled after ${Date.now() - t0} ms`);
        assert.deepEqual(got, []);
        await waitFor(async () => (await openStreams()) === base, 'the aborted loop stream to close');

        // (c) break out of for-await once history is read and the connection waits for more.
        const s3 = c.sessions.events.stream(session.id);
        let n = 0;
        for await (const e of s3) {
          n++;
          if (e.id === last) {
            await waitFor(async () => (await openStreams()) === base + 1, 'the history stream to be open');
            break;
          }
        }
        assert.ok(n >= turn.events.length, `${n} events before the break`);
        assert.equal(s3.closed, true);
        await waitFor(async () => (await openStreams()) === base, 'the broken-out stream to close');

        // (d) close() while next() waits: resolves done at once.
        const s4 = c.sessions.events.stream(session.id, { lastEventId: last });
        const p4 = s4.next();
        await waitFor(async () => (await openStreams()) === base + 1, 'the fourth stream to connect');
        t0 = Date.now();
        s4.close();
        assert.deepEqual(await p4, { value: undefined, done: true });
        assert.ok(Date.now() - t0 < PROMPT_MS, `settled after ${Date.now() - t0} ms`);
        await waitFor(async () => (await openStreams()) === base, 'the closed stream to close on the server');
      });
    }

    // -- 5. Trust ----------------------------------------------------------------------------------

    test('without caCerts the private CA is rejected: APIConnectionError naming the certificate, nothing created', async () => {
      const c = untrusting();
      const s0 = await emu.stats();
      await assert.rejects(c.agents.create({ name: uniq('tls-untrusted'), model: 'auto' }), (e) => {
        assert.ok(e instanceof APIConnectionError, `${e.constructor.name}: ${e.message}`);
        assert.ok(!(e instanceof APITimeoutError), 'a verification failure, not a timeout');
        assert.equal(e.kind, 'connection');
        assert.match(e.message, /certificate/i, 'the error names the certificate problem');
        return true;
      });
      // A stream fails the same way (no reconnect attempts: the first failure surfaces).
      await assert.rejects(c.sessions.events.stream('sess_00000000000000000000000000000000', { maxReconnectAttempts: 0 }).next(), (e) => {
        assert.ok(e instanceof APIConnectionError, `${e.constructor.name}: ${e.message}`);
        assert.match(e.message, /certificate/i);
        return true;
      });
      const s1 = await emu.stats();
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), 0, 'nothing created');
      assert.equal(s1.requests_total - s0.requests_total, 0, 'no request got through');
      assert.ok(s1.connections.tls_handshake_failures - s0.connections.tls_handshake_failures >= 1, 'the emulator saw the failed handshake');
    });

    test('caCerts as a path, PEM text, a Buffer, a Uint8Array or an array: all trust the CA', async () => {
      const other = clientIdentity().certPem; // an unrelated (self-signed) certificate
      const otherPath = path.join(dir, 'other.pem');
      fs.writeFileSync(otherPath, other);
      const copy = path.join(dir, 'ca copy.pem');
      fs.writeFileSync(copy, caPem);
      const FORMS = [
        ['a path string', emu.caPath],
        ['a path with a space', copy],
        ['PEM text', caPem],
        ['a Buffer', Buffer.from(caPem)],
        ['a Uint8Array', new Uint8Array(Buffer.from(caPem))],
        ['an array (other PEM, CA path)', [other, emu.caPath]],
        ['an array (other path, CA Buffer, CA PEM)', [otherPath, Buffer.from(caPem), caPem]],
      ];
      const s0 = await emu.stats();
      for (const [form, caCerts] of FORMS) {
        const c = mk({ caCerts });
        const a = await c.agents.create({ name: uniq('tls-trust'), model: 'auto' }).catch((e) => assert.fail(`caCerts as ${form}: ${e.constructor.name}: ${e.message}`));
        assert.match(a.id, /^agent_/, form);
      }
      const s1 = await emu.stats();
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), FORMS.length);
      // The unrelated certificate alone does not trust the emulator.
      await assert.rejects(mk({ caCerts: [other] }).agents.list(), (e) => e instanceof APIConnectionError && /certificate/i.test(e.message));
    });

    test('NODE_EXTRA_CA_CERTS and SSL_CERT_FILE (read when the Client is constructed) trust the CA with no option', async () => {
      for (const name of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE']) {
        const c = await withEnv({ [name]: emu.caPath }, async () => {
          const client = untrusting();
          const a = await client.agents.create({ name: uniq(`tls-${name}`), model: 'auto' }).catch((e) => assert.fail(`${name}: ${e.constructor.name}: ${e.message}`));
          assert.match(a.id, /^agent_/);
          return client;
        });
        // The variable is restored; the client keeps the trust it was built with...
        assert.notEqual(process.env[name], emu.caPath, `${name} restored`);
        await c.agents.list().catch((e) => assert.fail(`${name}, after restoring: ${e.message}`));
        // ...and a client built now does not trust the CA: the variable was what trusted it.
        await assert.rejects(untrusting().agents.list(), (e) => e instanceof APIConnectionError && /certificate/i.test(e.message), name);
      }
      // A NODE_EXTRA_CA_CERTS naming a missing file is an argument error naming the variable.
      const missing = path.join(dir, 'no-such-ca.pem');
      await withEnv({ NODE_EXTRA_CA_CERTS: missing }, async () => {
        assert.throws(
          () => untrusting(),
          (e) => e instanceof InvalidArgumentError && e.param === 'NODE_EXTRA_CA_CERTS' && e.message.includes(missing),
        );
      });
    });

    test('dangerAcceptInvalidCerts: true works without the CA and logs exactly one warning record', async () => {
      const records = [];
      const logger = {};
      for (const level of ['debug', 'info', 'warn', 'error']) logger[level] = (text, record) => records.push({ level, text, record });
      const c = untrusting({ dangerAcceptInvalidCerts: true, logLevel: 'warn', logger });
      const s0 = await emu.stats();
      await c.agents.create({ name: uniq('tls-insecure'), model: 'auto' });
      for (let i = 0; i < 3; i++) await c.agents.list({ limit: 1 });
      const { session } = await newSession(c);
      await c.sessions.runTurn(session.id, 'unverified turn');
      const s1 = await emu.stats();
      assert.equal(created(s1, 'agent') - created(s0, 'agent'), 2);
      assert.equal(records.length, 1, `records: ${JSON.stringify(records)}`);
      const [r] = records;
      assert.equal(r.level, 'warn');
      assert.equal(r.record.event, 'insecure');
      assert.equal(r.record.level, 'warn');
      assert.match(r.record.message, /verification is OFF/);
      assert.match(r.text, /^\[qoder-cloud\] /);
      assert.ok(!r.text.includes(emu.accessToken), 'the warning does not show the token');

      // A verified client with the same logger says nothing.
      const quiet = [];
      const v = mk({ logLevel: 'warn', logger: { debug() {}, info() {}, warn: (t) => quiet.push(t), error: (t) => quiet.push(t) } });
      for (let i = 0; i < 3; i++) await v.agents.list({ limit: 1 });
      assert.deepEqual(quiet, []);
      // Not a boolean: a TypeError naming the option.
      assert.throws(() => untrusting({ dangerAcceptInvalidCerts: 'yes' }), (e) => e instanceof TypeError && e.param === 'dangerAcceptInvalidCerts');
    });

    test('bad trust and proxy values: TypeError for JS types, InvalidArgumentError from the core, each naming the parameter', () => {
      const missing = path.join(dir, 'missing-ca.pem');
      // [case, options, class, param, text the message must contain]
      const CASES = [
        ['caCerts: 123', { caCerts: 123 }, TypeError, 'caCerts', 'caCerts'],
        ['caCerts: {}', { caCerts: {} }, TypeError, 'caCerts', 'caCerts'],
        ['caCerts[1]: 5', { caCerts: [emu.caPath, 5] }, TypeError, 'caCerts', 'caCerts[1]'],
        ['caCerts: a missing file', { caCerts: missing }, InvalidArgumentError, 'ca_certs', missing],
        ['caCerts: PEM without a certificate', { caCerts: '-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----\n' }, InvalidArgumentError, 'ca_certs', 'no CERTIFICATE block'],
        ['proxy: ftp://x', { proxy: 'ftp://x' }, InvalidArgumentError, 'proxy', 'ftp://x'],
        ['proxy: not a URL', { proxy: 'not a url' }, InvalidArgumentError, 'proxy', 'proxy'],
        ['proxy: 5', { proxy: 5 }, TypeError, 'proxy', 'proxy'],
        ['only clientCert', { clientCert: emu.caPath }, InvalidArgumentError, 'client_cert', 'client_key'],
        ['only clientKey', { clientKey: clientIdentity().keyPem }, InvalidArgumentError, 'client_cert', 'client_cert'],
        ['clientCert: 123', { clientCert: 123, clientKey: clientIdentity().keyPem }, TypeError, 'clientCert', 'clientCert'],
        ['clientKey: true', { clientCert: emu.caPath, clientKey: true }, TypeError, 'clientKey', 'clientKey'],
        ['clientCert: a missing file', { clientCert: missing, clientKey: clientIdentity().keyPem }, InvalidArgumentError, 'client_cert', missing],
      ];
      for (const [name, options, Cls, param, text] of CASES) {
        assert.throws(
          () => mk(options),
          (e) => {
            assert.ok(e instanceof Cls, `${name}: got ${e.constructor.name}: ${e.message}`);
            // JS type mistakes are InvalidArgumentError too (a TypeError and a QoderError), as in Python.
            if (Cls === TypeError) assert.ok(e instanceof QoderError && e.kind === 'invalid_argument', `${name}: an InvalidArgumentError`);
            else assert.equal(e.kind, 'invalid_argument', name);
            assert.equal(e.param, param, `${name}: param`);
            assert.ok(e.message.includes(text), `${name}: "${e.message}" does not mention ${text}`);
            return true;
          },
          name,
        );
      }
    });

    test('an explicit proxy carries https calls and streams: the proxy is asked for a CONNECT tunnel', { timeout: 60000 }, async () => {
      const proxy = await recordingProxy();
      try {
        // NO_PROXY would let loopback bypass the proxy; it is read when the client is built.
        const c = await withEnv({ NO_PROXY: undefined, no_proxy: undefined }, async () => mk({ proxy: proxy.url }));
        const s0 = await emu.stats();
        await assert.rejects(c.agents.list(), (e) => {
          assert.ok(e instanceof APIConnectionError, `${e.constructor.name}: ${e.message}`);
          return true;
        });
        assert.ok(proxy.lines.length >= 1, 'the proxy saw the call');
        assert.ok(proxy.lines[0].startsWith(`CONNECT 127.0.0.1:${emuPort} `), `first line: ${JSON.stringify(proxy.lines[0])}`);
        const calls = proxy.lines.length;
        await assert.rejects(c.sessions.events.stream('sess_00000000000000000000000000000000', { maxReconnectAttempts: 0 }).next(), APIConnectionError);
        const later = proxy.lines.slice(calls);
        assert.ok(later.some((l) => l.startsWith(`CONNECT 127.0.0.1:${emuPort} `)), `the stream did not use the proxy: ${JSON.stringify(proxy.lines)}`);
        const s1 = await emu.stats();
        assert.equal(s1.requests_total - s0.requests_total, 0, 'a request bypassed the proxy');
      } finally {
        await proxy.close();
      }
    });

    // -- 6. Secrets --------------------------------------------------------------------------------

    test('a client key that is PEM but not a key: the error never shows the key text', () => {
      for (const [form, clientKey] of [
        ['PEM text', INVALID_KEY],
        ['a Buffer', Buffer.from(INVALID_KEY)],
      ]) {
        let err = null;
        try {
          mk({ clientCert: emu.caPath, clientKey });
        } catch (e) {
          err = e;
        }
        assert.ok(err !== null, `${form}: an invalid key was accepted`);
        const text = textsOf(err);
        assert.ok(!text.includes(KEY_BODY), `${form}: the key leaked: ${text}`);
        assert.ok(!text.includes('PRIVATE KEY-----\n'), `${form}: PEM text leaked: ${text}`);
      }
      // Other argument errors raised next to a key do not show it either.
      const { certPem, keyPem } = clientIdentity();
      for (const options of [{ clientKey: INVALID_KEY }, { clientCert: certPem, clientKey: keyPem, proxy: 'ftp://x' }, { clientCert: certPem, clientKey: keyPem, caCerts: path.join(dir, 'missing.pem') }]) {
        assert.throws(
          () => mk(options),
          (e) => {
            const text = textsOf(e);
            assert.ok(e instanceof InvalidArgumentError, `${e.constructor.name}: ${e.message}`);
            assert.ok(!text.includes(KEY_BODY) && !pemBody(keyPem).some((l) => text.includes(l)), `the key leaked: ${text}`);
            return true;
          },
        );
      }
    });

    test('a client key that is PEM but not a key is an InvalidArgumentError naming client_cert/client_key', () => {
      // Like a key that does not match its certificate: both are bad arguments, not connection errors.
      const mismatched = clientIdentity().keyPem; // a valid key, but the CA certificate is not its certificate
      const problems = [];
      for (const [form, clientKey] of [
        ['garbage DER in a PRIVATE KEY block', INVALID_KEY],
        ['a valid key for another certificate', mismatched],
      ]) {
        let err = null;
        try {
          mk({ clientCert: emu.caPath, clientKey });
        } catch (e) {
          err = e;
        }
        if (err === null) problems.push(`${form}: accepted`);
        else if (!(err instanceof InvalidArgumentError) || !['client_cert', 'client_key'].includes(err.param)) {
          problems.push(`${form}: got ${err.constructor.name} (kind ${err.kind}, param ${err.param}): ${err.message}`);
        }
      }
      assert.deepEqual(problems, [], problems.join('\n'));
    });

    test('a client identity never shows in util.inspect(client), call errors or log records', async () => {
      const { certPem, keyPem } = clientIdentity();
      const body = pemBody(keyPem);
      assert.ok(body.length >= 2);
      const records = [];
      const sink = (text, record) => records.push(`${text} ${JSON.stringify(record)}`);
      for (const [form, clientKey] of [
        ['PEM text', keyPem],
        ['a Buffer', Buffer.from(keyPem)],
      ]) {
        const c = mk({ clientCert: certPem, clientKey, logLevel: 'debug', logger: { debug: sink, info: sink, warn: sink, error: sink } });
        for (const shown of [util.inspect(c), util.inspect(c, { depth: Infinity, showHidden: true }), String(c), JSON.stringify(c) || '']) {
          assert.ok(!body.some((l) => shown.includes(l)), `${form}: the key leaked: ${shown}`);
        }
        // The identity does not get in the way of calls (the emulator asks for no certificate).
        const a = await c.agents.create({ name: uniq('tls-mtls'), model: 'auto' });
        assert.match(a.id, /^agent_/);
        await assert.rejects(c.agents.retrieve('agent_00000000000000000000000000000000'), (e) => {
          assert.ok(e instanceof NotFoundError, e.constructor.name);
          const text = textsOf(e);
          assert.ok(!body.some((l) => text.includes(l)), `${form}: the key leaked: ${text}`);
          return true;
        });
      }
      assert.ok(records.length > 0, 'debug records were logged');
      const logged = records.join('\n');
      assert.ok(!body.some((l) => logged.includes(l)), `the key leaked into the log: ${logged}`);
    });
  });
}

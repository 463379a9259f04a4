'use strict';
// The public test helpers `qoder-cloud/testing` (testing.js): lifecycle, the Client factory, the
// control endpoints, option validation, startup failures, the ESM entry, and that no emulator
// outlives its host process (closed, forgotten or SIGKILLed). The stand-in binaries are sh scripts,
// so this file runs on POSIX systems (as the test command does); there it never skips.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { startEmulator, DEFAULT_ACCESS_TOKEN } = require('../testing');
const { APIConnectionError, APIError, AuthenticationError, EmulatorStartupError, InvalidArgumentError, NotFoundError } = require('../index');
const { waitFor } = require('./helpers/emulator');

const PKG_DIR = path.join(__dirname, '..');
const CHILD_LIMIT_MS = 60000;

/** True while `pid` is a live (non-zombie) process. */
function isRunning(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code === 'ESRCH') return false;
    throw e;
  }
  if (process.platform === 'linux') {
    // A zombie answers kill(0) until its parent reaps it; for us it is gone.
    try {
      return !/^\d+ \(.*\) Z /s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }
  return true;
}

/** Resolves with the error of a fresh connection to `origin` (or null if one was accepted). */
function connectError(origin) {
  return new Promise((resolve) => {
    const req = http.get(`${origin}/_emulator/health`, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(null);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', resolve);
  });
}

/** Runs `node args...` with a hard time limit; resolves with its exit and output. */
function runNode(args, { cwd, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

/** Runs `fn` with env QODER_EMULATOR_BIN set to `bin`, restoring it afterwards. */
async function withEmulatorBin(bin, fn) {
  const saved = process.env.QODER_EMULATOR_BIN;
  process.env.QODER_EMULATOR_BIN = bin;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.QODER_EMULATOR_BIN;
    else process.env.QODER_EMULATOR_BIN = saved;
  }
}

function tmpDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qoder-testing-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('startEmulator resolves a running emulator; close() stops it and frees the port', async () => {
  const emu = await startEmulator();
  assert.ok(Number.isInteger(emu.pid) && emu.pid > 0);
  assert.ok(isRunning(emu.pid), 'the emulator runs');
  assert.equal(await connectError(emu.origin), null, 'the emulator accepts connections');

  const closing = emu.close();
  assert.equal(emu.close(), closing, 'close() is idempotent (one shared Promise)');
  await closing;
  assert.equal(isRunning(emu.pid), false, 'the process is gone once close() resolved');
  const err = await connectError(emu.origin);
  assert.ok(err, 'a connection after close() must fail');
  assert.equal(err.code, 'ECONNREFUSED');
  await emu.close();
});

test('baseUrl, origin and accessToken have the documented shape', async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.close());
  assert.match(emu.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/cloud$/);
  assert.equal(emu.origin, new URL(emu.baseUrl).origin);
  assert.equal(emu.accessToken, DEFAULT_ACCESS_TOKEN);
  assert.equal(DEFAULT_ACCESS_TOKEN, 'pt-qoder-emulator');

  const custom = await startEmulator({ prefix: '/custom/v9' });
  t.after(() => custom.close());
  assert.match(custom.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/custom\/v9$/);
});

test('client() round trip: create an agent, list it, retrieve it', async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.close());
  const client = emu.client({ maxRetries: 0 });
  t.after(() => client.close());
  assert.equal(client.baseURL, emu.baseUrl);

  const agent = await client.agents.create({ name: 'round-trip', model: 'auto' });
  assert.match(agent.id, /^agent_[0-9a-f]{32}$/);
  const page = await client.agents.list();
  assert.deepEqual(
    page.data.map((a) => a.id),
    [agent.id],
  );
  assert.equal((await client.agents.retrieve(agent.id)).name, 'round-trip');
});

test('tokens: client() uses tokens[0]; other tokens are refused; accessToken overrides', async (t) => {
  const emu = await startEmulator({ tokens: ['tok-one', 'tok-two'] });
  t.after(() => emu.close());
  assert.equal(emu.accessToken, 'tok-one');
  const ok = emu.client({ maxRetries: 0 });
  const bad = emu.client({ maxRetries: 0, accessToken: 'tok-other' });
  t.after(() => {
    ok.close();
    bad.close();
  });
  await ok.agents.list();
  await assert.rejects(bad.agents.list(), AuthenticationError);

  const forbidden = await startEmulator({ forbiddenTokens: ['tok-403'], accessToken: 'tok-403' });
  t.after(() => forbidden.close());
  assert.equal(forbidden.accessToken, 'tok-403');
  const c = forbidden.client({ maxRetries: 0 });
  t.after(() => c.close());
  await assert.rejects(c.agents.list(), (e) => e instanceof APIError && e.status === 403);
});

test('setFault makes exactly the next matching call fail as specified; null clears it', async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.close());
  const client = emu.client({ maxRetries: 0 });
  t.after(() => client.close());

  await emu.setFault('status=503;count=1;method=GET;path=/agents;message=injected by the test');
  await assert.rejects(client.agents.list(), (e) => {
    assert.ok(e instanceof APIError, `${e}`);
    assert.equal(e.status, 503);
    assert.match(e.message, /injected by the test/);
    return true;
  });
  // count=1: the fault is spent, the next call goes through.
  await client.agents.list();
  assert.equal((await emu.stats()).faults_injected, 1);

  // Without count every matching call fails until the fault is cleared.
  await emu.setFault('status=503;method=GET');
  await assert.rejects(client.agents.list(), (e) => e.status === 503);
  await assert.rejects(client.agents.list(), (e) => e.status === 503);
  await emu.setFault(null);
  await client.agents.list();
});

test('an invalid fault spec rejects with the emulator message; a non-string throws', async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.close());
  await assert.rejects(emu.setFault('nope=1'), (e) => {
    assert.ok(e instanceof InvalidArgumentError, String(e));
    assert.equal(e.param, 'spec');
    assert.match(e.message, /Invalid fault spec: .*nope/);
    return true;
  });
  assert.throws(() => emu.setFault(503), (e) => e instanceof TypeError && e.param === 'spec');
  assert.throws(() => emu.setFault(), TypeError);
});

test('stats() counts API requests per route', async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.close());
  const client = emu.client({ maxRetries: 0 });
  t.after(() => client.close());
  const before = await emu.stats();
  assert.equal(before.requests_total, 0);

  const agent = await client.agents.create({ name: 's', model: 'auto' });
  await client.agents.retrieve(agent.id);
  await client.agents.retrieve(agent.id);
  const s = await emu.stats();
  assert.equal(s.requests['POST /agents'], 1);
  assert.equal(s.requests['GET /agents/{agent_id}'], 2);
  assert.equal(s.requests_total, 3);
  assert.equal(s.objects_created.agent, 1);
});

test('reset() drops every object and counter', async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.close());
  const client = emu.client({ maxRetries: 0 });
  t.after(() => client.close());
  const agent = await client.agents.create({ name: 'gone-soon', model: 'auto' });

  await emu.reset();
  assert.equal((await emu.stats()).requests_total, 0);
  await assert.rejects(client.agents.retrieve(agent.id), NotFoundError);
  assert.deepEqual((await client.agents.list()).data, []);
});

test('advanceClock() moves the emulator clock; bad values throw', async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.close());
  const a = await emu.advanceClock(0);
  const b = await emu.advanceClock(86400.5);
  assert.equal(b.offset_seconds - a.offset_seconds, 86400.5);
  assert.ok(Date.parse(b.now) - Date.parse(a.now) >= 86400500);
  await assert.rejects(emu.advanceClock(-1), (e) => e instanceof InvalidArgumentError && e.param === 'seconds');
  assert.throws(() => emu.advanceClock('1'), (e) => e instanceof InvalidArgumentError && e.param === 'seconds');
  await assert.rejects(emu.advanceClock(Infinity), InvalidArgumentError);
});

test('invalid options throw synchronously, naming the option', () => {
  // Checked by the core (shared with Python); every one is an InvalidArgumentError.
  const cases = [
    [{ port: 4010 }, 'port', /unknown emulator option `port`/],
    [{ region: 'eu' }, 'region'],
    [{ host: 7 }, 'host'],
    [{ prefix: 5 }, 'prefix'],
    [{ maxBodyBytes: -1 }, 'maxBodyBytes'],
    [{ keepaliveMs: 0 }, 'keepaliveMs'],
    [{ turnDelayMs: 1.5 }, 'turnDelayMs'],
    [{ fault: '' }, 'fault'],
    [{ h2MaxStreams: 'lots' }, 'h2MaxStreams'],
    [{ h2MaxStreams: 0 }, 'h2MaxStreams'],
    [{ tokens: 'abc' }, 'tokens'],
    [{ tokens: [] }, 'tokens'],
    [{ tokens: ['a', 1] }, 'tokens[1]'],
    [{ forbiddenTokens: [''] }, 'forbiddenTokens[0]'],
    [{ tls: 'yes' }, 'tls'],
    [{ extraArgs: '--x' }, 'extraArgs'],
    [{ startupTimeout: 0 }, 'startupTimeout'],
    [{ startupTimeout: 2 ** 31 }, 'startupTimeout'],
    [{ accessToken: 5 }, 'accessToken'],
    ['fast', 'options'],
  ];
  for (const [options, param, re] of cases) {
    assert.throws(
      () => startEmulator(options),
      (e) => {
        assert.ok(e instanceof InvalidArgumentError && e instanceof TypeError, `${JSON.stringify(options)}: ${e}`);
        assert.equal(e.param, param);
        assert.ok(e.message.includes(`\`${param}\``), e.message);
        if (re) assert.match(e.message, re);
        return true;
      },
      JSON.stringify(options),
    );
  }
});

test('options reach the emulator: a bad fault spec or flag rejects with its stderr', async () => {
  await assert.rejects(startEmulator({ fault: 'nope=1' }), (e) => {
    assert.ok(e instanceof EmulatorStartupError, String(e));
    assert.match(e.message, /exited with status 2 before listening/);
    assert.match(e.message, /--fault: .*nope/);
    return true;
  });
  await assert.rejects(startEmulator({ extraArgs: ['--bogus-flag'] }), /unknown argument '--bogus-flag'/);
  // Flags that parse: the emulator starts and behaves accordingly.
  // (`undefined` means "not given".)
  const emu = await startEmulator({ host: undefined, region: 'global', turnDelayMs: 0, keepaliveMs: 500, h2MaxStreams: 'unlimited', maxBodyBytes: 1024, fault: 'status=503;count=1' });
  try {
    const client = emu.client({ maxRetries: 0 });
    await assert.rejects(client.agents.list(), (e) => e.status === 503);
    await assert.rejects(client.agents.create({ name: 'big', model: 'auto', description: 'x'.repeat(2000) }), /maximum is 1024 bytes/);
    client.close();
  } finally {
    await emu.close();
  }
});

test('every option becomes its emulator flag (tls included)', async (t) => {
  const dir = tmpDir(t);
  const fake = path.join(dir, 'echo-args');
  // Reports its argv on stderr and fails, so the rejection shows exactly what was passed.
  fs.writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do echo "arg<$a>" >&2; done\nexit 3\n', { mode: 0o755 });
  const options = {
    host: '127.0.0.2',
    prefix: '',
    region: 'cn',
    maxBodyBytes: 10,
    keepaliveMs: 20,
    turnDelayMs: 0,
    fault: 'status=503;count=2',
    h2MaxStreams: 7,
    tokens: ['t1', '-t2'],
    forbiddenTokens: ['f1'],
    tls: true,
    extraArgs: ['--x', 'y'],
  };
  const expected = [
    '--port=0', '--exit-on-stdin-close',
    '--host=127.0.0.2', '--prefix=', '--region=cn', '--max-body-bytes=10', '--keepalive-ms=20',
    '--turn-delay-ms=0', '--fault=status=503;count=2', '--h2-max-streams=7',
    '--token=t1', '--token=-t2', '--forbidden-token=f1', '--tls', '--x', 'y',
  ];
  await withEmulatorBin(fake, async () => {
    await assert.rejects(startEmulator(options), (e) => {
      assert.match(e.message, /exited with status 3 before listening/);
      assert.deepEqual([...e.message.matchAll(/arg<(.*)>/g)].map((m) => m[1]), expected);
      return true;
    });
    await assert.rejects(startEmulator({ tls: false, h2MaxStreams: 'unlimited' }), (e) => {
      assert.deepEqual([...e.message.matchAll(/arg<(.*)>/g)].map((m) => m[1]), ['--port=0', '--exit-on-stdin-close', '--h2-max-streams=unlimited']);
      return true;
    });
  });
});

test('a missing binary rejects with a clear error naming the path', async () => {
  const missing = path.join(os.tmpdir(), `no-such-emulator-${process.pid}`);
  await withEmulatorBin(missing, async () => {
    await assert.rejects(startEmulator(), (e) => {
      assert.match(e.message, /cannot start the emulator/);
      assert.ok(e.message.includes(missing), e.message);
      assert.match(e.message, /QODER_EMULATOR_BIN/);
      assert.equal(e.code, 'ENOENT');
      return true;
    });
  });
});

test('a binary that never reports ready is killed after startupTimeout; its stderr is in the error', async (t) => {
  const dir = tmpDir(t);
  const fake = path.join(dir, 'silent-emulator');
  // Says something on stderr, then waits for stdin to close without ever printing "listening".
  fs.writeFileSync(fake, '#!/bin/sh\necho "fake emulator pid $$" >&2\nexec cat >/dev/null\n', { mode: 0o755 });
  let pid;
  await withEmulatorBin(fake, async () => {
    await assert.rejects(startEmulator({ startupTimeout: 1500 }), (e) => {
      assert.ok(e instanceof EmulatorStartupError, String(e));
      assert.match(e.message, /did not report 'listening' within 1\.5 s/);
      const m = /fake emulator pid (\d+)/.exec(e.message);
      assert.ok(m, `stderr missing from: ${e.message}`);
      pid = Number(m[1]);
      return true;
    });
  });
  await waitFor(() => !isRunning(pid), `the silent process ${pid} to be killed`, 10000);
});

test('Symbol.asyncDispose closes the emulator (await using)', async () => {
  const emu = await startEmulator();
  assert.equal(typeof emu[Symbol.asyncDispose], 'function');
  await emu[Symbol.asyncDispose]();
  assert.equal(isRunning(emu.pid), false);
});

test('control calls reject clearly once the emulator died; close() still resolves', async () => {
  const emu = await startEmulator();
  process.kill(emu.pid, 'SIGKILL');
  await waitFor(() => !isRunning(emu.pid), 'the emulator to die', 10000);
  // The `exit` event may trail the process's death by a tick of the event loop.
  await waitFor(
    async () => {
      try {
        await emu.stats();
        return 'stats() still resolved';
      } catch (e) {
        return (e instanceof APIConnectionError && /not running \(it exited with signal: 9/.test(e.message)) || e.message;
      }
    },
    'stats() to report the dead emulator',
    10000,
  );
  await emu.close();
});

test('the ESM entry and the package name resolve `qoder-cloud/testing`', async (t) => {
  const dir = tmpDir(t);
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(PKG_DIR, path.join(dir, 'node_modules', 'qoder-cloud'), 'dir');
  const script = `
    import { startEmulator, DEFAULT_ACCESS_TOKEN } from 'qoder-cloud/testing';
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const cjs = require('qoder-cloud/testing');
    if (cjs.startEmulator !== startEmulator) throw new Error('ESM and CJS exports differ');
    const emu = await startEmulator();
    const client = emu.client({ maxRetries: 0 });
    const agent = await client.agents.create({ name: 'esm', model: 'auto' });
    const got = await client.agents.retrieve(agent.id);
    client.close();
    await emu.close();
    console.log(JSON.stringify({ token: DEFAULT_ACCESS_TOKEN, same: got.id === agent.id }));
  `;
  const r = await runNode(['--input-type=module', '-e', script], { cwd: dir });
  assert.equal(r.signal, null, `killed after ${CHILD_LIMIT_MS} ms; stderr: ${r.err}`);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out.trim()), { token: 'pt-qoder-emulator', same: true });
});

/** Spawns a node child that starts an emulator and prints its pid; resolves once printed. */
async function childWithEmulator(script) {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
  exited.then(() => clearTimeout(killTimer));
  await waitFor(() => /pid (\d+)/.test(out) || child.exitCode !== null || child.signalCode !== null, 'the child to start its emulator', CHILD_LIMIT_MS);
  const m = /pid (\d+)/.exec(out);
  assert.ok(m, `the child did not start an emulator: ${err}`);
  return { child, pid: Number(m[1]), exited, stderr: () => err };
}

const TESTING = JSON.stringify(path.join(PKG_DIR, 'testing.js'));

test('a process killed with SIGKILL leaves no emulator behind', async () => {
  // The child keeps itself alive (the interval) so only the SIGKILL ends it.
  const { child, pid, exited } = await childWithEmulator(
    `require(${TESTING}).startEmulator().then((e) => { console.log('pid ' + e.pid); setInterval(() => {}, 1000); });`,
  );
  assert.ok(isRunning(pid), 'the emulator runs while its host lives');
  child.kill('SIGKILL');
  assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' });
  await waitFor(() => !isRunning(pid), `emulator ${pid} to exit after its host was killed`, 15000);
});

test('a process that forgets close() still exits by itself, and its emulator with it', async () => {
  const { pid, exited, stderr } = await childWithEmulator(
    `require(${TESTING}).startEmulator().then((e) => { console.log('pid ' + e.pid); });`,
  );
  const r = await exited;
  assert.deepEqual(r, { code: 0, signal: null }, `the child was kept alive by the emulator (stderr: ${stderr()})`);
  await waitFor(() => !isRunning(pid), `emulator ${pid} to exit with its host`, 15000);
});

test('testing.d.ts type-checks a typical use and rejects wrong options', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(
    path.join(dir, 'use.ts'),
    `import { startEmulator, DEFAULT_ACCESS_TOKEN, type Emulator, type EmulatorStats, type EmulatorOptions } from 'qoder-cloud/testing';
import { Client } from 'qoder-cloud';
async function main(): Promise<void> {
  const opts: EmulatorOptions = { region: 'cn', tokens: ['a'], h2MaxStreams: 'unlimited', tls: false, startupTimeout: 5000 };
  const emu: Emulator = await startEmulator(opts);
  const client: Client = emu.client({ maxRetries: 0 });
  const stats: EmulatorStats = await emu.stats();
  const n: number = stats.requests_total + stats.connections.open + (stats.requests['POST /agents'] ?? 0);
  const clock = await emu.advanceClock(1);
  const now: string = clock.now;
  await emu.setFault('status=503');
  await emu.setFault(null);
  await emu.reset();
  const url: string = emu.baseUrl + emu.origin + emu.accessToken + DEFAULT_ACCESS_TOKEN;
  await emu[Symbol.asyncDispose]();
  await emu.close();
  void client, n, now, url;
  // @ts-expect-error unknown region
  await startEmulator({ region: 'eu' });
  // @ts-expect-error unknown option
  await startEmulator({ port: 1 });
  // @ts-expect-error spec must be a string or null
  await emu.setFault(503);
  // @ts-expect-error client overrides are ClientOptions
  emu.client({ maxRetries: 'none' });
}
void main;
`,
  );
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        lib: ['es2022'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [path.join(PKG_DIR, 'node_modules', '@types')],
        paths: {
          'qoder-cloud/testing': [path.join(PKG_DIR, 'testing.d.ts')],
          'qoder-cloud': [path.join(PKG_DIR, 'index.d.ts')],
        },
      },
      files: ['use.ts'],
    }),
  );
  const r = await runNode([path.join(PKG_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]);
  assert.equal(r.signal, null, 'tsc was killed after the time limit');
  assert.equal(r.code, 0, r.out + r.err);
});

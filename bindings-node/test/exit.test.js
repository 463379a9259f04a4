'use strict';
// The process must exit normally once its work is done: abandoned, unused, broken, aborted
// streams, a closed client and an installed logger leave no ref'd handles. Each scenario runs in
// a child process that must exit on its own (the parent kills it after a generous timeout and
// then fails).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { startEmulator, waitFor } = require('./helpers/emulator');

let emu;
before(async () => {
  emu = await startEmulator();
});
after(async () => {
  await emu.stop();
});

const SCRIPT = path.join(__dirname, 'fixtures', 'exit-scenarios.js');
const LIMIT_MS = 20000;

function run(scenario) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [SCRIPT, scenario, emu.baseURL, emu.token], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, ms: Date.now() - t0 });
    });
  });
}

for (const scenario of ['abandoned', 'unused', 'broken', 'aborted', 'closed', 'waits']) {
  test(`process exits by itself: ${scenario}`, async () => {
    const r = await run(scenario);
    assert.equal(r.signal, null, `killed after ${LIMIT_MS} ms: the process did not exit (stderr: ${r.err})`);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /done/);
  });
}

test('the emulator sees every child stream closed once the children are gone', async () => {
  await waitFor(async () => (await emu.stats()).streams.open === 0, 'zero open streams', 10000);
});

test('a garbage-collected, abandoned stream closes its connection', async () => {
  const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'gc-stream.js'), emu.baseURL, emu.token], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await waitFor(() => out.includes('opened') || child.exitCode !== null, 'the child to open its stream', LIMIT_MS);
    assert.ok(out.includes('opened'), 'child failed before opening');
    // Still referenced by the child: the connection is open.
    await waitFor(async () => (await emu.stats()).streams.open === 1, 'the stream to be open');
    child.stdin.write('gc\n');
    await waitFor(() => out.includes('collected'), 'the child to run the collector', LIMIT_MS);
    await waitFor(async () => (await emu.stats()).streams.open === 0, 'the collected stream to close', 10000);
  } finally {
    child.stdin.end();
    await exited;
  }
});

'use strict';
// The examples run end to end against the emulator: examples/node/quickstart.mjs, tools.mjs and
// worker.mjs as they are, and quickstart.ts compiled with tsc. Each runs from a scratch directory whose
// node_modules/qoder-cloud links to this package, exactly as after `npm install`.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmulator } = require('./helpers/emulator');

const root = path.join(__dirname, '..');
const examples = path.join(root, '..', 'examples', 'node');
let emu;
let dir;
before(async () => {
  emu = await startEmulator();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qoder-examples-'));
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'qoder-cloud'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
});
after(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function runNode(file, prompt) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [file, prompt],
      { cwd: dir, timeout: 30000, env: { ...process.env, QODER_BASE_URL: emu.baseURL, QODER_ACCESS_TOKEN: emu.token, QODER_LOG: '' } },
      (err, stdout, stderr) => (err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr })),
    );
  });
}

function checkTranscript(stdout, prompt) {
  assert.match(stdout, /^session sess_/m);
  // The reply is rendered once, from the deltas, and the turn ends idle.
  const replies = stdout.split('\n').filter((l) => l.startsWith('< '));
  assert.deepEqual(replies, [`< Echo: ${prompt}`]);
  assert.match(stdout, /\[idle: end_turn\]/);
}

test('examples/node/quickstart.mjs', async () => {
  fs.copyFileSync(path.join(examples, 'quickstart.mjs'), path.join(dir, 'quickstart.mjs'));
  const { stdout } = await runNode(path.join(dir, 'quickstart.mjs'), 'Hello from the example');
  checkTranscript(stdout, 'Hello from the example');
  assert.match(stdout, /> Hello from the example/);
});

test('examples/node/quickstart.ts (compiled with tsc)', async () => {
  fs.copyFileSync(path.join(examples, 'quickstart.ts'), path.join(dir, 'quickstart.ts'));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, outDir: 'dist', types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')] },
      files: ['quickstart.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  const { stdout } = await runNode(path.join(dir, 'dist', 'quickstart.js'), 'Typed hello');
  checkTranscript(stdout, 'Typed hello');
});

test('examples/node/tools.mjs', async () => {
  fs.copyFileSync(path.join(examples, 'tools.mjs'), path.join(dir, 'tools.mjs'));
  const { stdout } = await runNode(path.join(dir, 'tools.mjs'), '');
  assert.equal(stdout.split('\n').filter((l) => l.startsWith('sent user.custom_tool_result: Oslo: 21 degrees celsius, clear sky')).length, 2, stdout);
  assert.match(stdout, /sent user\.tool_confirmation: allow/);
  assert.match(stdout, /stop: end_turn/);
});

test('examples/node/worker.mjs', async () => {
  fs.copyFileSync(path.join(examples, 'worker.mjs'), path.join(dir, 'worker.mjs'));
  const { stdout } = await runNode(path.join(dir, 'worker.mjs'), '');
  assert.match(stdout, /working on work_\w+ for session sess_\w+ \(state acknowledged\)/);
  assert.match(stdout, /worker stopped: \{"completed":\d,"failed":0,"stopped":\d\}/);
});

'use strict';
// TypeScript: index.d.ts is up to date with the operation table, type-checks under --strict,
// and the examples plus test/types/usage.ts (which has @ts-expect-error lines that must fail)
// compile against it. Runtime and declared event types agree.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { KNOWN_EVENT_TYPES } = require('../lib/events');

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

test('index.d.ts is generated from the current operation table', () => {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'gen-dts.js'), '--check'], { stdio: 'pipe' });
});

test('tsc --strict --noEmit passes over index.d.ts, the examples and the types test', () => {
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types', 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const strict = spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), path.join(root, 'index.d.ts')], {
    encoding: 'utf8',
  });
  assert.equal(strict.status, 0, strict.stdout + strict.stderr);
});

test('a type error in user code is reported (the type check can fail)', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'qoder-ts-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'bad.ts'),
      "import { Client } from 'qoder-cloud';\nconst c = new Client();\nvoid c.agents.retrieve(42);\n",
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')], paths: { 'qoder-cloud': [path.join(root, 'index.d.ts')] } },
        files: ['bad.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /bad\.ts\(3,/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every event type the runtime knows has an interface in index.d.ts, and vice versa', () => {
  const dts = fs.readFileSync(path.join(root, 'index.d.ts'), 'utf8');
  const declared = new Set();
  for (const m of dts.matchAll(/export interface \w+Event(?: extends (?:EventEnvelope|PersistedEvent))? \{\n  type: '([^']+)';/g)) declared.add(m[1]);
  declared.delete('<unknown>');
  assert.deepEqual([...declared].sort(), [...KNOWN_EVENT_TYPES].sort());
});

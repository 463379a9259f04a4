#!/usr/bin/env node
'use strict';
// Development build of the native addon: `qoder-cloud.node` next to index.js, which
// lib/platform.js prefers over an installed platform package. Users never run this: the
// published package has no install script and gets a prebuilt addon from its platform package
// (scripts/package.sh builds those). Uses `napi build` (@napi-rs/cli, a devDependency) when it is
// installed, otherwise calls cargo directly and copies the library.
//
// Profile: `--release` / `--debug`, else env QODER_NODE_PROFILE (release|debug), else release.
// QODER_NODE_SKIP_BUILD=1 skips the build (e.g. when a prebuilt addon was copied in);
// QODER_NODE_BUILD=cargo skips @napi-rs/cli even when it is installed.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'qoder-cloud.node');

function fail(msg) {
  process.stderr.write(`qoder-cloud: ${msg}\n`);
  process.exit(1);
}

if (process.env.QODER_NODE_SKIP_BUILD === '1') {
  process.stdout.write('qoder-cloud: QODER_NODE_SKIP_BUILD=1, not building the native addon\n');
  process.exit(0);
}

const argv = process.argv.slice(2);
let profile = (process.env.QODER_NODE_PROFILE || 'release').toLowerCase();
if (argv.includes('--debug')) profile = 'debug';
if (argv.includes('--release')) profile = 'release';
if (profile !== 'release' && profile !== 'debug') fail(`unknown QODER_NODE_PROFILE ${JSON.stringify(profile)}`);
const release = profile === 'release';

const cargo = process.env.CARGO || 'cargo';
const probe = spawnSync(cargo, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  fail('building the native addon needs a Rust toolchain (cargo) on PATH: install it from https://rustup.rs and re-run npm install');
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  return r.status === 0;
}

// QODER_NODE_BUILD=cargo forces the plain cargo path (what a dependent project gets).
let napiCli = null;
if (process.env.QODER_NODE_BUILD !== 'cargo') {
  try {
    napiCli = require.resolve('@napi-rs/cli/package.json', { paths: [root] });
  } catch {
    napiCli = null;
  }
}

if (napiCli) {
  const pkg = JSON.parse(fs.readFileSync(napiCli, 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.napi;
  const args = [path.join(path.dirname(napiCli), bin), 'build', '--manifest-path', 'Cargo.toml', '--output-dir', '.', '--dts', 'lib/native.d.ts'];
  if (release) args.push('--release');
  process.stdout.write(`qoder-cloud: napi build (${profile})\n`);
  if (!run(process.execPath, args)) fail('napi build failed');
  if (!fs.existsSync(out)) fail(`napi build did not produce ${out}`);
  process.exit(0);
}

// Fallback: cargo directly; the artifact path comes from cargo's JSON messages.
process.stdout.write(`qoder-cloud: cargo build (${profile})\n`);
const args = ['build', '-p', 'qoder-cloud-node', '--message-format=json-render-diagnostics', '--manifest-path', path.join(root, 'Cargo.toml')];
if (release) args.push('--release');
const r = spawnSync(cargo, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
if (r.error || r.status !== 0) fail('cargo build failed');
let lib = null;
for (const line of r.stdout.split('\n')) {
  if (!line.startsWith('{')) continue;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    continue;
  }
  if (msg.reason === 'compiler-artifact' && msg.target && msg.target.name === 'qoder_cloud_node') {
    lib = (msg.filenames || []).find((f) => /\.(so|dylib|dll)$/.test(f)) || lib;
  }
}
if (!lib) fail('cargo did not report the qoder_cloud_node library');
fs.copyFileSync(lib, `${out}.tmp`);
fs.renameSync(`${out}.tmp`, out);
process.stdout.write(`qoder-cloud: built ${path.relative(root, out)}\n`);

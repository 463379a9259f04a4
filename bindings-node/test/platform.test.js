'use strict';
// lib/platform.js: the napi-rs platform names of package.json's `napi.targets`, and the one
// clear error a machine without a prebuilt package gets (naming its platform and the list).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const platform = require('../lib/platform');
const pkg = require('../package.json');

test('every napi target maps to its npm platform package name', () => {
  assert.deepEqual(
    pkg.napi.targets.map(platform.tripleToPlatform),
    ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'],
  );
  assert.deepEqual(platform.SUPPORTED, pkg.napi.targets.map(platform.tripleToPlatform));
  assert.ok(platform.SUPPORTED.includes(platform.currentPlatform()), 'this machine is a supported platform');
});

/** Runs `code` in a child node whose process.platform/arch claim to be `os`/`arch`. */
function asIf(os, arch, code) {
  const preload = `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(os)} });` +
    `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });`;
  const env = { ...process.env };
  delete env.QODER_EMULATOR_BIN;
  delete env.QODER_NODE_ADDON;
  return execFileSync(process.execPath, ['-e', `${preload}\n${code}`], {
    cwd: path.join(__dirname, '..'),
    env,
    encoding: 'utf8',
  });
}

test('an unsupported platform gets one error naming it and the supported list', () => {
  const out = asIf('aix', 'ppc64', `
    const p = require('./lib/platform');
    try { p.emulatorPath(); console.log('no error'); }
    catch (e) { console.log(JSON.stringify({ code: e.code, platform: e.platform, supported: e.supported, message: e.message })); }`);
  const e = JSON.parse(out);
  assert.equal(e.code, 'QODER_UNSUPPORTED_PLATFORM');
  assert.equal(e.platform, 'aix-ppc64');
  assert.deepEqual(e.supported, platform.SUPPORTED);
  assert.match(e.message, /no prebuilt qoder-emulator binary for this platform \(aix-ppc64\)/);
  for (const p of platform.SUPPORTED) assert.ok(e.message.includes(p), `${p} missing from: ${e.message}`);
});

test('a supported platform whose optional package is missing says how to fix the install', () => {
  // win32-x64 is supported, but its platform package is not installed here.
  const out = asIf('win32', 'x64', `
    const p = require('./lib/platform');
    try { p.emulatorPath(); console.log('no error'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`);
  const e = JSON.parse(out);
  assert.equal(e.code, 'QODER_PLATFORM_PACKAGE_MISSING');
  assert.match(e.message, /qoder-cloud-win32-x64-msvc was not installed/);
  assert.match(e.message, /--no-optional|--omit=optional/);
});

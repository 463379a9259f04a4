#!/usr/bin/env node
'use strict';
// Stages the npm packages that users install, for `npm pack` / `npm publish` (napi-rs layout):
//
//   node scripts/stage-npm.js platform <rust-triple> <addon.node> <qoder-emulator> <out-dir>
//     The platform package `qoder-cloud-<platform>`: the prebuilt addon, named
//     `qoder-cloud.<platform>.node`, and the emulator binary, with `os`/`cpu`/`libc` set so that
//     package managers install it only on matching machines.
//
//   node scripts/stage-npm.js main <out-dir>
//     The main package `qoder-cloud`: JavaScript, types and the `qoder-emulator` launcher only (no
//     install script, no Rust sources), with one optional dependency per platform package.
//
// Both manifests are derived from ../package.json (name, version, metadata and `napi.targets`),
// so nothing here is a second list of platforms or versions.

const fs = require('node:fs');
const path = require('node:path');
const { tripleToPlatform } = require('../lib/platform');

const ROOT = path.join(__dirname, '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const SHARED = ['version', 'license', 'author', 'homepage', 'repository', 'bugs', 'engines'];

function fail(msg) {
  process.stderr.write(`stage-npm: ${msg}\n`);
  process.exit(2);
}

function pick(keys) {
  const out = {};
  for (const k of keys) if (PKG[k] !== undefined) out[k] = PKG[k];
  return out;
}

function fresh(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

function copy(from, to, mode) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
  if (mode !== undefined) fs.chmodSync(to, mode);
}

function write(dir, manifest) {
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** `os`, `cpu` and `libc` of a Rust target triple, in npm's terms. */
function constraints(triple) {
  const [nodeOs, nodeArch, abi] = tripleToPlatform(triple).split('-');
  const out = { os: [nodeOs], cpu: [nodeArch] };
  if (nodeOs === 'linux') out.libc = [abi === 'musl' ? 'musl' : 'glibc'];
  return out;
}

function stagePlatform(triple, addon, emulator, out) {
  if (!PKG.napi.targets.includes(triple)) fail(`${triple} is not in napi.targets of package.json`);
  for (const f of [addon, emulator]) if (!fs.existsSync(f)) fail(`${f}: not found`);
  const platform = tripleToPlatform(triple);
  const addonName = `${PKG.napi.binaryName}.${platform}.node`;
  const emulatorName = platform.startsWith('win32') ? 'qoder-emulator.exe' : 'qoder-emulator';
  fresh(out);
  copy(addon, path.join(out, addonName), 0o755);
  copy(emulator, path.join(out, emulatorName), 0o755);
  copy(path.join(ROOT, 'LICENSE'), path.join(out, 'LICENSE'));
  fs.writeFileSync(
    path.join(out, 'README.md'),
    `# ${PKG.name}-${platform}\n\nThe prebuilt native addon and \`qoder-emulator\` binary of ` +
      `[\`${PKG.name}\`](https://www.npmjs.com/package/${PKG.name}) for ${platform} (${triple}).\n` +
      `Install \`${PKG.name}\`, not this package: it is an optional dependency of it.\n`,
  );
  write(out, {
    name: `${PKG.name}-${platform}`,
    description: `${PKG.name} prebuilt native addon and emulator for ${platform}`,
    ...pick(SHARED),
    ...constraints(triple),
    main: addonName,
    files: [addonName, emulatorName, 'LICENSE', 'README.md'],
  });
}

function stageMain(out) {
  fresh(out);
  for (const entry of PKG.files) {
    const from = path.join(ROOT, entry);
    if (!fs.existsSync(from)) fail(`${entry} (from "files" in package.json) does not exist`);
    copy(from, path.join(out, entry));
  }
  const manifest = { ...PKG };
  delete manifest.scripts; // development scripts only; the published package runs nothing on install
  delete manifest.devDependencies;
  manifest.optionalDependencies = Object.fromEntries(
    PKG.napi.targets.map((t) => [`${PKG.name}-${tripleToPlatform(t)}`, PKG.version]),
  );
  write(out, manifest);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'platform' && args.length === 4) stagePlatform(...args);
else if (cmd === 'main' && args.length === 1) stageMain(args[0]);
else fail('usage: stage-npm.js platform <triple> <addon.node> <qoder-emulator> <out-dir> | main <out-dir>');

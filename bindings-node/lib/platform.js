'use strict';
// Where this package's native files live: the `.node` addon and the `qoder-emulator` binary.
//
// The napi-rs convention: the main package holds JavaScript and types only; each supported
// platform has its own package (`qoder-cloud-linux-x64-gnu`, ...) listed in the main package's
// `optionalDependencies`, so npm, pnpm and bun install only the one matching the machine (by the
// `os`, `cpu` and `libc` fields of its package.json). No install script runs anywhere.
//
// The one list of supported platforms is `napi.targets` in package.json; `npm/<platform>/` holds
// each platform package's manifest.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const PKG = require('../package.json');
const BINARY_NAME = PKG.napi.binaryName;

/** napi-rs platform names (`linux-x64-gnu`) of the Rust target triples in `napi.targets`. */
const SUPPORTED = PKG.napi.targets.map(tripleToPlatform);

function tripleToPlatform(triple) {
  const [arch, , os, abi] = triple.split('-');
  const nodeArch = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32' }[arch] || arch;
  const nodeOs = { windows: 'win32' }[os] || os;
  return [nodeOs, nodeArch, abi].filter(Boolean).join('-');
}

/** True when this Linux process runs on musl libc (Alpine) rather than glibc. */
function isMusl() {
  if (process.platform !== 'linux') return false;
  try {
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === 'string' ? JSON.parse(report) : report).header;
    if (header && header.glibcVersionRuntime) return false;
    const libs = (report && report.sharedObjects) || [];
    if (libs.some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'))) return true;
  } catch {
    // fall through to the file check
  }
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    return false;
  }
}

/** This machine's platform in napi-rs naming: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
function currentPlatform() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** The error for a machine no platform package exists for, or whose package is missing. */
function notAvailable(what, detail) {
  const platform = currentPlatform();
  const supported = SUPPORTED.includes(platform);
  const msg = supported
    ? `qoder-cloud: the ${what} for ${platform} is missing: the optional dependency ` +
      `${PKG.name}-${platform} was not installed. Reinstall without --no-optional / --omit=optional ` +
      `(and delete node_modules and the lockfile if they were made on another platform).`
    : `qoder-cloud: no prebuilt ${what} for this platform (${platform}). Supported: ${SUPPORTED.join(', ')}.`;
  const err = new Error(detail ? `${msg}\n  ${detail}` : msg);
  err.code = supported ? 'QODER_PLATFORM_PACKAGE_MISSING' : 'QODER_UNSUPPORTED_PLATFORM';
  err.platform = platform;
  err.supported = SUPPORTED.slice();
  return err;
}

/** The installed platform package's folder, or null. */
function platformPackageDir() {
  try {
    return path.dirname(require.resolve(`${PKG.name}-${currentPlatform()}/package.json`, { paths: [ROOT] }));
  } catch {
    return null;
  }
}

/**
 * The file of the native addon to `require`: QODER_NODE_ADDON, else a development build next to
 * package.json (`scripts/build.js`), else the platform package's prebuilt one.
 */
function addonPath() {
  if (process.env.QODER_NODE_ADDON) return path.resolve(process.env.QODER_NODE_ADDON);
  const local = path.join(ROOT, `${BINARY_NAME}.node`);
  if (fs.existsSync(local)) return local;
  const dir = platformPackageDir();
  const file = dir && path.join(dir, `${BINARY_NAME}.${currentPlatform()}.node`);
  if (file && fs.existsSync(file)) return file;
  throw notAvailable('native addon', file ? `${file}: not found` : null);
}

/**
 * The `qoder-emulator` executable: QODER_EMULATOR_BIN, else the platform package's prebuilt one.
 */
function emulatorPath() {
  if (process.env.QODER_EMULATOR_BIN) {
    const file = path.resolve(process.env.QODER_EMULATOR_BIN);
    if (fs.existsSync(file)) return file;
    const e = new Error(`qoder-cloud: cannot start the emulator ${file} (from QODER_EMULATOR_BIN): no such file`);
    e.code = 'ENOENT';
    throw e;
  }
  const exe = process.platform === 'win32' ? 'qoder-emulator.exe' : 'qoder-emulator';
  const dir = platformPackageDir();
  const file = dir && path.join(dir, exe);
  if (file && fs.existsSync(file)) return file;
  throw notAvailable('qoder-emulator binary', file ? `${file}: not found (or set QODER_EMULATOR_BIN)` : 'set QODER_EMULATOR_BIN to use a build of your own');
}

module.exports = { SUPPORTED, currentPlatform, tripleToPlatform, addonPath, emulatorPath, platformPackageDir };

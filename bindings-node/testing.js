'use strict';
// qoder-cloud/testing — run your own tests offline against the local emulator.
//
// `startEmulator()` starts the `qoder-emulator` binary shipped in this platform's package (or
// the one named by QODER_EMULATOR_BIN) on an ephemeral port and hands back its URLs, a Client
// factory and the emulator's control endpoints (faults, stats, reset, clock).
//
// The option checks, the startup handshake, the control requests and the stop sequence are the
// core's (`qoder_cloud::testing`, shared with Python's `Emulator`); this file converts options
// and wraps the native handle. Lifetime: the child's stdin is a pipe and the emulator runs with
// `--exit-on-stdin-close`, so whenever this process ends — normally, by an uncaught error or by
// SIGKILL — the OS closes the pipe and the emulator exits by itself. Nothing here keeps the
// event loop alive: a test that forgets `close()` does not keep the test runner running.

const platform = require('./lib/platform');
// Loaded on first use, so that requiring this module never fails on its own.
const native = () => require('./lib/native');
const { InvalidArgumentError, fromNative } = require('./lib/errors');

/** The bearer token `client()` sends unless `accessToken` or `tokens` says otherwise. */
const DEFAULT_ACCESS_TOKEN = 'pt-qoder-emulator';

/** The options as the core reads them: snake_case keys, the startup timeout in seconds. */
function coreOptions(options) {
  if (options === undefined || options === null) return '{}';
  if (typeof options !== 'object' || Array.isArray(options)) return JSON.stringify(options);
  const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const entries = Object.entries(options).map(([k, v]) => [snake(k), k === 'startupTimeout' && typeof v === 'number' ? v / 1000 : v]);
  return JSON.stringify(Object.fromEntries(entries));
}

/** Calls the native layer, rethrowing its errors as the SDK's classes. */
function wrap(f) {
  try {
    const r = f();
    return r instanceof Promise ? r.catch((e) => Promise.reject(fromNative(e))) : r;
  } catch (e) {
    throw fromNative(e);
  }
}

function argError(where, param, expected, got) {
  return new InvalidArgumentError(`${where}: argument \`${param}\` must be ${expected}, got ${got === null ? 'null' : typeof got}`, { param });
}

/**
 * Starts an emulator. Options are checked synchronously (InvalidArgumentError naming the
 * option); everything else — no binary, a binary that cannot run, a startup that fails or takes
 * longer than `startupTimeout` — rejects the returned Promise (EmulatorStartupError).
 *
 * @param {import('./testing').EmulatorOptions} [options]
 * @returns {Promise<import('./testing').Emulator>}
 */
function startEmulator(options) {
  const json = coreOptions(options);
  wrap(() => native().NativeEmulator.check(json));
  let bin;
  try {
    bin = platform.emulatorPath();
  } catch (e) {
    return Promise.reject(e);
  }
  return wrap(() => native().NativeEmulator.start(bin, json)).then(makeHandle);
}

/** The object `startEmulator` resolves with (see `Emulator` in testing.d.ts). */
function makeHandle(n) {
  const { baseUrl, origin, accessToken, caPath, pid } = n;
  let closing = null;
  const handle = {
    baseUrl,
    origin,
    accessToken,
    caPath,
    pid,

    /** A new Client for this emulator; `overrides` win over `{ baseURL, accessToken }`. The caller closes it. */
    client(overrides) {
      if (overrides !== undefined && overrides !== null && (typeof overrides !== 'object' || Array.isArray(overrides))) {
        throw argError('emulator.client', 'overrides', 'an object', overrides);
      }
      const { Client } = require('./index.js');
      const trust = caPath ? { caCerts: caPath } : {};
      return new Client({ baseURL: baseUrl, accessToken, ...trust, ...(overrides || {}) });
    },

    /** Sets (string) or clears (null) the server-wide fault spec; a spec the emulator rejects rejects with its 400 message. */
    setFault(spec) {
      if (spec !== null && typeof spec !== 'string') throw argError('emulator.setFault', 'spec', 'a string or null', spec);
      return wrap(() => n.setFault(spec));
    },

    /** The emulator's counters (`GET /_emulator/stats`). */
    stats() {
      return wrap(() => n.stats()).then(JSON.parse);
    },

    /** Drops every object, idempotency key and counter (`POST /_emulator/reset`). */
    reset() {
      return wrap(() => n.reset());
    },

    /** Moves the emulator clock forward by `seconds`; resolves with `{ now, offset_seconds }`. */
    advanceClock(seconds) {
      if (typeof seconds !== 'number') throw argError('emulator.advanceClock', 'seconds', 'a number', seconds);
      return wrap(() => n.advanceClock(seconds)).then(JSON.parse);
    },

    /** Stops the emulator (stdin EOF, then a kill after a grace period). Idempotent: one shared Promise. */
    close() {
      if (!closing) closing = wrap(() => n.close());
      return closing;
    },
  };
  if (typeof Symbol.asyncDispose === 'symbol') handle[Symbol.asyncDispose] = () => handle.close();
  return handle;
}

module.exports = { startEmulator, DEFAULT_ACCESS_TOKEN };

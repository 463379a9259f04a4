'use strict';
// qoder-cloud/testing — run your own tests offline against the local emulator.
//
// `startEmulator()` spawns the `qoder-emulator` binary shipped in this platform's package (or
// the one named by QODER_EMULATOR_BIN) on an ephemeral port and hands back its URLs, a Client
// factory and the emulator's control endpoints (faults, stats, reset, clock).
//
// Lifetime: the child's stdin is a pipe and the emulator runs with `--exit-on-stdin-close`, so
// whenever this process ends — normally, by an uncaught error or by SIGKILL — the OS closes the
// pipe and the emulator exits by itself. The child and its pipes are unref'd once it is ready, so
// a test that forgets `close()` does not keep the test runner alive.

const { spawn } = require('node:child_process');
const http = require('node:http');
const https = require('node:https');
const platform = require('./lib/platform');

/** The bearer token `client()` sends unless `accessToken` or `tokens` says otherwise. */
const DEFAULT_ACCESS_TOKEN = 'pt-qoder-emulator';
const DEFAULT_STARTUP_TIMEOUT_MS = 30000;
/** How long `close()` waits for a graceful exit (stdin closed) before SIGKILL. */
const CLOSE_GRACE_MS = 5000;
/** Bound on one control request, so a wedged emulator fails a test instead of hanging it. */
const CONTROL_TIMEOUT_MS = 10000;
/** How much of the emulator's stderr is kept for error messages. */
const STDERR_KEEP = 16 * 1024;

const WHERE = 'startEmulator';
const OPTION_KEYS = new Set([
  'host',
  'prefix',
  'region',
  'maxBodyBytes',
  'keepaliveMs',
  'turnDelayMs',
  'fault',
  'h2MaxStreams',
  'tokens',
  'forbiddenTokens',
  'tls',
  'extraArgs',
  'startupTimeout',
  'accessToken',
]);

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function optionError(Ctor, name, expected, got) {
  const e = new Ctor(`${WHERE}: option \`${name}\` must be ${expected}, got ${describe(got)}`);
  e.param = name;
  return e;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkString(name, v) {
  if (typeof v !== 'string') throw optionError(TypeError, name, 'a string', v);
  if (v === '') throw optionError(RangeError, name, 'a non-empty string', v);
  return v;
}

function checkInt(name, v, min) {
  if (typeof v !== 'number') throw optionError(TypeError, name, 'a number', v);
  if (!Number.isSafeInteger(v) || v < min) throw optionError(RangeError, name, min === 0 ? 'a non-negative integer' : 'a positive integer', v);
  return v;
}

function checkStrings(name, v, { nonEmpty = false, allowEmptyItems = false } = {}) {
  if (!Array.isArray(v)) throw optionError(TypeError, name, 'an array of strings', v);
  if (nonEmpty && v.length === 0) {
    // The binary has no way to express "accept no token": an empty allow-list would silently
    // mean "accept any token", the opposite of what was written.
    throw optionError(RangeError, name, 'a non-empty array (omit it to accept any token)', v);
  }
  v.forEach((item, i) => {
    if (typeof item !== 'string') throw optionError(TypeError, `${name}[${i}]`, 'a string', item);
    if (!allowEmptyItems && item === '') throw optionError(RangeError, `${name}[${i}]`, 'a non-empty string', item);
  });
  return v;
}

/**
 * Validates the options (throwing TypeError/RangeError naming the option) and turns them into
 * the emulator's command-line flags. Values go in separate argv entries, never through a shell.
 */
function toArgs(options) {
  if (options === undefined || options === null) options = {};
  if (!isPlainObject(options)) {
    const e = new TypeError(`${WHERE}: argument \`options\` must be an object, got ${describe(options)}`);
    e.param = 'options';
    throw e;
  }
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) {
      const e = new TypeError(`${WHERE}: unknown option \`${k}\` (known: ${[...OPTION_KEYS].join(', ')})`);
      e.param = k;
      throw e;
    }
  }
  // `undefined` means "not given", like in the Client's options.
  const o = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const args = [];
  // `--flag=value` keeps a value that starts with `-` from being read as a flag.
  if ('host' in o) args.push(`--host=${checkString('host', o.host)}`);
  if ('prefix' in o) {
    // An empty prefix is meaningful (the API at the root), so only the type is checked.
    if (typeof o.prefix !== 'string') throw optionError(TypeError, 'prefix', 'a string', o.prefix);
    args.push(`--prefix=${o.prefix}`);
  }
  if ('region' in o) {
    if (o.region !== 'global' && o.region !== 'cn') throw optionError(RangeError, 'region', '"global" or "cn"', o.region);
    args.push(`--region=${o.region}`);
  }
  if ('maxBodyBytes' in o) args.push('--max-body-bytes', String(checkInt('maxBodyBytes', o.maxBodyBytes, 0)));
  // The emulator refuses a zero keep-alive interval (it would spin), so the check says so first.
  if ('keepaliveMs' in o) args.push('--keepalive-ms', String(checkInt('keepaliveMs', o.keepaliveMs, 1)));
  if ('turnDelayMs' in o) args.push('--turn-delay-ms', String(checkInt('turnDelayMs', o.turnDelayMs, 0)));
  // The spec's syntax is the emulator's business: a bad one makes the binary exit with status 2
  // and a message on stderr, which the startup rejection carries.
  if ('fault' in o) args.push(`--fault=${checkString('fault', o.fault)}`);
  if ('h2MaxStreams' in o) {
    const v = o.h2MaxStreams;
    if (v === 'unlimited') args.push('--h2-max-streams', 'unlimited');
    else if (typeof v !== 'number') throw optionError(TypeError, 'h2MaxStreams', 'a number or "unlimited"', v);
    else if (!Number.isInteger(v) || v < 1 || v > 0xffffffff) throw optionError(RangeError, 'h2MaxStreams', 'a positive 32-bit integer or "unlimited"', v);
    else args.push('--h2-max-streams', String(v));
  }
  if ('tokens' in o) for (const t of checkStrings('tokens', o.tokens, { nonEmpty: true })) args.push(`--token=${t}`);
  if ('forbiddenTokens' in o) for (const t of checkStrings('forbiddenTokens', o.forbiddenTokens)) args.push(`--forbidden-token=${t}`);
  if ('tls' in o) {
    if (typeof o.tls !== 'boolean') throw optionError(TypeError, 'tls', 'a boolean', o.tls);
    if (o.tls) args.push('--tls');
  }
  if ('extraArgs' in o) args.push(...checkStrings('extraArgs', o.extraArgs, { allowEmptyItems: true }));

  let startupTimeout = DEFAULT_STARTUP_TIMEOUT_MS;
  if ('startupTimeout' in o) {
    const v = o.startupTimeout;
    if (typeof v !== 'number') throw optionError(TypeError, 'startupTimeout', 'a number of milliseconds', v);
    // setTimeout turns anything above 2^31-1 ms into 1 ms, which would fail every start at once.
    if (!(v > 0 && v <= 0x7fffffff)) throw optionError(RangeError, 'startupTimeout', 'a positive number of milliseconds up to 2147483647', v);
    startupTimeout = v;
  }
  let accessToken = o.tokens ? o.tokens[0] : DEFAULT_ACCESS_TOKEN;
  if ('accessToken' in o) accessToken = checkString('accessToken', o.accessToken);
  return { args, startupTimeout, accessToken };
}

// Emulators still running, stopped when this process exits. One `exit` listener serves them all
// (a listener per emulator would trip MaxListenersExceededWarning in big suites).
const live = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    // Only synchronous work is possible here. Closing stdin would do too, but a kill is
    // immediate and does not depend on the emulator noticing EOF.
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    live.clear();
  });
}

function withStderr(message, stderr) {
  const s = stderr.trim();
  return s ? `${message}\nemulator stderr:\n${s}` : `${message} (the emulator wrote nothing to stderr)`;
}

/**
 * Starts an emulator. Options are validated synchronously (TypeError/RangeError naming the
 * option); everything else — no binary, a binary that cannot run, a startup that fails or takes
 * longer than `startupTimeout` — rejects the returned Promise.
 *
 * @param {import('./testing').EmulatorOptions} [options]
 * @returns {Promise<import('./testing').Emulator>}
 */
function startEmulator(options) {
  const { args, startupTimeout, accessToken } = toArgs(options);
  return new Promise((resolve, reject) => {
    let bin;
    try {
      bin = platform.emulatorPath();
    } catch (e) {
      reject(e);
      return;
    }
    const argv = ['--port', '0', '--exit-on-stdin-close', ...args];
    let child;
    try {
      child = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      // spawn throws synchronously for some argument problems (e.g. a NUL byte in a path).
      reject(new Error(`qoder-cloud/testing: cannot start the emulator ${bin}: ${e.message}`, { cause: e }));
      return;
    }
    installExitHook();
    live.add(child);

    let stderr = '';
    let stdout = '';
    let settled = false;
    const exit = { code: null, signal: null, done: false };
    const exited = new Promise((res) => {
      child.once('exit', (code, signal) => {
        exit.code = code;
        exit.signal = signal;
        exit.done = true;
        live.delete(child);
        res();
      });
    });

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      // Keep the tail: the last lines say why the emulator failed.
      stderr = (stderr + d).slice(-STDERR_KEEP);
    });
    // The pipe must be drained anyway; once ready, nothing more is expected on stdout.
    child.stdout.setEncoding('utf8');

    const fail = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      // Do not leave a half-started emulator behind.
      if (!exit.done) child.kill('SIGKILL');
      reject(err);
    };

    const timer = setTimeout(() => {
      fail(new Error(withStderr(`qoder-cloud/testing: the emulator (${bin}) did not report "listening ..." within ${startupTimeout} ms`, stderr)));
    }, startupTimeout);

    child.once('error', (e) => {
      // A process that never started has no `exit` to remove it from the exit hook's set.
      if (child.pid === undefined) live.delete(child);
      // ENOENT / EACCES: the path is wrong or not executable. Name it and the variable that sets it.
      const hint = process.env.QODER_EMULATOR_BIN ? ' (from QODER_EMULATOR_BIN)' : '';
      fail(new Error(`qoder-cloud/testing: cannot start the emulator ${bin}${hint}: ${e.message}`, { cause: e }));
    });

    child.once('exit', (code, signal) => {
      // stderr may still hold unread bytes when `exit` fires; `close` of the pipe comes later,
      // so wait for it (bounded by the startup timer, which is still running).
      const report = () =>
        fail(new Error(withStderr(`qoder-cloud/testing: the emulator (${bin}) exited before it was ready (${signal ? `signal ${signal}` : `code ${code}`})`, stderr)));
      if (child.stderr.readableEnded || child.stderr.destroyed) report();
      else child.stderr.once('close', report);
    });

    function onData(chunk) {
      stdout += chunk;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      const line = stdout.slice(0, nl).trim();
      // `listening URL`, and with TLS `listening URL ca=PATH` (the generated CA, PEM).
      const m = /^listening (\S+)(?: ca=(\S+))?$/.exec(line);
      if (!m) {
        fail(new Error(withStderr(`qoder-cloud/testing: unexpected first line from the emulator: ${JSON.stringify(line)}`, stderr)));
        return;
      }
      let url;
      try {
        url = new URL(m[1]);
      } catch {
        fail(new Error(withStderr(`qoder-cloud/testing: the emulator reported an invalid URL: ${JSON.stringify(m[1])}`, stderr)));
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume();
      // From here on nothing of ours keeps the event loop alive: a forgotten emulator must not
      // keep a test runner from exiting (the emulator then exits because its stdin closes).
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) if (typeof s.unref === 'function') s.unref();
      resolve(makeHandle({ child, url, caPath: m[2] || null, accessToken, exit, exited, getStderr: () => stderr }));
    }
    child.stdout.on('data', onData);
    // A write to the pipe of an emulator that died must not crash the host with EPIPE.
    child.stdin.on('error', () => {});
  });
}

/** Builds the object `startEmulator` resolves with (see `Emulator` in testing.d.ts). */
function makeHandle({ child, url, caPath, accessToken, exit, exited, getStderr }) {
  const baseUrl = url.href.replace(/\/$/, '');
  const origin = url.origin;
  const transport = url.protocol === 'https:' ? https : http;
  // Control requests trust the emulator's generated CA, like any client of it must.
  const ca = caPath ? require('node:fs').readFileSync(caPath) : undefined;
  let closing = null;

  /** One control request: resolves with the JSON body of a 2xx, rejects with the envelope's message otherwise. */
  function control(method, path, body) {
    if (exit.done) {
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      return Promise.reject(new Error(withStderr(`qoder-cloud/testing: the emulator is not running (exited with ${how})`, getStderr())));
    }
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers = { accept: 'application/json' };
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
      }
      // agent: false → a fresh connection that closes after the response, so no keep-alive
      // socket outlives the call and holds the process open.
      const req = transport.request(`${origin}${path}`, { method, headers, agent: false, ca }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          let json;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            reject(new Error(`qoder-cloud/testing: ${method} ${path}: ${res.statusCode} with a body that is not JSON: ${text.slice(0, 500)}`));
            return;
          }
          if (res.statusCode >= 200 && res.statusCode < 300) {
            resolve(json);
            return;
          }
          const env = json && json.error;
          const msg = env && env.message ? env.message : text;
          const err = new Error(`qoder-cloud/testing: ${method} ${path}: ${res.statusCode} ${msg}`);
          err.status = res.statusCode;
          err.type = env ? env.type : undefined;
          err.param = env ? env.param : undefined;
          err.body = json;
          reject(err);
        });
      });
      req.setTimeout(CONTROL_TIMEOUT_MS, () => {
        req.destroy(new Error(`qoder-cloud/testing: ${method} ${path}: no response within ${CONTROL_TIMEOUT_MS} ms`));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  const handle = {
    baseUrl,
    origin,
    accessToken,
    caPath,
    pid: child.pid,

    /** A new Client for this emulator; `overrides` win over `{ baseURL, accessToken }`. The caller closes it. */
    client(overrides) {
      if (overrides !== undefined && overrides !== null && !isPlainObject(overrides)) {
        const e = new TypeError(`emulator.client: argument \`overrides\` must be an object, got ${describe(overrides)}`);
        e.param = 'overrides';
        throw e;
      }
      // Loaded on first use: starting an emulator needs no native addon, so a project whose
      // addon is missing still gets the emulator (and the addon's own clear error here).
      const { Client } = require('./index.js');
      const trust = caPath ? { caCerts: caPath } : {};
      return new Client({ baseURL: baseUrl, accessToken, ...trust, ...(overrides || {}) });
    },

    /** Sets (string) or clears (null) the server-wide fault spec; a spec the emulator rejects rejects with its 400 message. */
    setFault(spec) {
      if (spec !== null && typeof spec !== 'string') {
        const e = new TypeError(`emulator.setFault: argument \`spec\` must be a string or null, got ${describe(spec)}`);
        e.param = 'spec';
        throw e;
      }
      return control('POST', '/_emulator/faults', { spec }).then(() => undefined);
    },

    /** The emulator's counters (`GET /_emulator/stats`). */
    stats() {
      return control('GET', '/_emulator/stats');
    },

    /** Drops every object, idempotency key and counter (`POST /_emulator/reset`). */
    reset() {
      return control('POST', '/_emulator/reset').then(() => undefined);
    },

    /** Moves the emulator clock forward by `seconds`; resolves with `{ now, offset_seconds }`. */
    advanceClock(seconds) {
      if (typeof seconds !== 'number') {
        const e = new TypeError(`emulator.advanceClock: argument \`seconds\` must be a number, got ${describe(seconds)}`);
        e.param = 'seconds';
        throw e;
      }
      if (!Number.isFinite(seconds) || seconds < 0) {
        const e = new RangeError(`emulator.advanceClock: argument \`seconds\` must be a non-negative, finite number, got ${seconds}`);
        e.param = 'seconds';
        throw e;
      }
      return control('POST', '/_emulator/clock/advance', { seconds });
    },

    /** Stops the emulator (stdin EOF, then SIGKILL after a grace period). Idempotent: one shared Promise. */
    close() {
      if (closing) return closing;
      closing = (async () => {
        if (exit.done) return;
        // Graceful first: EOF on stdin is the emulator's documented stop signal.
        child.stdin.end();
        if (await within(exited, CLOSE_GRACE_MS)) return;
        child.kill('SIGKILL');
        // SIGKILL cannot be ignored; the bound only guards against an OS that never reports it.
        await within(exited, CLOSE_GRACE_MS);
      })();
      return closing;
    },
  };
  if (typeof Symbol.asyncDispose === 'symbol') handle[Symbol.asyncDispose] = () => handle.close();
  return handle;
}

/** Resolves true when `promise` settles within `ms`, false otherwise; the timer keeps the loop alive meanwhile. */
function within(promise, ms) {
  let timer;
  const timeout = new Promise((res) => {
    timer = setTimeout(() => res(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

module.exports = { startEmulator, DEFAULT_ACCESS_TOKEN };

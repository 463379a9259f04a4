'use strict';

const { InvalidArgumentError } = require('./errors');
// Argument and option conversion: JS values in, the native layer's plain shapes out.
// Type errors are thrown here, synchronously, before anything reaches the network.

/** Keys of the per-call options object (the last argument of every method). */
const REQUEST_OPTION_KEYS = new Set(['signal', 'timeout', 'maxRetries', 'idempotencyKey', 'headers', 'query', 'body', 'totalDeadline']);
/** Extra keys a stream method accepts (in its params or options object). */
const STREAM_OPTION_KEYS = new Set(['lastEventId', 'eventDeltas', 'resume', 'idleTimeout', 'maxReconnectAttempts', 'batchSize']);

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

function typeError(where, what, expected, got) {
  // An InvalidArgumentError, as in Python; it is a TypeError too (see lib/errors.js).
  return new InvalidArgumentError(`${where}: argument \`${what}\` must be ${expected}, got ${describe(got)}`, { param: what });
}

/** An optional array of strings (e.g. scope names). */
function stringList(where, what, v) {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw typeError(where, what, 'an array of strings', v);
  return v;
}

/**
 * The native side of `tokenProvider`: asked before every attempt, it resolves the user's token
 * (the function may return a string or a Promise of one). Nothing but whether a token was refused
 * crosses from Rust, and the user's function is called with no arguments.
 */
function tokenProvider(where, fn) {
  if (fn === undefined || fn === null) return undefined;
  if (typeof fn !== 'function') throw typeError(where, 'tokenProvider', 'a function returning a token', fn);
  return async () => {
    const token = await fn();
    if (typeof token !== 'string') throw new TypeError(`it must return a string, got ${describe(token)}`);
    return token;
  };
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A certificate or key option as text: a string is a PEM file path or PEM text (the core tells
 * them apart by the `-----BEGIN` line); a Buffer/Uint8Array is PEM text.
 */
function pemText(where, name, v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (ArrayBuffer.isView(v)) {
    // Bytes are PEM text, never a path: without a BEGIN line they are not a certificate.
    const text = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
    if (text.includes('-----BEGIN ')) return text;
    throw typeError(where, name, 'PEM text (with a -----BEGIN line) when given as bytes', v);
  }
  throw typeError(where, name, 'a PEM file path, PEM text or a Buffer', v);
}

/** `caCerts`: one certificate source (see `pemText`) or an array of them. */
function pemList(where, name, v) {
  if (v === undefined || v === null) return undefined;
  const items = Array.isArray(v) ? v : [v];
  return items.map((x, i) => pemText(where, Array.isArray(v) ? `${name}[${i}]` : name, x));
}

function checkBool(where, name, v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeError(where, name, 'a boolean', v);
  return v;
}

function checkMillis(where, name, v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw typeError(where, name, 'a non-negative number of milliseconds', v);
  return v;
}

function checkCount(where, name, v) {
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw typeError(where, name, 'a non-negative integer', v);
  return v;
}

function scalar(v) {
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** `{a: 'x', b: ['y', 'z']}` → `[['a','x'], ['b','y'], ['b','z']]`; null/undefined values are dropped. */
function toPairs(where, name, obj) {
  if (obj === undefined || obj === null) return undefined;
  if (!isPlainObject(obj) && !(obj instanceof Map) && !(typeof Headers !== 'undefined' && obj instanceof Headers)) {
    throw typeError(where, name, 'an object of name → value', obj);
  }
  const entries = obj instanceof Map || (typeof Headers !== 'undefined' && obj instanceof Headers) ? [...obj.entries()] : Object.entries(obj);
  const out = [];
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) out.push([k, scalar(x)]);
    else if (typeof v === 'object' && !(v instanceof Date)) throw typeError(where, `${name}.${k}`, 'a string, number, boolean or array', v);
    else out.push([k, scalar(v)]);
  }
  return out;
}

function checkSignal(where, signal) {
  if (signal === undefined || signal === null) return null;
  if (typeof signal !== 'object' || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw typeError(where, 'signal', 'an AbortSignal', signal);
  }
  return signal;
}

/**
 * Validates a per-call options object; returns `{ native, signal }` where `native` is the
 * addon's CallOptions (or null when nothing is set).
 */
function requestOptions(where, options) {
  if (options === undefined || options === null) return { native: null, signal: null };
  if (!isPlainObject(options)) throw typeError(where, 'options', 'an object', options);
  for (const k of ['headers', 'query', 'body', 'idempotencyKey']) {
    if (options[k] !== undefined) checkUnicode(where, k, options[k]);
  }
  const signal = checkSignal(where, options.signal);
  const native = {};
  let any = false;
  const set = (k, v) => {
    if (v !== undefined) {
      native[k] = v;
      any = true;
    }
  };
  set('timeoutMs', checkMillis(where, 'timeout', options.timeout));
  set('totalDeadlineMs', checkMillis(where, 'totalDeadline', options.totalDeadline));
  set('maxRetries', checkCount(where, 'maxRetries', options.maxRetries));
  if (options.idempotencyKey !== undefined && options.idempotencyKey !== null) {
    // Only the JS type here; the key's rules are the core's (checked when the call is made).
    if (typeof options.idempotencyKey !== 'string') throw typeError(where, 'idempotencyKey', 'a string', options.idempotencyKey);
    set('idempotencyKey', options.idempotencyKey);
  }
  set('headers', toPairs(where, 'headers', options.headers));
  set('query', toPairs(where, 'query', options.query));
  if (options.body !== undefined && options.body !== null) {
    if (!isPlainObject(options.body)) throw typeError(where, 'body', 'an object of extra body fields', options.body);
    set('bodyJson', JSON.stringify(options.body));
  }
  return { native: any ? native : null, signal };
}

/** Whether a lone object after the id is an options object rather than params. */
function looksLikeOptions(op, obj) {
  if (!isPlainObject(obj)) return false;
  const keys = Object.keys(obj);
  if (keys.length === 0) return false;
  for (const k of keys) if (!REQUEST_OPTION_KEYS.has(k) || op.argNames.has(k)) return false;
  return true;
}

module.exports = {
  pemText,
  stringList,
  tokenProvider,
  pemList,
  checkBool,
  REQUEST_OPTION_KEYS,
  STREAM_OPTION_KEYS,
  typeError,
  isPlainObject,
  checkMillis,
  checkCount,
  checkSignal,
  toPairs,
  requestOptions,
  looksLikeOptions,
};


/**
 * Rejects strings that are not valid Unicode (lone UTF-16 surrogates) before they reach the
 * addon, which would otherwise reject them without naming the field or replace them with U+FFFD
 * and send altered data. `value` is checked deeply; the error names `param`.
 */
function checkUnicode(where, param, value) {
  if (!hasLoneSurrogate(value)) return;
  throw new InvalidArgumentError(`${where}: ${param}: contains a lone UTF-16 surrogate (not valid Unicode)`, { param });
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one. Node 20+
// has String.prototype.isWellFormed (native, faster); Node 18 (still in `engines`) does not.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed =
  typeof String.prototype.isWellFormed === 'function' ? (s) => s.isWellFormed() : (s) => !LONE_SURROGATE.test(s);

function hasLoneSurrogate(v) {
  if (typeof v === 'string') return !isWellFormed(v);
  if (Array.isArray(v)) return v.some(hasLoneSurrogate);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) {
    for (const [k, x] of Object.entries(v)) if (hasLoneSurrogate(k) || hasLoneSurrogate(x)) return true;
  }
  return false;
}

/** Checks each top-level argument, naming the offending one. */
function checkArgsUnicode(where, args) {
  if (args === null || typeof args !== 'object') return;
  for (const [k, v] of Object.entries(args)) checkUnicode(where, k, v);
}

module.exports.checkUnicode = checkUnicode;
module.exports.checkArgsUnicode = checkArgsUnicode;

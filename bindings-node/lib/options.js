'use strict';

const native = require('./native');
const { InvalidArgumentError, fromNative } = require('./errors');
// Argument and option conversion: JS values in, JSON for the native layer out. The options
// themselves (names, types, units, messages) are checked by the core's table
// (core/src/options.rs); here only what JSON cannot carry is checked, synchronously.

/** Keys of the per-call options object (the last argument of every method): the core's, and `signal`. */
const REQUEST_OPTION_KEYS = new Set(['signal', ...native.callOptionNames(false)]);
/** Extra keys a stream method accepts (in its params or options object): the core's, and `batchSize`. */
const STREAM_OPTION_KEYS = new Set([...native.callOptionNames(true), 'batchSize']);

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

function typeError(where, what, expected, got) {
  // An InvalidArgumentError, as in Python; it is a TypeError too (see lib/errors.js).
  return new InvalidArgumentError(`${where}: argument \`${what}\` must be ${expected}, got ${describe(got)}`, { param: what });
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
 * A certificate or key option: a string is a PEM file path or PEM text (the core tells them
 * apart by the `-----BEGIN` line); a Buffer/Uint8Array is PEM text. Other values go to the core.
 */
function pemText(where, name, v) {
  if (!ArrayBuffer.isView(v)) return v;
  // Bytes are PEM text, never a path: without a BEGIN line they are not a certificate.
  const text = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  if (text.includes('-----BEGIN ')) return text;
  throw typeError(where, name, 'PEM text (with a -----BEGIN line) when given as bytes', v);
}

/** `caCerts`: one certificate source (see `pemText`) or an array of them. */
function pemList(where, name, v) {
  return Array.isArray(v) ? v.map((x, i) => pemText(where, `${name}[${i}]`, x)) : pemText(where, name, v);
}

/** Headers or query given as a Map or a fetch `Headers`: a plain object (others go to the core as they are). */
function plainPairs(v) {
  return v instanceof Map || (typeof Headers !== 'undefined' && v instanceof Headers) ? Object.fromEntries(v) : v;
}

/** What in `v` JSON cannot carry (it would be dropped or become `null`), described; null when nothing. */
function unsendable(v) {
  switch (typeof v) {
    case 'string':
      return isWellFormed(v) ? null : 'a lone UTF-16 surrogate (not valid Unicode)';
    case 'number':
      return Number.isFinite(v) ? null : String(v);
    case 'function':
    case 'symbol':
    case 'bigint':
      return `a ${typeof v}`;
    case 'object':
      if (v === null || v instanceof Date || ArrayBuffer.isView(v)) return null;
      for (const [k, x] of Object.entries(v)) {
        const bad = unsendable(k) ?? unsendable(x);
        if (bad !== null) return bad;
      }
      return null;
    default:
      return null;
  }
}

/**
 * The options object `o` as JSON text for the core (null when it holds nothing): `undefined`
 * values are left out, and a value JSON cannot carry is an InvalidArgumentError naming its key.
 */
function optionsJson(where, o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const bad = unsendable(v);
    if (bad !== null) throw new InvalidArgumentError(`${where}: option \`${k}\` cannot be sent: it holds ${bad}`, { param: k });
    out[k] = v;
  }
  return Object.keys(out).length === 0 ? null : JSON.stringify(out);
}

function checkSignal(where, signal) {
  if (signal === undefined || signal === null) return null;
  if (typeof signal !== 'object' || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw typeError(where, 'signal', 'an AbortSignal', signal);
  }
  return signal;
}

/**
 * Checks a per-call options object (with a stream's options when `stream`) now, against the
 * core's table; returns `{ nopts, signal }` where `nopts` is its JSON text for the native call
 * (null when nothing is set).
 */
function requestOptions(where, options, stream = false) {
  if (options === undefined || options === null) return { nopts: null, signal: null };
  if (!isPlainObject(options)) throw typeError(where, 'options', 'an object', options);
  const { signal, headers, query, ...rest } = options;
  checkSignal(where, signal);
  const nopts = optionsJson(where, { ...rest, headers: plainPairs(headers), query: plainPairs(query) });
  if (nopts !== null) {
    try {
      native.checkCallOptions(nopts, stream);
    } catch (e) {
      throw fromNative(e);
    }
  }
  return { nopts, signal: signal ?? null };
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
  pemList,
  pemText,
  plainPairs,
  tokenProvider,
  REQUEST_OPTION_KEYS,
  STREAM_OPTION_KEYS,
  typeError,
  isPlainObject,
  optionsJson,
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

'use strict';
// qoder-cloud — Node.js SDK for the Qoder Cloud Agents Managed API.
//
// A thin layer over the Rust core (native addon `qoder-cloud.node`): this file converts
// arguments, calls one native function, rebuilds typed errors and wraps results. The resource
// namespaces are generated from the core's operation table, so every operation the core knows is
// present by construction: `client.memoryStores.memoryVersions.list(storeId)` is the core's
// `memory_stores.memory_versions.list`.
//
// Conventions: the target id is positional and ancestor ids go in the params object
// (`client.vaults.credentials.retrieve(credId, { vault_id })`); list methods take the parent id
// positionally (`client.sessions.events.list(sessionId, { limit })`); API objects and request
// bodies keep the wire's snake_case names; options are camelCase and always the last argument.

const native = require('./lib/native');
const errors = require('./lib/errors');
const { Page, PagePromise } = require('./lib/pagination');
const { Stream } = require('./lib/stream');
const { isKnownEventType } = require('./lib/events');
const { uploadSource, skillFiles, BinaryResponse } = require('./lib/transfer');
const { DeltaAccumulator, toTurnResult } = require('./lib/turn');
const tools = require('./lib/tools');
const { defineWorker } = require('./lib/worker');
const otel = require('./lib/otel');
const opts = require('./lib/options');

const { fromNative, aborted } = errors;
const { typeError, isPlainObject, requestOptions, looksLikeOptions, REQUEST_OPTION_KEYS, STREAM_OPTION_KEYS } = opts;

/** The JS spellings of the two client options the core's table spells `…Url`. */
const VERSION = require('./package.json').version;

const LOG_LEVELS = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

function camel(s) {
  return s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** The operation table, parsed once, with the JS-side lookups each method needs. */
const OPERATIONS = JSON.parse(native.operations()).map((op) => {
  const pathParams = op.path_params;
  const argNames = new Set([
    ...pathParams,
    ...op.query.map((q) => q.arg),
    ...op.headers.map((h) => h.arg),
    ...op.body_fields,
    'workspace_id',
    'betas',
  ]);
  if (op.response === 'page' || op.response === 'models_page') for (const k of ['limit', 'page', 'after_id', 'before_id']) argNames.add(k);
  return Object.freeze({
    name: op.name,
    jsName: op.name.split('.').map(camel).join('.'),
    method: op.method,
    path: op.path,
    response: op.response,
    body: op.body,
    required: op.required,
    pathParams,
    target: pathParams.length ? pathParams[pathParams.length - 1] : null,
    ancestors: pathParams.slice(0, -1),
    argNames,
  });
});

function attachMeta(data, res) {
  if (data !== null && typeof data === 'object') {
    Object.defineProperties(data, {
      requestId: { value: res.requestId ?? null, enumerable: false, configurable: true },
      idempotencyKey: { value: res.idempotencyKey ?? null, enumerable: false, configurable: true },
      httpStatus: { value: res.status, enumerable: false, configurable: true },
    });
  }
  return data;
}

function checkId(op, name, value, where) {
  if (typeof value !== 'string') throw typeError(where, name, 'a string id', value);
  if (value === '') throw typeError(where, name, 'a non-empty string id', value);
}

/**
 * Splits `(id?, params?, options?)` into the core's named-argument object and the options.
 * Throws TypeError for wrong argument types before anything is sent.
 */
function parseCall(op, argv) {
  const where = `client.${op.jsName}`;
  let i = 0;
  let id;
  if (op.target !== null) {
    id = argv[0];
    checkId(op, op.target, id, where);
    i = 1;
  }
  let params = argv[i];
  let options = argv[i + 1];
  if (argv.length > i + 2) throw new errors.InvalidArgumentError(`${where}: expected at most ${i + 2} arguments, got ${argv.length}`, { param: 'arguments' });
  if (params !== undefined && params !== null && !isPlainObject(params)) throw typeError(where, 'params', 'an object', params);
  if (options === undefined && looksLikeOptions(op, params)) {
    options = params;
    params = undefined;
  }
  const args = {};
  if (params) {
    for (const k of Object.keys(params)) {
      const v = params[k];
      if (v !== undefined) args[k] = v;
    }
  }
  for (const anc of op.ancestors) checkId(op, anc, args[anc], where);
  if (op.target !== null) args[op.target] = id;
  if (op.body === 'json') {
    for (const f of op.required) {
      if (args[f] === undefined) {
        const e = new errors.InvalidArgumentError(`${where}: missing required argument \`${f}\``);
        e.param = f;
        throw e;
      }
    }
  }
  return { args, options };
}

/** Splits a stream method's arguments into wire arguments, stream options and request options. */
function parseStream(op, argv) {
  const where = `client.${op.jsName}`;
  let i = 0;
  let id;
  if (op.target !== null) {
    id = argv[0];
    checkId(op, op.target, id, where);
    i = 1;
  }
  const params = argv[i];
  const options = argv[i + 1];
  if (params !== undefined && params !== null && !isPlainObject(params)) throw typeError(where, 'params', 'an object', params);
  if (options !== undefined && options !== null && !isPlainObject(options)) throw typeError(where, 'options', 'an object', options);
  const all = { ...(params || {}), ...(options || {}) };
  const args = {};
  const stream = {};
  for (const k of Object.keys(all)) {
    if (STREAM_OPTION_KEYS.has(k) || REQUEST_OPTION_KEYS.has(k)) stream[k] = all[k];
    else if (all[k] !== undefined) args[k] = all[k];
  }
  // Wire spellings of the two stream options are accepted too.
  for (const [wire, js] of [['last_event_id', 'lastEventId'], ['event_deltas', 'eventDeltas']]) {
    if (args[wire] === undefined) continue;
    stream[js] ??= args[wire];
    delete args[wire];
  }
  for (const anc of op.ancestors) checkId(op, anc, args[anc], where);
  if (op.target !== null) args[op.target] = id;

  const { batchSize, ...rest } = stream;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) throw typeError(where, 'batchSize', 'a positive integer', batchSize);
  const { nopts, signal } = requestOptions(where, rest, true);
  return { args, nopts, signal, lastEventId: rest.lastEventId ?? null, batchSize };
}

function typeTextError(text) {
  return typeError('client.sessions.runTurn', 'text', 'a string', text);
}

/** A group of methods, e.g. `client.sessions` or `client.sessions.events`. */
class Resource {
  get [Symbol.toStringTag]() {
    return 'Resource';
  }
}

/** The native side of a Client (set in Client's static block; for lib/worker.js). */
let nativeOf;

class Client {
  #native;
  #closed = false;

  static {
    nativeOf = (c) => c.#native;
  }

  /**
   * @param {import('./index').ClientOptions} [options]
   */
  constructor(options = {}) {
    const where = 'new Client';
    if (!isPlainObject(options)) throw typeError(where, 'options', 'an object', options);
    // The core checks the client options (core/src/options.rs); JS-only ones stay here.
    const { tokenProvider, logLevel, logger, ...rest } = options;
    // What the package says about itself in the User-Agent is not the user's to set.
    for (const k of ['runtime', 'runtimeVersion', 'packageVersion']) {
      if (k in rest) throw new errors.InvalidArgumentError(`${where}: unknown option \`${k}\``, { param: k });
    }
    const config = {
      ...rest,
      defaultHeaders: opts.plainPairs(rest.defaultHeaders),
      caCerts: opts.pemList(where, 'caCerts', rest.caCerts),
      clientCert: opts.pemText(where, 'clientCert', rest.clientCert),
      clientKey: opts.pemText(where, 'clientKey', rest.clientKey),
      packageVersion: VERSION,
      runtime: 'node',
      runtimeVersion: process.versions.node,
    };
    const provider = opts.tokenProvider(where, tokenProvider);
    try {
      this.#native = new native.NativeClient(opts.optionsJson(where, config), provider);
    } catch (e) {
      throw fromNative(e);
    }
    this.#setupLogging(logLevel, logger);

    for (const op of OPERATIONS) {
      const parts = op.name.split('.');
      let ns = this;
      for (const part of parts.slice(0, -1)) {
        const key = camel(part);
        if (!Object.prototype.hasOwnProperty.call(ns, key)) {
          Object.defineProperty(ns, key, { value: new Resource(), enumerable: true });
        }
        ns = ns[key];
      }
      const method = this.#method(op);
      Object.defineProperty(ns, camel(parts[parts.length - 1]), { value: method, enumerable: false });
    }
    // Helpers beyond the operation table (the core's turn helper).
    const client = this;
    Object.defineProperties(this.sessions, {
      runTurn: {
        value: function runTurn(sessionId, text, options) {
          if (typeof text !== 'string') throw typeTextError(text);
          return client.#turn('client.sessions.runTurn', sessionId, text, null, options);
        },
      },
      sendAndWait: {
        value: function sendAndWait(sessionId, params, options) {
          const where = 'client.sessions.sendAndWait';
          if (!isPlainObject(params) || !Array.isArray(params.events) || params.events.length === 0) {
            throw typeError(where, 'events', 'a non-empty array of input events', params && params.events);
          }
          return client.#turn(where, sessionId, null, params.events, options);
        },
      },
      runTools: {
        value: function runTools(sessionId, params, options) {
          const where = 'client.sessions.runTools';
          if (params !== undefined && !isPlainObject(params)) throw typeError(where, 'params', 'an object', params);
          const p = params || {};
          const { text, events } = p;
          if (text !== undefined && text !== null && typeof text !== 'string') throw typeError(where, 'text', 'a string', text);
          if (events !== undefined && events !== null && (!Array.isArray(events) || events.length === 0)) {
            throw typeError(where, 'events', 'a non-empty array of input events', events);
          }
          if (typeof text === 'string' && Array.isArray(events)) throw typeError(where, 'events', 'absent when `text` is given', events);
          return client.#turn(where, sessionId, text ?? null, events ?? null, options, tools.runner(where, p));
        },
      },
    });
  }

  #setupLogging(logLevel, logger) {
    let level = logLevel;
    if (level === undefined || level === null) {
      const env = process.env.QODER_LOG;
      level = env && Object.prototype.hasOwnProperty.call(LOG_LEVELS, env.trim().toLowerCase()) ? env.trim().toLowerCase() : 'off';
    }
    if (typeof level !== 'string' || !Object.prototype.hasOwnProperty.call(LOG_LEVELS, level)) {
      throw typeError('new Client', 'logLevel', '"debug", "info", "warn", "error" or "off"', level);
    }
    if (logger !== undefined && logger !== null && (typeof logger !== 'object' && typeof logger !== 'function')) {
      throw typeError('new Client', 'logger', 'an object with debug/info/warn/error methods', logger);
    }
    if (level === 'off') return;
    const sink = logger || console;
    const threshold = LOG_LEVELS[level];
    this.#native.setLogger(level, (json) => {
      let rec;
      try {
        rec = JSON.parse(json);
      } catch {
        return;
      }
      const lvl = rec.event === 'error' ? 'error' : rec.level;
      if (LOG_LEVELS[lvl] < threshold) return;
      const record = {
        level: lvl,
        event: rec.event,
        method: rec.method,
        path: rec.path,
        status: rec.status ?? null,
        attempt: rec.attempt,
        requestId: rec.request_id ?? null,
        delayMs: rec.delay_ms ?? null,
        message: rec.message,
      };
      const fn = typeof sink[lvl] === 'function' ? sink[lvl] : typeof sink.log === 'function' ? sink.log : null;
      if (fn === null) return;
      try {
        fn.call(sink, `[qoder-cloud] ${rec.text}`, record);
      } catch {
        // A failing logger must not break the client.
      }
    });
  }

  #method(op) {
    const client = this;
    const where = `client.${op.jsName}`;
    let fn;
    switch (op.name) {
      // Operations whose request or response is not JSON: one dedicated native call each.
      case 'files.upload':
        fn = function (...argv) {
          const { args, options } = parseCall(op, argv);
          return client.#uploadFile(where, args, options);
        };
        break;
      case 'skills.create':
      case 'skills.versions.create':
        fn = function (...argv) {
          const { args, options } = parseCall(op, argv);
          return client.#uploadSkill(where, args, options);
        };
        break;
      case 'files.download':
      case 'skills.versions.download':
        fn = function (...argv) {
          const { args, options } = parseCall(op, argv);
          const { nopts, signal } = requestOptions(where, options);
          const [id, version] = op.name === 'files.download' ? [args.file_id, null] : [args.skill_id, args.version];
          return client.#traced(op.name, signal, nopts, (token, o) => client.#native.download(id, version, o, token)).then((d) => new BinaryResponse(d, signal));
        };
        break;
      default:
        if (op.response === 'stream') {
          fn = function (...argv) {
            return client.#stream(op, argv);
          };
        } else if (op.response === 'page' || op.response === 'models_page') {
          fn = function (...argv) {
            const { args, options } = parseCall(op, argv);
            const { nopts, signal } = requestOptions(where, options);
            return new PagePromise(() => client.#fetchPage(op, args, { nopts, signal }));
          };
        } else {
          fn = function (...argv) {
            const { args, options } = parseCall(op, argv);
            const { nopts, signal } = requestOptions(where, options);
            return client.#call(op, args, nopts, signal).then((res) => attachMeta(JSON.parse(res.body), res));
          };
        }
    }
    Object.defineProperty(fn, 'name', { value: camel(op.name.split('.').pop()) });
    return fn;
  }

  /** `#run` inside an OpenTelemetry span (lib/otel.js); `start` gets the options to send. */
  #traced(operation, signal, nopts, start) {
    if (!otel.enabled) return this.#run(signal, (token) => start(token, nopts));
    const { span, nopts: traced } = otel.begin(operation, nopts);
    return this.#run(signal, (token) => start(token, traced)).then(
      (res) => {
        otel.end(span, res);
        return res;
      },
      (e) => {
        otel.end(span, null, e);
        throw e;
      },
    );
  }

  /** Runs one native call with the signal wired to a cancel token; maps rejections to typed errors. */
  #run(signal, start) {
    if (signal !== null && signal.aborted) return Promise.reject(aborted());
    if (signal === null) {
      return start(null).catch((e) => {
        throw fromNative(e);
      });
    }
    const token = new native.CancelToken();
    const onAbort = () => token.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    let p;
    try {
      p = start(token);
    } catch (e) {
      signal.removeEventListener('abort', onAbort);
      throw fromNative(e);
    }
    return p.then(
      (res) => {
        signal.removeEventListener('abort', onAbort);
        return res;
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        throw fromNative(e);
      },
    );
  }

  #uploadFile(where, args, options) {
    opts.checkArgsUnicode(where, args);
    const { file, ...rest } = args;
    if (file === undefined || file === null) {
      const e = new errors.InvalidArgumentError(`${where}: missing required argument \`file\``);
      e.param = 'file';
      throw e;
    }
    if (rest.filename !== undefined && typeof rest.filename !== 'string') throw typeError(where, 'filename', 'a string', rest.filename);
    const { nopts, signal } = requestOptions(where, options);
    return Promise.resolve(uploadSource(where, 'file', file, rest.filename)).then((src) =>
      this.#traced('files.upload', signal, nopts, (token, o) => this.#native.uploadFile(src.path, src.data, src.filename ?? null, JSON.stringify(rest), o, token)).then((res) =>
        attachMeta(JSON.parse(res.body), res),
      ),
    );
  }

  #uploadSkill(where, args, options) {
    opts.checkArgsUnicode(where, args);
    const { directory, files, zip, skill_id: skillId, ...rest } = args;
    if (zip !== undefined) {
      // One archive: `{ path: 'skill.zip', data: Buffer }` or `{ path: 'skill.zip', file: '/path/to/skill.zip' }`.
      if (directory !== undefined || files !== undefined) {
        const e = new errors.InvalidArgumentError(`${where}: give only one of \`zip\`, \`directory\` or \`files\``);
        e.param = 'zip';
        throw e;
      }
      if (!isPlainObject(zip) || typeof zip.path !== 'string') throw typeError(where, 'zip', 'an object { path, data | file }', zip);
      const { nopts, signal } = requestOptions(where, options);
      const input = { path: zip.path, data: zip.data ?? undefined, file: zip.file ?? undefined };
      return this.#traced(skillId ? 'skills.versions.create' : 'skills.create', signal, nopts, (token, o) => this.#native.uploadSkillZip(skillId ?? null, input, JSON.stringify(rest), o, token)).then((res) =>
        attachMeta(JSON.parse(res.body), res),
      );
    }
    if ((directory === undefined) === (files === undefined)) {
      const e = new errors.InvalidArgumentError(`${where}: give exactly one of \`directory\` (a folder with SKILL.md) or \`files\``);
      e.param = 'files';
      throw e;
    }
    if (directory !== undefined && typeof directory !== 'string') throw typeError(where, 'directory', 'a directory path', directory);
    const list = files === undefined ? null : skillFiles(where, files);
    const { nopts, signal } = requestOptions(where, options);
    return this.#traced(skillId ? 'skills.versions.create' : 'skills.create', signal, nopts, (token, o) => this.#native.uploadSkill(skillId ?? null, directory ?? null, list, JSON.stringify(rest), o, token)).then((res) =>
      attachMeta(JSON.parse(res.body), res),
    );
  }

  /** `sessions.runTurn` / `sessions.sendAndWait`: the core's turn helper. */
  #turn(where, sessionId, text, events, options, run = null) {
    if (typeof sessionId !== 'string' || sessionId === '') throw typeError(where, 'session_id', 'a string id', sessionId);
    opts.checkUnicode(where, 'session_id', sessionId);
    opts.checkUnicode(where, 'text', text);
    opts.checkUnicode(where, 'events', events);
    if (options !== undefined && options !== null && !isPlainObject(options)) throw typeError(where, 'options', 'an object', options);
    const o = options || {};
    const { eventDeltas, onEvent, ...rest } = o;
    if (eventDeltas !== undefined && typeof eventDeltas !== 'boolean') throw typeError(where, 'eventDeltas', 'a boolean', eventDeltas);
    if (onEvent !== undefined && typeof onEvent !== 'function') throw typeError(where, 'onEvent', 'a function', onEvent);
    // A turn's stream resumes itself: of the stream options, only these two apply.
    for (const k of ['lastEventId', 'resume']) if (k in rest) throw new errors.InvalidArgumentError(`${where}: unknown option \`${k}\``, { param: k });
    const { nopts, signal } = requestOptions(where, rest, true);

    // Events reach `onEvent` through a threadsafe function; the result is held back until every
    // event has been delivered, so callbacks never run after the Promise settles.
    let delivered = 0;
    let expected = -1;
    let release = null;
    let userError = null;
    let token = null;
    const sink =
      onEvent === undefined
        ? null
        : (json) => {
            delivered++;
            if (userError === null) {
              try {
                onEvent(JSON.parse(json));
              } catch (e) {
                userError = e;
                if (token) token.cancel();
              }
            }
            if (release !== null && delivered >= expected) release();
          };
    const eventsJson = events === null ? null : JSON.stringify(events);
    // One span for the whole helper (its send and stream carry its trace context).
    const helper = run !== null ? 'sessions.run_tools' : text !== null ? 'sessions.run_turn' : 'sessions.send_and_wait';
    const { span, nopts: traced } = otel.begin(helper, nopts);
    const cfg = { eventDeltas, options: traced ?? undefined, tools: run === null ? undefined : run.config };
    return this.#run(signal, (t) => {
      token = t || new native.CancelToken();
      return this.#native.runTurn(sessionId, text, eventsJson, cfg, sink, token, run === null ? undefined : run.dispatch);
    }).then(
      (json) => {
        otel.end(span, null);
        if (run !== null) run.abortAll();
        const { result, callbacks } = toTurnResult(json);
        expected = callbacks;
        if (sink === null || delivered >= expected) return result;
        return new Promise((resolve) => {
          release = () => resolve(result);
        });
      },
      (e) => {
        otel.end(span, null, userError ?? e);
        // The core dropped its handler calls: their signals say so.
        if (run !== null) run.abortAll(e);
        throw userError ?? e;
      },
    );
  }

  #call(op, args, nopts, signal) {
    opts.checkArgsUnicode(op.name, args);
    const json = JSON.stringify(args);
    return this.#traced(op.name, signal, nopts, (token, o) => this.#native.call(op.name, json, o, token));
  }

  #fetchPage(op, args, callOpts) {
    const fetcher = (o, a, c) => this.#fetchPage(o, a, c);
    return this.#call(op, args, callOpts.nopts, callOpts.signal).then((res) => new Page(fetcher, op, callOpts, JSON.parse(res.body), res));
  }

  #stream(op, argv) {
    const { args, nopts, signal, lastEventId, batchSize } = parseStream(op, argv);
    opts.checkArgsUnicode(op.name, args);
    if (signal !== null && signal.aborted) return new Stream(null, { signal, lastEventId, batchSize });
    const { span, nopts: traced } = otel.begin(op.name, nopts);
    let ns;
    try {
      ns = this.#native.stream(op.name, JSON.stringify(args), traced);
    } catch (e) {
      const err = fromNative(e);
      otel.end(span, null, err);
      throw err;
    }
    return new Stream(ns, { signal, lastEventId, batchSize, onEnd: span === null ? null : (err) => otel.end(span, null, err) });
  }

  /** The base URL in force. */
  get baseURL() {
    return this.#native.baseUrl;
  }

  /** Whether `close()` was called. */
  get closed() {
    return this.#closed;
  }

  /**
   * Closes the client: in-flight calls reject with ClientClosedError, open streams close, and
   * the connection pool is released. Idempotent.
   */
  close() {
    this.#closed = true;
    this.#native.close();
  }

  /** The core's operation table, as used to build the namespaces. */
  static get operations() {
    return OPERATIONS;
  }

  get [Symbol.toStringTag]() {
    return 'Client';
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Client.prototype[Symbol.dispose] = function dispose() {
    this.close();
  };
}

/** The core's version (the Rust crate this addon was built from). */
const coreVersion = native.coreVersion();
const { customTool } = tools;
const EnvironmentWorker = defineWorker((client) => {
  if (!(client instanceof Client)) throw typeError('new EnvironmentWorker', 'client', 'a Client', client);
  return nativeOf(client);
});

/** Lower-case hex SHA-256 of `content`: the memory update/delete precondition. */
function contentSha256(content) {
  if (typeof content !== 'string') throw typeError('contentSha256', 'content', 'a string', content);
  return native.contentSha256(content);
}

// Names only (no computed values): Node reads this object statically to give ESM importers
// (index.mjs) the same named exports, the error classes included.
module.exports = {
  Client,
  default: Client,
  Page,
  PagePromise,
  Stream,
  BinaryResponse,
  DeltaAccumulator,
  isKnownEventType,
  VERSION,
  coreVersion,
  customTool,
  EnvironmentWorker,
  contentSha256,
  ...require('./lib/errors'),
};

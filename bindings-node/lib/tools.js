'use strict';
// The tool runner's JS half: checks `sessions.runTools` arguments and builds the one dispatch
// function through which the core calls the user's handlers and confirmation callback (see
// src/tools.rs). The runner itself (what to call, when, and sending each result once) is the
// core's.

const native = require('./native');
const { fromNative } = require('./errors');
const { typeError, isPlainObject } = require('./options');

/** `"Name: message"` of a thrown value (mirrors Python's `"ValueError: ..."`). */
function describe(e) {
  if (e instanceof Error) return e.message ? `${e.name}: ${e.message}` : e.name;
  return String(e);
}

function names(where, what, v) {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'string')) throw typeError(where, what, 'an array of tool names', v);
  return v;
}

/**
 * The native runner config and dispatcher of `runTools` params. `abortAll(reason)` aborts the
 * signals of handlers still running (called when the run settles or is aborted).
 */
function runner(where, params) {
  const { tools = {}, confirm, allowTools, denyTools, denyMessage } = params;
  if (!isPlainObject(tools) || !Object.values(tools).every((f) => typeof f === 'function')) {
    throw typeError(where, 'tools', 'an object mapping tool names to functions', tools);
  }
  if (confirm !== undefined && confirm !== null && typeof confirm !== 'function') throw typeError(where, 'confirm', 'a function', confirm);
  if (denyMessage !== undefined && denyMessage !== null && typeof denyMessage !== 'string') throw typeError(where, 'denyMessage', 'a string', denyMessage);
  const config = {
    names: Object.keys(tools),
    confirm: typeof confirm === 'function',
    allowTools: names(where, 'allowTools', allowTools),
    denyTools: names(where, 'denyTools', denyTools),
    denyMessage: denyMessage ?? undefined,
  };
  const running = new Set();
  async function callTool(req) {
    const ac = new AbortController();
    running.add(ac);
    try {
      const context = { id: req.id, name: req.name, sessionThreadId: req.session_thread_id ?? null, signal: ac.signal };
      const value = await tools[req.name](req.input, context);
      return JSON.stringify({ ok: value === undefined ? null : value });
    } catch (e) {
      return JSON.stringify({ error: describe(e) });
    } finally {
      running.delete(ac);
    }
  }
  async function decide(req) {
    try {
      const d = await confirm(req.event);
      if (d === true) return '{"decision":"allow"}';
      if (d === null || d === undefined) return '{"decision":"defer"}';
      if (typeof d === 'string') return JSON.stringify({ decision: 'deny', message: d });
      if (d === false) return '{"decision":"deny"}';
      return JSON.stringify({ decision: 'deny', message: `the confirm callback returned an unusable ${typeof d}` });
    } catch (e) {
      return JSON.stringify({ decision: 'deny', message: `the confirmation callback failed: ${describe(e)}` });
    }
  }
  // Never rejects: the core gets an answer for every request.
  function dispatch(json) {
    const req = JSON.parse(json);
    return req.kind === 'tool' ? callTool(req) : decide(req);
  }
  function abortAll(reason) {
    for (const ac of running) ac.abort(reason);
    running.clear();
  }
  return { config, dispatch, abortAll };
}

/**
 * A client-executed (`custom`) tool definition for an agent's `tools` list, checked by the core:
 * `name` 1–128 characters, `description` at most 4,096, `inputSchema` a JSON Schema object of
 * `type: "object"`. Throws an InvalidArgumentError naming the offending field.
 */
function customTool({ name, description, inputSchema } = {}) {
  const where = 'customTool';
  if (typeof name !== 'string') throw typeError(where, 'name', 'a string', name);
  if (typeof description !== 'string') throw typeError(where, 'description', 'a string', description);
  if (!isPlainObject(inputSchema)) throw typeError(where, 'inputSchema', 'a JSON Schema object', inputSchema);
  try {
    return JSON.parse(native.customTool(name, description, JSON.stringify(inputSchema)));
  } catch (e) {
    throw fromNative(e);
  }
}

module.exports = { runner, customTool };

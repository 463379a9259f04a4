'use strict';
// Helpers of the reliability suite (reliability, bad-input, secrets and concurrency tests).

const fs = require('node:fs');
const path = require('node:path');
const { waitFor, uniq } = require('./emulator');

/** Request options carrying a per-request emulator fault with a fresh counter. */
function fault(spec, extra = {}) {
  return { ...extra, headers: { ...(extra.headers || {}), 'x-emulator-fault': `${spec};id=${uniq('f')}` } };
}

/** The raw header object for a fault (for stream params). */
function faultHeader(spec) {
  return { 'x-emulator-fault': `${spec};id=${uniq('f')}` };
}

/** An IMF-fixdate `secondsAhead` seconds from now (e.g. `Sun, 22 Nov 2026 10:00:00 GMT`). */
function httpDate(secondsAhead) {
  return new Date(Date.now() + secondsAhead * 1000).toUTCString();
}

/**
 * Open TCP connections on the emulator other than the one serving this very stats request
 * (`connections.open` counts it too).
 */
async function apiConnections(emu) {
  return (await emu.stats()).connections.open - 1;
}

/** Waits (bounded) until the emulator holds no API connection at all. */
function noApiConnections(emu, what = 'zero open API connections', timeoutMs = 10000) {
  return waitFor(async () => {
    const n = await apiConnections(emu);
    return n <= 0 ? true : n;
  }, what, timeoutMs);
}

/** `stats.requests[route]` (0 when absent). */
function routeCount(stats, route) {
  return stats.requests[route] || 0;
}

/** `stats.objects_created[type]` (0 when absent). */
function createdCount(stats, type) {
  return stats.objects_created[type] || 0;
}

/** Every persisted event id of a session, from the list endpoint (oldest first). */
async function listIds(client, sessionId) {
  const ids = [];
  for await (const e of client.sessions.events.list(sessionId, { limit: 100 })) ids.push(e.id);
  return ids;
}

/** Every persisted event of a session, from the list endpoint (oldest first). */
async function listEvents(client, sessionId) {
  const out = [];
  for await (const e of client.sessions.events.list(sessionId, { limit: 100 })) out.push(e);
  return out;
}

/** The text of a message event (its text blocks joined). */
function textOf(ev) {
  return (ev.content || []).map((b) => (b.type === 'text' ? b.text : '')).join('');
}

/** `<workspace>/target/reliability` (created). */
function reliabilityDir() {
  const dir = path.resolve(__dirname, '..', '..', '..', 'target', 'reliability');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Outcome of calling `fn`: a synchronous throw, a rejected Promise (or a stream whose first
 * `next()` rejects) → `{ error }`; anything that completes → `{ value }`.
 */
async function outcome(fn) {
  let r;
  try {
    r = fn();
  } catch (error) {
    return { error, sync: true };
  }
  try {
    if (r && typeof r.then === 'function') return { value: await r };
    if (r && typeof r.next === 'function' && typeof r.close === 'function') {
      try {
        return { value: await r.next() };
      } finally {
        r.close();
      }
    }
    return { value: r };
  } catch (error) {
    return { error, sync: false };
  }
}

/** Heap and RSS now, after a full GC when one can be forced. */
function gcNow() {
  if (typeof global.gc === 'function') {
    global.gc();
    return;
  }
  // Enable gc() for this process without a command-line flag.
  require('node:v8').setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  global.gc = gc;
  gc();
}

function memory() {
  gcNow();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
}

const MB = 1024 * 1024;

module.exports = {
  fault,
  faultHeader,
  httpDate,
  apiConnections,
  noApiConnections,
  routeCount,
  createdCount,
  listIds,
  listEvents,
  textOf,
  reliabilityDir,
  outcome,
  memory,
  MB,
};

'use strict';
// Small builders shared by the test files.

const { before, after } = require('node:test');
const { Client } = require('../..');
const { startEmulator, uniq } = require('./emulator');

/** A client for `emu` (no retries unless asked: tests stay fast and deterministic). */
function clientFor(emu, options = {}) {
  return new Client({ accessToken: emu.token, baseURL: emu.baseURL, maxRetries: 0, ...options });
}

/**
 * One emulator and one client for a test file: registers the `before` / `after` hooks and
 * returns an object whose `emu` and `client` are set once `before` ran.
 */
function useEmulator(args = [], clientOptions = {}) {
  const ctx = { emu: null, client: null };
  before(async () => {
    ctx.emu = await startEmulator(args);
    ctx.client = clientFor(ctx.emu, clientOptions);
  });
  after(async () => {
    ctx.client.close();
    await ctx.emu.stop();
  });
  return ctx;
}

/** Creates an agent, an environment and a session. */
async function newSession(client, extra = {}) {
  const agent = await client.agents.create({ name: uniq('agent'), model: 'auto' });
  const env = await client.environments.create({ name: uniq('env'), config: { type: 'cloud', networking: { type: 'unrestricted' } } });
  const session = await client.sessions.create({ agent: agent.id, environment_id: env.id, ...extra });
  return { agent, env, session };
}

/** Sends one user message; resolves to the persisted user.message event. */
async function say(client, sessionId, text, options) {
  const sent = await client.sessions.events.send(sessionId, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] }, options);
  return sent.data[0];
}

/** Reads a stream until `pred(event)` holds (inclusive); returns the events read. */
async function readUntil(stream, pred) {
  const out = [];
  for await (const ev of stream) {
    out.push(ev);
    if (pred(ev)) break;
  }
  return out;
}

module.exports = { clientFor, newSession, say, readUntil, useEmulator };

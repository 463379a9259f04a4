'use strict';
// Spawns the emulator binary for a test file and offers small helpers around it.
// Binary: env QODER_EMULATOR_BIN, default ../target/debug/qoder-emulator (relative to bindings-node).

const { spawn } = require('node:child_process');
const path = require('node:path');
const http = require('node:http');

const BIN = process.env.QODER_EMULATOR_BIN || path.resolve(__dirname, '..', '..', '..', 'target', 'debug', 'qoder-emulator');
const TOKEN = 'test-token-3f9c2a71';

/** Starts an emulator; resolves once it printed its `listening ...` line. */
function startEmulator(args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['--port', '0', '--exit-on-stdin-close', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const onExit = (code) => reject(new Error(`emulator exited early (code ${code}); output: ${out}`));
    child.once('error', reject);
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', function onData(chunk) {
      out += chunk;
      const m = out.match(/listening (\S+)/);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      child.off('exit', onExit);
      const baseURL = m[1];
      const origin = new URL(baseURL).origin;
      resolve({
        baseURL,
        origin,
        child,
        token: TOKEN,
        /** `GET /_emulator/stats` (no auth). */
        stats: () => getJson(`${origin}/_emulator/stats`),
        /** Stops the emulator (closes its stdin) and waits for it to exit. */
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.stdin.end();
          }),
      });
    });
  });
}

/** GET a JSON document without keeping sockets alive (so test processes exit promptly). */
function getJson(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(new Error(`${url}: ${res.statusCode} ${body}`));
        }
      });
    });
    req.on('error', reject);
  });
}

/**
 * Re-checks `cond` until it holds or `timeoutMs` passes (then throws with `what`). Used for
 * server-side effects that become visible asynchronously (e.g. a closed stream's socket).
 */
async function waitFor(cond, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await cond();
    if (last === true) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let seq = 0;
/** A unique suffix for names and fault ids. */
function uniq(prefix = 'x') {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}-${Math.random().toString(36).slice(2, 8)}`;
}

module.exports = { BIN, TOKEN, startEmulator, getJson, waitFor, uniq };

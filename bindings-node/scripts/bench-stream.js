#!/usr/bin/env node
'use strict';
// Stream-throughput driver for the benchmarks (issue #7). Prints one JSON object.
//
//   node scripts/bench-stream.js <ours|ours-batch|peer> <baseURL> <sessionId> <eventCount> [token]
//
// Reads the first <eventCount> events of the session's stream (its history replay):
//   ours        `for await (const ev of client.sessions.events.stream(id))`
//   ours-batch  `await stream.nextBatch(512)` in a loop
//   peer        a hand-written client: fetch + eventsource-parser + JSON.parse per event
// Every mode touches `ev.type` of every event. Use a release addon (QODER_NODE_ADDON or
// `npm run build`) for meaningful numbers.

const [mode, baseURL, sessionId, countArg, token = process.env.QODER_ACCESS_TOKEN || 'pt-bench'] = process.argv.slice(2);
const count = Number(countArg);
if (!['ours', 'ours-batch', 'peer'].includes(mode) || !baseURL || !sessionId || !(count > 0)) {
  process.stderr.write('usage: bench-stream.js <ours|ours-batch|peer> <baseURL> <sessionId> <eventCount> [token]\n');
  process.exit(2);
}

async function ours() {
  const { Client } = require('..');
  const client = new Client({ accessToken: token, baseURL });
  let n = 0;
  let types = 0;
  const t0 = performance.now();
  const stream = client.sessions.events.stream(sessionId);
  for await (const ev of stream) {
    types += ev.type.length;
    if (++n === count) break;
  }
  const s = (performance.now() - t0) / 1000;
  client.close();
  return { n, s, types };
}

async function oursBatch() {
  const { Client } = require('..');
  const client = new Client({ accessToken: token, baseURL });
  let n = 0;
  let types = 0;
  const t0 = performance.now();
  const stream = client.sessions.events.stream(sessionId);
  while (n < count) {
    const batch = await stream.nextBatch(512);
    if (batch.length === 0) break;
    for (const ev of batch) {
      types += ev.type.length;
      if (++n === count) break;
    }
  }
  stream.close();
  const s = (performance.now() - t0) / 1000;
  client.close();
  return { n, s, types };
}

async function peer() {
  const { createParser } = require('eventsource-parser');
  let n = 0;
  let types = 0;
  const t0 = performance.now();
  const controller = new AbortController();
  const res = await fetch(`${baseURL}/sessions/${sessionId}/events/stream`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const parser = createParser({
    onEvent(e) {
      const ev = JSON.parse(e.data);
      types += ev.type.length;
      n++;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (n >= count) break;
  }
  const s = (performance.now() - t0) / 1000;
  controller.abort();
  return { n: Math.min(n, count), s, types };
}

({ ours, 'ours-batch': oursBatch, peer })[mode]().then(
  ({ n, s }) => {
    process.stdout.write(JSON.stringify({ mode, events: n, seconds: s, events_per_sec: n / s }) + '\n');
    process.exit(n === count ? 0 : 1);
  },
  (e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);

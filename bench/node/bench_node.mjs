// Node benchmark driver: qoder-cloud (ours) versus the usual hand-written client
// (fetch + eventsource-parser + JSON.parse for streams, fetch + JSON.parse for REST).
// Usage: node bench_node.mjs <scenario> ours|fetch <base> [args...]; prints one JSON object.
//   stream ours|fetch base sid expected
//   rt     ours|fetch base retrieve|list n concurrency [agentId]
import { createRequire } from 'node:module';
import { EventSourceParserStream } from 'eventsource-parser/stream';

const require = createRequire(import.meta.url);
const TOKEN = 'pt-bench';
const [scenario, kind, base, ...rest] = process.argv.slice(2);

function ours() {
  const { Client } = require('../../bindings-node');
  return new Client({ accessToken: TOKEN, baseURL: base });
}

async function streamOurs(sid, expected) {
  const client = ours();
  let n = 0;
  const t0 = performance.now();
  const stream = client.sessions.events.stream(sid);
  for await (const ev of stream) {
    ev.type;
    if (++n >= expected) break;
  }
  const secs = (performance.now() - t0) / 1000;
  client.close();
  return { events: n, seconds: secs, events_per_sec: n / secs };
}

async function streamFetch(sid, expected) {
  let n = 0;
  const t0 = performance.now();
  const ac = new AbortController();
  const resp = await fetch(`${base}/sessions/${sid}/events/stream`, {
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' },
    signal: ac.signal,
  });
  const events = resp.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const msg of events) {
    const ev = JSON.parse(msg.data);
    ev.type;
    if (++n >= expected) break;
  }
  ac.abort();
  const secs = (performance.now() - t0) / 1000;
  return { events: n, seconds: secs, events_per_sec: n / secs };
}

async function roundTrips(which, op, n, conc, agentId) {
  const client = which === 'ours' ? ours() : null;
  const lat = [];
  const one = async () => {
    const t = performance.now();
    if (client) {
      if (op === 'retrieve') await client.agents.retrieve(agentId);
      else await client.agents.list({ limit: 20 });
    } else {
      const url = op === 'retrieve' ? `${base}/agents/${agentId}` : `${base}/agents?limit=20`;
      const r = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      JSON.parse(await r.text());
    }
    lat.push(performance.now() - t);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { for (let i = 0; i < n / conc; i++) await one(); }));
  const secs = (performance.now() - t0) / 1000;
  if (client) client.close();
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.floor((lat.length - 1) * p)];
  return { requests: lat.length, seconds: secs, requests_per_sec: lat.length / secs, p50_ms: pct(0.5), p99_ms: pct(0.99) };
}

let out;
if (scenario === 'stream') {
  const [sid, expected] = [rest[0], Number(rest[1])];
  out = kind === 'ours' ? await streamOurs(sid, expected) : await streamFetch(sid, expected);
} else if (scenario === 'rt') {
  out = await roundTrips(kind, rest[0], Number(rest[1]), Number(rest[2]), rest[3]);
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
console.log(JSON.stringify(out));

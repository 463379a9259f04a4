// Node benchmark driver: qoder-cloud (ours) versus the usual hand-written clients.
// Streams: `fetch` = fetch + TextDecoderStream + EventSourceParserStream + JSON.parse;
//          `nodehttp` = node:http / node:https `request` + setEncoding('utf8') + eventsource-parser's
//          `createParser` + JSON.parse (no web streams in between: the strongest plain baseline).
// REST:    `fetch` = fetch + JSON.parse.
// Every stream reader reads `type`, `id` and one payload field of each event (`processed_at`, or
// the first content block's text of an `agent.message`).
// TLS (https base URLs): ours trusts the CA file named by BENCH_CA through the `caCerts` option;
// the baselines get it through NODE_EXTRA_CA_CERTS in their environment (set by bench/run.py),
// which both undici's fetch and node:https honour.
// Usage: node bench_node.mjs <scenario> ours|fetch|nodehttp <base> [args...]; prints one JSON object.
//   stream ours|fetch|nodehttp|parse base sid expected   (parse: JSON.parse + touch alone, no I/O)
//   rt     ours|fetch base retrieve|list n concurrency [agentId]
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { createParser } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';

const require = createRequire(import.meta.url);
const TOKEN = 'pt-bench';
const CA = process.env.BENCH_CA || null;
const [scenario, kind, base, ...rest] = process.argv.slice(2);

function ours() {
  const { Client } = require('../../bindings-node');
  return new Client({ accessToken: TOKEN, baseURL: base, ...(CA ? { caCerts: CA } : {}) });
}

// A user's work per event: type, id and one payload field.
function touch(ev) {
  const t = ev.type;
  ev.id;
  if (t === 'agent.message') return ev.content[0].text.length;
  return String(ev.processed_at).length;
}

function check(n, expected) {
  if (n < expected) throw new Error(`stream ended after ${n} of ${expected} events`);
}

async function streamOurs(sid, expected) {
  const client = ours();
  let n = 0;
  let chars = 0;
  const t0 = performance.now();
  const stream = client.sessions.events.stream(sid);
  for await (const ev of stream) {
    chars += touch(ev);
    if (++n >= expected) break;
  }
  const secs = (performance.now() - t0) / 1000;
  client.close();
  check(n, expected);
  return { events: n, field_chars: chars, seconds: secs, events_per_sec: n / secs };
}

async function streamFetch(sid, expected) {
  let n = 0;
  let chars = 0;
  const t0 = performance.now();
  const ac = new AbortController();
  const resp = await fetch(`${base}/sessions/${sid}/events/stream`, {
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' },
    signal: ac.signal,
  });
  if (!resp.ok) throw new Error(`stream: HTTP ${resp.status}`);
  const events = resp.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const msg of events) {
    chars += touch(JSON.parse(msg.data));
    if (++n >= expected) break;
  }
  ac.abort();
  const secs = (performance.now() - t0) / 1000;
  check(n, expected);
  return { events: n, field_chars: chars, seconds: secs, events_per_sec: n / secs };
}

function streamNodeHttp(sid, expected) {
  const url = new URL(`${base}/sessions/${sid}/events/stream`);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let n = 0;
    let chars = 0;
    let done = false;
    const t0 = performance.now();
    const req = mod.request(url, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        done = true;
        req.destroy();
        reject(new Error(`stream: HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      const parser = createParser({
        onEvent(msg) {
          if (done) return;
          chars += touch(JSON.parse(msg.data));
          if (++n >= expected) {
            done = true;
            const secs = (performance.now() - t0) / 1000;
            req.destroy();
            resolve({ events: n, field_chars: chars, seconds: secs, events_per_sec: n / secs, alpn: res.socket?.alpnProtocol ?? null });
          }
        },
      });
      res.on('data', (chunk) => parser.feed(chunk));
      res.on('end', () => { if (!done) { done = true; reject(new Error(`stream ended after ${n} of ${expected} events`)); } });
      res.on('error', (e) => { if (!done) { done = true; reject(e); } });
    });
    req.on('error', (e) => { if (!done) { done = true; reject(e); } });
    req.end();
  });
}

// The ceiling of any client doing this work: the same events, already in memory as JSON array
// texts of 256 (no I/O, no framing, no TLS), only `JSON.parse` + `touch`. Its events/s divided by
// a transport baseline's is the largest ratio any client that builds the same objects can reach.
async function parseOnly(sid, expected) {
  const client = ours();
  const texts = [];
  for await (const ev of client.sessions.events.stream(sid)) {
    texts.push(JSON.stringify(ev));
    if (texts.length >= expected) break;
  }
  client.close();
  const batches = [];
  for (let i = 0; i < texts.length; i += 256) batches.push(`[${texts.slice(i, i + 256).join(',')}]`);
  let n = 0;
  let chars = 0;
  const t0 = performance.now();
  for (const b of batches) {
    for (const ev of JSON.parse(b)) {
      chars += touch(ev);
      n++;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  check(n, expected);
  return { events: n, field_chars: chars, seconds: secs, events_per_sec: n / secs };
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
  const run = { ours: streamOurs, fetch: streamFetch, nodehttp: streamNodeHttp, parse: parseOnly }[kind];
  if (!run) {
    console.error(`unknown stream client ${kind}`);
    process.exit(2);
  }
  out = await run(sid, expected);
} else if (scenario === 'rt') {
  out = await roundTrips(kind, rest[0], Number(rest[1]), Number(rest[2]), rest[3]);
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
console.log(JSON.stringify(out));
// Nothing may keep the process alive after the measurement (a destroyed socket, an idle agent).
process.exit(0);

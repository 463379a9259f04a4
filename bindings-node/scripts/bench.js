#!/usr/bin/env node
'use strict';
// Local stream-throughput comparison (issue #7): starts a release emulator, prepares one session
// whose history holds N mixed-size events (~90% ~150 B, ~10% ~1 KB messages, like the shared
// benchmark), then runs scripts/bench-stream.js for ours and the peer alternately and prints
// medians. Build the release addon first (`npm run build`) or point QODER_NODE_ADDON at one.
//
//   node scripts/bench.js [events=100000] [runs=5]      (BENCH_MIX=small: only ~150 B messages)

const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');

const events = Number(process.argv[2] || 100000);
const runs = Number(process.argv[3] || 5);
const root = path.resolve(__dirname, '..', '..');
const emulatorBin = process.env.QODER_EMULATOR_BIN || path.join(root, 'target', 'release', 'qoder-emulator');

async function main() {
  const emu = spawn(emulatorBin, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve) => emu.stdout.once('data', (d) => resolve(String(d))));
  const base = line.match(/listening (\S+)/)[1];
  const { Client } = require('..');
  const client = new Client({ accessToken: 'pt-bench', baseURL: base });
  try {
    const agent = await client.agents.create({ name: 'bench', model: 'auto' });
    const env = await client.environments.create({ name: 'bench' });
    const session = await client.sessions.create({ agent: agent.id, environment_id: env.id });
    const small = Math.floor((events * 9) / 10);
    // BENCH_MIX=small: every message ~150 B of text.
    const text = process.env.BENCH_MIX === 'small' ? `[[burst ${events} size=100-200]]` : `[[burst ${small} size=100-200]] [[burst ${events - small} size=900-1100]]`;
    await client.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] });
    for (;;) {
      if ((await client.sessions.retrieve(session.id)).status === 'idle') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    let count = 0;
    for await (const e of client.sessions.events.list(session.id, { limit: 100 })) count += e ? 1 : 0;
    const results = {};
    const modes = ['peer', 'ours', 'ours-batch'];
    for (let i = 0; i < runs; i++) {
      for (const mode of modes) {
        const out = execFileSync(process.execPath, [path.join(__dirname, 'bench-stream.js'), mode, base, session.id, String(count), 'pt-bench'], { encoding: 'utf8' });
        (results[mode] ||= []).push(JSON.parse(out).events_per_sec);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const peer = median(results.peer);
    for (const mode of modes) {
      const m = median(results[mode]);
      console.log(`${mode.padEnd(11)} ${Math.round(m).toLocaleString('en').padStart(10)} events/s  ${(m / peer).toFixed(2)}x  [${results[mode].map((x) => Math.round(x / 1000) + 'k').join(' ')}]`);
    }
    console.log(`(${count} events, ${runs} runs each, addon: ${process.env.QODER_NODE_ADDON || 'qoder-cloud.node'})`);
  } finally {
    client.close();
    emu.stdin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

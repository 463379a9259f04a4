#!/usr/bin/env node
'use strict';
// `qoder-emulator` on the PATH of npm/pnpm/bun projects: runs the prebuilt emulator binary from
// this platform's package with the same arguments, stdio and exit status.

const { spawn } = require('node:child_process');
const { emulatorPath } = require('../lib/platform');

let bin;
try {
  bin = emulatorPath();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}
child.on('error', (e) => {
  process.stderr.write(`qoder-emulator: cannot start ${bin}: ${e.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, as a shell would report it (our own handlers are removed first).
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  else process.exit(code === null ? 1 : code);
});

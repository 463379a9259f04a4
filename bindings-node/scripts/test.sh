#!/usr/bin/env bash
# Full check of the Node package from a fresh clone:
#   npm ci (dev tools, exactly the lockfile), the native addon built by scripts/build.js,
#   cargo build of the emulator, the d.ts freshness check, tsc over the examples and the types
#   test, and the node:test suite against the emulator.
# Env: QODER_NODE_PROFILE (debug by default here; release for benchmarks),
#      QODER_EMULATOR_BIN (default: <workspace>/target/debug/qoder-emulator).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workspace="$(cd "$here/.." && pwd)"
cd "$here"

export QODER_NODE_PROFILE="${QODER_NODE_PROFILE:-debug}"

echo "==> npm ci, then the native addon (profile: $QODER_NODE_PROFILE)"
npm ci --no-audit --no-fund
node scripts/build.js

echo "==> cargo build -p qoder-emulator, and the hostile server"
(cd "$workspace" && cargo build -p qoder-emulator && cargo build -p qoder-tests --bin qoder-hostile)
export QODER_EMULATOR_BIN="${QODER_EMULATOR_BIN:-$workspace/target/debug/qoder-emulator}"
export QODER_HOSTILE_BIN="${QODER_HOSTILE_BIN:-$workspace/target/debug/qoder-hostile}"

echo "==> error classes and index.d.ts up to date (core/errors.json, the operation table)"
node scripts/gen-errors.js --check
node scripts/gen-dts.js --check

echo "==> tsc --strict --noEmit (examples + types test)"
node node_modules/typescript/bin/tsc -p test/types/tsconfig.json

echo "==> node --test"
node --test --test-timeout=180000 test/*.test.js test/*.test.mjs

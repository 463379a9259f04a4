#!/usr/bin/env bash
# Benchmarks: builds in release mode, installs the peers (qca-sdk, eventsource-parser), starts a
# release emulator and runs every scenario, ours and the peer alternately. Writes BENCHMARKS.md
# and bench/results/latest.json. Usage: ./scripts/bench.sh [--runs N] [--only a,b]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
log "release build"
cargo build -q --release -p qoder-emulator -p qoder-bench
if [ -f "$ROOT/bindings-python/pyproject.toml" ]; then
  ensure_venv
  log "installing the Python package (release) and the peer qca-sdk"
  "$VENV_BIN/python" -m pip install -q --disable-pip-version-check "$ROOT/bindings-python" "qca-sdk==0.11.0"
fi
if [ -f "$ROOT/bindings-node/package.json" ]; then
  log "installing the Node package and the peer's eventsource-parser"
  (cd "$ROOT/bindings-node" && npm ci --no-audit --no-fund --loglevel=error && node scripts/build.js --release)
  (cd "$ROOT/bench/node" && npm install --no-audit --no-fund --loglevel=error)
fi
python3 "$ROOT/bench/run.py" "$@"

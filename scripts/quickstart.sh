#!/usr/bin/env bash
# The main job: start a fresh local emulator and run the streamed quickstart in Rust, Python and
# Node against it. Installs what it needs (Python venv + package, npm packages) by itself, builds
# in debug (the first run compiles for a few minutes; cargo shows its progress) and leaves the
# work tree as it found it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
start=$(date +%s)

log "[1/5] building the emulator and the Rust quickstart (debug)"
cargo build -p qoder-emulator -p qoder-examples
start_emulator

log "[2/5] Rust quickstart"
"$ROOT/target/debug/quickstart"

if [ -f "$ROOT/bindings-python/pyproject.toml" ]; then
  ensure_venv
  log "[3/5] building and installing the Python package into .venv (maturin develop, debug)"
  (cd "$ROOT/bindings-python" && VIRTUAL_ENV="$VENV" PATH="$VENV_BIN:$PATH" "$VENV_BIN/maturin" develop)
  log "[4/5] Python quickstart (async, then sync)"
  "$VENV_BIN/python" "$ROOT/examples/python/quickstart.py"
  "$VENV_BIN/python" "$ROOT/examples/python/quickstart_sync.py"
fi

if [ -f "$ROOT/bindings-node/package.json" ]; then
  log "[5/5] building the Node addon (debug) and running the Node quickstart"
  # `npm ci` installs exactly the committed lockfile and never rewrites it.
  (cd "$ROOT/bindings-node" && npm ci --no-audit --no-fund --loglevel=error && node scripts/build.js --debug)
  # The example depends on the local package (file:../../bindings-node), linked by npm.
  (cd "$ROOT/examples/node" && npm install --no-audit --no-fund --loglevel=error --no-package-lock && node quickstart.mjs "Hello from the Node quickstart!")
fi

log "quickstart finished in $(( $(date +%s) - start ))s. Next:
  - run the emulator yourself:  cargo run -p qoder-emulator -- --port 4010
  - point any client at it:     export QODER_BASE_URL=http://127.0.0.1:4010/api/v1/cloud QODER_ACCESS_TOKEN=pt-anything
  - the examples:               examples/rust, examples/python, examples/node
  - build what users install:   ./scripts/package.sh   (wheel, sdist, npm tarballs into dist/)
  - every test suite:           ./scripts/test.sh"

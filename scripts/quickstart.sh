#!/usr/bin/env bash
# The main job: start a fresh local emulator and run the streamed quickstart in Rust, Python and
# Node against it. Installs what it needs (Python venv + package, npm packages) by itself.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

log "building the Rust quickstart"
cargo build -q -p qoder-examples
start_emulator

log "Rust quickstart"
"$ROOT/target/debug/quickstart"

if [ -f "$ROOT/bindings-python/pyproject.toml" ]; then
  ensure_venv
  log "installing the Python package"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$ROOT/bindings-python"
  log "Python quickstart (async)"
  "$VENV/bin/python" "$ROOT/examples/python/quickstart.py"
  log "Python quickstart (sync)"
  "$VENV/bin/python" "$ROOT/examples/python/quickstart_sync.py"
fi

if [ -f "$ROOT/bindings-node/package.json" ]; then
  log "installing the Node package"
  (cd "$ROOT/bindings-node" && npm install --no-audit --no-fund --loglevel=error)
  log "Node quickstart"
  # The example depends on the local package (file:../../bindings-node), linked by npm.
  (cd "$ROOT/examples/node" && npm install --no-audit --no-fund --loglevel=error && node quickstart.mjs "Hello from the Node quickstart!")
fi
log "quickstart finished"

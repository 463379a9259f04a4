# Shared helpers for the project scripts. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
VENV="$ROOT/.venv"

log() { printf '\n==> %s\n' "$*" >&2; }

# Creates the Python venv with the build and test tools, once.
ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating Python venv at $VENV"
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "maturin>=1.5,<2" "pytest>=8" "pytest-asyncio>=0.24" "mypy>=1.10"
}

# Builds the emulator binary (debug) and prints its path.
build_emulator() {
  cargo build -q -p qoder-emulator >&2
  echo "$ROOT/target/debug/qoder-emulator"
}

# Starts the emulator on an ephemeral port; sets EMU_URL. It exits when this shell exits
# (its stdin is a pipe from us, and it is started with --exit-on-stdin-close).
start_emulator() {
  local bin; bin="$(build_emulator)"
  coproc EMU { exec "$bin" --port 0 --exit-on-stdin-close "$@"; }
  local line
  IFS= read -r line <&"${EMU[0]}"
  EMU_URL="${line#listening }"
  export QODER_BASE_URL="$EMU_URL"
  export QODER_ACCESS_TOKEN="${QODER_ACCESS_TOKEN:-pt-emulator-token}"
  log "emulator at $EMU_URL"
}

# Shared helpers for the project scripts. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
VENV="$ROOT/.venv"
# Windows venvs keep their executables in Scripts/, every other platform in bin/.
case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) VENV_BIN="$VENV/Scripts" ;; *) VENV_BIN="$VENV/bin" ;; esac
# The interpreter that makes the venv: python3, else python (Windows installs have only that).
PYTHON3="$(command -v python3 || command -v python || echo python3)"

log() { printf '\n==> %s\n' "$*" >&2; }

# Creates the Python venv with the build and test tools, once.
ensure_venv() {
  if [ ! -x "$VENV_BIN/python" ] && [ ! -x "$VENV_BIN/python.exe" ]; then
    log "creating Python venv at $VENV"
    "$PYTHON3" -m venv "$VENV"
  fi
  "$VENV_BIN/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  "$VENV_BIN/python" -m pip install -q --disable-pip-version-check -r "$ROOT/scripts/python-dev-requirements.txt"
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

#!/usr/bin/env bash
# Builds and tests the Python package against the emulator, from a fresh clone.
#
#   bindings-python/scripts/test.sh [pytest args...]
#
# - creates the virtualenv <repo>/.venv if missing (override with VENV=...);
# - installs maturin, pytest, pytest-asyncio and mypy into it;
# - builds the emulator (cargo build -p qoder-emulator);
# - installs the package into the venv: `maturin develop` (debug build, editable) by default,
#   or `pip install ./bindings-python` (a real wheel build) with QODER_PY_INSTALL=wheel;
# - runs pytest, failing if no test ran.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKG="$(dirname "$HERE")"
ROOT="$(dirname "$PKG")"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtualenv $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

echo "==> installing build and test tools"
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet -r "$ROOT/scripts/python-dev-requirements.txt"

echo "==> building the emulator and the hostile server"
(cd "$ROOT" && cargo build -p qoder-emulator && cargo build -p qoder-tests --bin qoder-hostile)
export QODER_EMULATOR_BIN="${QODER_EMULATOR_BIN:-$ROOT/target/debug/qoder-emulator}"
export QODER_HOSTILE_BIN="${QODER_HOSTILE_BIN:-$ROOT/target/debug/qoder-hostile}"

echo "==> the exception classes match core/errors.json"
"$PY" "$HERE/gen_exceptions.py" --check

echo "==> installing qoder-cloud into $VENV"
if [ "${QODER_PY_INSTALL:-develop}" = "wheel" ]; then
    "$PY" -m pip install --quiet --force-reinstall "$PKG"
else
    (cd "$PKG" && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --quiet)
fi

echo "==> running the tests"
cd "$PKG"
REPORT="$(mktemp)"
trap 'rm -f "$REPORT"' EXIT
set +e
"$PY" -m pytest -q -rs "$@" 2>&1 | tee "$REPORT"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    exit "$status"
fi
if ! grep -Eq '[0-9]+ passed' "$REPORT"; then
    echo "error: no test ran" >&2
    exit 1
fi

#!/usr/bin/env bash
# Runs every test suite: Rust (core, emulator, integration), Python and Node, against freshly
# started emulators. Installs what it needs (Python venv, maturin, pytest, npm packages).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

mkdir -p "$ROOT/target"
log "Rust: core, emulator and integration tests"
cargo test -p qoder-cloud -p qoder-emulator -p qoder-tests 2>&1 | tee "$ROOT/target/rust-tests.log" | grep -E '^(test result|running|error|failures|---- )|panicked|FAILED' || true
if grep -qE '^test result: FAILED|^error(\[|:)' "$ROOT/target/rust-tests.log"; then
  tail -n 80 "$ROOT/target/rust-tests.log"; echo "Rust tests failed"; exit 1
fi
rust_passed=$(grep -E '^test result: ok' "$ROOT/target/rust-tests.log" | awk '{for(i=1;i<=NF;i++) if($i=="passed;") s+=$(i-1)} END{print s+0}')
[ "${rust_passed:-0}" -gt 0 ] || { echo "no Rust test ran"; exit 1; }
log "Rust: $rust_passed tests passed"

if [ -x "$ROOT/bindings-python/scripts/test.sh" ]; then
  log "Python"
  "$ROOT/bindings-python/scripts/test.sh"
fi
if [ -x "$ROOT/bindings-node/scripts/test.sh" ]; then
  log "Node"
  "$ROOT/bindings-node/scripts/test.sh"
fi
log "Fuzzing: every committed corpus and regression input replayed, then 10 s per target"
# Strict: the regression inputs of the fixed findings (K1, K2) must keep passing.
"$ROOT/scripts/fuzz.sh" "${QODER_FUZZ_SECONDS:-10}"

log "RELIABILITY.md: bad-input table from the recorded cases"
python3 "$ROOT/scripts/reliability_report.py"
log "all suites passed"

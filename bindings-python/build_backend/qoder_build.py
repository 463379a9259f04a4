"""PEP 517 build backend of the qoder-cloud sdist: maturin, once a Rust toolchain is confirmed.

Prebuilt wheels need no compiler. pip falls back to this sdist only where no wheel matches the
platform, and building it compiles the Rust core. Without this check maturin would try to
download a whole Rust toolchain on its own (hundreds of MB, failing with a long traceback where
the network is closed); here the build stops at once with one message that says what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import maturin as _maturin

# The oldest Rust that builds the locked dependencies (workspace `rust-version` in Cargo.toml).
MSRV = (1, 89)
_HELP = (
    "qoder-cloud: no prebuilt wheel matches this platform, so pip is building it from source, "
    "which needs a Rust toolchain, version {need} or newer (cargo and rustc on PATH). {found}\n"
    "Install Rust from https://rustup.rs and retry, or use a platform with prebuilt wheels: "
    "Linux x86_64/aarch64 (glibc 2.17+), Linux x86_64 musl, macOS x86_64/arm64, Windows x86_64."
)


def _check_rust() -> None:
    need = ".".join(map(str, MSRV))
    cargo, rustc = shutil.which("cargo"), shutil.which("rustc")
    if not cargo or not rustc:
        raise SystemExit(_HELP.format(need=need, found="No cargo/rustc was found."))
    try:
        out = subprocess.run([rustc, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise SystemExit(_HELP.format(need=need, found=f"Running rustc failed: {e}.")) from None
    m = re.match(r"rustc (\d+)\.(\d+)", out)
    if not m or (int(m.group(1)), int(m.group(2))) < MSRV:
        raise SystemExit(_HELP.format(need=need, found=f"Found {out.strip() or 'an unknown rustc'}."))


def _checked(name: str) -> Any:
    hook = getattr(_maturin, name)

    def run(*args: Any, **kwargs: Any) -> Any:
        _check_rust()
        return hook(*args, **kwargs)

    run.__name__ = name
    run.__doc__ = hook.__doc__
    return run


os.environ.setdefault("MATURIN_NO_INSTALL_RUST", "1")

get_requires_for_build_wheel = _checked("get_requires_for_build_wheel")
prepare_metadata_for_build_wheel = _checked("prepare_metadata_for_build_wheel")
build_wheel = _checked("build_wheel")
get_requires_for_build_editable = _checked("get_requires_for_build_editable")
prepare_metadata_for_build_editable = _checked("prepare_metadata_for_build_editable")
build_editable = _checked("build_editable")
get_requires_for_build_sdist = _checked("get_requires_for_build_sdist")
build_sdist = _checked("build_sdist")


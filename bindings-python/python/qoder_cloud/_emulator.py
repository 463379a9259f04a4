"""Where the ``qoder-emulator`` executable is, and the ``qoder-emulator`` console command.

Wheels ship the emulator binary inside the package (``qoder_cloud/_bin/``), built for the same
platform as the native module, so a user with no Rust toolchain can run it. An installation built
from the sdist has none: set ``QODER_EMULATOR_BIN``, or put a ``qoder-emulator`` of your own (for
example ``cargo install qoder-emulator``) on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

__all__ = ["EmulatorNotFoundError", "find_binary", "main"]

_EXE = "qoder-emulator.exe" if os.name == "nt" else "qoder-emulator"
# Magic numbers of native executables: ELF, PE, Mach-O (both byte orders, 32/64-bit, fat).
_NATIVE_MAGIC = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe")


class EmulatorNotFoundError(FileNotFoundError):
    """No ``qoder-emulator`` executable could be found (see :func:`find_binary`)."""


def _is_native(path: Path) -> bool:
    # The console script of this very package is also called qoder-emulator: never pick it.
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return any(head.startswith(m) for m in _NATIVE_MAGIC)


def bundled_binary() -> Optional[Path]:
    """The emulator shipped in this wheel, or ``None`` (an sdist build has none)."""
    path = Path(__file__).resolve().parent / "_bin" / _EXE
    return path if path.is_file() else None


def find_binary() -> Path:
    """The emulator to run: ``QODER_EMULATOR_BIN``, else the bundled one, else one on ``PATH``.

    Raises :class:`EmulatorNotFoundError` naming every place it looked.
    """
    env = os.environ.get("QODER_EMULATOR_BIN")
    if env:
        path = Path(env)
        if not path.is_file():
            raise EmulatorNotFoundError(f"QODER_EMULATOR_BIN={env!r} is not a file")
        return path
    bundled = bundled_binary()
    if bundled is not None:
        return bundled
    on_path = shutil.which(_EXE)
    if on_path and _is_native(Path(on_path)):
        return Path(on_path)
    raise EmulatorNotFoundError(
        "qoder-emulator not found: this installation of qoder-cloud has no bundled emulator "
        f"(no {Path(__file__).resolve().parent / '_bin' / _EXE}; wheels ship one, builds from the "
        "sdist do not). Set QODER_EMULATOR_BIN to an emulator binary, or install one on PATH "
        "(cargo install qoder-emulator)."
    )


def main(argv: Optional[List[str]] = None) -> int:
    """``qoder-emulator [flags]``: runs the bundled emulator with the same arguments and stdio."""
    args = sys.argv[1:] if argv is None else argv
    try:
        binary = find_binary()
    except EmulatorNotFoundError as e:
        print(f"qoder-emulator: {e}", file=sys.stderr)
        return 1
    if os.name == "posix" and argv is None:
        os.execv(str(binary), [str(binary), *args])  # replaces this process: signals go straight to it
    try:
        return subprocess.call([str(binary), *args])
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

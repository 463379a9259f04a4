"""``mypy --strict`` accepts the examples and a file exercising the public types."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PKG = HERE.parent / "python"
EXAMPLES = HERE.parents[1] / "examples" / "python"


def test_mypy_strict_on_examples_and_typing_usage(tmp_path: Path) -> None:
    import mypy  # noqa: F401  (installed by scripts/test.sh; a missing mypy fails)
    files = [str(p) for p in sorted(EXAMPLES.glob("*.py"))] + [str(HERE / "typing_usage.py")]
    assert len(files) >= 3
    env = dict(os.environ, MYPYPATH=str(PKG))
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--cache-dir", str(tmp_path), *files],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout


def test_mypy_rejects_wrong_usage(tmp_path: Path) -> None:
    import mypy  # noqa: F401  (installed by scripts/test.sh; a missing mypy fails)
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import qoder_cloud\n"
        "c = qoder_cloud.Client(access_token='t')\n"
        "a = c.agents.create(name=1, model='auto')\n"  # wrong type
        "c.vaults.credentials.retrieve('vcred_1')\n"  # missing keyword ancestor id
        "x: int = c.agents.retrieve('a').name\n"  # str is not int
    )
    env = dict(os.environ, MYPYPATH=str(PKG))
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert r.returncode == 1
    assert r.stdout.count("error:") == 3, r.stdout


def test_stubs_are_current() -> None:
    script = HERE.parent / "scripts" / "gen_stubs.py"
    r = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr

#!/usr/bin/env python3
"""Non-blank line counts of the core and of each binding, generated files and generated sections
excluded: the figures issue 17's size target (each binding ≤ 40 % of the core) is measured with,
recorded in ARCHITECTURE.md.

    python3 scripts/count_lines.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List

ROOT = Path(__file__).resolve().parents[1]
#: Files a generator writes (their source is counted where it lives: the core's schema and tables).
GENERATED = {
    "bindings-python/python/qoder_cloud/types/_generated.py",
    "bindings-python/python/qoder_cloud/_resources.pyi",
    "bindings-node/index.d.ts",
    "bindings-node/lib/native.d.ts",
}


def files(base: str, patterns: Iterable[str]) -> List[Path]:
    out: List[Path] = []
    for pat in patterns:
        for p in sorted((ROOT / base).glob(pat)):
            rel = p.relative_to(ROOT).as_posix()
            # Test directories only: `testing.py`/`testing.js` are shipped code and count.
            parts = rel.split("/")
            if rel not in GENERATED and "node_modules" not in parts and not {"test", "tests"} & set(parts):
                out.append(p)
    return out


def count(paths: Iterable[Path]) -> int:
    """Non-blank lines, leaving out the sections a generator writes (between `BEGIN GENERATED`
    and `END GENERATED` markers, e.g. the error classes from core/errors.json) and Rust unit
    tests (a `#[cfg(test)] mod` to the end of its file: tests are counted nowhere)."""
    n = 0
    for p in paths:
        generated = False
        lines = p.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.strip() == "#[cfg(test)]" and lines[i + 1 : i + 2] and lines[i + 1].startswith("mod "):
                break
            if "BEGIN GENERATED" in line:
                generated = True
            elif "END GENERATED" in line:
                generated = False
            elif line.strip() and not generated:
                n += 1
    return n


def main() -> None:
    parts: Dict[str, Dict[str, List[Path]]] = {
        "core": {"Rust": files("core/src", ["**/*.rs"])},
        "Python binding": {
            "Rust": files("bindings-python/src", ["**/*.rs"]),
            "Python": files("bindings-python/python", ["**/*.py"]),
            "stubs": files("bindings-python/python", ["**/*.pyi"]),
        },
        "Node binding": {
            "Rust": files("bindings-node/src", ["**/*.rs"]),
            "JS": files("bindings-node", ["*.js", "*.mjs", "lib/*.js", "bin/*.js"]),
            "declarations": files("bindings-node", ["*.d.ts", "lib/*.d.ts"]),
        },
    }
    core = count(parts["core"]["Rust"])
    for name, langs in parts.items():
        sizes = {lang: count(ps) for lang, ps in langs.items()}
        total = sum(sizes.values())
        detail = ", ".join(f"{n:,} {lang}" for lang, n in sizes.items())
        share = "" if name == "core" else f" = {100 * total / core:.0f} % of the core"
        print(f"{name}: {total:,} ({detail}){share}")


if __name__ == "__main__":
    main()

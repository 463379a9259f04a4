#!/usr/bin/env python3
"""Writes the hostile-server table of RELIABILITY.md from tests/hostile/cases.json (the one list
of cases the Rust, Python and Node suites run). `--check` fails when the table is stale.
Standard library only."""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- HOSTILE:START -->", "<!-- HOSTILE:END -->"
RUNNERS = "`tests/tests/hostile.rs` · `bindings-python/tests/test_hostile.py` (sync and async) · `bindings-node/test/hostile.test.js`"


def table() -> str:
    cases = json.loads((ROOT / "tests" / "hostile" / "cases.json").read_text())["cases"]
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out = [START, "", f"{len(cases)} cases, each run in Rust, Python (sync and async) and Node against the scripted server",
           f"`tests/src/hostile.rs` (`qoder-hostile`); runners: {RUNNERS}. Generated from `tests/hostile/cases.json`",
           "by `scripts/gen_hostile_table.py`.", "",
           "| case | the server | call | what the SDK gives | checked |", "|---|---|---|---|---|"]
    for c in cases:
        e = c["expect"]
        checks = []
        if "kind" in e:
            checks.append(f"kind `{e['kind']}`")
        else:
            checks.append("success")
        for k in ("status", "requests", "min_requests", "retry_after", "retry_after_min", "retryable", "max_header_copies"):
            if k in e:
                checks.append(f"{k} {e[k]}")
        if "ids" in e:
            checks.append("events " + ",".join(e["ids"]))
        if e.get("same_key"):
            checks.append("one Idempotency-Key")
        if "message" in e:
            checks.append(f"message ∋ “{e['message']}”")
        opts = ", ".join(f"{k}={v}" for k, v in c["client"].items())
        call = c["call"] + (f" ({opts})" if opts else "")
        out.append(f"| `{esc(c['id'])}` | {esc(c['what'])} | {esc(call)} | {esc(c['gives'])} | {esc('; '.join(checks))} |")
    out += ["", END]
    return "\n".join(out)


def main() -> int:
    doc = ROOT / "RELIABILITY.md"
    text = doc.read_text()
    a, b = text.index(START), text.index(END) + len(END)
    new = text[:a] + table() + text[b:]
    if "--check" in sys.argv:
        if new != text:
            print("RELIABILITY.md: the hostile-server table is stale; run scripts/gen_hostile_table.py", file=sys.stderr)
            return 1
        return 0
    doc.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())

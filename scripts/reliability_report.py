#!/usr/bin/env python3
"""Regenerates the bad-input table of RELIABILITY.md from the rows the test suites recorded.

Each language's bad-input test writes one JSON object per case to
target/reliability/<language>-bad-input.jsonl; this script replaces the text between the
BAD-INPUT markers in RELIABILITY.md with a table of every case. Standard library only.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- BAD-INPUT:START -->", "<!-- BAD-INPUT:END -->"


def main() -> int:
    rows = []
    for f in sorted((ROOT / "target" / "reliability").glob("*-bad-input.jsonl")):
        for line in f.read_text().splitlines():
            if line.strip():
                rows.append(json.loads(line))
    if not rows:
        print("reliability_report: no recorded cases (run ./scripts/test.sh first)", file=sys.stderr)
        return 1
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out = [START, "", f"{len(rows)} cases, each rejected before any request (the emulator's request count is unchanged).", "",
           "| language | case | operation | error | argument named | message |", "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {esc(r['language'])} | {esc(r['case'])} | `{esc(r['operation'])}` | {esc(r['error'])} | `{esc(r['param'])}` | {esc(r['message'])[:120]} |")
    out += ["", END]
    doc = ROOT / "RELIABILITY.md"
    text = doc.read_text()
    a, b = text.index(START), text.index(END) + len(END)
    doc.write_text(text[:a] + "\n".join(out) + text[b:])
    print(f"reliability_report: {len(rows)} bad-input cases written to RELIABILITY.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

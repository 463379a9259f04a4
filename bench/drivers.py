"""Scenario definitions: how to prepare each one and which driver commands to run."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
RUST = str(ROOT / "target" / "release" / "bench-rust")


@dataclass
class Scenario:
    name: str
    title: str
    metric: str
    higher_is_better: bool
    prepare: Callable
    ours: Callable
    peer: Optional[Callable]
    ours_label: str
    peer_label: str
    target: str


def mixed_stream(emu, args) -> dict:
    # ~90% small messages (~150 B of text) and ~10% ~1 KB messages, in one session's history.
    small = args.events * 9 // 10
    large = args.events - small
    sid, count = emu.session_with(f"[[burst {small} size=100-200]] [[burst {large} size=900-1100]]")
    return {"base": emu.base, "sid": sid, "count": count}


SCENARIOS = [
    Scenario(
        name="rust-stream",
        title="Stream throughput, Rust: core `EventStream` vs raw reqwest + framing + serde",
        metric="events_per_sec",
        higher_is_better=True,
        prepare=mixed_stream,
        ours=lambda c: [RUST, "stream-core", c["base"], c["sid"], str(c["count"])],
        peer=lambda c: [RUST, "stream-raw", c["base"], c["sid"], str(c["count"])],
        ours_label="qoder-cloud",
        peer_label="raw limit",
        target="≥ 0.70×",
    ),
]

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

PY = str(ROOT / ".venv" / "bin" / "python")
PYDRV = str(ROOT / "bench" / "python" / "bench_py.py")
NODEDRV = str(ROOT / "bench" / "node" / "bench_node.mjs")
# qca-sdk streams ~2k events/s: it reads a prefix of the same session (the rate is steady).
QCA_STREAM_EVENTS = 20_000


def with_agent(emu, args) -> dict:
    agent = emu.call("POST", "/agents", {"name": "rt", "model": "auto"})
    for i in range(20):
        emu.call("POST", "/agents", {"name": f"rt{i}", "model": "auto"})
    return {"base": emu.base, "agent": agent["id"]}


def many_sessions(emu, args) -> dict:
    # Shared by the fan-out rows: a stream only reads, so the same 1,000 sessions serve each.
    if getattr(emu, "fanout_ctx", None):
        return emu.fanout_ctx
    sids = []
    for _ in range(1000):
        sid, count = emu.session_with("hi")
        sids.append(sid)
    emu.fanout_ctx = {"base": emu.base, "sids": ",".join(sids), "count": count}
    return emu.fanout_ctx


def large(size: int):
    def prep(emu, args) -> dict:
        sid, count = emu.session_with(f"[[bytes {size}]]")
        return {"base": emu.base, "sid": sid, "count": count}
    return prep


def long_stream(emu, args) -> dict:
    sid, count = emu.session_with("[[burst 1000000 size=100-200]]")
    return {"base": emu.base, "sid": sid, "count": count}


def import_time(module: str) -> list[str]:
    code = ("import json,time;t=time.perf_counter();import " + module +
            ";print(json.dumps({'import_ms':(time.perf_counter()-t)*1e3}))")
    return [PY, "-c", code]


SCENARIOS += [
    Scenario("py-stream-async", "Stream throughput, Python `async for`", "events_per_sec", True, mixed_stream,
             lambda c: [PY, PYDRV, "stream", "ours-async", c["base"], c["sid"], str(c["count"])],
             lambda c: [PY, PYDRV, "stream", "qca-async", c["base"], c["sid"], str(min(c["count"], QCA_STREAM_EVENTS))],
             "qoder_cloud.AsyncClient", "qca-sdk AsyncManaged", "≥ 100×"),
    Scenario("py-stream-sync", "Stream throughput, Python sync `for`", "events_per_sec", True, mixed_stream,
             lambda c: [PY, PYDRV, "stream", "ours-sync", c["base"], c["sid"], str(c["count"])],
             lambda c: [PY, PYDRV, "stream", "qca-sync", c["base"], c["sid"], str(min(c["count"], QCA_STREAM_EVENTS))],
             "qoder_cloud.Client", "qca-sdk Managed", "≥ 100×"),
    Scenario("py-vs-rust-stream", "Stream throughput, Python `async for` vs our Rust consumer", "events_per_sec", True, mixed_stream,
             lambda c: [PY, PYDRV, "stream", "ours-async", c["base"], c["sid"], str(c["count"])],
             lambda c: [RUST, "stream-core", c["base"], c["sid"], str(c["count"])],
             "Python", "Rust core", "≥ 0.50×"),
    Scenario("node-stream", "Stream throughput, Node `for await`", "events_per_sec", True, mixed_stream,
             lambda c: ["node", NODEDRV, "stream", "ours", c["base"], c["sid"], str(c["count"])],
             lambda c: ["node", NODEDRV, "stream", "fetch", c["base"], c["sid"], str(c["count"])],
             "qoder-cloud", "fetch + eventsource-parser", "≥ 2×"),
    Scenario("py-retrieve-seq", "2,000 sequential `agents.retrieve`, Python", "requests_per_sec", True, with_agent,
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "retrieve", "2000", "1", c["agent"]],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "retrieve", "2000", "1", c["agent"]],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("py-list-seq", "2,000 sequential `agents.list(limit=20)`, Python", "requests_per_sec", True, with_agent,
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "list", "2000", "1"],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "list", "2000", "1"],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("py-retrieve-64", "2,000 `agents.retrieve`, 64 in flight, Python", "requests_per_sec", True, with_agent,
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "retrieve", "2048", "64", c["agent"]],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "retrieve", "2048", "64", c["agent"]],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("py-list-64", "2,000 `agents.list(limit=20)`, 64 in flight, Python", "requests_per_sec", True, with_agent,
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "list", "2048", "64"],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "list", "2048", "64"],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("node-retrieve-seq", "2,000 sequential `agents.retrieve`, Node", "requests_per_sec", True, with_agent,
             lambda c: ["node", NODEDRV, "rt", "ours", c["base"], "retrieve", "2000", "1", c["agent"]],
             lambda c: ["node", NODEDRV, "rt", "fetch", c["base"], "retrieve", "2000", "1", c["agent"]],
             "qoder-cloud", "fetch + JSON.parse", "report"),
    Scenario("node-list-64", "2,000 `agents.list(limit=20)`, 64 in flight, Node", "requests_per_sec", True, with_agent,
             lambda c: ["node", NODEDRV, "rt", "ours", c["base"], "list", "2048", "64"],
             lambda c: ["node", NODEDRV, "rt", "fetch", c["base"], "list", "2048", "64"],
             "qoder-cloud", "fetch + JSON.parse", "report"),
    Scenario("py-fanout", "1,000 sessions streamed concurrently, Python (RSS growth, MB)", "rss_growth_mb", False, many_sessions,
             lambda c: [PY, PYDRV, "fanout", "ours", c["base"], c["sids"], str(c["count"])],
             lambda c: [PY, PYDRV, "fanout", "qca", c["base"], c["sids"], str(c["count"])],
             "qoder_cloud, HTTP/1.1: 1,000 sockets", "qca-sdk async, default pool: ≤ 100 sockets", "≤ 1/3 (ratio ≥ 3×)"),
    Scenario("py-fanout-held", "1,000 streams all open at once, Python (RSS growth, MB)", "rss_growth_mb", False, many_sessions,
             lambda c: [PY, PYDRV, "fanout", "ours", c["base"], c["sids"], str(c["count"]), "held"],
             lambda c: [PY, PYDRV, "fanout", "qca-pool", c["base"], c["sids"], str(c["count"]), "held"],
             "qoder_cloud, HTTP/1.1", "qca-sdk async, pool raised to 1,000", "≤ 1/3 (ratio ≥ 3×)"),
    Scenario("py-fanout-held-h2", "1,000 streams all open at once, ours over HTTP/2 (RSS growth, MB)", "rss_growth_mb", False, many_sessions,
             lambda c: ["env", "QODER_HTTP2=prior-knowledge", PY, PYDRV, "fanout", "ours", c["base"], c["sids"], str(c["count"]), "held"],
             lambda c: [PY, PYDRV, "fanout", "qca-pool", c["base"], c["sids"], str(c["count"]), "held"],
             "qoder_cloud, HTTP/2: 1 connection", "qca-sdk async, pool raised to 1,000", "≤ 1/3 (ratio ≥ 3×)"),
    Scenario("rust-large-1m", "One 1 MiB agent.message, Rust (seconds)", "seconds", False, large(1 << 20),
             lambda c: [RUST, "stream-core", c["base"], c["sid"], str(c["count"])], None,
             "qoder-cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("rust-large-8m", "One 8 MiB agent.message, Rust (seconds)", "seconds", False, large(8 << 20),
             lambda c: [RUST, "stream-core", c["base"], c["sid"], str(c["count"])], None,
             "qoder-cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("py-large-1m", "One 1 MiB agent.message, Python (seconds)", "seconds", False, large(1 << 20),
             lambda c: [PY, PYDRV, "large", "ours", c["base"], c["sid"], str(c["count"])], None,
             "qoder_cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("py-large-8m", "One 8 MiB agent.message, Python (seconds)", "seconds", False, large(8 << 20),
             lambda c: [PY, PYDRV, "large", "ours", c["base"], c["sid"], str(c["count"])], None,
             "qoder_cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("node-large-1m", "One 1 MiB agent.message, Node (seconds)", "seconds", False, large(1 << 20),
             lambda c: ["node", NODEDRV, "stream", "ours", c["base"], c["sid"], str(c["count"])], None,
             "qoder-cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("node-large-8m", "One 8 MiB agent.message, Node (seconds)", "seconds", False, large(8 << 20),
             lambda c: ["node", NODEDRV, "stream", "ours", c["base"], c["sid"], str(c["count"])], None,
             "qoder-cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("py-startup", "Start-up: `import qoder_cloud` vs `import qca.managed` (ms)", "import_ms", False,
             lambda emu, args: {},
             lambda c: import_time("qoder_cloud"), lambda c: import_time("qca.managed"),
             "qoder_cloud", "qca-sdk", "≥ 10×"),
    Scenario("node-startup", "Start-up: `require('qoder-cloud')` (ms)", "import_ms", False,
             lambda emu, args: {},
             lambda c: ["node", "-e", "const t=performance.now();require('" + str(ROOT / "bindings-node") + "');console.log(JSON.stringify({import_ms:performance.now()-t}))"],
             None, "qoder-cloud", "", "report"),
    Scenario("py-long-stream", "1,000,000 events, slow consumer, Python: RSS at 1M events (MB)", "final_rss_mb", False, long_stream,
             lambda c: [PY, PYDRV, "slow", "ours", c["base"], c["sid"], str(c["count"]), "100000"], None,
             "qoder_cloud", "", "flat (see raw: RSS at 100k vs 1M)"),
]

"""Scenario definitions: how to prepare each one and which driver commands to run.

prepare(emus, args) picks an emulator by name (`emus.get("plain" | "tls" | "tls-cap128")`, see
run.py's EMULATORS) and returns the context the commands get: `base` URL, `ca` (the CA file of a
TLS emulator, else None), `emulator` and the scenario's own fields.
Rows on `plain` are the local-emulator path (cleartext HTTP/1.1); rows on `tls*` the production
path (HTTPS: calls on HTTP/2 by ALPN, our streams on HTTP/1.1 connections of their own).
"""
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


LOCAL = "local emulator path, cleartext"
PROD = "production path, HTTPS"


def on(name: str, prep: Callable) -> Callable:
    """prepare() on emulator `name`: plain (cleartext), tls, tls-cap128 (see run.py)."""
    return lambda emus, args: prep(emus.get(name), args)


def mixed_stream(emu, args) -> dict:
    # ~90% small messages (~150 B of text) and ~10% ~1 KB messages, in one session's history.
    # One such session per emulator, shared by its stream rows (a stream only reads).
    key = ("mixed", args.events)
    cache = emu.__dict__.setdefault("bench_cache", {})
    if key not in cache:
        small = args.events * 9 // 10
        large = args.events - small
        sid, count = emu.session_with(f"[[burst {small} size=100-200]] [[burst {large} size=900-1100]]")
        cache[key] = emu.ctx(sid=sid, count=count)
    return cache[key]


def rust(mode: str, c: dict, count: Optional[int] = None) -> list[str]:
    # The CA (https rows) is the driver's 5th argument; the SDK and raw reqwest both trust it.
    return [RUST, mode, c["base"], c["sid"], str(c["count"] if count is None else count), *([c["ca"]] if c["ca"] else [])]


def rust_stream(name: str, vs: str, transport: str, ours_mode: str, peer_mode: str, labels: tuple, target: str) -> Scenario:
    """A Rust stream row: our core's `EventStream` against the raw reqwest driver."""
    where = LOCAL if transport == "plain" else f"{PROD}, both HTTP/2 by ALPN"
    return Scenario(name, f"Stream throughput, Rust: {vs} ({where})", "events_per_sec", True, on(transport, mixed_stream),
                    lambda c: rust(ours_mode, c), lambda c: rust(peer_mode, c), *labels, target)


RAW = "raw reqwest + framing + serde"
SCENARIOS = [
    rust_stream("rust-stream", f"core `EventStream` vs {RAW}", "plain", "stream-core", "stream-raw",
                ("qoder-cloud", "raw limit"), "≥ 0.70×"),
    rust_stream("rust-stream-https", f"core `EventStream` vs {RAW}", "tls", "stream-core", "stream-raw-alpn",
                ("qoder-cloud, default: stream on a stream connection (HTTP/2)",
                 "raw limit: reqwest defaults (HTTP/2 by ALPN), trusts the CA"), "≥ 0.70×"),
    rust_stream("rust-stream-https-h2", "core `EventStream` pooled (calls' connection) vs raw reqwest", "tls",
                "stream-core-pooled", "stream-raw-alpn",
                ("qoder-cloud, `pooled_streams(true)`", "raw limit: reqwest defaults, trusts the CA"), "report"),
]

PY = str(ROOT / ".venv" / "bin" / "python")
PYDRV = str(ROOT / "bench" / "python" / "bench_py.py")
NODEDRV = str(ROOT / "bench" / "node" / "bench_node.mjs")
# qca-sdk streams ~2k events/s: it reads a prefix of the same session (the rate is steady).
QCA_STREAM_EVENTS = 20_000


def ours_env(c: dict) -> list[str]:
    """Our drivers get the CA file as BENCH_CA and pass it as a client option (`ca_certs` /
    `caCerts` / `add_ca_certificate_file`); nothing else in their environment changes."""
    return ["env", f"BENCH_CA={c['ca']}"] if c.get("ca") else []


def peer_env(c: dict) -> list[str]:
    """The peers run as their users run them: qca-sdk and hand-written httpx trust the CA through
    SSL_CERT_FILE (httpx's default `trust_env=True`; qca-sdk has no verify option), Node's fetch
    and node:https through NODE_EXTRA_CA_CERTS."""
    return ["env", f"SSL_CERT_FILE={c['ca']}", f"NODE_EXTRA_CA_CERTS={c['ca']}"] if c.get("ca") else []


def with_agent(emu, args) -> dict:
    agent = emu.call("POST", "/agents", {"name": "rt", "model": "auto"})
    for i in range(20):
        emu.call("POST", "/agents", {"name": f"rt{i}", "model": "auto"})
    return emu.ctx(agent=agent["id"])


def many_sessions(emu, args) -> dict:
    # Shared by the fan-out rows of one emulator: a stream only reads, so the same 1,000 sessions
    # serve each.
    if getattr(emu, "fanout_ctx", None):
        return emu.fanout_ctx
    sids = []
    for _ in range(1000):
        sid, count = emu.session_with("hi")
        sids.append(sid)
    emu.fanout_ctx = emu.ctx(sids=",".join(sids), count=count)
    return emu.fanout_ctx


def large(size: int):
    def prep(emu, args) -> dict:
        sid, count = emu.session_with(f"[[bytes {size}]]")
        return emu.ctx(sid=sid, count=count)
    return prep


def long_stream(emu, args) -> dict:
    sid, count = emu.session_with("[[burst 1000000 size=100-200]]")
    return emu.ctx(sid=sid, count=count)


def py_stream(kind: str, c: dict, limit: Optional[int] = None) -> list[str]:
    env = ours_env(c) if kind.startswith("ours") else peer_env(c)
    n = c["count"] if limit is None else min(c["count"], limit)
    return [*env, PY, PYDRV, "stream", kind, c["base"], c["sid"], str(n)]


def node_stream(kind: str, c: dict) -> list[str]:
    env = ours_env(c) if kind in ("ours", "parse") else peer_env(c)
    return [*env, "node", NODEDRV, "stream", kind, c["base"], c["sid"], str(c["count"])]


def py_fanout(kind: str, c: dict, held: bool, extra_env: tuple[str, ...] = ()) -> list[str]:
    env = ours_env(c) if kind == "ours" else peer_env(c)
    if extra_env:
        env = (env or ["env"]) + list(extra_env)
    return [*env, PY, PYDRV, "fanout", kind, c["base"], c["sids"], str(c["count"]), *(["held"] if held else [])]


def import_time(module: str) -> list[str]:
    code = ("import json,time;t=time.perf_counter();import " + module +
            ";print(json.dumps({'import_ms':(time.perf_counter()-t)*1e3}))")
    return [PY, "-c", code]


def stream_rows(name: str, what: str, ours: Callable, peer: Callable, labels: tuple, https_labels: tuple,
                target: str, https_what: Optional[str] = None, https_target: Optional[str] = None) -> tuple:
    """A stream row on the local path and the same row on the production path (HTTPS): the same
    drivers, over `on("tls")`, with how each side trusts the CA added to its label."""
    local = Scenario(name, f"Stream throughput, {what} ({LOCAL})", "events_per_sec", True, on("plain", mixed_stream),
                     ours, peer, *labels, target)
    prod = Scenario(f"{name}-https", f"Stream throughput, {https_what or what} ({PROD})", "events_per_sec", True,
                    on("tls", mixed_stream), ours, peer, *https_labels, https_target or target)
    return local, prod


HTTPX = "hand-written httpx"
_STREAMS = [
    stream_rows("py-stream-async", "Python `async for`",
                lambda c: py_stream("ours-async", c), lambda c: py_stream("qca-async", c, QCA_STREAM_EVENTS),
                ("qoder_cloud.AsyncClient", "qca-sdk AsyncManaged"),
                ("qoder_cloud.AsyncClient, `ca_certs`", "qca-sdk AsyncManaged, SSL_CERT_FILE"), "≥ 100×"),
    stream_rows("py-stream-sync", "Python sync `for`",
                lambda c: py_stream("ours-sync", c), lambda c: py_stream("qca-sync", c, QCA_STREAM_EVENTS),
                ("qoder_cloud.Client", "qca-sdk Managed"),
                ("qoder_cloud.Client, `ca_certs`", "qca-sdk Managed, SSL_CERT_FILE"), "≥ 100×"),
    stream_rows("py-stream-async-httpx", f"Python `async for` vs {HTTPX}",
                lambda c: py_stream("ours-async", c), lambda c: py_stream("httpx-async", c),
                ("qoder_cloud.AsyncClient", "httpx `aiter_lines` + json.loads"),
                ("qoder_cloud.AsyncClient, `ca_certs`", "httpx `aiter_lines` + json.loads, SSL_CERT_FILE"),
                "report (strongest baseline)"),
    stream_rows("py-stream-sync-httpx", f"Python sync `for` vs {HTTPX}",
                lambda c: py_stream("ours-sync", c), lambda c: py_stream("httpx-sync", c),
                ("qoder_cloud.Client", "httpx `iter_lines` + json.loads"),
                ("qoder_cloud.Client, `ca_certs`", "httpx `iter_lines` + json.loads, SSL_CERT_FILE"),
                "report (strongest baseline)"),
    stream_rows("py-vs-rust-stream", "Python `async for` vs our Rust consumer",
                lambda c: py_stream("ours-async", c), lambda c: rust("stream-core", c),
                ("Python", "Rust core"), ("Python", "Rust core"), "≥ 0.50×"),
    stream_rows("node-stream", "Node `for await`", lambda c: node_stream("ours", c), lambda c: node_stream("fetch", c),
                ("qoder-cloud", "fetch + eventsource-parser"),
                ("qoder-cloud, `caCerts`", "fetch + eventsource-parser, NODE_EXTRA_CA_CERTS"), "≥ 2×",
                https_what="Node `for await` vs fetch + EventSourceParserStream", https_target="≥ 2× (strongest baseline)"),
    stream_rows("node-stream-nodehttp", "Node `for await` vs node:http + createParser",
                lambda c: node_stream("ours", c), lambda c: node_stream("nodehttp", c),
                ("qoder-cloud", "node:http + eventsource-parser createParser"),
                ("qoder-cloud, `caCerts`", "node:https + eventsource-parser createParser, NODE_EXTRA_CA_CERTS"),
                "≥ 2× (strongest baseline)", https_what="Node `for await` vs node:https + createParser"),
]
# The local rows, then the production path: the same stream rows over HTTPS (calls on HTTP/2 by
# ALPN; our streams on HTTP/1.1 TLS connections of their own; the peers' defaults are HTTP/1.1
# over TLS).
SCENARIOS += [local for local, _ in _STREAMS] + [prod for _, prod in _STREAMS]

SCENARIOS += [
    Scenario("node-parse-ceiling-https", f"Node: `JSON.parse` + the same field reads alone, no I/O, vs node:https + createParser ({PROD})",
             "events_per_sec", True, on("tls", mixed_stream),
             lambda c: node_stream("parse", c), lambda c: node_stream("nodehttp", c),
             "JSON.parse + touch (ceiling)", "node:https + eventsource-parser createParser, NODE_EXTRA_CA_CERTS",
             "report (largest ratio reachable with equal work)"),
    Scenario("py-retrieve-seq", f"2,000 sequential `agents.retrieve`, Python ({LOCAL})", "requests_per_sec", True, on("plain", with_agent),
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "retrieve", "2000", "1", c["agent"]],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "retrieve", "2000", "1", c["agent"]],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("py-list-seq", f"2,000 sequential `agents.list(limit=20)`, Python ({LOCAL})", "requests_per_sec", True, on("plain", with_agent),
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "list", "2000", "1"],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "list", "2000", "1"],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("py-retrieve-64", f"2,000 `agents.retrieve`, 64 in flight, Python ({LOCAL})", "requests_per_sec", True, on("plain", with_agent),
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "retrieve", "2048", "64", c["agent"]],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "retrieve", "2048", "64", c["agent"]],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("py-list-64", f"2,000 `agents.list(limit=20)`, 64 in flight, Python ({LOCAL})", "requests_per_sec", True, on("plain", with_agent),
             lambda c: [PY, PYDRV, "rt", "ours", c["base"], "list", "2048", "64"],
             lambda c: [PY, PYDRV, "rt", "qca", c["base"], "list", "2048", "64"],
             "qoder_cloud", "qca-sdk", "≥ 3×"),
    Scenario("node-retrieve-seq", f"2,000 sequential `agents.retrieve`, Node ({LOCAL})", "requests_per_sec", True, on("plain", with_agent),
             lambda c: ["node", NODEDRV, "rt", "ours", c["base"], "retrieve", "2000", "1", c["agent"]],
             lambda c: ["node", NODEDRV, "rt", "fetch", c["base"], "retrieve", "2000", "1", c["agent"]],
             "qoder-cloud", "fetch + JSON.parse", "report"),
    Scenario("node-list-64", f"2,000 `agents.list(limit=20)`, 64 in flight, Node ({LOCAL})", "requests_per_sec", True, on("plain", with_agent),
             lambda c: ["node", NODEDRV, "rt", "ours", c["base"], "list", "2048", "64"],
             lambda c: ["node", NODEDRV, "rt", "fetch", c["base"], "list", "2048", "64"],
             "qoder-cloud", "fetch + JSON.parse", "report"),
    Scenario("py-fanout", f"1,000 sessions streamed concurrently, Python (RSS growth, MB; {LOCAL})", "rss_growth_mb", False,
             on("plain", many_sessions),
             lambda c: py_fanout("ours", c, False), lambda c: py_fanout("qca", c, False),
             "qoder_cloud, HTTP/1.1: 1,000 sockets", "qca-sdk async, default pool: ≤ 100 sockets", "≤ 1/3 (ratio ≥ 3×)"),
    Scenario("py-fanout-held", f"1,000 streams all open at once, Python (RSS growth, MB; {LOCAL})", "rss_growth_mb", False,
             on("plain", many_sessions),
             lambda c: py_fanout("ours", c, True), lambda c: py_fanout("qca-pool", c, True),
             "qoder_cloud, HTTP/1.1", "qca-sdk async, pool raised to 1,000", "≤ 1/3 (ratio ≥ 3×)"),
    Scenario("py-fanout-held-h2", f"1,000 streams all open at once, ours over HTTP/2 prior knowledge (RSS growth, MB; {LOCAL})",
             "rss_growth_mb", False, on("plain", many_sessions),
             lambda c: py_fanout("ours", c, True, ("QODER_HTTP2=prior-knowledge",)), lambda c: py_fanout("qca-pool", c, True),
             "qoder_cloud, HTTP/2: 1 connection", "qca-sdk async, pool raised to 1,000", "≤ 1/3 (ratio ≥ 3×)"),
    # The production path: 1,000 TLS connections on each side (ours: one HTTP/1.1 connection per
    # stream; qca-sdk: its httpx pool, HTTP/1.1).
    Scenario("py-fanout-https", f"1,000 sessions streamed concurrently, Python (RSS growth, MB; {PROD})", "rss_growth_mb", False,
             on("tls", many_sessions),
             lambda c: py_fanout("ours", c, False), lambda c: py_fanout("qca", c, False),
             "qoder_cloud, `ca_certs`: HTTP/2 stream connections, ≤ 100 streams each", "qca-sdk async, default pool (≤ 100 sockets), SSL_CERT_FILE",
             "≤ 1/3 (ratio ≥ 3×)"),
    Scenario("py-fanout-held-https", f"1,000 streams all open at once, Python (RSS growth, MB; {PROD})", "rss_growth_mb", False,
             on("tls", many_sessions),
             lambda c: py_fanout("ours", c, True), lambda c: py_fanout("qca-pool", c, True),
             "qoder_cloud, `ca_certs`: HTTP/2 stream connections, ≤ 100 streams each", "qca-sdk async, pool raised to 1,000, SSL_CERT_FILE",
             "≤ 1/3 (ratio ≥ 3×)"),
    Scenario("py-fanout-held-https-pooled", f"1,000 streams all open at once, ours pooled on HTTP/2 by ALPN (RSS growth, MB; {PROD})",
             "rss_growth_mb", False, on("tls", many_sessions),
             lambda c: py_fanout("ours", c, True, ("QODER_STREAM_TRANSPORT=pooled",)), lambda c: py_fanout("qca-pool", c, True),
             "qoder_cloud, `QODER_STREAM_TRANSPORT=pooled`: 1 HTTP/2 connection", "qca-sdk async, pool raised to 1,000, SSL_CERT_FILE",
             "report"),
    Scenario("py-fanout-held-https-cap128",
             f"1,000 streams all open at once behind a cap of 128 HTTP/2 streams per connection, Python (RSS growth, MB; {PROD})",
             "rss_growth_mb", False, on("tls-cap128", many_sessions),
             lambda c: py_fanout("ours", c, True), lambda c: py_fanout("qca-pool", c, True),
             "qoder_cloud, `ca_certs` (default transport)", "qca-sdk async, pool raised to 1,000, SSL_CERT_FILE",
             "all 1,000 open (else the driver fails); ≤ 1/3 (ratio ≥ 3×)"),
    Scenario("rust-large-1m", f"One 1 MiB agent.message, Rust (seconds; {LOCAL})", "seconds", False, on("plain", large(1 << 20)),
             lambda c: [RUST, "stream-core", c["base"], c["sid"], str(c["count"])], None,
             "qoder-cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("rust-large-8m", f"One 8 MiB agent.message, Rust (seconds; {LOCAL})", "seconds", False, on("plain", large(8 << 20)),
             lambda c: [RUST, "stream-core", c["base"], c["sid"], str(c["count"])], None,
             "qoder-cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("py-large-1m", f"One 1 MiB agent.message, Python (seconds; {LOCAL})", "seconds", False, on("plain", large(1 << 20)),
             lambda c: [PY, PYDRV, "large", "ours", c["base"], c["sid"], str(c["count"])], None,
             "qoder_cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("py-large-8m", f"One 8 MiB agent.message, Python (seconds; {LOCAL})", "seconds", False, on("plain", large(8 << 20)),
             lambda c: [PY, PYDRV, "large", "ours", c["base"], c["sid"], str(c["count"])], None,
             "qoder_cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("node-large-1m", f"One 1 MiB agent.message, Node (seconds; {LOCAL})", "seconds", False, on("plain", large(1 << 20)),
             lambda c: ["node", NODEDRV, "stream", "ours", c["base"], c["sid"], str(c["count"])], None,
             "qoder-cloud", "", "8 MiB / 1 MiB ≤ 10"),
    Scenario("node-large-8m", f"One 8 MiB agent.message, Node (seconds; {LOCAL})", "seconds", False, on("plain", large(8 << 20)),
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
    Scenario("py-long-stream", f"1,000,000 events, slow consumer, Python: RSS at 1M events (MB; {LOCAL})", "final_rss_mb", False,
             on("plain", long_stream),
             lambda c: [PY, PYDRV, "slow", "ours", c["base"], c["sid"], str(c["count"]), "100000"], None,
             "qoder_cloud", "", "flat (see raw: RSS at 100k vs 1M)"),
]

# Rows that compare the same client against different baselines: BENCHMARKS.md derives, per
# group, the ratio against the strongest (fastest) baseline of the run, which is what a target
# stated "against the strongest baseline" is checked on.
STRONGEST = [
    ("Python `async for`, " + LOCAL, ["py-stream-async", "py-stream-async-httpx"], "≥ 100× qca-sdk; report vs httpx"),
    ("Python sync `for`, " + LOCAL, ["py-stream-sync", "py-stream-sync-httpx"], "≥ 100× qca-sdk; report vs httpx"),
    ("Node `for await`, " + LOCAL, ["node-stream", "node-stream-nodehttp"], "≥ 2×"),
    ("Python `async for`, " + PROD, ["py-stream-async-https", "py-stream-async-httpx-https"], "≥ 100× qca-sdk; report vs httpx"),
    ("Python sync `for`, " + PROD, ["py-stream-sync-https", "py-stream-sync-httpx-https"], "≥ 100× qca-sdk; report vs httpx"),
    ("Node `for await`, " + PROD, ["node-stream-https", "node-stream-nodehttp-https"], "≥ 2×"),
]

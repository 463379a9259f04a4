#!/usr/bin/env python3
"""Benchmark orchestrator: release emulators, every scenario, ours and the peer alternately.

Each driver is a separate process that prints one JSON object; this script prepares sessions on
an emulator, runs ours and the peer alternately `--runs` times per scenario, and writes
`BENCHMARKS.md` (medians, spread, ratios) plus `bench/results/latest.json`.
Emulators (started on first use, each a separate release process): `plain`, cleartext HTTP (the
local-emulator path); `tls`, HTTPS with a CA generated for the run, HTTP/2 or HTTP/1.1 by ALPN
(the production path); `tls-cap128`, the same with at most 128 concurrent HTTP/2 streams per
connection (a gateway's cap). A scenario's prepare() picks one and passes its base URL and CA.
Only the standard library is used here, so it runs in any Python 3.10+.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import ssl
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "pt-bench"
# The emulators' flags by name. Scenarios sharing an emulator share its sessions; HTTP/2 streams
# are not capped except on `tls-cap128` (see BENCHMARKS.md, fan-out).
EMULATORS = {
    "plain": ["--h2-max-streams", "unlimited"],
    "tls": ["--tls", "--alpn", "h2,http/1.1", "--h2-max-streams", "unlimited"],
    "tls-cap128": ["--tls", "--alpn", "h2,http/1.1", "--h2-max-streams", "128"],
}


class Emulator:
    def __init__(self, binary: Path, name: str = "plain", extra: list[str] | None = None):
        self.name = name
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0", "--exit-on-stdin-close", "--keepalive-ms", "15000", *(extra or [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            raise SystemExit(f"emulator {name} did not start: {line!r}")
        # `listening URL` or, with --tls, `listening https://... ca=/path/ca.pem`.
        words = line.split()
        self.base = words[1]
        self.ca = next((w[3:] for w in words[2:] if w.startswith("ca=")), None)
        self.root = self.base.split("/api/")[0]
        self.tls = self.base.startswith("https://")
        if self.tls and not self.ca:
            raise SystemExit(f"emulator {name}: https without a CA path: {line!r}")
        self._ssl = ssl.create_default_context(cafile=self.ca) if self.tls else None

    def _open(self, req, timeout=600):
        return urllib.request.urlopen(req, timeout=timeout, context=self._ssl)

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {TOKEN}")
        req.add_header("Content-Type", "application/json")
        with self._open(req) as r:
            return json.loads(r.read() or b"null")

    def stats(self) -> dict:
        with self._open(self.root + "/_emulator/stats") as r:
            return json.loads(r.read())

    def ctx(self, **more) -> dict:
        """What a scenario's commands need: base URL, CA file (https only) and which emulator."""
        return {"base": self.base, "ca": self.ca, "emulator": self.name, **more}

    def session_with(self, text: str) -> tuple[str, int]:
        """A session whose history holds one finished turn driven by `text`; returns (id, events)."""
        agent = self.call("POST", "/agents", {"name": "bench", "model": "auto"})
        env = self.call("POST", "/environments", {"name": "bench", "config": {"type": "cloud", "networking": {"type": "unrestricted"}}})
        sess = self.call("POST", "/sessions", {"agent": agent["id"], "environment_id": env["id"]})
        self.call("POST", f"/sessions/{sess['id']}/events", {"events": [{"type": "user.message", "content": [{"type": "text", "text": text}]}]})
        # Wait for the scripted turn to finish (status back to idle), polling the session.
        deadline = time.time() + 600
        while time.time() < deadline:
            s = self.call("GET", f"/sessions/{sess['id']}")
            if s["status"] == "idle":
                break
            time.sleep(0.05)
        count, page = 0, None
        while True:
            q = "?limit=100" + (f"&page={page}" if page else "")
            p = self.call("GET", f"/sessions/{sess['id']}/events{q}")
            count += len(p["data"])
            if not p["has_more"]:
                break
            page = p["next_page"]
        return sess["id"], count

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


class Emulators:
    """The emulators of a run by name (see EMULATORS), each started on first use."""

    def __init__(self, binary: Path):
        self.binary = binary
        self.running: dict[str, Emulator] = {}

    def get(self, name: str) -> Emulator:
        if name not in self.running:
            print(f"   starting emulator {name}: {' '.join(EMULATORS[name])}", file=sys.stderr)
            self.running[name] = Emulator(self.binary, name, EMULATORS[name])
        return self.running[name]

    def close(self) -> None:
        for emu in self.running.values():
            emu.close()


def run_driver(cmd: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measured(emu: Emulator | None, cmd: list[str]) -> dict:
    """Runs one driver; on a TLS emulator, records the TLS handshakes of the run by the protocol
    ALPN chose (`emulator_alpn`), so each row shows which wire each side used."""
    before = emu.stats()["connections"] if emu is not None and emu.tls else None
    out = run_driver(cmd)
    if before is not None:
        after = emu.stats()["connections"]
        # The stats request itself (urllib, no ALPN offered) is one handshake under "none".
        out["emulator_alpn"] = {k: after["alpn"][k] - before["alpn"][k] - (k == "none") for k in after["alpn"]}
    return out


def summarize(samples: list[dict], key: str) -> dict:
    xs = [s[key] for s in samples]
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    ap.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    ap.add_argument("--render", action="store_true",
                    help="only rewrite BENCHMARKS.md from bench/results/latest.json (after editing the notes)")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other scenarios of bench/results/latest.json (each row records its own date)")
    args = ap.parse_args()
    if args.render:
        write_markdown(json.loads((ROOT / "bench" / "results" / "latest.json").read_text()))
        return

    from drivers import SCENARIOS  # noqa: E402  (bench/drivers.py)

    emus = Emulators(ROOT / "target" / "release" / "qoder-emulator")
    results: dict = {"machine": machine(), "runs": args.runs, "scenarios": []}
    today = time.strftime("%Y-%m-%d")
    try:
        for sc in SCENARIOS:
            if args.only and sc.name not in args.only.split(","):
                continue
            print(f"== {sc.name}", file=sys.stderr)
            ctx = sc.prepare(emus, args)
            emu = emus.running.get(ctx.get("emulator", ""))
            ours, peer = [], []
            for i in range(args.runs):
                ours.append(measured(emu, sc.ours(ctx)))
                if sc.peer:
                    peer.append(measured(emu, sc.peer(ctx)))
                print(f"   run {i + 1}: ours {ours[-1].get(sc.metric)!r} peer {peer[-1].get(sc.metric) if peer else '-'}", file=sys.stderr)
            entry = {"name": sc.name, "title": sc.title, "metric": sc.metric, "higher_is_better": sc.higher_is_better,
                     "ours_label": sc.ours_label, "peer_label": sc.peer_label, "target": sc.target,
                     "emulator": ctx.get("emulator"), "emulator_flags": EMULATORS.get(ctx.get("emulator", "")),
                     "ours": summarize(ours, sc.metric), "raw_ours": ours, "date": today, "runs": args.runs}
            if peer:
                entry["peer"] = summarize(peer, sc.metric)
                entry["raw_peer"] = peer
                o, p = entry["ours"]["median"], entry["peer"]["median"]
                entry["ratio"] = (o / p) if sc.higher_is_better else (p / o)
            results["scenarios"].append(entry)
    finally:
        emus.close()
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.merge and (out_dir / "latest.json").exists():
        # Re-run rows replace their old selves; the rest keep their figures, in scenario order.
        old = {s["name"]: s for s in json.loads((out_dir / "latest.json").read_text())["scenarios"]}
        new = {s["name"]: s for s in results["scenarios"]}
        for s in new.values():
            s["remeasured"] = True
        results["scenarios"] = [new.get(sc.name) or old[sc.name] for sc in SCENARIOS if sc.name in new or sc.name in old]
    (out_dir / "latest.json").write_text(json.dumps(results, indent=1))
    write_markdown(results)
    print((ROOT / "BENCHMARKS.md").read_text())


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def fmt(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.4f}"


def write_markdown(results: dict) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Ours versus what a user would pick instead, on the same release-build emulators, in one run.",
        "Each scenario runs ours and the peer alternately; the table shows medians with [min–max] over the runs.",
        "Rows marked *production path, HTTPS* run against an emulator serving TLS (HTTP/2 or HTTP/1.1 by ALPN,",
        "CA generated per run); rows marked *local emulator path, cleartext* against plain HTTP (see Notes).",
        "",
        f"- Machine: {results['machine']}",
        f"- Runs per scenario: {results['runs']}",
        "- Reproduce: `./scripts/bench.sh` (builds in release mode, installs the peers, writes this file",
        "  and `bench/results/latest.json`).",
        "",
        "| scenario | metric | ours | peer | ratio | target |",
        "|---|---|---|---|---|---|",
    ]
    # Titles, labels and targets come from the current scenario definitions (a row measured
    # before a relabelling keeps its figures); rows no longer defined keep their stored text.
    try:
        from drivers import SCENARIOS, STRONGEST
    except ImportError:
        SCENARIOS, STRONGEST = [], []
    defs = {sc.name: sc for sc in SCENARIOS}
    for s in results["scenarios"]:
        sc = defs.get(s["name"])
        if sc is not None:
            s.update(title=sc.title, target=sc.target, ours_label=sc.ours_label, peer_label=sc.peer_label)
    for s in results["scenarios"]:
        o = s["ours"]
        ours = f"{fmt(o['median'])} [{fmt(o['min'])}–{fmt(o['max'])}] ({s['ours_label']})"
        if "peer" in s:
            p = s["peer"]
            peer = f"{fmt(p['median'])} [{fmt(p['min'])}–{fmt(p['max'])}] ({s['peer_label']})"
            ratio = f"{s['ratio']:.2f}×"
        else:
            peer, ratio = "—", "—"
        lines.append(f"| {s['title']} | {s['metric']} | {ours} | {peer} | {ratio} | {s['target']} |")
    merged = [s for s in results["scenarios"] if s.get("remeasured")]
    if merged:
        lines += ["", "Re-measured after the full run with `--merge` (the other rows are from the full run): " +
                  ", ".join(f"{s['name']} ({s['date']}, {s['runs']} runs)" for s in merged) + "."]
    # Derived: linearity of large events (8 MiB time / 1 MiB time, target ≤ 10).
    by = {s["name"]: s for s in results["scenarios"]}
    derived = []
    for lang in ("rust", "py", "node"):
        a, b = by.get(f"{lang}-large-1m"), by.get(f"{lang}-large-8m")
        if a and b:
            r = b["ours"]["median"] / a["ours"]["median"]
            derived.append(f"| Large events, {lang}: time(8 MiB) / time(1 MiB) | ratio | {r:.2f} | — | — | ≤ 10 |")
    if derived:
        lines += ["", "Derived:", "", "| scenario | metric | ours | peer | ratio | target |", "|---|---|---|---|---|---|", *derived]
    # Against the strongest baseline: per group of rows (same client, different baselines), the
    # row whose peer was fastest, with the ratio taken within that row.
    strongest = []
    for label, names, target in STRONGEST:
        rows = [by[n] for n in names if n in by and "peer" in by[n]]
        if len(rows) < 2:
            continue
        best = max(rows, key=lambda r: r["peer"]["median"])
        strongest.append(f"| {label} | {fmt(best['ours']['median'])} | {fmt(best['peer']['median'])} ({best['peer_label']}) "
                         f"| {best['ratio']:.2f}× | {target} |")
    if strongest:
        lines += ["", "Against the strongest baseline (events/s, medians; of the rows of each group, the one whose peer was fastest):", "",
                  "| stream | ours | strongest baseline | ratio | target |", "|---|---|---|---|---|", *strongest]
    lines += ["", NOTES]
    long = by.get("py-long-stream")
    if long and long.get("raw_ours"):
        at = long["raw_ours"][0].get("rss_mb_at", {})
        figs = " and ".join(f"{at[k]:.1f} MB at {int(k):,}" for k in sorted(at, key=int))
        lines.append(f"- Long stream (first run of the row above, `rss_mb_at` in `bench/results/latest.json`): {figs} events.")
    lines.append("")
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines))


NOTES = """## Notes

### Production path (HTTPS) and local path (cleartext)

- Which rows are which: every title ends with its path. *Production path, HTTPS*: the emulator is
  started with `--tls --alpn h2,http/1.1 --h2-max-streams unlimited` (the `…-https…` rows) or
  `--tls --h2-max-streams 128` (`py-fanout-held-https-cap128`, a gateway's cap on concurrent
  HTTP/2 streams per connection); calls go over HTTP/2 by ALPN, and our event streams, by design,
  over HTTP/2 connections of their own carrying at most 100 streams each (`stream_pool`;
  `rust-stream-https-h2` and `py-fanout-held-https-pooled` are the exception:
  `pooled_streams` / `QODER_STREAM_TRANSPORT=pooled`, streams on the calls' HTTP/2 connection). *Local emulator path, cleartext*: plain HTTP on
  loopback, which only a local emulator serves; since 2026-12-03 ours uses the same code there as
  in production (hyper, over HTTP/1.1 on cleartext: one connection per stream), the hand-written
  HTTP/1.1 stream connection having been removed (ARCHITECTURE.md, "Stream transports"). The production rows are the ones the targets are meant for; the cleartext rows keep
  their targets as figures of the local path. Each TLS run records the handshakes it made by
  negotiated protocol (`emulator_alpn` in the raw samples of `bench/results/latest.json`).
- Trust: our clients get the run's CA through their options (Python `ca_certs=[path]`, Node
  `caCerts`, Rust `add_ca_certificate_file`), nothing in their environment. The peers run as their
  users run them: qca-sdk 0.11.0 with its defaults (its `httpx` client: HTTP/1.1 — `http2` is off
  and `h2` is not installed —, `verify=True`, `trust_env=True`; it has no verify option of its
  own) trusts the CA through `SSL_CERT_FILE`, and so does the hand-written httpx baseline; Node's
  `fetch` (undici, HTTP/1.1) and `node:https` through `NODE_EXTRA_CA_CERTS`; raw reqwest through
  `add_root_certificate`, left to ALPN (HTTP/2, the wire our streams use) in both
  `rust-stream-https` and `rust-stream-https-h2`.
- Work per event, the same on both sides of every stream row: read `type`, `id` and one payload
  field — the first content block's text of an `agent.message` (90% small, 10% ≈ 1 KB), else
  `processed_at` — by attribute on the SDKs' event objects (ours, qca-sdk's pydantic models), by
  key on the hand-written baselines' `json.loads` / `JSON.parse` result, from a
  `serde_json::Value` in Rust (both Rust sides parse every event to a `Value`). Each driver
  reports `field_chars`, the length of what it read, as a check.
- Baselines. Python: qca-sdk (`qca.managed`, async and sync) and, the strongest hand-written one,
  `httpx` `client.stream("GET", url)` + `iter_lines()` / `aiter_lines()` + `json.loads` per
  `data:` line. Node: `fetch` + `TextDecoderStream` + `EventSourceParserStream`, and the stronger
  `node:http`/`node:https` `request` + `setEncoding('utf8')` + eventsource-parser's
  `createParser` + `JSON.parse`. Rust: raw reqwest bytes + a minimal inline framer +
  `serde_json` (no id checks, no reconnects: the limit). Targets hold against the strongest
  baseline: the "Against the strongest baseline" table above takes, per client and path, the
  row whose peer was fastest (Python's ≥ 100× is stated against qca-sdk; against httpx the figure
  is reported).
- What flatters us. (1) Our event objects convert fields lazily, on access: reading three fields
  costs us three conversions, while qca-sdk validates every field of every event into a pydantic
  model and the hand-written baselines parse every field into a dict; a consumer that reads every
  field (or calls `to_dict()`) narrows the gap. (2) Our framing, TLS decryption and JSON checks run
  on a Rust reader thread, in parallel with the consumer, while qca-sdk and httpx decrypt and parse
  on the one Python thread: on 2 cores this is wall-clock throughput bought with a second core,
  and the gap shrinks on a single core (`cpu_seconds` is not in these rows). (3) Loopback: no
  latency, no bandwidth limit, and a 100,000-event history sent as fast as it can be read; a real
  turn arrives at model pace, so these rows measure client CPU per event, not what a user waits
  for. (4) qca-sdk reads a 20,000-event prefix (below); its connection set-up weighs a little
  more on its shorter run, which flatters us slightly. (5) The peers are not tuned: no HTTP/2 for
  qca-sdk or httpx (their users' default), no reuse of one `httpx` client across runs. Against
  us: the raw reqwest baseline skips everything a resumable stream does.
- Fan-out over HTTPS: ours holds its 1,000 streams on 10 HTTP/2 connections (100 streams each),
  qca-sdk on 1,000 HTTP/1.1 TLS connections (its raised pool). One HTTP/1.1 TLS connection per
  stream for ours (this session's first design) grew ≈ 40 MB in the smoke run, ≈ 3× the sharded
  HTTP/2 figure, hence `stream_pool`.
  `py-fanout-held-https-cap128`: behind a cap of 128 concurrent HTTP/2 streams per connection,
  all 1,000 must open — the driver fails (non-zero exit, naming how many opened) when not every
  stream has its first event within `BENCH_OPEN_TIMEOUT` seconds (default 60). Ours passes because
  its stream connections carry at most 100 streams each (a further one opens when all are full); qca-sdk uses HTTP/1.1, so the cap does
  not touch it either; with `QODER_STREAM_TRANSPORT=pooled` ours would stall at 128 and the row
  would fail.

### This session's run (2026-12-03)

- Every absolute figure is lower than in the previous session's table, ours and the baselines
  alike (raw reqwest on cleartext: 479k → ≈ 200k events/s). Not a regression of ours: the
  emulator of the start of the session, rebuilt and run with today's drivers, gives the same
  figures as today's (≈ 170k core / ≈ 110k raw in a quick check); the drivers now read three fields
  per event on both sides (before: the type only), and the machine measured slower. Compare
  ratios within a row, not figures across sessions.
- Session 8 (2026-12-03, later): the Python stream rows were re-run with 5 runs each after the
  stream classes were merged (one `EventStream` for `async for` and `for`) and the types were
  generated: `async for` 108× (local) and 110× (https) qca-sdk, sync `for` over https 91.7×;
  this machine swung widely within a row (ours 112k–167k events/s across the five sync https
  runs, the peer 1.18k–1.45k), so these sit in the same band as the earlier 100.5× / 100.6×.
  The REST and start-up rows were re-measured the same day for the first time since 2026-11-22
  and are several times slower in absolute terms for both sides (`node-startup` 29 ms against
  5.9 ms with no change to what it loads; `py-startup` 66 ms against 19.8 ms, qca-sdk 595 ms:
  the machine, plus the generated types, ≈ 2 ms of `-X importtime`). An A/B on the same
  machine and emulator, release builds of the Python package at the session's start (7bf616e)
  and at its end: 2,000 sequential `agents.retrieve` at 1,867–2,109 against 1,861–2,123
  requests/s (`bench/python/bench_py.py rt ours <base> retrieve 2000 1 <agent>`, three runs
  each), so this session's changes cost the REST path nothing measurable. Import time with
  the OpenTelemetry API installed no longer pays ≈ 15–20 ms for importing it: `_otel` finds it
  with `importlib.util.find_spec` and imports it only once the application has.
- Session 10 (2026-12-04, issue 17's one-source work): the Python and Node stream, REST and
  start-up rows were re-run (`./scripts/bench.sh --merge --only py-stream-async,...`). The machine
  ran about 1.7–1.9× faster than on 2026-12-03 for both sides (qca-sdk streams at ≈ 2.0k against
  1.1k events/s), and the peers gained more than ours, so several ratios moved (Python
  `async for` 93.9× local, 90.1× https) without any change to our stream path. To separate the
  code from the machine, the commit this session started from (f37b92f) was benchmarked right
  after, release builds, same machine and emulator (`git worktree add /tmp/base f37b92f`, then
  its `./scripts/bench.sh --only ...`): Python `async for` 194k (start) against 195k events/s
  (now), sync `for` 200k against 201k, `async for` over https 190k against 182k (runs spread
  143k–209k), `import qoder_cloud` 59.7 against 58.7 ms (`-X importtime`, median of 15, three
  alternations). `agents.retrieve` with 64 in flight first measured 21.4k (start) against 16.4k
  (now); alternating the two installs six times against one emulator
  (`bench/python/bench_py.py rt ours <base> retrieve 8192 64 <agent>`) gave ≈ 17.3k against
  16.2k, and after the JSON-call methods went back to one Python frame each (they had been
  wrapped when the sync and async native methods were merged) ≈ 15.7k against 15.8k: equal
  within this machine's noise. No row is measurably worse than at the session's start.
- Session 11 (2026-12-04, issue 17): no row was re-run, because no benchmarked path changed.
  The stream, call, list and memory rows go through code this session did not touch; it
  changed the typed result models, downloads and the emulator launcher, which no row measures.
  The row that could move is Python start-up, since the generated types grew with the typed
  result shapes. `qoder_cloud.types._generated` imports in 1.39 ms before and 1.87 ms after,
  with bytecode as an installed wheel has it (`PYTHONDONTWRITEBYTECODE= python -X importtime -c
  "import qoder_cloud"`, median of 7, the file from ab6910c against HEAD). That is +0.5 ms on
  the ≈ 58 ms `py-startup` row (+0.8 %). Node's generated declarations are types only.
- Session 12 (2026-12-05, issue 17: the option table, generated error attributes, CursorTrail):
  the Python and Node stream, REST and start-up rows were re-run (`./scripts/bench.sh --merge
  --only py-retrieve-seq,py-list-seq,py-retrieve-64,py-list-64,node-retrieve-seq,node-list-64,
  py-stream-async,py-stream-sync,node-stream,py-startup,node-startup`, 3 runs each). Every row
  of ours is at or above its session-10 figure: Python `async for` 205k (was 195k), sync `for`
  219k (201k), Node `for await` 439k (416k), sequential `agents.retrieve` 3,636 (3,268) and
  `agents.list` 2,511 (2,129) requests/s, 64 in flight 17.1k (16.4k) and 7.6k (7.1k), Node
  3,861 (3,332) and 7,337 (6,498), `import qoder_cloud` 46 ms (58), `require` 20.6 ms (22.8).
  The peers rose too, by 5–27 % (qca-sdk streams 2.18k against 2.08k events/s, fetch +
  JSON.parse 2,335 against 1,838 requests/s, fetch + eventsource-parser 202k against 159k
  events/s), so the machine ran faster; the ratios that moved (Python sync `for` 99.4× against
  103×, Node 2.17× against 2.61×) moved because the peer gained more than ours. Session 10's
  159k for that Node peer was the low end of what it has measured (157k–206k across the
  2026-12-03 runs). Per-call options are now read through the core's table (one dict walk in Rust
  instead of Python-side checks); no row shows a cost from it.
- Targets on the production path (HTTPS): Rust core vs raw reqwest 1.00× (≥ 0.70× ✓); Python
  `async for` / sync `for` vs qca-sdk 100.5× / 100.6× (≥ 100×, just); 1,000 streams held open,
  Python RSS growth 4.2× less than qca-sdk (✓), and 3.8× behind a cap of 128 streams per
  connection, every stream open (✓); Node vs the strongest baseline (node:https + createParser)
  1.95× in the full run, 1.46× and 1.38× in two 2026-12-03 re-runs (300k against 206k,
  216k against 157k events/s), so ≥ 2× is not met (see the ceiling below); vs fetch 2.9× (✓).
  Cleartext (re-run 2026-12-03): Python `async for` 110× qca-sdk, Node 1.16× node:http +
  createParser (below 2×). Where Node's time goes: the JS side does one N-API call and one
  `JSON.parse` per batch, and a `for await` step per event (≈ 0.2 µs, measured apart); the
  baseline parses each event's JSON too. The row `node-parse-ceiling-https` measures that
  shared part alone: the same 100,000 events already in memory as JSON texts, only
  `JSON.parse` + the same field reads, no socket, TLS or framing. It ran at 331k events/s
  (median of 5) against the baseline's 130k in the same run: 2.55× is the most any client
  that builds the same objects could reach there, with transport and iteration free. Ours ran
  at 1.38× in that run (216k against 157k): `JSON.parse` alone is ≈ 3 µs of our ≈ 4.6 µs per
  event, and a CPU profile of the JS thread (`node --cpu-prof`) puts 40% in `JSON.parse`, 12%
  in the batch hand-over (`takeBuffered`: one string copy), 11% in GC and 9% idle waiting for
  the reader thread, which shares the 2 cores with the emulator. The machine was slower in
  this session (the baseline's 157k against 206k earlier), so compare ratios within a run.
  Tried and dropped (2026-12-03, session 8): building the event objects natively instead of
  `JSON.parse` (serde_json's parser driving N-API `napi_create_object` / `napi_set_property`
  per value, property-key strings cached per batch): 136k–155k events/s against 198k–206k
  for the `JSON.parse` hand-over in back-to-back runs of `node-stream-nodehttp-https` — an
  N-API call per value costs more than V8's own parser. With the baseline between 157k and
  206k across this session's runs, 2× would need 314k–412k, at or above the 331k ceiling.
- The pooled body batches every chunk that is ready per poll (many small HTTP/2 DATA frames →
  one batch, one consumer wakeup): Python over HTTPS went from ≈ 99k to ≈ 110k events/s.

### Local path and history

- Each driver is a separate process; the emulator (release build) is a third, so all three share the
  machine's 2 cores. Ratios within a row are taken in the same run, alternating ours and the peer.
- qca-sdk streams about 1.5–2.4k events/s, so its stream rows read a 20,000-event prefix of the same
  session (a steady-state rate); ours read the whole 100,000-event session.
- Python vs the Rust consumer: the Rust driver parses every event into a `serde_json::Value`; the
  Python iterator hands over native event objects whose fields are converted lazily, on access.
  Both include the reader thread doing framing, id checks and batching.
- Large events: the framer alone, fed in 1 KiB chunks (`cargo bench -p qoder-cloud --bench
  sse_linear`), takes 114–121 µs for 1 MiB and 0.97–1.01 ms for 8 MiB (ratio 8.1–8.6); the rows
  above are end to end over loopback.
- Fan-out memory. Growth is measured after import and one warm-up call, for both clients.
  Three rows: `py-fanout` is the issue's scenario as first written (each of 1,000 sessions
  streams a short turn); qca-sdk's figure there is low because its httpx pool holds at most 100
  sockets and it spends ≈ 3.7 ms of CPU per stream, so only a fraction of the 1,000 streams are
  ever open at the same time, while ours opens all 1,000 within milliseconds. `py-fanout-held`
  makes "concurrently" literal: every stream, after its first event, waits until all 1,000 have
  one, so all are open at once; qca-sdk needs its pool raised to 1,000 for that (with the
  default pool it cannot: the 101st stream waits for a socket that never frees).
  `py-fanout-held-h2` is ours over one HTTP/2 connection (`QODER_HTTP2=prior-knowledge`, cleartext;
  its production counterpart is `py-fanout-held-https-pooled`), emulator run with
  `--h2-max-streams unlimited`.
- What removing the hand-written stream connection cost, and where (rows re-measured on
  2026-12-03 with `--merge`): nothing on the production path (HTTPS rows unchanged: those streams
  already went through hyper). On the local cleartext path, fan-out memory went up, because each
  HTTP/1.1 stream now holds hyper's per-connection buffers (≈ 25 KiB): 1,000 streams held open
  10.5 → 35.1 MB (qca-sdk 51.2: 1.46×, short of the ≤ 1/3 the cleartext row used to meet), the
  issue scenario 5.0 → 25.8 MB (worse than qca-sdk's 16.9, which keeps ≤ 100 sockets: 0.66×);
  over HTTP/2 by prior knowledge (the emulator speaks it) 21.6 MB. Rust cleartext throughput
  208k → 189k events/s (still 1.24× raw reqwest); Python and Node cleartext throughput within run
  noise. We accept it: the rows that do not flatter us are the local-emulator path only, and a
  hand-written HTTP stack had to earn its keep on the production path, where it was never used.
- Fan-out status (cleartext rows, before the HTTPS rows were added; history — the figures below
  were measured with the hand-written connection): both rows meet ≤ 1/3 in every single run, not only on the median. The issue's
  scenario: 4.40–5.10 MB against qca-sdk's 16.72–16.91 MB in the table's runs (3.3× on the
  median; the worst of our runs against the best of qca's is still 3.28×); a separate 5-run
  fan-out-only run gave 4.76 [4.07–5.06] against 16.97 MB (3.6×). All held open: ≈ 4.9×. The
  issue-scenario figure varies from run to run with how many of the 1,000 streams happen to be
  alive at the peak.
- Fan-out, what changed (issue scenario / all held open, MB, medians):
  (1) event streams on cleartext URLs use our own lean HTTP/1.1 connection
  (`core/src/stream_conn.rs`) instead of hyper's, whose fixed per-connection buffers (8 KiB read,
  8 KiB write, ≈ 9 KiB request-channel block) were ≈ 25 KiB of every open stream: it waits for
  readability, reads into a stack buffer and hands bytes straight to the framer, so a waiting
  stream holds no buffer — 30.9 → 11.4 / 35.8 → 15.0; (2) a 150-byte SPSC queue replaces the
  Tokio channel between reader and consumer (≈ 1.3 KiB each), the framer lets its buffer go once
  consumed, the per-read frame vector is not kept — → 8.2 / 13.0; (3) the reader task is 0.7 KiB
  instead of 2.3 KiB (an `async fn` taking `self` by value kept two copies of the 680-byte
  reader; the connect phase is boxed) — → 7.6 / 12.3; (4) at most 64 direct stream connections
  per client are being set up at once (no SYN burst against the server's accept backlog, and
  waiting streams hold none of the ≈ 4 KiB of connect state) — → 5.6–6.3 / 11.8; (5) a pending
  Python read is no longer a runtime task: it is polled on the delivery thread when the reader
  wakes it (≈ 150 B instead of ≈ 0.8 KiB); the reader waits for bytes in one `poll_fn` over the
  body, one idle timer and one close waiter per connection instead of a select over fresh
  futures per read (task 1 KiB → 128 B cell + 552 B boxed future); the reader keeps its
  arguments as JSON text and request overrides only when set (680 → 392 B) — → 4.8 / 10.4.
  Earlier rounds: our own asyncio bridge (36 → 31), boxed request future, reqwest's retry layer
  off.
- Fan-out profile now (heaptrack peak heap by allocation site, tracemalloc for Python objects,
  issue scenario), per stream: ≈ 1.9 KB is asyncio's own task, coroutine and handles of the
  benchmark's coroutine (the same for both clients); ≈ 0.7 KiB the reader task; 0.4 KiB the
  reader's state; ≈ 0.6 KiB received SSE bytes not yet consumed; ≈ 0.5 KiB the stream objects,
  queue, cancellation token and socket registration; ≈ 0.15 KiB a pending read. HTTP/2 (pooled
  through reqwest/hyper) peaked higher than the (since removed) direct connection: all 1,000
  requests are in flight at once with ≈ 9 KiB of hyper request state each.
"""


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()

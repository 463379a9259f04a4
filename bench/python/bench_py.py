"""Python benchmark driver: qoder_cloud (ours) and qca-sdk (the official SDK, the peer).

Usage: python bench_py.py <scenario> <client> <base_url> [args...]; prints one JSON object.
  stream  ours-async|ours-sync|qca-async|qca-sync|httpx-async|httpx-sync  base sid expected
          (httpx-*: the hand-written baseline, `client.stream("GET", url)` + `iter_lines()` +
          `json.loads` per data line)
  rt      ours|qca  base op(retrieve|list) n concurrency [agent_id]
  fanout  ours|qca|qca-pool  base sid1,sid2,...  expected_per_session [held]
          (qca-pool: qca-sdk with its httpx pool raised to one socket per session)
  large   ours|qca  base sid expected
  slow    ours  base sid expected checkpoint   (slow consumer, RSS samples)

Every stream reader does what a user does with each event: reads `type`, `id` and one payload
field (`processed_at`, or the first content block's text of an `agent.message`), by attribute on
the SDKs' event objects and by key on the hand-written baseline's dicts.

TLS (https base URLs): ours trusts the CA file named by `BENCH_CA` through the client option
`ca_certs=[path]`; qca-sdk and the httpx baseline are left as their users run them (httpx
defaults: `verify=True`, `trust_env=True`) and are given the CA through `SSL_CERT_FILE` in
their environment by the orchestrator (qca-sdk has no verify option of its own).
"""
from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time

TOKEN = "pt-bench"
# CA file for our clients on https base URLs (the peers get SSL_CERT_FILE instead).
CA = os.environ.get("BENCH_CA") or None


def rss_mb() -> float:
    # Current RSS from /proc (ru_maxrss is the peak, which is reported separately).
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _trust() -> dict:
    return {"ca_certs": [CA]} if CA else {}


def ours_async(base):
    import qoder_cloud
    return qoder_cloud.AsyncClient(access_token=TOKEN, base_url=base, **_trust())


def ours_sync(base):
    import qoder_cloud
    return qoder_cloud.Client(access_token=TOKEN, base_url=base, **_trust())


def touch(ev) -> int:
    """A user's work per event on an SDK event object: type, id and one payload field."""
    t = ev.type
    ev.id
    if t == "agent.message":
        return len(ev.content[0].text)
    return len(str(ev.processed_at))


def touch_dict(d: dict) -> int:
    """The same fields read from the hand-written baseline's parsed JSON."""
    t = d["type"]
    d["id"]
    if t == "agent.message":
        return len(d["content"][0]["text"])
    return len(str(d["processed_at"]))


def _check(n, expected):
    if n < expected:
        raise SystemExit(f"stream ended after {n} of {expected} events")


def qca_async(base):
    from qca.managed import AsyncManaged
    return AsyncManaged(access_token=TOKEN, base_url=base + "/")


def qca_async_pool(base, connections):
    # qca-sdk's httpx client with its default timeout but a pool of `connections` sockets
    # (httpx's default pool holds 100, so the rest of a larger fan-out waits for a free socket).
    import httpx
    from qca.managed import AsyncManaged
    http = httpx.AsyncClient(timeout=httpx.Timeout(600.0, connect=5.0), follow_redirects=False,
                             limits=httpx.Limits(max_connections=connections, max_keepalive_connections=20))
    return AsyncManaged(access_token=TOKEN, base_url=base + "/", http_client=http)


def qca_sync(base):
    from qca.managed import Managed
    return Managed(access_token=TOKEN, base_url=base + "/")


def _stream_url(base, sid):
    return f"{base}/sessions/{sid}/events/stream"


_SSE_HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "text/event-stream"}


async def stream_async(kind, base, sid, expected):
    n = chars = 0
    t0 = time.perf_counter()
    if kind == "ours-async":
        client = ours_async(base)
        async with client.sessions.events.stream(sid) as stream:
            async for ev in stream:
                chars += touch(ev)
                n += 1
                if n >= expected:
                    break
    elif kind == "httpx-async":
        import httpx
        async with httpx.AsyncClient(timeout=httpx.Timeout(600.0, connect=5.0)) as client:
            async with client.stream("GET", _stream_url(base, sid), headers=_SSE_HEADERS) as r:
                r.raise_for_status()
                async for line in r.aiter_lines():
                    if line.startswith("data:"):
                        chars += touch_dict(json.loads(line[5:]))
                        n += 1
                        if n >= expected:
                            break
    else:
        client = qca_async(base)
        stream = await client.sessions.events.stream(sid)
        async for ev in stream:
            chars += touch(ev)
            n += 1
            if n >= expected:
                break
        await stream.close()
    secs = time.perf_counter() - t0
    _check(n, expected)
    return {"events": n, "field_chars": chars, "seconds": secs, "events_per_sec": n / secs}


def stream_sync(kind, base, sid, expected):
    n = chars = 0
    t0 = time.perf_counter()
    if kind == "ours-sync":
        client = ours_sync(base)
        with client.sessions.events.stream(sid) as stream:
            for ev in stream:
                chars += touch(ev)
                n += 1
                if n >= expected:
                    break
    elif kind == "httpx-sync":
        import httpx
        with httpx.Client(timeout=httpx.Timeout(600.0, connect=5.0)) as client:
            with client.stream("GET", _stream_url(base, sid), headers=_SSE_HEADERS) as r:
                r.raise_for_status()
                for line in r.iter_lines():
                    if line.startswith("data:"):
                        chars += touch_dict(json.loads(line[5:]))
                        n += 1
                        if n >= expected:
                            break
    else:
        client = qca_sync(base)
        stream = client.sessions.events.stream(sid)
        for ev in stream:
            chars += touch(ev)
            n += 1
            if n >= expected:
                break
        stream.close()
    secs = time.perf_counter() - t0
    _check(n, expected)
    return {"events": n, "field_chars": chars, "seconds": secs, "events_per_sec": n / secs}


def async_client(kind, base, connections):
    """Our async client, qca-sdk's with its default pool, or qca-sdk's with `connections` sockets."""
    if kind == "ours":
        return ours_async(base)
    if kind == "qca-pool":
        return qca_async_pool(base, connections)
    return qca_async(base)


async def round_trips(kind, base, op, n, conc, agent_id):
    client = async_client(kind, base, conc)
    lat: list[float] = []

    async def one():
        t = time.perf_counter()
        if op == "retrieve":
            await client.agents.retrieve(agent_id)
        else:
            await client.agents.list(limit=20)
        lat.append((time.perf_counter() - t) * 1e3)

    async def worker(k):
        for _ in range(k):
            await one()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n // conc) for _ in range(conc)))
    secs = time.perf_counter() - t0
    lat.sort()
    pct = lambda p: lat[int((len(lat) - 1) * p)]  # noqa: E731
    return {"requests": len(lat), "seconds": secs, "requests_per_sec": len(lat) / secs, "p50_ms": pct(0.5), "p99_ms": pct(0.99)}


# Bound on the wait for every fan-out stream to deliver its first event (seconds).
OPEN_TIMEOUT = float(os.environ.get("BENCH_OPEN_TIMEOUT", "60"))


async def fanout(kind, base, sids, expected, held=False):
    """Streams every session concurrently; `held`: each stream, after its first event, waits until
    all of them have one, so all are open at the same moment. Fails (non-zero exit) when not every
    stream has delivered its first event within OPEN_TIMEOUT seconds: a client that cannot hold
    that many open (a pool too small, a gateway's cap on HTTP/2 streams) fails loudly instead of
    quietly streaming them a batch at a time."""
    # Import and construct first: the growth measured is the fan-out's, not the library's import.
    client = async_client(kind, base, len(sids))
    # Warm up (runtime threads, connection pool, TLS config) with one call, for both clients.
    await client.models.list()
    rss0, cpu0 = rss_mb(), cpu_s()
    all_open = asyncio.Event()
    opened = 0

    async def first_event():
        nonlocal opened
        opened += 1
        if opened == len(sids):
            all_open.set()
        if held:
            await all_open.wait()  # bounded by the watchdog below

    async def one(sid):
        n = 0
        if kind == "ours":
            async with client.sessions.events.stream(sid) as stream:
                async for _ev in stream:
                    n += 1
                    if n == 1:
                        await first_event()
                    if n >= expected:
                        return n
        else:
            stream = await client.sessions.events.stream(sid)
            async for _ev in stream:
                n += 1
                if n == 1:
                    await first_event()
                if n >= expected:
                    await stream.close()
                    return n
        return n

    t0 = time.perf_counter()
    streams = asyncio.ensure_future(asyncio.gather(*(one(s) for s in sids)))
    opener = asyncio.ensure_future(all_open.wait())
    done, _ = await asyncio.wait({streams, opener}, timeout=OPEN_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if not done:
        streams.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved: no warning
        streams.cancel()
        opener.cancel()
        raise RuntimeError(f"fan-out: only {opened} of {len(sids)} streams delivered their first event "
                           f"within {OPEN_TIMEOUT:.0f} s ({kind}, held={held}, {base})")
    if streams in done and not all_open.is_set():
        opener.cancel()
        streams.result()  # raises the stream's error, if any
        raise RuntimeError(f"fan-out: streams finished but only {opened} of {len(sids)} delivered an event")
    counts = await streams
    secs = time.perf_counter() - t0
    if sum(counts) < expected * len(sids):
        raise RuntimeError(f"fan-out: {sum(counts)} events, expected {expected * len(sids)}")
    return {"sessions": len(sids), "events": sum(counts), "seconds": secs, "peak_rss_mb": peak_mb(),
            "baseline_rss_mb": rss0, "rss_growth_mb": peak_mb() - rss0, "cpu_seconds": cpu_s() - cpu0,
            "held_open": held, "all_opened": opened}


async def slow_consumer(base, sid, expected, checkpoint):
    client = ours_async(base)
    samples = {}
    n = 0
    async with client.sessions.events.stream(sid) as stream:
        async for _ev in stream:
            n += 1
            if n % 1000 == 0:
                await asyncio.sleep(0)  # yield like a consumer doing other work
            if n in (checkpoint, expected):
                samples[str(n)] = rss_mb()
            if n >= expected:
                break
    return {"events": n, "rss_mb_at": samples, "final_rss_mb": rss_mb(), "peak_rss_mb": peak_mb()}


def main():
    a = sys.argv
    scen, kind, base = a[1], a[2], a[3]
    if scen == "stream":
        sid, expected = a[4], int(a[5])
        out = asyncio.run(stream_async(kind, base, sid, expected)) if kind.endswith("async") else stream_sync(kind, base, sid, expected)
    elif scen == "rt":
        out = asyncio.run(round_trips(kind, base, a[4], int(a[5]), int(a[6]), a[7] if len(a) > 7 else ""))
    elif scen == "fanout":
        out = asyncio.run(fanout(kind, base, a[4].split(","), int(a[5]), len(a) > 6 and a[6] == "held"))
    elif scen == "large":
        out = asyncio.run(stream_async("ours-async" if kind == "ours" else "qca-async", base, a[4], int(a[5])))
    elif scen == "slow":
        out = asyncio.run(slow_consumer(base, a[4], int(a[5]), int(a[6])))
    else:
        raise SystemExit(f"unknown scenario {scen}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

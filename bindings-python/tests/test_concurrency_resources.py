"""Concurrency and resources: one sync Client from 8 threads at once, one AsyncClient from two
event loops at once, Rust panics in binding code, and memory over many sequential calls.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import threading
from typing import Any, Dict, List, Tuple

import pytest

import qoder_cloud
from qoder_cloud import _native

from conftest import TOKEN, Emulator, new_session, reliability_dir, rss_mb, unique


def test_one_sync_client_from_8_threads_at_once(client: qoder_cloud.Client) -> None:
    threads_n, rounds = 8, 10
    barrier = threading.Barrier(threads_n)
    results: Dict[int, List[Tuple[str, str, str, str]]] = {}
    failures: List[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(10)  # every thread starts calling at the same moment
            out = []
            for r in range(rounds):
                name = unique(f"thread{i}-{r}")
                created = client.agents.create(name=name, model="auto", metadata={"thread": str(i)})
                got = client.agents.retrieve(created.id)
                out.append((name, created.id, got.name, got.metadata["thread"]))
            results[i] = out
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            failures.append(e)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock)"
    assert not failures, failures
    assert sorted(results) == list(range(threads_n))
    ids = set()
    for i, rows in results.items():
        assert len(rows) == rounds
        for name, aid, got_name, thread in rows:
            assert got_name == name and thread == str(i), "each thread got its own objects back"
            ids.add(aid)
    assert len(ids) == threads_n * rounds


def test_one_async_client_from_two_event_loops_at_once(emulator: Emulator) -> None:
    client = qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url)
    barrier = threading.Barrier(2)
    results: Dict[int, Dict[str, Any]] = {}
    failures: List[BaseException] = []

    async def work(i: int) -> Dict[str, Any]:
        names = [unique(f"loop{i}") for _ in range(10)]
        created = await asyncio.gather(*(client.agents.create(name=n, model="auto") for n in names))
        got = await asyncio.gather(*(client.agents.retrieve(a.id) for a in created))
        # A stream consumed on this loop while the other loop streams too.
        s = await new_session(client)
        sent = await client.sessions.events.send(
            s.id, events=[{"type": "user.message", "content": [{"type": "text", "text": f"loop {i} [[burst 200]]"}]}]
        )
        messages = 0
        async with client.sessions.events.stream(s.id, last_event_id=sent.data[-1].id) as stream:
            async for ev in stream:
                if ev.type == "agent.message":
                    messages += 1
                if ev.type == "session.status_idle":
                    break
        return {"names": names, "got": [a.name for a in got], "messages": messages, "loop": id(asyncio.get_running_loop())}

    def runner(i: int) -> None:
        try:
            barrier.wait(10)
            results[i] = asyncio.run(work(i))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            failures.append(e)

    threads = [threading.Thread(target=runner, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    client.close()
    assert not any(t.is_alive() for t in threads), "an event loop is stuck (deadlock)"
    assert not failures, failures
    for i in (0, 1):
        assert results[i]["got"] == results[i]["names"]
        assert results[i]["messages"] == 200
    assert results[0]["loop"] != results[1]["loop"]


def test_rust_panics_become_exceptions_and_the_interpreter_survives(client: qoder_cloud.Client) -> None:
    for _ in range(50):
        with pytest.raises(qoder_cloud.QoderError, match="panic"):
            _native._test_panic(False)

    async def many() -> None:
        for _ in range(50):
            with pytest.raises(qoder_cloud.QoderError, match="panic"):
                await _native._test_panic(True)

    asyncio.run(many())
    # From another thread too.
    caught: List[BaseException] = []

    def in_thread() -> None:
        try:
            _native._test_panic(False)
        except BaseException as e:  # noqa: BLE001
            caught.append(e)

    t = threading.Thread(target=in_thread)
    t.start()
    t.join(30)
    assert len(caught) == 1 and isinstance(caught[0], qoder_cloud.QoderError), caught
    # The shared runtime still serves calls.
    agent = client.agents.create(name=unique("after-panic"), model="auto")
    assert client.agents.retrieve(agent.id).id == agent.id


def test_a_panic_does_not_end_the_interpreter(emulator: Emulator) -> None:
    code = f"""
import asyncio, qoder_cloud
from qoder_cloud import _native
async def in_loop():
    await _native._test_panic(True)
for run in (lambda: _native._test_panic(False), lambda: asyncio.run(in_loop())):
    try:
        run()
    except qoder_cloud.QoderError as e:
        print("caught", type(e).__name__)
with qoder_cloud.Client(access_token="t", base_url={emulator.base_url!r}) as c:
    print("models", len(c.models.list().data) > 0)
print("alive")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["caught", "QoderError", "caught", "QoderError", "models", "True", "alive"], r.stdout + r.stderr


def test_memory_stays_flat_over_20000_sequential_calls(client: qoder_cloud.Client, capsys: pytest.CaptureFixture[str]) -> None:
    agent = client.agents.create(name=unique("mem"), model="auto", metadata={"k": "v"})
    figures: Dict[str, float] = {}

    def call(i: int) -> None:
        if i % 10 == 0:  # the error path allocates too
            try:
                client.agents.retrieve("agent_00000000000000000000000000000000", max_retries=0)
            except qoder_cloud.NotFoundError:
                pass
            else:
                raise AssertionError("expected a 404")
        else:
            a = client.agents.retrieve(agent.id)
            assert a.metadata["k"] == "v"

    for i in range(1, 201):  # warm-up: pools, caches, lazily built classes
        call(i)
    gc.collect()
    figures["rss_mb_after_warmup"] = rss_mb()
    for i in range(1, 20_001):
        call(i)
        if i in (1_000, 20_000):
            gc.collect()
            figures[f"rss_mb_at_{i}_calls"] = rss_mb()
    growth = figures["rss_mb_at_20000_calls"] - figures["rss_mb_at_1000_calls"]
    figures["growth_mb_1000_to_20000"] = growth
    figures["growth_mb_warmup_to_20000"] = figures["rss_mb_at_20000_calls"] - figures["rss_mb_after_warmup"]
    (reliability_dir() / "python-memory.json").write_text(json.dumps({k: round(v, 2) for k, v in figures.items()}, indent=2) + "\n")
    with capsys.disabled():
        print(
            f"\n[memory] RSS after warm-up {figures['rss_mb_after_warmup']:.1f} MiB, at 1k calls {figures['rss_mb_at_1000_calls']:.1f} MiB, "
            f"at 20k calls {figures['rss_mb_at_20000_calls']:.1f} MiB (growth 1k->20k {growth:+.1f} MiB)"
        )
    assert figures["growth_mb_warmup_to_20000"] < 50, f"RSS grew by {figures['growth_mb_warmup_to_20000']:.1f} MiB over 20,000 calls"

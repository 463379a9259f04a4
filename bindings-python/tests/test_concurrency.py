"""One client across event loops and threads."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import List

import qoder_cloud

from conftest import TOKEN, Emulator, new_session, new_session_sync, unique


def test_async_client_across_successive_event_loops(emulator: Emulator) -> None:
    client = qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url)

    async def create() -> str:
        return (await client.agents.create(name=unique("loop"), model="auto")).id

    async def stream_turn() -> str:
        s = await new_session(client)
        r = await client.sessions.run_turn(s.id, "loop")
        async with client.sessions.events.stream(s.id) as st:
            first = await st.__anext__()
        return f"{r.text}|{first.type}"

    a = asyncio.run(create())
    b = asyncio.run(create())
    assert a != b
    assert asyncio.run(stream_turn()) == "Echo: loop|user.message"
    assert asyncio.run(stream_turn()) == "Echo: loop|user.message"
    client.close()


def test_async_client_shared_by_threads_with_their_own_loops(emulator: Emulator) -> None:
    client = qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url)
    results: List[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        async def run() -> None:
            agents = await asyncio.gather(*(client.agents.create(name=unique(f"t{i}"), model="auto") for _ in range(5)))
            with lock:
                results.extend(a.id for a in agents)

        asyncio.run(run())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 20 and len(set(results)) == 20
    client.close()


def test_sync_client_shared_by_threads(client: qoder_cloud.Client) -> None:
    def job(i: int) -> str:
        s = new_session_sync(client)
        return client.sessions.run_turn(s.id, f"job {i}").text

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        texts = sorted(pool.map(job, range(12)))
    assert texts == sorted(f"Echo: job {i}" for i in range(12))


async def test_many_concurrent_calls_on_one_loop(aclient: qoder_cloud.AsyncClient) -> None:
    names = [unique("c") for _ in range(30)]
    agents = await asyncio.gather(*(aclient.agents.create(name=n, model="auto") for n in names))
    assert [a.name for a in agents] == names
    got = await asyncio.gather(*(aclient.agents.retrieve(a.id) for a in agents))
    assert got == agents


async def test_create_task_accepts_method_calls(aclient: qoder_cloud.AsyncClient) -> None:
    task = asyncio.create_task(aclient.agents.create(name=unique("task"), model="auto"))
    agent = await task
    assert agent.id.startswith("agent_")


async def test_async_client_close_forms(emulator: Emulator) -> None:
    c = qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url)
    assert not c.is_closed()
    await c.close()
    c.close()
    assert c.is_closed()
    with qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url) as c2:
        assert (await c2.agents.list()).data is not None
    assert c2.is_closed()

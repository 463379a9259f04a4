"""EnvironmentWorker against the emulator's work queue (sync and async): an item is acked, run
once and stopped, a stop request reaches the handler, Ctrl-C and task cancellation shut down
gracefully, and bad settings are rejected."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, List, Tuple

import pytest

import qoder_cloud
from qoder_cloud import EnvironmentWorker, InvalidArgumentError, WorkContext

from conftest import run_example, user_message


def queued_work(c: qoder_cloud.Client) -> Tuple[str, str]:
    agent = c.agents.create(name="w", model="auto")
    env = c.environments.create(name="hosted", config={"type": "self_hosted"})
    s = c.sessions.create(agent=agent.id, environment_id=env.id)
    c.sessions.events.send(s.id, events=[user_message("work")])
    return env.id, s.id


def wait_state(c: qoder_cloud.Client, env_id: str, state: str) -> None:
    import time

    deadline = time.monotonic() + 20
    while [w.state for w in c.environments.work.list(env_id)] != [state]:
        assert time.monotonic() < deadline, f"work never reached {state}"
        time.sleep(0.02)


def test_sync_worker_runs_an_item_once_and_stops_it(client: qoder_cloud.Client) -> None:
    env_id, sid = queued_work(client)
    seen: List[Any] = []
    worker: EnvironmentWorker

    def handler(work: Any, ctx: WorkContext) -> None:
        seen.append((work.data.id, work.state, ctx.stop_requested))
        worker.shutdown()  # one item is enough

    worker = EnvironmentWorker(client, env_id, handler, worker_id="py-1", poll_wait=0.2, lease=1)
    report = worker.run()
    assert seen == [(sid, "acknowledged", False)]
    assert report.completed + report.stopped == 1  # shutdown may land before it returned
    wait_state(client, env_id, "stopped")


def test_a_stop_request_reaches_a_plain_handler(client: qoder_cloud.Client) -> None:
    env_id, _ = queued_work(client)
    started = threading.Event()
    result: List[bool] = []

    def handler(work: Any, ctx: WorkContext) -> None:
        started.set()
        result.append(ctx.wait_stop(20))

    worker = EnvironmentWorker(client, env_id, handler, poll_wait=0.2, lease=1)
    t = threading.Thread(target=lambda: result.append(worker.run()))
    t.start()
    assert started.wait(20)
    [work] = list(client.environments.work.list(env_id))
    client.environments.work.stop(work.id, environment_id=env_id)
    wait_state(client, env_id, "stopped")
    worker.shutdown()
    t.join(20)
    assert result[0] is True
    assert result[1].stopped == 1  # type: ignore[attr-defined]


async def test_async_worker_cancellation_is_graceful(aclient: qoder_cloud.AsyncClient, client: qoder_cloud.Client) -> None:
    env_id, _ = queued_work(client)
    started = asyncio.Event()
    finished: List[str] = []
    loop = asyncio.get_running_loop()

    async def handler(work: Any, ctx: WorkContext) -> None:
        assert asyncio.get_running_loop() is loop
        started.set()
        await ctx.stopped()  # wraps up when asked
        finished.append(work.id)

    worker = EnvironmentWorker(aclient, env_id, handler, poll_wait=0.2, lease=1)
    task = asyncio.ensure_future(worker.run())
    await asyncio.wait_for(started.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(finished) == 1, "the running handler finished within its grace period"
    await asyncio.to_thread(wait_state, client, env_id, "stopped")


def test_bad_worker_settings_are_rejected(client: qoder_cloud.Client) -> None:
    with pytest.raises(InvalidArgumentError) as e:
        EnvironmentWorker(client, "env_x", 42).run()  # type: ignore[arg-type]
    assert e.value.param == "handler"
    for kwargs, param in [
        (dict(max_concurrency=0), "max_concurrency"),
        (dict(poll_wait=31), "poll_wait"),
        (dict(lease=-1), "lease"),
    ]:
        with pytest.raises(InvalidArgumentError) as e:
            EnvironmentWorker(client, "env_x", lambda w, c: None, **kwargs).run()  # type: ignore[arg-type]
        assert e.value.param == param


def test_the_worker_example_runs(emulator: Any) -> None:
    out = run_example(emulator, "worker.py")
    assert "working on work_" in out and "state acknowledged" in out, out
    assert "worker stopped: WorkerReport(completed=0, failed=0, stopped=1)" in out, out

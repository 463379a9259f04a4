"""Closing a client (the core's close, as in Node): calls in flight raise ClientClosedError, open
streams end, later calls and streams raise at once."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, List

import pytest

import qoder_cloud
from conftest import Emulator, aeventually, eventually, fault, new_session, new_session_sync, route_count


async def test_async_close_ends_calls_in_flight_and_streams(emulator: Emulator) -> None:
    c = qoder_cloud.AsyncClient(access_token="pt-test", base_url=emulator.base_url, max_retries=0)
    s = await new_session(c)
    streams = emulator.open_streams()
    stream = c.sessions.events.stream(s.id)
    await aeventually(lambda: emulator.open_streams() == streams + 1, "the stream to open")
    before = route_count(emulator.stats(), "GET /agents")
    held = asyncio.ensure_future(c.agents.list(extra_headers=fault("delay-ms=60000")))
    await aeventually(lambda: route_count(emulator.stats(), "GET /agents") > before, "the held call to arrive")

    await c.close()
    with pytest.raises(qoder_cloud.ClientClosedError, match="in flight"):
        await asyncio.wait_for(held, 20)
    got: List[Any] = [ev async for ev in stream]  # ends (no error) once the client closed
    assert all(ev.type for ev in got)
    await aeventually(lambda: emulator.open_streams() == streams, "the stream connection to close")
    with pytest.raises(qoder_cloud.ClientClosedError):
        await c.models.list()
    with pytest.raises(qoder_cloud.ClientClosedError):
        c.sessions.events.stream(s.id)
    await c.close()  # idempotent


def test_sync_close_from_another_thread_ends_a_blocked_call_and_stream(emulator: Emulator) -> None:
    c = qoder_cloud.Client(access_token="pt-test", base_url=emulator.base_url, max_retries=0)
    s = new_session_sync(c)
    streams = emulator.open_streams()
    stream = c.sessions.events.stream(s.id)
    eventually(lambda: emulator.open_streams() == streams + 1, "the stream to open")
    before = route_count(emulator.stats(), "GET /agents")
    errors: List[BaseException] = []

    def held() -> None:
        try:
            c.agents.list(extra_headers=fault("delay-ms=60000"))
        except BaseException as e:  # noqa: BLE001  (the assertion is on the type below)
            errors.append(e)

    t = threading.Thread(target=held)
    t.start()
    eventually(lambda: route_count(emulator.stats(), "GET /agents") > before, "the held call to arrive")
    c.close()
    t.join(20)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], qoder_cloud.ClientClosedError), errors
    for _ in stream:  # ends once the client closed
        pass
    eventually(lambda: emulator.open_streams() == streams, "the stream connection to close")
    with pytest.raises(qoder_cloud.ClientClosedError):
        c.models.list()

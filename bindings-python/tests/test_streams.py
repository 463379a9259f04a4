"""Event streams: deltas, resume, batches, closing (aclose, break, task cancel, threads)."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from typing import Any, List

import pytest

import qoder_cloud
from qoder_cloud import AsyncEventStream, DeltaAccumulator, EventStream
from qoder_cloud.types import MessageSnapshot, SessionEvent

from conftest import Emulator, fault, new_session, new_session_sync, user_message, wait_for


def no_open_streams(emulator: Emulator) -> bool:
    return wait_for(lambda: emulator.open_streams() == 0)


async def send(c: qoder_cloud.AsyncClient, session_id: str, text: str) -> str:
    sent = await c.sessions.events.send(session_id, events=[user_message(text)])
    return str(sent.data[-1].id)


async def test_stream_a_turn_with_deltas(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    after = await send(aclient, s.id, "stream me please")
    seen: List[SessionEvent] = []
    text = ""
    async with aclient.sessions.events.stream(s.id, last_event_id=after, event_deltas=["agent.message"]) as stream:
        assert isinstance(stream, AsyncEventStream)
        async for ev in stream:
            assert isinstance(ev, SessionEvent)
            seen.append(ev)
            if ev.type == "event_delta":
                text += ev.delta.content.text
            if ev.type == "session.status_idle":
                break
        persisted = [e for e in seen if e.type not in ("event_start", "event_delta")]
        assert stream.last_event_id == persisted[-1].id
        assert stream.reconnects == 0
    assert stream.closed
    types = [e.type for e in seen]
    assert types[0] == "session.status_running"
    assert "event_start" in types and types.count("event_delta") >= 2
    final = [e for e in seen if e.type == "agent.message"][0]
    assert final.content[0].text == "Echo: stream me please" == text
    assert types.index("event_start") < types.index("agent.message")
    assert seen[-1].stop_reason.type == "end_turn"
    assert no_open_streams(emulator)


async def test_stream_replays_history_then_resumes_after_cursor(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    await aclient.sessions.run_turn(s.id, "one")
    everything = [e.id async for e in aclient.sessions.events.list(s.id)]
    async with aclient.sessions.events.stream(s.id) as stream:
        replay = []
        async for ev in stream:
            replay.append(ev.id)
            if len(replay) == len(everything):
                break
    assert replay == everything
    async with aclient.sessions.events.stream(s.id, last_event_id=everything[2]) as stream:
        first = await stream.__anext__()
    assert first.id == everything[3]


async def test_next_batch(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    after = await send(aclient, s.id, "[[burst 300]]")
    got: List[SessionEvent] = []
    async with aclient.sessions.events.stream(s.id, last_event_id=after) as stream:
        while not got or got[-1].type != "session.status_idle":
            batch = await stream.next_batch(64)
            assert 1 <= len(batch) <= 64
            got.extend(batch)
    assert sum(1 for e in got if e.type == "agent.message") == 300
    ids = [e.id for e in got]
    assert len(ids) == len(set(ids))
    assert no_open_streams(emulator)


async def test_aclose_while_another_task_waits(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    stream = aclient.sessions.events.stream(s.id)  # nothing to read: the reader waits
    received: List[Any] = []

    async def consume() -> str:
        async for ev in stream:
            received.append(ev)
        return "ended"

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)  # let the consumer run until it awaits the next event
    assert not task.done()
    assert wait_for(lambda: emulator.open_streams() == 1)
    await stream.aclose()
    assert await asyncio.wait_for(task, 5) == "ended"
    await stream.aclose()  # idempotent
    stream.close()
    assert received == [] and stream.closed
    assert no_open_streams(emulator)


async def test_cancelling_the_consumer_closes_the_stream(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    started = asyncio.Event()

    async def consume() -> None:
        async with aclient.sessions.events.stream(s.id) as stream:
            started.set()
            async for _ in stream:
                pass

    task = asyncio.create_task(consume())
    await started.wait()
    assert wait_for(lambda: emulator.open_streams() == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert no_open_streams(emulator)


async def test_breaking_out_of_a_temporary_stream_closes_it(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    await aclient.sessions.run_turn(s.id, "hello")
    async for ev in aclient.sessions.events.stream(s.id):
        assert ev.type == "user.message"
        break
    gc.collect()
    assert no_open_streams(emulator)


async def test_awaiting_the_stream_call_is_supported(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    await aclient.sessions.run_turn(s.id, "x")
    stream = await aclient.sessions.events.stream(s.id)  # the official SDK's spelling
    first = await stream.__anext__()
    assert first.type == "user.message"
    await stream.aclose()
    assert no_open_streams(emulator)


async def test_thread_stream(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    [thread] = (await aclient.sessions.threads.list(s.id)).data
    after = await send(aclient, s.id, "thread hello")
    async with aclient.sessions.threads.events.stream(thread.id, session_id=s.id, last_event_id=after) as stream:
        types = []
        async for ev in stream:
            types.append(ev.type)
            if ev.type == "session.status_idle":
                break
    assert "agent.message" in types
    assert no_open_streams(emulator)


async def test_reconnects_transparently_without_duplicates(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    after = await send(aclient, s.id, "[[burst 40]]")
    ids: List[str] = []
    async with aclient.sessions.events.stream(
        s.id, last_event_id=after, extra_headers=fault("stream-drop-after=5;count=2")
    ) as stream:
        async for ev in stream:
            ids.append(ev.id)
            if ev.type == "session.status_idle":
                break
        assert stream.reconnects == 2
    assert len(ids) == len(set(ids)) and len(ids) >= 42
    assert no_open_streams(emulator)


async def test_in_stream_error_frame(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    await aclient.sessions.run_turn(s.id, "hi")
    got: List[str] = []
    with pytest.raises(qoder_cloud.APIStreamError) as ei:
        async with aclient.sessions.events.stream(
            s.id, extra_headers=fault("stream-error=invalid_request_error;stream-error-after=2")
        ) as stream:
            async for ev in stream:
                got.append(ev.type)
    assert isinstance(ei.value, qoder_cloud.StreamError) and ei.value.type == "invalid_request_error"
    assert got == ["user.message", "session.status_running"]


async def test_retryable_in_stream_error_resumes(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    after = await send(aclient, s.id, "resume after overload")
    async with aclient.sessions.events.stream(
        s.id, last_event_id=after, extra_headers=fault("stream-error=overloaded_error;stream-error-after=1;count=1")
    ) as stream:
        async for ev in stream:
            if ev.type == "session.status_idle":
                break
        assert stream.reconnects == 1


async def test_stream_that_cannot_resume(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    await aclient.sessions.run_turn(s.id, "hi")
    # Every connection drops before delivering anything: after the allowed reconnects the
    # stream gives up with the last failure.
    with pytest.raises(qoder_cloud.APIConnectionError):
        async with aclient.sessions.events.stream(
            s.id, max_reconnect_attempts=0, extra_headers=fault("stream-drop-after=0")
        ) as stream:
            async for _ in stream:
                pass


async def test_stream_of_unknown_session(aclient: qoder_cloud.AsyncClient) -> None:
    with pytest.raises(qoder_cloud.NotFoundError):
        async with aclient.sessions.events.stream("sess_missing") as stream:
            await stream.__anext__()


async def test_delta_accumulator(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    after = await send(aclient, s.id, "accumulate this text")
    acc = DeltaAccumulator()
    snapshots: List[Any] = []
    async with aclient.sessions.events.stream(s.id, last_event_id=after, event_deltas=["agent.message"]) as stream:
        async for ev in stream:
            snap = acc.push(ev)
            if snap is not None:
                snapshots.append(snap)
            if ev.type == "session.status_idle":
                break
    assert all(isinstance(x, MessageSnapshot) for x in snapshots)
    texts = [x.text for x in snapshots if not x.is_final]
    assert texts == sorted(texts, key=len) and texts[-1] == "Echo: accumulate this text"
    final = [x for x in snapshots if x.is_final and x.type == "agent.message"][-1]
    assert final.text == "Echo: accumulate this text" and final.final_event.id == final.id
    assert acc.in_progress() == []


def test_sync_stream(client: qoder_cloud.Client, emulator: Emulator) -> None:
    s = new_session_sync(client)
    sent = client.sessions.events.send(s.id, events=[user_message("sync stream")])
    with client.sessions.events.stream(s.id, last_event_id=sent.data[-1].id, event_deltas=["agent.message"]) as stream:
        assert isinstance(stream, EventStream)
        types = []
        for ev in stream:
            types.append(ev.type)
            if ev.type == "agent.message":
                assert ev.content[0].text == "Echo: sync stream"
            if ev.type == "session.status_idle":
                break
        assert stream.last_event_id is not None
    assert stream.closed
    assert "event_delta" in types and types[-1] == "session.status_idle"
    assert no_open_streams(emulator)


def test_sync_stream_closed_from_another_thread(client: qoder_cloud.Client, emulator: Emulator) -> None:
    s = new_session_sync(client)
    stream = client.sessions.events.stream(s.id)
    out: List[Any] = []
    t = threading.Thread(target=lambda: out.extend(stream))
    t.start()
    assert wait_for(lambda: emulator.open_streams() == 1)
    stream.close()
    t.join(5)
    assert not t.is_alive() and out == []
    assert no_open_streams(emulator)


def test_sync_next_batch_and_break(client: qoder_cloud.Client, emulator: Emulator) -> None:
    s = new_session_sync(client)
    client.sessions.run_turn(s.id, "[[burst 50]]")
    with client.sessions.events.stream(s.id) as stream:
        batch = stream.next_batch(10)
        assert 1 <= len(batch) <= 10 and batch[0].type == "user.message"
    for ev in client.sessions.events.stream(s.id):
        break
    del ev
    gc.collect()
    assert no_open_streams(emulator)


async def test_run_turn_with_callback(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    seen: List[str] = []
    result = await aclient.sessions.run_turn(s.id, "cb", event_deltas=True, on_event=lambda e: seen.append(e.type))
    assert result.text == "Echo: cb" and result.stop_type == "end_turn"
    assert "event_delta" in seen and "agent.message" in seen
    assert [m.content[0].text for m in result.messages] == ["Echo: cb"]

    def boom(e: Any) -> None:
        raise KeyError("from callback")

    with pytest.raises(KeyError, match="from callback"):
        await aclient.sessions.run_turn(s.id, "again", on_event=boom)


def test_send_and_wait_sync(client: qoder_cloud.Client) -> None:
    s = new_session_sync(client)
    r = client.sessions.send_and_wait(s.id, events=[user_message("[[custom_tool get_weather city=Paris]]")])
    assert r.stop_type == "requires_action" and len(r.blocking_event_ids) == 1
    [tool_use] = [e for e in r.events if e.type == "agent.custom_tool_use"]
    assert tool_use.input == {"city": "Paris"}
    r2 = client.sessions.send_and_wait(
        s.id,
        events=[{"type": "user.custom_tool_result", "custom_tool_use_id": tool_use.id, "content": [{"type": "text", "text": "sunny"}]}],
    )
    assert r2.stop_type == "end_turn"


def test_run_turn_callback_sync(client: qoder_cloud.Client) -> None:
    s = new_session_sync(client)
    seen: List[str] = []
    thread_ids = set()

    def on_event(e: SessionEvent) -> None:
        seen.append(e.type)
        thread_ids.add(threading.get_ident())

    r = client.sessions.run_turn(s.id, "sync cb", on_event=on_event)
    assert r.text == "Echo: sync cb"
    assert seen[0] == "session.status_running" and seen[-1] == "session.status_idle"
    assert thread_ids == {threading.get_ident()}  # the blocking call runs the callback in place


async def _read_with_cancellations(stream: AsyncEventStream, batch: bool) -> List[SessionEvent]:
    """Reads up to the turn's idle event, cancelling every other read that had to wait.

    A read cancelled after the runtime already took its events out of the stream must not lose
    them: the next read hands them out first, in order.
    """
    got: List[SessionEvent] = []
    cancelled = 0
    i = 0
    while not got or got[-1].type != "session.status_idle":
        i += 1
        pending = stream.next_batch(7) if batch else stream.__anext__()
        # A read can come back already done (ready at once): cancelling it does nothing, and
        # dropping it would drop its result, so only reads still waiting are cancelled.
        if isinstance(pending, asyncio.Future) and not pending.done() and i % 2 == 0:
            if i % 4 == 0:
                # The loop is busy with blocking work while the runtime completes the read: the
                # cancellation then lands after the events were taken (the case that used to
                # lose them). Otherwise it lands first and aborts the read.
                time.sleep(0.004)
            # Still not done: the loop has not run since, so nothing could have settled it.
            assert pending.cancel()
            cancelled += 1
            # Vary whether the runtime finishes the cancelled read before the next one starts.
            await asyncio.sleep(0)
            continue
        result = await pending
        if batch:
            got.extend(result)
        else:
            got.append(result)
    assert cancelled > 0, "no read waited on the runtime, so nothing was cancelled"
    return got


@pytest.mark.parametrize("batch", [False, True], ids=["anext", "next_batch"])
async def test_cancelled_reads_lose_no_event(aclient: qoder_cloud.AsyncClient, batch: bool) -> None:
    s = await new_session(aclient)
    # A live turn whose steps arrive a few milliseconds apart, so most reads wait.
    after = await send(aclient, s.id, "[[slow ms=2]] " + "[[tool]] " * 30)
    async with aclient.sessions.events.stream(s.id, last_event_id=after) as stream:
        # Bounded: a lost idle event would otherwise leave the reader waiting for ever.
        got = await asyncio.wait_for(_read_with_cancellations(stream, batch), 30)
        assert stream.last_event_id == got[-1].id
    everything = [e.id async for e in aclient.sessions.events.list(s.id, limit=100)]
    assert [e.id for e in got] == everything[everything.index(after) + 1 :]


async def test_two_tasks_reading_one_stream_share_its_events(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    """Two consumers of one stream: each event reaches exactly one of them, in order.

    One pending read waits holding the stream; the other queues behind it. Neither may take the
    other's wakeup (that would leave one waiting for ever), and closing ends both.
    """
    s = await new_session(aclient)
    after = await send(aclient, s.id, "[[slow ms=2]] " + "[[tool]] " * 20)
    got: List[List[str]] = [[], []]
    idle = asyncio.Event()
    async with aclient.sessions.events.stream(s.id, last_event_id=after) as stream:

        async def consume(k: int) -> str:
            async for ev in stream:
                got[k].append(str(ev.id))
                if ev.type == "session.status_idle":
                    idle.set()
            return "ended"

        tasks = [asyncio.create_task(consume(k)) for k in (0, 1)]
        await asyncio.wait_for(idle.wait(), 30)
        await stream.aclose()
        assert await asyncio.wait_for(asyncio.gather(*tasks), 10) == ["ended", "ended"]
    everything = [str(e.id) async for e in aclient.sessions.events.list(s.id, limit=100)]
    expected = everything[everything.index(after) + 1 :]
    assert sorted(got[0] + got[1]) == sorted(expected), "every event exactly once"
    for mine in got:
        assert mine, "both consumers took turns"
        assert [i for i in expected if i in set(mine)] == mine, "each consumer sees its events in order"
    assert no_open_streams(emulator)


def test_run_turn_options_reach_its_stream(client: qoder_cloud.Client) -> None:
    # A fault header that fails only the stream's path fails the turn: the helper's
    # extra_headers reach the stream it opens, not only the send (the same in both clients).
    s = new_session_sync(client)
    path = f"/sessions/{s.id}/events/stream"
    with pytest.raises(qoder_cloud.APIStatusError) as e:
        client.sessions.run_turn(s.id, "hello", max_retries=0, extra_headers=fault(f"status=418;path={path};id=py-turn-opts"))
    assert e.value.status_code == 418
    with pytest.raises(qoder_cloud.APIStatusError) as e:
        client.sessions.send_and_wait(
            s.id, events=[user_message("x")], max_retries=0, extra_headers=fault(f"status=418;path={path};id=py-turn-opts-2")
        )
    assert e.value.status_code == 418


async def test_run_turn_options_reach_its_stream_async(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    path = f"/sessions/{s.id}/events/stream"
    with pytest.raises(qoder_cloud.APIStatusError) as e:
        await aclient.sessions.run_turn(s.id, "hello", max_retries=0, extra_headers=fault(f"status=418;path={path};id=py-turn-opts-a"))
    assert e.value.status_code == 418

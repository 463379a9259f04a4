"""Sessions, events, threads and models, with both clients."""

from __future__ import annotations

import datetime as dt

import pytest

import qoder_cloud
from qoder_cloud.types import SendEventsResponse, Session, SessionEvent, SessionThread

from conftest import new_session, new_session_sync, unique, user_message


async def test_session_lifecycle_async(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient, title="first", metadata={"k": "v"}, environment_variables={"A": "1"})
    assert isinstance(s, Session) and s.id.startswith("sess_")
    assert s.status == "idle" and s.title == "first"
    assert s.agent.id.startswith("agent_")  # nested objects are models
    assert s.environment_variables == {"A": "1"}  # free-form maps stay dicts

    got = await aclient.sessions.retrieve(s.id)
    assert got.id == s.id

    # Omitted arguments are not sent; an explicit None is (title: null clears it).
    kept = await aclient.sessions.update(s.id, metadata={"k2": "v2"})
    assert kept.title == "first" and kept.metadata == {"k": "v", "k2": "v2"}
    cleared = await aclient.sessions.update(s.id, title=None)
    assert cleared.title in (None, "")

    assert s.id in [x.id async for x in aclient.sessions.list(agent_id=s.agent.id)]
    assert (await aclient.sessions.cancel(s.id)).id == s.id
    assert (await aclient.sessions.archive(s.id)).archived_at is not None
    with pytest.raises(qoder_cloud.ConflictError):
        await aclient.sessions.events.send(s.id, events=[user_message("late")])
    deleted = await aclient.sessions.delete(s.id)
    assert deleted.id == s.id and deleted.type == "session_deleted"
    with pytest.raises(qoder_cloud.NotFoundError):
        await aclient.sessions.retrieve(s.id)


def test_session_lifecycle_sync(client: qoder_cloud.Client) -> None:
    s = new_session_sync(client, title="sync")
    assert client.sessions.retrieve(s.id).title == "sync"
    assert client.sessions.update(s.id, title="renamed").title == "renamed"
    assert s.id in [x.id for x in client.sessions.list(statuses=["idle"])]
    assert client.sessions.delete(s.id).type == "session_deleted"


async def test_send_and_list_events_async(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    sent = await aclient.sessions.events.send(s.id, events=[user_message("hello")])
    assert isinstance(sent, SendEventsResponse)
    [echo] = sent.data
    assert echo.type == "user.message" and echo.id.startswith("evt_")
    assert echo.content[0].text == "hello"
    result = await aclient.sessions.run_turn(s.id, "second")
    assert result.stop_type == "end_turn"
    events = [e async for e in aclient.sessions.events.list(s.id, limit=2)]
    types = [e.type for e in events]
    assert types[0] == "user.message" and "agent.message" in types
    assert all(isinstance(e, SessionEvent) for e in events)
    reply = [e for e in events if e.type == "agent.message"][0]
    assert reply.content[0].text == "Echo: hello"
    only = await aclient.sessions.events.list(s.id, types=["agent.message"], order="desc")
    assert {e.type for e in only.data} == {"agent.message"}
    assert only.data[0].content[0].text == "Echo: second"


def test_send_and_list_events_sync(client: qoder_cloud.Client) -> None:
    s = new_session_sync(client)
    r = client.sessions.run_turn(s.id, "ping")
    assert r.text == "Echo: ping" and r.stop_type == "end_turn"
    after = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)  # datetimes are sent as ISO-8601
    events = list(client.sessions.events.list(s.id, created_at_gte=after))
    assert [e.type for e in events][0] == "user.message"
    assert events[-1].type == "session.status_idle"
    assert events[-1].stop_reason.type == "end_turn"


async def test_threads_async(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    await aclient.sessions.run_turn(s.id, "hi")
    page = await aclient.sessions.threads.list(s.id)
    [thread] = page.data
    assert isinstance(thread, SessionThread) and thread.id.startswith("sthr_")
    got = await aclient.sessions.threads.retrieve(thread.id, session_id=s.id)
    assert got.id == thread.id and got.session_id == s.id
    tev = [e.type async for e in aclient.sessions.threads.events.list(thread.id, session_id=s.id)]
    assert "agent.message" in tev
    assert (await aclient.sessions.threads.archive(thread.id, session_id=s.id)).archived_at is not None


def test_threads_sync(client: qoder_cloud.Client) -> None:
    s = new_session_sync(client)
    [thread] = client.sessions.threads.list(s.id).data
    assert client.sessions.threads.retrieve(thread.id, session_id=s.id).id == thread.id
    with pytest.raises(qoder_cloud.NotFoundError):
        client.sessions.threads.retrieve("sthr_missing", session_id=s.id)


async def test_models_async(aclient: qoder_cloud.AsyncClient) -> None:
    first = await aclient.models.list()
    assert first.data and all(m.type == "model" for m in first.data)
    everything = [m.id async for m in aclient.models.list()]
    assert everything == [m.id for m in first.data]  # the catalog fits one page


def test_models_sync(client: qoder_cloud.Client) -> None:
    models = list(client.models.list())
    assert {"auto", "ultimate"} <= {m.id for m in models}
    auto = [m for m in models if m.id == "auto"][0]
    assert auto.capabilities.thinking.supported is True


async def test_tool_confirmation_flow(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    first = await aclient.sessions.send_and_wait(s.id, events=[user_message("[[approve name=bash command=ls]] done")])
    assert first.stop_type == "requires_action"
    [tool_use] = [e for e in first.events if e.type == "agent.tool_use"]
    assert tool_use.evaluated_permission == "ask" and first.blocking_event_ids == [tool_use.id]
    second = await aclient.sessions.send_and_wait(
        s.id, events=[{"type": "user.tool_confirmation", "tool_use_id": tool_use.id, "result": "allow"}]
    )
    assert second.stop_type == "end_turn"
    assert any(e.type == "agent.tool_result" for e in second.events)


async def test_each_result_has_the_class_the_operation_table_names(aclient: qoder_cloud.AsyncClient) -> None:
    """The class of a result comes from the operation's `result` (core/operations.json)."""
    from qoder_cloud import types as t

    s = await new_session(aclient)
    sent = await aclient.sessions.events.send(s.id, events=[user_message("hi")])
    assert type(sent) is t.SentEvents
    ack = await aclient.sessions.cancel(s.id)
    assert type(ack) is t.CancelAck, type(ack)
    page = await aclient.sessions.events.list(s.id)
    assert page.data and all(isinstance(ev, t.Event) for ev in page.data)
    gone = await aclient.sessions.delete(s.id)
    assert type(gone) is t.Deleted and gone.type == "session_deleted"

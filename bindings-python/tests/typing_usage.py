"""Type-checked (``mypy --strict``) by test_typing.py, never executed: it pins the public types."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from typing_extensions import assert_type

import qoder_cloud
from qoder_cloud import AsyncPage, AsyncPaginator, DeltaAccumulator, SyncPage
from qoder_cloud.types import (
    Agent,
    Deleted,
    Environment,
    InputEventParam,
    SendEventsResponse,
    Session,
    SessionEvent,
    SessionStreamEvent,
    StopReason,
    TextBlock,
    AgentMessageEvent,
    TurnResult,
    UserMessageEventParam,
)


async def async_usage() -> None:
    async with qoder_cloud.AsyncClient(access_token="t", base_url="http://localhost/api/v1/cloud", timeout=30.0) as c:
        agent = await c.agents.create(name="a", model={"id": "auto", "speed": "fast"}, metadata={"k": "v"})
        assert_type(agent, Agent)
        assert_type(agent.id, str)
        assert_type(agent.version, int)
        rid: Optional[str] = agent.request_id
        env = await c.environments.create(name="e", config={"type": "cloud", "networking": {"type": "unrestricted"}})
        assert_type(env, Environment)
        session = await c.sessions.create(agent=agent.id, environment_id=env.id, title=None)
        assert_type(session, Session)
        msg: UserMessageEventParam = {"type": "user.message", "content": [{"type": "text", "text": "hi"}]}
        events: List[InputEventParam] = [msg, {"type": "user.interrupt"}]
        sent = await c.sessions.events.send(session.id, events=events, idempotency_key="k-1")
        assert_type(sent, SendEventsResponse)
        pager = c.agents.list(limit=10, include_archived=True)
        assert_type(pager, AsyncPaginator[Agent])
        page = await pager
        assert_type(page, AsyncPage[Agent])
        assert_type(page.data, List[Agent])
        if page.has_next_page():
            nxt = await page.get_next_page()
            assert_type(nxt, AsyncPage[Agent])
        async for a in c.agents.list():
            assert_type(a, Agent)
        acc = DeltaAccumulator()
        async with c.sessions.events.stream(session.id, last_event_id=rid, event_deltas=["agent.message"]) as stream:
            async for ev in stream:
                assert_type(ev, SessionStreamEvent)
                kind: str = ev.type
                acc.push(ev)
                text = ev.delta.content.text if ev.type == "event_delta" else None
                del text
            batch = await stream.next_batch(10)
            assert_type(batch, List[SessionStreamEvent])
            cursor: Optional[str] = stream.last_event_id
            del cursor
        async with c.sessions.threads.events.stream("sthr_1", session_id=session.id) as tstream:
            await tstream.aclose()
        result = await c.sessions.run_turn(session.id, "hello", event_deltas=True, on_event=print)
        assert_type(result, TurnResult)
        assert_type(result.text, str)

        @qoder_cloud.custom_tool
        async def get_weather(city: str) -> str:
            """The weather in a city."""
            return city

        async def confirm(ev: SessionEvent) -> bool:
            return ev.type == "agent.tool_use"

        assert_type(get_weather.definition, Dict[str, Any])
        ran = await c.sessions.run_tools(session.id, "weather?", tools=[get_weather], confirm=confirm)
        assert_type(ran, TurnResult)
        assert_type(ran.pending, List[SessionEvent])
        defn = qoder_cloud.custom_tool(name="x", description="d", input_schema={"type": "object"})
        assert_type(defn, Dict[str, Any])
        gone = await c.sessions.delete(session.id)
        assert_type(gone, Deleted)
        cred = await c.vaults.credentials.retrieve("vcred_1", vault_id="vault_1")
        print(cred.auth)
        dl = await c.files.download("file_1")
        data: bytes = await dl.read()
        del data
        work = await c.environments.work.poll(env.id, block_ms=1000)
        if work is not None:
            print(work.state)


def sync_usage() -> None:
    with qoder_cloud.Client(access_token="t") as c:
        agent = c.agents.retrieve("agent_1", version=2, timeout=5, max_retries=0, extra_headers={"x": "y"})
        assert_type(agent, Agent)
        page = c.agents.list()
        assert_type(page, SyncPage[Agent])
        for a in page:
            assert_type(a, Agent)
        with c.sessions.events.stream("sess_1") as stream:
            for ev in stream:
                assert_type(ev, SessionStreamEvent)
        meta = c.files.retrieve_metadata("file_1")
        print(meta.filename)
        up = c.files.upload(file=("notes.txt", b"hello"), metadata={"a": "b"})
        print(up.id)
        skill = c.skills.create(directory="./my-skill", display_title="My skill")
        print(skill.id)
        try:
            c.agents.retrieve("x")
        except qoder_cloud.NotFoundError as e:
            status: Optional[int] = e.status_code
            rid: Optional[str] = e.request_id
            print(status, rid, e.type, e.code, e.param, e.body, e.idempotency_key)
        except qoder_cloud.InvalidArgumentError as e:
            assert isinstance(e, ValueError)


def narrowing(ev: SessionEvent) -> Optional[str]:
    """Events are a union discriminated on `type`: comparing it, or isinstance, narrows."""
    if ev.type == "agent.message":
        assert_type(ev, AgentMessageEvent)
        for block in ev.content:
            if block.type == "text":
                assert_type(block, TextBlock)
                return block.text
    if ev.type == "session.status_idle":
        assert_type(ev.stop_reason, StopReason)
        if ev.stop_reason.type == "requires_action":
            ids: List[str] = ev.stop_reason.event_ids
            del ids
    if isinstance(ev, AgentMessageEvent):
        assert_type(ev.id, str)
    new_type: Any = ev["type"]  # an unmodelled type's real string, for comparing with new types
    del new_type
    return None


async def first_text(c: qoder_cloud.AsyncClient) -> str:
    """A `return` inside `async with stream:` type-checks (the context manager swallows nothing)."""
    async with c.sessions.events.stream("sess_1") as stream:
        async for ev in stream:
            if ev.type == "event_delta":
                return ev.delta.content.text
    return ""


def first_text_sync(c: qoder_cloud.Client) -> str:
    with c.sessions.events.stream("sess_1") as stream:
        for ev in stream:
            if ev.type == "agent.message":
                return ev.content[0].type
    return ""

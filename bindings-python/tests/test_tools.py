"""sessions.run_tools and custom_tool against the emulator's scripted agent ([[custom_tool]],
[[approve]]): handlers as callables (sync and async), concurrency, error results, confirmation
policies, resuming a waiting session, cancellation, dropped streams, and tool definitions built
from typed functions."""

from __future__ import annotations

import asyncio
import enum
import threading
from typing import Any, Dict, List, Literal, Optional

import pytest

import qoder_cloud
from qoder_cloud import InvalidArgumentError, custom_tool

from conftest import fault, new_session, new_session_sync, run_example, user_message


async def history(c: qoder_cloud.AsyncClient, sid: str) -> List[Any]:
    return [e async for e in c.sessions.events.list(sid, limit=100)]


def results_by_use(events: List[Any]) -> Dict[str, List[Any]]:
    """custom_tool_use id -> the results sent for it; every use must appear."""
    out: Dict[str, List[Any]] = {e.id: [] for e in events if e.type == "agent.custom_tool_use"}
    for e in events:
        if e.type == "user.custom_tool_result":
            out.setdefault(e.custom_tool_use_id, []).append(e)
    return out


async def test_async_handlers_run_concurrently_on_the_loop_and_each_is_answered_once(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    arrived = 0
    all_here = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def get_weather(city: str) -> str:
        nonlocal arrived
        assert asyncio.get_running_loop() is loop
        arrived += 1
        if arrived == 3:
            all_here.set()
        # Finishes only once all three calls are running: one at a time would time out.
        await asyncio.wait_for(all_here.wait(), 20)
        return f"sunny in {city}"

    r = await aclient.sessions.run_tools(s.id, "[[custom_tool name=get_weather city=Paris count=3]]", tools={"get_weather": get_weather})
    assert r.stop_type == "end_turn"
    assert r.pending == []
    assert len(r.replies) == 3
    by_use = results_by_use(await history(aclient, s.id))
    assert len(by_use) == 3 and all(len(v) == 1 for v in by_use.values())
    for [res] in by_use.values():
        assert res.is_error is False
        assert res.content[0].text == "sunny in Paris"
    assert "sunny in Paris" in r.text


def test_sync_client_runs_plain_functions_concurrently(client: qoder_cloud.Client) -> None:
    s = new_session_sync(client)
    barrier = threading.Barrier(2, timeout=20)

    def get_weather(city: str) -> Dict[str, Any]:
        barrier.wait()  # both calls must be running at once
        return {"city": city, "sky": "clear"}

    r = client.sessions.run_tools(s.id, "[[custom_tool name=get_weather city=Rome count=2]]", tools=[get_weather])
    assert r.stop_type == "end_turn"
    events = list(client.sessions.events.list(s.id, limit=100))
    results = [e for e in events if e.type == "user.custom_tool_result"]
    assert len(results) == 2
    # A value that is not text is sent as its JSON text.
    assert all(res.content[0].text == '{"city":"Rome","sky":"clear"}' for res in results)


async def test_exceptions_and_unknown_tools_become_error_results(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)

    def get_weather(city: str) -> str:
        raise ValueError(f"no station in {city}")

    r = await aclient.sessions.run_tools(s.id, "[[custom_tool name=get_weather city=Nowhere]] [[custom_tool name=launch]]", tools={"get_weather": get_weather})
    assert r.stop_type == "end_turn"
    results = [e for e in await history(aclient, s.id) if e.type == "user.custom_tool_result"]
    assert [x.is_error for x in results] == [True, True]
    assert results[0].content[0].text == "ValueError: no station in Nowhere"
    assert 'unknown tool: "launch"' in results[1].content[0].text


async def test_confirmations_by_callback_lists_or_left_to_the_caller(aclient: qoder_cloud.AsyncClient) -> None:
    asked: List[Any] = []

    async def confirm(ev: Any) -> Any:
        asked.append(ev)
        return "not today" if ev.input.get("command") == "rm" else True

    s = await new_session(aclient)
    r = await aclient.sessions.run_tools(s.id, "[[approve name=bash command=rm]] [[approve name=bash command=ls]]", confirm=confirm)
    assert r.stop_type == "end_turn"
    assert [a.type for a in asked] == ["agent.tool_use", "agent.tool_use"]
    confirmations = [e for e in await history(aclient, s.id) if e.type == "user.tool_confirmation"]
    assert [(c.result, getattr(c, "deny_message", None)) for c in confirmations] == [("deny", "not today"), ("allow", None)]

    s = await new_session(aclient)
    r = await aclient.sessions.run_tools(s.id, "[[approve name=bash]]", allow_tools=["bash"])
    assert r.stop_type == "end_turn"

    s = await new_session(aclient)
    r = await aclient.sessions.run_tools(s.id, "[[approve name=bash]]", deny_tools=["bash"], deny_message="no shell")
    confirmations = [e for e in await history(aclient, s.id) if e.type == "user.tool_confirmation"]
    assert [(c.result, c.deny_message) for c in confirmations] == [("deny", "no shell")]

    s = await new_session(aclient)
    r = await aclient.sessions.run_tools(s.id, "[[approve name=bash]]")
    assert r.stop_type == "requires_action"
    assert [p["type"] for p in r.pending] == ["agent.tool_use"]
    assert r.blocking_event_ids == [r.pending[0]["id"]]
    assert r.replies == []

    with pytest.raises(InvalidArgumentError) as e:
        await aclient.sessions.run_tools(s.id, confirm=confirm, allow_tools=["bash"])
    assert e.value.param == "confirm"
    with pytest.raises(InvalidArgumentError) as e:
        await aclient.sessions.run_tools(s.id, tools={"x": 42})
    assert e.value.param == "tools"
    with pytest.raises(InvalidArgumentError):
        await aclient.sessions.run_tools(s.id, allow_tools="bash")


async def test_a_runner_on_a_waiting_session_answers_only_what_is_pending(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    t = await aclient.sessions.send_and_wait(s.id, events=[user_message("[[custom_tool name=get_weather city=Lima count=2]]")])
    assert t.stop_type == "requires_action"
    first, second = t.blocking_event_ids
    by_hand = {"type": "user.custom_tool_result", "custom_tool_use_id": first, "content": [{"type": "text", "text": "by hand"}]}
    t = await aclient.sessions.send_and_wait(s.id, events=[by_hand])
    assert t.blocking_event_ids == [second]
    calls: List[str] = []

    def get_weather(city: str) -> str:
        calls.append(city)
        return "mild"

    r = await aclient.sessions.run_tools(s.id, tools={"get_weather": get_weather})
    assert r.stop_type == "end_turn"
    assert calls == ["Lima"]
    assert [x["custom_tool_use_id"] for x in r.replies] == [second]
    by_use = results_by_use(await history(aclient, s.id))
    assert sorted(len(v) for v in by_use.values()) == [1, 1]


async def test_dropped_streams_neither_repeat_nor_lose_a_tool(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    calls: List[str] = []

    async def get_weather(city: str) -> str:
        calls.append(city)
        return "windy"

    r = await aclient.sessions.run_tools(
        s.id,
        "[[custom_tool name=get_weather city=Oslo]] [[custom_tool name=get_weather city=Bergen count=2]]",
        tools={"get_weather": get_weather},
        extra_headers=fault("stream-drop-after=1;count=6"),
    )
    assert r.stop_type == "end_turn"
    assert sorted(calls) == ["Bergen", "Bergen", "Oslo"]
    by_use = results_by_use(await history(aclient, s.id))
    assert len(by_use) == 3 and all(len(v) == 1 for v in by_use.values())


async def test_cancelling_the_runner_cancels_its_coroutine_handlers(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def get_weather(city: str) -> str:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    task = asyncio.ensure_future(aclient.sessions.run_tools(s.id, "[[custom_tool name=get_weather city=X]]", tools={"get_weather": get_weather}))
    await asyncio.wait_for(started.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(cancelled.wait(), 20)
    assert not [e for e in await history(aclient, s.id) if e.type == "user.custom_tool_result"]


class Unit(enum.Enum):
    C = "celsius"
    F = "fahrenheit"


def test_custom_tool_builds_definitions_from_typed_functions(client: qoder_cloud.Client) -> None:
    @custom_tool
    def get_weather(city: str, days: int = 1, unit: Unit = Unit.C, detail: Optional[Literal["short", "long"]] = None, tags: Optional[List[str]] = None) -> str:
        """The weather forecast for a city.

        More text that is not the summary.

        Args:
            city: The city's name.
            days (int): How many days ahead.
        """
        return city

    d = get_weather.definition
    assert d["type"] == "custom" and d["name"] == "get_weather"
    assert d["description"] == "The weather forecast for a city."
    schema = d["input_schema"]
    assert schema["required"] == ["city"]
    assert schema["properties"]["city"] == {"type": "string", "description": "The city's name."}
    assert schema["properties"]["days"] == {"type": "integer", "description": "How many days ahead.", "default": 1}
    assert schema["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert schema["properties"]["detail"] == {"enum": ["short", "long"], "type": "string", "default": None}
    assert schema["properties"]["tags"]["items"] == {"type": "string"}
    assert get_weather("Oslo") == "Oslo"  # the function is unchanged

    # The server takes it, and the function is a handler by its name.
    agent = client.agents.create(name="tools", model="auto", tools=[d])
    assert agent.tools[0].name == "get_weather"

    @custom_tool(name="lookup", description="Looks things up.")
    def f(query: str) -> str:
        return query

    assert f.definition["name"] == "lookup"
    explicit = custom_tool(name="x", description="d", input_schema={"type": "object"})
    assert explicit == {"type": "custom", "name": "x", "description": "d", "input_schema": {"type": "object"}}
    for kwargs, param in [
        (dict(name="", description="d", input_schema={"type": "object"}), "name"),
        (dict(name="x", description="d", input_schema={"type": "array"}), "input_schema"),
        (dict(name="x", description="d" * 4097, input_schema={"type": "object"}), "description"),
    ]:
        with pytest.raises(InvalidArgumentError) as e:
            custom_tool(**kwargs)  # type: ignore[call-overload]
        assert e.value.param == param


def test_the_tools_example_runs(emulator: Any) -> None:
    out = run_example(emulator, "tools.py")
    assert out.count("sent user.custom_tool_result") == 2, out
    assert "sent user.tool_confirmation: allow" in out
    assert "Oslo: 21 degrees celsius, clear sky" in out
    assert "stop: end_turn" in out

"""OpenTelemetry: with the API installed and a tracer provider set, each call is a CLIENT span
that is a child of the caller's span, its trace context reaches the server as ``traceparent``,
streams and page fetches get spans of their own, failures carry their class and status, and no
span attribute holds the token."""

from __future__ import annotations

import asyncio
from typing import Any, Iterator, List

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import qoder_cloud
from qoder_cloud import NotFoundError, _otel

from conftest import TOKEN, new_session, user_message

_EXPORTER = InMemorySpanExporter()
_PROVIDER = TracerProvider()
_PROVIDER.add_span_processor(SimpleSpanProcessor(_EXPORTER))
#: The application's tracer in these tests (from the same provider).
APP = _PROVIDER.get_tracer("app")


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """The SDK as an application would set it up, but local to each test: the global tracer
    provider can be set only once per process, and the rest of the suite runs without one."""
    monkeypatch.setattr(_otel, "active", lambda: True)
    monkeypatch.setattr(_otel, "_tracer", lambda: _PROVIDER.get_tracer("qoder_cloud"))
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()


def named(exporter: InMemorySpanExporter, name: str) -> List[Any]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


async def test_calls_are_client_spans_under_the_callers_span_and_carry_traceparent(aclient: qoder_cloud.AsyncClient, spans: InMemorySpanExporter) -> None:
    with APP.start_as_current_span("app work") as parent:
        agent = await aclient.agents.create(name="otel", model="auto")
        echoed = await aclient.agents.retrieve(agent.id, extra_headers={"x-echo": "1"})
    [create] = named(spans, "qoder agents.create")
    assert create.kind == trace.SpanKind.CLIENT
    assert create.parent is not None and create.parent.span_id == parent.get_span_context().span_id
    assert create.context.trace_id == parent.get_span_context().trace_id
    assert create.attributes["qoder.operation"] == "agents.create"
    assert create.attributes["qoder.request_id"] == agent.request_id
    assert echoed.id == agent.id
    assert len(named(spans, "qoder agents.retrieve")) == 1
    for s in spans.get_finished_spans():
        assert TOKEN not in repr(dict(s.attributes or {}))

    with APP.start_as_current_span("lookup"):
        with pytest.raises(NotFoundError):
            await aclient.agents.retrieve("agent_missing")
    [failed] = [s for s in named(spans, "qoder agents.retrieve") if s.status.status_code == trace.StatusCode.ERROR]
    assert failed.attributes["error.type"] == "NotFoundError"
    assert failed.attributes["http.response.status_code"] == 404



def test_no_tracer_provider_means_no_wrapping(client: qoder_cloud.Client) -> None:
    # The venv has the API but the suite sets no global provider: calls and streams go straight
    # to the native client (no span objects, no wrapper around streams).
    assert _otel.ENABLED and not _otel.active()
    s = client.sessions.events.stream("sess_00000000000000000000000000000000")
    assert type(s).__name__ == "EventStream"
    s.close()


def test_traceparent_reaches_the_server(client: qoder_cloud.Client, emulator: Any, spans: InMemorySpanExporter) -> None:
    with APP.start_as_current_span("app"):
        client.agents.list(limit=1)
    [listed] = named(spans, "qoder agents.list")
    version, trace_id, span_id, flags = emulator.stats()["last_traceparent"].split("-")
    assert (version, int(trace_id, 16), int(span_id, 16)) == ("00", listed.context.trace_id, listed.context.span_id)
    # A traceparent the caller set wins over the injected one.
    mine = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    client.agents.list(limit=1, extra_headers={"traceparent": mine})
    assert emulator.stats()["last_traceparent"] == mine


async def test_streams_and_pages_get_spans(aclient: qoder_cloud.AsyncClient, client: qoder_cloud.Client, spans: InMemorySpanExporter) -> None:
    s = await new_session(aclient)
    sent = await aclient.sessions.events.send(s.id, events=[user_message("hi")])
    async with aclient.sessions.events.stream(s.id, last_event_id=sent.data[-1].id) as stream:
        async for ev in stream:
            if ev.type == "session.status_idle":
                break
    [st] = named(spans, "qoder sessions.events.stream")
    assert st.end_time is not None
    for _ in range(3):
        client.agents.create(name="p", model="auto")
    n = len(list(client.agents.list(limit=1)))
    assert n >= 3
    assert len(named(spans, "qoder agents.list")) >= 3, "a span per page fetched"
    # The turn helper is one span, and its requests carry its trace context.
    await aclient.sessions.run_turn(s.id, "again")
    [turn] = named(spans, "qoder sessions.run_turn")
    assert turn.status.status_code != trace.StatusCode.ERROR
    await asyncio.sleep(0)


def test_importing_the_package_does_not_import_the_opentelemetry_api() -> None:
    """The API is found without importing it; only an application that imported it pays for it."""
    import subprocess
    import sys

    code = "import sys, qoder_cloud; print('opentelemetry.trace' in sys.modules, qoder_cloud._otel.ENABLED)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "True"], r.stdout

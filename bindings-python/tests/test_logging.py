"""Request records reach logging.getLogger("qoder_cloud"), without secrets."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

import qoder_cloud

from conftest import TOKEN, Emulator, fault, unique


def _all_text(records: list[logging.LogRecord]) -> str:
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in records)


def test_requests_are_logged_without_the_token(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    secret_token = "sk-very-secret-token-" + unique()
    caplog.set_level(logging.DEBUG, logger="qoder_cloud")
    with qoder_cloud.Client(access_token=secret_token, base_url=emulator.base_url) as c:
        agent = c.agents.create(name=unique("log"), model="auto")
        c.agents.list(extra_headers=fault("status=503;count=1;retry-after-ms=1"))
        with pytest.raises(qoder_cloud.NotFoundError):
            c.agents.retrieve("agent_missing", max_retries=0)
    records = [r for r in caplog.records if r.name == "qoder_cloud"]
    events = [getattr(r, "qoder_event", None) for r in records]
    assert "request" in events and "response" in events and "retry" in events
    resp = [r for r in records if getattr(r, "qoder_event", None) == "response" and getattr(r, "http_method") == "POST"][0]
    assert resp.path == "/agents" and resp.status_code in (200, 201) and resp.request_id == agent.request_id
    assert resp.levelno == logging.DEBUG
    retry = [r for r in records if getattr(r, "qoder_event", None) == "retry"][0]
    assert retry.levelno == logging.INFO and retry.status_code == 503 and retry.attempt == 0
    text = _all_text(records)
    assert secret_token not in text and "Bearer" not in text


async def test_async_calls_and_stream_reconnects_are_logged(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="qoder_cloud")
    async with qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url) as c:
        await c.agents.list(extra_headers=fault("status=500;count=1;retry-after-ms=1"))
        agent = await c.agents.create(name=unique("a"), model="auto")
        env = await c.environments.create(name=unique("e"))
        s = await c.sessions.create(agent=agent.id, environment_id=env.id)
        await c.sessions.run_turn(s.id, "[[burst 20]]")
        async with c.sessions.events.stream(s.id, extra_headers=fault("stream-drop-after=3;count=1")) as st:
            async for ev in st:
                if ev.type == "session.status_idle":
                    break
    events = [getattr(r, "qoder_event", None) for r in caplog.records if r.name == "qoder_cloud"]
    assert "retry" in events and "reconnect" in events
    assert "request" not in events  # DEBUG records are not produced at INFO
    assert TOKEN not in _all_text(caplog.records)


def test_nothing_is_printed_without_logging_configuration(emulator: Emulator) -> None:
    # In a fresh interpreter (pytest installs its own handlers): a library must stay silent
    # unless the application configures logging.
    code = f"""
import qoder_cloud
c = qoder_cloud.Client(access_token="t", base_url={emulator.base_url!r}, max_retries=0)
try:
    c.agents.retrieve("agent_nope", extra_headers={{"x-emulator-fault": "status=500"}})
except qoder_cloud.InternalServerError:
    print("raised")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "raised"
    assert r.stderr == ""

"""Fixtures: one emulator process per test session, and clients pointed at it.

The emulator binary comes from ``QODER_EMULATOR_BIN`` (default ``<repo>/target/debug/qoder-emulator``);
it is built with ``cargo build -p qoder-emulator`` when missing. It runs with
``--exit-on-stdin-close``, so it cannot outlive the test run.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterator

import pytest

import qoder_cloud

REPO = Path(__file__).resolve().parents[2]
TOKEN = "test-token-0123456789"


@dataclass
class Emulator:
    base_url: str
    origin: str

    def _get(self, path: str) -> Dict[str, Any]:
        with urllib.request.urlopen(self.origin + path, timeout=10) as r:
            return json.loads(r.read())  # type: ignore[no-any-return]

    def stats(self) -> Dict[str, Any]:
        return self._get("/_emulator/stats")

    def open_streams(self) -> int:
        return int(self.stats()["streams"]["open"])

    def requests_total(self) -> int:
        return int(self.stats()["requests_total"])

    def api_connections(self) -> int:
        """Open TCP connections other than the one serving this stats request (it counts too)."""
        return int(self.stats()["connections"]["open"]) - 1


def route_count(stats: Dict[str, Any], route: str) -> int:
    """``stats.requests[route]`` (0 when absent), e.g. ``route_count(s, "POST /agents")``."""
    return int(stats["requests"].get(route, 0))


def created_count(stats: Dict[str, Any], kind: str) -> int:
    """``stats.objects_created[kind]`` (0 when absent)."""
    return int(stats["objects_created"].get(kind, 0))


def _binary() -> Path:
    env = os.environ.get("QODER_EMULATOR_BIN")
    path = Path(env) if env else REPO / "target" / "debug" / "qoder-emulator"
    if not path.exists() and not env:
        subprocess.run(["cargo", "build", "-p", "qoder-emulator"], cwd=REPO, check=True)
    if not path.exists():
        raise RuntimeError(f"emulator binary not found at {path}")
    return path


@contextlib.contextmanager
def running_emulator(*args: str) -> Iterator[Emulator]:
    """Starts an emulator process (extra command-line ``args``, e.g. ``--token T``) for the block."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [str(_binary()), "--port", "0", "--exit-on-stdin-close", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("listening "):
        proc.kill()
        log.seek(0)
        raise RuntimeError(f"emulator did not start: {line!r} {log.read()[-2000:]!r}")
    base_url = line.split(" ", 1)[1]
    origin = base_url.split("/api/")[0]
    try:
        yield Emulator(base_url=base_url, origin=origin)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with running_emulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("QODER_ACCESS_TOKEN", "QODER_PAT", "QODER_BASE_URL", "QODER_MANAGED_BASE_URL", "QODER_REGION"):
        monkeypatch.delenv(k, raising=False)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[qoder_cloud.Client]:
    with qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url, max_retries=2) as c:
        yield c


@pytest.fixture
async def aclient(emulator: Emulator) -> AsyncIterator[qoder_cloud.AsyncClient]:
    async with qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url, max_retries=2) as c:
        yield c


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def fault(spec: str) -> Dict[str, str]:
    """A per-request fault header; a unique id makes its count independent of other tests."""
    return {"x-emulator-fault": f"{spec};id={uuid.uuid4().hex}"}


def user_message(text: str) -> Dict[str, Any]:
    return {"type": "user.message", "content": [{"type": "text", "text": text}]}


async def new_session(c: qoder_cloud.AsyncClient, **kwargs: Any) -> Any:
    agent = await c.agents.create(name=unique("agent"), model="auto")
    env = await c.environments.create(name=unique("env"))
    return await c.sessions.create(agent=agent.id, environment_id=env.id, **kwargs)


def new_session_sync(c: qoder_cloud.Client, **kwargs: Any) -> Any:
    agent = c.agents.create(name=unique("agent"), model="auto")
    env = c.environments.create(name=unique("env"))
    return c.sessions.create(agent=agent.id, environment_id=env.id, **kwargs)


def wait_for(predicate: Any, timeout: float = 5.0) -> bool:
    """Polls a condition observed outside this process (the emulator's gauges) until it holds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def eventually(predicate: Any, what: str, timeout: float = 10.0) -> None:
    """Asserts that a condition observed outside this process (emulator stats) holds within ``timeout``."""
    assert wait_for(predicate, timeout), f"timed out after {timeout} s waiting for {what}"


def http_date(seconds_ahead: float) -> str:
    """An RFC 7231 IMF-fixdate ``seconds_ahead`` from now, e.g. ``Sun, 22 Nov 2026 10:00:00 GMT``."""
    import email.utils
    import time

    return email.utils.formatdate(time.time() + seconds_ahead, usegmt=True)


async def invoke(value: Any) -> Any:
    """The result of a client call: awaited when the (async) client returned an awaitable."""
    import inspect

    if inspect.isawaitable(value):
        return await value
    return value


def text_of(event: Any) -> str:
    """The text of a message event (its text blocks joined)."""
    return "".join(b.get("text", "") for b in event.to_dict().get("content") or [] if b.get("type") == "text")


def reliability_dir() -> Path:
    """``<repo>/target/reliability`` (created)."""
    d = REPO / "target" / "reliability"
    d.mkdir(parents=True, exist_ok=True)
    return d


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux ``/proc/self/status``)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("VmRSS not found in /proc/self/status")


async def aeventually(predicate: Any, what: str, timeout: float = 10.0) -> None:
    """``eventually`` for async tests: polls without blocking the event loop (tasks keep running)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.01)


def run_example(emulator: Emulator, name: str) -> str:
    """Runs ``examples/python/<name>`` against ``emulator``; fails on a non-zero exit; its stdout."""
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "python" / name
    env = dict(os.environ, QODER_BASE_URL=emulator.base_url, QODER_ACCESS_TOKEN=TOKEN)
    r = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout

"""Fixtures: one emulator process per test session, and clients pointed at it.

The emulator binary comes from ``QODER_EMULATOR_BIN`` (default ``<repo>/target/debug/qoder-emulator``);
it is built with ``cargo build -p qoder-emulator`` when missing. It runs with
``--exit-on-stdin-close``, so it cannot outlive the test run.
"""

from __future__ import annotations

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


def _binary() -> Path:
    env = os.environ.get("QODER_EMULATOR_BIN")
    path = Path(env) if env else REPO / "target" / "debug" / "qoder-emulator"
    if not path.exists() and not env:
        subprocess.run(["cargo", "build", "-p", "qoder-emulator"], cwd=REPO, check=True)
    if not path.exists():
        raise RuntimeError(f"emulator binary not found at {path}")
    return path


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [str(_binary()), "--port", "0", "--exit-on-stdin-close"],
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

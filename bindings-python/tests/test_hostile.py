"""The hostile-server cases (``tests/hostile/cases.json``, listed in RELIABILITY.md), run by the
sync and the async client against the ``qoder-hostile`` server, as the Rust and Node suites run
them. Each case has its own request counters on the server (``<scenario>~<case>-<client>``).
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import qoder_cloud

from conftest import REPO, invoke

CASES: List[Dict[str, Any]] = json.loads((REPO / "tests" / "hostile" / "cases.json").read_text())["cases"]
TOKEN = "pt-hostile"


def _hostile_binary() -> Path:
    env = os.environ.get("QODER_HOSTILE_BIN")
    path = Path(env) if env else REPO / "target" / "debug" / "qoder-hostile"
    if not path.exists() and not env:
        subprocess.run(["cargo", "build", "-p", "qoder-tests", "--bin", "qoder-hostile"], cwd=REPO, check=True)
    if not path.exists():
        raise RuntimeError(f"hostile server binary not found at {path}")
    return path


@pytest.fixture(scope="module")
def hostile() -> Iterator[Tuple[str, str]]:
    """(origin, black hole URL) of a running hostile server; it exits when its stdin closes."""
    proc = subprocess.Popen([str(_hostile_binary())], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    line = proc.stdout.readline().split()
    assert line and line[0] == "listening", f"hostile server did not start: {line}"
    try:
        yield line[1], line[2].split("=", 1)[1]
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


def stats(origin: str, instance: str) -> Dict[str, Any]:
    with urllib.request.urlopen(f"{origin}/_stats", timeout=10) as r:
        all_stats: Dict[str, Any] = json.load(r)
    return all_stats.get(instance, {"requests": 0, "idempotency_keys": [], "max_header_copies": 0})


async def run_call(client: Any, case: Dict[str, Any]) -> Tuple[List[str], Optional[BaseException]]:
    """Runs the case's call; returns the event ids read (streams) and the error, if any."""
    headers = case.get("headers")
    kw: Dict[str, Any] = {"extra_headers": headers} if headers else {}
    ids: List[str] = []
    try:
        call = case["call"]
        if call == "list":
            await invoke(client.agents.list(**kw))
        elif call == "create":
            await invoke(client.agents.create(name="hostile", model="auto", **kw))
        elif call == "download":
            d = await invoke(client.files.download("file_h", **kw))
            await invoke(d.read())
        elif call == "stream":
            s = case["stream"]
            opts: Dict[str, Any] = {"resume": s.get("resume", True), **kw}
            for k in ("idle_timeout", "max_reconnect_attempts"):
                if k in s:
                    opts[k] = s[k]
            stream = await invoke(client.sessions.events.stream("sesn_h", **opts))
            if isinstance(client, qoder_cloud.AsyncClient):
                async for ev in stream:
                    ids.append(ev.id)
            else:
                for ev in stream:
                    ids.append(ev.id)
        else:
            raise AssertionError(f"unknown call {call}")
    except qoder_cloud.QoderError as e:
        return ids, e
    return ids, None


def check(case: Dict[str, Any], ids: List[str], err: Optional[BaseException], seen: Dict[str, Any]) -> List[str]:
    """What differs from the case's expectation (empty when it holds)."""
    expect = case["expect"]
    bad: List[str] = []
    kind = expect.get("kind")
    if kind is None:
        if err is not None:
            bad.append(f"expected success, got {type(err).__name__}: {err}")
    elif not isinstance(err, qoder_cloud.QoderError) or err.kind != kind:
        bad.append(f"expected {kind}, got {type(err).__name__ if err else 'success'}: {err}")
    else:
        if "status" in expect and err.status_code != expect["status"]:
            bad.append(f"status {err.status_code}")
        if "message" in expect and expect["message"] not in str(err):
            bad.append(f"message lacks {expect['message']!r}: {err}")
        if "retry_after" in expect and (err.retry_after is None or abs(err.retry_after - expect["retry_after"]) > expect["retry_after"] * 0.01):
            bad.append(f"retry_after {err.retry_after}")
        if "retry_after_min" in expect and (err.retry_after is None or err.retry_after < expect["retry_after_min"]):
            bad.append(f"retry_after {err.retry_after}")
        if "retryable" in expect and err.retryable != expect["retryable"]:
            bad.append(f"retryable {err.retryable}")
        if TOKEN in str(err) + repr(err):
            bad.append("the token is in the error")
    if "ids" in expect and ids != expect["ids"]:
        bad.append(f"ids {ids}")
    if "requests" in expect and seen["requests"] != expect["requests"]:
        bad.append(f"{seen['requests']} requests, expected {expect['requests']}")
    if "min_requests" in expect and seen["requests"] < expect["min_requests"]:
        bad.append(f"{seen['requests']} requests, expected >= {expect['min_requests']}")
    if expect.get("same_key"):
        keys = seen["idempotency_keys"]
        if not keys or len(keys) != seen["requests"] or len(set(keys)) != 1:
            bad.append(f"idempotency keys {keys}")
    if "max_header_copies" in expect and seen["max_header_copies"] != expect["max_header_copies"]:
        bad.append(f"a header sent {seen['max_header_copies']} times")
    return bad


def test_the_suite_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_hostile_case(hostile: Tuple[str, str], case: Dict[str, Any], flavour: str) -> None:
    origin, blackhole = hostile
    instance = f"{case['scenario']}~{case['id']}-py-{flavour}"
    base = f"{blackhole}/v1" if case.get("base") == "blackhole" else f"{origin}/{instance}/v1"
    cls = qoder_cloud.AsyncClient if flavour == "async" else qoder_cloud.Client
    client = cls(access_token=TOKEN, base_url=base, **case["client"])
    try:
        ids, err = await run_call(client, case)
    finally:
        client.close()
    bad = check(case, ids, err, stats(origin, instance))
    assert not bad, f"{case['id']} ({case['what']}): " + "; ".join(bad)

"""Bad-input matrix: every case is rejected before any I/O, with a typed error naming the argument.

Each case runs on the sync and the async client; the emulator's ``requests_total`` must not move.
Every case is recorded (from the sync client) as one JSON line in
``<repo>/target/reliability/python-bad-input.jsonl`` for RELIABILITY.md (overwritten each run).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import qoder_cloud

from conftest import TOKEN, Emulator, invoke, reliability_dir


@dataclass
class Case:
    name: str
    operation: str
    call: Callable[[Any], Any]  # client -> result (a stream for stream operations)
    param: str  # the argument the error must name
    client: str = "default"  # "default" | "small" (max_body_bytes=1024) | "cn" (region cn: 4 MiB)
    stream: bool = False


def msg(text: str) -> List[Dict[str, Any]]:
    return [{"type": "user.message", "content": [{"type": "text", "text": text}]}]


CASES: List[Case] = [
    # Ids that would walk or break the URL, the query or the headers.
    Case("empty id", "agents.retrieve", lambda c: c.agents.retrieve(""), "agent_id"),
    Case("whitespace id", "sessions.retrieve", lambda c: c.sessions.retrieve("   "), "session_id"),
    Case("id with /", "files.retrieve", lambda c: c.files.retrieve("a/b"), "file_id"),
    Case("id with ..", "vaults.retrieve", lambda c: c.vaults.retrieve(".."), "vault_id"),
    Case("id with ?", "skills.retrieve", lambda c: c.skills.retrieve("a?x=1"), "skill_id"),
    Case("id with #", "dreams.retrieve", lambda c: c.dreams.retrieve("a#b"), "dream_id"),
    Case("id with CR/LF", "agents.retrieve", lambda c: c.agents.retrieve("a\r\nX-Injected: 1"), "agent_id"),
    Case("id with NUL", "agents.retrieve", lambda c: c.agents.retrieve("a\x00b"), "agent_id"),
    Case("ancestor id with /", "vaults.credentials.retrieve", lambda c: c.vaults.credentials.retrieve("vcred_1", vault_id="a/b"), "vault_id"),
    Case("download id with ..", "files.download", lambda c: c.files.download(".."), "file_id"),
    Case("stream id with /", "sessions.events.stream", lambda c: c.sessions.events.stream("a/b"), "session_id", stream=True),
    Case(
        "header injection via argument",
        "environments.work.poll",
        lambda c: c.environments.work.poll("env_1", worker_id="w\r\nx: y"),
        "worker_id",
    ),
    Case("idempotency key with CR/LF", "agents.create", lambda c: c.agents.create(name="x", model="auto", idempotency_key="k\r\nx: y"), "idempotency_key"),
    # Not UTF-8 where a string is expected.
    Case("invalid UTF-8 bytes for an id", "agents.retrieve", lambda c: c.agents.retrieve(b"\xff\xfe"), "agent_id"),
    Case("invalid UTF-8 bytes for a string field", "agents.create", lambda c: c.agents.create(name=b"\xff", model="auto"), "name"),
    Case("lone surrogate in an id", "agents.retrieve", lambda c: c.agents.retrieve("agent_\ud800"), "agent_id"),
    Case("lone surrogate in a string field", "agents.create", lambda c: c.agents.create(name="x\udc80", model="auto"), "name"),
    Case(
        "lone surrogate in a nested field",
        "sessions.events.send",
        lambda c: c.sessions.events.send("sess_1", events=msg("hi \ud800")),
        "events",
    ),
    Case(
        "lone surrogate in a metadata key",
        "vaults.create",
        lambda c: c.vaults.create(display_name="v", metadata={"k\udfff": "v"}),
        "metadata",
    ),
    Case("lone surrogate in extra_headers", "agents.list", lambda c: c.agents.list(extra_headers={"x-note": "\ud800"}), "extra_headers"),
    # Bodies over the region limit.
    Case(
        "body over the region limit",
        "agents.create",
        lambda c: c.agents.create(name="x", model="auto", system="s" * 4096),
        "body",
        client="small",
    ),
    Case("events over the region limit", "sessions.events.send", lambda c: c.sessions.events.send("sess_1", events=msg("y" * 2000)), "body", client="small"),
    Case("upload over the region limit", "files.upload", lambda c: c.files.upload(file=("x.bin", b"x" * 5000)), "body", client="small"),
    Case(
        "body over the cn region limit (4 MiB)",
        "sessions.events.send",
        lambda c: c.sessions.events.send("sess_1", events=msg("y" * (5 << 20))),
        "body",
        client="cn",
    ),
    # Wrong types.
    Case("number for an id", "agents.retrieve", lambda c: c.agents.retrieve(42), "agent_id"),
    Case("None for an id", "sessions.retrieve", lambda c: c.sessions.retrieve(None), "session_id"),
    Case("list for an id", "agents.retrieve", lambda c: c.agents.retrieve(["agent_1"]), "agent_id"),
    Case("number for a string", "agents.create", lambda c: c.agents.create(name=5, model="auto"), "name"),
    Case("list for a string", "agents.create", lambda c: c.agents.create(name=["x"], model="auto"), "name"),
    Case(
        "number for the agent reference",
        "sessions.create",
        lambda c: c.sessions.create(agent=5, environment_id="env_1"),
        "agent",
    ),
    Case("number for the environment id", "sessions.create", lambda c: c.sessions.create(agent="agent_1", environment_id=5), "environment_id"),
    Case("missing required field", "agents.create", lambda c: c.agents.create(name="x"), "model"),
    Case("None for a required field", "vaults.create", lambda c: c.vaults.create(display_name=None), "display_name"),
    Case("None for required events", "sessions.events.send", lambda c: c.sessions.events.send("sess_1", events=None), "events"),
    Case(
        "missing ancestor id",
        "vaults.credentials.retrieve",
        lambda c: c.vaults.credentials.retrieve("vcred_1"),
        "vault_id",
    ),
    Case("list for an object", "environments.create", lambda c: c.environments.create(name="e", config=[]), "config"),
    Case("list for metadata", "agents.create", lambda c: c.agents.create(name="x", model="auto", metadata=[]), "metadata"),
    Case("list for the credential auth", "vaults.credentials.create", lambda c: c.vaults.credentials.create(vault_id="vault_1", auth=[]), "auth"),
    Case("dict for a list", "sessions.events.send", lambda c: c.sessions.events.send("sess_1", events={"type": "user.message"}), "events"),
    Case("string for an integer", "agents.list", lambda c: c.agents.list(limit="10"), "limit"),
    Case("bool for an integer", "agents.list", lambda c: c.agents.list(limit=True), "limit"),
    Case("string for a boolean", "agents.list", lambda c: c.agents.list(include_archived="yes"), "include_archived"),
    Case("non-string metadata value", "vaults.create", lambda c: c.vaults.create(display_name="v", metadata={"k": 1}), "metadata.k"),
    Case("non-str dict key", "agents.create", lambda c: c.agents.create(name="x", model="auto", metadata={1: "v"}), "metadata"),
    Case("non-finite float", "agents.create", lambda c: c.agents.create(name="x", model="auto", metadata={"k": float("nan")}), "metadata.k"),
    Case("object that is not JSON", "agents.create", lambda c: c.agents.create(name="x", model="auto", metadata=object()), "metadata"),
    Case("string for timeout", "agents.list", lambda c: c.agents.list(timeout="5"), "timeout"),
    Case("list for extra_body", "agents.create", lambda c: c.agents.create(name="x", model="auto", extra_body=[1]), "extra_body"),
    Case("number for a file", "files.upload", lambda c: c.files.upload(file=12345), "file"),
    # Invalid enums and ranges.
    Case("invalid enum (order)", "sessions.list", lambda c: c.sessions.list(order="sideways"), "order"),
    Case("invalid enum in a list (statuses)", "sessions.list", lambda c: c.sessions.list(statuses=["idle", "sleeping"]), "statuses"),
    Case("invalid dream status", "dreams.list", lambda c: c.dreams.list(statuses=["dreaming"]), "statuses"),
    Case("invalid event order", "sessions.events.list", lambda c: c.sessions.events.list("sess_1", order="up"), "order"),
    Case("invalid memory view", "memory_stores.memories.list", lambda c: c.memory_stores.memories.list("memstore_1", view="everything"), "view"),
    Case("invalid deployment status", "deployments.list", lambda c: c.deployments.list(status="zzz"), "status"),
    Case(
        "invalid delta kind",
        "sessions.events.stream",
        lambda c: c.sessions.events.stream("sess_1", event_deltas=["agent.nope"]),
        "event_deltas",
        stream=True,
    ),
    Case(
        "invalid delta kind as a str",
        "sessions.events.stream",
        lambda c: c.sessions.events.stream("sess_1", event_deltas="agent.nope"),
        "event_deltas",
        stream=True,
    ),
    Case(
        "non-string delta kind",
        "sessions.threads.events.stream",
        lambda c: c.sessions.threads.events.stream("sthr_1", session_id="sess_1", event_deltas=[1]),
        "event_deltas",
        stream=True,
    ),
    Case("limit 0", "agents.list", lambda c: c.agents.list(limit=0), "limit"),
    Case("limit 101", "sessions.list", lambda c: c.sessions.list(limit=101), "limit"),
    Case("two cursors", "agents.list", lambda c: c.agents.list(page="a", after_id="b"), "after_id"),
    Case("empty events", "sessions.events.send", lambda c: c.sessions.events.send("sess_1", events=[]), "events"),
    Case("empty name", "agents.create", lambda c: c.agents.create(name="", model="auto"), "name"),
    Case("name over 256 chars", "agents.create", lambda c: c.agents.create(name="n" * 257, model="auto"), "name"),
    Case(
        "too many metadata keys",
        "vaults.create",
        lambda c: c.vaults.create(display_name="v", metadata={f"k{i}": "v" for i in range(17)}),
        "metadata",
    ),
    Case("unknown argument", "models.list", lambda c: c.models.list(bogus=True), "bogus"),
    Case("negative timeout", "agents.list", lambda c: c.agents.list(timeout=-1), "timeout"),
    Case("negative max_retries", "agents.list", lambda c: c.agents.list(max_retries=-1), "max_retries"),
]

ROWS: Dict[str, Dict[str, Any]] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_report() -> Iterator[None]:
    yield
    order = [c.name for c in CASES]
    path = reliability_dir() / "python-bad-input.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for name in order:
            if name in ROWS:
                f.write(json.dumps(ROWS[name]) + "\n")


@pytest.fixture(scope="module")
def clients(emulator: Emulator) -> Iterator[Dict[str, Any]]:
    made = {
        ("sync", "default"): qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url),
        ("sync", "small"): qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url, max_body_bytes=1024),
        ("sync", "cn"): qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url, region="cn"),
        ("async", "default"): qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url),
        ("async", "small"): qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url, max_body_bytes=1024),
        ("async", "cn"): qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emulator.base_url, region="cn"),
    }
    yield {f"{k}/{v}": c for (k, v), c in made.items()}
    for c in made.values():
        c.close()


def _named(e: BaseException, param: str) -> Optional[str]:
    """The argument the error names: ``param`` of a QoderError, else found in the message."""
    p = getattr(e, "param", None)
    if p is not None:
        return str(p)
    text = str(e)
    return param if (f"`{param}`" in text or text.startswith(param) or f"{param}:" in text or f"{param}[" in text) else None


async def _run(case: Case, client: Any, kind: str) -> None:
    r = case.call(client)
    if case.stream:
        if kind == "async":
            async with r as s:
                await s.__anext__()
        else:
            with r as s:
                next(s)
    else:
        await invoke(r)


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_bad_input_is_rejected_before_any_request(emulator: Emulator, clients: Dict[str, Any], case: Case, kind: str) -> None:
    client = clients[f"{kind}/{case.client}"]
    before = emulator.requests_total()
    error: Optional[BaseException] = None
    try:
        await _run(case, client, kind)
    except Exception as e:  # noqa: BLE001 - classified below
        error = e
    sent = emulator.requests_total() - before
    named = _named(error, case.param) if error is not None else None
    if kind == "sync" or case.name not in ROWS:
        ROWS[case.name] = {
            "language": "python",
            "case": case.name,
            "operation": case.operation,
            "error": type(error).__name__ if error is not None else None,
            "param": named,
            "message": str(error) if error is not None else None,
        }
    assert error is not None, f"{case.name}: accepted (no error), {sent} request(s) sent"
    assert isinstance(error, (qoder_cloud.InvalidArgumentError, TypeError)), (
        f"{case.name}: {type(error).__name__} is neither InvalidArgumentError nor TypeError: {error!r}"
        + (f" ({sent} request(s) sent)" if sent else "")
    )
    if isinstance(error, qoder_cloud.InvalidArgumentError):
        assert isinstance(error, ValueError)
        assert error.param is not None and (error.param == case.param or error.param.startswith(case.param + "[")), (
            f"{case.name}: param {error.param!r}, expected {case.param!r}"
        )
    else:
        assert named == case.param, f"{case.name}: the TypeError does not name `{case.param}`: {error}"
    assert sent == 0, f"{case.name}: {sent} request(s) reached the server"

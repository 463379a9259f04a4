"""Reliability suite (issue #8), fault injection against the emulator.

Resumable streams under dropped connections (with and without delta previews) and stalls;
503/429 bursts with every Retry-After form on every resource family; lost responses on creates
and sends; malformed, truncated, mistyped and HTML bodies; total deadlines; cancellation before
the response headers, mid-stream, during a retry backoff and during an upload. Every claim is
checked against the emulator's stats (request counts per route, objects created, open
connections and streams), never against timing alone.
"""

from __future__ import annotations

import _thread
import asyncio
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

import pytest

import qoder_cloud
from qoder_cloud import DeltaAccumulator

from conftest import (
    TOKEN,
    Emulator,
    aeventually,
    created_count,
    eventually,
    fault,
    http_date,
    invoke,
    new_session_sync,
    route_count,
    running_emulator,
    text_of,
    unique,
    user_message,
)

PREVIEWS = ("event_start", "event_delta")
MISSING_AGENT = "agent_00000000000000000000000000000000"


def sync_client(emu: Emulator, **opts: Any) -> qoder_cloud.Client:
    return qoder_cloud.Client(access_token=TOKEN, base_url=emu.base_url, **opts)


def async_client(emu: Emulator, **opts: Any) -> qoder_cloud.AsyncClient:
    return qoder_cloud.AsyncClient(access_token=TOKEN, base_url=emu.base_url, **opts)


def make_client(kind: str, emu: Emulator, **opts: Any) -> Any:
    return async_client(emu, **opts) if kind == "async" else sync_client(emu, **opts)


def list_events(c: qoder_cloud.Client, session_id: str) -> List[Any]:
    return list(c.sessions.events.list(session_id, limit=100))


# ---------------------------------------------------------------------------------------------
# Streams: resume under dropped connections
# ---------------------------------------------------------------------------------------------


@dataclass
class Burst:
    session_id: str
    ids: List[str]  # every persisted event id, from the list endpoint (oldest first)
    finals: Dict[str, str]  # agent.message id -> its final text


@pytest.fixture(scope="module")
def burst(emulator: Emulator) -> Burst:
    """One session holding a 10,000-message burst (created once for the module)."""
    with sync_client(emulator) as c:
        s = new_session_sync(c)
        turn = c.sessions.run_turn(s.id, "[[burst 10000 size=20-200]]")
        assert turn.stop_type == "end_turn"
        events = list_events(c, s.id)
    finals = {e.id: text_of(e) for e in events if e.type == "agent.message"}
    assert len(finals) == 10_000, "the burst persisted 10,000 messages"
    return Burst(session_id=s.id, ids=[e.id for e in events], finals=finals)


class DropCheck:
    """Consumes a stream's events and checks them against the persisted session."""

    def __init__(self, burst: Burst, deltas: bool) -> None:
        self.burst = burst
        self.deltas = deltas
        self.acc: Optional[DeltaAccumulator] = DeltaAccumulator() if deltas else None
        self.got: List[str] = []
        self.seen: Set[str] = set()
        self.previews = 0
        self.snapshots = 0
        self.final_snapshots = 0

    def push(self, ev: Any) -> bool:
        """Returns True once every persisted event has arrived."""
        if self.acc is not None:
            snap = self.acc.push(ev)
            if snap is not None and snap.type == "agent.message":
                self.snapshots += 1
                final = self.burst.finals.get(snap.id)
                assert final is not None, f"snapshot for an unknown message {snap.id}"
                assert final.startswith(snap.text), (
                    f"snapshot of {snap.id} is not a prefix of the final text (duplicated or lost delta):\n"
                    f"  snapshot: {snap.text!r}\n  final:    {final!r}"
                )
                if snap.is_final:
                    self.final_snapshots += 1
                    assert snap.text == final
        if ev.type in PREVIEWS:
            assert self.deltas, f"a preview arrived without event_deltas: {ev.type}"
            self.previews += 1
            return False
        assert ev.id not in self.seen, f"event {ev.id} delivered twice (position {len(self.got)})"
        self.seen.add(ev.id)
        self.got.append(ev.id)
        return len(self.got) == len(self.burst.ids)

    def verify(self, stream: Any, every: int) -> None:
        ids = self.burst.ids
        assert len(self.got) == len(ids), "the stream delivered every persisted event"
        assert self.got == ids, "same ids, same order as the list endpoint"
        min_reconnects = max(0, len(ids) // every - 1)
        assert stream.reconnects >= min_reconnects, f"{stream.reconnects} reconnects < {min_reconnects}"
        assert stream.last_event_id == ids[-1]
        if self.deltas:
            assert self.acc is not None
            assert self.previews >= 20_000, f"previews arrived ({self.previews})"
            assert self.snapshots > 10_000, f"snapshots grew across deltas ({self.snapshots})"
            assert self.final_snapshots == 10_000, "one final snapshot per message"
            assert self.acc.in_progress() == [], "no preview left without its final event"


# Each interval runs with and without deltas; the two runs of an interval use different clients.
DROP_CASES = [
    (1, False, "async"),
    (1, True, "sync"),
    (3, False, "sync"),
    (3, True, "async"),
    (97, False, "async"),
    (97, True, "sync"),
]


@pytest.mark.parametrize("every,deltas,kind", DROP_CASES, ids=[f"every{e}-{'deltas' if d else 'plain'}-{k}" for e, d, k in DROP_CASES])
async def test_stream_drops_every_n_frames_deliver_every_event_once_in_order(
    emulator: Emulator, burst: Burst, every: int, deltas: bool, kind: str
) -> None:
    opts: Dict[str, Any] = {"extra_headers": fault(f"stream-drop-after={every}")}
    if deltas:
        opts["event_deltas"] = ["agent.message"]
    check = DropCheck(burst, deltas)
    if kind == "async":
        async with async_client(emulator) as ac:
            async with ac.sessions.events.stream(burst.session_id, **opts) as stream:
                async for ev in stream:
                    if check.push(ev):
                        break
                check.verify(stream, every)
    else:
        with sync_client(emulator) as c:
            with c.sessions.events.stream(burst.session_id, **opts) as stream:
                for ev in stream:
                    if check.push(ev):
                        break
                check.verify(stream, every)
    await aeventually(lambda: emulator.open_streams() == 0, "the stream connection to close")


async def test_stalled_stream_hits_the_idle_timeout_and_resumes(emulator: Emulator, burst: Burst) -> None:
    # Per-stream option (async): the stall starts after 2 frames.
    async with async_client(emulator) as ac:
        async with ac.sessions.events.stream(
            burst.session_id, idle_timeout=0.3, extra_headers=fault("stream-stall=2;count=1")
        ) as stream:
            got: List[str] = []
            async for ev in stream:
                got.append(ev.id)
                if len(got) == len(burst.ids):
                    break
            assert got == burst.ids
            assert stream.reconnects == 1, "one idle timeout, one resume"


def test_stalled_stream_with_the_client_wide_idle_timeout(emulator: Emulator, burst: Burst) -> None:
    # Client option (sync): the stall starts mid-history.
    with sync_client(emulator, stream_idle_timeout=0.3) as c:
        with c.sessions.events.stream(burst.session_id, extra_headers=fault("stream-stall=5000;count=1")) as stream:
            got = []
            for ev in stream:
                got.append(ev.id)
                if len(got) == len(burst.ids):
                    break
            assert got == burst.ids
            assert stream.reconnects == 1


# ---------------------------------------------------------------------------------------------
# Retries: 503 / 429 bursts, every Retry-After form, every resource family
# ---------------------------------------------------------------------------------------------


@dataclass
class Family:
    name: str
    route: str
    call: Callable[..., Any]  # (client, ctx, **opts) -> result or awaitable
    check: Callable[[Any, Dict[str, str]], None]
    created: Optional[str] = None


def _page_check(r: Any, ctx: Dict[str, str]) -> None:
    assert isinstance(r.data, list)


FAMILIES = [
    Family(
        "agents",
        "POST /agents",
        lambda c, ctx, **o: c.agents.create(name=unique("retry-agent"), model="auto", **o),
        lambda r, ctx: r.id.startswith("agent_"),
        created="agent",
    ),
    Family("environments", "GET /environments", lambda c, ctx, **o: c.environments.list(**o), _page_check),
    Family(
        "sessions",
        "GET /sessions/{session_id}",
        lambda c, ctx, **o: c.sessions.retrieve(ctx["sid"], **o),
        lambda r, ctx: r.id == ctx["sid"],
    ),
    Family(
        "events",
        "GET /sessions/{session_id}/events",
        lambda c, ctx, **o: c.sessions.events.list(ctx["sid"], **o),
        lambda r, ctx: len(r.data) >= 1,
    ),
    Family(
        "files",
        "POST /files",
        lambda c, ctx, **o: c.files.upload(file=("retry.txt", b"retry me"), **o),
        lambda r, ctx: r.size_bytes == 8,
        created="file",
    ),
    Family(
        "vaults",
        "POST /vaults",
        lambda c, ctx, **o: c.vaults.create(display_name=unique("retry-vault"), **o),
        lambda r, ctx: r.id.startswith("vault_"),
        created="vault",
    ),
    Family("skills", "GET /skills", lambda c, ctx, **o: c.skills.list(**o), _page_check),
    Family(
        "memory stores",
        "POST /memory_stores",
        lambda c, ctx, **o: c.memory_stores.create(name=unique("retry-store"), **o),
        lambda r, ctx: r.id.startswith("memstore_"),
        created="memory_store",
    ),
    Family("deployments", "GET /deployments", lambda c, ctx, **o: c.deployments.list(**o), _page_check),
    Family("dreams", "GET /dreams", lambda c, ctx, **o: c.dreams.list(**o), _page_check),
    Family("models", "GET /models", lambda c, ctx, **o: c.models.list(**o), lambda r, ctx: len(r.data) > 0),
]


def _check(fam: Family, r: Any, ctx: Dict[str, str]) -> None:
    ok = fam.check(r, ctx)
    assert ok is None or ok, f"{fam.name}: unexpected result {r!r}"


#: Retry-After forms: (label, spec fragment built at call time, least total wait of two faults).
HINTS: List[Tuple[str, Callable[[], str], float]] = [
    ("Retry-After seconds", lambda: "retry-after=1", 1.8),
    ("Retry-After HTTP date", lambda: f"retry-after={http_date(2)}", 0.9),
    ("retry-after-ms", lambda: "retry-after-ms=300", 0.55),
]
STATUS_CLASS = {503: qoder_cloud.InternalServerError, 429: qoder_cloud.RateLimitError}


@pytest.fixture(scope="module")
def retry_ctx(emulator: Emulator) -> Dict[str, str]:
    with sync_client(emulator) as c:
        s = new_session_sync(c)
        c.sessions.events.send(s.id, events=[user_message("events for the list")])
    return {"sid": s.id}


async def test_retry_bursts_on_every_family_async(emulator: Emulator, retry_ctx: Dict[str, str]) -> None:
    """Every family × {503, 429} × every Retry-After form, concurrently (each family owns a route)."""
    failures: List[str] = []

    async def success(c: qoder_cloud.AsyncClient, fam: Family, status: int, label: str, spec: str, least: float) -> None:
        t0 = time.monotonic()
        try:
            r = await invoke(fam.call(c, retry_ctx, extra_headers=fault(f"status={status};count=2;{spec}")))
        except Exception as e:  # noqa: BLE001 - collected and reported below
            failures.append(f"{fam.name} {status} {label}: two faults, max_retries=2 -> {type(e).__name__}: {e}")
            return
        waited = time.monotonic() - t0
        _check(fam, r, retry_ctx)
        if waited < least:
            failures.append(f"{fam.name} {status} {label}: waited {waited:.2f} s, less than the server asked ({least} s)")

    async def exhausted(c: qoder_cloud.AsyncClient, fam: Family, status: int, label: str, spec: str) -> None:
        try:
            await invoke(fam.call(c, retry_ctx, extra_headers=fault(f"status={status};count=3;{spec}")))
        except qoder_cloud.QoderError as e:
            if not (isinstance(e, STATUS_CLASS[status]) and e.status_code == status and e.request_id and e.retryable):
                failures.append(f"{fam.name} {status} {label}: exhausted -> {e!r} (retryable={e.retryable})")
            return
        failures.append(f"{fam.name} {status} {label}: three faults, max_retries=2 succeeded")

    async def no_retry(c: qoder_cloud.AsyncClient, fam: Family, status: int) -> None:
        try:
            await invoke(fam.call(c, retry_ctx, extra_headers=fault(f"status={status};count=3;should-retry=false;retry-after-ms=1")))
        except qoder_cloud.QoderError as e:
            if not (isinstance(e, STATUS_CLASS[status]) and e.status_code == status and e.request_id):
                failures.append(f"{fam.name} {status} should-retry=false -> {e!r}")
            return
        failures.append(f"{fam.name} {status} should-retry=false: succeeded (it retried)")

    before = emulator.stats()
    async with async_client(emulator, max_retries=2) as c:
        jobs = []
        for fam in FAMILIES:
            for status in (503, 429):
                for label, spec, least in HINTS:
                    jobs.append(success(c, fam, status, label, spec(), least))
                    jobs.append(exhausted(c, fam, status, label, spec()))
                jobs.append(no_retry(c, fam, status))
        await asyncio.wait_for(asyncio.gather(*jobs), 120)
    after = emulator.stats()
    for fam in FAMILIES:
        # 6 successes × 3 attempts + 6 exhausted × 3 attempts + 2 × 1 attempt (should-retry=false).
        n = route_count(after, fam.route) - route_count(before, fam.route)
        if n != 38:
            failures.append(f"{fam.name}: {fam.route} received {n} requests, expected 38")
        if fam.created:
            k = created_count(after, fam.created) - created_count(before, fam.created)
            if k != 6:
                failures.append(f"{fam.name}: {k} {fam.created} objects created by 6 successful calls")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.name.replace(" ", "_") for f in FAMILIES])
def test_retry_bursts_on_every_family_sync(emulator: Emulator, retry_ctx: Dict[str, str], fam: Family) -> None:
    before = emulator.stats()
    with sync_client(emulator, max_retries=2) as c:
        for status, spec in ((503, "retry-after-ms=1"), (429, "retry-after-ms=1")):
            r = fam.call(c, retry_ctx, extra_headers=fault(f"status={status};count=2;{spec}"))
            _check(fam, r, retry_ctx)
            with pytest.raises(STATUS_CLASS[status]) as ei:
                fam.call(c, retry_ctx, extra_headers=fault(f"status={status};count=3;{spec}"))
            assert ei.value.status_code == status and ei.value.request_id and ei.value.retryable
            with pytest.raises(STATUS_CLASS[status]) as nr:
                fam.call(c, retry_ctx, extra_headers=fault(f"status={status};count=3;should-retry=false;retry-after-ms=1"))
            assert nr.value.status_code == status
    after = emulator.stats()
    assert route_count(after, fam.route) - route_count(before, fam.route) == 2 * (3 + 3 + 1)
    if fam.created:
        assert created_count(after, fam.created) - created_count(before, fam.created) == 2


async def test_total_deadline_ends_a_call_that_keeps_retrying(emulator: Emulator) -> None:
    ac = async_client(emulator, max_retries=50)
    c = sync_client(emulator, max_retries=50)
    deadlined = sync_client(emulator, max_retries=50, total_timeout=0.4)
    cases: List[Tuple[str, str, Callable[[], Any]]] = [
        (
            "async per-call total_timeout",
            "GET /models",
            lambda: ac.models.list(total_timeout=0.4, extra_headers=fault("status=503;count=100;retry-after-ms=100")),
        ),
        ("sync client total_timeout", "GET /models", lambda: deadlined.models.list(extra_headers=fault("status=503;count=100;retry-after-ms=100"))),
        (
            "sync per-call total_timeout on a POST",
            "POST /agents",
            lambda: c.agents.create(name="deadline", model="auto", total_timeout=0.4, extra_headers=fault("status=429;count=100;retry-after-ms=100")),
        ),
    ]
    try:
        for label, route, call in cases:
            before = route_count(emulator.stats(), route)
            # The deadline fires (APITimeoutError), or the next hint would sleep past it and the
            # call ends at once with the server's error and its hint; either way it stops early.
            with pytest.raises((qoder_cloud.APITimeoutError, qoder_cloud.APIStatusError)) as ei:
                await invoke(call())
            if isinstance(ei.value, qoder_cloud.APIStatusError):
                assert ei.value.retry_after == 0.1 and "past the call's total deadline" in str(ei.value), label
            else:
                assert isinstance(ei.value, qoder_cloud.APIConnectionError) and ei.value.kind == "timeout", label
            n = route_count(emulator.stats(), route) - before
            assert 2 <= n < 50, f"{label}: it retried, then the deadline stopped it ({n} attempts)"
    finally:
        ac.close()
        c.close()
        deadlined.close()


# ---------------------------------------------------------------------------------------------
# Lost responses
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lost_ctx(emulator: Emulator) -> Dict[str, str]:
    with sync_client(emulator) as c:
        agent = c.agents.create(name=unique("lost"), model="auto")
        env = c.environments.create(name=unique("lost-env"))
        vault = c.vaults.create(display_name=unique("lost-vault"))
        store = c.memory_stores.create(name=unique("lost-store"))
    return {"agent": agent.id, "env": env.id, "vault": vault.id, "store": store.id}


LOST = "drop-response;count=1"
CREATES: List[Tuple[str, str, str, Callable[..., Any]]] = [
    ("agents.create", "POST /agents", "agent", lambda c, x: c.agents.create(name=unique("lost"), model="auto", extra_headers=fault(LOST))),
    (
        "environments.create",
        "POST /environments",
        "environment",
        lambda c, x: c.environments.create(name=unique("lost-env"), extra_headers=fault(LOST)),
    ),
    (
        "sessions.create",
        "POST /sessions",
        "session",
        lambda c, x: c.sessions.create(agent=x["agent"], environment_id=x["env"], extra_headers=fault(LOST)),
    ),
    ("vaults.create", "POST /vaults", "vault", lambda c, x: c.vaults.create(display_name=unique("lost-v"), extra_headers=fault(LOST))),
    (
        "vaults.credentials.create",
        "POST /vaults/{vault_id}/credentials",
        "vault_credential",
        lambda c, x: c.vaults.credentials.create(
            vault_id=x["vault"],
            auth={"type": "static_bearer", "token": "tok-lost", "mcp_server_url": "https://mcp.example.com/sse"},
            extra_headers=fault(LOST),
        ),
    ),
    (
        "memory_stores.create",
        "POST /memory_stores",
        "memory_store",
        lambda c, x: c.memory_stores.create(name=unique("lost-m"), extra_headers=fault(LOST)),
    ),
    (
        "memory_stores.memories.create",
        "POST /memory_stores/{memory_store_id}/memories",
        "memory",
        lambda c, x: c.memory_stores.memories.create(
            memory_store_id=x["store"], path=f"/lost/{unique('p')}.md", content="once", extra_headers=fault(LOST)
        ),
    ),
    ("files.upload", "POST /files", "file", lambda c, x: c.files.upload(file=("lost.txt", b"lost response"), extra_headers=fault(LOST))),
    (
        "skills.create",
        "POST /skills",
        "skill",
        lambda c, x: c.skills.create(
            files=[(f"{unique('sk')}/SKILL.md", b"---\nname: lost-skill\ndescription: x\n---\n")], extra_headers=fault(LOST)
        ),
    ),
    (
        "deployments.create",
        "POST /deployments",
        "deployment",
        lambda c, x: c.deployments.create(
            name=unique("lost-dep"),
            agent=x["agent"],
            environment_id=x["env"],
            initial_events=[user_message("hi")],
            extra_headers=fault(LOST),
        ),
    ),
    (
        "dreams.create",
        "POST /dreams",
        "dream",
        lambda c, x: c.dreams.create(inputs=[{"type": "memory_store", "memory_store_id": x["store"]}], model="auto", extra_headers=fault(LOST)),
    ),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("op,route,created,call", CREATES, ids=[c[0] for c in CREATES])
async def test_lost_response_on_create_creates_exactly_one_object(
    emulator: Emulator, lost_ctx: Dict[str, str], kind: str, op: str, route: str, created: str, call: Callable[..., Any]
) -> None:
    c = make_client(kind, emulator, max_retries=2)
    try:
        before = emulator.stats()
        r = await invoke(call(c, lost_ctx))
        assert isinstance(r.id, str) and r.id, f"{op} returned the created object"
        s = emulator.stats()
        assert route_count(s, route) - route_count(before, route) == 2, f"{op}: the lost attempt and one retry"
        assert created_count(s, created) - created_count(before, created) == 1, f"{op}: exactly one {created}"
        assert s["idempotent_replays"] > before["idempotent_replays"], f"{op}: the retry was a replay"
    finally:
        c.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_lost_response_on_send_posts_exactly_one_user_message(emulator: Emulator, kind: str) -> None:
    setup = sync_client(emulator)
    session = new_session_sync(setup)
    c = make_client(kind, emulator, max_retries=2)
    try:
        text = f"exactly once {unique('m')}"
        before = emulator.stats()
        sent = await invoke(c.sessions.events.send(session.id, events=[user_message(text)], extra_headers=fault(LOST)))
        assert [e.type for e in sent.data] == ["user.message"]
        s = emulator.stats()
        route = "POST /sessions/{session_id}/events"
        assert route_count(s, route) - route_count(before, route) == 2
        assert created_count(s, "user.message") - created_count(before, "user.message") == 1, "one user.message in the stats"
        mine = [e for e in list_events(setup, session.id) if e.type == "user.message" and text_of(e) == text]
        assert [e.id for e in mine] == [sent.data[0].id], "one user.message in the session"
    finally:
        c.close()
        setup.close()


# ---------------------------------------------------------------------------------------------
# Bodies that are not what they claim
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_malformed_json_is_a_typed_error_with_status_and_raw_body(emulator: Emulator, kind: str) -> None:
    c = make_client(kind, emulator)
    try:
        with pytest.raises(qoder_cloud.APIResponseValidationError) as ei:
            await asyncio.wait_for(invoke(c.agents.list(timeout=20, extra_headers=fault("malformed-json"))), 30)
        e = ei.value
        assert e.status_code == 200 and isinstance(e.body, str) and e.body.startswith('{"data":'), (e.status_code, e.body[:80])
        assert e.request_id
        with pytest.raises(qoder_cloud.APIResponseValidationError) as ci:
            await asyncio.wait_for(invoke(c.agents.create(name="mj", model="auto", timeout=20, extra_headers=fault("malformed-json"))), 30)
        assert ci.value.status_code == 201 and isinstance(ci.value.body, str)
        # An error status whose envelope is malformed keeps its class and the raw text.
        with pytest.raises(qoder_cloud.NotFoundError) as ni:
            await asyncio.wait_for(invoke(c.agents.retrieve(MISSING_AGENT, timeout=20, extra_headers=fault("malformed-json"))), 30)
        assert ni.value.status_code == 404 and isinstance(ni.value.body, str), ni.value.body
        assert ni.value.body.startswith('{"type":"error"') and ni.value.request_id
    finally:
        c.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_html_error_page_is_a_typed_error_with_the_raw_html(emulator: Emulator, kind: str) -> None:
    c = make_client(kind, emulator, max_retries=0)
    try:
        for call in (
            lambda: c.agents.list(timeout=20, extra_headers=fault("html-error")),
            lambda: c.agents.create(name="html", model="auto", timeout=20, extra_headers=fault("html-error")),
        ):
            with pytest.raises(qoder_cloud.InternalServerError) as ei:
                await asyncio.wait_for(invoke(call()), 30)
            assert ei.value.status_code == 502
            assert isinstance(ei.value.body, str) and "<html>" in ei.value.body and "502 Bad Gateway" in ei.value.body
    finally:
        c.close()
    # Retried like any 502, then it succeeds.
    with sync_client(emulator, max_retries=1) as c1:
        before = route_count(emulator.stats(), "GET /agents")
        assert isinstance(c1.agents.list(extra_headers=fault("html-error;count=1")).data, list)
        assert route_count(emulator.stats(), "GET /agents") - before == 2


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_wrong_content_type_keeps_status_and_envelope(emulator: Emulator, kind: str) -> None:
    c = make_client(kind, emulator)
    try:
        with pytest.raises(qoder_cloud.NotFoundError) as ei:
            await asyncio.wait_for(invoke(c.agents.retrieve(MISSING_AGENT, timeout=20, extra_headers=fault("wrong-content-type"))), 30)
        e = ei.value
        assert e.status_code == 404 and e.type == "not_found_error" and e.request_id
        assert e.body["error"]["type"] == "not_found_error"
        # A JSON success served as text/plain is still read.
        a = await asyncio.wait_for(invoke(c.agents.create(name="plain", model="auto", timeout=20, extra_headers=fault("wrong-content-type"))), 30)
        assert a.name == "plain" and a.id.startswith("agent_")
    finally:
        c.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_truncated_body_is_a_connection_error_without_hanging(emulator: Emulator, kind: str) -> None:
    c = make_client(kind, emulator, max_retries=0)
    try:
        # A 2xx cut short: a (retryable) connection failure that still carries its status.
        with pytest.raises(qoder_cloud.APIConnectionError) as ei:
            await asyncio.wait_for(invoke(c.agents.list(timeout=20, extra_headers=fault("truncated"))), 30)
        assert not isinstance(ei.value, qoder_cloud.APITimeoutError), "ended by the cut, not by the timeout"
        assert ei.value.retryable
        assert ei.value.status_code == 200
        # A 404 cut short is still the 404 its status line announced (not retried).
        with pytest.raises(qoder_cloud.NotFoundError) as nf:
            await asyncio.wait_for(invoke(c.agents.retrieve(MISSING_AGENT, timeout=20, extra_headers=fault("truncated"))), 30)
        assert nf.value.status_code == 404
    finally:
        c.close()
    with sync_client(emulator, max_retries=1) as c1:
        before = route_count(emulator.stats(), "GET /agents")
        assert isinstance(c1.agents.list(extra_headers=fault("truncated;count=1")).data, list)
        assert route_count(emulator.stats(), "GET /agents") - before == 2


def test_truncated_body_keeps_the_status_and_request_id_received_before_the_cut(client: qoder_cloud.Client) -> None:
    # The status line and the headers (x-request-id) arrived intact; only the body was cut.
    with pytest.raises(qoder_cloud.APIConnectionError) as ei:
        client.agents.list(timeout=20, max_retries=0, extra_headers=fault("truncated"))
    assert ei.value.status_code == 200, f"status of the truncated response (got {ei.value.status_code})"
    assert ei.value.request_id, f"request id of the truncated response (got {ei.value.request_id!r})"


# ---------------------------------------------------------------------------------------------
# Cancellation at every stage (a dedicated emulator, so its connection count is ours alone)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cemu_process() -> Iterator[Emulator]:
    with running_emulator() as emu:
        yield emu


@pytest.fixture
def cemu(cemu_process: Emulator) -> Emulator:
    eventually(lambda: cemu_process.api_connections() == 0, "a clean emulator before the test (every earlier client closed)")
    return cemu_process


def no_api_connections(emu: Emulator, what: str) -> None:
    eventually(lambda: emu.api_connections() == 0, what)


async def ano_api_connections(emu: Emulator, what: str) -> None:
    await aeventually(lambda: emu.api_connections() == 0, what)


async def _await(x: Any) -> Any:
    return await x


async def test_cancel_before_the_response_headers(cemu: Emulator) -> None:
    c = async_client(cemu)
    try:
        before = cemu.stats()
        t0 = time.monotonic()
        task = asyncio.ensure_future(_await(c.agents.create(name="never-answered", model="auto", extra_headers=fault("delay-ms=30000"))))
        await aeventually(lambda: route_count(cemu.stats(), "POST /agents") == route_count(before, "POST /agents") + 1, "the request to reach the server")
        assert cemu.api_connections() == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - t0 < 25, "cancelled long before the delayed response"
        await ano_api_connections(cemu, "the cancelled connection to close")
        s = cemu.stats()
        assert route_count(s, "POST /agents") - route_count(before, "POST /agents") == 1, "not retried"
        assert created_count(s, "agent") == created_count(before, "agent"), "the delayed create never ran"
    finally:
        c.close()


class Interrupter:
    """Raises KeyboardInterrupt in the main thread once ``ready()`` holds (a sync call's Ctrl-C)."""

    def __init__(self, ready: Callable[[], bool]) -> None:
        self._ready = ready
        self._lock = threading.Lock()
        self._done = False
        self.fired = False
        self._previous: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._ready():
                with self._lock:
                    if not self._done:
                        self.fired = True
                        _thread.interrupt_main()
                return
            time.sleep(0.01)

    def __enter__(self) -> "Interrupter":
        assert threading.current_thread() is threading.main_thread()
        # A suite started in the background by a non-interactive shell inherits SIGINT ignored,
        # and then `interrupt_main` does nothing: install Python's own handler for the test.
        self._previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        self._thread.join(15)
        signal.signal(signal.SIGINT, self._previous)


def test_ctrl_c_before_the_response_headers_sync(cemu: Emulator) -> None:
    c = sync_client(cemu)
    try:
        before = cemu.stats()
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            with Interrupter(lambda: route_count(cemu.stats(), "GET /models") == route_count(before, "GET /models") + 1) as it:
                c.models.list(extra_headers=fault("delay-ms=30000"))
        assert it.fired
        assert time.monotonic() - t0 < 25
        no_api_connections(cemu, "the interrupted connection to close")
        assert route_count(cemu.stats(), "GET /models") - route_count(before, "GET /models") == 1
    finally:
        c.close()


async def test_cancel_mid_stream(cemu: Emulator) -> None:
    with sync_client(cemu) as setup:
        s = new_session_sync(setup)
        setup.sessions.run_turn(s.id, "[[burst 5000 size=100]]")
    await ano_api_connections(cemu, "the setup client to let go")
    c = async_client(cemu)
    try:
        stream = c.sessions.events.stream(s.id)
        reached = asyncio.Event()
        n = 0

        async def consume() -> None:
            nonlocal n
            async with stream:
                async for ev in stream:
                    assert ev.id
                    n += 1
                    if n == 100:
                        reached.set()
                    await asyncio.sleep(0)  # a consumer that does some work per event

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(reached.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert 100 <= n < 5006, f"{n} events before the cancellation took effect"
        assert stream.closed
        await aeventually(lambda: cemu.open_streams() == 0, "the stream to close on the server")
        await ano_api_connections(cemu, "the stream connection to close")
    finally:
        c.close()


async def test_cancel_during_a_retry_backoff(cemu: Emulator) -> None:
    c = async_client(cemu, max_retries=3)
    before = cemu.stats()
    t0 = time.monotonic()
    task = asyncio.ensure_future(_await(c.models.list(extra_headers=fault("status=503;count=5;retry-after=60"))))
    await aeventually(lambda: cemu.stats()["faults_injected"] == before["faults_injected"] + 1, "the first attempt to fail")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - t0 < 30, "did not sleep through the 60 s backoff"
    s = cemu.stats()
    assert route_count(s, "GET /models") - route_count(before, "GET /models") == 1, "no retry after the cancellation"
    assert s["faults_injected"] - before["faults_injected"] == 1
    c.close()  # the pool still holds the idle connection of the failed attempt
    await ano_api_connections(cemu, "the pooled connection to close")
    assert route_count(cemu.stats(), "GET /models") - route_count(before, "GET /models") == 1


def test_ctrl_c_during_a_retry_backoff_sync(cemu: Emulator) -> None:
    c = sync_client(cemu, max_retries=3)
    before = cemu.stats()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with Interrupter(lambda: cemu.stats()["faults_injected"] == before["faults_injected"] + 1) as it:
            c.models.list(extra_headers=fault("status=503;count=5;retry-after=60"))
    assert it.fired
    assert time.monotonic() - t0 < 30, "did not sleep through the 60 s backoff"
    assert route_count(cemu.stats(), "GET /models") - route_count(before, "GET /models") == 1, "no retry after Ctrl-C"
    c.close()
    no_api_connections(cemu, "the pooled connection to close")


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 24 MiB: under the 32 MiB body limit, far more than the socket buffers hold.
    p = tmp_path_factory.mktemp("upload") / f"big-{uuid.uuid4().hex[:8]}.bin"
    with open(p, "wb") as f:
        chunk = b"\x07" * (1 << 20)
        for _ in range(24):
            f.write(chunk)
    return p


def _no_file_named(emu: Emulator, name: str) -> None:
    with sync_client(emu) as check:
        assert [f.id for f in check.files.list(name=name)] == [], "no half-written file"


async def test_cancel_during_an_upload(cemu: Emulator, big_file: Path) -> None:
    c = async_client(cemu)
    try:
        before = cemu.stats()
        task = asyncio.ensure_future(_await(c.files.upload(file=big_file, extra_headers=fault("delay-ms=30000"))))
        await aeventually(
            lambda: route_count(cemu.stats(), "POST /files") == route_count(before, "POST /files") + 1 and cemu.api_connections() >= 1,
            "the upload to start",
        )
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await ano_api_connections(cemu, "the upload connection to close")
        s = cemu.stats()
        assert created_count(s, "file") == created_count(before, "file"), "no file created"
        assert route_count(s, "POST /files") - route_count(before, "POST /files") == 1, "not retried"
    finally:
        c.close()
    _no_file_named(cemu, big_file.name)


def test_ctrl_c_during_an_upload_sync(cemu: Emulator, big_file: Path) -> None:
    c = sync_client(cemu)
    try:
        before = cemu.stats()
        with pytest.raises(KeyboardInterrupt):
            with Interrupter(
                lambda: route_count(cemu.stats(), "POST /files") == route_count(before, "POST /files") + 1 and cemu.api_connections() >= 1
            ) as it:
                c.files.upload(file=big_file, extra_headers=fault("delay-ms=30000"))
        assert it.fired
        no_api_connections(cemu, "the upload connection to close")
        s = cemu.stats()
        assert created_count(s, "file") == created_count(before, "file"), "no file created"
        assert route_count(s, "POST /files") - route_count(before, "POST /files") == 1, "not retried"
    finally:
        c.close()
    _no_file_named(cemu, big_file.name)

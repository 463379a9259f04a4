"""The production path: HTTPS with a private CA, HTTP/2 or HTTP/1.1 chosen by ALPN.

Every test that talks to the emulator runs against two HTTPS emulators (module-scoped): one
offering ``h2,http/1.1`` (the client must negotiate HTTP/2) and one offering only ``http/1.1``.
The emulator's stats say which protocol each connection negotiated, so each test checks that
its traffic used the expected one (and never the other). Mirrors ``tests/tests/tls.rs`` plus the
http tests of ``test_streams.py`` / ``test_reliability.py``: calls and streamed turns, resume
under drops, retries with idempotency, cancellation of waiting streams; then the trust options
(CA forms, ``SSL_CERT_FILE``, verification off, bad values, explicit proxy) and secrets.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import qoder_cloud
from qoder_cloud.testing import Emulator

from conftest import (
    aeventually,
    created_count,
    eventually,
    fault,
    invoke,
    new_session,
    new_session_sync,
    route_count,
    text_of,
    unique,
    user_message,
)

# Bounds for waits that must never hang the suite (a wedged stream fails the test instead).
STREAM_BOUND = 120.0
CLOSE_BOUND = 5.0


@dataclass
class Https:
    """One HTTPS emulator and the protocol ALPN must pick with it."""

    emu: Emulator
    expect: str  # "h2" or "http/1.1"

    @property
    def port(self) -> int:
        return int(self.emu.base_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])

    def stats(self) -> Dict[str, Any]:
        return self.emu.stats()

    def open_streams(self) -> int:
        return int(self.stats()["streams"]["open"])

    def connections(self) -> Dict[str, Any]:
        return self.stats()["connections"]  # type: ignore[no-any-return]

    def handshakes_settled(self) -> bool:
        c = self.connections()
        return bool(c["tls_handshakes"] + c["tls_handshake_failures"] == c["total"])

    def stream_protocol(self, transport: str) -> str:
        """The protocol of event-stream connections: ALPN's choice, like the calls'. By default
        streams ride connections of their own (at most 100 streams each); pooled, they share the
        calls' connection."""
        return self.expect

    def assert_alpn_since(self, before: Dict[str, Any], *used: str, aborted_handshakes: int = 0) -> None:
        """The API traffic since ``before`` (a ``connections`` snapshot) negotiated exactly the
        protocols ``used``: each of them on some new connection, any other on none; and at most
        ``aborted_handshakes`` handshakes failed (a stream closed while it reconnects abandons
        its handshake half-way, which the server counts as a failure).

        The control requests of :class:`Emulator` (stats) offer no ALPN: they count as ``none``.
        """
        # Every connection accepted so far has finished its handshake, one way or the other
        # (the stats request's own connection included), so none is still to be counted.
        eventually(self.handshakes_settled, "every accepted connection's handshake to end", timeout=15)
        now = self.connections()
        for proto in ("h2", "http/1.1"):
            if proto in used:
                assert now["alpn"][proto] > before["alpn"][proto], f"ALPN {proto} never negotiated: {now}"
            else:
                assert now["alpn"][proto] == before["alpn"][proto], f"a connection negotiated {proto}: {now}"
        failed = now["tls_handshake_failures"] - before["tls_handshake_failures"]
        assert failed <= aborted_handshakes, f"{failed} handshakes failed: {now}"

    def assert_calls_only_since(self, before: Dict[str, Any]) -> None:
        self.assert_alpn_since(before, self.expect)

    def assert_calls_and_streams_since(self, before: Dict[str, Any], transport: str) -> None:
        self.assert_alpn_since(before, self.expect, self.stream_protocol(transport))


MODES = [
    pytest.param(("h2,http/1.1", "h2"), id="alpn-h2"),
    pytest.param(("http/1.1", "http/1.1"), id="alpn-http1"),
]


# Proxies, trust stores and transport choices of the machine running the tests must not change
# the outcome: unset for the module's whole life (module-scoped fixtures build clients too).
AMBIENT = (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
    "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "QODER_STREAM_TRANSPORT", "QODER_HTTP2",
)  # fmt: skip


@pytest.fixture(scope="module", params=MODES)
def https(request: pytest.FixtureRequest) -> Iterator[Https]:
    offer, expect = request.param
    with pytest.MonkeyPatch.context() as mp:
        for k in AMBIENT:
            mp.delenv(k, raising=False)
        with Emulator(tls=True, extra_args=["--alpn", offer]) as emu:
            assert emu.base_url.startswith("https://"), emu.base_url
            assert emu.ca_path is not None and Path(emu.ca_path).is_file()
            yield Https(emu=emu, expect=expect)


@pytest.fixture(params=["own", "pooled"], ids=["streams-own", "streams-pooled"])
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """How event streams travel: on connections of their own (the default; HTTP/1.1 over TLS) or
    pooled with the calls (``QODER_STREAM_TRANSPORT=pooled``, read when a client is built)."""
    if request.param == "pooled":
        monkeypatch.setenv("QODER_STREAM_TRANSPORT", "pooled")
    return str(request.param)


def _run_bounded(fn: Callable[[], Any], timeout: float, on_timeout: Callable[[], object], what: str) -> Any:
    """Runs a blocking ``fn`` on a thread; past ``timeout`` calls ``on_timeout`` and fails."""
    out: Dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised on the test's thread
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        on_timeout()
        t.join(CLOSE_BOUND)
        pytest.fail(f"timed out after {timeout} s: {what}")
    if "error" in out:
        raise out["error"]
    return out.get("value")


def _no_open_streams(h: Https, what: str) -> None:
    eventually(lambda: h.open_streams() == 0, what)


# ---------------------------------------------------------------------------------------------
# 1. Calls, a streamed turn and run_turn over HTTPS
# ---------------------------------------------------------------------------------------------


def _check_turn_events(types: List[str], texts: List[str], sent_text: str) -> None:
    assert types[0] == "session.status_running", types
    assert types[-1] == "session.status_idle", types
    assert "agent.message" in types, types
    assert texts == [f"Echo: {sent_text}"], texts


def test_calls_stream_and_turn_sync(https: Https, transport: str) -> None:
    before = https.connections()
    stats0 = https.stats()
    with https.emu.client(timeout=30) as c:
        names = [unique("tls-agent") for _ in range(3)]
        created = [c.agents.create(name=n, model="auto") for n in names]
        assert [a.name for a in created] == names
        got = c.agents.retrieve(created[1].id)
        assert got.id == created[1].id and got.name == names[1]
        # Auto-pagination with pages of one: every agent once, across several requests.
        listed = [a.id for a in c.agents.list(limit=1)]
        assert len(listed) == len(set(listed))
        assert set(a.id for a in created) <= set(listed)
        assert route_count(https.stats(), "GET /agents") - route_count(stats0, "GET /agents") >= len(listed)

        s = new_session_sync(c)
        text = unique("hello over https")
        sent = c.sessions.events.send(s.id, events=[user_message(text)])  # type: ignore[list-item]
        https.assert_calls_only_since(before)
        types: List[str] = []
        texts: List[str] = []

        def read() -> None:
            with c.sessions.events.stream(s.id, last_event_id=sent.data[-1].id) as stream:
                holder.append(stream)
                for ev in stream:
                    types.append(ev.type)
                    if ev.type == "agent.message":
                        texts.append(text_of(ev))
                    if ev.type == "session.status_idle":
                        break
                assert stream.reconnects == 0
            assert stream.closed

        holder: List[Any] = []
        _run_bounded(read, STREAM_BOUND, lambda: [st.close() for st in holder], "the streamed turn")
        _check_turn_events(types, texts, text)

        turn = c.sessions.run_turn(s.id, "second turn over https")
        assert turn.stop_type == "end_turn" and turn.text == "Echo: second turn over https"
    https.assert_calls_and_streams_since(before, transport)
    _no_open_streams(https, "the turn streams to close")


async def test_calls_stream_and_turn_async(https: Https, transport: str) -> None:
    before = https.connections()
    stats0 = https.stats()
    async with https.emu.async_client(timeout=30) as c:
        names = [unique("tls-aagent") for _ in range(3)]
        created = [await c.agents.create(name=n, model="auto") for n in names]
        got = await c.agents.retrieve(created[2].id)
        assert got.id == created[2].id and got.name == names[2]
        listed = [a.id async for a in c.agents.list(limit=1)]
        assert len(listed) == len(set(listed))
        assert set(a.id for a in created) <= set(listed)
        assert route_count(https.stats(), "GET /agents") - route_count(stats0, "GET /agents") >= len(listed)

        s = await new_session(c)
        text = unique("async hello over https")
        sent = await c.sessions.events.send(s.id, events=[user_message(text)])  # type: ignore[list-item]
        https.assert_calls_only_since(before)
        types: List[str] = []
        texts: List[str] = []

        async def read() -> None:
            async with c.sessions.events.stream(s.id, last_event_id=sent.data[-1].id) as stream:
                async for ev in stream:
                    types.append(ev.type)
                    if ev.type == "agent.message":
                        texts.append(text_of(ev))
                    if ev.type == "session.status_idle":
                        break
                assert stream.reconnects == 0
            assert stream.closed

        await asyncio.wait_for(read(), STREAM_BOUND)
        _check_turn_events(types, texts, text)

        turn = await asyncio.wait_for(c.sessions.run_turn(s.id, "async turn over https"), STREAM_BOUND)
        assert turn.stop_type == "end_turn" and turn.text == "Echo: async turn over https"
    https.assert_calls_and_streams_since(before, transport)
    await aeventually(lambda: https.open_streams() == 0, "the turn streams to close")


# ---------------------------------------------------------------------------------------------
# 2. Resume under drops
# ---------------------------------------------------------------------------------------------


@dataclass
class Burst:
    session_id: str
    ids: List[str]  # every persisted event, from the list endpoint (auto-paged), oldest first


@pytest.fixture(scope="module")
def burst(https: Https) -> Burst:
    with https.emu.client(timeout=60) as c:
        s = new_session_sync(c)
        turn = c.sessions.run_turn(s.id, "[[burst 300 size=20-200]]")
        assert turn.stop_type == "end_turn"
        ids = [str(e.id) for e in c.sessions.events.list(s.id, limit=100)]
    assert len(ids) > 300, len(ids)
    assert len(ids) == len(set(ids))
    return Burst(session_id=s.id, ids=ids)


DROP_EVERY = 3


def _check_resumed(got: List[str], expected: List[str], reconnects: int) -> None:
    dupes = len(got) - len(set(got))
    assert dupes == 0, f"{dupes} events delivered twice"
    assert got == expected, "every persisted event exactly once, in order"
    minimum = len(expected) // DROP_EVERY - 1
    assert reconnects >= minimum, f"{reconnects} reconnects < {minimum}: the drops did not happen"


def test_resume_under_drops_sync(https: Https, burst: Burst, transport: str) -> None:
    before = https.connections()
    holder: List[Any] = []
    with https.emu.client() as c:

        def read() -> Tuple[List[str], int]:
            got: List[str] = []
            with c.sessions.events.stream(
                burst.session_id, extra_headers=fault(f"stream-drop-after={DROP_EVERY}")
            ) as stream:
                holder.append(stream)
                for ev in stream:
                    got.append(str(ev.id))
                    if len(got) >= len(burst.ids):
                        break
                assert stream.last_event_id == got[-1]
                reconnects = stream.reconnects
            return got, reconnects

        got, reconnects = _run_bounded(read, STREAM_BOUND, lambda: [st.close() for st in holder], "the resumed stream")
    _check_resumed(got, burst.ids, reconnects)
    # The stream made no call. When the last drop comes right after the last event, the close
    # may interrupt the reconnect's handshake.
    https.assert_alpn_since(before, https.stream_protocol(transport), aborted_handshakes=1)
    _no_open_streams(https, "the resumed stream to close")


async def test_resume_under_drops_async(https: Https, burst: Burst, transport: str) -> None:
    before = https.connections()
    async with https.emu.async_client() as c:

        async def read() -> Tuple[List[str], int]:
            got: List[str] = []
            async with c.sessions.events.stream(
                burst.session_id, extra_headers=fault(f"stream-drop-after={DROP_EVERY}")
            ) as stream:
                async for ev in stream:
                    got.append(str(ev.id))
                    if len(got) >= len(burst.ids):
                        break
                assert stream.last_event_id == got[-1]
                reconnects = stream.reconnects
            return got, reconnects

        got, reconnects = await asyncio.wait_for(read(), STREAM_BOUND)
    _check_resumed(got, burst.ids, reconnects)
    # The stream made no call. When the last drop comes right after the last event, the close
    # may interrupt the reconnect's handshake.
    https.assert_alpn_since(before, https.stream_protocol(transport), aborted_handshakes=1)
    await aeventually(lambda: https.open_streams() == 0, "the resumed stream to close")


# ---------------------------------------------------------------------------------------------
# 3. Retries and idempotency
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_retry_creates_exactly_once_with_the_same_key(https: Https, kind: str) -> None:
    before = https.connections()
    c: Any = https.emu.async_client(max_retries=2) if kind == "async" else https.emu.client(max_retries=2)
    try:
        # A 503 before processing: retried, one agent.
        s0 = https.stats()
        name = unique("tls-retry")
        agent = await invoke(c.agents.create(name=name, model="auto", extra_headers=fault("status=503;count=1")))
        s1 = https.stats()
        assert agent.name == name and agent.idempotency_key
        assert route_count(s1, "POST /agents") - route_count(s0, "POST /agents") == 2, "one 503, one retry"
        assert s1["faults_injected"] - s0["faults_injected"] == 1
        assert created_count(s1, "agent") - created_count(s0, "agent") == 1, "exactly one agent"

        # The key the call reports is the one the server recorded: re-sending it replays.
        again = await invoke(c.agents.create(name=name, model="auto", idempotency_key=agent.idempotency_key))
        s2 = https.stats()
        assert again.id == agent.id
        assert s2["idempotent_replays"] - s1["idempotent_replays"] == 1
        assert created_count(s2, "agent") == created_count(s1, "agent")

        # A response lost after processing: the automatic retry carries the same key (a replay).
        lost = unique("tls-lost")
        got = await invoke(c.agents.create(name=lost, model="auto", extra_headers=fault("drop-response;count=1")))
        s3 = https.stats()
        assert got.name == lost
        assert route_count(s3, "POST /agents") - route_count(s2, "POST /agents") == 2, "the lost attempt and one retry"
        assert created_count(s3, "agent") - created_count(s2, "agent") == 1, "exactly one agent"
        assert s3["idempotent_replays"] - s2["idempotent_replays"] == 1, "the retry was a replay of the same key"
        matching = [a.name for a in await _all(c.agents.list(limit=100)) if a.name in (name, lost)]
        assert sorted(matching) == sorted([name, lost])
    finally:
        c.close()
    https.assert_calls_only_since(before)


async def _all(paginator: Any) -> List[Any]:
    if hasattr(paginator, "__aiter__"):
        return [x async for x in paginator]
    return list(paginator)


# ---------------------------------------------------------------------------------------------
# 4. Cancellation of a stream waiting on a silent HTTPS connection
# ---------------------------------------------------------------------------------------------


def test_closing_a_waiting_stream_from_another_thread(https: Https, transport: str) -> None:
    _no_open_streams(https, "earlier streams to close")
    baseline = https.open_streams()
    before = https.connections()
    with https.emu.client() as c:
        s = new_session_sync(c)  # no message: the stream stays silent
        stream = c.sessions.events.stream(s.id)
        out: List[Any] = []
        t = threading.Thread(target=lambda: out.extend(stream), daemon=True)
        t.start()
        eventually(lambda: https.open_streams() == baseline + 1, "the stream to open")
        assert t.is_alive(), "the reader returned from a silent stream"
        t0 = time.monotonic()
        stream.close()
        t.join(CLOSE_BOUND)
        assert not t.is_alive(), "close() did not wake the waiting reader"
        assert time.monotonic() - t0 < CLOSE_BOUND
        assert out == [] and stream.closed
        eventually(lambda: https.open_streams() == baseline, "the server to see the stream close", timeout=CLOSE_BOUND)
    https.assert_calls_and_streams_since(before, transport)


async def test_aclose_wakes_a_waiting_task(https: Https, transport: str) -> None:
    await aeventually(lambda: https.open_streams() == 0, "earlier streams to close")
    baseline = https.open_streams()
    before = https.connections()
    async with https.emu.async_client() as c:
        s = await new_session(c)
        stream = c.sessions.events.stream(s.id)
        received: List[Any] = []

        async def consume() -> str:
            async for ev in stream:
                received.append(ev)
            return "ended"

        task = asyncio.create_task(consume())
        await aeventually(lambda: https.open_streams() == baseline + 1, "the stream to open")
        assert not task.done()
        await stream.aclose()
        assert await asyncio.wait_for(task, CLOSE_BOUND) == "ended"
        assert received == [] and stream.closed
        await aeventually(lambda: https.open_streams() == baseline, "the server to see the stream close", timeout=CLOSE_BOUND)
    https.assert_calls_and_streams_since(before, transport)


async def test_cancelling_the_consumer_task_closes_the_stream(https: Https, transport: str) -> None:
    await aeventually(lambda: https.open_streams() == 0, "earlier streams to close")
    baseline = https.open_streams()
    before = https.connections()
    async with https.emu.async_client() as c:
        s = await new_session(c)
        holder: List[Any] = []

        async def consume() -> None:
            async with c.sessions.events.stream(s.id) as stream:
                holder.append(stream)
                async for _ in stream:
                    pass

        task = asyncio.create_task(consume())
        await aeventually(lambda: https.open_streams() == baseline + 1, "the stream to open")
        assert not task.done()
        t0 = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, CLOSE_BOUND)
        assert time.monotonic() - t0 < CLOSE_BOUND
        assert holder and holder[0].closed
        await aeventually(lambda: https.open_streams() == baseline, "the server to see the stream close", timeout=CLOSE_BOUND)
    https.assert_calls_and_streams_since(before, transport)


# ---------------------------------------------------------------------------------------------
# 5. Trust
# ---------------------------------------------------------------------------------------------


def _plain_options(h: Https, **options: Any) -> Dict[str, Any]:
    """Client options with no trust setting of the testing helper (only what the test passes)."""
    return {"base_url": h.emu.base_url, "access_token": h.emu.access_token, "max_retries": 0, "timeout": 30, **options}


def _make(kind: str, options: Dict[str, Any]) -> Any:
    return qoder_cloud.AsyncClient(**options) if kind == "async" else qoder_cloud.Client(**options)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_an_untrusted_ca_is_a_connection_error_naming_the_certificate(https: Https, kind: str) -> None:
    s0 = https.stats()
    c = _make(kind, _plain_options(https))
    try:
        with pytest.raises(qoder_cloud.APIConnectionError) as ei:
            await invoke(c.agents.create(name=unique("untrusted"), model="auto"))
    finally:
        c.close()
    assert not isinstance(ei.value, qoder_cloud.APITimeoutError)
    assert "certificate" in str(ei.value).lower(), f"the error does not name the certificate problem: {ei.value}"
    s1 = https.stats()
    assert created_count(s1, "agent") == created_count(s0, "agent"), "nothing created"
    assert s1["requests_total"] == s0["requests_total"], "a request reached the API"
    assert s1["connections"]["tls_handshake_failures"] > s0["connections"]["tls_handshake_failures"]


CA_FORMS = ["str path", "pathlib.Path", "PEM str", "PEM bytes", "list", "tuple of one"]


def _ca_form(h: Https, form: str) -> Any:
    assert h.emu.ca_path is not None
    path = h.emu.ca_path
    pem = Path(path).read_text()
    assert pem.startswith("-----BEGIN CERTIFICATE-----"), pem[:40]
    return {
        "str path": path,
        "pathlib.Path": Path(path),
        "PEM str": pem,
        "PEM bytes": pem.encode(),
        "list": [pem.encode(), Path(path), path],
        "tuple of one": (Path(path),),
    }[form]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("form", CA_FORMS)
async def test_ca_certs_forms_are_trusted(https: Https, form: str, kind: str) -> None:
    before = https.connections()
    c = _make(kind, _plain_options(https, ca_certs=_ca_form(https, form)))
    try:
        name = unique("ca-form")
        agent = await invoke(c.agents.create(name=name, model="auto"))
        assert agent.name == name
        assert (await invoke(c.agents.retrieve(agent.id))).id == agent.id
    finally:
        c.close()
    https.assert_calls_only_since(before)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_ssl_cert_file_is_honoured(https: Https, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without it the CA is unknown (the fixture removed any ambient SSL_CERT_FILE)...
    c = _make(kind, _plain_options(https))
    try:
        with pytest.raises(qoder_cloud.APIConnectionError):
            await invoke(c.agents.list())
    finally:
        c.close()
    # ...and set before the client is built, it is trusted with no option at all.
    assert https.emu.ca_path is not None
    monkeypatch.setenv("SSL_CERT_FILE", https.emu.ca_path)
    before = https.connections()
    c = _make(kind, _plain_options(https))
    try:
        name = unique("ssl-cert-file")
        assert (await invoke(c.agents.create(name=name, model="auto"))).name == name
    finally:
        c.close()
    https.assert_calls_only_since(before)


def _insecure_records(caplog: pytest.LogCaptureFixture) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "qoder_cloud" and getattr(r, "qoder_event", None) == "insecure"]


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_verification_off_works_and_warns_once(https: Https, kind: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="qoder_cloud")
    before = https.connections()
    c = _make(kind, _plain_options(https, danger_accept_invalid_certs=True))
    try:
        for _ in range(3):
            await invoke(c.agents.create(name=unique("insecure"), model="auto"))
        await _all(c.agents.list(limit=1))
        s = await invoke(c.sessions.create(
            agent=(await invoke(c.agents.create(name=unique("insecure"), model="auto"))).id,
            environment_id=(await invoke(c.environments.create(name=unique("env")))).id,
        ))
        turn = await asyncio.wait_for(invoke(c.sessions.run_turn(s.id, "unverified")), STREAM_BOUND)
        assert turn.text == "Echo: unverified"
    finally:
        c.close()
    warnings = _insecure_records(caplog)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING
    assert "verification is OFF" in warnings[0].getMessage(), warnings[0].getMessage()
    https.assert_calls_and_streams_since(before, "own")  # run_turn streamed

    # A verifying client says nothing.
    caplog.clear()
    c = _make(kind, _plain_options(https, ca_certs=https.emu.ca_path))
    try:
        await invoke(c.agents.list())
        await invoke(c.agents.list())
    finally:
        c.close()
    assert _insecure_records(caplog) == []


# (option values, the parameter the error must name, text the message must contain)
BAD_VALUES: List[Tuple[str, Dict[str, Any], str, str]] = [
    ("ca_certs=123", {"ca_certs": 123}, "ca_certs", "ca_certs"),
    ("ca_certs=[path, 123]", {"ca_certs": ["@CA", 123]}, "ca_certs", "ca_certs"),
    ("ca_certs missing file", {"ca_certs": "/nonexistent/qoder-tls/ca.pem"}, "ca_certs", "/nonexistent/qoder-tls/ca.pem"),
    ("ca_certs missing Path", {"ca_certs": Path("/nonexistent/qoder-tls/ca2.pem")}, "ca_certs", "/nonexistent/qoder-tls/ca2.pem"),
    ("ca_certs PEM without certificate", {"ca_certs": "-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----\n"}, "ca_certs", "ca_certs"),
    ("proxy=ftp://x", {"proxy": "ftp://x"}, "proxy", "proxy"),
    ("proxy=123", {"proxy": 123}, "proxy", "proxy"),
    ("ca_certs bytes that are not PEM", {"ca_certs": b"not pem"}, "ca_certs", "BEGIN"),
    ("danger_accept_invalid_certs='yes'", {"danger_accept_invalid_certs": "yes"}, "danger_accept_invalid_certs", "bool"),
    ("proxy not a URL", {"proxy": "not a url"}, "proxy", "proxy"),
    ("client_cert only", {"client_cert": "@CA"}, "client_cert", "client_key"),
    ("client_cert=123", {"client_cert": 123, "client_key": "@CA"}, "client_cert", "client_cert"),
    ("client_key=123", {"client_cert": "@CA", "client_key": 123}, "client_key", "client_key"),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("label,options,param,mention", BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_bad_trust_options_are_invalid_argument_errors(
    https: Https, kind: str, label: str, options: Dict[str, Any], param: str, mention: str
) -> None:
    assert https.emu.ca_path is not None
    resolved = {k: (https.emu.ca_path if v == "@CA" else [https.emu.ca_path if x == "@CA" else x for x in v] if isinstance(v, list) else v) for k, v in options.items()}
    s0 = https.stats()
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        _make(kind, _plain_options(https, **resolved))
    e = ei.value
    assert isinstance(e, ValueError)
    assert e.param == param, f"{label}: param={e.param!r} ({e})"
    assert mention in str(e), f"{label}: {e}"
    assert https.stats()["requests_total"] == s0["requests_total"]


class RecordingProxy:
    """A proxy that records the first request line of each connection and answers 502."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)  # accept() wakes up to see close()
        self._stop = threading.Event()
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.lines: List[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:  # closed
                return
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n" not in data and len(data) < 8192:
                        chunk = conn.recv(1024)
                        if not chunk:
                            break
                        data += chunk
                    with self._lock:
                        self.lines.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                except OSError:
                    pass

    def seen(self) -> List[str]:
        with self._lock:
            return list(self.lines)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(CLOSE_BOUND)
        self.sock.close()
        assert not self._thread.is_alive(), "the proxy thread did not stop"


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    p = RecordingProxy()
    try:
        yield p
    finally:
        p.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_an_explicit_proxy_is_asked_for_a_tunnel(https: Https, proxy: RecordingProxy, kind: str) -> None:
    s0 = https.stats()
    c = _make(kind, _plain_options(https, ca_certs=https.emu.ca_path, proxy=proxy.url))
    try:
        with pytest.raises(qoder_cloud.APIConnectionError):
            await asyncio.wait_for(invoke(c.agents.list()), 30)
        tunnel = f"CONNECT 127.0.0.1:{https.port} "
        assert [l for l in proxy.seen() if l.startswith(tunnel)], f"no {tunnel!r} in {proxy.seen()}"
        calls = len(proxy.seen())
        # A stream goes through the proxy too (it must not take a direct connection).
        if kind == "async":
            with pytest.raises(qoder_cloud.APIConnectionError):
                async with c.sessions.events.stream("sess_0123", max_reconnect_attempts=0) as st:
                    await asyncio.wait_for(st.__anext__(), 30)
        else:
            holder: List[Any] = []

            def read() -> None:
                with c.sessions.events.stream("sess_0123", max_reconnect_attempts=0) as st:
                    holder.append(st)
                    next(iter(st))

            with pytest.raises(qoder_cloud.APIConnectionError):
                _run_bounded(read, 30, lambda: [st.close() for st in holder], "the proxied stream to fail")
        later = proxy.seen()[calls:]
        assert [l for l in later if l.startswith(tunnel)], f"the stream did not use the proxy: {proxy.seen()}"
    finally:
        c.close()
    assert https.stats()["requests_total"] == s0["requests_total"], "a request bypassed the proxy"


# ---------------------------------------------------------------------------------------------
# 6. Secrets: the client key never shows
# ---------------------------------------------------------------------------------------------

_SECRET = "qoder-secret-key-" + os.urandom(12).hex()
# Valid base64 that is no key, and a body that is not even base64 ("-" is outside the alphabet).
_B64_BODY = base64.b64encode(_SECRET.encode()).decode()
_RAW_BODY = _SECRET
# Syntactically PEM private keys that are not keys: each must be rejected without showing its text.
INVALID_KEYS: Dict[str, Tuple[str, str]] = {
    "pkcs8-base64-not-a-key": (f"-----BEGIN PRIVATE KEY-----\n{_B64_BODY}\n-----END PRIVATE KEY-----\n", _B64_BODY),
    "ec-base64-not-a-key": (f"-----BEGIN EC PRIVATE KEY-----\n{_B64_BODY}\n-----END EC PRIVATE KEY-----\n", _B64_BODY),
    "pkcs8-not-base64": (f"-----BEGIN PRIVATE KEY-----\n{_RAW_BODY}\n-----END PRIVATE KEY-----\n", _RAW_BODY),
    "unterminated": (f"-----BEGIN PRIVATE KEY-----\n{_B64_BODY}\n", _B64_BODY),
}
def _texts_of(e: BaseException) -> str:
    parts = [str(e), repr(e), repr(e.args), "".join(traceback.format_exception(type(e), e, e.__traceback__))]
    for name in ("message", "body", "param"):
        parts.append(repr(getattr(e, name, None)))
    cause = e.__cause__ or e.__context__
    if cause is not None:
        parts.append(_texts_of(cause))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, str]:
    """A real self-signed client certificate (a PEM file) and its P-256 key (PEM text), made with
    ``cryptography`` (a test dependency) so the suite needs no openssl binary."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qoder-test-client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    d = tmp_path_factory.mktemp("identity")
    cert_path = d / "client.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return cert_path, key_pem


def _key_body(pem: str) -> List[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
@pytest.mark.parametrize("variant", list(INVALID_KEYS))
def test_an_invalid_client_key_never_appears_in_errors(
    https: Https, variant: str, as_bytes: bool, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="qoder_cloud")
    assert https.emu.ca_path is not None
    pem, body = INVALID_KEYS[variant]
    key: Any = pem.encode() if as_bytes else pem
    with pytest.raises(qoder_cloud.QoderError) as ei:
        _make(kind, _plain_options(https, ca_certs=https.emu.ca_path, client_cert=https.emu.ca_path, client_key=key))
    text = _texts_of(ei.value)
    for secret in (body, _SECRET, pem.strip()):
        assert secret not in text, f"the key leaked: {text}"
    assert "PRIVATE KEY-----" not in text, text
    assert body not in caplog.text and _SECRET not in caplog.text


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    "variant",
    list(INVALID_KEYS),
)
def test_an_invalid_client_key_is_an_invalid_argument_error(https: Https, variant: str, kind: str) -> None:
    assert https.emu.ca_path is not None
    pem, _ = INVALID_KEYS[variant]
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        _make(kind, _plain_options(https, ca_certs=https.emu.ca_path, client_cert=https.emu.ca_path, client_key=pem))
    assert ei.value.param in ("client_cert", "client_key"), ei.value.param
    assert "client_key" in str(ei.value), str(ei.value)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_client_key_never_appears_in_repr_or_call_errors(
    https: Https, identity: Tuple[Path, str], kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="qoder_cloud")
    cert, key = identity
    body = _key_body(key)
    assert body
    c = _make(kind, _plain_options(https, ca_certs=https.emu.ca_path, client_cert=cert, client_key=key))
    try:
        derived = c.with_options(max_retries=1)
        for shown in (repr(c), str(c), repr(derived)):
            assert not any(line in shown for line in body), f"the key leaked: {shown}"
        # The identity does not get in the way of calls (the emulator asks for no certificate).
        name = unique("mtls")
        assert (await invoke(c.agents.create(name=name, model="auto"))).name == name
        with pytest.raises(qoder_cloud.NotFoundError) as ei:
            await invoke(c.agents.retrieve("agent_00000000000000000000000000000000"))
        text = _texts_of(ei.value)
        assert not any(line in text for line in body), f"the key leaked: {text}"
        derived.close()
    finally:
        c.close()
    assert not any(line in caplog.text for line in body)

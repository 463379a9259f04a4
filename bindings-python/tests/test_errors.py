"""Errors: one class per status, attributes, local validation, transport failures, panics."""

from __future__ import annotations

import pickle
from typing import Any, Type

import pytest

import qoder_cloud
from qoder_cloud import _native

from conftest import TOKEN, Emulator, fault, unique

STATUS = [
    (400, qoder_cloud.BadRequestError, "invalid_request_error"),
    (401, qoder_cloud.AuthenticationError, "authentication_error"),
    (403, qoder_cloud.PermissionDeniedError, "permission_error"),
    (404, qoder_cloud.NotFoundError, "not_found_error"),
    (409, qoder_cloud.ConflictError, "conflict_error"),
    (413, qoder_cloud.RequestTooLargeError, "request_too_large"),
    (422, qoder_cloud.UnprocessableEntityError, "invalid_request_error"),
    (429, qoder_cloud.RateLimitError, "rate_limit_error"),
    (500, qoder_cloud.InternalServerError, "api_error"),
    (503, qoder_cloud.InternalServerError, "api_error"),
    (529, qoder_cloud.OverloadedError, "overloaded_error"),
]


@pytest.mark.parametrize("status,cls,etype", STATUS)
def test_status_maps_to_class_sync(client: qoder_cloud.Client, status: int, cls: Type[Exception], etype: str) -> None:
    with pytest.raises(cls) as ei:
        client.agents.list(extra_headers=fault(f"status={status}"), max_retries=0)
    e = ei.value
    assert isinstance(e, qoder_cloud.APIStatusError) and isinstance(e, qoder_cloud.APIError)
    assert isinstance(e, qoder_cloud.QoderError)
    assert e.status_code == status
    assert e.type == etype
    assert e.request_id
    assert e.message.startswith(f"Error code: {status} - Injected fault")
    assert str(e) == e.message
    assert e.body["error"]["type"] == etype and e.body["request_id"] == e.request_id
    assert e.idempotency_key is None  # a GET carries no key
    assert e.retryable is (status in (429, 500, 503, 529))


@pytest.mark.parametrize("status,cls,etype", STATUS[::3])
async def test_status_maps_to_class_async(aclient: qoder_cloud.AsyncClient, status: int, cls: Type[Exception], etype: str) -> None:
    with pytest.raises(cls) as ei:
        await aclient.agents.retrieve("agent_x", extra_headers=fault(f"status={status}"), max_retries=0)
    assert ei.value.status_code == status and ei.value.type == etype


def test_server_validation_error_names_the_param(client: qoder_cloud.Client) -> None:
    agent = client.agents.create(name=unique("a"), model="auto")
    with pytest.raises(qoder_cloud.ConflictError) as ei:
        client.agents.update(agent.id, version=7, name="x")
    assert ei.value.param == "version"
    assert ei.value.idempotency_key  # the failed POST's key, to retry it safely


async def test_failed_mutation_reports_its_idempotency_key(aclient: qoder_cloud.AsyncClient) -> None:
    with pytest.raises(qoder_cloud.InternalServerError) as ei:
        await aclient.agents.create(name=unique("a"), model="auto", extra_headers=fault("status=503"), max_retries=1)
    assert ei.value.idempotency_key and len(ei.value.idempotency_key) >= 16


def test_invalid_arguments_fail_before_sending(client: qoder_cloud.Client, emulator: Emulator) -> None:
    before = emulator.requests_total()
    cases: list[tuple[Any, str]] = [
        (lambda: client.agents.retrieve(12345), "agent_id"),
        (lambda: client.agents.retrieve("a/b"), "agent_id"),
        (lambda: client.agents.retrieve(""), "agent_id"),
        (lambda: client.sessions.retrieve("sess_1\r\nX-Evil: 1"), "session_id"),
        (lambda: client.agents.retrieve("agent_1", bogus=1), "bogus"),
        (lambda: client.agents.create(model="auto"), "name"),
        (lambda: client.agents.list(limit=101), "limit"),
        (lambda: client.agents.list(page="a", after_id="b"), "after_id"),
        (lambda: client.agents.create(name="x", model="auto", metadata={"k": 1}), "metadata.k"),
        (lambda: client.agents.list(timeout=-1), "timeout"),
        (lambda: client.agents.list(max_retries=-1), "max_retries"),
        (lambda: client.sessions.events.stream("sess_1", event_deltas=["agent.bogus"]), "event_deltas"),
    ]
    for call, param in cases:
        with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
            call()
        assert ei.value.param == param, (param, ei.value)
        assert isinstance(ei.value, ValueError)
    assert emulator.requests_total() == before


async def test_invalid_arguments_async(aclient: qoder_cloud.AsyncClient) -> None:
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        await aclient.sessions.retrieve(None)
    assert ei.value.param == "session_id"
    with pytest.raises(qoder_cloud.InvalidArgumentError):
        await aclient.agents.list(limit=0)


def test_unsupported_python_values_raise_type_error(client: qoder_cloud.Client) -> None:
    with pytest.raises(TypeError, match="metadata"):
        client.agents.create(name="x", model="auto", metadata=object())
    with pytest.raises(TypeError, match=r"events\[0\]\.content"):
        client.sessions.events.send("sess_1", events=[{"type": "user.message", "content": {1, 2}}])
    with pytest.raises(TypeError):
        client.agents.retrieve("a", "b")


def test_connection_and_timeout_errors(emulator: Emulator) -> None:
    with qoder_cloud.Client(access_token=TOKEN, base_url="http://127.0.0.1:9/api/v1/cloud", max_retries=0) as c:
        with pytest.raises(qoder_cloud.APIConnectionError) as ei:
            c.agents.list()
        assert not isinstance(ei.value, qoder_cloud.APITimeoutError)
        assert ei.value.status_code is None
    with qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url, max_retries=0) as c:
        with pytest.raises(qoder_cloud.APITimeoutError) as te:
            c.agents.list(extra_headers=fault("delay-ms=3000"), timeout=0.2)
        assert isinstance(te.value, qoder_cloud.APIConnectionError)


def test_bad_bodies(client: qoder_cloud.Client) -> None:
    with pytest.raises(qoder_cloud.APIResponseValidationError) as ei:
        client.agents.list(extra_headers=fault("malformed-json"), max_retries=0)
    assert ei.value.status_code == 200 and isinstance(ei.value.body, str)
    with pytest.raises(qoder_cloud.InternalServerError) as hi:
        client.agents.list(extra_headers=fault("html-error"), max_retries=0)
    assert hi.value.status_code == 502 and "Bad Gateway" in hi.value.body
    with pytest.raises(qoder_cloud.APIConnectionError):
        client.agents.list(extra_headers=fault("truncated"), max_retries=0)


def test_missing_token_and_bad_config() -> None:
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        qoder_cloud.Client()
    assert ei.value.param == "access_token" and "QODER_ACCESS_TOKEN" in str(ei.value)
    with pytest.raises(qoder_cloud.InvalidArgumentError) as bu:
        qoder_cloud.Client(access_token="t", base_url="ftp://x")
    assert bu.value.param == "base_url"
    with pytest.raises(qoder_cloud.InvalidArgumentError):
        qoder_cloud.AsyncClient(access_token="t", region="mars")


def test_errors_pickle_with_their_attributes(client: qoder_cloud.Client) -> None:
    with pytest.raises(qoder_cloud.NotFoundError) as ei:
        client.agents.retrieve("agent_missing")
    e2 = pickle.loads(pickle.dumps(ei.value))
    assert type(e2) is qoder_cloud.NotFoundError
    assert (e2.status_code, e2.request_id, e2.message) == (404, ei.value.request_id, ei.value.message)


def test_rust_panic_becomes_qoder_error() -> None:
    with pytest.raises(qoder_cloud.QoderError, match="panic"):
        _native._test_panic(False)


async def test_rust_panic_in_awaitable_becomes_qoder_error() -> None:
    with pytest.raises(qoder_cloud.QoderError, match="panic"):
        await _native._test_panic(True)


def test_closed_client_raises(emulator: Emulator) -> None:
    c = qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url)
    c.close()
    c.close()  # idempotent
    assert c.is_closed()
    with pytest.raises(qoder_cloud.ClientClosedError, match="closed"):
        c.agents.list()


def test_the_error_tree_is_core_errors_json() -> None:
    """Every class of the one table exists, with its parent (and Python's ValueError for
    InvalidArgumentError); every core kind raises its class."""
    import json
    from pathlib import Path

    errors = json.loads((Path(__file__).resolve().parents[2] / "core" / "errors.json").read_text())
    table = errors["classes"]
    assert set(qoder_cloud._exceptions.__all__) == {c["name"] for c in table}
    for c in table:
        cls = getattr(qoder_cloud, c["name"])
        if c["parent"] is None:
            assert Exception in cls.__mro__ and cls.__bases__[0].__name__ == "_ErrorMethods"
            # The attributes of the table, each with its default.
            e = cls("m")
            for a in (a for a in errors["attributes"] if a["python"]):
                assert getattr(e, a["python"]) == a.get("default"), a["python"]
            continue
        assert cls.__bases__[0] is getattr(qoder_cloud, c["parent"]), c["name"]
        if c.get("also", {}).get("python"):
            assert cls.__bases__[1].__name__ == c["also"]["python"]


def test_an_in_stream_error_is_its_type_class_and_an_api_stream_error() -> None:
    from qoder_cloud._exceptions import _in_stream

    cls = _in_stream(qoder_cloud.OverloadedError)
    assert cls is _in_stream(qoder_cloud.OverloadedError), "one class per type"
    e = cls("overloaded", kind="overloaded")
    assert isinstance(e, qoder_cloud.OverloadedError) and isinstance(e, qoder_cloud.APIStreamError)
    assert isinstance(e, qoder_cloud.StreamError) and isinstance(e, qoder_cloud.APIStatusError)
    assert type(e).__name__ == "OverloadedError"


@pytest.mark.parametrize("key", ["", "   ", "a\nb", "é", "k" * 256])
def test_bad_idempotency_keys_are_refused_by_the_core(emulator: Emulator, key: str) -> None:
    before = emulator.requests_total()
    with qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url) as c:
        with pytest.raises(qoder_cloud.InvalidArgumentError) as e:
            c.agents.create(name="k", model="auto", idempotency_key=key)
    assert e.value.param == "idempotency_key"
    assert emulator.requests_total() == before, "nothing was sent"

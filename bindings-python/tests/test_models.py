"""Result objects: attribute access, unknown fields, dict/JSON export, equality, safe repr."""

from __future__ import annotations

import copy
import json

import pytest

import qoder_cloud
from qoder_cloud.types import Agent, BaseModel, SessionEvent, VaultCredential

from conftest import new_session, unique

DATA = {
    "id": "vcred_1",
    "type": "vault_credential",
    "auth": {
        "type": "mcp_oauth",
        "access_token": "tok-123",
        "refresh": {"refresh_token": "r-456", "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "cs-789"}},
    },
    "metadata": {"env": "prod"},
    "password": "pw",
    "secret_value": None,
    "future_field": {"nested": [1, {"deep": True}]},
}


def test_attribute_access_and_unknown_fields() -> None:
    m = VaultCredential(DATA)
    assert isinstance(m, BaseModel)
    assert m.id == "vcred_1" and m.auth.type == "mcp_oauth"
    assert m.auth.refresh.token_endpoint_auth.type == "client_secret_post"
    assert m.metadata == {"env": "prod"} and isinstance(m.metadata, dict)
    assert m.future_field.nested[1].deep is True  # unknown fields are reachable
    assert m["future_field"]["nested"][0] == 1
    assert "auth" in m and "nope" not in m
    assert "future_field" in dir(m)
    assert m.auth is m.auth  # converted once
    with pytest.raises(AttributeError):
        m.nope
    with pytest.raises(KeyError):
        m["nope"]


def test_repr_redacts_secrets() -> None:
    r = repr(VaultCredential(DATA))
    assert r.startswith("VaultCredential(id='vcred_1'")
    for secret in ("tok-123", "r-456", "cs-789", "'pw'"):
        assert secret not in r
    assert "'***'" in r and "secret_value=None" in r and "'prod'" in r


def test_to_dict_to_json_and_equality() -> None:
    m = VaultCredential(DATA)
    d = m.to_dict()
    assert d == DATA and d is not m.to_dict()
    d["auth"]["access_token"] = "changed"
    assert m.auth.access_token == "tok-123"  # exports are copies
    assert json.loads(m.to_json()) == DATA  # to_json keeps every value (it is data, not a log line)
    assert "\n  " in m.to_json() and "\n" not in m.to_json(indent=None)
    assert m == VaultCredential(DATA) and m == DATA and m != {"id": "other"}
    assert m == BaseModel(DATA)
    with pytest.raises(TypeError):
        hash(m)
    assert copy.deepcopy(m.to_dict()) == DATA
    assert m.model_dump() == DATA and json.loads(m.model_dump_json()) == DATA
    assert m.to_dict(mode="json", exclude_unset=True) == DATA


def test_copy_and_pickle() -> None:
    import pickle

    m = VaultCredential(DATA)
    for clone in (copy.copy(m), copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert type(clone) is VaultCredential and clone == m
    ev = SessionEvent({"id": "evt_1", "type": "agent.message"})
    ev2 = pickle.loads(pickle.dumps(ev))
    assert type(ev2) is SessionEvent and ev2.type == "agent.message" and ev2 == ev


def test_keyword_construction_and_events() -> None:
    a = Agent(id="agent_1", name="n", version=3)
    assert (a.id, a.version) == ("agent_1", 3)
    ev = SessionEvent({"id": "evt_1", "type": "agent.message", "content": [{"type": "text", "text": "hi"}]})
    assert ev.type == "agent.message" and ev.id == "evt_1" and ev.content[0].text == "hi"
    assert ev.to_dict()["content"][0]["text"] == "hi"


async def test_results_carry_response_metadata(aclient: qoder_cloud.AsyncClient) -> None:
    agent = await aclient.agents.create(name=unique("meta"), model="auto", metadata={"a": "b"})
    assert isinstance(agent, Agent)
    assert agent.request_id and agent._request_id == agent.request_id
    assert agent.idempotency_key
    same = await aclient.agents.retrieve(agent.id)
    assert same == agent and same.request_id != agent.request_id
    assert agent.to_dict()["metadata"] == {"a": "b"}


async def test_stream_events_are_lazy_but_complete(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    await aclient.sessions.run_turn(s.id, "lazy")
    async with aclient.sessions.events.stream(s.id) as stream:
        events = [await stream.__anext__() for _ in range(3)]
    listed = (await aclient.sessions.events.list(s.id, limit=3)).data
    assert [e.to_dict() for e in events] == [e.to_dict() for e in listed]
    assert events[0] == listed[0]
    assert json.loads(events[0].to_json(indent=None)) == listed[0].to_dict()
    assert repr(events[0]).startswith("Event(")

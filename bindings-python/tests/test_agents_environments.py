"""Agents and environments, with both clients."""

from __future__ import annotations

import pytest

import qoder_cloud
from qoder_cloud.types import Agent, Deleted, Environment

from conftest import Emulator, unique


async def test_agent_lifecycle_async(aclient: qoder_cloud.AsyncClient) -> None:
    name = unique("agent")
    agent = await aclient.agents.create(
        name=name,
        model="auto",
        system="Be brief.",
        metadata={"team": "sdk"},
        tools=[{"type": "agent_toolset_20260401"}],
    )
    assert isinstance(agent, Agent)
    assert agent.id.startswith("agent_")
    assert (agent.name, agent.system, agent.version) == (name, "Be brief.", 1)
    assert agent.metadata == {"team": "sdk"}
    assert agent.request_id and agent.idempotency_key

    got = await aclient.agents.retrieve(agent.id)
    assert got == agent
    assert got.idempotency_key is None  # GET carries no key

    updated = await aclient.agents.update(agent.id, version=1, description="second")
    assert (updated.version, updated.description) == (2, "second")
    v1 = await aclient.agents.retrieve(agent.id, version=1)
    assert (v1.version, v1.description) == (1, "")

    with pytest.raises(qoder_cloud.ConflictError) as ei:
        await aclient.agents.update(agent.id, version=1, description="stale")
    assert ei.value.status_code == 409 and ei.value.param == "version"

    versions = await aclient.agents.versions.list(agent.id)
    assert [a.version for a in versions.data] == [2, 1]

    archived = await aclient.agents.archive(agent.id)
    assert archived.archived_at is not None
    listed = [a.id async for a in aclient.agents.list()]
    assert agent.id not in listed
    assert agent.id in [a.id async for a in aclient.agents.list(include_archived=True)]


def test_agent_lifecycle_sync(client: qoder_cloud.Client) -> None:
    agent = client.agents.create(name=unique("agent"), model={"id": "auto", "speed": "fast"})
    assert isinstance(agent, Agent)
    assert agent.model.id == "auto"
    assert client.agents.retrieve(agent.id).id == agent.id
    assert client.agents.update(agent.id, version=1, name="renamed").name == "renamed"
    assert [a.version for a in client.agents.versions.list(agent.id)] == [2, 1]
    assert client.agents.archive(agent.id).archived_at is not None


async def test_environment_lifecycle_async(aclient: qoder_cloud.AsyncClient) -> None:
    env = await aclient.environments.create(
        name=unique("env"),
        config={"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["example.com"]}},
        metadata={"a": "1"},
    )
    assert isinstance(env, Environment) and env.id.startswith("env_")
    assert env.config.networking.allowed_hosts == ["example.com"]
    upd = await aclient.environments.update(env.id, description="d", metadata={"a": None, "b": "2"})
    assert upd.description == "d" and upd.metadata == {"b": "2"}
    assert (await aclient.environments.retrieve(env.id)).description == "d"
    assert env.id in [e.id async for e in aclient.environments.list()]
    gone = await aclient.environments.delete(env.id)
    assert isinstance(gone, Deleted) and gone.id == env.id and gone.type == "environment_deleted"
    with pytest.raises(qoder_cloud.NotFoundError) as ei:
        await aclient.environments.retrieve(env.id)
    assert ei.value.status_code == 404 and ei.value.type == "not_found_error"


def test_environment_lifecycle_sync(client: qoder_cloud.Client) -> None:
    env = client.environments.create(name=unique("env"))
    assert client.environments.retrieve(env.id).name == env.name
    assert client.environments.archive(env.id).archived_at is not None
    assert env.id not in [e.id for e in client.environments.list()]
    assert env.id in [e.id for e in client.environments.list(include_archived=True)]
    assert client.environments.delete(env.id).type == "environment_deleted"


def test_environment_in_use_cannot_be_deleted(client: qoder_cloud.Client) -> None:
    agent = client.agents.create(name=unique("a"), model="auto")
    env = client.environments.create(name=unique("env"))
    client.sessions.create(agent=agent.id, environment_id=env.id)
    with pytest.raises(qoder_cloud.ConflictError):
        client.environments.delete(env.id)

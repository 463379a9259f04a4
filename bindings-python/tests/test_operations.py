"""Every operation of the core is a method of both clients, with the official SDK's names."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import qoder_cloud
from qoder_cloud import _native
from qoder_cloud._resources import ALIASES

OPERATIONS_JSON = Path(__file__).resolve().parents[2] / "core" / "operations.json"

NAMESPACES = [
    "agents",
    "agents.versions",
    "environments",
    "environments.work",
    "sessions",
    "sessions.events",
    "sessions.resources",
    "sessions.threads",
    "sessions.threads.events",
    "files",
    "vaults",
    "vaults.credentials",
    "skills",
    "skills.versions",
    "memory_stores",
    "memory_stores.memories",
    "memory_stores.memory_versions",
    "models",
    "deployments",
    "deployments.runs",
    "deployment_runs",
    "dreams",
]


def resolve(root: Any, dotted: str) -> Any:
    obj = root
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def table() -> list[dict[str, Any]]:
    return json.loads(OPERATIONS_JSON.read_text())  # type: ignore[no-any-return]


def test_native_table_matches_operations_json() -> None:
    names = sorted(op["name"] for op in table())
    assert len(names) == 98
    assert sorted(op["name"] for op in _native.operations()) == names


@pytest.mark.parametrize("cls", [qoder_cloud.Client, qoder_cloud.AsyncClient])
def test_every_operation_is_a_method(cls: Any) -> None:
    c = cls(access_token="t", base_url="http://127.0.0.1:9/api/v1/cloud")
    missing = []
    for op in table():
        ns, meth = op["name"].rsplit(".", 1)
        try:
            fn = getattr(resolve(c, ns), meth)
        except AttributeError:
            missing.append(op["name"])
            continue
        assert callable(fn), op["name"]
        assert getattr(fn, "_qoder_operation", op["name"]) == op["name"]
    assert missing == []
    c.close()


@pytest.mark.parametrize("cls", [qoder_cloud.Client, qoder_cloud.AsyncClient])
def test_namespaces_mirror_the_official_sdk(cls: Any) -> None:
    c = cls(access_token="t", base_url="http://127.0.0.1:9/api/v1/cloud")
    for ns in NAMESPACES:
        resolve(c, ns)
    for alias, target in ALIASES.items():
        assert resolve(c, alias) is not None, alias
    assert c.files.retrieve_metadata.__func__ is c.files.retrieve.__func__
    c.close()


def test_positional_and_keyword_ids_follow_the_official_convention() -> None:
    c = qoder_cloud.Client(access_token="t", base_url="http://127.0.0.1:9/api/v1/cloud")
    sig = inspect.signature(c.vaults.credentials.retrieve)
    params = list(sig.parameters.values())
    assert params[0].name == "credential_id"
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert sig.parameters["vault_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(c.sessions.events.list).parameters)[0] == "session_id"
    assert list(inspect.signature(c.sessions.threads.events.stream).parameters)[0] == "thread_id"
    assert "idempotency_key" in inspect.signature(c.agents.create).parameters
    with pytest.raises(TypeError):
        c.vaults.credentials.retrieve("vcred_1", "vault_1")  # ancestor ids are keyword-only
    with pytest.raises(TypeError):
        c.agents.retrieve("agent_1", agent_id="agent_2")
    c.close()

"""A user's own tests, written against the pytest fixtures that `pip install qoder-cloud`
registers (entry point pytest11): nothing here imports a conftest."""

from __future__ import annotations

import qoder_cloud
from qoder_cloud.testing import Emulator


def test_sync_client_round_trip(qoder_client: qoder_cloud.Client) -> None:
    agent = qoder_client.agents.create(name="from-fixture", model="auto")
    assert qoder_client.agents.retrieve(agent.id).name == "from-fixture"


async def test_async_client_round_trip(qoder_async_client: qoder_cloud.AsyncClient) -> None:
    agent = await qoder_async_client.agents.create(name="async-fixture", model="auto")
    assert (await qoder_async_client.agents.retrieve(agent.id)).id == agent.id


def test_each_test_starts_from_an_empty_emulator(qoder_emulator: Emulator, qoder_client: qoder_cloud.Client) -> None:
    assert [a.id for a in qoder_client.agents.list()] == []
    assert qoder_emulator.base_url.startswith("http://127.0.0.1:")

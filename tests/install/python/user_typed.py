"""A user's typed code, checked with `mypy --strict` against the installed wheel."""

from __future__ import annotations

import qoder_cloud
from qoder_cloud.testing import Emulator


def newest_agent_name() -> str:
    with Emulator(turn_delay_ms=0) as emulator:
        with emulator.client(max_retries=0) as client:
            agent = client.agents.create(name="typed", model="auto")
            try:
                return client.agents.retrieve(agent.id).name
            except qoder_cloud.NotFoundError:
                return "missing"

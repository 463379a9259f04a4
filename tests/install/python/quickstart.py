"""A user's first run, from an installed wheel: start the bundled emulator, create an agent, an
environment and a session, send a message and stream the turn to its end.

Run by scripts/install_test.sh in a fresh venv that has only what `pip install` brought (no Rust
toolchain on PATH). It is also type-checked there with `mypy --strict`.
"""

from __future__ import annotations

import asyncio

from qoder_cloud.testing import Emulator


async def main() -> None:
    async with Emulator() as emulator:
        async with emulator.async_client() as client:
            agent = await client.agents.create(name="install-test", model="auto")
            env = await client.environments.create(name="install-test")
            session = await client.sessions.create(agent=agent.id, environment_id=env.id)
            sent = await client.sessions.events.send(
                session.id, events=[{"type": "user.message", "content": [{"type": "text", "text": "Hello!"}]}]
            )
            running = False
            async with client.sessions.events.stream(session.id, last_event_id=sent.data[-1].id) as stream:
                async for event in stream:
                    print(event.type)
                    if event.type == "session.status_running":
                        running = True
                    elif event.type == "session.status_idle" and running:
                        print(f"stop: {event.stop_reason.type}")
                        break


if __name__ == "__main__":
    asyncio.run(main())

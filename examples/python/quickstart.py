"""Quickstart (asyncio): create an agent, an environment and a session, send a message, and
print the turn's events live as they stream in (message deltas rendered incrementally).

Reads ``QODER_BASE_URL`` and ``QODER_ACCESS_TOKEN`` from the environment, so it runs against the
local emulator (``qoder-emulator --port 0``) or the real service alike::

    QODER_BASE_URL=http://127.0.0.1:PORT/api/v1/cloud QODER_ACCESS_TOKEN=dev python quickstart.py
"""

from __future__ import annotations

import asyncio
import sys

import qoder_cloud
from qoder_cloud import DeltaAccumulator


async def main() -> None:
    async with qoder_cloud.AsyncClient() as client:
        agent = await client.agents.create(
            name="quickstart-agent", model="auto", system="You are a concise assistant."
        )
        env = await client.environments.create(
            name="quickstart-env", config={"type": "cloud", "networking": {"type": "unrestricted"}}
        )
        session = await client.sessions.create(agent=agent.id, environment_id=env.id)
        print(f"agent {agent.id}  environment {env.id}  session {session.id}")

        prompt = "Hello from the Python quickstart!"
        sent = await client.sessions.events.send(
            session.id, events=[{"type": "user.message", "content": [{"type": "text", "text": prompt}]}]
        )
        print(f"> {prompt}")

        # Stream from our own message on, with message previews, until the agent goes idle.
        acc = DeltaAccumulator()
        shown = 0  # characters of the current message already printed
        in_message = False
        running = False
        async with client.sessions.events.stream(
            session.id, last_event_id=sent.data[-1].id, event_deltas=["agent.message"]
        ) as stream:
            async for event in stream:
                snapshot = acc.push(event)
                if snapshot is not None and snapshot.type == "agent.message":
                    text: str = snapshot.text
                    if not in_message:
                        sys.stdout.write("< ")
                        in_message = True
                    sys.stdout.write(text[shown:])  # only the newly arrived part
                    shown = len(text)
                    if snapshot.is_final:
                        sys.stdout.write("\n")
                        shown, in_message = 0, False
                    sys.stdout.flush()
                    continue
                if event.type in ("event_start", "event_delta"):
                    continue
                print(f"  [{event.type}] {event.id}")
                if event.type == "session.status_running":
                    running = True
                elif event.type == "session.status_idle" and running:
                    break
        print(f"resume cursor: {stream.last_event_id}")


if __name__ == "__main__":
    asyncio.run(main())

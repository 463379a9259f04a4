"""Quickstart (blocking client): the same flow as ``quickstart.py`` without asyncio.

Reads ``QODER_BASE_URL`` and ``QODER_ACCESS_TOKEN`` from the environment.
"""

from __future__ import annotations

import sys

import qoder_cloud


def main() -> None:
    with qoder_cloud.Client() as client:
        agent = client.agents.create(name="quickstart-agent", model="auto", system="You are a concise assistant.")
        env = client.environments.create(name="quickstart-env")
        session = client.sessions.create(agent=agent.id, environment_id=env.id)
        print(f"agent {agent.id}  environment {env.id}  session {session.id}")

        prompt = "Hello from the Python quickstart (sync)!"
        sent = client.sessions.events.send(
            session.id, events=[{"type": "user.message", "content": [{"type": "text", "text": prompt}]}]
        )
        print(f"> {prompt}")

        running = False
        in_message = False
        with client.sessions.events.stream(
            session.id, last_event_id=sent.data[-1].id, event_deltas=["agent.message"]
        ) as stream:
            for event in stream:
                if event.type == "event_start":
                    sys.stdout.write("< ")
                    in_message = True
                elif event.type == "event_delta":
                    sys.stdout.write(event.delta.content.text)  # render the message as it grows
                    sys.stdout.flush()
                elif event.type == "agent.message":
                    if in_message:
                        sys.stdout.write("\n")
                    else:  # no preview arrived: print the whole message
                        print("< " + "".join(block.text for block in event.content if block.type == "text"))
                    in_message = False
                else:
                    print(f"  [{event.type}] {event.id}")
                    if event.type == "session.status_running":
                        running = True
                    elif event.type == "session.status_idle" and running:
                        break


if __name__ == "__main__":
    main()

"""A self-hosted environment worker: the service queues work for sessions in a ``self_hosted``
environment, and this process takes it, keeps its lease alive and honours stop requests.

This example queues one piece of work itself (a message to a session in a new self-hosted
environment), handles it, and shuts down. A real worker runs until Ctrl-C or SIGTERM::

    QODER_BASE_URL=http://127.0.0.1:PORT/api/v1/cloud QODER_ACCESS_TOKEN=dev python worker.py
"""

from __future__ import annotations

import asyncio
import signal

import qoder_cloud
from qoder_cloud import EnvironmentWorker, WorkContext
from qoder_cloud.types import Work


async def main() -> None:
    async with qoder_cloud.AsyncClient() as client:
        env = await client.environments.create(name="my-hosts", config={"type": "self_hosted"})
        agent = await client.agents.create(name="worker-agent", model="auto")
        session = await client.sessions.create(agent=agent.id, environment_id=env.id)
        await client.sessions.events.send(session.id, events=[{"type": "user.message", "content": [{"type": "text", "text": "Run the build."}]}])

        worker: EnvironmentWorker

        async def handle(work: Work, ctx: WorkContext) -> None:
            # A real handler would run the session's tools in this host's sandbox until the work
            # is done or `ctx.stop_requested` turns true.
            print(f"working on {work.id} for session {work.data.id} (state {work.state})")
            await asyncio.sleep(0.05)
            print("done")
            worker.shutdown()  # this example handles one item; a real worker keeps going

        worker = EnvironmentWorker(client, env.id, handle, poll_wait=1.0)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.shutdown)  # graceful: running work gets its grace period
        report = await worker.run()
        print(f"worker stopped: {report}")


if __name__ == "__main__":
    asyncio.run(main())

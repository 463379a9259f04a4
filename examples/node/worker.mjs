// A self-hosted environment worker: the service queues work for sessions in a `self_hosted`
// environment, and this process takes it, keeps its lease alive and honours stop requests.
//
// This example queues one piece of work itself (a message to a session in a new self-hosted
// environment), handles it, and shuts down. A real worker runs until SIGINT / SIGTERM:
//
//   QODER_BASE_URL=http://127.0.0.1:PORT/api/v1/cloud QODER_ACCESS_TOKEN=dev node worker.mjs

import { Client, EnvironmentWorker } from 'qoder-cloud';

const client = new Client();
try {
  const environment = await client.environments.create({ name: 'my-hosts', config: { type: 'self_hosted' } });
  const agent = await client.agents.create({ name: 'worker-agent', model: 'auto' });
  const session = await client.sessions.create({ agent: agent.id, environment_id: environment.id });
  await client.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Run the build.' }] }] });

  const worker = new EnvironmentWorker(
    client,
    environment.id,
    async (work, { signal }) => {
      // A real handler would run the session's tools on this host until done or `signal` aborts.
      console.log(`working on ${work.id} for session ${work.data.id} (state ${work.state})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      signal.throwIfAborted();
      console.log('done');
      worker.shutdown(); // this example handles one item; a real worker keeps going
    },
    { pollWait: 1000 },
  );
  // Graceful on signals: polling stops, running work gets its grace period.
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => worker.shutdown());
  const report = await worker.run();
  console.log(`worker stopped: ${JSON.stringify(report)}`);
} finally {
  client.close();
}

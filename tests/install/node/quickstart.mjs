// A user's first run, from the installed npm packages: start the bundled emulator, create an
// agent, an environment and a session, send a message and stream the turn to its end.
// Run by scripts/install_test.sh in an empty npm project (no Rust toolchain on PATH).
import { startEmulator } from 'qoder-cloud/testing';

const emulator = await startEmulator();
try {
  const client = emulator.client();
  const agent = await client.agents.create({ name: 'install-test', model: 'auto' });
  const env = await client.environments.create({ name: 'install-test' });
  const session = await client.sessions.create({ agent: agent.id, environment_id: env.id });
  const sent = await client.sessions.events.send(session.id, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: 'Hello!' }] }],
  });
  let running = false;
  for await (const event of client.sessions.events.stream(session.id, { lastEventId: sent.data.at(-1).id })) {
    console.log(event.type);
    if (event.type === 'session.status_running') running = true;
    else if (event.type === 'session.status_idle' && running) {
      console.log(`stop: ${event.stop_reason.type}`);
      break;
    }
  }
  client.close();
} finally {
  await emulator.close();
}

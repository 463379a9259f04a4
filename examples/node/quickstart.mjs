// Quickstart: create an agent, an environment and a session, send a message, and print the
// agent's reply live as it streams (deltas rendered incrementally).
//
//   export QODER_ACCESS_TOKEN=pt-...            # or QODER_PAT
//   export QODER_BASE_URL=http://127.0.0.1:4010/api/v1/cloud   # optional (emulator, staging)
//   npm install && node quickstart.mjs "What does this repository do?"

import { Client, APIError } from 'qoder-cloud';

const client = new Client(); // token and base URL from the environment
const prompt = process.argv[2] ?? 'Say hello in one sentence.';

try {
  const agent = await client.agents.create({
    name: 'quickstart-agent',
    model: 'auto',
    system: 'You are a concise assistant.',
    tools: [{ type: 'agent_toolset_20260401' }],
  });
  const environment = await client.environments.create({
    name: 'quickstart-env',
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
  });
  const session = await client.sessions.create({ agent: agent.id, environment_id: environment.id, title: 'Quickstart' });
  console.log(`session ${session.id} (agent ${agent.id}, environment ${environment.id})`);

  const sent = await client.sessions.events.send(session.id, {
    events: [{ type: 'user.message', content: [{ type: 'text', text: prompt }] }],
  });
  const messageId = sent.data[0].id;
  console.log(`> ${prompt}`);

  // Stream only what follows our message; ask for live text deltas of agent messages.
  const stream = client.sessions.events.stream(session.id, { lastEventId: messageId, eventDeltas: ['agent.message'] });
  let streaming = false; // true while deltas of an agent.message are being printed
  for await (const event of stream) {
    switch (event.type) {
      case 'event_start':
        streaming = true;
        process.stdout.write('< ');
        break;
      case 'event_delta':
        process.stdout.write(event.delta.content.text);
        break;
      case 'agent.message': {
        // The final message replaces the preview; print it only if no deltas were shown.
        const text = event.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
        process.stdout.write(streaming ? '\n' : `< ${text}\n`);
        streaming = false;
        break;
      }
      case 'agent.tool_use':
        console.log(`  [tool] ${event.name} ${JSON.stringify(event.input)}`);
        break;
      case 'session.error':
        console.log(`  [error] ${event.error.type}: ${event.error.message}`);
        break;
      case 'session.status_idle':
        console.log(`[idle: ${event.stop_reason.type}]`);
        break;
      default:
        console.log(`  [${event.type}]`);
    }
    if (event.type === 'session.status_idle' || event.type === 'session.status_terminated') break; // closes the stream
  }
} catch (err) {
  if (err instanceof APIError) {
    console.error(`API error ${err.status ?? ''} ${err.type ?? ''}: ${err.message} (request ${err.requestId})`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
} finally {
  client.close();
}

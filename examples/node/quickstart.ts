// Typed quickstart: the same flow as quickstart.mjs, with the SDK's TypeScript types.
//
//   export QODER_ACCESS_TOKEN=pt-...
//   export QODER_BASE_URL=http://127.0.0.1:4010/api/v1/cloud   # optional
//   npx tsc && node dist/quickstart.js   (or: npx tsx quickstart.ts)

import { Client, APIError, type StreamEvent, type Stream } from 'qoder-cloud';

/** Renders one event; returns true when the turn is over. */
function render(event: StreamEvent, state: { streaming: boolean }): boolean {
  switch (event.type) {
    case 'event_start':
      state.streaming = true;
      process.stdout.write('< ');
      return false;
    case 'event_delta':
      process.stdout.write(event.delta.content.text);
      return false;
    case 'agent.message': {
      const text = event.content.map((b) => (b.type === 'text' && 'text' in b ? b.text : '')).join('');
      process.stdout.write(state.streaming ? '\n' : `< ${text}\n`);
      state.streaming = false;
      return false;
    }
    case 'agent.tool_use':
      console.log(`  [tool] ${event.name} ${JSON.stringify(event.input)}`);
      return false;
    case 'session.status_idle':
      console.log(`[idle: ${event.stop_reason.type}]`);
      return true;
    case 'session.status_terminated':
      return true;
    default:
      console.log(`  [${event.type}]`);
      return false;
  }
}

async function main(): Promise<void> {
  const client = new Client();
  const prompt = process.argv[2] ?? 'Say hello in one sentence.';
  try {
    const agent = await client.agents.create({ name: 'quickstart-agent', model: 'auto', system: 'You are a concise assistant.' });
    const environment = await client.environments.create({ name: 'quickstart-env', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
    const session = await client.sessions.create({ agent: agent.id, environment_id: environment.id });
    console.log(`session ${session.id} (request ${session.requestId ?? '-'})`);

    const sent = await client.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: prompt }] }] });
    const stream: Stream<StreamEvent> = client.sessions.events.stream(session.id, {
      lastEventId: sent.data[0]?.id ?? null,
      eventDeltas: ['agent.message'],
    });
    const state = { streaming: false };
    for await (const event of stream) {
      if (render(event, state)) break;
    }
  } catch (err) {
    if (err instanceof APIError) console.error(`API error ${err.status ?? ''}: ${err.message} (request ${err.requestId ?? '-'})`);
    else throw err;
  } finally {
    client.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

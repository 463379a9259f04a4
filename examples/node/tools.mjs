// Custom tools and tool confirmations, run by the SDK: define a tool, give it to an agent, and
// let `sessions.runTools` answer the agent's calls until the turn ends.
//
// The agent here is the emulator's scripted one: `[[custom_tool ...]]` in a message makes it call
// a custom tool, `[[approve ...]]` makes it ask before running a built-in one. Against the real
// service, write a normal prompt.
//
//   QODER_BASE_URL=http://127.0.0.1:PORT/api/v1/cloud QODER_ACCESS_TOKEN=dev node tools.mjs

import { Client, customTool } from 'qoder-cloud';

const getWeather = customTool({
  name: 'get_weather',
  description: "Today's weather in a city.",
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
});

/** The handler: a real one would call a weather service, honouring `signal`. */
async function weather({ city, unit = 'celsius' }, { signal }) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  signal.throwIfAborted();
  return `${city}: 21 degrees ${unit}, clear sky`;
}

/** Allows read-only shell commands; refuses the rest, telling the agent why. */
function confirm(event) {
  const command = String(event.input.command ?? '');
  return ['ls', 'cat', 'echo'].includes(command.split(' ')[0]) ? true : `refused: ${command} is not read-only`;
}

const client = new Client();
try {
  const agent = await client.agents.create({ name: 'tools-agent', model: 'auto', tools: [getWeather] });
  const environment = await client.environments.create({ name: 'tools-env', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
  const session = await client.sessions.create({ agent: agent.id, environment_id: environment.id });

  const text = 'Weather in Oslo and Rome? [[custom_tool name=get_weather city=Oslo count=2]] [[approve name=bash command=ls]]';
  const result = await client.sessions.runTools(session.id, { text, tools: { get_weather: weather }, confirm });
  for (const reply of result.replies) {
    console.log(`sent ${reply.type}: ${reply.type === 'user.tool_confirmation' ? reply.result : reply.content[0].text}`);
  }
  console.log(`< ${result.text}`);
  console.log(`stop: ${result.stopReason?.type}`);
} finally {
  client.close();
}

// Compile-time checks of index.d.ts (`tsc --strict --noEmit`, run by test/types.test.js).
// Lines marked @ts-expect-error MUST fail to type-check: if a type loosens, tsc reports them.

import {
  Client,
  type Agent,
  type APIResult,
  type Page,
  type SessionEvent,
  type StreamEvent,
  type Stream,
  APIError,
  ConflictError,
  NotFoundError,
  QoderError,
  StreamError,
  APIUserAbortError,
  DeltaAccumulator,
  customTool,
  EnvironmentWorker,
} from 'qoder-cloud';

async function main(): Promise<void> {
  const client = new Client({ accessToken: 'pt-x', baseURL: 'http://127.0.0.1:1/api/v1/cloud', maxRetries: 0, logLevel: 'warn', logger: console });

  // Objects and metadata.
  const agent: APIResult<Agent> = await client.agents.create({ name: 'a', model: 'auto', tools: [{ type: 'agent_toolset_20260401' }] });
  const rid: string | null = agent.requestId;
  const key: string | null = agent.idempotencyKey;
  const version: number = agent.version;
  void rid, key, version;
  // Result types are generated from the core's models, nested shapes included.
  const kind: 'agent' = agent.type;
  void kind;
  // @ts-expect-error a misspelt field of a result
  void agent.verison;
  for (const tool of agent.tools) {
    if (tool.type === 'mcp_toolset') {
      const server: string = tool.mcp_server_name;
      void server;
    }
    // @ts-expect-error a tool's type is a string literal, not a number
    const n: number = tool.type;
    void n;
  }
  const label: string | undefined = agent.metadata['team'];
  void label;
  // @ts-expect-error metadata values are strings
  const notANumber: number | undefined = agent.metadata['team'];
  void notANumber;
  await client.agents.update(agent.id, { version: agent.version, description: 'x' }, { idempotencyKey: 'k', timeout: 1000 });
  await client.agents.archive(agent.id, { signal: AbortSignal.timeout(1000) });
  await client.agents.retrieve(agent.id, { version: 1 });

  // @ts-expect-error ids are strings
  await client.agents.retrieve(5);
  // @ts-expect-error name is required
  await client.agents.create({ model: 'auto' });
  // @ts-expect-error ancestor ids are required
  await client.vaults.credentials.retrieve('vcred_1');
  await client.vaults.credentials.retrieve('vcred_1', { vault_id: 'vault_1' });
  // @ts-expect-error unknown option type
  await client.agents.list({ limit: 'ten' });
  // The argument types are generated from the core's request types: `ids`, not `i_ds`.
  await client.files.list({ ids: ['file_1'] });
  // @ts-expect-error not a session status
  await client.sessions.list({ statuses: ['sleeping'] });
  // @ts-expect-error an optional field of a nested request shape is left out, not null
  await client.environments.create({ name: 'e', config: { type: 'cloud', setup_script: null } });
  // @ts-expect-error a user.message needs content
  await client.sessions.events.send('sesn_1', { events: [{ type: 'user.message' }] });

  // Lists: first page, and every item.
  const page: Page<Agent> = await client.agents.list({ limit: 10, include_archived: true });
  const more: boolean = page.hasMore && page.has_more;
  void more;
  const next: Page<Agent> | null = await page.nextPage();
  void next;
  for await (const a of client.agents.list()) {
    const n: string = a.name;
    void n;
  }
  for await (const p of page.iterPages()) void p.data.length;
  const models = await client.models.list();
  void models.data.map((m) => m.display_name);
  const mem = await client.memoryStores.memoryVersions.list('memstore_1', { view: 'full' });
  void mem.data;

  // Sessions and events.
  const env = await client.environments.create({ name: 'e', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
  const session = await client.sessions.create({ agent: agent.id, environment_id: env.id, title: 't' });
  const sent = await client.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }] });
  const first: SessionEvent | undefined = sent.data[0];
  void first;
  const events = await client.sessions.events.list(session.id, { limit: 5, order: 'asc' });
  void events.data;
  const poll = await client.environments.work.poll(env.id, { block_ms: 10 });
  if (poll !== null) void poll.state;

  // Streams: a union discriminated on `type`, with an unknown arm.
  const controller = new AbortController();
  const stream: Stream<StreamEvent> = client.sessions.events.stream(session.id, { eventDeltas: ['agent.message'], signal: controller.signal });
  for await (const ev of stream) {
    switch (ev.type) {
      case 'event_delta':
        process.stdout.write(ev.delta.content.text);
        break;
      case 'agent.message':
        for (const block of ev.content) if (block.type === 'text') void block.text;
        break;
      case 'session.status_idle':
        if (ev.stop_reason.type === 'requires_action') void ev.stop_reason.event_ids;
        break;
      default: {
        const t: string = ev.type;
        void t;
      }
    }
    if (ev.type === 'agent.tool_use') {
      const input: Record<string, unknown> = ev.input;
      void input;
      // @ts-expect-error a misspelt field of a known event type
      void ev.nmae;
    }
    if (ev.type === 'session.status_idle') {
      // @ts-expect-error a stop reason's type is a string literal, not a number
      const n: number = ev.stop_reason.type;
      void n;
    }
    if (ev.type === 'agent.message') {
      // @ts-expect-error agent.message has no stop_reason
      void ev.stop_reason;
    }
  }
  const batch: StreamEvent[] = await stream.nextBatch(64);
  void batch;
  const last: string | null = stream.lastEventId;
  void last;
  stream.close();
  // @ts-expect-error eventDeltas only takes the two preview kinds
  client.sessions.events.stream(session.id, { eventDeltas: ['agent.tool_use'] });
  const thread = client.sessions.threads.events.stream('sthr_1', { session_id: session.id, lastEventId: 'evt_1' });
  thread.close();

  // Errors.
  try {
    await client.sessions.retrieve('sess_missing');
  } catch (e) {
    if (e instanceof NotFoundError) {
      const s: number | undefined = e.status;
      void s;
    } else if (e instanceof ConflictError || e instanceof APIError) {
      void e.requestId;
    } else if (e instanceof StreamError || e instanceof APIUserAbortError) {
      void e.isStreamError;
    } else if (e instanceof QoderError) {
      void e.kind;
    }
  }

  // Uploads, downloads, the turn helper and the accumulator.
  const file = await client.files.upload({ file: Buffer.from('hi'), filename: 'hi.txt', metadata: { k: 'v' } });
  const body: Buffer = await (await client.files.download(file.id)).buffer();
  void body;
  for await (const chunk of await client.files.download(file.id)) void chunk.length;
  const skill = await client.skills.create({ directory: './my-skill', display_title: 'Mine' });
  await client.skills.versions.create(skill.id, { files: [{ path: 'my-skill/SKILL.md', content: '---\nname: x\n---\n' }] });
  const zip = await client.skills.versions.download('1', { skill_id: skill.id });
  await zip.save('/tmp/skill.zip');
  // @ts-expect-error a skill needs a directory or files
  await client.skills.create({ display_title: 'nothing' });
  const turn = await client.sessions.runTurn(session.id, 'hi', { eventDeltas: true, onEvent: (e) => void e.type });
  const stop: string | undefined = turn.stopReason?.type;
  void stop, turn.text;
  const def = customTool({ name: 'get_weather', description: 'Weather.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } });
  const defName: string = def.name;
  void defName;
  const ran = await client.sessions.runTools(session.id, {
    text: 'weather?',
    tools: { get_weather: async (input: { city: string }, { signal }) => (signal.aborted ? 'no' : input.city) },
    confirm: (ev) => ev.name === 'bash',
  });
  const pendingTypes: string[] | undefined = ran.pending?.map((p) => p.type);
  void pendingTypes;
  // @ts-expect-error a confirmation answer is a boolean, a deny message or null
  await client.sessions.runTools(session.id, { confirm: () => 42 });
  // @ts-expect-error a schema must be of type object
  customTool({ name: 'x', description: 'd', inputSchema: { type: 'string' } });
  const worker = new EnvironmentWorker(client, 'env_1', async (work, { signal }) => {
    const sessionId: string | undefined = work.data?.id;
    void sessionId, signal.aborted;
  }, { pollWait: 1000, maxConcurrency: 2 });
  const report = await worker.run();
  const done: number = report.completed + report.failed + report.stopped;
  void done;
  worker.shutdown();
  const acc = new DeltaAccumulator();
  const snap = acc.push(batch[0]!);
  if (snap !== null) void snap.text;
  client.close();
}

void main;

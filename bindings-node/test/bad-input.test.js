'use strict';
// Bad-input matrix: every case must be rejected client-side with a typed error
// (InvalidArgumentError, or TypeError for wrong JS types) whose `param` names the argument, and
// must send NO request (the emulator's requests_total is unchanged). Every case is recorded as
// one JSON line in <workspace>/target/reliability/node-bad-input.jsonl for RELIABILITY.md.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Q = require('..');
const { startEmulator } = require('./helpers/emulator');
const { clientFor } = require('./helpers/fixtures');
const { outcome, reliabilityDir } = require('./helpers/reliability');

let emu;
let client;
let small;
let cn;
const rows = [];
before(async () => {
  emu = await startEmulator();
  client = clientFor(emu);
  small = clientFor(emu, { maxBodyBytes: 1024 });
  cn = clientFor(emu, { region: 'cn' }); // 4 MiB body limit; baseURL still points at the emulator
});
after(async () => {
  client.close();
  small.close();
  cn.close();
  await emu.stop();
  const file = path.join(reliabilityDir(), 'node-bad-input.jsonl');
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
});

const SESSION = 'sess_00000000000000000000000000000000';
const msg = (text) => ({ events: [{ type: 'user.message', content: [{ type: 'text', text }] }] });
const MiB = 1024 * 1024;

/**
 * [case, operation, call, param] — `param` is the argument the error must name (an array: any
 * of them; a nested path below it, like `metadata.k`, also names it).
 */
const CASES = [
  // Ids
  ['empty id', 'agents.retrieve', () => client.agents.retrieve(''), 'agent_id'],
  ['whitespace id', 'sessions.retrieve', () => client.sessions.retrieve('   '), 'session_id'],
  ['tab id', 'environments.retrieve', () => client.environments.retrieve('\t'), 'environment_id'],
  ['id with /', 'files.retrieve', () => client.files.retrieve('a/b'), 'file_id'],
  ['id with ..', 'vaults.retrieve', () => client.vaults.retrieve('..'), 'vault_id'],
  ['id with ?', 'skills.retrieve', () => client.skills.retrieve('a?x=1'), 'skill_id'],
  ['id with #', 'dreams.retrieve', () => client.dreams.retrieve('a#b'), 'dream_id'],
  ['id with CR/LF', 'agents.retrieve', () => client.agents.retrieve('a\r\nX-Injected: 1'), 'agent_id'],
  ['id with NUL', 'agents.retrieve', () => client.agents.retrieve('a\u0000b'), 'agent_id'],
  ['ancestor id with /', 'vaults.credentials.retrieve', () => client.vaults.credentials.retrieve('vcred_1', { vault_id: 'a/b' }), 'vault_id'],
  ['ancestor id with ..', 'memory_stores.memories.retrieve', () => client.memoryStores.memories.retrieve('mem_1', { memory_store_id: '..' }), 'memory_store_id'],
  ['stream id with /', 'sessions.events.stream', () => client.sessions.events.stream('a/b'), 'session_id'],
  ['thread stream ancestor id with #', 'sessions.threads.events.stream', () => client.sessions.threads.events.stream('sthr_1', { session_id: 'a#b' }), 'session_id'],
  ['download id with ..', 'files.download', () => client.files.download('..'), 'file_id'],
  ['skill download ancestor with ?', 'skills.versions.download', () => client.skills.versions.download('1', { skill_id: 'a?b' }), 'skill_id'],
  ['upload target id with /', 'skills.versions.create', () => client.skills.versions.create('a/b', { files: [{ path: 's/SKILL.md', content: 'x' }] }), 'skill_id'],
  ['runTurn id with /', 'sessions.runTurn', () => client.sessions.runTurn('a/b', 'hi'), 'session_id'],
  ['runTurn blank id', 'sessions.runTurn', () => client.sessions.runTurn(' ', 'hi'), 'session_id'],
  ['header injection via argument', 'environments.work.poll', () => client.environments.work.poll('env_1', { worker_id: 'w\r\nx: y' }), 'worker_id'],

  // Lone surrogates (a JS string that is not valid Unicode) where a string is expected
  ['lone surrogate in a body string', 'agents.create', () => client.agents.create({ name: 'a\ud800', model: 'auto' }), 'name'],
  ['lone surrogate in an id', 'agents.retrieve', () => client.agents.retrieve('agent_\udc00'), 'agent_id'],
  ['lone surrogate in event text', 'sessions.events.send', () => client.sessions.events.send(SESSION, msg('a\ud800b')), 'events'],
  ['lone surrogate in a metadata value', 'vaults.create', () => client.vaults.create({ display_name: 'v', metadata: { k: '\udfff' } }), 'metadata'],
  ['lone surrogate in an upload filename', 'files.upload', () => client.files.upload({ file: Buffer.from('x'), filename: 'a\ud800.txt' }), 'filename'],
  ['lone surrogate in a skill file path', 'skills.create', () => client.skills.create({ files: [{ path: 's\ud800/SKILL.md', content: '---\nname: s\n---\n' }] }), 'files'],
  ['lone surrogate in runTurn text', 'sessions.runTurn', () => client.sessions.runTurn(SESSION, 'x\ud800'), 'text'],
  ['lone surrogate in a stream lastEventId', 'sessions.events.stream', () => client.sessions.events.stream(SESSION, { lastEventId: 'evt_\ud800' }), ['lastEventId', 'last_event_id']],

  // Bodies over the limit (explicit small limit, the cn region's 4 MiB, the global 32 MiB)
  ['JSON body over maxBodyBytes', 'agents.create', () => small.agents.create({ name: 'x', model: 'auto', system: 's'.repeat(4096) }), 'body'],
  ['event body over maxBodyBytes', 'sessions.events.send', () => small.sessions.events.send(SESSION, msg('x'.repeat(4096))), 'body'],
  ['runTurn body over maxBodyBytes', 'sessions.runTurn', () => small.sessions.runTurn(SESSION, 'x'.repeat(4096)), 'body'],
  ['upload over maxBodyBytes', 'files.upload', () => small.files.upload({ file: Buffer.alloc(4096), filename: 'big.bin' }), 'body'],
  ['skill upload over maxBodyBytes', 'skills.create', () => small.skills.create({ files: [{ path: 's/SKILL.md', content: `---\nname: s\n---\n${'x'.repeat(4096)}` }] }), 'body'],
  ['upload over the cn region limit (4 MiB)', 'files.upload', () => cn.files.upload({ file: Buffer.alloc(5 * MiB), filename: 'big.bin' }), 'body'],
  ['event body over the cn region limit (4 MiB)', 'sessions.events.send', () => cn.sessions.events.send(SESSION, msg('x'.repeat(5 * MiB))), 'body'],
  ['upload over the global region limit (32 MiB)', 'files.upload', () => client.files.upload({ file: Buffer.alloc(33 * MiB), filename: 'big.bin' }), 'body'],
  ['string over its length limit', 'agents.create', () => client.agents.create({ name: 'n'.repeat(257), model: 'auto' }), 'name'],

  // Wrong types
  ['number for a string field', 'agents.create', () => client.agents.create({ name: 42, model: 'auto' }), 'name'],
  ['number for an id', 'agents.retrieve', () => client.agents.retrieve(42), 'agent_id'],
  ['number for an ancestor id', 'vaults.credentials.retrieve', () => client.vaults.credentials.retrieve('vcred_1', { vault_id: 7 }), 'vault_id'],
  ['number for runTurn text', 'sessions.runTurn', () => client.sessions.runTurn(SESSION, 5), 'text'],
  ['string for an integer', 'agents.list', () => client.agents.list({ limit: '10' }), 'limit'],
  ['string for a boolean', 'agents.list', () => client.agents.list({ include_archived: 'yes' }), 'include_archived'],
  ['undefined for a required field', 'agents.create', () => client.agents.create({ name: 'x', model: undefined }), 'model'],
  ['missing required field', 'agents.create', () => client.agents.create({ name: 'x' }), 'model'],
  ['undefined id', 'agents.retrieve', () => client.agents.retrieve(undefined), 'agent_id'],
  ['null for a required field', 'vaults.create', () => client.vaults.create({ display_name: null }), 'display_name'],
  ['null id', 'agents.retrieve', () => client.agents.retrieve(null), 'agent_id'],
  ['null ancestor id', 'vaults.credentials.retrieve', () => client.vaults.credentials.retrieve('vcred_1', { vault_id: null }), 'vault_id'],
  ['null upload file', 'files.upload', () => client.files.upload({ file: null }), 'file'],
  ['array for an object field', 'environments.create', () => client.environments.create({ name: 'e', config: [] }), 'config'],
  ['array for metadata', 'agents.create', () => client.agents.create({ name: 'x', model: 'auto', metadata: ['a'] }), 'metadata'],
  ['array for params', 'agents.create', () => client.agents.create([]), 'params'],
  ['object for a list', 'sessions.events.send', () => client.sessions.events.send(SESSION, { events: {} }), 'events'],
  ['empty events', 'sessions.events.send', () => client.sessions.events.send(SESSION, { events: [] }), 'events'],
  ['non-string metadata value', 'vaults.create', () => client.vaults.create({ display_name: 'v', metadata: { k: 1 } }), 'metadata'],
  ['number for an enum', 'sessions.events.list', () => client.sessions.events.list(SESSION, { order: 5 }), 'order'],
  ['limit 0', 'agents.list', () => client.agents.list({ limit: 0 }), 'limit'],
  ['limit 101', 'sessions.list', () => client.sessions.list({ limit: 101 }), 'limit'],
  ['two cursors', 'agents.list', () => client.agents.list({ page: 'a', after_id: 'b' }), 'after_id'],
  ['unknown argument', 'models.list', () => client.models.list({ bogus: true }), 'bogus'],

  // Invalid enums
  ['invalid order', 'sessions.list', () => client.sessions.list({ order: 'sideways' }), 'order'],
  ['invalid status in a list', 'sessions.list', () => client.sessions.list({ statuses: ['idle', 'sleeping'] }), 'statuses'],
  ['invalid status as a bare string', 'sessions.list', () => client.sessions.list({ statuses: 'sleeping' }), 'statuses'],
  ['invalid dream status', 'dreams.list', () => client.dreams.list({ statuses: ['zzz'] }), 'statuses'],
  ['invalid deployment status', 'deployments.list', () => client.deployments.list({ status: 'sleeping' }), 'status'],
  ['invalid scope', 'environments.create', () => client.environments.create({ name: 'e', scope: 'galaxy' }), 'scope'],
  ['invalid view', 'memory_stores.memories.list', () => client.memoryStores.memories.list('memstore_1', { view: 'huge' }), 'view'],
  ['invalid eventDeltas kind', 'sessions.events.stream', () => client.sessions.events.stream(SESSION, { eventDeltas: ['agent.nope'] }), ['event_deltas', 'eventDeltas']],
  ['eventDeltas kind without preview support', 'sessions.events.stream', () => client.sessions.events.stream(SESSION, { eventDeltas: ['agent.tool_use'] }), ['event_deltas', 'eventDeltas']],
  ['eventDeltas as a number', 'sessions.events.stream', () => client.sessions.events.stream(SESSION, { eventDeltas: 5 }), ['eventDeltas', 'event_deltas']],
  ['invalid thread stream eventDeltas', 'sessions.threads.events.stream', () => client.sessions.threads.events.stream('sthr_1', { session_id: SESSION, eventDeltas: ['x'] }), ['event_deltas', 'eventDeltas']],
  ['runTurn eventDeltas as a list', 'sessions.runTurn', () => client.sessions.runTurn(SESSION, 'hi', { eventDeltas: ['agent.message'] }), 'eventDeltas'],
];

function names(param) {
  return Array.isArray(param) ? param : [param];
}

function namesArgument(got, want) {
  if (typeof got !== 'string') return false;
  return names(want).some((w) => got === w || got.startsWith(`${w}.`) || got.startsWith(`${w}[`));
}

for (const [name, operation, call, param] of CASES) {
  test(`bad input: ${name} (${operation}) is rejected before any request, naming \`${names(param)[0]}\``, async () => {
    const before = (await emu.stats()).requests_total;
    const r = await outcome(call);
    const sent = (await emu.stats()).requests_total - before;
    const e = r.error;
    rows.push({
      language: 'node',
      case: name,
      operation,
      error: e ? e.constructor.name : 'none (call succeeded)',
      param: e ? (e.param ?? null) : null,
      message: e ? e.message : null,
      ...(sent > 0 ? { requests_sent: sent } : {}),
    });
    assert.ok(e !== undefined, `the call was not rejected (a request was ${sent > 0 ? '' : 'not '}sent)`);
    assert.ok(e instanceof Q.InvalidArgumentError || e instanceof TypeError, `expected InvalidArgumentError or TypeError, got ${e.constructor.name}: ${e.message}`);
    if (e instanceof Q.InvalidArgumentError) assert.equal(e.kind, 'invalid_argument');
    assert.ok(namesArgument(e.param, param), `param ${JSON.stringify(e.param)} does not name ${JSON.stringify(param)} (${e.message})`);
    assert.equal(sent, 0, `${sent} request(s) reached the server`);
  });
}

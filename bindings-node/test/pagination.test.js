'use strict';
// Pages, auto-paging and cursor handling (the next page's arguments come from the core).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Page, PagePromise, APIUserAbortError } = require('..');
const { startEmulator, uniq } = require('./helpers/emulator');
const { clientFor, newSession, say, readUntil } = require('./helpers/fixtures');

let emu;
let client;
const created = [];
before(async () => {
  emu = await startEmulator();
  client = clientFor(emu);
  for (let i = 0; i < 7; i++) created.push((await client.agents.create({ name: uniq('page'), model: 'auto' })).id);
});
after(async () => {
  client.close();
  await emu.stop();
});

test('awaiting a list gives the first page with data, hasMore and nextPage()', async () => {
  const pp = client.agents.list({ limit: 3 });
  assert.ok(pp instanceof PagePromise);
  const page = await pp;
  assert.ok(page instanceof Page);
  assert.equal(page.data.length, 3);
  assert.equal(page.hasMore, true);
  assert.equal(page.has_more, true);
  assert.equal(typeof page.next_page, 'string');
  assert.equal(typeof page.requestId, 'string');
  assert.ok(page.hasNextPage());
  const second = await page.nextPage();
  assert.equal(second.data.length, 3);
  const third = await second.nextPage();
  assert.equal(third.data.length, 1);
  assert.equal(third.hasMore, false);
  assert.equal(third.hasNextPage(), false);
  assert.equal(await third.nextPage(), null);
  await assert.rejects(third.getNextPage());
  const ids = [...page.data, ...second.data, ...third.data].map((a) => a.id);
  assert.deepEqual([...ids].sort(), [...created].sort());
  assert.equal(new Set(ids).size, 7, 'no duplicates across pages');
});

test('for await walks every item of every page, fetching pages lazily', async () => {
  const before = (await emu.stats()).requests['GET /agents'] || 0;
  const ids = [];
  for await (const agent of client.agents.list({ limit: 2 })) ids.push(agent.id);
  assert.deepEqual([...ids].sort(), [...created].sort());
  const after1 = (await emu.stats()).requests['GET /agents'];
  assert.equal(after1 - before, 4, '7 items at 2 per page = 4 requests');

  // Breaking early fetches no further pages.
  let n = 0;
  for await (const agent of client.agents.list({ limit: 2 })) {
    assert.ok(agent.id);
    if (++n === 3) break;
  }
  assert.equal((await emu.stats()).requests['GET /agents'] - after1, 2);
});

test('iterPages yields each page; iterating a page continues into the following pages', async () => {
  const first = await client.agents.list({ limit: 3 });
  const sizes = [];
  for await (const p of first.iterPages()) sizes.push(p.data.length);
  assert.deepEqual(sizes, [3, 3, 1]);
  const ids = [];
  for await (const a of first) ids.push(a.id);
  assert.equal(ids.length, 7);
});

test('filters are re-sent on every page', async () => {
  const { agent, env } = await newSession(client);
  for (let i = 0; i < 4; i++) await client.sessions.create({ agent: agent.id, environment_id: env.id });
  await newSession(client); // another agent's session: must not appear
  const seen = [];
  for await (const s of client.sessions.list({ agent_id: agent.id, limit: 2 })) {
    assert.equal(s.agent.id, agent.id);
    seen.push(s.id);
  }
  assert.equal(seen.length, 5);
});

test('event lists page with the core cursor rules (after_id compatibility cursor too)', async () => {
  const { session } = await newSession(client);
  const msg = await say(client, session.id, 'page the events');
  await readUntil(client.sessions.events.stream(session.id, { lastEventId: msg.id }), (e) => e.type === 'session.status_idle');
  const all = (await client.sessions.events.list(session.id, { limit: 100 })).data.map((e) => e.id);
  const walked = [];
  for await (const e of client.sessions.events.list(session.id, { limit: 2 })) walked.push(e.id);
  assert.deepEqual(walked, all);
  const fromCursor = [];
  for await (const e of client.sessions.events.list(session.id, { after_id: all[1], limit: 2 })) fromCursor.push(e.id);
  assert.deepEqual(fromCursor, all.slice(2));
});

test('models list uses the after_id cursor style', async () => {
  const page = await client.models.list({ limit: 1 });
  const all = [];
  for await (const m of client.models.list({ limit: 1 })) all.push(m.id);
  assert.equal(all[0], page.data[0].id);
  assert.equal(new Set(all).size, all.length);
});

test('a list that is never used sends nothing; an aborted list rejects', async () => {
  const before = (await emu.stats()).requests_total;
  client.agents.list(); // never awaited: no request, no unhandled rejection
  await client.agents.retrieve('agent_00000000000000000000000000000000').catch(() => {});
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(client.agents.list({}, { signal: controller.signal }), APIUserAbortError);
  await assert.rejects(async () => {
    for await (const a of client.agents.list({ limit: 2 }, { signal: controller.signal })) assert.fail(`unexpected ${a.id}`);
  }, APIUserAbortError);
  assert.equal((await emu.stats()).requests_total - before, 1, 'only the retrieve was sent');
});

'use strict';
// Uploads and downloads (files, skills: one native core call each), vaults and credentials, and
// memory stores. Skipped (with a reason) against an emulator build that does not serve a family.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Q = require('..');
const { startEmulator, uniq } = require('./helpers/emulator');
const { clientFor, newSession } = require('./helpers/fixtures');

let emu;
let client;
let dir;
before(async () => {
  emu = await startEmulator();
  client = clientFor(emu);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qoder-files-'));
});
after(async () => {
  client.close();
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});


test('files: upload from a path, bytes and a Blob; retrieve, list, download, delete', async (t) => {
  const content = crypto.randomBytes(300 * 1024);
  const p = path.join(dir, 'data.bin');
  fs.writeFileSync(p, content);

  const fromPath = await client.files.upload({ file: p, metadata: { kind: 'path' } });
  assert.match(fromPath.id, /^file_/);
  assert.equal(fromPath.filename, 'data.bin');
  assert.equal(fromPath.size_bytes, content.length);
  assert.deepEqual(fromPath.metadata, { kind: 'path' });
  assert.equal(typeof fromPath.requestId, 'string');

  const fromBytes = await client.files.upload({ file: Buffer.from('hello bytes'), filename: 'hello.txt' });
  assert.equal(fromBytes.filename, 'hello.txt');
  assert.equal(fromBytes.size_bytes, 11);
  const fromBlob = await client.files.upload({ file: new Blob(['blob text']), filename: 'blob.txt' });
  assert.equal(fromBlob.size_bytes, 9);
  const fromStream = await client.files.upload({ file: fs.createReadStream(p) });
  assert.equal(fromStream.size_bytes, content.length);

  assert.equal((await client.files.retrieve(fromPath.id)).id, fromPath.id);
  const ids = [];
  for await (const f of client.files.list()) ids.push(f.id);
  for (const f of [fromPath, fromBytes, fromBlob, fromStream]) assert.ok(ids.includes(f.id));

  // Download: whole, to a file, and in chunks.
  const d1 = await client.files.download(fromPath.id);
  assert.ok(d1 instanceof Q.BinaryResponse);
  assert.equal(d1.contentLength, content.length);
  assert.ok((await d1.buffer()).equals(content));
  await assert.rejects(d1.buffer(), /already consumed/, 'a body is read once');
  const target = path.join(dir, 'out.bin');
  const n = await (await client.files.download(fromPath.id)).save(target);
  assert.equal(n, content.length);
  assert.ok(fs.readFileSync(target).equals(content));
  const chunks = [];
  for await (const c of await client.files.download(fromPath.id)) chunks.push(c);
  assert.ok(Buffer.concat(chunks).equals(content));
  assert.equal(await (await client.files.download(fromBytes.id)).text(), 'hello bytes');

  const del = await client.files.delete(fromBytes.id);
  assert.equal(del.type, 'file_deleted');
  await assert.rejects(client.files.download(fromBytes.id), Q.NotFoundError);
});

test('files: upload retries re-send the whole body; download errors carry the envelope code', async (t) => {
  const retrying = clientFor(emu, { maxRetries: 2 });
  try {
    const content = crypto.randomBytes(64 * 1024);
    const p = path.join(dir, 'retry.bin');
    fs.writeFileSync(p, content);
    const f = await retrying.files.upload({ file: p }, { headers: { 'x-emulator-fault': `status=503;count=1;retry-after-ms=1;id=${uniq('u')}` } });
    assert.ok((await (await retrying.files.download(f.id)).buffer()).equals(content));
  } finally {
    retrying.close();
  }
  const notReady = await client.files.upload({ file: Buffer.from('x'), filename: 'x.txt', metadata: { 'emulator.status': 'processing' } });
  await assert.rejects(client.files.download(notReady.id), (e) => e instanceof Q.ConflictError && e.code === 'file_not_ready');
  const hidden = await client.files.upload({ file: Buffer.from('x'), filename: 'x.txt', metadata: { 'emulator.downloadable': 'false' } });
  await assert.rejects(client.files.download(hidden.id), (e) => e instanceof Q.PermissionDeniedError && e.code === 'file_not_downloadable');
  assert.throws(() => client.files.upload({}), (e) => e instanceof TypeError && e.param === 'file');
  assert.throws(() => client.files.upload({ file: 42 }), TypeError);
  await assert.rejects(client.files.upload({ file: path.join(dir, 'missing.bin') }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'file');
});

test('files can be mounted as session resources', async (t) => {
  const { session } = await newSession(client);
  const f = await client.files.upload({ file: Buffer.from('mounted'), filename: 'm.txt' });
  const r = await client.sessions.resources.add(session.id, { type: 'file', file_id: f.id });
  assert.equal(r.file_id, f.id);
  const got = await client.sessions.resources.retrieve(r.id, { session_id: session.id });
  assert.equal(got.id, r.id);
  const list = await client.sessions.resources.list(session.id);
  assert.ok(list.data.some((x) => x.id === r.id));
  const del = await client.sessions.resources.delete(r.id, { session_id: session.id });
  assert.equal(del.id, r.id);
});

test('skills: create from a directory and from files, new versions, download the zip', async (t) => {
  const skillDir = path.join(dir, 'my-skill');
  fs.mkdirSync(path.join(skillDir, 'scripts'), { recursive: true });
  fs.writeFileSync(path.join(skillDir, 'SKILL.md'), '---\nname: my-skill\ndescription: Does things.\n---\n# My skill\n');
  fs.writeFileSync(path.join(skillDir, 'scripts', 'run.sh'), 'echo hi\n');
  const skill = await client.skills.create({ directory: skillDir, display_title: 'My Skill' });
  assert.match(skill.id, /^skill_/);
  assert.equal(skill.display_title, 'My Skill');

  const v2 = await client.skills.versions.create(skill.id, {
    files: [
      { path: 'my-skill/SKILL.md', content: '---\nname: my-skill\ndescription: Better.\n---\n' },
      { path: 'my-skill/data.bin', content: new Uint8Array([1, 2, 3]) },
    ],
  });
  assert.equal(v2.skill_id, skill.id);
  const versions = await client.skills.versions.list(skill.id);
  assert.equal(versions.data.length, 2);
  const zip = await client.skills.versions.download(v2.version, { skill_id: skill.id });
  const bytes = await zip.buffer();
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip archive');
  assert.equal((await client.skills.versions.retrieve(v2.version, { skill_id: skill.id })).version, v2.version);
  assert.throws(() => client.skills.create({ display_title: 'x' }), TypeError);
  await assert.rejects(client.skills.create({ directory: path.join(dir, 'nope') }), Q.InvalidArgumentError);
  assert.equal((await client.skills.delete(skill.id)).type, 'skill_deleted');
});

test('vaults and credentials: secrets are write-only; credential updates are never retried', async (t) => {
  const secret = 'ghp_SECRET_value_123456';
  const vault = await client.vaults.create({ display_name: uniq('vault') });
  assert.match(vault.id, /^vault_/);
  const cred = await client.vaults.credentials.create(vault.id, { display_name: 'gh', auth: { type: 'static_bearer', token: secret, mcp_server_url: 'https://mcp.example.com/sse' } });
  assert.equal(cred.vault_id, vault.id);
  assert.ok(!JSON.stringify(cred).includes(secret), 'the secret is never returned');
  const got = await client.vaults.credentials.retrieve(cred.id, { vault_id: vault.id });
  assert.equal(got.id, cred.id);
  const retrying = clientFor(emu, { maxRetries: 3 });
  try {
    const before = (await emu.stats()).faults_injected;
    await assert.rejects(
      retrying.vaults.credentials.update(cred.id, { vault_id: vault.id, auth: { type: 'static_bearer', token: 'new' } }, { headers: { 'x-emulator-fault': `status=503;count=3;retry-after-ms=1;id=${uniq('c')}` } }),
      Q.InternalServerError,
    );
    assert.equal((await emu.stats()).faults_injected - before, 1, 'no retry');
  } finally {
    retrying.close();
  }
  const all = [];
  for await (const c of client.vaults.credentials.list(vault.id)) all.push(c.id);
  assert.deepEqual(all, [cred.id]);
  assert.equal((await client.vaults.credentials.delete(cred.id, { vault_id: vault.id })).type, 'vault_credential_deleted');
  assert.ok((await client.vaults.archive(vault.id)).archived_at);
});

test('memory stores: memories with a content-hash precondition, versions, redaction', async (t) => {
  const store = await client.memoryStores.create({ name: uniq('mem') });
  const mem = await client.memoryStores.memories.create(store.id, { path: '/notes/a.md', content: 'first' });
  assert.equal(mem.path, '/notes/a.md');
  const sha = crypto.createHash('sha256').update('first').digest('hex');
  const upd = await client.memoryStores.memories.update(mem.id, { memory_store_id: store.id, content: 'second', precondition: { type: 'content_sha256', content_sha256: sha } });
  assert.equal((await client.memoryStores.memories.retrieve(upd.id, { memory_store_id: store.id })).content, 'second');
  await assert.rejects(client.memoryStores.memories.update(mem.id, { memory_store_id: store.id, content: 'third', content_sha256: sha }), Q.ConflictError);
  const versions = await client.memoryStores.memoryVersions.list(store.id, { memory_id: mem.id });
  assert.ok(versions.data.length >= 2);
  const red = await client.memoryStores.memoryVersions.redact(versions.data[versions.data.length - 1].id, { memory_store_id: store.id });
  assert.ok(red.redacted_at);
  const listed = await client.memoryStores.memories.list(store.id, { path_prefix: '/notes' });
  assert.ok(listed.data.length >= 1);
});

test('skills from a zip, and the memory precondition helper', async () => {
  const zip = fs.readFileSync(path.join(__dirname, 'fixtures', 'notes-skill.zip'));
  const skill = await client.skills.create({ zip: { path: 'notes.zip', data: zip } });
  const versions = await client.skills.versions.list(skill.id);
  assert.equal(versions.data[0].name, 'notes');
  await assert.rejects(client.skills.create({ zip: { path: 'notes.tar', data: Buffer.from('nope') } }), (e) => e instanceof Q.InvalidArgumentError && e.param === 'zip');

  const store = await client.memoryStores.create({ name: uniq('m') });
  const mem = await client.memoryStores.memories.create(store.id, { path: '/a.md', content: 'first' });
  assert.equal(mem.content_sha256, Q.contentSha256('first'));
  await client.memoryStores.memories.update(mem.id, { memory_store_id: store.id, content: 'second', content_sha256: Q.contentSha256('first') });
  await assert.rejects(
    client.memoryStores.memories.update(mem.id, { memory_store_id: store.id, content: 'third', content_sha256: Q.contentSha256('first') }),
    (e) => e instanceof Q.ConflictError,
  );
});

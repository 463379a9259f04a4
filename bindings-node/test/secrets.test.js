'use strict';
// Secrets: the access token and vault credential secrets never appear in util.inspect /
// JSON.stringify of the client, results or errors (a failed request, retries exhausted, a 401),
// nor in logger output at the most verbose level; file downloads never carry credentials to the
// storage URL.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Q = require('..');
const { startEmulator, waitFor, uniq } = require('./helpers/emulator');
const { fault } = require('./helpers/reliability');

const TOKEN = 'pt-super-secret-token-4242-node';
const WRONG_TOKEN = 'pt-wrong-token-1111-node';
const ENV_SECRET = 'env-secret-value-9876-node';
const ENV_SECRET_ROTATED = 'env-secret-rotated-5555-node';
const ACCESS_TOKEN = 'mcp-access-token-7777-node';
const REFRESH_TOKEN = 'mcp-refresh-token-8888-node';
const CLIENT_SECRET = 'mcp-client-secret-9999-node';
const BEARER_SECRET = 'static-bearer-secret-3333-node';
const SECRETS = [TOKEN, WRONG_TOKEN, ENV_SECRET, ENV_SECRET_ROTATED, ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, BEARER_SECRET];

let emu;
before(async () => {
  emu = await startEmulator(['--token', TOKEN]);
});
after(async () => {
  await emu.stop();
});

/** Every rendering a user (or a crash reporter) might produce of `value`. */
function renderings(value) {
  const out = [
    util.inspect(value, { showHidden: true, depth: Infinity, getters: true }),
    util.inspect(value),
    util.format('%o %O %s', value, value, value),
  ];
  try {
    out.push(JSON.stringify(value));
  } catch (e) {
    out.push(`JSON.stringify threw: ${e.message}`);
  }
  if (value instanceof Error) {
    out.push(String(value), value.message, value.stack || '', JSON.stringify(value.body ?? null));
    for (const k of Object.getOwnPropertyNames(value)) out.push(`${k}=${util.inspect(value[k], { depth: Infinity })}`);
  }
  return out;
}

function assertNoSecret(label, value) {
  for (const text of renderings(value)) {
    for (const s of SECRETS) {
      if (text.includes(s)) assert.fail(`${label} leaks ${s}:\n${text.slice(Math.max(0, text.indexOf(s) - 300), text.indexOf(s) + 100)}`);
    }
  }
}

function capture() {
  const lines = [];
  const log = (level) => (message, record) => lines.push(`${level} ${message} ${util.inspect(record, { depth: Infinity })} ${JSON.stringify(record)}`);
  return { lines, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), log: log('log') } };
}

test('the token and vault credential secrets never appear in the client, results, errors or debug logs', async () => {
  const cap = capture();
  const client = new Q.Client({ accessToken: TOKEN, baseURL: emu.baseURL, maxRetries: 1, logLevel: 'debug', logger: cap.logger });
  const wrong = new Q.Client({ accessToken: WRONG_TOKEN, baseURL: emu.baseURL, maxRetries: 0, logLevel: 'debug', logger: cap.logger });
  try {
    // The detector itself finds secrets nested deep, in non-enumerable properties and in bodies.
    assert.throws(() => assertNoSecret('probe', { a: [{ b: { c: TOKEN } }] }), /leaks/);
    const hidden = new Q.APIError('x', { body: { error: { message: ENV_SECRET } } });
    assert.throws(() => assertNoSecret('probe', hidden), /leaks/);
    const nonEnum = {};
    Object.defineProperty(nonEnum, 'k', { value: REFRESH_TOKEN, enumerable: false });
    assert.throws(() => assertNoSecret('probe', nonEnum), /leaks/);

    assertNoSecret('the client', client);
    assertNoSecret('client.vaults', client.vaults);
    assertNoSecret('client.baseURL', client.baseURL);

    const vault = await client.vaults.create({ display_name: uniq('secret-vault') });
    const results = { vault };

    // environment_variable credential with a known secret_value.
    results.env = await client.vaults.credentials.create(vault.id, {
      display_name: 'env',
      auth: { type: 'environment_variable', secret_name: 'API_KEY', secret_value: ENV_SECRET, networking: { type: 'unrestricted' } },
    });
    // mcp_oauth credential with access and refresh tokens and a client secret.
    results.oauth = await client.vaults.credentials.create(vault.id, {
      display_name: 'oauth',
      auth: {
        type: 'mcp_oauth',
        access_token: ACCESS_TOKEN,
        mcp_server_url: 'https://mcp.example.com/sse',
        refresh: {
          client_id: 'client-1',
          refresh_token: REFRESH_TOKEN,
          token_endpoint: 'https://auth.example.com/token',
          token_endpoint_auth: { type: 'client_secret_post', client_secret: CLIENT_SECRET },
        },
      },
    });
    results.bearer = await client.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token: BEARER_SECRET, mcp_server_url: 'https://mcp.example.com/sse' } });
    results.envRead = await client.vaults.credentials.retrieve(results.env.id, { vault_id: vault.id });
    results.oauthRead = await client.vaults.credentials.retrieve(results.oauth.id, { vault_id: vault.id });
    results.list = await client.vaults.credentials.list(vault.id);
    results.rotated = await client.vaults.credentials.update(results.env.id, {
      vault_id: vault.id,
      auth: { type: 'environment_variable', secret_value: ENV_SECRET_ROTATED },
    });
    results.validated = await client.vaults.credentials.mcpOauthValidate(results.oauth.id, { vault_id: vault.id });
    assert.equal(results.validated.has_refresh_token, true);
    const all = [];
    for await (const c of client.vaults.credentials.list(vault.id)) all.push(c);
    results.all = all;
    assert.equal(all.length, 3);
    for (const [k, v] of Object.entries(results)) assertNoSecret(`result ${k}`, v);

    // A failed request that carried secrets (wrong auth type on update → 400).
    const badUpdate = await client.vaults.credentials
      .update(results.oauth.id, { vault_id: vault.id, auth: { type: 'static_bearer', token: BEARER_SECRET, access_token: ACCESS_TOKEN } })
      .then(() => assert.fail('the update should fail'), (e) => e);
    assert.ok(badUpdate instanceof Q.BadRequestError, `${badUpdate.constructor.name}: ${badUpdate.message}`);
    assertNoSecret('a failed credential update', badUpdate);

    // A create carrying secrets that fails after its retries.
    const exhausted = await client.vaults.credentials
      .create(vault.id, { auth: { type: 'environment_variable', secret_name: 'K', secret_value: ENV_SECRET, networking: { type: 'unrestricted' } } }, fault('status=503;count=5;retry-after-ms=1'))
      .then(() => assert.fail('should fail'), (e) => e);
    assert.ok(exhausted instanceof Q.InternalServerError);
    assertNoSecret('an error after retries', exhausted);

    // A client-side rejection of a call carrying secrets (display_name over 255 characters).
    const invalid = await client.vaults.credentials
      .create(vault.id, { display_name: 'd'.repeat(300), auth: { type: 'mcp_oauth', access_token: ACCESS_TOKEN, mcp_server_url: 'https://mcp.example.com/sse' } })
      .then(() => assert.fail('should fail'), (e) => e);
    assert.ok(invalid instanceof Q.InvalidArgumentError, `${invalid.constructor.name}: ${invalid.message}`);
    assertNoSecret('an InvalidArgumentError', invalid);

    // A 401: the refused token is not echoed anywhere either.
    const unauth = await wrong.models.list().then(() => assert.fail('should fail'), (e) => e);
    assert.ok(unauth instanceof Q.AuthenticationError);
    assert.equal(unauth.status, 401);
    assertNoSecret('a 401', unauth);
    assertNoSecret('the client with the refused token', wrong);
    const streamUnauth = await wrong.sessions.events
      .stream('sess_00000000000000000000000000000000')
      .next()
      .then(() => assert.fail('should fail'), (e) => e);
    assert.ok(streamUnauth instanceof Q.AuthenticationError);
    assertNoSecret('a 401 on a stream', streamUnauth);

    // A connection failure (nothing listening).
    const dead = new Q.Client({ accessToken: TOKEN, baseURL: 'http://127.0.0.1:9/api/v1/cloud', maxRetries: 0, logLevel: 'debug', logger: cap.logger });
    const conn = await dead.models.list().then(() => assert.fail('should fail'), (e) => e);
    dead.close();
    assert.ok(conn instanceof Q.APIConnectionError);
    assertNoSecret('a connection error', conn);

    // A turn, whose request headers carry the token, and a stream.
    const agent = await client.agents.create({ name: uniq('secret-agent'), model: 'auto' });
    const env = await client.environments.create({ name: uniq('secret-env'), config: { type: 'cloud', networking: { type: 'unrestricted' } } });
    const session = await client.sessions.create({ agent: agent.id, environment_id: env.id, vault_ids: [vault.id] });
    const turn = await client.sessions.runTurn(session.id, 'hello');
    assertNoSecret('a turn result', turn);
    const stream = client.sessions.events.stream(session.id);
    assertNoSecret('a stream', stream);
    const first = await stream.next();
    stream.close();
    assertNoSecret('a stream event', first);

    // Debug logging produced records (requests, responses, retries, errors), none with a secret.
    await waitFor(() => cap.lines.some((l) => l.includes('retry')) && cap.lines.some((l) => l.startsWith('error')), 'the retry and error records');
    assert.ok(cap.lines.length >= 20, `debug logging produced ${cap.lines.length} records`);
    assert.ok(cap.lines.some((l) => l.includes('401')), 'the 401 was logged');
    for (const line of cap.lines) for (const s of SECRETS) assert.ok(!line.includes(s), `log line leaks ${s}: ${line}`);
  } finally {
    client.close();
    wrong.close();
  }
});

test('QODER_ACCESS_TOKEN from the environment does not show in the client or its errors', async () => {
  const saved = process.env.QODER_ACCESS_TOKEN;
  process.env.QODER_ACCESS_TOKEN = TOKEN;
  try {
    const c = new Q.Client({ baseURL: emu.baseURL, maxRetries: 0 });
    try {
      assertNoSecret('a client configured from the environment', c);
      const e = await c.agents.retrieve('agent_00000000000000000000000000000000').then(() => assert.fail('should fail'), (x) => x);
      assert.ok(e instanceof Q.NotFoundError, 'the env token authenticated the call');
      assertNoSecret('an error of that client', e);
    } finally {
      c.close();
    }
  } finally {
    if (saved === undefined) delete process.env.QODER_ACCESS_TOKEN;
    else process.env.QODER_ACCESS_TOKEN = saved;
  }
});

test('file downloads never send Authorization, cookies or API keys to the storage URL', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qoder-secrets-'));
  // Default headers that would be credentials if forwarded to a third-party host.
  const client = new Q.Client({ accessToken: TOKEN, baseURL: emu.baseURL, maxRetries: 0, defaultHeaders: { Cookie: `session=${CLIENT_SECRET}`, 'x-api-key': ACCESS_TOKEN } });
  try {
    const before = await emu.stats();
    const content = Buffer.from('storage bytes '.repeat(1000));
    const f = await client.files.upload({ file: content, filename: 'private.txt' });
    assert.ok((await (await client.files.download(f.id)).buffer()).equals(content));
    const target = path.join(dir, 'out.txt');
    assert.equal(await (await client.files.download(f.id)).save(target), content.length);
    const chunks = [];
    for await (const c of await client.files.download(f.id)) chunks.push(c);
    assert.ok(Buffer.concat(chunks).equals(content));
    // Per-call headers go to the API call only.
    const d = await client.files.download(f.id, { headers: { Cookie: `c=${CLIENT_SECRET}`, 'x-api-key': ACCESS_TOKEN, Authorization: `Bearer ${TOKEN}` } });
    assert.ok((await d.buffer()).equals(content));
    const s = await emu.stats();
    assert.equal(s.storage_requests - before.storage_requests, 4, 'every download went through the storage URL');
    assert.equal(s.storage_requests_with_auth - before.storage_requests_with_auth, 0, 'no Authorization / Cookie / x-api-key reached the storage URL');
    assert.equal(s.storage_requests_with_auth, 0);
  } finally {
    client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

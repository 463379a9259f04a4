'use strict';
// The namespaces are built from the core's operation table: every operation of
// core/operations.json must be a method of the client, under its camelCase path, and typed in
// index.d.ts.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('..');

const OPS_FILE = path.join(__dirname, '..', '..', 'core', 'operations.json');
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

test('exported operations match core/operations.json exactly', () => {
  const fromFile = JSON.parse(fs.readFileSync(OPS_FILE, 'utf8'));
  assert.equal(fromFile.length, 98);
  const exported = Client.operations.map((o) => o.name).sort();
  assert.deepEqual(exported, fromFile.map((o) => o.name).sort());
  for (const op of fromFile) {
    const mine = Client.operations.find((o) => o.name === op.name);
    assert.equal(mine.method, op.method, op.name);
    assert.equal(mine.path, op.path, op.name);
    assert.equal(mine.response, op.response, op.name);
  }
});

test('every operation is a method under its camelCase path', () => {
  const client = new Client({ accessToken: 't', baseURL: 'http://127.0.0.1:9/api/v1/cloud' });
  try {
    for (const op of Client.operations) {
      const parts = op.name.split('.').map(camel);
      let node = client;
      for (const p of parts.slice(0, -1)) {
        node = node[p];
        assert.equal(typeof node, 'object', `${op.name}: namespace ${p}`);
      }
      assert.equal(typeof node[parts[parts.length - 1]], 'function', `client.${parts.join('.')}`);
      assert.equal(op.jsName, parts.join('.'));
    }
    // Spot checks of the naming the issue asks for.
    assert.equal(typeof client.memoryStores.memoryVersions.list, 'function');
    assert.equal(typeof client.vaults.credentials.mcpOauthValidate, 'function');
    assert.equal(typeof client.sessions.threads.events.stream, 'function');
    assert.equal(typeof client.deploymentRuns.retrieve, 'function');
  } finally {
    client.close();
  }
});

test('index.d.ts declares every method in its namespace interface', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
  const pascal = (s) => camel(s).replace(/^./, (c) => c.toUpperCase());
  for (const op of Client.operations) {
    const parts = op.name.split('.');
    const iface = parts.slice(0, -1).map(pascal).join('') + 'Resource';
    const m = dts.match(new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`));
    assert.ok(m, `interface ${iface} missing`);
    const method = camel(parts[parts.length - 1]);
    // A method, or a property typed IdCall / OptionalCall (its two overloads written once).
    assert.match(m[1], new RegExp(`\\n  (?:readonly )?${method}[(:]`), `${iface}.${method} missing`);
  }
});

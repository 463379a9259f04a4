// The ESM entry re-exports the CommonJS implementation (one addon, one set of classes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import Default, * as esm from '../index.mjs';

const require = createRequire(import.meta.url);
const cjs = require('../index.js');

test('ESM and CommonJS entries export the same objects', () => {
  assert.equal(Default, cjs.Client);
  for (const [name, value] of Object.entries(cjs)) {
    if (name === 'default') continue;
    assert.equal(esm[name], value, name);
  }
  const err = new esm.NotFoundError('x');
  assert.ok(err instanceof cjs.APIError);
  assert.ok(err instanceof esm.QoderError);
});

test('the package resolves by name through its exports map', async () => {
  const byName = await import('qoder-cloud');
  assert.equal(byName.Client, cjs.Client);
  assert.equal(require('qoder-cloud').Client, cjs.Client);
});

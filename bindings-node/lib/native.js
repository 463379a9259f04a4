'use strict';
// Loads the native addon built by scripts/build.js (`qoder-cloud.node` next to index.js).
// QODER_NODE_ADDON may point at another build (e.g. a release build for benchmarks).

const path = require('node:path');

function load() {
  const root = path.join(__dirname, '..');
  const candidates = [];
  if (process.env.QODER_NODE_ADDON) candidates.push(path.resolve(process.env.QODER_NODE_ADDON));
  candidates.push(path.join(root, 'qoder-cloud.node'));
  candidates.push(path.join(root, `qoder-cloud.${process.platform}-${process.arch}.node`));
  const errors = [];
  for (const file of candidates) {
    try {
      return require(file);
    } catch (e) {
      if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(file)) {
        errors.push(`${file}: not found`);
        continue;
      }
      throw e;
    }
  }
  const err = new Error(
    'qoder-cloud: the native addon is not built. Run `npm run build` in the package folder ' +
      '(needs a Rust toolchain), or reinstall the package.\n  ' + errors.join('\n  '),
  );
  err.code = 'QODER_ADDON_NOT_FOUND';
  throw err;
}

module.exports = load();

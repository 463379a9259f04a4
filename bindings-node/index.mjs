// ESM entry: re-exports the CommonJS implementation (one copy of the native addon and classes).
// Node lists the CommonJS module's names statically (index.js's exports object, and the error
// classes it spreads from lib/errors.js), so `export *` carries every named export.
import cjs from './index.js';

export * from './index.js';
export default cjs.Client;

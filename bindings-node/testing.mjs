// ESM entry of `qoder-cloud/testing`: re-exports the CommonJS implementation, so both entries
// share one set of running emulators and one process-exit hook.
import cjs from './testing.js';

export const { startEmulator, DEFAULT_ACCESS_TOKEN } = cjs;

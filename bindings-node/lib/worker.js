'use strict';
// The environment worker's JS half: checks the arguments, and dispatches the core's calls to the
// user's handler with an AbortSignal per piece of work. The loop (poll, ack, heartbeat with
// compare-and-set, stop, shutdown) is the core's (src/worker.rs, core/src/worker.rs).

const { fromNative } = require('./errors');
const { typeError, isPlainObject, optionsJson } = require('./options');

function describe(e) {
  if (e instanceof Error) return e.message ? `${e.name}: ${e.message}` : e.name;
  return String(e);
}

/** `EnvironmentWorker` over `nativeOf(client)`, the client's native side. */
function defineWorker(nativeOf) {
  /**
   * A self-hosted environment worker: polls the environment's work queue, acknowledges each
   * item, calls `handler(work, { signal })` while it keeps the lease alive, honours stop
   * requests, and never runs an item twice. `signal` aborts on a stop request, a lost lease or
   * shutdown. `run()` resolves `{ completed, failed, stopped }` once `shutdown()` was called and
   * running handlers ended (or their `shutdownGrace` passed).
   */
  class EnvironmentWorker {
    #native;
    #running = new Map();
    #ran = false;

    constructor(client, environmentId, handler, options = {}) {
      const where = 'new EnvironmentWorker';
      if (typeof environmentId !== 'string' || environmentId === '') throw typeError(where, 'environmentId', 'a string id', environmentId);
      if (typeof handler !== 'function') throw typeError(where, 'handler', 'a function (work, { signal }) => Promise<void>', handler);
      if (!isPlainObject(options)) throw typeError(where, 'options', 'an object', options);
      const dispatch = (json) => {
        const req = JSON.parse(json);
        if (req.kind === 'stop') {
          this.#running.get(req.id)?.abort(new Error('the work was asked to stop'));
          return Promise.resolve('{}');
        }
        const ac = new AbortController();
        this.#running.set(req.id, ac);
        return (async () => {
          try {
            await handler(req.work, { signal: ac.signal });
            return '{"ok":true}';
          } catch (e) {
            return JSON.stringify({ error: describe(e) });
          } finally {
            this.#running.delete(req.id);
          }
        })();
      };
      try {
        // The core checks the options (core/src/options.rs).
        this.#native = nativeOf(client).worker(environmentId, optionsJson(where, options), dispatch);
      } catch (e) {
        throw fromNative(e);
      }
    }

    /** Runs until `shutdown()`; resolves `{ completed, failed, stopped }`. Once per worker. */
    run() {
      if (this.#ran) return Promise.reject(typeError('EnvironmentWorker.run', 'this', 'a worker that has not run yet', 'a worker that already ran'));
      this.#ran = true;
      return this.#native.run().then((json) => JSON.parse(json), (e) => {
        throw fromNative(e);
      });
    }

    /** Stops polling; running handlers' signals abort and they get `shutdownGrace` to settle. */
    shutdown() {
      this.#native.shutdown();
    }

    get [Symbol.toStringTag]() {
      return 'EnvironmentWorker';
    }
  }
  return EnvironmentWorker;
}

module.exports = { defineWorker };

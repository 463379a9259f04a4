'use strict';
// The event stream iterator: the hot path.
//
// Events are served from a JS array. When it runs dry, the synchronous native
// `takeBuffered(n)` hands over everything the Rust reader already received as ONE JSON array
// string (parsed once); only when nothing is buffered at all does `next()` await the native
// `nextBatch(n)` Promise. So a busy stream costs one N-API call and one JSON.parse per batch,
// not a Promise round trip through the thread pool per event.

const { aborted, fromNative, InvalidArgumentError } = require('./errors');

const DONE = Object.freeze({ value: undefined, done: true });
const EMPTY = Object.freeze([]);
const DEFAULT_BATCH = 512;
const BATCH_BYTES = Number(process.env.QODER_NODE_BATCH_BYTES) || 96 * 1024;

function isPreview(type) {
  return type === 'event_start' || type === 'event_delta';
}

/**
 * A live stream of session or thread events: `for await (const event of stream)`.
 * `break`, `return()`, `close()` and the AbortSignal all close the connection at once.
 */
class Stream {
  #native;
  #buf = EMPTY;
  #i = 0;
  #pending = null;
  #ended = false;
  #aborted = false;
  #error = null;
  #signal = null;
  #onAbort = null;
  #lastEventId;
  #batch;
  #want;
  #onEnd;

  /** @internal Use `client.sessions.events.stream(...)`. */
  constructor(native, { signal = null, lastEventId = null, batchSize = DEFAULT_BATCH, onEnd = null } = {}) {
    this.#native = native;
    this.#onEnd = onEnd;
    this.#lastEventId = lastEventId ?? null;
    this.#batch = batchSize;
    this.#want = batchSize;
    if (signal) {
      if (signal.aborted) {
        this.#abort();
      } else {
        this.#signal = signal;
        this.#onAbort = () => this.#abort();
        signal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
  }

  #abort() {
    this.#aborted = true;
    this.close();
  }

  #detach() {
    if (this.#signal !== null) {
      this.#signal.removeEventListener('abort', this.#onAbort);
      this.#signal = null;
      this.#onAbort = null;
    }
  }

  #finish() {
    if (this.#onEnd !== null) {
      const onEnd = this.#onEnd;
      this.#onEnd = null;
      onEnd(this.#error ?? (this.#aborted ? aborted('The stream was aborted.') : null));
    }
    this.#ended = true;
    this.#buf = EMPTY;
    this.#i = 0;
    this.#detach();
    if (this.#native !== null) this.#native.close();
  }

  #take() {
    const ev = this.#buf[this.#i++];
    if (this.#i === this.#buf.length) {
      this.#buf = EMPTY;
      this.#i = 0;
    }
    const id = ev.id;
    if (id !== undefined && id !== null && !isPreview(ev.type)) this.#lastEventId = id;
    return ev;
  }

  #endResult() {
    if (this.#aborted) return Promise.reject(aborted('The stream was aborted.'));
    if (this.#error !== null) return Promise.reject(this.#error);
    return Promise.resolve(DONE);
  }

  /** Refills the buffer from the native side; resolves true if events arrived, false at the end. */
  #parse(s) {
    const buf = JSON.parse(s);
    // Size the next batch so its text stays around BATCH_BYTES: small strings are allocated in
    // V8's young generation, large ones each get their own pages.
    const per = s.length / buf.length;
    this.#want = Math.max(16, Math.min(this.#batch, Math.floor(BATCH_BYTES / per)));
    return buf;
  }

  #fill() {
    if (this.#pending !== null) return this.#pending;
    const s = this.#native.takeBuffered(this.#want);
    if (s !== null) {
      this.#buf = this.#parse(s);
      this.#i = 0;
      return true;
    }
    this.#pending = this.#native.nextBatch(this.#want).then(
      (json) => {
        this.#pending = null;
        if (json === null || json === undefined || this.#ended) {
          this.#finish();
          return false;
        }
        this.#buf = this.#parse(json);
        this.#i = 0;
        return true;
      },
      (err) => {
        this.#pending = null;
        if (!this.#ended) this.#error = fromNative(err);
        this.#finish();
        return false;
      },
    );
    return this.#pending;
  }

  /** The next event (`{ value, done }`), resolved at once when events are buffered. */
  next() {
    if (this.#i < this.#buf.length) return Promise.resolve({ value: this.#take(), done: false });
    if (this.#ended) return this.#endResult();
    const r = this.#fill();
    if (r === true) return Promise.resolve({ value: this.#take(), done: false });
    return r.then((got) => (got && this.#i < this.#buf.length ? { value: this.#take(), done: false } : this.next()));
  }

  /**
   * Up to `max` events: those already buffered, else waits for at least one.
   * Resolves `[]` once the stream ended.
   */
  nextBatch(max = this.#batch) {
    if (!Number.isInteger(max) || max < 1) throw new InvalidArgumentError(`stream.nextBatch: argument \`max\` must be a positive integer, got ${String(max)}`, { param: 'max' });
    if (this.#i >= this.#buf.length && !this.#ended) {
      const r = this.#fill();
      if (r !== true) return r.then(() => this.nextBatch(max));
    }
    if (this.#i < this.#buf.length) {
      const n = Math.min(max, this.#buf.length - this.#i);
      const out = new Array(n);
      for (let k = 0; k < n; k++) out[k] = this.#take();
      return Promise.resolve(out);
    }
    return this.#endResult().then(() => []);
  }

  /** Ends iteration (`break` calls this): closes the connection. */
  return(value) {
    this.close();
    return Promise.resolve({ value, done: true });
  }

  /** Closes the stream and its connection at once. Idempotent; safe while `next()` is pending. */
  close() {
    if (this.#ended) return;
    this.#finish();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** The id of the last persisted event this iterator yielded (pass it as `lastEventId` to resume). */
  get lastEventId() {
    return this.#lastEventId;
  }

  /** How many times the connection was re-established so far. */
  get reconnects() {
    return this.#native === null ? 0 : this.#native.reconnects;
  }

  /** Whether the stream ended (terminal event, close, abort or error). */
  get closed() {
    return this.#ended;
  }

  get [Symbol.toStringTag]() {
    return 'Stream';
  }
}

module.exports = { Stream };

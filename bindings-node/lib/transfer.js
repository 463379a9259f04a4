'use strict';
// Upload sources and download bodies (the native side does the HTTP work: one core call each).

const { fromNative, aborted } = require('./errors');
const { typeError, isPlainObject } = require('./options');

/**
 * Normalises an upload source: a path (string or URL), bytes (Buffer, Uint8Array, ArrayBuffer),
 * a Blob/File, or an fs.ReadStream (its path is re-opened by the core on every attempt).
 * Returns `{ path } | { data, filename }`, or a Promise of it for a Blob (read asynchronously).
 * Wrong types throw synchronously.
 */
function uploadSource(where, name, file, filename) {
  if (typeof file === 'string') return { path: file, data: null };
  if (file instanceof URL) {
    if (file.protocol !== 'file:') throw typeError(where, name, 'a file: URL', String(file));
    return { path: require('node:url').fileURLToPath(file), data: null };
  }
  if (Buffer.isBuffer(file)) return { path: null, data: file, filename };
  if (file instanceof Uint8Array) return { path: null, data: Buffer.from(file.buffer, file.byteOffset, file.byteLength), filename };
  if (file instanceof ArrayBuffer) return { path: null, data: Buffer.from(file), filename };
  if (typeof Blob !== 'undefined' && file instanceof Blob) {
    const name = filename ?? (typeof file.name === 'string' && file.name ? file.name : undefined);
    return file.arrayBuffer().then((ab) => ({ path: null, data: Buffer.from(ab), filename: name }));
  }
  if (file && typeof file === 'object' && typeof file.path === 'string' && typeof file.pipe === 'function') {
    return { path: file.path, data: null };
  }
  throw typeError(where, name, 'a path, Buffer, Uint8Array, ArrayBuffer, Blob or fs.ReadStream', file);
}

/** Skill files: `[{ path, content | data | file }]` → the addon's SkillFileInput list. */
function skillFiles(where, files) {
  if (!Array.isArray(files) || files.length === 0) throw typeError(where, 'files', 'a non-empty array of { path, content }', files);
  return files.map((f, i) => {
    if (!isPlainObject(f) || typeof f.path !== 'string') throw typeError(where, `files[${i}].path`, 'a string', f && f.path);
    const body = f.content ?? f.data;
    if (typeof f.file === 'string') return { path: f.path, file: f.file };
    if (typeof body === 'string') return { path: f.path, data: Buffer.from(body, 'utf8') };
    if (body instanceof Uint8Array) return { path: f.path, data: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
    if (body instanceof ArrayBuffer) return { path: f.path, data: Buffer.from(body) };
    throw typeError(where, `files[${i}].content`, 'a string, Buffer or Uint8Array (or give `file`: a path)', body);
  });
}

/**
 * A downloaded body, not read yet. Read it once: `buffer()`, `arrayBuffer()`, `text()`,
 * `save(path)`, or `for await (const chunk of response)`.
 */
class BinaryResponse {
  #native;
  #signal;
  #onAbort;
  #aborted = false;

  /** @internal */
  constructor(nativeDownload, signal) {
    this.#native = nativeDownload;
    this.#signal = signal || null;
    if (this.#signal) {
      this.#onAbort = () => {
        this.#aborted = true;
        this.#native.close();
      };
      this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  #detach() {
    if (this.#signal) {
      this.#signal.removeEventListener('abort', this.#onAbort);
      this.#signal = null;
    }
  }

  #fail(e) {
    this.#detach();
    throw this.#aborted ? aborted() : fromNative(e);
  }

  /** `Content-Type` of the body, when sent. */
  get contentType() {
    return this.#native.contentType ?? null;
  }
  /** `Content-Length` of the body, when sent. */
  get contentLength() {
    return this.#native.contentLength ?? null;
  }
  /** Request id of the API call. */
  get requestId() {
    return this.#native.requestId ?? null;
  }
  get httpStatus() {
    return this.#native.status;
  }

  /** The whole body as a Buffer. */
  buffer() {
    return this.#native.bytes().then(
      (b) => {
        this.#detach();
        return b;
      },
      (e) => this.#fail(e),
    );
  }

  /** The whole body as an ArrayBuffer. */
  async arrayBuffer() {
    const b = await this.buffer();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  }

  /** The whole body decoded as text. */
  async text(encoding = 'utf8') {
    return (await this.buffer()).toString(encoding);
  }

  /** Streams the body into a file (written under a temporary name, then renamed); resolves the byte count. */
  save(path) {
    if (typeof path !== 'string' || path === '') throw typeError('BinaryResponse.save', 'path', 'a file path', path);
    return this.#native.save(path).then(
      (n) => {
        this.#detach();
        return n;
      },
      (e) => this.#fail(e),
    );
  }

  /** The body chunk by chunk; breaking out closes the connection. */
  async *[Symbol.asyncIterator]() {
    let finished = false;
    try {
      for (;;) {
        let chunk;
        try {
          chunk = await this.#native.nextChunk();
        } catch (e) {
          this.#fail(e);
        }
        if (chunk === null || chunk === undefined) {
          finished = true;
          return;
        }
        yield chunk;
      }
    } finally {
      this.#detach();
      if (!finished) this.#native.close();
    }
  }

  /** Drops the connection and the unread body. Idempotent. */
  close() {
    this.#detach();
    this.#native.close();
  }

  get [Symbol.toStringTag]() {
    return 'BinaryResponse';
  }
}

module.exports = { uploadSource, skillFiles, BinaryResponse };

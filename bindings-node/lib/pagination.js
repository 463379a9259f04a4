'use strict';
// Pages and auto-paging. The next page's arguments come from the core
// (`pagination::next_page_args`, computed natively with each page), so both cursor styles
// (`page=<next_page>` and the models list's `after_id`/`before_id`) behave exactly as in Rust.

const { APIResponseValidationError, fromNative } = require('./errors');

const kInternal = Symbol('qoder.page.internal');

function cursorOf(nextArgs) {
  if (!nextArgs) return null;
  return nextArgs.page ?? nextArgs.after_id ?? nextArgs.before_id ?? null;
}

/**
 * One page of a list. Wire fields (`data`, `has_more`, `first_id`, `last_id`, `next_page`, and
 * anything else the server sent) are own properties; helpers live on the prototype.
 * Iterating a page (`for await`) walks its items and every following page.
 */
class Page {
  constructor(fetcher, op, options, body, result) {
    for (const k of Object.keys(body)) {
      Object.defineProperty(this, k, { value: body[k], enumerable: true, writable: true, configurable: true });
    }
    Object.defineProperty(this, kInternal, {
      value: {
        fetcher,
        op,
        options,
        nextArgs: result.nextArgs ? JSON.parse(result.nextArgs) : null,
        nextError: result.nextError || null,
      },
    });
    Object.defineProperties(this, {
      requestId: { value: result.requestId ?? null, enumerable: false },
      httpStatus: { value: result.status, enumerable: false },
    });
  }

  /** Whether the server reported more items after this page. */
  get hasMore() {
    return this.has_more === true;
  }

  /** Whether `nextPage()` would fetch a page. */
  hasNextPage() {
    const i = this[kInternal];
    return i.nextArgs !== null || i.nextError !== null;
  }

  /** The following page, or `null` after the last one. */
  nextPage() {
    const i = this[kInternal];
    if (i.nextError) return Promise.reject(fromNative({ message: i.nextError }));
    if (!i.nextArgs) return Promise.resolve(null);
    return i.fetcher(i.op, i.nextArgs, i.options);
  }

  /** Like `nextPage()` but rejects instead of resolving `null` at the end. */
  async getNextPage() {
    const p = await this.nextPage();
    if (p === null) throw new APIResponseValidationError('No next page: check hasNextPage() first.', { kind: 'decode' });
    return p;
  }

  /** This page and every following one. */
  async *iterPages() {
    const seen = new Set();
    let page = this;
    while (page) {
      yield page;
      const cursor = cursorOf(page[kInternal].nextArgs);
      if (cursor !== null) {
        if (seen.has(cursor)) {
          throw new APIResponseValidationError(`${page[kInternal].op.name}: the server returned cursor ${JSON.stringify(cursor)} twice; stopping instead of looping`, { kind: 'decode' });
        }
        seen.add(cursor);
      }
      page = await page.nextPage();
    }
  }

  /** Every item of this page and the following pages. */
  async *[Symbol.asyncIterator]() {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

/**
 * What a list method returns: a thenable resolving to the first `Page`, and an async iterable
 * over every item of every page. The request starts on first use (so an unused list never
 * produces an unhandled rejection).
 */
class PagePromise {
  #start;
  #promise = null;

  constructor(start) {
    this.#start = start;
  }

  #page() {
    if (this.#promise === null) this.#promise = this.#start();
    return this.#promise;
  }

  then(onFulfilled, onRejected) {
    return this.#page().then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.#page().catch(onRejected);
  }

  finally(onFinally) {
    return this.#page().finally(onFinally);
  }

  async *[Symbol.asyncIterator]() {
    const first = await this.#page();
    yield* first;
  }

  get [Symbol.toStringTag]() {
    return 'PagePromise';
  }
}

module.exports = { Page, PagePromise };

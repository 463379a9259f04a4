'use strict';
// The error classes, and the decoder that rebuilds them from the native layer's rejections.
//
// N-API rejects with a plain Error; the addon puts a marker plus JSON of every field in its
// message (bindings-node/src/error.rs), and `fromNative` turns that into the right class.

const MARKER = '\u0001qoder-error:';

function parseBody(body) {
  if (typeof body !== 'string') return body === undefined ? null : body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Base class of every error the SDK raises (except TypeError for wrong argument types). */
class QoderError extends Error {
  constructor(message, fields = {}) {
    super(message);
    Object.defineProperty(this, 'name', { value: new.target.name, writable: true, configurable: true, enumerable: false });
    /** Stable machine name of the error class, e.g. `rate_limit`, `connection`, `cancelled`. */
    this.kind = fields.kind ?? null;
    /** HTTP status, for API errors. */
    this.status = fields.status ?? undefined;
    /** The envelope's `error.type`, e.g. `conflict_error`. */
    this.type = fields.type ?? null;
    /** The envelope's machine `error.code`. */
    this.code = fields.code ?? null;
    /** The offending parameter (from the server, or the argument rejected client-side). */
    this.param = fields.param ?? null;
    /** The server's request id. */
    this.requestId = fields.requestId ?? null;
    /** The Idempotency-Key the failed call carried: retry later with the same key. */
    this.idempotencyKey = fields.idempotencyKey ?? null;
    /** The raw response body (parsed as JSON when it is JSON), or the in-stream error frame. */
    this.body = fields.body ?? null;
    /** Whether retrying the same call could succeed. */
    this.retryable = fields.retryable ?? false;
    /**
     * The server's `Retry-After` hint in seconds, when the call failed without sleeping on it
     * (a hint above `maxRetryAfter`, or past the total deadline); otherwise null.
     */
    this.retryAfter = fields.retryAfter ?? null;
    /** Whether the error arrived as an `error` frame inside an event stream. */
    this.isStreamError = fields.isStreamError ?? false;
  }
}

/** The server answered with an error status (or sent an in-stream error frame). */
class APIError extends QoderError {}
/** 400 `invalid_request_error`. */
class BadRequestError extends APIError {}
/** 401 `authentication_error`. */
class AuthenticationError extends APIError {}
/** 403 `permission_error`. */
class PermissionDeniedError extends APIError {}
/** 404 / 410 `not_found_error`. */
class NotFoundError extends APIError {}
/** 409 `conflict_error`. */
class ConflictError extends APIError {}
/** 413. */
class RequestTooLargeError extends APIError {}
/** 422. */
class UnprocessableEntityError extends APIError {}
/** 429 `rate_limit_error`. */
class RateLimitError extends APIError {}
/** 500 / 502 / 503 / 504 `api_error`. */
class InternalServerError extends APIError {}
/** 529 `overloaded_error`. */
class OverloadedError extends APIError {}

/** The connection could not be made, was reset, or the body was cut short. */
class APIConnectionError extends QoderError {}
/** A connect, request, idle or total-deadline timeout fired. */
class APITimeoutError extends APIConnectionError {}
/** The call was aborted through its AbortSignal (or the client was closed). */
class APIUserAbortError extends QoderError {
  constructor(message = 'Request was aborted.', fields = {}) {
    super(message, { kind: 'cancelled', ...fields });
  }
}
/** The response was not the JSON shape expected (or a list repeated its cursor). */
class APIResponseValidationError extends QoderError {}
/** A response's body or head exceeded its limit (`maxResponseBytes`, `maxHeaderBytes`). */
class ResponseTooLargeError extends APIResponseValidationError {}
/** The call was rejected client-side before any request was sent. */
class InvalidArgumentError extends QoderError {}
/** The client was closed. */
class ClientClosedError extends QoderError {}

/**
 * A stream-level failure. `instanceof StreamError` is also true for API errors that arrived
 * as an `error` frame inside a stream (`err.isStreamError`), which keep their API class.
 */
class StreamError extends QoderError {
  static [Symbol.hasInstance](x) {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    return this === StreamError && x instanceof QoderError && x.isStreamError === true;
  }
}
/** The stream ended without its terminal event and resuming was disabled or impossible. */
class IncompleteStreamError extends StreamError {}
/** One SSE event exceeded the configured size cap. */
class EventTooLargeError extends StreamError {}

const KIND_CLASS = {
  bad_request: BadRequestError,
  authentication: AuthenticationError,
  permission_denied: PermissionDeniedError,
  not_found: NotFoundError,
  conflict: ConflictError,
  request_too_large: RequestTooLargeError,
  unprocessable_entity: UnprocessableEntityError,
  rate_limit: RateLimitError,
  internal_server: InternalServerError,
  overloaded: OverloadedError,
  api_status: APIError,
  connection: APIConnectionError,
  timeout: APITimeoutError,
  decode: APIResponseValidationError,
  invalid_argument: InvalidArgumentError,
  incomplete_stream: IncompleteStreamError,
  event_too_large: EventTooLargeError,
  response_too_large: ResponseTooLargeError,
  cancelled: APIUserAbortError,
  client_closed: ClientClosedError,
};

/** Rebuilds a typed error from an encoded native rejection; other values pass through. */
function fromNative(e) {
  if (e instanceof QoderError) return e;
  const msg = e && typeof e.message === 'string' ? e.message : null;
  if (msg === null || !msg.startsWith(MARKER)) return e;
  let f;
  try {
    f = JSON.parse(msg.slice(MARKER.length));
  } catch {
    return new QoderError(msg.slice(MARKER.length), { kind: 'internal' });
  }
  const Cls = KIND_CLASS[f.kind] || QoderError;
  const fields = {
    kind: f.kind,
    status: f.status ?? undefined,
    type: f.type,
    code: f.code,
    param: f.param,
    requestId: f.request_id,
    idempotencyKey: f.idempotency_key,
    body: parseBody(f.body),
    retryable: f.retryable,
    retryAfter: f.retry_after,
    isStreamError: f.stream,
  };
  return Cls === APIUserAbortError ? new APIUserAbortError(f.display || f.message, fields) : new Cls(f.display || f.message, fields);
}

module.exports = {
  MARKER,
  fromNative,
  QoderError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  RequestTooLargeError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  OverloadedError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  APIResponseValidationError,
  ResponseTooLargeError,
  InvalidArgumentError,
  ClientClosedError,
  StreamError,
  IncompleteStreamError,
  EventTooLargeError,
};

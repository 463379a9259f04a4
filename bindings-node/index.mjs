// ESM entry: re-exports the CommonJS implementation (one copy of the native addon and classes).
import cjs from './index.js';

export const {
  Client,
  Page,
  PagePromise,
  Stream,
  BinaryResponse,
  DeltaAccumulator,
  isKnownEventType,
  VERSION,
  coreVersion,
  contentSha256,
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
} = cjs;

export default Client;

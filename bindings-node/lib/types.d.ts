// Type definitions for qoder-cloud: the hand-written part (client options, pages, streams, errors,
// request parameters). index.d.ts re-exports everything here and adds what is generated: the
// event, content and result types of docs/schema.json and one interface per resource namespace
// of core/operations.json (scripts/gen-dts.js). The error classes between the GENERATED markers
// come from core/errors.json (scripts/gen-errors.js).
//
// API objects and request bodies use the wire's snake_case field names; SDK options are
// camelCase. Result and event types declare the documented fields only, so `tsc --strict`
// catches a misspelt field; fields a newer server adds are still in the objects at run time.

/// <reference types="node" />

import type {
  AgentMcpToolUseEvent,
  CancelAck,
  CredentialAuthParam,
  CredentialAuthUpdateParam,
  VaultCredential,
  Work,
  AgentMessageEvent,
  AgentThinkingEvent,
  AgentToolUseEvent,
  Client,
  ContentBlock,
  ContentSource,
  DocumentBlock,
  ImageBlock,
  InputEventParam,
  OutcomeResult,
  RedactedBlock,
  ResourceParam,
  SessionAgentParam,
  SessionEvent,
  SessionStreamEvent,
  StopReason,
  SystemMessageEventParam,
  TextBlock,
  UnknownAgentTool,
  UnknownContentBlock,
  UserCustomToolResultEvent,
  UserCustomToolResultEventParam,
  UserDefineOutcomeEventParam,
  UserInterruptEvent,
  UserInterruptEventParam,
  UserMessageEventParam,
  UserToolConfirmationEvent,
  UserToolConfirmationEventParam,
  UserToolResultEventParam,
} from '../index';

// ───────────────────────────── Client options ─────────────────────────────

/** Log levels, most verbose first. `off` (the default) installs no logger at all. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** One structured log record. Never contains headers, bodies, tokens or secrets. */
export interface LogRecord {
  level: Exclude<LogLevel, 'off'>;
  /** `request`, `response`, `retry`, `reconnect` or `error`. */
  event: 'request' | 'response' | 'retry' | 'reconnect' | 'error' | (string & {});
  method: string;
  /** Path below the base URL (ids included; ids are not secrets). */
  path: string;
  status: number | null;
  /** 0 for the first attempt. */
  attempt: number;
  requestId: string | null;
  /** Wait before the next attempt (retries and reconnects). */
  delayMs: number | null;
  message: string;
}

/** A pluggable logger, e.g. `console`, pino or winston. Missing levels fall back to `log`. */
export interface Logger {
  debug?(message: string, record: LogRecord): void;
  info?(message: string, record: LogRecord): void;
  warn?(message: string, record: LogRecord): void;
  error?(message: string, record: LogRecord): void;
  log?(message: string, record: LogRecord): void;
}

/** A PEM file path, PEM text (holding a `-----BEGIN` line), or PEM bytes. */
export type CertSource = string | Uint8Array;

export interface ClientOptions {
  /** PAT or service-account token. Default: env `QODER_ACCESS_TOKEN`, then `QODER_PAT`. */
  accessToken?: string;
  /** e.g. `http://127.0.0.1:4010/api/v1/cloud`. Default: env `QODER_BASE_URL`, then the region's URL. */
  baseURL?: string;
  /** `global` (default) or `cn`. Default: env `QODER_REGION`. */
  region?: 'global' | 'cn' | (string & {});
  /** Timeout of one HTTP attempt in ms (default 600 000). */
  timeout?: number;
  /** TCP connect timeout in ms (default 5 000). */
  connectTimeout?: number;
  /** Deadline of a whole call in ms, spanning every retry and backoff (default none). */
  totalDeadline?: number;
  /** Retries per call (default 2; 0 disables). */
  maxRetries?: number;
  /** Headers sent on every API request. */
  defaultHeaders?: Record<string, string>;
  /** Stream idle timeout in ms: time without any byte, keep-alives included (default 90 000). */
  streamIdleTimeout?: number;
  /** Cap on one SSE event in bytes (default 16 MiB). */
  maxEventBytes?: number;
  /** Request body limit in bytes (default: the region's, 32 MB global / 4 MB cn). */
  maxBodyBytes?: number;
  /**
   * Extra trusted CA certificates, on top of the bundled roots and the system store (which honours
   * `SSL_CERT_FILE` / `SSL_CERT_DIR`; `NODE_EXTRA_CA_CERTS` is added too): a PEM file path, PEM
   * text, a Buffer, or an array of them. E.g. a TLS-inspecting corporate proxy's CA.
   */
  caCerts?: CertSource | CertSource[];
  /** Proxy for every request (`http://host:port`), still honouring `NO_PROXY`. Default: env `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY`. */
  proxy?: string;
  /** Client certificate chain for mutual TLS (with `clientKey`). */
  clientCert?: CertSource;
  /** The client certificate's private key (with `clientCert`). Never logged. */
  clientKey?: CertSource;
  /** Turns TLS certificate verification off. Test servers only: a warning is logged. */
  dangerAcceptInvalidCerts?: boolean;
  /** Event streams sharing one HTTP/2 connection over TLS before another opens (default 100): at or below your gateway's per-connection cap. */
  maxStreamsPerConnection?: number;
  /** Largest successful response body read into memory, bytes (default 64 MiB); over it, `ResponseTooLargeError`. */
  maxResponseBytes?: number;
  /** Largest error response body kept, bytes (default 1 MiB); a longer one is cut there. */
  maxErrorBytes?: number;
  /** Largest response head, bytes (default 256 KiB); over it, `ResponseTooLargeError`. */
  maxHeaderBytes?: number;
  /** Longest `Retry-After` slept on before a retry, ms (default 60 000); a longer one fails the call at once, with `err.retryAfter`. */
  maxRetryAfter?: number;
  /** A stream with no event for this long, ms, is resumed on a new connection (default 300 000); keep-alive bytes do not count. */
  streamStallTimeout?: number;
  /**
   * Asked for the token before every attempt (instead of `accessToken`), so tokens may rotate;
   * after a 401 it is asked once more and a safe call is retried. A throw fails the call with
   * an AuthenticationError.
   */
  tokenProvider?: () => string | Promise<string>;
  /**
   * A service-account key (instead of `accessToken`; env `QODER_SA_KEY` when nothing else is
   * given): the client exchanges it for short-lived tokens, refreshed before they expire, one
   * exchange for all concurrent calls.
   */
  serviceAccountKey?: string;
  /** The token exchange endpoint (default: the region's). */
  serviceAccountExchangeURL?: string;
  /** Lifetime of the exchanged tokens, seconds (1–43 200, default 3600). */
  serviceAccountTtl?: number;
  /** Scopes asked for (default `["qca.access"]`). */
  serviceAccountScopes?: string[];
  /** Default: env `QODER_LOG`, else `off`. */
  logLevel?: LogLevel;
  /** Where records go (default `console`). */
  logger?: Logger;
}

type QueryValue = string | number | boolean | Date | null | undefined | ReadonlyArray<string | number | boolean>;

/** An operation on one object whose other arguments are optional: `(id, options?)` or `(id, params?, options?)`. */
export interface IdCall<P, R> {
  (id: string, options?: RequestOptions): R;
  (id: string, params?: P, options?: RequestOptions): R;
}

/** An operation whose arguments are all optional: `(options?)` or `(params?, options?)`. */
export interface OptionalCall<P, R> {
  (options?: RequestOptions): R;
  (params?: P, options?: RequestOptions): R;
}

/** Per-call options: always the last argument of a method. */
export interface RequestOptions {
  /** Aborting cancels the call at once (connection closed, backoff ended): rejects with `APIUserAbortError`. */
  signal?: AbortSignal | null;
  /** Timeout of one attempt, in ms. */
  timeout?: number;
  /** Deadline of the whole call (all attempts and backoff), in ms. */
  totalDeadline?: number;
  /** Retries for this call. */
  maxRetries?: number;
  /** The `Idempotency-Key` (otherwise one is minted for POST/DELETE and re-sent on every retry). */
  idempotencyKey?: string;
  /** Extra headers for this call. */
  headers?: Record<string, string | number | boolean | ReadonlyArray<string> | null | undefined>;
  /** Extra query parameters for this call (arrays repeat the key). */
  query?: Record<string, QueryValue>;
  /** Extra top-level JSON body fields for this call. */
  body?: Record<string, unknown>;
}

/** Options of an event stream (in the params object or the options argument). */
export interface StreamOptions {
  /** Resume strictly after this event id (sent as `Last-Event-ID`). */
  lastEventId?: string | null;
  /** Preview kinds to receive as `event_start` / `event_delta` frames. */
  eventDeltas?: ReadonlyArray<'agent.message' | 'agent.thinking'>;
  /** Reconnect transparently on EOF, errors and idle timeouts (default true). */
  resume?: boolean;
  /** Idle timeout in ms (default: the client's `streamIdleTimeout`). */
  idleTimeout?: number;
  /** Consecutive failed reconnects before giving up (default 10). */
  maxReconnectAttempts?: number;
  /** Most events handed from Rust to JS per batch (default 512). */
  batchSize?: number;
  signal?: AbortSignal | null;
  /** Timeout until the response headers arrive, in ms. */
  timeout?: number;
  maxRetries?: number;
  headers?: Record<string, string | number | boolean | ReadonlyArray<string> | null | undefined>;
  query?: Record<string, QueryValue>;
}

/** Arguments every operation accepts. */
export interface CommonParams {
  /** Sent as `qoder-workspace-id`. */
  workspace_id?: string;
  /** Sent as `x-qoder-beta` (a list is comma-joined). */
  betas?: string | ReadonlyArray<string>;
}

/** Cursor arguments of list operations (`page`, `after_id` and `before_id` are exclusive). */
export interface ListParams extends CommonParams {
  /** 1–100 (default 20). */
  limit?: number;
  /** Opaque cursor: a previous page's `next_page`. */
  page?: string;
  after_id?: string;
  before_id?: string;
}

/** A timestamp filter value: an RFC 3339 string or a Date. */
export type Timestamp = string | Date;

// ───────────────────────────── Results ─────────────────────────────

/** Response metadata attached (non-enumerable) to every result object. */
export interface ResponseMeta {
  /** The server's `x-request-id`. */
  readonly requestId: string | null;
  /** The `Idempotency-Key` the call carried (mutations). */
  readonly idempotencyKey: string | null;
  /** The HTTP status. */
  readonly httpStatus: number;
}

/** An API object together with its response metadata. */
export type APIResult<T> = T & ResponseMeta;

/** One page of a list. `for await` over a page walks its items and every following page. */
export declare class Page<T> implements AsyncIterable<T> {
  private constructor();
  data: T[];
  has_more: boolean;
  first_id?: string | null;
  last_id?: string | null;
  /** The wire cursor of the next page (use `nextPage()` to fetch it). */
  next_page?: string | null;
  /** Whether the server reported more items. */
  readonly hasMore: boolean;
  readonly requestId: string | null;
  readonly httpStatus: number;
  /** Whether `nextPage()` would fetch a page. */
  hasNextPage(): boolean;
  /** The following page, or `null` after the last one. */
  nextPage(): Promise<Page<T> | null>;
  /** Like `nextPage()` but rejects at the end. */
  getNextPage(): Promise<Page<T>>;
  /** This page and every following one. */
  iterPages(): AsyncGenerator<Page<T>, void, undefined>;
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>;
}

/**
 * What a list method returns: `await` it for the first page, or `for await` over it for every
 * item of every page. The request starts on first use.
 */
export declare class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  private constructor();
  then<R1 = Page<T>, R2 = never>(
    onfulfilled?: ((value: Page<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<T> | R>;
  finally(onfinally?: (() => void) | null): Promise<Page<T>>;
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>;
}

/**
 * A live event stream: `for await (const event of stream)`. `break`, `return()`, `close()` and
 * the AbortSignal close the connection at once. Resumes transparently after drops.
 */
export declare class Stream<E> implements AsyncIterableIterator<E> {
  private constructor();
  next(): Promise<IteratorResult<E, undefined>>;
  return(value?: undefined): Promise<IteratorResult<E, undefined>>;
  /** Up to `max` events: those already buffered, else waits for at least one. `[]` at the end. */
  nextBatch(max?: number): Promise<E[]>;
  /** Closes the stream and its connection. Idempotent; safe while `next()` is pending. */
  close(): void;
  /** Id of the last persisted event yielded (pass as `lastEventId` to resume later). */
  readonly lastEventId: string | null;
  /** Reconnects so far. */
  readonly reconnects: number;
  /** Whether the stream ended (terminal event, close, abort or error). */
  readonly closed: boolean;
  [Symbol.asyncIterator](): Stream<E>;
}

// ───────────────────────────── Errors ─────────────────────────────

/** Base class of every SDK error (`instanceof QoderError` also holds for `InvalidArgumentError`, a `TypeError`). */
export declare class QoderError extends Error {
  constructor(message?: string, fields?: Partial<QoderErrorFields>);
}
/** The fields of every SDK error (declaration merging). */
export interface QoderError extends QoderErrorFields {}
// --- BEGIN GENERATED by scripts/gen-errors.js from core/errors.json ---
/** The fields every SDK error carries. */
export interface QoderErrorFields {
  /** HTTP status of API errors. */
  readonly status: number | undefined;
  /** The error envelope's `error.type` (`not_found_error`). */
  readonly type: string | null;
  /** The envelope's machine `error.code`. */
  readonly code: string | null;
  /** The offending parameter (from the server, or the argument rejected locally). */
  readonly param: string | null;
  /** The server's request id. */
  readonly requestId: string | null;
  /** The `Idempotency-Key` the failed call carried (retry with it). */
  readonly idempotencyKey: string | null;
  /** The response body (parsed JSON when it is JSON, else text), or the in-stream error frame. */
  readonly body: unknown;
  /** The core's stable error class name (`not_found`, `timeout`, ...). */
  readonly kind: string | null;
  /** Whether retrying the same call could succeed. */
  readonly retryable: boolean;
  /** The server's `Retry-After` hint in seconds, when the call failed without sleeping on it (a hint above the maximum retry wait, or past the total deadline). */
  readonly retryAfter: number | null;
  /** Whether the error arrived as an `error` frame inside an event stream (Python tells it by the class: `APIStreamError`). */
  readonly isStreamError: boolean;
}

/** An error that came from the API or the connection to it. */
export declare class APIError extends QoderError {}
/** The API answered with a non-2xx status, or sent an `error` frame inside a stream. Raised for the core kind `api_status`. */
export declare class APIStatusError extends APIError {}
/** 400 `invalid_request_error`. Raised for the core kind `bad_request`. */
export declare class BadRequestError extends APIStatusError {}
/** 401 `authentication_error`. Raised for the core kind `authentication`. */
export declare class AuthenticationError extends APIStatusError {}
/** 403 `permission_error`. Raised for the core kind `permission_denied`. */
export declare class PermissionDeniedError extends APIStatusError {}
/** 404 (or 410) `not_found_error`. Raised for the core kind `not_found`. */
export declare class NotFoundError extends APIStatusError {}
/** 409 `conflict_error` (a stale version, an idempotency key reused with another body, a busy or archived resource). Raised for the core kind `conflict`. */
export declare class ConflictError extends APIStatusError {}
/** 413: the request body was too large for the server. Raised for the core kind `request_too_large`. */
export declare class RequestTooLargeError extends APIStatusError {}
/** 422. Raised for the core kind `unprocessable_entity`. */
export declare class UnprocessableEntityError extends APIStatusError {}
/** 429 `rate_limit_error`. Raised for the core kind `rate_limit`. */
export declare class RateLimitError extends APIStatusError {}
/** 500, 502, 503 or 504 `api_error`. Raised for the core kind `internal_server`. */
export declare class InternalServerError extends APIStatusError {}
/** 529 `overloaded_error`. Raised for the core kind `overloaded`. */
export declare class OverloadedError extends APIStatusError {}
/** The connection could not be made, was reset, or the body was cut short. Raised for the core kind `connection`. */
export declare class APIConnectionError extends APIError {}
/** A connect, request, idle or total-deadline timeout fired. Raised for the core kind `timeout`. */
export declare class APITimeoutError extends APIConnectionError {}
/** The response was not the JSON the operation returns (or a list repeated its cursor). Raised for the core kind `decode`. */
export declare class APIResponseValidationError extends APIError {}
/** A response's body or head exceeded its limit (`max_response_bytes`, `max_header_bytes`); nothing past the limit was read. Raised for the core kind `response_too_large`. */
export declare class ResponseTooLargeError extends APIResponseValidationError {}
/** A failure of an event stream. */
export declare class StreamError extends APIError {}
/** The server sent an `error` frame inside the stream. The error is also an instance of the class of its `type` (e.g. `OverloadedError`). */
export declare class APIStreamError extends StreamError {}
/** The stream ended before its terminal event and could not be resumed. Raised for the core kind `incomplete_stream`. */
export declare class IncompleteStreamError extends StreamError {}
/** One event exceeded the size cap (`max_event_bytes`). Raised for the core kind `event_too_large`. */
export declare class EventTooLargeError extends StreamError {}
/** An argument was rejected before any request was sent (`param` names it). Also the language's own argument error: a `ValueError` in Python, a `TypeError` in Node. Raised for the core kind `invalid_argument`. */
export declare class InvalidArgumentError extends TypeError {
  constructor(message?: string, fields?: Partial<QoderErrorFields>);
}
export interface InvalidArgumentError extends QoderErrorFields {}
/** The call was cancelled (a cancelled task, an aborted signal). Raised for the core kind `cancelled`. */
export declare class RequestCancelledError extends QoderError {}
/** The client was closed: before the call, or while it was in flight. Raised for the core kind `client_closed`. */
export declare class ClientClosedError extends RequestCancelledError {}
/** A local emulator (`testing`) exited, or reported no address in time, at startup; the message has its command line and the tail of its stderr. Raised for the core kind `emulator_startup`. */
export declare class EmulatorStartupError extends QoderError {}
// --- END GENERATED ---
/** The earlier name of `RequestCancelledError` (the same class). */
export declare const APIUserAbortError: typeof RequestCancelledError;
export type APIUserAbortError = RequestCancelledError;

// ───────────────────────────── Shared shapes ─────────────────────────────

/** Flat string → string map (≤16 keys). In updates a `null` value deletes the key. */
export type Metadata = Record<string, string>;
export type MetadataPatch = Record<string, string | null>;

/** A delete tombstone, e.g. `{ id, type: "environment_deleted" }` (generic over its `type`). */
export interface Deleted<T extends string = string> {
  id: string;
  type: T;
}

export type Effort = 'none' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';
export type SessionStatus = 'idle' | 'running' | 'rescheduling' | 'terminated';
export type MemoryView = 'basic' | 'full';
export type DreamStatus = 'pending' | 'running' | 'completed' | 'failed' | 'canceled';

/** A session's `agent`: an id, a pinned version, or a version with overrides (earlier name of `SessionAgentParam`). */
export type AgentParam = SessionAgentParam;

// Result, content and event shapes are generated from docs/schema.json (scripts/gen-models.js,
// in index.d.ts). Earlier names, kept:

/** @deprecated Use `CancelAck`. */
export type SessionCancelAck = CancelAck;
/** @deprecated Use `VaultCredential`. */
export type Credential = VaultCredential;

/** @deprecated Use `UnknownContentBlock`. */
export type UnknownBlock = UnknownContentBlock;
/** Blocks of user input. */
export type UserContentBlock = TextBlock | ImageBlock | DocumentBlock | RedactedBlock;
/** Blocks of agent output. */
export type AgentContentBlock = ContentBlock;
/** Blocks of tool results. */
export type ToolResultContentBlock = ContentBlock;
/** Where an image or document block's data comes from. */
export type MediaSource = ContentSource;
/** What a stream yields (`SessionStreamEvent`). */
export type StreamEvent = SessionStreamEvent;
/** The envelope fields every persisted event carries. */
export type EventBase = Omit<UserInterruptEvent, 'type'>;
/**
 * Placeholder `type` of an event this SDK version does not model. At run time `event.type` is
 * the server's actual (new) type string; compare a new type with `(event.type as string) === '...'`,
 * or use `isKnownEventType()`.
 */
export type UnknownEventType = '<unknown>';

/** Every event `type` this SDK version models (persisted and preview). */
export type KnownEventType = Exclude<StreamEvent['type'], UnknownEventType>;

/** Whether `type` is one this SDK version models (false for events added later). */
export declare function isKnownEventType(type: string): type is KnownEventType;

// Input events (`sessions.events.send`).

// Their types are generated from the core's request types (`…EventParam`); these are the earlier names.
export type UserMessageParam = UserMessageEventParam;
export type UserInterruptParam = UserInterruptEventParam;
export type UserToolConfirmationParam = UserToolConfirmationEventParam;
export type UserCustomToolResultParam = UserCustomToolResultEventParam;
export type UserDefineOutcomeParam = UserDefineOutcomeEventParam;
export type UserToolResultParam = UserToolResultEventParam;
export type SystemMessageParam = SystemMessageEventParam;
export type InputEvent = InputEventParam;

/** @deprecated Use `UnknownAgentTool`. */
export type OtherTool = UnknownAgentTool;
/** @deprecated Use `CredentialAuthParam`. */
export type CredentialAuthCreate = CredentialAuthParam;
/** @deprecated Use `CredentialAuthUpdateParam`. */
export type CredentialAuthUpdate = CredentialAuthUpdateParam;

// ───────────────────────────── Uploads and downloads ─────────────────────────────

/**
 * Upload content: a path (string or `file:` URL; streamed, re-opened on every retry), bytes
 * (Buffer, Uint8Array, ArrayBuffer), a Blob/File, or an `fs.ReadStream` (its path is used).
 */
export type Uploadable = string | URL | Uint8Array | ArrayBuffer | Blob | import('node:fs').ReadStream;

export interface FileUploadParams extends CommonParams {
  file: Uploadable;
  /** Filename reported for bytes (default: the path's name, the Blob's name, or `file`). */
  filename?: string;
  /** Name override stored on the file. */
  name?: string;
  metadata?: Metadata;
  expires_in_seconds?: number;
  purpose?: 'user_upload' | 'tool_output' | 'skill_output' | 'session_resource' | 'agent_output' | (string & {});
}

/** One file of a skill: its path inside the skill (e.g. `my-skill/SKILL.md`) and its content. */
export interface SkillFileParam {
  path: string;
  /** The content (text is UTF-8 encoded). */
  content?: string | Uint8Array | ArrayBuffer;
  /** A path on disk to read the content from instead. */
  file?: string;
}

/** A skill's files: a directory holding `SKILL.md`, or the files themselves. */
export type SkillSource =
  | { directory: string; files?: never; zip?: never }
  | { files: SkillFileParam[]; directory?: never; zip?: never }
  | { zip: { path: string; data?: Buffer | Uint8Array; file?: string }; files?: never; directory?: never };

export type SkillCreateParams = CommonParams & SkillSource & { display_title?: string; metadata?: Metadata };
export type SkillVersionCreateParams = CommonParams & SkillSource;

/**
 * A downloaded body, not read yet. Read it once: `buffer()`, `arrayBuffer()`, `text()`,
 * `save(path)`, or `for await (const chunk of response)`.
 */
export declare class BinaryResponse implements AsyncIterable<Buffer> {
  private constructor();
  readonly contentType: string | null;
  readonly contentLength: number | null;
  readonly requestId: string | null;
  readonly httpStatus: number;
  buffer(): Promise<Buffer>;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(encoding?: BufferEncoding): Promise<string>;
  /** Streams the body to a file (temporary name, then renamed); resolves the byte count. */
  save(path: string): Promise<number>;
  /** Drops the connection and the unread body. */
  close(): void;
  [Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined>;
}

// ───────────────────────────── Turn helper and delta accumulator ─────────────────────────────

export interface TurnOptions {
  /** Receive `agent.message` previews (passed to `onEvent`). */
  eventDeltas?: boolean;
  /**
   * Called for every event of the turn, previews included, before the Promise settles. A throw
   * aborts the turn and the Promise rejects with it.
   */
  onEvent?: (event: StreamEvent) => void;
  /** Idempotency key of the send (minted when absent; reused across its retries). */
  idempotencyKey?: string;
  idleTimeout?: number;
  maxReconnectAttempts?: number;
  signal?: AbortSignal | null;
  timeout?: number;
  totalDeadline?: number;
  maxRetries?: number;
  headers?: Record<string, string | number | boolean | ReadonlyArray<string> | null | undefined>;
  query?: Record<string, QueryValue>;
}

/** What a turn produced. */
export interface TurnResult {
  /** The echoed input events, with server ids. */
  sent: SessionEvent[];
  /** The turn's `agent.message` events, in order. */
  messages: AgentMessageEvent[];
  /** The closing idle's stop reason; `null` when the session terminated. */
  stopReason: StopReason | null;
  /** Events awaiting a reply (`requires_action`). */
  blockingEventIds: string[];
  /** Token usage summed over the turn's model requests. */
  usage: Record<string, number>;
  /** Every persisted event of the turn, in order. */
  events: SessionEvent[];
  /** True when the session terminated (or was deleted) during the turn. */
  terminated: boolean;
  /** Request id of the send. */
  requestId: string | null;
  /** The text of every agent message, joined with newlines. */
  text: string;
  /**
   * `runTools` only: blocking events left to the caller (confirmations that no policy decided,
   * or blocking events of a kind the runner does not handle).
   */
  pending?: Array<AgentToolUseEvent | AgentMcpToolUseEvent | SessionEvent>;
  /** `runTools` only: every reply it sent, in order. */
  replies?: Array<UserCustomToolResultEvent | UserToolConfirmationEvent>;
}

/** What a custom tool handler gets besides the tool's input. */
export interface ToolCallContext {
  /** The `agent.custom_tool_use` event id (the result answers it). */
  id: string;
  /** The tool's name. */
  name: string;
  /** The sub-agent thread that made the call, if any. */
  sessionThreadId: string | null;
  /** Aborted when the run ends or is aborted before the handler finished. */
  signal: AbortSignal;
}

/**
 * A custom tool's handler: gets the parsed input, returns the result (a string becomes one text
 * block, an array of content blocks is sent as is, anything else as its JSON text). A throw is
 * sent as an error result carrying `"Name: message"`.
 */
export type ToolHandler = (input: any, context: ToolCallContext) => unknown | Promise<unknown>;

/**
 * Answers a tool confirmation (`evaluated_permission: "ask"`): `true` allows, `false` denies, a
 * string denies with that message, `null`/`undefined` leaves it to the caller (`pending`).
 */
export type ConfirmCallback = (
  event: AgentToolUseEvent | AgentMcpToolUseEvent,
) => boolean | string | null | undefined | Promise<boolean | string | null | undefined>;

/** What `sessions.runTools` sends and how it answers the agent. */
export interface RunToolsParams {
  /** A text `user.message` to send first. */
  text?: string;
  /** Input events to send first (instead of `text`). With neither, the run resumes the session. */
  events?: InputEvent[];
  /** Handlers of the agent's custom tools, by tool name. */
  tools?: Record<string, ToolHandler>;
  /** Answers tool confirmations (or use `allowTools` / `denyTools`). */
  confirm?: ConfirmCallback;
  /** Tool names confirmed with `allow`. */
  allowTools?: string[];
  /** Tool names answered with `deny`. */
  denyTools?: string[];
  /** The message sent with a denial from `denyTools`. */
  denyMessage?: string;
}

/** Settings of an `EnvironmentWorker` (durations in ms). */
export interface EnvironmentWorkerOptions {
  /** The `Worker-ID` (default: a fresh `qoder-worker-<uuid>`). */
  workerId?: string;
  /** Longest a poll waits for work (at most 30 000; default 10 000). */
  pollWait?: number;
  /** Lease asked for on each heartbeat (default 30 000; beats every third of it). */
  lease?: number;
  /** Also take over items whose holder has been silent this long. */
  reclaimOlderThan?: number;
  /** Items run at once (default 1). */
  maxConcurrency?: number;
  /** How long running handlers get to settle after `shutdown()` (default 30 000). */
  shutdownGrace?: number;
}

/** What an `EnvironmentWorker` did, once it shut down. */
export interface WorkerReport {
  /** Items whose handler resolved. */
  completed: number;
  /** Items whose handler threw or rejected. */
  failed: number;
  /** Items ended early: a stop request, a lost lease, or shutdown. */
  stopped: number;
}

/**
 * A self-hosted environment worker: polls the environment's work queue, acknowledges each item,
 * calls `handler(work, { signal })` while it keeps the lease alive (compare-and-set heartbeats),
 * honours stop requests, and never runs an item twice. `signal` aborts on a stop request, a lost
 * lease or shutdown.
 */
export declare class EnvironmentWorker {
  constructor(
    client: Client,
    environmentId: string,
    handler: (work: Work, context: { signal: AbortSignal }) => void | Promise<void>,
    options?: EnvironmentWorkerOptions,
  );
  /** Runs until `shutdown()`; resolves once running handlers ended (or their grace passed). Once per worker. */
  run(): Promise<WorkerReport>;
  /** Stops polling; running handlers' signals abort. Idempotent, safe from a signal handler. */
  shutdown(): void;
}

/** The arguments of `customTool`. */
export interface CustomToolSpec {
  /** 1–128 characters. */
  name: string;
  /** At most 4,096 characters. */
  description: string;
  /** A JSON Schema object of `type: "object"`. */
  inputSchema: Record<string, unknown> & { type: 'object' };
}

/** A message (or thinking block) as known so far. */
export interface MessageSnapshot {
  /** The event id (a preview's id equals the final event's). */
  id: string;
  type: 'agent.message' | 'agent.thinking' | (string & {});
  /** Text per content index. */
  blocks: string[];
  /** All blocks joined. */
  text: string;
  /** True once the final event arrived. */
  isFinal: boolean;
  /** The final event, once it arrived. */
  finalEvent: AgentMessageEvent | AgentThinkingEvent | null;
}

/**
 * Folds `event_start` / `event_delta` previews into growing message snapshots; the final
 * `agent.message` replaces the preview. Feed it every event of a stream, in order.
 */
export declare class DeltaAccumulator {
  constructor();
  /** Folds one event in; returns the snapshot it changed, or `null`. */
  push(event: StreamEvent): MessageSnapshot | null;
  /** Previews whose final event has not arrived yet. */
  inProgress(): MessageSnapshot[];
}

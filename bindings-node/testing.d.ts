// Types of `qoder-cloud/testing`: offline test helpers around the local `qoder-emulator`.

import type { Client, ClientOptions } from './index';

/**
 * Options of {@link startEmulator}. They mirror the `qoder-emulator` command-line flags in
 * camelCase; every one is optional. Unknown keys and values of the wrong type or range throw
 * (synchronously) an `InvalidArgumentError` (a `TypeError`) whose message and `param` name the
 * option. The checks are the core's, shared with Python's `Emulator`.
 */
export interface EmulatorOptions {
  /** Bind address (`--host`). Default `127.0.0.1`. */
  host?: string;
  /** API path prefix (`--prefix`). Default `/api/v1/cloud`; `''` serves the API at the root. */
  prefix?: string;
  /** Region behaviour (`--region`): `cn` lowers the default body limit to 4 MiB like the real gateway. Default `global`. */
  region?: 'global' | 'cn';
  /** Request body limit in bytes (`--max-body-bytes`). Default: the region's (32 MiB global, 4 MiB cn). */
  maxBodyBytes?: number;
  /** Interval between SSE `: keep-alive` comments in ms (`--keepalive-ms`, positive). Default 15 000. */
  keepaliveMs?: number;
  /** Delay before each step of a scripted turn in ms (`--turn-delay-ms`), so a test can observe `running`. Default 0. */
  turnDelayMs?: number;
  /** Server-wide fault spec applied to every API request from the start (`--fault`), e.g. `"status=503;count=1"`. A spec the emulator cannot parse makes the start reject with its message. */
  fault?: string;
  /** HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS` per connection (`--h2-max-streams`). Default 200. */
  h2MaxStreams?: number | 'unlimited';
  /** Accepted bearer tokens (`--token`, repeated); at least one. Default: any non-empty token is accepted. `client()` then uses `tokens[0]` unless `accessToken` is given. */
  tokens?: readonly string[];
  /** Tokens that authenticate but are refused with 403 `permission_error` (`--forbidden-token`, repeated). */
  forbiddenTokens?: readonly string[];
  /** Serve HTTPS (`--tls`): HTTP/2 or HTTP/1.1 by ALPN, with a CA generated for this run (`caPath`); `client()` trusts it through `caCerts`. */
  tls?: boolean;
  /** Further arguments appended verbatim to the emulator's command line. */
  extraArgs?: readonly string[];
  /** How long to wait for the emulator to report it is listening, in ms. Default 30 000. */
  startupTimeout?: number;
  /** The bearer token `client()` sends. Default `tokens[0]` when `tokens` is given, else {@link DEFAULT_ACCESS_TOKEN}. */
  accessToken?: string;
}

/** The document of `GET /_emulator/stats`. Counters start at zero and are cleared by `reset()`. */
export interface EmulatorStats {
  /** API requests per `"METHOD /route-template"` below the prefix (e.g. `"POST /agents"`), plus `unmatched` once a request matched no route. Only keys that were hit appear; control requests are not counted. */
  requests: Record<string, number>;
  /** Sum of all API requests. */
  requests_total: number;
  /** Objects created per type (`agent`, `session`, ...) and persisted events per event type (`agent.message`, ...). */
  objects_created: Record<string, number>;
  /** TCP connections: currently open and accepted in total; with TLS, handshakes and the protocols ALPN chose. */
  connections: {
    open: number;
    total: number;
    tls_handshakes?: number;
    tls_handshake_failures?: number;
    alpn?: { h2?: number; 'http/1.1'?: number; none?: number };
  };
  /** SSE streams: currently open and opened in total. */
  streams: { open: number; total: number };
  /** Requests a fault was applied to. */
  faults_injected: number;
  /** Requests answered from the idempotency store. */
  idempotent_replays: number;
  /** Requests to the signed file-download URLs. */
  storage_requests: number;
  /** Of those, requests that carried an `Authorization` header. */
  storage_requests_with_auth: number;
  /** Counters added by newer emulator versions. */
  [key: string]: unknown;
}

/** The emulator's clock, as returned by {@link Emulator.advanceClock}. */
export interface EmulatorClock {
  /** The emulator's current time, RFC 3339 UTC. */
  now: string;
  /** How far the clock has been advanced, in seconds. */
  offset_seconds: number;
}

/**
 * @deprecated Control calls reject with the SDK's error classes: `InvalidArgumentError` for a
 * value the emulator refuses (a bad fault spec), `APIStatusError` subclasses for other statuses,
 * `APIConnectionError` once the emulator is gone.
 */
export type EmulatorControlError = import('./index').QoderError;

/** A running emulator, as resolved by {@link startEmulator}. */
export interface Emulator {
  /** The API base URL to give a client, e.g. `http://127.0.0.1:40123/api/v1/cloud` (no trailing slash). */
  readonly baseUrl: string;
  /** Scheme, host and port, e.g. `http://127.0.0.1:40123`; the control endpoints live under `${origin}/_emulator/`. */
  readonly origin: string;
  /** The bearer token `client()` uses. */
  readonly accessToken: string;
  /** With `tls: true`, the PEM file of the emulator's generated CA (else `null`): pass it as `caCerts`, or set `NODE_EXTRA_CA_CERTS` / `SSL_CERT_FILE` to it, for clients of your own. */
  readonly caPath: string | null;
  /** Process id of the emulator. */
  readonly pid: number;
  /**
   * A new `Client` pointed at this emulator: `new Client({ baseURL, accessToken, ...overrides })`.
   * The caller owns it (`client.close()` when done; `close()` of the emulator does not close it).
   * @param overrides Client options that win over the defaults, e.g. `{ maxRetries: 0 }`.
   */
  client(overrides?: ClientOptions): Client;
  /**
   * Sets the server-wide fault spec applied to every later API request (`null` clears it and
   * resets its counter). Rejects with an `InvalidArgumentError` (`param: "spec"`, the emulator's
   * message) when the spec cannot be parsed.
   * @param spec e.g. `"status=503;count=1"` or `"path=/agents;method=POST;status=429;retry-after=1"`.
   */
  setFault(spec: string | null): Promise<void>;
  /** The emulator's counters (`GET /_emulator/stats`). */
  stats(): Promise<EmulatorStats>;
  /** Drops every resource, idempotency key and counter, and ends open streams and turns (`POST /_emulator/reset`). */
  reset(): Promise<void>;
  /**
   * Moves the emulator's clock forward (timestamps, idempotency retention, dream progress).
   * @param seconds A non-negative number of seconds (fractions allowed).
   * @returns The clock after the move.
   */
  advanceClock(seconds: number): Promise<EmulatorClock>;
  /**
   * Stops the emulator: closes its stdin, waits for it to exit (SIGKILL after 5 s). Idempotent;
   * every call returns the same Promise.
   */
  close(): Promise<void>;
  /** `await using emu = await startEmulator()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The bearer token `client()` sends by default: `'pt-qoder-emulator'`. */
export declare const DEFAULT_ACCESS_TOKEN: string;

/**
 * Starts a local emulator of the Qoder Cloud Agents API on an ephemeral port and resolves once it
 * is listening.
 *
 * The binary is the one named by env `QODER_EMULATOR_BIN`, else the prebuilt `qoder-emulator` of
 * this platform's package. The emulator stops when `close()` is called, when this process exits,
 * and — because its stdin is a pipe from this process — even when this process is killed. A
 * forgotten emulator never keeps the test runner alive.
 *
 * @throws {InvalidArgumentError} Synchronously, for an unknown option or an invalid value (the message and `param` name it).
 * @returns A Promise that rejects when no binary is available, or with an `EmulatorStartupError`
 *   when it cannot be run, exits before it is ready, or says nothing for `startupTimeout` ms; the
 *   message includes its command line and stderr.
 *
 * @example
 * const { startEmulator } = require('qoder-cloud/testing');
 * const emu = await startEmulator();
 * const client = emu.client({ maxRetries: 0 });
 * const agent = await client.agents.create({ name: 'a', model: 'auto' });
 * client.close();
 * await emu.close();
 */
export declare function startEmulator(options?: EmulatorOptions): Promise<Emulator>;

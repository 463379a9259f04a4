#!/usr/bin/env node
'use strict';
// Generates index.d.ts: a re-export of the hand-written types of lib/types.d.ts, the event, content
// and request-argument types of docs/schema.json (scripts/gen-models.js, which also writes lib/events.js's list), then one resource
// interface per namespace of the core's operation table (core/operations.json), so the typed
// surface has exactly the methods the runtime builds. `node scripts/gen-dts.js --check` fails
// when index.d.ts is stale (the test suite runs it).

const fs = require('node:fs');
const path = require('node:path');
const { declarations, eventsModule } = require('./gen-models');

const root = path.resolve(__dirname, '..');
const OPS = JSON.parse(fs.readFileSync(path.join(root, '..', 'core', 'operations.json'), 'utf8'));

/** Helpers beyond the operation table, per namespace. */
const EXTRA = {
  sessions: [
    '  /** Sends `text` as a `user.message` and resolves when the turn is over (the core\'s turn helper). */',
    '  runTurn(sessionId: string, text: string, options?: TurnOptions): Promise<TurnResult>;',
    '  /** Sends input events (tool confirmations, custom tool results, ...) and resolves when the turn is over. */',
    '  sendAndWait(sessionId: string, params: { events: InputEvent[] }, options?: TurnOptions): Promise<TurnResult>;',
    '  /**',
    '   * Sends `text` (or `events`) and drives the session until the turn ends: runs the agent\'s custom',
    '   * tools through `tools` (concurrently; a throw becomes an error result) and answers tool confirmations',
    '   * through `confirm` or `allowTools` / `denyTools`. Each result is sent once, across retries and dropped',
    '   * streams. With neither `text` nor `events` it answers what the session waits for now. Aborting the',
    '   * signal aborts the running handlers\' signals.',
    '   */',
    '  runTools(sessionId: string, params?: RunToolsParams, options?: TurnOptions): Promise<TurnResult>;',
  ],
};

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = (s) => camel(s).replace(/^./, (c) => c.toUpperCase());

/** Interface name of a namespace, e.g. `sessions.threads.events` → `SessionsThreadsEventsResource`. */
function ifaceName(ns) {
  return ns.split('.').map(pascal).join('') + 'Resource';
}

function pathParams(p) {
  return [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

/** The declared result of `op` (of a page's items), from the operation table. */
function resultType(op) {
  if (op.response === 'stream') return 'StreamEvent';
  if (op.response === 'binary' || op.response === 'download_link') return 'BinaryResponse';
  if (op.result_one_of && op.result_one_of.length) return op.result_one_of.join(' | ');
  if (!op.result) throw new Error(`gen-dts: ${op.name} has no result type in core/operations.json`);
  return op.result_tag ? `${op.result}<'${op.result_tag}'>` : op.result;
}

function methodLines(op) {
  const name = camel(op.name.split('.').pop());
  const doc = `  /** \`${op.method} ${op.path}\` (\`${op.name}\`) */`;
  const pp = pathParams(op.path);
  const target = pp.length ? pp[pp.length - 1] : null;
  const ancestors = pp.slice(0, -1);
  const idArg = target ? `${camel(target)}: string, ` : '';
  const anc = ancestors.length ? ` & { ${ancestors.map((a) => `${a}: string`).join('; ')} }` : '';
  // The arguments interface: generated from docs/schema.json (upload ones are in head.d.ts).
  const params = op.params;
  const result = resultType(op);
  if (op.response === 'stream') {
    const p = `StreamOptions & CommonParams${anc}`;
    const opt = ancestors.length ? '' : '?';
    return [doc, `  ${name}(${idArg}params${opt}: ${p}, options?: StreamOptions): Stream<${result}>;`];
  }
  const paginated = op.response === 'page' || op.response === 'models_page';
  let ret;
  if (paginated) ret = `PagePromise<${result}>`;
  else if (op.response === 'optional_object') ret = `Promise<APIResult<${result}> | null>`;
  else if (op.response === 'binary' || op.response === 'download_link') ret = `Promise<${result}>`;
  else ret = `Promise<APIResult<${result}>>`;
  const p = `${params || 'CommonParams'}${anc}`;
  const required = ancestors.length > 0 || (op.body !== 'none' && (op.required || []).length > 0);
  if (required) return [doc, `  ${name}(${idArg}params: ${p}, options?: RequestOptions): ${ret};`];
  // The two overloads (`options` alone, or `params` then `options`) are written once, in IdCall / OptionalCall.
  return [doc, `  readonly ${name}: ${target ? 'IdCall' : 'OptionalCall'}<${p}, ${ret}>;`];
}

function generate() {
  const hand = fs.readFileSync(path.join(root, 'lib', 'types.d.ts'), 'utf8');
  // namespace → { methods: [op], children: Set<ns> }
  const spaces = new Map();
  const ensure = (ns) => {
    if (!spaces.has(ns)) spaces.set(ns, { ops: [], children: new Set() });
    return spaces.get(ns);
  };
  for (const op of OPS) {
    const parts = op.name.split('.');
    for (let i = 1; i < parts.length; i++) {
      const ns = parts.slice(0, i).join('.');
      ensure(ns);
      if (i > 1) ensure(parts.slice(0, i - 1).join('.')).children.add(ns);
    }
    ensure(parts.slice(0, -1).join('.')).ops.push(op);
  }

  const body = [declarations().trimEnd(), '', '// ───────────────────────────── Resources (generated from core/operations.json) ─────────────────────────────', ''];
  const out = body; // the resource interfaces are appended below; the header is put in front last
  const top = [];
  for (const [ns, info] of spaces) {
    if (!ns.includes('.')) top.push(ns);
    out.push(`/** \`client.${ns.split('.').map(camel).join('.')}\` */`);
    out.push(`export interface ${ifaceName(ns)} {`);
    for (const child of info.children) out.push(`  readonly ${camel(child.split('.').pop())}: ${ifaceName(child)};`);
    for (const op of info.ops) out.push(...methodLines(op));
    if (EXTRA[ns]) out.push(...EXTRA[ns]);
    out.push('}', '');
  }
  out.push(
    '/** One entry of the core operation table the namespaces are built from. */',
    'export interface OperationInfo {',
    '  /** Dotted core name, e.g. `sessions.events.send`. */',
    '  readonly name: string;',
    '  /** The camelCase path under the client, e.g. `sessions.events.send`. */',
    '  readonly jsName: string;',
    '  readonly method: string;',
    '  readonly path: string;',
    "  readonly response: 'object' | 'optional_object' | 'page' | 'models_page' | 'stream' | 'binary' | 'download_link';",
    '  readonly pathParams: readonly string[];',
    '}',
    '',
    '/**',
    ' * A Qoder Cloud Agents API client. Every method returns a Promise (lists: a PagePromise, streams:',
    ' * a Stream) and accepts `RequestOptions` as its last argument.',
    ' */',
    'export declare class Client {',
    '  constructor(options?: ClientOptions);',
  );
  for (const ns of top) out.push(`  readonly ${camel(ns)}: ${ifaceName(ns)};`);
  out.push(
    '  /** The base URL in force. */',
    '  readonly baseURL: string;',
    '  /** Whether `close()` was called. */',
    '  readonly closed: boolean;',
    '  /** Closes the client: in-flight calls reject with `ClientClosedError`, open streams close. Idempotent. */',
    '  close(): void;',
    '  /** The core operation table the namespaces are built from. */',
    '  static readonly operations: readonly OperationInfo[];',
    '}',
    '',
    'export default Client;',
    '',
    '/** Version of this package. */',
    'export declare const VERSION: string;',
    '/** Version of the Rust core the native addon was built from. */',
    'export declare const coreVersion: string;',
    '/** Lower-case hex SHA-256 of `content`: the `content_sha256` precondition of memory updates and deletes. */',
    'export declare function contentSha256(content: string): string;',
    '/** A checked client-executed (`custom`) tool definition for an agent\'s `tools` list; throws InvalidArgumentError naming a bad field. */',
    'export declare function customTool(spec: CustomToolSpec): CustomTool;',
    '',
  );
  // The hand-written names the generated part uses, imported (a type-only module cycle, which
  // TypeScript allows); everything there is re-exported.
  const text = out.join('\n');
  const handNames = [...hand.matchAll(/^export (?:declare )?(?:interface|type|class|const|function) (\w+)/gm)].map((m) => m[1]);
  const used = [...new Set(handNames)].filter((n) => new RegExp(`\\b${n}\\b`).test(text)).sort();
  return [
    '// Type definitions for qoder-cloud, the Node.js SDK of the Qoder Cloud Agents Managed API.',
    '//',
    '// GENERATED by scripts/gen-dts.js from lib/types.d.ts (hand-written, re-exported here),',
    '// docs/schema.json and the core\'s operation table (core/operations.json). Do not edit.',
    '',
    '/// <reference types="node" />',
    '',
    'import type {',
    ...used.map((n) => `  ${n},`),
    "} from './lib/types';",
    "export * from './lib/types';",
    '',
    text,
  ].join('\n');
}

const events = path.join(root, 'lib', 'events.js');
const outputs = [
  [path.join(root, 'index.d.ts'), generate()],
  [events, eventsModule(fs.readFileSync(events, 'utf8'))],
];
for (const [target, text] of outputs) {
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${path.relative(root, target)} is stale: run \`node scripts/gen-dts.js\`\n`);
      process.exit(1);
    }
  } else if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
    fs.writeFileSync(target, text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
  }
}

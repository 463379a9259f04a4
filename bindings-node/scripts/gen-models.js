'use strict';
// The event and content declarations of index.d.ts, and lib/events.js's list of known event
// types, generated from docs/schema.json: the JSON Schema of the core's Rust models
// (core/src/models/schema.rs), the one source of those shapes. gen-dts.js calls `declarations()`;
// `eventsModule()` is the text lib/events.js must have between its GENERATED markers.

const fs = require('node:fs');
const path = require('node:path');

const SCHEMA = path.resolve(__dirname, '..', '..', 'docs', 'schema.json');
const defs = () => JSON.parse(fs.readFileSync(SCHEMA, 'utf8')).$defs;

const refName = (s) => s.$ref.split('/').pop();
/** The list filters on creation time, declared once on a base interface. */
const RANGE = 'CreatedAtRangeParams';
const RANGE_FIELDS = ['created_at_gt', 'created_at_gte', 'created_at_lt', 'created_at_lte'];
const unknownName = (name) => (name === 'SessionEvent' ? 'UnknownEvent' : `Unknown${name}`);
/** Roots of what is generated here; every result object (`x-result`) is one too. */
const ROOTS = ['SessionEvent', 'ContentBlock'];
/** Envelope fields every persisted event has, although input events are sent without them. */
const PERSISTED = { id: 'string' };

function kindOf(d) {
  if (d.oneOf) return 'union';
  if (d.anyOf) return 'alias';
  if (d.type === 'string') return 'enum';
  return 'struct';
}

function jsdoc(text, indent) {
  if (!text) return [];
  const lines = text.trim().replace(/\*\//g, '*\\/').split('\n');
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`), `${indent} */`];
}

class Gen {
  constructor(d) {
    this.defs = d;
    const ev = d.SessionEvent;
    this.events = ev.oneOf.map(refName);
    const only = new Set(ev['x-stream-only'] || []);
    this.streamOnly = new Set(this.events.filter((n) => only.has(d[n].properties.type.const)));
    // The envelope: fields every event declares alike, written once on EventEnvelope
    // (persisted events narrow `id` to `string`: they always have one, previews may not).
    // Only optional fields qualify, so the envelope declares every one with `?`.
    const [first, ...rest] = this.events.map((n) => d[n].properties);
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const optional = (k) => this.events.every((n) => !(d[n].required || []).includes(k));
    this.envelope = Object.fromEntries(
      Object.entries(first).filter(([k, v]) => k !== 'type' && optional(k) && rest.every((p) => same(p[k], v))),
    );
  }

  /** The definitions to declare, each after the ones it refers to (post-order from the roots). */
  reachable() {
    const seen = new Set();
    const order = [];
    const visit = (name) => {
      if (seen.has(name)) return;
      seen.add(name);
      walk(this.defs[name]);
      order.push(name);
    };
    const walk = (node) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return undefined;
      // Request shapes a result refers to are ParamGen's (below).
      if (node.$ref && !isParam(refName(node))) visit(refName(node));
      return Object.values(node).forEach(walk);
    };
    // `Deleted` stays hand-written in lib/types.d.ts: generic over its tombstone `type`.
    const results = Object.keys(this.defs).filter((n) => this.defs[n]['x-result'] && n !== 'Deleted');
    [...ROOTS, ...results].forEach(visit);
    return order;
  }

  ty(s) {
    if (s === true || !s || typeof s !== 'object') return 'unknown';
    if (s.$ref) return refName(s);
    if ('const' in s) return JSON.stringify(s.const).replace(/"/g, "'");
    for (const key of ['anyOf', 'oneOf']) {
      if (s[key]) return s[key].map((a) => (a.type === 'null' ? 'null' : this.ty(a))).join(' | ');
    }
    if (Array.isArray(s.type)) return s.type.map((t) => (t === 'null' ? 'null' : this.ty({ ...s, type: t }))).join(' | ');
    if (s.type === 'string' && s.enum) {
      // An inline enum: its documented values, and any other string when it is open.
      const values = s.enum.filter((v) => v !== null).map((v) => `'${v}'`);
      return [...values, ...(s['x-open'] ? ['(string & {})'] : [])].join(' | ');
    }
    if (s.type === 'array') {
      const item = this.ty(s.items ?? true);
      return item.includes(' ') ? `Array<${item}>` : `${item}[]`;
    }
    if (s.type === 'object') return `Record<string, ${this.ty(s.additionalProperties ?? true)}>`;
    return { string: 'string', integer: 'number', number: 'number', boolean: 'boolean' }[s.type] || 'unknown';
  }

  /**
   * Whether a field is always in the JSON: required, or given a default by the core's decoder
   * (the server always sends those; a `null` default stays visible as `| null`). Fields the
   * server may leave out (no default, or marked `x-optional` by the core) are optional (`?`).
   */
  present(d, field) {
    const f = d.properties[field];
    return (d.required || []).includes(field) || ('default' in f && !f['x-optional']);
  }

  struct(name) {
    const d = this.defs[name];
    const persisted = this.events.includes(name) && !this.streamOnly.has(name);
    const event = this.events.includes(name);
    const base = persisted ? ' extends PersistedEvent' : event ? ' extends EventEnvelope' : '';
    const out = [...jsdoc(d.description, ''), `export interface ${name}${base} {`];
    for (const [field, fs_] of Object.entries(d.properties || {})) {
      if (event && (field in this.envelope || (persisted && PERSISTED[field]))) continue;
      out.push(...jsdoc(fs_.description, '  '));
      // A result's `type` is the one its objects carry (`x-object-type`).
      const t = field === 'type' && d['x-object-type'] ? `'${d['x-object-type']}'` : this.ty(fs_);
      out.push(`  ${field}${this.present(d, field) ? '' : '?'}: ${t};`);
    }
    out.push('}', '');
    return out;
  }

  unknown(name) {
    const doc = `/** A \`${name}\` of a type this version does not model: every field is kept as sent. */`;
    if (name !== 'SessionEvent') return [doc, `export type ${unknownName(name)} = UnknownShape;`, ''];
    // The unknown event keeps the envelope too (its `id` optional: a preview may have none).
    return [doc, 'export interface UnknownEvent extends EventEnvelope, UnknownShape {', '  /** `evt_…`, as on every persisted event. */', '  id?: string;', '}', ''];
  }

  declarations() {
    const out = ['// ───────────────────────────── Results, events and content (generated from docs/schema.json) ─────────────────────────────', ''];
    out.push('/** The fields every event carries (each event interface adds its `type` and own fields). */');
    out.push('export interface EventEnvelope {');
    for (const [field, fs_] of Object.entries(this.envelope)) {
      out.push(...jsdoc(fs_.description, '  '), `  ${field}?: ${this.ty(fs_)};`);
    }
    out.push('}', '');
    out.push('/** An event the server stored: its `id` is always set. */', 'export interface PersistedEvent extends EventEnvelope {');
    out.push(...Object.entries(PERSISTED).map(([k, t]) => `  ${k}: ${t};`), '}', '');
    out.push('/** The unknown arm of an open union: an object of a `type` this version does not model, kept as sent. */');
    out.push('export interface UnknownShape {');
    out.push('  /** Typed as a placeholder so that `switch (x.type)` narrows the union; at run time it is the server\'s type string. */');
    out.push("  type: '<unknown>';", '  [key: string]: unknown;', '}', '');
    for (const name of this.reachable()) {
      const d = this.defs[name];
      const k = kindOf(d);
      if (k === 'struct') out.push(...this.struct(name));
      else if (k === 'enum') {
        out.push(...jsdoc(d.description, ''), `export type ${name} = ${d.enum.map((v) => `'${v}'`).join(' | ')} | (string & {});`, '');
      } else if (k === 'alias') {
        out.push(...jsdoc(d.description, ''), `export type ${name} = ${this.ty({ anyOf: d.anyOf })};`, '');
      } else {
        const arms = d.oneOf.map(refName);
        if (d['x-open']) out.push(...this.unknown(name));
        const open = d['x-open'] ? [unknownName(name)] : [];
        if (name === 'SessionEvent') {
          const persisted = arms.filter((a) => !this.streamOnly.has(a));
          out.push('/** A persisted session or thread event (list results, stream items), discriminated on `type`. */');
          out.push(`export type SessionEvent =\n  | ${[...persisted, ...open].join('\n  | ')};`, '');
          out.push('/** What a stream yields: persisted events and, when asked for, previews. */');
          const previews = arms.filter((a) => this.streamOnly.has(a));
          out.push(`export type SessionStreamEvent = SessionEvent | ${previews.join(' | ')};`, '');
        } else {
          out.push(...jsdoc(d.description, ''), `export type ${name} = ${[...arms, ...open].join(' | ')};`, '');
        }
      }
    }
    return out.join('\n');
  }

  knownTypes() {
    return this.events.map((n) => this.defs[n].properties.type.const);
  }
}

/** Upload arguments are host values (paths, streams, directories): their interfaces stay in lib/types.d.ts. */
const HOST_PARAMS = new Set(['FileUploadParams', 'SkillCreateParams', 'SkillVersionCreateParams']);
const isParam = (n) => n.endsWith('Param') || n.endsWith('Params');

/** Request shapes (`…Param`) and each operation's arguments (`…Params`), from the schema. */
class ParamGen {
  constructor(d) {
    this.defs = d;
  }

  ty(s) {
    if (s === true || !s || typeof s !== 'object') return 'unknown';
    if (s.$ref) {
      const name = refName(s);
      const d = this.defs[name];
      if (isParam(name)) return name;
      return d.oneOf || d.anyOf ? 'unknown' : this.ty(d);
    }
    if ('const' in s) return JSON.stringify(s.const).replace(/"/g, "'");
    for (const key of ['anyOf', 'oneOf']) {
      if (s[key]) return [...new Set(s[key].map((a) => (a.type === 'null' ? 'null' : this.ty(a))))].join(' | ');
    }
    if (Array.isArray(s.type)) return s.type.map((t) => (t === 'null' ? 'null' : this.ty({ ...s, type: t }))).join(' | ');
    if (s['x-upload'] || s.contentEncoding === 'binary') return 'Uploadable';
    if (s.type === 'string') {
      // A nullable enum lists null too; the type list adds `| null` already.
      if (s.enum) return s.enum.filter((v) => v !== null).map((v) => `'${v}'`).join(' | ');
      return s.format === 'date-time' ? 'Timestamp' : 'string';
    }
    if (s.type === 'array') {
      const item = this.ty(s.items ?? true);
      return /[ |&]/.test(item) ? `Array<${item}>` : `${item}[]`;
    }
    if (s.type === 'object') {
      if (s.properties && Object.keys(s.properties).length) return `{ ${this.fields(s).map((f) => f.trim()).join(' ')} }`;
      const extra = s.additionalProperties;
      return `Record<string, ${extra && typeof extra === 'object' ? this.ty(extra) : 'unknown'}>`;
    }
    return { integer: 'number', number: 'number', boolean: 'boolean' }[s.type] || 'unknown';
  }

  fields(d, docs = false) {
    const required = new Set(d.required || []);
    const out = [];
    for (const [field, fs_] of Object.entries(d.properties || {})) {
      if (docs) out.push(...jsdoc(fs_.description, '  '));
      const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `'${field}'`;
      out.push(`  ${key}${required.has(field) ? '' : '?'}: ${this.ty(fs_)};`);
    }
    return out;
  }

  declarations() {
    const out = ['// ───────────────────────────── Request arguments (generated from docs/schema.json) ─────────────────────────────', ''];
    // List filters on creation time share one base (the four bounds, written once).
    const ranged = (d) => RANGE_FIELDS.every((f) => f in (d.properties || {}));
    const first = Object.keys(this.defs).filter(isParam).sort().find((n) => ranged(this.defs[n]));
    if (first) {
      const props = Object.fromEntries(RANGE_FIELDS.map((f) => [f, this.defs[first].properties[f]]));
      out.push('/** Bounds on the creation time of listed objects. */', `export interface ${RANGE} {`, ...this.fields({ properties: props }, true), '}', '');
    }
    for (const name of Object.keys(this.defs).filter(isParam).sort()) {
      if (HOST_PARAMS.has(name)) continue;
      const d = this.defs[name];
      out.push(...jsdoc(d.description, ''));
      if (d.type === 'object' && d.properties && !d.oneOf && !d.anyOf) {
        const bases = [...(name.endsWith('Params') ? ['CommonParams'] : []), ...(ranged(d) ? [RANGE] : [])];
        const own = ranged(d) ? { ...d, properties: Object.fromEntries(Object.entries(d.properties).filter(([k]) => !RANGE_FIELDS.includes(k))) } : d;
        out.push(`export interface ${name}${bases.length ? ` extends ${bases.join(', ')}` : ''} {`, ...this.fields(own, true), '}', '');
      } else {
        out.push(`export type ${name} = ${this.ty(d.oneOf || d.anyOf ? { [d.oneOf ? 'oneOf' : 'anyOf']: d.oneOf || d.anyOf } : d)};`, '');
      }
    }
    return out.join('\n');
  }
}

/** The generated declarations (a section of index.d.ts). */
function declarations() {
  const d = defs();
  return `${new Gen(d).declarations().trimEnd()}\n\n${new ParamGen(d).declarations()}`;
}

const START = '// --- BEGIN GENERATED by scripts/gen-models.js from docs/schema.json ---';
const END = '// --- END GENERATED ---';

/** lib/events.js with its generated part replaced by the schema's event types. */
function eventsModule(current) {
  const types = new Gen(defs()).knownTypes();
  const body = [START, 'const KNOWN_EVENT_TYPES = new Set([', ...types.map((t) => `  '${t}',`), ']);', END].join('\n');
  const i = current.indexOf(START);
  const j = current.indexOf(END);
  if (i < 0 || j < 0) throw new Error('lib/events.js has no GENERATED markers');
  return current.slice(0, i) + body + current.slice(j + END.length);
}

module.exports = { declarations, eventsModule };

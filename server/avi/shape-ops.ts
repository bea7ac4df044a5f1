/**
 * Walks an object together with its compiled shape. Every operation that needs to know which
 * fields exist, which are references and which have defaults goes through here, so the rules
 * (nulls mean "not given", unknown fields are dropped, refs are found by the schema) live once.
 */
import type { FieldShape, Shape } from '../spec/catalog.js';
import { own } from './json-safety.js';

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A copy of the client's body keeping only fields the schema knows, without nulls (Go models
 * send unset fields as null) and without read-only fields (clients PUT back what they GET).
 * Values of the wrong type are kept so that validation can name them.
 */
export function cleanInput(value: Obj, shape: Shape): Obj {
  const out: Obj = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === null || v === undefined) continue;
    const f = shape.fields.get(key);
    if (!f || f.readOnly) continue;
    out[key] = cleanField(v, f);
  }
  return out;
}

function cleanField(v: unknown, f: FieldShape): unknown {
  if (!f.child) return v;
  if (f.kind === 'object') return isObject(v) ? cleanInput(v, f.child) : v;
  if (Array.isArray(v)) {
    const child = f.child;
    return v.filter((item) => item !== null).map((item) => (isObject(item) ? cleanInput(item, child) : item));
  }
  return v;
}

/** Fills schema defaults in place, also inside nested objects and list items that are present. */
export function fillDefaults(obj: Obj, shape: Shape): void {
  if (!shape.hasDefaults) return;
  for (const f of shape.fields.values()) {
    const v = obj[f.name];
    if (v === undefined) {
      if (f.default !== undefined) obj[f.name] = structuredCloneValue(f.default);
      continue;
    }
    if (!f.child || !f.child.hasDefaults) continue;
    if (f.kind === 'object' && isObject(v)) fillDefaults(v, f.child);
    else if (f.kind === 'array' && Array.isArray(v)) {
      for (const item of v) if (isObject(item)) fillDefaults(item, f.child);
    }
  }
}

function structuredCloneValue<T>(v: T): T {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

/** Calls `fn(uuid, type)` for every reference held by a stored (canonical) object. */
export function forEachRef(obj: Obj, shape: Shape, fn: (uuid: string, type: string) => void): void {
  if (!shape.hasRefs) return;
  for (const f of shape.fields.values()) {
    const v = obj[f.name];
    if (v === undefined) continue;
    if (f.ref) {
      if (typeof v === 'string') fn(v, f.ref);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') fn(x, f.ref);
      continue;
    }
    if (!f.child || !f.child.hasRefs) continue;
    if (f.kind === 'object' && isObject(v)) forEachRef(v, f.child, fn);
    else if (Array.isArray(v)) for (const item of v) if (isObject(item)) forEachRef(item, f.child, fn);
  }
}

/**
 * A copy with every reference replaced by `fn(value, targetType)`: incoming refs resolved to
 * uuids, stored uuids rendered as URLs. Subtrees without references are shared with the
 * original rather than copied, so the result must not be mutated where the original must not.
 */
export function mapRefs(obj: Obj, shape: Shape, fn: (value: string, type: string) => string): Obj {
  if (!shape.hasRefs) return obj;
  const out: Obj = { ...obj };
  for (const f of shape.fields.values()) {
    const v = obj[f.name];
    if (v === undefined) continue;
    if (f.ref) {
      if (typeof v === 'string') out[f.name] = fn(v, f.ref);
      else if (Array.isArray(v)) out[f.name] = v.map((x) => (typeof x === 'string' ? fn(x, f.ref!) : x));
      continue;
    }
    const child = f.child;
    if (!child || !child.hasRefs) continue;
    if (f.kind === 'object' && isObject(v)) out[f.name] = mapRefs(v, child, fn);
    else if (Array.isArray(v)) out[f.name] = v.map((item) => (isObject(item) ? mapRefs(item, child, fn) : item));
  }
  return out;
}

/** `skip_default=true`: a copy without the fields whose value equals the schema default. */
export function stripDefaults(obj: Obj, shape: Shape): Obj {
  const out: Obj = {};
  for (const [key, v] of Object.entries(obj)) {
    const f = shape.fields.get(key);
    if (f?.default !== undefined && deepEqual(f.default, v)) continue;
    if (f?.child && f.kind === 'object' && isObject(v)) out[key] = stripDefaults(v, f.child);
    else if (f?.child && Array.isArray(v)) {
      const child = f.child;
      out[key] = v.map((item) => (isObject(item) ? stripDefaults(item, child) : item));
    } else out[key] = v;
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

/** True when every field given in `part` equals the same field of `whole` (recursively). */
export function deepIncludes(whole: unknown, part: unknown): boolean {
  if (isObject(part) && isObject(whole)) {
    return Object.keys(part).every((k) => deepIncludes(own(whole, k), part[k]));
  }
  return deepEqual(whole, part);
}

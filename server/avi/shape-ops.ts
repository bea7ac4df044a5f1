/**
 * Walks an object together with its compiled shape. Every operation that needs to know which
 * fields exist, which are references and which have defaults goes through here, so the rules
 * (nulls mean "not given", unknown fields are dropped, refs are found by the schema) live once.
 */
import type { FieldShape, Shape, ValueRule } from '../core/catalog.js';
import { own } from '../core/json-safety.js';

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A copy of the client's body keeping only fields the schema knows, without nulls (Go models
 * send unset fields as null) and without read-only fields (clients PUT back what they GET).
 * An empty string in a ref field, or as an entry of a list of refs, means "not set" too (AKO
 * sends `"error_page_profile_ref": ""`). Scalars sent as text are read as the schema's type
 * where the text is unambiguous (see `coerceScalar`). Values of the wrong type are otherwise
 * kept so that validation can name them.
 */
export function cleanInput(value: Obj, shape: Shape): Obj {
  const out: Obj = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === null || v === undefined) continue;
    const f = shape.fields.get(key);
    if (!f || f.readOnly) continue;
    const cleaned = cleanField(v, f);
    if (cleaned !== undefined) out[key] = cleaned;
  }
  return out;
}

/** The cleaned value of one field, or undefined when it is to be treated as absent. */
function cleanField(v: unknown, f: FieldShape): unknown {
  if (f.ref) return cleanRef(v);
  if (!f.child) {
    const rule = f.rule;
    if (!rule) return v;
    return f.kind === 'array' && Array.isArray(v) ? v.map((x) => coerceScalar(x, rule)) : coerceScalar(v, rule);
  }
  if (f.kind === 'object') return isObject(v) ? cleanInput(v, f.child) : v;
  if (Array.isArray(v)) {
    const child = f.child;
    return v.filter((item) => item !== null).map((item) => (isObject(item) ? cleanInput(item, child) : item));
  }
  return v;
}

/** `""` is no ref; a list of refs loses its `""` entries and is absent when nothing is left. */
function cleanRef(v: unknown): unknown {
  if (v === '') return undefined;
  if (!Array.isArray(v)) return v;
  const kept = v.filter((x) => x !== null && x !== '');
  return kept.length === 0 && v.length > 0 ? undefined : kept;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Text for a boolean, integer or number field read as that type, as the controller's parser
 * does: `"true"`/`"false"` (any letter case) for booleans, decimal digits for integers (within
 * the exactly representable range), decimal notation for numbers. Anything else is left as
 * sent, so validation answers with the field's name.
 */
function coerceScalar(v: unknown, rule: ValueRule): unknown {
  if (typeof v !== 'string') return v;
  switch (rule.type) {
    case 'boolean': {
      const text = v.toLowerCase();
      return text === 'true' ? true : text === 'false' ? false : v;
    }
    case 'integer': {
      const n = INTEGER_TEXT.test(v) ? Number(v) : NaN;
      return Number.isSafeInteger(n) ? n : v;
    }
    case 'number': {
      const n = DECIMAL_TEXT.test(v) ? Number(v) : NaN;
      return Number.isFinite(n) ? n : v;
    }
    default:
      return v;
  }
}

/**
 * Fills defaults in place, also inside nested objects and list items that are present. `fills`
 * is what the controller itself adds when the client leaves it out (a type's `fills`, see
 * server/avi/behaviour.ts): its values are copied in where the object has none, its objects
 * merged at every depth; a sub-object it adds gets its schema defaults like one the client sent.
 */
export function fillDefaults(obj: Obj, shape: Shape, fills?: Obj): void {
  if (fills) {
    for (const [key, value] of Object.entries(fills)) {
      if (obj[key] === undefined) obj[key] = structuredCloneValue(value);
    }
  }
  if (!shape.hasDefaults && !fills) return;
  for (const f of shape.fields.values()) {
    const v = obj[f.name];
    if (v === undefined) {
      if (f.default !== undefined) obj[f.name] = structuredCloneValue(f.default);
      continue;
    }
    const sub = fills && Object.hasOwn(fills, f.name) && isObject(fills[f.name]) ? (fills[f.name] as Obj) : undefined;
    if (!f.child || !(f.child.hasDefaults || sub)) continue;
    if (f.kind === 'object' && isObject(v)) fillDefaults(v, f.child, sub);
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

/**
 * `skip_default=true`: a copy without the fields whose value equals the schema default. What
 * that leaves empty goes too, as if never set: a sub-object with nothing left, an empty list.
 * A list keeps its items (their number is part of what the client configured), an item left
 * with nothing but its defaults as `{}`.
 */
export function stripDefaults(obj: Obj, shape: Shape): Obj {
  const out: Obj = {};
  for (const [key, v] of Object.entries(obj)) {
    const f = shape.fields.get(key);
    if (!f) {
      out[key] = v; // not in the schema (derived fields such as `vip_runtime`): shown as is
      continue;
    }
    if (f.default !== undefined && deepEqual(f.default, v)) continue;
    const child = f.child;
    if (f.kind === 'object' && child && isObject(v)) {
      const kept = stripDefaults(v, child);
      if (Object.keys(kept).length) out[key] = kept;
    } else if (f.kind === 'array' && Array.isArray(v)) {
      if (v.length) out[key] = child ? v.map((item) => (isObject(item) ? stripDefaults(item, child) : item)) : v;
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

/**
 * What every JSON body a client sends must satisfy before any handler walks it: a bounded
 * nesting depth (walks over client data recurse, and V8's JSON.stringify and structuredClone
 * overflow the stack a few thousand levels down) and no `__proto__` key (a later copy by
 * assignment would change an object's prototype). Nothing here recurses.
 */

/**
 * Deepest nesting accepted, counting every object and list (`{}` is 1). The deepest body a schema
 * of the document allows is 17 levels (an Alert's event details down to a GSLB pool server's
 * oper_status); the API's wrappers add a few (a json_patch value 3, a snapshot import 4, each
 * macro child 1 or 2). 64 leaves room for all of them and stays far below the depth at which
 * a recursive walk or JSON.stringify fails.
 */
export const MAX_JSON_DEPTH = 64;

/** Keys that reach an object's prototype machinery rather than its own data. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A body refused before it is used; the message names the problem, the caller adds its format. */
export class UnsafeJson extends Error {}

export const tooDeep = () => new UnsafeJson(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);

const OPEN_OBJECT = 0x7b;
const OPEN_LIST = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_LIST = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the JSON text nests deeper than `max`, found from the text alone (before anything is
 * built from it). Brackets inside strings do not count; in UTF-8, bytes of other characters never
 * equal an ASCII bracket or quote, so the bytes can be scanned as they came.
 */
export function textNestsDeeperThan(text: Buffer | string, max = MAX_JSON_DEPTH): boolean {
  // the scan runs over every body: bytes are read straight from the buffer, no per-byte call
  const bytes = typeof text === 'string' ? undefined : text;
  const chars = typeof text === 'string' ? text : '';
  const length = text.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = bytes ? bytes[i]! : chars.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_LIST) {
      if (++depth > max) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_LIST) depth--;
  }
  return false;
}

/**
 * True when the value nests deeper than `max` (a value that is no object or list is depth 0).
 * A node reached again (YAML aliases share them) is walked again only from a deeper place, so
 * shared subtrees cost their size, not the number of paths to them.
 */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  const seen = new Map<object, number>();
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    if ((seen.get(v) ?? 0) >= depth) continue;
    seen.set(v, depth);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * The dotted path of the first own `__proto__` key in the value, if it has one. Each node is
 * looked at once, however many paths lead to it (YAML aliases).
 */
export function protoKeyPath(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  const seen = new Set<object>();
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
      continue;
    }
    const keys = Object.keys(v);
    for (const k of keys) if (k === '__proto__') return path ? `${path}.${k}` : k;
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      stack.push([(v as Record<string, unknown>)[k], path ? `${path}.${k}` : k]);
    }
  }
  return undefined;
}

/**
 * A client's JSON text parsed, or an error: a SyntaxError for text that is not JSON (the caller
 * words it as its API does), UnsafeJson for nesting past MAX_JSON_DEPTH or a `__proto__` key.
 */
export function parseClientJson(text: Buffer | string): unknown {
  if (textNestsDeeperThan(text)) throw tooDeep();
  const json = typeof text === 'string' ? text : text.toString('utf8');
  const value: unknown = JSON.parse(json);
  // `__proto__` can only be a key if the text spells it, plainly or through a \u escape; the
  // native searches keep the common body from being walked a second time.
  if (json.includes('__proto__') || json.includes('\\u')) checkKeys(value);
  return value;
}

/** Refuses a parsed body (JSON or form) holding a `__proto__` key. */
export function checkKeys(value: unknown): void {
  const at = protoKeyPath(value);
  if (at !== undefined) throw new UnsafeJson(`field '${at}' is not allowed`);
}

/** `obj[key]` when `obj` holds `key` itself; never a value inherited from a prototype. */
export function own(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

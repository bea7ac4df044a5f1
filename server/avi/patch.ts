/**
 * Avi PATCH: `{"add": {...}}` appends to lists and sets scalars, `{"replace": {...}}` sets
 * fields wholesale, `{"delete": {...}}` removes the listed list entries (and resets scalars to
 * their default by removing them), `{"json_patch": [...]}` is RFC 6902. The result is a plain
 * body that the caller runs through the same path as a PUT.
 */
import type { Shape } from '../core/catalog.js';
import { errors } from './errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, own, PROTOTYPE_KEYS } from '../core/json-safety.js';
import { deepIncludes, isObject } from './shape-ops.js';

type Data = Record<string, unknown>;
/** makes a delete entry comparable with stored entries (refs in the same form) */
export type Canonicalise = (entry: Data, shape: Shape) => Data;

/**
 * List entries are matched for `delete` by their natural key where the model has one
 * [inferred: a static route by route_id, a server by ip.addr (+port), a vip by vip_id, a
 * service by port]; otherwise every field the client gave must equal the stored entry's.
 */
const NATURAL_KEYS: Record<string, string[][]> = {
  StaticRoute: [['route_id']],
  Server: [['ip', 'addr'], ['port']],
  Vip: [['vip_id']],
  Service: [['port']],
};

export function applyPatch(current: Data, ops: Data, shape: Shape, canon: Canonicalise): Data {
  const [add, replace, del, json] = ['add', 'replace', 'delete', 'json_patch'].map((k) => own(ops, k));
  if (add === undefined && replace === undefined && del === undefined && json === undefined) {
    throw errors.invalid('Invalid data: PATCH body needs one of add, replace, delete or json_patch');
  }
  let out: Data = structuredClone(current);
  if (add !== undefined) addInto(out, asObject(add, 'add'), shape);
  if (replace !== undefined) {
    // null means "not given" (Go models send unset fields as null): it keeps the current value.
    for (const [key, v] of fieldsOf(asObject(replace, 'replace'))) if (v !== null) out[key] = v;
  }
  if (del !== undefined) deleteFrom(out, asObject(del, 'delete'), shape, canon);
  if (json !== undefined) out = jsonPatch(out, json);
  return out;
}

/**
 * The fields an add/replace/delete names. Keys that would reach the prototype machinery are no
 * field of any model: they are dropped as unknown fields are, never followed or assigned.
 */
function fieldsOf(part: Data): Array<[string, unknown]> {
  return Object.entries(part).filter(([key]) => !PROTOTYPE_KEYS.has(key));
}

function asObject(v: unknown, what: string): Data {
  if (!isObject(v)) throw errors.invalid(`Invalid data: '${what}' must be an object`);
  return v;
}

function addInto(target: Data, add: Data, shape: Shape): void {
  for (const [key, v] of fieldsOf(add)) {
    if (v === null) continue;
    const cur = own(target, key);
    const child = shape.fields.get(key)?.child;
    if (Array.isArray(cur)) target[key] = cur.concat(Array.isArray(v) ? v : [v]);
    else if (isObject(cur) && isObject(v) && child) addInto(cur, v, child);
    else target[key] = v;
  }
}

function deleteFrom(target: Data, del: Data, shape: Shape, canon: Canonicalise): void {
  for (const [key, v] of fieldsOf(del)) {
    const cur = own(target, key);
    const child = shape.fields.get(key)?.child;
    if (!Array.isArray(cur)) {
      delete target[key];
      continue;
    }
    const gone = Array.isArray(v) ? v : [v];
    target[key] = cur.filter((entry) => !gone.some((g) => entryMatches(entry, g, child, canon)));
  }
}

function entryMatches(stored: unknown, given: unknown, shape: Shape | undefined, canon: Canonicalise): boolean {
  if (!shape || !isObject(given) || !isObject(stored)) return deepIncludes(stored, given);
  const keys = NATURAL_KEYS[shape.schema]?.filter((k) => valueAt(given, k) !== undefined);
  if (keys && keys.length) return keys.every((k) => deepIncludes(valueAt(stored, k), valueAt(given, k)));
  return deepIncludes(stored, canon(given, shape));
}

function valueAt(obj: unknown, path: string[]): unknown {
  let v = obj;
  for (const p of path) v = isObject(v) ? own(v, p) : undefined;
  return v;
}

// ---- RFC 6902 ---------------------------------------------------------------------------------
//
// Pointers follow only what the document holds itself: an object's own fields, a list's
// existing indexes. A segment naming the prototype machinery is refused outright, and no
// operation may leave the document nested deeper than a client body may be.

function jsonPatch(doc: Data, ops: unknown): Data {
  if (!Array.isArray(ops)) throw errors.invalid("Invalid data: 'json_patch' must be a list of operations");
  let root: unknown = doc;
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw errors.invalid("Invalid data: each json_patch operation needs 'op' and 'path'");
    }
    const path = pointer(op.path);
    const value = own(op, 'value');
    if (value === undefined && (op.op === 'add' || op.op === 'replace' || op.op === 'test')) {
      throw errors.invalid(`Invalid data: json_patch ${op.op} needs 'value'`);
    }
    switch (op.op) {
      case 'add':
        root = put(root, path, op.path, structuredClone(value), true);
        break;
      case 'replace':
        get(root, path, op.path);
        root = put(root, path, op.path, structuredClone(value), false);
        break;
      case 'remove':
        root = remove(root, path, op.path);
        break;
      case 'move':
      case 'copy': {
        const fromText = own(op, 'from');
        if (typeof fromText !== 'string') throw errors.invalid(`Invalid data: json_patch ${op.op} needs 'from'`);
        const from = pointer(fromText);
        const moved = structuredClone(get(root, from, fromText));
        if (op.op === 'move') root = remove(root, from, fromText);
        root = put(root, path, op.path, moved, true);
        break;
      }
      case 'test': {
        const found = get(root, path, op.path);
        if (!deepIncludes(found, value) || !deepIncludes(value, found)) {
          throw errors.invalid(`Invalid data: json_patch test failed at ${op.path}`);
        }
        break;
      }
      default:
        throw errors.invalid(`Invalid data: unknown json_patch op '${op.op}'`);
    }
  }
  if (!isObject(root)) throw errors.invalid('Invalid data: json_patch must leave an object');
  return root;
}

function pointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw errors.invalid(`Invalid data: bad json_patch path '${p}'`);
  const segments = p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const seg of segments) {
    if (PROTOTYPE_KEYS.has(seg)) throw errors.invalid(`Invalid data: json_patch path '${p}' is not allowed: '${seg}' is not a field`);
  }
  return segments;
}

/** A list index as RFC 6901 writes it (no sign, no leading zero), within `[0, limit]`. */
function indexOf(seg: string, limit: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) return undefined;
  const i = Number(seg);
  return i <= limit ? i : undefined;
}

function get(root: unknown, path: string[], text: string): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v)) {
      const i = indexOf(seg, v.length - 1);
      v = i === undefined ? undefined : v[i];
    } else if (isObject(v)) v = own(v, seg);
    else v = undefined;
    if (v === undefined) throw errors.invalid(`Invalid data: json_patch path '${text}' does not exist`);
  }
  return v;
}

function parentOf(root: unknown, path: string[], text: string): unknown {
  if (path.length === 0) throw errors.invalid(`Invalid data: json_patch path '${text}' names the whole object`);
  return get(root, path.slice(0, -1), text);
}

function put(root: unknown, path: string[], text: string, value: unknown, insert: boolean): unknown {
  // `value` sits below `path.length` levels of the document (the document itself is level 1).
  if (nestsDeeperThan(value, MAX_JSON_DEPTH - path.length)) {
    throw errors.invalid(`Invalid data: json_patch at '${text}' would nest the object deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (path.length === 0) return value;
  const parent = parentOf(root, path, text);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : indexOf(last, parent.length);
    if (i === undefined) throw errors.invalid(`Invalid data: bad json_patch index '${last}'`);
    if (insert) parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isObject(parent)) parent[last] = value;
  else throw errors.invalid(`Invalid data: json_patch path '${text}' does not exist`);
  return root;
}

function remove(root: unknown, path: string[], text: string): unknown {
  const parent = parentOf(root, path, text);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = indexOf(last, parent.length - 1);
    if (i === undefined) throw errors.invalid(`Invalid data: json_patch path '${text}' does not exist`);
    parent.splice(i, 1);
  } else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw errors.invalid(`Invalid data: json_patch path '${text}' does not exist`);
  return root;
}

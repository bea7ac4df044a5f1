/**
 * Avi PATCH: `{"add": {...}}` appends to lists and sets scalars, `{"replace": {...}}` sets
 * fields wholesale, `{"delete": {...}}` removes the listed list entries (and resets scalars to
 * their default by removing them), `{"json_patch": [...]}` is RFC 6902. The result is a plain
 * body that the caller runs through the same path as a PUT.
 */
import type { Shape } from '../spec/catalog.js';
import { errors } from './errors.js';
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
  const known = ['add', 'replace', 'delete', 'json_patch'].filter((k) => ops[k] !== undefined);
  if (known.length === 0) {
    throw errors.invalid('Invalid data: PATCH body needs one of add, replace, delete or json_patch');
  }
  let out: Data = structuredClone(current);
  if (ops.add !== undefined) addInto(out, asObject(ops.add, 'add'), shape);
  if (ops.replace !== undefined) {
    // null means "not given" (Go models send unset fields as null): it keeps the current value.
    for (const [key, v] of Object.entries(asObject(ops.replace, 'replace'))) if (v !== null) out[key] = v;
  }
  if (ops.delete !== undefined) deleteFrom(out, asObject(ops.delete, 'delete'), shape, canon);
  if (ops.json_patch !== undefined) out = jsonPatch(out, ops.json_patch);
  return out;
}

function asObject(v: unknown, what: string): Data {
  if (!isObject(v)) throw errors.invalid(`Invalid data: '${what}' must be an object`);
  return v;
}

function addInto(target: Data, add: Data, shape: Shape): void {
  for (const [key, v] of Object.entries(add)) {
    if (v === null) continue;
    const cur = target[key];
    const child = shape.fields.get(key)?.child;
    if (Array.isArray(cur)) target[key] = cur.concat(Array.isArray(v) ? v : [v]);
    else if (isObject(cur) && isObject(v) && child) addInto(cur, v, child);
    else target[key] = v;
  }
}

function deleteFrom(target: Data, del: Data, shape: Shape, canon: Canonicalise): void {
  for (const [key, v] of Object.entries(del)) {
    const cur = target[key];
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
  for (const p of path) v = isObject(v) ? v[p] : undefined;
  return v;
}

// ---- RFC 6902 ---------------------------------------------------------------------------------

function jsonPatch(doc: Data, ops: unknown): Data {
  if (!Array.isArray(ops)) throw errors.invalid("Invalid data: 'json_patch' must be a list of operations");
  let root: unknown = doc;
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw errors.invalid("Invalid data: each json_patch operation needs 'op' and 'path'");
    }
    const path = pointer(op.path);
    switch (op.op) {
      case 'add':
        root = put(root, path, structuredClone(op.value), true);
        break;
      case 'replace':
        get(root, path, op.path);
        root = put(root, path, structuredClone(op.value), false);
        break;
      case 'remove':
        get(root, path, op.path);
        root = remove(root, path);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw errors.invalid(`Invalid data: json_patch ${op.op} needs 'from'`);
        const from = pointer(op.from);
        const value = structuredClone(get(root, from, op.from));
        if (op.op === 'move') root = remove(root, from);
        root = put(root, path, value, true);
        break;
      }
      case 'test':
        if (!deepIncludes(get(root, path, op.path), op.value) || !deepIncludes(op.value, get(root, path, op.path))) {
          throw errors.invalid(`Invalid data: json_patch test failed at ${op.path}`);
        }
        break;
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
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(root: unknown, path: string[], text: string): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v)) v = v[Number(seg)];
    else if (isObject(v)) v = v[seg];
    else v = undefined;
    if (v === undefined) throw errors.invalid(`Invalid data: json_patch path '${text}' does not exist`);
  }
  return v;
}

function put(root: unknown, path: string[], value: unknown, insert: boolean): unknown {
  if (path.length === 0) return value;
  const parent = get(root, path.slice(0, -1), '/' + path.slice(0, -1).join('/'));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw errors.invalid(`Invalid data: bad json_patch index '${last}'`);
    if (insert) parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isObject(parent)) parent[last] = value;
  else throw errors.invalid(`Invalid data: json_patch path '/${path.join('/')}' does not exist`);
  return root;
}

function remove(root: unknown, path: string[]): unknown {
  const parent = get(root, path.slice(0, -1), '/' + path.slice(0, -1).join('/'));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return root;
}

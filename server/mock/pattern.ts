/**
 * A request pattern, shared by the journal filter, `verify` and fault rules:
 *   { method: "POST", path: "/api/pool*", tenant: "admin", status: 201, body: { name: "web" } }
 * Every field is optional. `method` may list alternatives (`POST|PUT`); `path` is a glob over the path without its query (`*` stays inside
 * one segment, `**` crosses segments); `body` matches when the request body contains it (every
 * field given, recursively; arrays element by element).
 */
import { own } from '../core/json-safety.js';
import { MockError } from './errors.js';

export interface RequestPattern {
  method?: string;
  path?: string;
  tenant?: string;
  status?: number;
  body?: unknown;
}

/** What is known of a request when it is matched (status only once it was answered). */
export interface SeenRequest {
  method: string;
  path: string;
  tenant: string;
  status?: number;
  body?: unknown;
}

const FIELDS = ['method', 'path', 'tenant', 'status', 'body'] as const;

export function parsePattern(raw: unknown, where: string, allowStatus = true): RequestPattern {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new MockError(400, `${where} must be an object`);
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!(FIELDS as readonly string[]).includes(key) || (key === 'status' && !allowStatus)) {
      throw new MockError(400, `${where}: unknown field '${key}' (allowed: ${FIELDS.filter((f) => allowStatus || f !== 'status').join(', ')})`);
    }
  }
  const p: RequestPattern = {};
  if (r.method !== undefined) p.method = text(r.method, `${where}.method`).toUpperCase();
  if (r.path !== undefined) {
    p.path = text(r.path, `${where}.path`);
    if (!p.path.startsWith('/')) throw new MockError(400, `${where}.path must start with '/'`);
  }
  if (r.tenant !== undefined) p.tenant = text(r.tenant, `${where}.tenant`);
  if (r.status !== undefined) {
    const s = Number(r.status);
    if (!Number.isInteger(s) || s < 100 || s > 599) throw new MockError(400, `${where}.status must be an HTTP status code`);
    p.status = s;
  }
  if (r.body !== undefined) p.body = r.body;
  return p;
}

function text(v: unknown, where: string): string {
  if (typeof v !== 'string' || !v) throw new MockError(400, `${where} must be a non-empty string`);
  return v;
}

const globs = new Map<string, RegExp>();

export function globRegex(glob: string): RegExp {
  let re = globs.get(glob);
  if (!re) {
    // `/**` also matches nothing at all: `/api/vsvip/**` covers `/api/vsvip` itself
    const body = glob
      .replace(/\/+$/, '')
      .split(/(\/\*\*|\*\*|\*)/)
      .map((part) => (part === '/**' ? '(?:/.*)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}/?$`);
    if (globs.size > 1000) globs.clear();
    globs.set(glob, re);
  }
  return re;
}

/** How `seen` differs from the pattern, one line per field (empty: it matches). */
export function differences(p: RequestPattern, seen: SeenRequest): string[] {
  const out: string[] = [];
  if (p.method !== undefined && !p.method.split('|').includes(seen.method.toUpperCase())) out.push(`method: expected ${p.method}, got ${seen.method}`);
  if (p.path !== undefined && !globRegex(p.path).test(seen.path)) out.push(`path: expected ${p.path}, got ${seen.path}`);
  if (p.tenant !== undefined && p.tenant !== seen.tenant) out.push(`tenant: expected ${p.tenant}, got ${seen.tenant}`);
  if (p.status !== undefined && p.status !== seen.status) out.push(`status: expected ${p.status}, got ${seen.status ?? 'none'}`);
  if (p.body !== undefined && !contains(seen.body, p.body)) out.push(`body: does not contain ${JSON.stringify(p.body)}`);
  return out;
}

export function matches(p: RequestPattern, seen: SeenRequest): boolean {
  return differences(p, seen).length === 0;
}

/** How many criteria the pattern sets (a near miss differs in fewer than all of them). */
export function criteria(p: RequestPattern): number {
  return FIELDS.filter((f) => p[f] !== undefined).length;
}

/** Whether `actual` holds everything `expected` says. */
export function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length <= actual.length && expected.every((e, i) => contains(actual[i], e));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const a = actual as Record<string, unknown>;
  return Object.entries(expected as Record<string, unknown>).every(([k, v]) => contains(own(a, k), v));
}

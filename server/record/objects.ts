/**
 * The final state of every Avi object a recorded client touched or read: the last
 * representation any answer showed (GET of one, a list's `results`, a POST/PUT/PATCH answer),
 * dropped again when a DELETE succeeds. Written as the scenario's `objects:`.
 */
import { isObject } from '../avi/shape-ops.js';
import { isNsxPath, routePath } from './exchange.js';

export interface SeenObject {
  type: string;
  body: Record<string, unknown>;
}

/** `[https://host]/api/<type>/<id>[#name]`: a rendered ref (or url). */
const REF = /^(?:https?:\/\/[^/\s]+)?\/api\/([A-Za-z0-9_-]+)\/([^/?#\s]+)\/?(?:#.*)?$/;

export class ObjectTracker {
  /** by uuid, in order of first sight (a Map keeps insertion order) */
  private readonly seen = new Map<string, SeenObject>();

  /** One answered request; `body` with secrets already scrubbed. */
  observe(method: string, path: string, status: number, body: unknown): void {
    if (status < 200 || status >= 300 || isNsxPath(path)) return;
    const route = routePath(path);
    if (method === 'DELETE') {
      const m = /^\/api\/[A-Za-z0-9_-]+\/([^/]+)\/?$/.exec(route);
      if (m) this.seen.delete(decodeURIComponent(m[1]!));
      return;
    }
    const query = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
    // a projection or a defaults-skipping list shows part of an object: merge it, do not replace
    const partial = query.has('fields') || query.get('skip_default') === 'true';
    const candidates = isObject(body) && Array.isArray(body.results) ? body.results : Array.isArray(body) ? body : [body];
    for (const o of candidates) {
      if (!isObject(o) || typeof o.uuid !== 'string' || typeof o.url !== 'string') continue;
      const type = /\/api\/([A-Za-z0-9_-]+)/.exec(o.url)?.[1];
      if (!type) continue;
      const before = this.seen.get(o.uuid);
      const merged = partial && before ? { ...before.body, ...o } : o;
      this.seen.set(o.uuid, { type, body: merged });
    }
  }

  get size(): number {
    return this.seen.size;
  }

  /** Each object as a scenario lists it: refs as `/api/<type>/<uuid>`, no `url`/`_last_modified`. */
  list(): SeenObject[] {
    return [...this.seen.values()].map(({ type, body }) => {
      const { url: _url, _last_modified: _lm, ...rest } = body;
      return { type, body: plainRefs(rest) as Record<string, unknown> };
    });
  }
}

/** Every rendered ref inside a value turned into `/api/<type>/<uuid>` (no host, no `#name`). */
export function plainRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainRefs);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainRefs(v)]));
  if (typeof value === 'string') {
    const m = REF.exec(value);
    if (m) return `/api/${m[1]}/${m[2]}`;
  }
  return value;
}

/**
 * The final state of every Avi object a recorded client touched or read: the last
 * representation any answer showed (GET of one, a list's `results`, a POST/PUT/PATCH answer),
 * dropped again when a DELETE succeeds. Written as the scenario's `objects:`.
 */
import { isObject } from '../core/json.js';
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
  /** names learned for uuids (`#name` on refs, objects' own names), kept after a DELETE too */
  private readonly names = new Map<string, string>();
  /** refs the last `list()` left out: their targets were never seen, by uuid or by name */
  dropped: string[] = [];

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
    this.learnNames(body);
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

  /**
   * Each object as a scenario lists it, no `url`/`_last_modified`, loadable on its own base: a
   * ref to a recorded object reads `/api/<type>/<uuid>`; a ref to an object the client never
   * saw (one the controller filled in, such as a pool's VRF) reads `/api/<type>/?name=<name>`
   * when its name showed anywhere, so it resolves in the base scenario, and is left out
   * otherwise (listed in `dropped`; the controller fills it in again on load).
   */
  list(): SeenObject[] {
    this.dropped = [];
    return [...this.seen.values()].map(({ type, body }) => {
      const { url: _url, _last_modified: _lm, ...rest } = body;
      const where = `${type} ${String(body.name ?? body.uuid)}`;
      return { type, body: this.portable(plainRefs(rest), where) as Record<string, unknown> };
    });
  }

  private portable(value: unknown, where: string, field = ''): unknown {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.portable(v, where, `${field}[${i}]`)).filter((v) => v !== DROP);
    }
    if (isObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const p = this.portable(v, where, field ? `${field}.${k}` : k);
        if (p !== DROP) out[k] = p;
      }
      return out;
    }
    const m = typeof value === 'string' ? PLAIN_REF.exec(value) : null;
    if (!m || this.seen.has(m[2]!)) return value;
    const name = this.names.get(m[2]!);
    if (name !== undefined) return `/api/${m[1]}/?name=${encodeURIComponent(name)}`;
    this.dropped.push(`${where}: ${field} -> ${value}`);
    return DROP;
  }

  private learnNames(value: unknown): void {
    if (Array.isArray(value)) for (const v of value) this.learnNames(v);
    else if (isObject(value)) {
      if (typeof value.uuid === 'string' && typeof value.name === 'string') this.names.set(value.uuid, value.name);
      for (const v of Object.values(value)) this.learnNames(v);
    } else if (typeof value === 'string') {
      const m = NAMED_REF.exec(value);
      if (m) this.names.set(m[1]!, decodeURIComponent(m[2]!));
    }
  }
}

const DROP = Symbol('dropped ref');
const PLAIN_REF = /^\/api\/([A-Za-z0-9_-]+)\/([^/?#\s]+)$/;
/** a rendered ref with its name: `[https://host]/api/<type>/<uuid>#<name>` */
const NAMED_REF = /^(?:https?:\/\/[^/\s]+)?\/api\/[A-Za-z0-9_-]+\/([^/?#\s]+)\/?#(.+)$/;

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

/**
 * The NSX-T Policy API stub (Tier-1s and their static routes), served from the same store as
 * the Avi API so that linked behaviour (an Avi VIP on an NSX-T cloud → a Tier-1 /32 route) is a
 * store-level reaction. Contract: ../shared/docs/nsxt-contract.md.
 *
 * Paths (§1): /policy/api/v1/infra/tier-1s[/{t1}[/static-routes[/{id}]]], /policy/api/v1/search/query,
 * /policy/api/v1/infra/realized-state/realized-entities, POST /api/session/create,
 * GET /api/v1/node/version, GET /api/v1/reverse-proxy/node/health. Every answer, errors and empty
 * 200s included, is `Content-Type: application/json` (the Go SDK fails on anything else).
 * The model and its write rules are in ./routes.ts, auth in ./auth.ts, the search language in
 * ./search.ts, realized state in ./realized.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import type { Data } from '../core/store.js';
import { NsxError, nsxErrors } from './errors.js';
import { authenticateNsx, createSession } from './auth.js';
import {
  allPolicyObjects,
  deleteStaticRoute,
  deleteTier1,
  getStaticRoute,
  getTier1,
  listStaticRoutes,
  listTier1s,
  replaceStaticRoute,
  replaceTier1,
  routePath,
  tier1Path,
  upsertStaticRoute,
  upsertTier1,
} from './routes.js';
import { matches, parseQuery, QueryError, queryParam, safeDecode } from './search.js';
import { realizedEntities } from './realized.js';
import { bodyReadAhead, noteParsedBody, PUBLIC_BODY_LIMIT, readWholeBody } from '../http/body.js';
import { parseForJournal } from '../http/media.js';
import { own, parseClientJson, UnsafeJson } from '../core/json-safety.js';

export interface Nsx {
  /** true for the paths the stub serves (/policy/api/v1/..., /api/session/create, /api/v1/...) */
  handles(url: string | undefined): boolean;
  /** serves a request from `engine` (the main one or a sandbox) */
  handle(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** the NSX answer for a path outside the stub (on the stub's own port) */
  unknown(req: IncomingMessage, res: ServerResponse): void;
  /** the largest body `handle` would read for this request (0: refused before its body is read) */
  bodyAllowance(engine: Engine, req: IncomingMessage): number;
}

/** What `GET /api/v1/node/version` reports (contract §1: below 9.1.0). */
export const NSX_VERSION = '4.2.0.0.0.1';

const BODY_LIMIT = 1 << 20;
const NSX_PATH = /^\/+(policy\/api(\/|\?|$)|api\/session\/create\/?(\?|$)|api\/v1\/)/;

export function isNsxPath(url: string | undefined): boolean {
  return !!url && NSX_PATH.test(url);
}

export function createNsx(): Nsx {
  return {
    handles: isNsxPath,
    handle: async (engine, req, res) => {
      try {
        await route(engine, req, res);
      } catch (e) {
        sendNsxError(res, e);
      }
    },
    unknown: (req, res) => sendNsxError(res, nsxErrors.unknownPath(pathOf(req.url ?? '/'))),
    bodyAllowance: (engine, req) => {
      if (isSessionCreate(pathOf(req.url ?? '/'))) return PUBLIC_BODY_LIMIT;
      try {
        authenticateNsx(engine, req);
        return BODY_LIMIT;
      } catch {
        return 0;
      }
    },
  };
}

/**
 * A request listener for a port of its own serving only the stub, from one engine (the CLI's
 * `--nsx-port` uses the simulator's own, which adds sandboxes, the journal and faults).
 */
export function createNsxListener(engine: Engine): (req: IncomingMessage, res: ServerResponse) => void {
  const nsx = createNsx();
  return (req, res) => {
    if (nsx.handles(req.url)) void nsx.handle(engine, req, res);
    else nsx.unknown(req, res);
  };
}

export function sendNsx(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendNsxError(res: ServerResponse, e: unknown): void {
  if (e instanceof NsxError) return sendNsx(res, e.status, e.body());
  sendNsx(res, 500, {
    httpStatus: 'INTERNAL_SERVER_ERROR',
    error_code: 99,
    module_name: 'common-services',
    error_message: `General error has occurred. ${(e as Error)?.message ?? String(e)}`,
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  const p = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/');
  return p.length > 1 ? p.replace(/\/$/, '') : p;
}

async function route(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const path = pathOf(url);
  const method = (req.method ?? 'GET').toUpperCase();

  if (isSessionCreate(path)) {
    if (method !== 'POST') throw nsxErrors.methodNotAllowed(method, path);
    // public: only a small body (a login form)
    const form = await readBody(req, res, PUBLIC_BODY_LIMIT);
    if (form) noteParsedBody(req, bodyOf(form, req.headers['content-type']));
    const s = createSession(engine, new URLSearchParams(form));
    return sendNsx(res, 200, undefined, {
      'Set-Cookie': [`JSESSIONID=${s.id}; Path=/; Secure; HttpOnly`],
      'X-XSRF-TOKEN': s.xsrf,
    });
  }

  // Credentials before the body: a stranger's body is never buffered.
  const user = authenticateNsx(engine, req);
  const text = await readBody(req, res, BODY_LIMIT);
  if (text) noteParsedBody(req, bodyOf(text, req.headers['content-type']));
  const only = (...allowed: string[]) => {
    if (!allowed.includes(method)) throw nsxErrors.methodNotAllowed(method, path);
  };

  if (path === '/api/v1/node/version') {
    only('GET');
    return sendNsx(res, 200, { node_version: NSX_VERSION, product_version: NSX_VERSION });
  }
  if (path === '/api/v1/reverse-proxy/node/health') {
    only('GET');
    return sendNsx(res, 200, { healthy: true });
  }
  if (path === '/policy/api/v1/search/query' || path === '/policy/api/v1/search') {
    only('GET');
    return sendNsx(res, 200, search(engine, rawQuery));
  }
  if (path === '/policy/api/v1/infra/realized-state/realized-entities') {
    only('GET');
    const intent = queryParam(rawQuery, 'intent_path');
    if (!intent) throw nsxErrors.field('intent_path: required parameter intent_path is missing');
    const results = realizedEntities(engine, intent);
    return sendNsx(res, 200, { results, result_count: results.length });
  }

  const m = /^\/policy\/api\/v1\/infra\/tier-1s(?:\/([^/]+)(?:\/static-routes(?:\/([^/]+))?)?)?$/.exec(path);
  if (!m) throw nsxErrors.unknownPath(path);
  const t1 = m[1] === undefined ? undefined : safeDecode(m[1]);
  const id = m[2] === undefined ? undefined : safeDecode(m[2]);
  const isRoutes = path.includes('/static-routes');

  if (t1 === undefined) {
    only('GET');
    return sendNsx(res, 200, envelope(listTier1s(engine), rawQuery));
  }
  if (!isRoutes) {
    switch (method) {
      case 'GET': {
        const t = getTier1(engine, t1);
        if (!t) throw nsxErrors.notFound(tier1Path(t1));
        return sendNsx(res, 200, t);
      }
      case 'PATCH':
        await engine.transact(() => upsertTier1(engine, t1, parseJson(text), { user }));
        return sendNsx(res, 200);
      case 'PUT': {
        const t = await engine.transact(() => replaceTier1(engine, t1, parseJson(text), { user }));
        return sendNsx(res, 200, t);
      }
      case 'DELETE':
        await engine.transact(() => deleteTier1(engine, t1));
        return sendNsx(res, 200);
      default:
        throw nsxErrors.methodNotAllowed(method, path);
    }
  }
  if (id === undefined) {
    only('GET');
    if (!getTier1(engine, t1)) throw nsxErrors.notFound(tier1Path(t1));
    return sendNsx(res, 200, envelope(listStaticRoutes(engine, t1), rawQuery));
  }
  switch (method) {
    case 'GET': {
      if (!getTier1(engine, t1)) throw nsxErrors.notFound(tier1Path(t1));
      const r = getStaticRoute(engine, t1, id);
      if (!r) throw nsxErrors.notFound(routePath(t1, id));
      return sendNsx(res, 200, r);
    }
    case 'PATCH':
      await engine.transact(() => upsertStaticRoute(engine, t1, id, parseJson(text), { user }));
      return sendNsx(res, 200);
    case 'PUT': {
      const r = await engine.transact(() => replaceStaticRoute(engine, t1, id, parseJson(text), { user }));
      return sendNsx(res, 200, r);
    }
    case 'DELETE':
      await engine.transact(() => deleteStaticRoute(engine, t1, id));
      return sendNsx(res, 200);
    default:
      throw nsxErrors.methodNotAllowed(method, path);
  }
}

/** `GET /policy/api/v1/search/query?query=...`: every NSX object matching, one page. */
function search(engine: Engine, rawQuery: string): Data {
  const text = queryParam(rawQuery, 'query');
  if (text === undefined || text.trim() === '') throw searchError('query parameter is required');
  let parsed;
  try {
    parsed = parseQuery(text);
  } catch (e) {
    if (e instanceof QueryError) throw searchError(`${e.message} in "${text}"`);
    throw e;
  }
  // hits always carry `tags` (the cloud provider dereferences it on every hit) [empty list inferred]
  const hits = allPolicyObjects(engine)
    .filter((o) => matches(parsed, o))
    .map((o) => (o.tags === undefined ? { ...o, tags: [] } : o));
  const fields = queryParam(rawQuery, 'included_fields');
  const env = envelope(hits, rawQuery);
  if (fields) {
    const keep = new Set(fields.split(',').map((f) => f.trim().split('.')[0]!).filter(Boolean));
    env.results = (env.results as Data[]).map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => keep.has(k))));
  }
  return env;
}

/** A malformed search query [code, module and text inferred]. */
function searchError(why: string): NsxError {
  return new NsxError(400, 60506, `Invalid search query: ${why}.`, 'search-service');
}

/**
 * The list envelope (§5): one page holding everything, `result_count` = its length (never more
 * than the pages deliver: terraform loops until it has read result_count objects). Sorted by
 * `sort_by` (default display_name [inferred]), ascending unless `sort_ascending=false`.
 */
function envelope(results: Data[], rawQuery: string): Data {
  const sortBy = queryParam(rawQuery, 'sort_by') || 'display_name';
  const ascending = queryParam(rawQuery, 'sort_ascending') !== 'false';
  const field = (o: Data) => own(o, sortBy);
  const key = (o: Data) => {
    const v = field(o);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  const sorted = [...results].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const av = field(a);
    const bv = field(b);
    const c = typeof av === 'number' && typeof bv === 'number' ? av - bv : x < y ? -1 : x > y ? 1 : 0;
    return ascending ? c : -c;
  });
  return { results: sorted, result_count: sorted.length, sort_by: sortBy, sort_ascending: ascending };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return parseClientJson(text);
  } catch (e) {
    if (e instanceof UnsafeJson) throw nsxErrors.badJson(e.message);
    throw nsxErrors.badJson((e as Error).message.replace(/\.$/, ''));
  }
}

function isSessionCreate(path: string): boolean {
  return path === '/api/session/create';
}

/** A body as the request journal shows it: a form or JSON parsed (with the API's own checks), anything else as text. */
function bodyOf(text: string, contentType: string | undefined): unknown {
  return parseForJournal(Buffer.from(text, 'utf8'), contentType ?? 'application/json');
}

async function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string> {
  const pre = (req as IncomingMessage & { body?: unknown }).body;
  if (typeof pre === 'string') return pre;
  if (req.readableEnded && !bodyReadAhead(req)) return '';
  const raw = await readWholeBody(req, res, limit, () => new NsxError(413, 99, 'Request body too large.'));
  return raw.toString('utf8');
}

/**
 * The NSX-T Policy API stub's HTTP binding (Tier-1s and their static routes, search, realized
 * state, session and node endpoints), as a route table. The model and its write rules are in
 * ./routes.ts, auth in ./auth.ts, lists and search in ./lists.ts, realized state in
 * ./realized.ts. Every answer, errors and empty 200s included, is `Content-Type:
 * application/json` (the Go SDK fails on anything else).
 *
 * An answer is one line of the table: `.add(method, path template, run)`; `run` gets the
 * engine, the caller and the request and answers the body of a 200 (`undefined`: empty).
 */
import type { ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import type { Data } from '../core/store.js';
import { NsxError, nsxErrors } from './errors.js';
import { authenticateNsx, createSession } from './auth.js';
import {
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
import { queryParam, safeDecode } from './search.js';
import { envelope, search } from './lists.js';
import { realizedEntities } from './realized.js';
import { PUBLIC_BODY_LIMIT, readWholeBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { parseForJournal } from '../http/media.js';
import { sendJson, type Headers } from '../http/respond.js';
import { RouteTable } from '../http/routing.js';
import { parseClientJson, UnsafeJson } from '../core/json-safety.js';

export interface Nsx {
  /** serves a request from `engine` (the main one or a sandbox) */
  handle(x: Exchange, engine: Engine): Promise<void>;
  /** the NSX answer for a path outside the stub (on the stub's own port) */
  unknown(x: Exchange): void;
  /** the largest body `handle` would read for this request (0: refused before its body is read) */
  bodyAllowance(x: Exchange, engine: Engine): number;
}

/** What `GET /api/v1/node/version` reports (below 9.1.0, as the contract asks). */
export const NSX_VERSION = '4.2.0.0.0.1';

const BODY_LIMIT = 1 << 20;
/** The one call answered without credentials (a login form: small body). */
const SESSION_CREATE = '/api/session/create';

export interface NsxCall {
  engine: Engine;
  /** who is calling (`_last_modified_user`); '' on the session create */
  user: string;
  rawQuery: string;
  /** the path's `{param}` segments, decoded */
  params: Record<string, string>;
  /** the body as text ('' when none) */
  text: string;
}

/** A 200's body (`undefined`: empty), with headers when the call sets some. */
export type NsxAnswer = { body?: unknown; headers?: Headers } | undefined;

type Run = (c: NsxCall) => NsxAnswer | Promise<NsxAnswer>;

const T1 = '/policy/api/v1/infra/tier-1s/{t1}';
const ROUTE = `${T1}/static-routes/{id}`;
const ok = (body?: unknown): NsxAnswer => ({ body });
const empty: NsxAnswer = undefined;

function tier1(engine: Engine, t1: string): Data {
  const t = getTier1(engine, t1);
  if (!t) throw nsxErrors.notFound(tier1Path(t1));
  return t;
}

export const nsxRoutes = new RouteTable<Run>(safeDecode)
  .add('POST', SESSION_CREATE, ({ engine, text }) => {
    const s = createSession(engine, new URLSearchParams(text));
    return { headers: { 'Set-Cookie': [`JSESSIONID=${s.id}; Path=/; Secure; HttpOnly`], 'X-XSRF-TOKEN': s.xsrf } };
  })
  .add('GET', '/api/v1/node/version', () => ok({ node_version: NSX_VERSION, product_version: NSX_VERSION }))
  .add('GET', '/api/v1/reverse-proxy/node/health', () => ok({ healthy: true }))
  .add('GET', '/policy/api/v1/search/query', ({ engine, rawQuery }) => ok(search(engine, rawQuery)))
  .add('GET', '/policy/api/v1/search', ({ engine, rawQuery }) => ok(search(engine, rawQuery)))
  .add('GET', '/policy/api/v1/infra/realized-state/realized-entities', ({ engine, rawQuery }) => {
    const intent = queryParam(rawQuery, 'intent_path');
    if (!intent) throw nsxErrors.field('intent_path: required parameter intent_path is missing');
    const results = realizedEntities(engine, intent);
    return ok({ results, result_count: results.length });
  })
  .add('GET', '/policy/api/v1/infra/tier-1s', ({ engine, rawQuery }) => ok(envelope(listTier1s(engine), rawQuery)))
  .add('GET', T1, ({ engine, params }) => ok(tier1(engine, params.t1!)))
  .add('PATCH', T1, async ({ engine, params, text, user }) => {
    await engine.transact(() => upsertTier1(engine, params.t1!, parseJson(text), { user }));
    return empty;
  })
  .add('PUT', T1, async ({ engine, params, text, user }) => ok(await engine.transact(() => replaceTier1(engine, params.t1!, parseJson(text), { user }))))
  .add('DELETE', T1, async ({ engine, params }) => {
    await engine.transact(() => deleteTier1(engine, params.t1!));
    return empty;
  })
  .add('GET', `${T1}/static-routes`, ({ engine, params, rawQuery }) => {
    tier1(engine, params.t1!);
    return ok(envelope(listStaticRoutes(engine, params.t1!), rawQuery));
  })
  .add('GET', ROUTE, ({ engine, params: { t1, id } }) => {
    tier1(engine, t1!);
    const r = getStaticRoute(engine, t1!, id!);
    if (!r) throw nsxErrors.notFound(routePath(t1!, id!));
    return ok(r);
  })
  .add('PATCH', ROUTE, async ({ engine, params: { t1, id }, text, user }) => {
    await engine.transact(() => upsertStaticRoute(engine, t1!, id!, parseJson(text), { user }));
    return empty;
  })
  .add('PUT', ROUTE, async ({ engine, params: { t1, id }, text, user }) =>
    ok(await engine.transact(() => replaceStaticRoute(engine, t1!, id!, parseJson(text), { user }))))
  .add('DELETE', ROUTE, async ({ engine, params: { t1, id } }) => {
    await engine.transact(() => deleteStaticRoute(engine, t1!, id!));
    return empty;
  });

export function createNsx(): Nsx {
  return {
    async handle(x, engine) {
      try {
        const out = await serve(x, engine);
        sendJson(x.res, 200, out?.body, out?.headers);
      } catch (e) {
        sendNsxError(x.res, e);
      }
    },
    unknown: (x) => sendNsxError(x.res, nsxErrors.unknownPath(pathOf(x))),
    bodyAllowance(x, engine) {
      if (pathOf(x) === SESSION_CREATE) return PUBLIC_BODY_LIMIT;
      try {
        authenticateNsx(engine, x.req);
        return BODY_LIMIT;
      } catch {
        return 0;
      }
    },
  };
}

async function serve(x: Exchange, engine: Engine): Promise<NsxAnswer> {
  const path = pathOf(x);
  const { route, pathKnown, params } = nsxRoutes.match(x.method, path);
  const open = path === SESSION_CREATE;
  if (open && !route) throw nsxErrors.methodNotAllowed(x.method, path);
  // Credentials before the body: a stranger's body is never buffered.
  const user = open ? '' : authenticateNsx(engine, x.req);
  const raw = await readWholeBody(x, open ? PUBLIC_BODY_LIMIT : BODY_LIMIT, () => new NsxError(413, 99, 'Request body too large.'));
  // the journal shows a form or JSON parsed (with the API's own checks), anything else as text
  if (raw.length) x.body = parseForJournal(raw, x.req.headers['content-type'] ?? 'application/json');
  if (!route) throw pathKnown ? nsxErrors.methodNotAllowed(x.method, path) : nsxErrors.unknownPath(path);
  return route({ engine, user, rawQuery: x.rawQuery, params, text: raw.toString('utf8') });
}

export function sendNsxError(res: ServerResponse, e: unknown): void {
  if (e instanceof NsxError) return sendJson(res, e.status, e.body());
  sendJson(res, 500, {
    httpStatus: 'INTERNAL_SERVER_ERROR',
    error_code: 99,
    module_name: 'common-services',
    error_message: `General error has occurred. ${(e as Error)?.message ?? String(e)}`,
  });
}

/** The path as NSX errors name it: without a trailing slash. */
function pathOf(x: Exchange): string {
  return x.path.length > 1 ? x.path.replace(/\/$/, '') : x.path;
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

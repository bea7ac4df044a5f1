/**
 * The Avi API's pipeline (/api, /login, /logout), on a request already parsed once into its
 * exchange (server/http/exchange.ts):
 *   route (the table is walked once; the route is kept on the exchange) → API version → session
 *   (pluggable; the route says whether it is public) → body (bounded; small on public routes) →
 *   tenant → roles (server/avi/roles.ts) → the route's target → answer.
 * The listener calls it directly; express only hosts that listener, because on this hot path
 * express's own per-request work costs more than everything else (bench: a one-middleware
 * express 5 app answers ~7k req/s where node:http answers ~37k).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import { AviError, errors } from '../avi/errors.js';
import { ADMIN_TENANT } from '../core/admin.js';
import { ALL_TENANTS, type Ctx } from '../avi/context.js';
import { flagParam } from '../avi/query.js';
import { Reply, type Resource } from '../avi/resources.js';
import { dotted, parseVersion, type Version } from '../avi/versions.js';
import { authorize } from '../avi/roles.js';
import type { Exchange } from './exchange.js';
import type { ApiCall, ApiHandler, Principal } from './call.js';
import { aviRoutes, coverage, type AviRoute } from './avi-routes.js';
import { genericHandler } from './generic.js';
import { authenticate as sessionAuthenticate, frontDoorHandlers } from './front-door.js';
import { systemHandlers } from './system.js';
import { macroHandlers } from './macro.js';
import { fileHandlers } from './files.js';
import { analyticsHandlers } from './analytics.js';
import { licensingHandlers } from './licensing.js';
import { DEFAULT_BODY_LIMIT, PUBLIC_BODY_LIMIT, readWholeBody } from './body.js';
import { parseApiBody } from './media.js';
import { sendEmpty, sendJson, sendJsonText, sendText } from './respond.js';

export type { Principal };

/**
 * The session check: who the caller is, or a 401. `publicOperation` marks operations a
 * controller answers without credentials. Replaceable (tests, embedding).
 */
export type Authenticate = (req: IncomingMessage, publicOperation: boolean) => Principal | Promise<Principal>;

export interface ApiOptions {
  authenticate?: Authenticate;
  /** largest accepted body, bytes */
  bodyLimit?: number;
}

/** The version reported when the client sent no `X-Avi-Version` (the oldest the API knows). */
export const OLDEST_API_VERSION = '16_4_2';

/** Handlers of the pipeline's own, by operationId (the rest is the types' and the generic CRUD). */
const HANDLERS: Readonly<Record<string, ApiHandler>> = Object.freeze(
  Object.assign(Object.create(null), frontDoorHandlers, systemHandlers, macroHandlers, fileHandlers, analyticsHandlers, licensingHandlers),
);

export interface Api {
  /** serves a request from `engine` (the main one or a sandbox) */
  handle(x: Exchange, engine: Engine): Promise<void>;
  /**
   * The largest body `handle` would read for this request, for reading it ahead (a fault rule
   * matching on bodies); 0 when the call is refused before its body is read.
   */
  bodyAllowance(x: Exchange, engine: Engine): Promise<number>;
  /** /_mock/coverage */
  coverage(): ReturnType<typeof coverage>;
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof AviError && err.plain) return sendText(res, err.status, err.message);
  if (err instanceof AviError) return sendJson(res, err.status, err.body());
  console.error(err);
  sendJson(res, 500, { error: `Internal error: ${(err as Error)?.message ?? String(err)}` });
}

export function createApi(main: Engine, options: ApiOptions = {}): Api {
  const authenticate = (engine: Engine, req: IncomingMessage, pub: boolean) =>
    options.authenticate ? options.authenticate(req, pub) : sessionAuthenticate(engine, req, pub);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const publicLimit = Math.min(bodyLimit, PUBLIC_BODY_LIMIT);
  const table = aviRoutes(main.catalog.doc, main.catalog, new Set(Object.keys(HANDLERS)));

  /** The request's route, matched once and kept on the exchange. */
  function routeOf(x: Exchange): { route?: AviRoute; pathKnown: boolean; params: Record<string, string> } {
    return (x.route ??= table.match(x.method, x.path)) as ReturnType<typeof routeOf>;
  }

  async function handle(x: Exchange, engine: Engine): Promise<void> {
    const { req, res } = x;
    try {
      res.setHeader('AVI_API_VERSION', OLDEST_API_VERSION); // also on an "Invalid version" answer
      const version = requestedVersion(req);
      if (version) res.setHeader('AVI_API_VERSION', dotted(version));
      const { route, pathKnown, params } = routeOf(x);
      const open = route?.public === true;
      const principal = await authenticate(engine, req, open);
      // Credentials before the body: a stranger's body is never buffered, and a public route
      // (login) takes only a small one.
      const raw = await readWholeBody(x, open ? publicLimit : bodyLimit, () => new AviError(413, 'Request body too large'));
      const query = new URLSearchParams(x.rawQuery);
      const ctx: Ctx = { tenant: resolveTenant(engine, x), base: x.base, query };
      if (version) ctx.version = version;
      x.body = parseApiBody(raw, req.headers['content-type']);
      const call: ApiCall = { method: x.method, path: x.path, rawQuery: x.rawQuery, query, headers: req.headers, params, body: x.body, raw, principal, ctx, engine };
      authorize(engine, call, route?.operationId);
      // A path the document does not have is no API of the controller's: 404, not a 5xx the
      // SDKs would retry. (501 stays for operations the document has and avisim does not model.)
      if (!route) throw pathKnown ? errors.methodNotAllowed(x.method) : errors.unknownPath(x.path);
      const target = route.target;
      switch (target.kind) {
        case 'handler':
          return void (await HANDLERS[target.operationId]!(call, res));
        case 'resource':
          return await answerResource(target.resource, call, res);
        case 'generic':
          return await genericHandler(engine, target.type, target.op, call, res);
        case 'none':
          throw errors.notImplemented(x.method, x.path);
      }
    } catch (e) {
      sendError(res, e);
    }
  }

  async function bodyAllowance(x: Exchange, engine: Engine): Promise<number> {
    const open = routeOf(x).route?.public === true;
    try {
      await authenticate(engine, x.req, open);
    } catch {
      return 0;
    }
    return open ? publicLimit : bodyLimit;
  }

  return { handle, bodyAllowance, coverage: () => coverage(table) };
}

/** A type's sub-resource, action or own read (server/avi/resources.ts), answered as JSON. */
async function answerResource(resource: Resource, call: ApiCall, res: ServerResponse): Promise<void> {
  const { engine, ctx } = call;
  const svc = engine.objects;
  const uuid = call.params.uuid ?? '';
  const out = await resource({
    svc,
    ctx,
    query: call.query,
    rawQuery: call.rawQuery,
    includeName: flagParam(call.query, 'include_name'),
    uuid,
    body: call.body,
    object: () => svc.getOne(svc.info(typeOfPath(call.path)).type, uuid, ctx),
    transact: (work) => engine.transact(work),
  });
  if (!(out instanceof Reply)) return sendJson(res, 200, out);
  if (out.body === undefined) return sendEmpty(res, out.status);
  sendJson(res, out.status, out.body);
}

/** `/api/<type>/...` → `<type>`. */
function typeOfPath(path: string): string {
  return path.split('/').filter(Boolean)[1] ?? '';
}

/** `X-Avi-Version`, parsed; a malformed one is the controller's 400 "Invalid version". */
function requestedVersion(req: IncomingMessage): Version | undefined {
  const v = req.headers['x-avi-version'];
  const text = Array.isArray(v) ? v[0] : v;
  return text ? parseVersion(text) : undefined;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `X-Avi-Tenant` (name, `*` on reads) or `X-Avi-Tenant-UUID`; admin by default. `*` is no tenant
 * an API write can be made in: it is answered as a tenant that does not exist [inferred: the
 * wildcard only widens reads; a write resolves the header as a tenant name].
 */
function resolveTenant(engine: Engine, x: Exchange): string {
  if (x.tenantUuid) {
    if (!engine.store.get('tenant', x.tenantUuid)) throw errors.tenantNotFound(x.tenantUuid);
    return x.tenantUuid;
  }
  const name = x.tenantName;
  if (!name || name === ADMIN_TENANT) return ADMIN_TENANT;
  if (name === ALL_TENANTS) {
    if (WRITES.has(x.method) && /^\/api(\/|$)/.test(x.path)) throw errors.tenantNotFound(name);
    return ALL_TENANTS;
  }
  for (const t of engine.store.byName('tenant', '', name)) return t.uuid;
  throw errors.tenantNotFound(name);
}

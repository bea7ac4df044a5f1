/**
 * The /api (and /login, /logout) request path, written against plain node:http objects:
 *   path clean-up → API version → route match → session check (pluggable; the matched
 *   operation says whether it is public) → body (bounded; small on public routes) → tenant →
 *   roles (server/avi/roles.ts) →
 *   openapi-backend dispatch → response.
 * Express mounts it as a middleware; the listening server calls it directly for /api paths,
 * because on this hot path express's own per-request work costs more than everything else
 * (bench: a one-middleware express 5 app answers ~7k req/s where node:http answers ~37k).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Context, OpenAPIBackend, Operation } from 'openapi-backend';
import type { Engine } from '../engine.js';
import { AviError, errors } from '../avi/errors.js';
import { ADMIN_TENANT, ALL_TENANTS, type Ctx } from '../avi/objects.js';
import { dotted, parseVersion, type Version } from '../avi/versions.js';
import { createBackend } from './routing.js';
import { genericHandler, GENERIC_KINDS } from './generic.js';
import { authenticate as sessionAuthenticate, frontDoorHandlers, type Principal } from './front-door.js';
import { controllerNodes, systemHandlers } from './system.js';
import { runtimeHandlers } from './runtime.js';
import { subresourceHandlers } from './subresources.js';
import { macroHandlers } from './macro.js';
import { fileHandlers } from './files.js';
import { analyticsHandlers } from './analytics.js';
import { licensingHandlers } from './licensing.js';
import { bodyReadAhead, DEFAULT_BODY_LIMIT, noteParsedBody, PUBLIC_BODY_LIMIT, readWholeBody } from './body.js';
import { parseApiBody } from './media.js';
import { authorize } from '../avi/roles.js';

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

/** What a handler gets besides openapi-backend's context. */
export interface ApiCall {
  method: string;
  /** path with repeated slashes collapsed, without the query */
  path: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** the body as read (multipart uploads read their files from it) */
  raw: Buffer | undefined;
  ctx: Ctx;
  principal: Principal;
  /** the engine serving this request: the main one or a sandbox */
  engine: Engine;
  /** that engine's handlers */
  handlers: Record<string, ApiHandler>;
}

export type ApiHandler = (c: Context, call: ApiCall, res: ServerResponse) => unknown;

export interface Api {
  backend: OpenAPIBackend;
  /** serves a request from `engine` (a sandbox), the main engine by default */
  handle(req: IncomingMessage, res: ServerResponse, engine?: Engine): Promise<void>;
  /**
   * The largest body `handle` would read for this request, for reading it ahead (a fault rule
   * matching on bodies); 0 when the call is refused before its body is read.
   */
  bodyAllowance(req: IncomingMessage, engine: Engine): Promise<number>;
}

/** A request URL's path (repeated slashes collapsed, as a controller treats them) and raw query. */
export function splitUrl(url = '/'): { path: string; rawQuery: string } {
  const q = url.indexOf('?');
  return { path: (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/'), rawQuery: q < 0 ? '' : url.slice(q + 1) };
}

/** Paths the API handler serves: the Avi API and the login/logout endpoints beside it. */
export function isApiPath(url: string | undefined): boolean {
  return !!url && /^\/+(api(\/|\?|$)|login\/?(\?|$)|logout\/?(\?|$))/.test(url);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** For bodies already serialised (cached renderings). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof AviError && err.plain) {
    res.writeHead(err.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(err.message) });
    res.end(err.message);
    return;
  }
  if (err instanceof AviError) return sendJson(res, err.status, err.body());
  console.error(err);
  sendJson(res, 500, { error: `Internal error: ${(err as Error)?.message ?? String(err)}` });
}

export async function createApi(main: Engine, options: ApiOptions = {}): Promise<Api> {
  const authenticate = (engine: Engine, req: IncomingMessage, pub: boolean) =>
    options.authenticate ? options.authenticate(req, pub) : sessionAuthenticate(engine, req, pub);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const publicLimit = Math.min(bodyLimit, PUBLIC_BODY_LIMIT);
  // Handlers are made per engine (the main one, each sandbox): they are only closures, so a
  // sandbox costs nothing here. openapi-backend is built once, with trampolines that call the
  // handler of the engine serving the request.
  const perEngine = new WeakMap<Engine, Record<string, ApiHandler>>();
  const handlersOf = (engine: Engine) => {
    let h = perEngine.get(engine);
    if (!h) perEngine.set(engine, (h = engineHandlers(engine)));
    return h;
  };
  const trampolines: Record<string, ApiHandler> = {};
  for (const key of Object.keys(handlersOf(main))) trampolines[key] = (c, call, res) => call.handlers[key]!(c, call, res);
  const backend = await createBackend(main.catalog.doc, trampolines as any);

  async function handle(req: IncomingMessage, res: ServerResponse, engine: Engine = main): Promise<void> {
    try {
      const { path, rawQuery } = splitUrl(req.url);
      const method = req.method ?? 'GET';
      res.setHeader('AVI_API_VERSION', OLDEST_API_VERSION); // also on an "Invalid version" answer
      const version = requestedVersion(req);
      if (version) res.setHeader('AVI_API_VERSION', dotted(version));
      const operation = backend.router.matchOperation({ method, path, headers: {} } as any) as Operation | undefined;
      const open = isPublic(operation);
      const principal = await authenticate(engine, req, open);
      // Credentials before the body: a stranger's body is never buffered, and a public route
      // (login) takes only a small one.
      const raw = await readBody(req, res, open ? publicLimit : bodyLimit);
      const query = new URLSearchParams(rawQuery);
      const ctx: Ctx = { tenant: resolveTenant(engine, req, method, path), base: `${schemeOf(req)}://${req.headers.host ?? 'localhost'}`, query };
      if (version) ctx.version = version;
      const call: ApiCall = {
        method,
        path,
        rawQuery,
        query,
        headers: req.headers,
        body: parseApiBody(raw, req.headers['content-type']),
        raw,
        principal,
        ctx,
        engine,
        handlers: handlersOf(engine),
      };
      noteParsedBody(req, call.body);
      authorize(engine, call, operation?.operationId);
      // openapi-backend routes by path and method; the query and headers it would parse again
      // are already in `call`, so it is given none.
      await backend.handleRequest({ method, path, query: '', headers: {}, body: call.body as any }, call, res);
    } catch (e) {
      sendError(res, e);
    }
  }

  function isPublicRoute(method: string, path: string): boolean {
    return isPublic(backend.router.matchOperation({ method, path, headers: {} } as any) as Operation | undefined);
  }

  async function bodyAllowance(req: IncomingMessage, engine: Engine): Promise<number> {
    const open = isPublicRoute(req.method ?? 'GET', splitUrl(req.url).path);
    try {
      await authenticate(engine, req, open);
    } catch {
      return 0;
    }
    return open ? publicLimit : bodyLimit;
  }

  return { backend, handle, bodyAllowance };
}

/** Every operation's handler, bound to one engine. */
function engineHandlers(engine: Engine): Record<string, ApiHandler> {
  return {
    notImplemented: (c, call, res) => {
      const [type, kind] = splitOperationId(c.operation.operationId ?? '');
      if (type && kind && GENERIC_KINDS.has(kind) && engine.catalog.typeInfo(type)) {
        return genericHandler(engine, type, kind, c, call, res);
      }
      throw errors.notImplemented(call.method, call.path);
    },
    // A path the document does not have is no API of the controller's: 404, not a 5xx the
    // SDKs would retry. (501 stays for operations the document has and avisim does not model.)
    notFound: (_c, call) => {
      throw errors.unknownPath(call.path);
    },
    methodNotAllowed: (_c, call) => {
      throw errors.methodNotAllowed(call.method);
    },
    // every object type's other sub-resources and actions; the handlers below replace them
    ...subresourceHandlers(engine),
    ...frontDoorHandlers(engine),
    ...systemHandlers(engine),
    ...runtimeHandlers(engine),
    ...macroHandlers(engine),
    ...fileHandlers(engine),
    ...analyticsHandlers(engine, () => controllerNodes(engine)),
    ...licensingHandlers(engine),
  };
}

function splitOperationId(id: string): [string, string] {
  const i = id.lastIndexOf('.');
  return i < 0 ? ['', ''] : [id.slice(0, i), id.slice(i + 1)];
}

function schemeOf(req: IncomingMessage): string {
  return (req.socket as TLSSocket).encrypted ? 'https' : 'http';
}

function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  const length = req.headers['content-length'];
  if (!bodyReadAhead(req) && (length === undefined || length === '0') && !req.headers['transfer-encoding']) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return readWholeBody(req, res, limit, () => new AviError(413, 'Request body too large'));
}

/** `X-Avi-Version`, parsed; a malformed one is the controller's 400 "Invalid version". */
function requestedVersion(req: IncomingMessage): Version | undefined {
  const v = req.headers['x-avi-version'];
  const text = Array.isArray(v) ? v[0] : v;
  return text ? parseVersion(text) : undefined;
}

/**
 * Whether the matched operation is answered without credentials: its own `x-avisim-public`
 * only, so nothing inherited by the routing objects can open the API.
 */
function isPublic(operation: object | undefined): boolean {
  return operation !== undefined && Object.hasOwn(operation, 'x-avisim-public') && (operation as Record<string, unknown>)['x-avisim-public'] === true;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `X-Avi-Tenant` (name, `*` on reads) or `X-Avi-Tenant-UUID`; admin by default. `*` is no tenant
 * an API write can be made in: it is answered as a tenant that does not exist [inferred: the
 * wildcard only widens reads; a write resolves the header as a tenant name].
 */
function resolveTenant(engine: Engine, req: IncomingMessage, method: string, path: string): string {
  const byUuid = req.headers['x-avi-tenant-uuid'];
  if (typeof byUuid === 'string' && byUuid) {
    if (!engine.store.get('tenant', byUuid)) throw errors.tenantNotFound(byUuid);
    return byUuid;
  }
  const name = req.headers['x-avi-tenant'];
  if (typeof name !== 'string' || !name || name === ADMIN_TENANT) return ADMIN_TENANT;
  if (name === ALL_TENANTS) {
    if (WRITES.has(method.toUpperCase()) && /^\/api(\/|$)/.test(path)) throw errors.tenantNotFound(name);
    return ALL_TENANTS;
  }
  for (const t of engine.store.byName('tenant', '', name)) return t.uuid;
  throw errors.tenantNotFound(name);
}

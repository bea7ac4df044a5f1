/**
 * Express wiring. Order matters and is kept flat here:
 *   path clean-up → raw body → session check (pluggable) → tenant → openapi-backend → errors.
 * Handlers never touch module state: all they need comes from the Engine.
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import type { Context } from 'openapi-backend';
import type { Engine } from '../engine.js';
import { AviError, errors } from '../avi/errors.js';
import { ADMIN_TENANT, ALL_TENANTS, type Ctx } from '../avi/objects.js';
import { createBackend } from './routing.js';
import { genericHandler, GENERIC_KINDS } from './generic.js';
import { coverage } from './coverage.js';

export interface Principal {
  username: string;
}

/** The session check. Until sessions exist every request acts as admin. */
export type Authenticate = (req: Request) => Principal | Promise<Principal>;
const actAsAdmin: Authenticate = () => ({ username: 'admin' });

export interface AppOptions {
  authenticate?: Authenticate;
}

export interface AviRequest extends Request {
  avi: { ctx: Ctx; principal: Principal; query: URLSearchParams; rawQuery: string; path: string; body: unknown };
}

export async function createApp(engine: Engine, options: AppOptions = {}): Promise<express.Express> {
  const authenticate = options.authenticate ?? actAsAdmin;
  const handlers: Record<string, (c: Context, req: AviRequest, res: Response) => unknown> = {
    notImplemented: (c, req, res) => {
      const [type, kind] = splitOperationId(c.operation.operationId ?? '');
      if (type && kind && GENERIC_KINDS.has(kind) && engine.catalog.typeInfo(type)) {
        return genericHandler(engine, type, kind, c, req, res);
      }
      throw errors.notImplemented(req.method, req.avi.path);
    },
    notFound: (_c, req) => {
      throw errors.notImplemented(req.method, req.avi.path);
    },
    methodNotAllowed: (_c, req) => {
      throw errors.methodNotAllowed(req.method);
    },
  };
  const api = await createBackend(engine.catalog.doc, handlers as any);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.use(normalisePath);
  app.use(express.raw({ type: () => true, limit: '32mb' }));

  app.get('/_mock/coverage', (_req, res) => {
    res.json(coverage(engine, api));
  });

  app.use('/api', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const areq = req as AviRequest;
      const principal = await authenticate(req);
      areq.avi = {
        principal,
        ctx: { tenant: resolveTenant(engine, req), base: `${req.protocol}://${req.headers.host ?? 'localhost'}` },
        ...splitUrl(req.originalUrl),
        body: parseBody(req),
      };
      await api.handleRequest(
        { method: req.method, path: areq.avi.path, query: areq.avi.rawQuery, headers: req.headers as any, body: areq.avi.body },
        areq,
        res,
      );
    } catch (e) {
      next(e);
    }
  });

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(errors.notImplemented(req.method, splitUrl(req.originalUrl).path));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof AviError) {
      res.status(err.status).type('application/json').send(JSON.stringify(err.body()));
      return;
    }
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.too.large' || e.status === 413) {
      res.status(413).json({ error: 'Request body too large' });
      return;
    }
    console.error(err);
    res.status(500).json({ error: `Internal error: ${e.message ?? String(err)}` });
  });

  return app;
}

function splitOperationId(id: string): [string, string] {
  const i = id.lastIndexOf('.');
  return i < 0 ? ['', ''] : [id.slice(0, i), id.slice(i + 1)];
}

/** `//api/x` and `/api//x` → `/api/x`: SDKs join prefixes and paths sloppily. */
function normalisePath(req: Request, _res: Response, next: NextFunction): void {
  const q = req.url.indexOf('?');
  const p = q < 0 ? req.url : req.url.slice(0, q);
  if (p.includes('//')) req.url = p.replace(/\/{2,}/g, '/') + (q < 0 ? '' : req.url.slice(q));
  next();
}

function splitUrl(url: string): { path: string; rawQuery: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/');
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  return { path, rawQuery, query: new URLSearchParams(rawQuery) };
}

function parseBody(req: Request): unknown {
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw errors.badJson((e as Error).message);
  }
}

/** `X-Avi-Tenant` (name, `*` on reads) or `X-Avi-Tenant-UUID`; admin by default. */
function resolveTenant(engine: Engine, req: Request): string {
  const byUuid = req.headers['x-avi-tenant-uuid'];
  if (typeof byUuid === 'string' && byUuid) {
    if (!engine.store.get('tenant', byUuid)) throw errors.tenantNotFound(byUuid);
    return byUuid;
  }
  const name = req.headers['x-avi-tenant'];
  if (typeof name !== 'string' || !name || name === ADMIN_TENANT) return ADMIN_TENANT;
  if (name === ALL_TENANTS) return ALL_TENANTS;
  for (const t of engine.store.byName('tenant', '', name)) return t.uuid;
  throw errors.tenantNotFound(name);
}

/**
 * Request routing for every listener (node:http, node:https, msw's in-memory exchange):
 *   /_mock → the test-control plane (server/mock/control.ts);
 *   anything else is served in the scope the request names (the main engine, or the sandbox of
 *   its `X-Mock-Sandbox` header), through that scope's journal and fault rules, by the NSX-T
 *   stub or the API handler (/api, /login, /logout); anything else is "unknown is loud" (501).
 * `app()` wraps the same listener in express, loaded on first use (its import is a sizeable
 * part of start-up, and the listening server never needs it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { createApi, isApiPath, sendError, sendJson, splitUrl, type ApiOptions } from './api.js';
import { createNsx } from '../nsxt/index.js';
import { hasNsxCredentials } from '../nsxt/auth.js';
import { closeGentlyIfAnsweredEarly, PUBLIC_BODY_LIMIT, readAheadBody } from './body.js';
import { authenticate, loginOf } from './front-door.js';
import { parseApiBody } from './media.js';
import { ControlPlane, isMockPath } from '../mock/control.js';
import { MockError } from '../mock/errors.js';
import { intercept } from '../mock/intercept.js';
import { Scopes, type MockOptions, type Scope } from '../mock/scopes.js';
import { sendRootPage } from '../mock/ui.js';

export interface AppOptions extends ApiOptions {
  /** the test-control plane: on by default; off, or guarded by a token */
  mock?: MockOptions;
}
export type { Authenticate, Principal } from './api.js';

export interface Simulator {
  /** the express app (built on first call) */
  app(): Promise<Express>;
  /** request listener for node:http / node:https servers */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** the same, for a port that serves only the NSX-T stub */
  nsxListener: (req: IncomingMessage, res: ServerResponse) => void;
  /** the main engine and the sandboxes, with their journals and fault rules */
  scopes: Scopes;
}

export async function createListener(engine: Engine, options: AppOptions = {}): Promise<Simulator> {
  const api = await createApi(engine, options);
  const nsx = createNsx();
  // Credentials that may make a sandbox when the control plane has a token (server/mock/scopes.ts).
  const credentialed = async (req: IncomingMessage, res?: ServerResponse): Promise<boolean> => {
    if (hasNsxCredentials(engine, req)) return true;
    try {
      const who = options.authenticate ? await options.authenticate(req, true) : authenticate(engine, req, true);
      if (who.via !== 'anonymous') return true;
    } catch {
      // bad credentials are none
    }
    return res !== undefined && (await loginChecksOut(engine, req, res));
  };
  const scopes = new Scopes(engine, options.mock, credentialed);
  const control = new ControlPlane(scopes, () => api.backend);
  let built: Promise<Express> | undefined;
  const app = () => (built ??= buildApp(listener));

  const serve = (scope: Scope, req: IncomingMessage, res: ServerResponse, nsxOnly: boolean) => {
    const isNsx = nsx.handles(req.url);
    const allowance = () =>
      isNsx ? nsx.bodyAllowance(scope.engine, req) : !nsxOnly && isApiPath(req.url) ? api.bodyAllowance(req, scope.engine) : 0;
    intercept(
      scope,
      req,
      res,
      (rq, rs) => {
        if (isNsx) void nsx.handle(scope.engine, rq, rs);
        else if (nsxOnly) void nsx.unknown(rq, rs);
        else if (isApiPath(rq.url)) void api.handle(rq, rs, scope.engine);
        else sendError(rs, errors.notImplemented(rq.method ?? 'GET', pathOf(rq.url)));
      },
      isNsx || nsxOnly,
      allowance,
    );
  };
  const inScope = (nsxOnly: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    if (hasBody(req)) closeGentlyIfAnsweredEarly(req, res);
    if (!nsxOnly && scopes.enabled && req.method === 'GET' && pathOf(req.url) === '/') return sendRootPage(res);
    if (!nsxOnly && isMockPath(req.url)) {
      if (scopes.enabled) void control.handle(req, res);
      else sendError(res, errors.notImplemented(req.method ?? 'GET', pathOf(req.url)));
      return;
    }
    let scope: Scope | Promise<Scope>;
    try {
      scope = scopes.of(req, res);
    } catch (e) {
      return sendMockError(res, e);
    }
    if (!(scope instanceof Promise)) return serve(scope, req, res, nsxOnly);
    scope.then((s) => serve(s, req, res, nsxOnly), (e: unknown) => sendMockError(res, e));
  };
  const listener = inScope(false);
  return { app, listener, nsxListener: inScope(true), scopes };
}

export async function createApp(engine: Engine, options: AppOptions = {}): Promise<Express> {
  return (await createListener(engine, options)).app();
}

/** An express app serving everything the listener serves (to mount, or for supertest). */
async function buildApp(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<Express> {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  app.use((req: Request, res: Response) => {
    req.url = req.originalUrl;
    listener(req, res);
  });
  return app;
}

/**
 * A `POST /login` whose body (read ahead, public bound) holds a user's valid password or token:
 * a client that logs in inside its sandbox, sending the sandbox header from its first request.
 */
async function loginChecksOut(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'POST' || !/^\/login\/?$/.test(splitUrl(req.url).path)) return false;
  let body: unknown;
  try {
    body = parseApiBody(await readAheadBody(req, res, PUBLIC_BODY_LIMIT), req.headers['content-type']);
  } catch {
    return false;
  }
  return loginOf(engine, body) !== undefined;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function pathOf(url: string | undefined): string {
  return splitUrl(url).path;
}

function sendMockError(res: ServerResponse, e: unknown): void {
  if (e instanceof MockError) return sendJson(res, e.status, { error: e.message });
  sendError(res, e);
}

/**
 * Request routing for every listener (node:http, node:https, msw's in-memory exchange):
 *   /_mock → the test-control plane (server/mock/control.ts);
 *   anything else is served in the scope the request names (the main engine, or the sandbox of
 *   its `X-Mock-Sandbox` header), through that scope's journal and fault rules, by the NSX-T
 *   stub or the API handler (/api, /login, /logout), the landing page at /; anything else is "unknown is loud" (501).
 * `app()` wraps the same listener in express, loaded on first use (its import is a sizeable
 * part of start-up, and the listening server never needs it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { createApi, sendError, type ApiOptions } from './api.js';
import { createNsx } from '../nsxt/http.js';
import { hasNsxCredentials } from '../nsxt/auth.js';
import { closeGentlyIfAnsweredEarly, hasBody, PUBLIC_BODY_LIMIT, readWholeBody } from './body.js';
import { exchangeOf, type Exchange } from './exchange.js';
import { authenticate, loginOf } from './front-door.js';
import { isLanding, sendLanding } from './landing.js';
import { parseApiBody } from './media.js';
import { sendJson } from './respond.js';
import { ControlPlane } from '../mock/control.js';
import { MockError } from '../mock/errors.js';
import { intercept } from '../mock/intercept.js';
import { Scopes, type MockOptions, type Scope } from '../mock/scopes.js';

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
  const api = createApi(engine, options);
  const nsx = createNsx();
  // Credentials that may make a sandbox when the control plane has a token (server/mock/scopes.ts).
  const credentialed = async (x: Exchange, mayReadLogin: boolean): Promise<boolean> => {
    if (hasNsxCredentials(engine, x.req)) return true;
    try {
      const who = options.authenticate ? await options.authenticate(x.req, true) : authenticate(engine, x.req, true);
      if (who.via !== 'anonymous') return true;
    } catch {
      // bad credentials are none
    }
    return mayReadLogin && (await loginChecksOut(engine, x));
  };
  const scopes = new Scopes(engine, options.mock, credentialed);
  const control = new ControlPlane(scopes, () => api.coverage());
  let built: Promise<Express> | undefined;
  const app = () => (built ??= buildApp(listener));

  // The stub's own port serves nothing but the stub: every other path is an NSX 404.
  const serve = (scope: Scope, x: Exchange, nsxOnly: boolean) => {
    const to = nsxOnly && x.destination !== 'nsx' ? 'nsx-unknown' : x.destination;
    const allowance = () => (to === 'nsx' ? nsx.bodyAllowance(x, scope.engine) : to === 'api' ? api.bodyAllowance(x, scope.engine) : 0);
    const dispatch = () => {
      if (to === 'nsx') void nsx.handle(x, scope.engine);
      else if (to === 'nsx-unknown') nsx.unknown(x);
      else if (to === 'api') void api.handle(x, scope.engine);
      else if (isLanding(x.req)) sendLanding(x.req, x.res, { version: scope.engine.scenario.controller.version, mock: scopes.enabled, mockToken: !!options.mock?.token });
      else sendError(x.res, errors.notImplemented(x.method, x.path));
    };
    intercept(scope, x, dispatch, to === 'nsx' || to === 'nsx-unknown', allowance);
  };
  const inScope = (nsxOnly: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    if (hasBody(req)) closeGentlyIfAnsweredEarly(req, res);
    const x = exchangeOf(req, res);
    if (!nsxOnly && x.destination === 'mock') {
      if (scopes.enabled) void control.handle(x);
      else sendError(res, errors.notImplemented(x.method, x.path));
      return;
    }
    let scope: Scope | Promise<Scope>;
    try {
      scope = scopes.of(x, true);
    } catch (e) {
      return sendMockError(res, e);
    }
    if (!(scope instanceof Promise)) return serve(scope, x, nsxOnly);
    scope.then((s) => serve(s, x, nsxOnly), (e: unknown) => sendMockError(res, e));
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
async function loginChecksOut(engine: Engine, x: Exchange): Promise<boolean> {
  if (x.method !== 'POST' || !/^\/login\/?$/.test(x.path)) return false;
  let body: unknown;
  try {
    body = parseApiBody(await readWholeBody(x, PUBLIC_BODY_LIMIT, () => new Error('request body too large')), x.req.headers['content-type']);
  } catch {
    return false;
  }
  return loginOf(engine, body) !== undefined;
}

function sendMockError(res: ServerResponse, e: unknown): void {
  if (e instanceof MockError) return sendJson(res, e.status, { error: e.message });
  sendError(res, e);
}

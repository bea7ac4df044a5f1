/**
 * Express wiring: the API handler (server/http/api.ts) mounted first, then the test-control
 * plane under /_mock, then "unknown is loud" (501) for anything else.
 * `createListener` gives the function a node:http server should call: /api, /login and /logout
 * go straight to the API handler; the rest goes through express, which is loaded on first use
 * (its import is a sizeable part of start-up, and the API path never needs it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { createApi, isApiPath, sendError, type Api, type ApiOptions } from './api.js';
import { coverage } from './coverage.js';
import { createNsx, type Nsx } from '../nsxt/index.js';
import { linkNsxt } from '../nsxt/linked.js';

export type AppOptions = ApiOptions;
export type { Authenticate, Principal } from './api.js';

export interface Simulator {
  /** the express app (built on first call) */
  app(): Promise<Express>;
  /** request listener for node:http / node:https servers */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function createListener(engine: Engine, options: AppOptions = {}): Promise<Simulator> {
  const api = await createApi(engine, options);
  const nsx = createNsx(engine);
  let built: Promise<Express> | undefined;
  const app = () => (built ??= buildApp(engine, api, nsx));
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (nsx.handles(req.url)) void nsx.handle(req, res);
    else if (isApiPath(req.url)) void api.handle(req, res);
    else app().then((a) => a(req, res), (e: unknown) => sendError(res, e));
  };
  return { app, listener };
}

export async function createApp(engine: Engine, options: AppOptions = {}): Promise<Express> {
  return (await createListener(engine, options)).app();
}

async function buildApp(engine: Engine, api: Api, nsx: Nsx): Promise<Express> {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (nsx.handles(req.originalUrl)) {
      req.url = req.originalUrl;
      return void nsx.handle(req, res);
    }
    if (!isApiPath(req.originalUrl)) return next();
    req.url = req.originalUrl;
    void api.handle(req, res);
  });

  app.get('/_mock/coverage', (_req, res) => {
    res.json(coverage(engine, api.backend));
  });

  // Avi VIPs vs NSX-T Tier-1 routes (server/nsxt/linked.ts)
  app.get('/_mock/nsxt/check', (_req, res) => {
    res.json(linkNsxt(engine).check());
  });

  app.use((req: Request, res: Response) => {
    const url = req.originalUrl;
    const q = url.indexOf('?');
    sendError(res, errors.notImplemented(req.method, (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/')));
  });
  return app;
}

/**
 * Express wiring: the /api handler (server/http/api.ts) mounted first, then the test-control
 * plane under /_mock, then "unknown is loud" (501) for anything else.
 * `createListener` gives the function a node:http server should call: /api requests go straight
 * to the API handler, the rest through express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { createApi, isApiPath, sendError, type ApiOptions } from './api.js';
import { coverage } from './coverage.js';

export type AppOptions = ApiOptions;
export type { Authenticate, Principal } from './api.js';

export interface Simulator {
  app: express.Express;
  /** request listener for node:http / node:https servers */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function createListener(engine: Engine, options: AppOptions = {}): Promise<Simulator> {
  const api = await createApi(engine, options);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!isApiPath(req.originalUrl)) return next();
    req.url = req.originalUrl;
    void api.handle(req, res);
  });

  app.get('/_mock/coverage', (_req, res) => {
    res.json(coverage(engine, api.backend));
  });

  app.use((req: Request, res: Response) => {
    const url = req.originalUrl;
    const q = url.indexOf('?');
    sendError(res, errors.notImplemented(req.method, (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/')));
  });

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (isApiPath(req.url)) void api.handle(req, res);
    else app(req, res);
  };
  return { app, listener };
}

export async function createApp(engine: Engine, options: AppOptions = {}): Promise<express.Express> {
  return (await createListener(engine, options)).app;
}

/**
 * What an Avi API handler is given: the request as the pipeline read it (server/http/api.ts),
 * the caller, and the engine serving it. Types only, so handler files depend on this and on
 * respond.ts, never on the pipeline itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import type { Ctx } from '../avi/context.js';
import type { Session } from '../avi/sessions.js';

export interface Principal {
  username: string;
  via: 'session' | 'basic' | 'anonymous';
  session?: Session;
}

export interface ApiCall {
  method: string;
  /** path with repeated slashes collapsed, without the query */
  path: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** the path's `{param}` segments (`uuid`), percent-decoded */
  params: Record<string, string>;
  body: unknown;
  /** the body as read (multipart uploads read their files from it) */
  raw: Buffer | undefined;
  ctx: Ctx;
  principal: Principal;
  /** the engine serving this request: the main one or a sandbox */
  engine: Engine;
}

/** One operation's handler; it writes the answer (server/http/respond.ts) or throws an AviError. */
export type ApiHandler = (call: ApiCall, res: ServerResponse) => unknown;

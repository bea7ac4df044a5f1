/**
 * Writing a JSON answer, for handler modules that do not import the API module itself
 * (server/http/api.ts imports them to register them; importing it back would make a cycle).
 */
import type { ServerResponse } from 'node:http';
import type { Context } from 'openapi-backend';
import type { Ctx } from '../avi/objects.js';

/** What these handlers read of a call (a subset of the API module's ApiCall). */
export interface CallView {
  query: URLSearchParams;
  ctx: Ctx;
  body: unknown;
}

export type Handler = (c: Context, call: CallView, res: ServerResponse) => void;

export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The `{uuid}` of the matched path. */
export const uuidParam = (c: Context): string => String(c.request.params.uuid ?? '');

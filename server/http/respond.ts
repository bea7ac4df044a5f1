/**
 * The one writer of answers: every JSON body (the Avi API, the NSX stub, /_mock, a fault rule's
 * answer) leaves through `sendJson`/`sendJsonText`, with its length and media type. It imports
 * nothing else from http/, so any handler may use it without reaching back into the pipeline.
 */
import type { ServerResponse } from 'node:http';

export type Headers = Record<string, string | string[]>;

/** A response this module answered, with the text it wrote (the request journal reads it back). */
interface Answered extends ServerResponse {
  avisimAnswer?: string;
}

/** The text of the answer written through this module, if one was. */
export function answeredText(res: ServerResponse): string | undefined {
  return (res as Answered).avisimAnswer;
}

/** `body` as JSON; an undefined body is an empty one (the NSX stub's empty 200s), still typed JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  sendJsonText(res, status, body === undefined ? '' : JSON.stringify(body), headers);
}

/** For bodies already serialised (cached renderings). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Headers = {}): void {
  send(res, status, 'application/json', text, headers);
}

/** A plain-text answer (an error the controller answers without JSON, a fault rule's text). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', text, {});
}

/** An answer without a body (204 after a delete). */
export function sendEmpty(res: ServerResponse, status = 204): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status).end();
}

function send(res: ServerResponse, status: number, type: string, text: string, headers: Headers): void {
  // a handler that already answered (a dropped or timed-out connection) is left as it is
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  (res as Answered).avisimAnswer = text;
  res.end(text);
}

/**
 * What the control plane does to a served request before its handler runs: the request journal
 * entry (written when the answer is finished or the connection closes) and the fault rules of
 * the request's scope (delay, drop, or an answer in the API's own error format).
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { splitUrl } from '../http/api.js';
import { bodySizeOf, bodyWasTooLarge, parsedBodyOf, readAheadBody } from '../http/body.js';
import { parseForJournal } from '../http/media.js';
import { captureAnswer } from './answer.js';
import { collectChanges, type ChangeList } from './changes.js';
import type { FaultRule } from './faults.js';
import type { SeenRequest } from './pattern.js';
import type { Scope } from './scopes.js';

export type Dispatch = (req: IncomingMessage, res: ServerResponse) => void;
/**
 * The largest body the handler would read for this request, 0 when it would refuse the call
 * first (no credentials): a fault rule never makes the server buffer a stranger's body.
 */
export type BodyAllowance = () => number | Promise<number>;

/** Serves `req` in `scope`: journal, faults, then `dispatch`. */
export function intercept(
  scope: Scope,
  req: IncomingMessage,
  res: ServerResponse,
  handler: Dispatch,
  nsxPath: boolean,
  allowance: BodyAllowance,
): void {
  if (scope.journal.limit <= 0 && scope.faults.size === 0) return handler(req, res);
  let changed: ChangeList | undefined;
  // the journal shows which objects a request changed
  const dispatch: Dispatch =
    scope.journal.limit > 0 ? (rq, rs) => void (changed = collectChanges(scope.engine.store, () => handler(rq, rs))) : handler;
  const { path, rawQuery } = splitUrl(req.url);
  const seen: SeenRequest = { method: (req.method ?? 'GET').toUpperCase(), path, tenant: tenantOf(req) };
  let fault: string | undefined;
  if (scope.journal.limit > 0) {
    // Kept cheap: this runs on every request. The entry is built once the answer is done; its
    // time is turned into text only when the journal is read.
    const arrived = Date.now();
    const started = performance.now();
    const answer = captureAnswer(res);
    res.on('close', () => {
      scope.journal.add({
        method: seen.method,
        path: seen.path,
        tenant: seen.tenant,
        arrived,
        query: rawQuery,
        status: res.writableFinished ? res.statusCode : 0,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        body: seen.body ?? parsedBodyOf(req),
        bodyBytes: bodySizeOf(req),
        sandbox: scope.id,
        fault,
        changes: changed,
        answer: answer(),
      });
    });
  }
  if (scope.faults.size === 0) return dispatch(req, res);
  void (async () => {
    if (scope.faults.needsBody(seen)) {
      const limit = await allowance();
      if (limit > 0) {
        try {
          const raw = await readAheadBody(req, res, limit);
          seen.body = parseForJournal(raw, req.headers['content-type']);
        } catch (e) {
          // an over-size body: the handler answers 413 in its own format
          if (!bodyWasTooLarge(req)) throw e;
          return dispatch(req, res);
        }
      }
    }
    const rule = scope.faults.fire(seen);
    if (!rule) return dispatch(req, res);
    fault = rule.id;
    if (rule.delay_ms) await new Promise((r) => setTimeout(r, rule.delay_ms));
    if (rule.drop) {
      req.socket.destroy();
      return;
    }
    if (rule.status === undefined) return dispatch(req, res);
    answer(rule, res, nsxPath);
  })().catch(() => {
    if (!res.headersSent) res.writeHead(400).end();
  });
}

function answer(rule: FaultRule, res: ServerResponse, nsxPath: boolean): void {
  const status = rule.status!;
  let body = rule.body;
  if (body === undefined) {
    const message = rule.error ?? `${status} ${STATUS_CODES[status] ?? ''}`.trim();
    body = nsxPath
      ? {
          httpStatus: (STATUS_CODES[status] ?? 'ERROR').toUpperCase().replace(/[^A-Z]+/g, '_'),
          error_code: rule.error_code ?? 99,
          module_name: 'common-services',
          error_message: message,
        }
      : { error: message };
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The tenant a request names (`admin` when none), as the journal and rules match it. */
function tenantOf(req: IncomingMessage): string {
  const byName = req.headers['x-avi-tenant'];
  if (typeof byName === 'string' && byName) return byName;
  const byUuid = req.headers['x-avi-tenant-uuid'];
  return typeof byUuid === 'string' && byUuid ? byUuid : 'admin';
}

/**
 * What the control plane does to a served request before its handler runs: the request journal
 * entry (written when the answer is finished or the connection closes) and the fault rules of
 * the request's scope (delay, drop, or an answer in the API's own error format).
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { bodySizeOf, readWholeBody } from '../http/body.js';
import { namedTenant, type Exchange } from '../http/exchange.js';
import { parseForJournal } from '../http/media.js';
import { answerOf } from './answer.js';
import { collectChanges, type ChangeList } from './changes.js';
import { sendJson, sendText } from '../http/respond.js';
import type { FaultRule } from './faults.js';
import type { SeenRequest } from './pattern.js';
import type { Scope } from './scopes.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type Dispatch = () => void;
/**
 * The largest body the handler would read for this request, 0 when it would refuse the call
 * first (no credentials): a fault rule never makes the server buffer a stranger's body.
 */
export type BodyAllowance = () => number | Promise<number>;

/** Serves `req` in `scope`: journal, faults, then `dispatch`. */
export function intercept(scope: Scope, x: Exchange, handler: Dispatch, nsxPath: boolean, allowance: BodyAllowance): void {
  if (scope.journal.limit <= 0 && scope.faults.size === 0) return handler();
  const { req, res } = x;
  let changed: ChangeList | undefined;
  // The journal shows which objects a request changed. Reads change nothing, and they are most
  // of the traffic: they run without the async context the collection needs (it costs every
  // promise of the request).
  const collect = scope.journal.limit > 0 && !READS.has(x.method);
  const dispatch: Dispatch = collect ? () => void (changed = collectChanges(scope.engine.store, handler)) : handler;
  const seen: SeenRequest = { method: x.method, path: x.path, tenant: namedTenant(x) };
  let fault: string | undefined;
  if (scope.journal.limit > 0) {
    // Kept cheap: this runs on every request. The entry is built once the answer is done; its
    // time is turned into text only when the journal is read.
    const arrived = Date.now();
    const started = performance.now();
    res.on('close', () => {
      scope.journal.add({
        method: seen.method,
        path: seen.path,
        tenant: seen.tenant,
        arrived,
        query: x.rawQuery,
        status: res.writableFinished ? res.statusCode : 0,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        body: seen.body ?? x.body,
        bodyBytes: bodySizeOf(x),
        sandbox: scope.id,
        fault,
        changes: changed,
        // a successful read's answer can be read again; what debugging needs is what writes and
        // failures answered (keeping every read's answer kept a large store's heap churning)
        answer: READS.has(seen.method) && res.statusCode < 400 ? undefined : answerOf(res),
      });
    });
  }
  if (scope.faults.size === 0) return dispatch();
  void (async () => {
    if (scope.faults.needsBody(seen)) {
      const limit = await allowance();
      if (limit > 0) {
        try {
          const raw = await readWholeBody(x, limit, () => new Error('request body too large'));
          seen.body = parseForJournal(raw, req.headers['content-type']);
        } catch (e) {
          // an over-size body: the handler answers 413 in its own format
          if (!x.overSize) throw e;
          return dispatch();
        }
      }
    }
    const rule = scope.faults.fire(seen);
    if (!rule) return dispatch();
    fault = rule.id;
    if (rule.delay_ms) await new Promise((r) => setTimeout(r, rule.delay_ms));
    if (rule.drop) {
      req.socket.destroy();
      return;
    }
    if (rule.status === undefined) return dispatch();
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
  if (typeof body === 'string') sendText(res, status, body);
  else sendJson(res, status, body);
}

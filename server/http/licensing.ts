/**
 * The licensing operations: `/api/licenseusage`, `/api/licensing`, the license ledger and the
 * licensing status, keyed by the document's operationIds. The answers are built by
 * server/avi/licensing.ts from the engine's state; this file only reads the request.
 */
import type { Context } from 'openapi-backend';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { flagParam } from '../avi/query.js';
import { LEDGER_UUID, ledger, licenseStatus, licenseUsage, licensing, STATUS_UUID } from '../avi/licensing.js';
import { answerJson, uuidParam, type CallView, type Handler } from './answer.js';

/**
 * A resource the controller derives and keeps one of (the license ledger, the licensing
 * status): listed, read by its uuid; a write answers it as derived (the controller recomputes
 * it), and it cannot be deleted [inferred].
 */
function derivedResource(path: string, model: string, uuid: string, body: (call: CallView) => Record<string, unknown>): Record<string, Handler> {
  const withUrl = (call: CallView) => ({ url: `${call.ctx.base}${path}/${uuid}`, ...body(call) });
  const one = (c: Context, call: CallView) => {
    if (uuidParam(c) !== uuid) throw errors.objectNotFound(model);
    return withUrl(call);
  };
  return {
    [`GET ${path}`]: (_c, call, res) => answerJson(res, 200, { count: 1, results: [withUrl(call)] }),
    [`POST ${path}`]: (_c, call, res) => answerJson(res, 200, withUrl(call)),
    [`GET ${path}/{uuid}`]: (c, call, res) => answerJson(res, 200, one(c, call)),
    [`PUT ${path}/{uuid}`]: (c, call, res) => answerJson(res, 200, one(c, call)),
    [`PATCH ${path}/{uuid}`]: (c, call, res) => answerJson(res, 200, one(c, call)),
    [`DELETE ${path}/{uuid}`]: (c, call) => {
      one(c, call);
      throw errors.systemDefault();
    },
  };
}

export function licensingHandlers(engine: Engine): Record<string, Handler> {
  const svc = engine.objects;
  return {
    'licenseusage.get': (_c, call, res) => answerJson(res, 200, licenseUsage(svc, flagParam(call.query, 'filter_pertenant'))),
    'licensing.get': (_c, call, res) => {
      const includeName = flagParam(call.query, 'include_name');
      answerJson(res, 200, licensing(svc, (rec) => svc.render(rec, call.ctx, includeName), engine.startedMicros));
    },
    ...derivedResource('/api/licensing/ledger/details', 'LicenseLedgerDetails', LEDGER_UUID, () => ledger(svc, engine.ids.nowMicros())),
    ...derivedResource('/api/licensing/status', 'LicenseStatus', STATUS_UUID, () => licenseStatus(svc)),
  };
}

/**
 * The licensing operations: `/api/licenseusage`, `/api/licensing`, the license ledger and the
 * licensing status, keyed by the document's operationIds. The answers are built by
 * server/avi/licensing.ts from the engine's state; this file only reads the request.
 */
import { errors } from '../avi/errors.js';
import { flagParam } from '../avi/query.js';
import { LEDGER_UUID, ledger, licenseStatus, licenseUsage, licensing, STATUS_UUID } from '../avi/licensing.js';
import type { ApiCall, ApiHandler } from './call.js';
import { sendJson } from './respond.js';

/**
 * A resource the controller derives and keeps one of (the license ledger, the licensing
 * status): listed, read by its uuid; a write answers it as derived (the controller recomputes
 * it), and it cannot be deleted [inferred].
 */
function derivedResource(path: string, model: string, uuid: string, body: (call: ApiCall) => Record<string, unknown>): Record<string, ApiHandler> {
  const withUrl = (call: ApiCall) => ({ url: `${call.ctx.base}${path}/${uuid}`, ...body(call) });
  const one = (call: ApiCall) => {
    if ((call.params.uuid ?? '') !== uuid) throw errors.objectNotFound(model);
    return withUrl(call);
  };
  return {
    [`GET ${path}`]: (call, res) => sendJson(res, 200, { count: 1, results: [withUrl(call)] }),
    [`POST ${path}`]: (call, res) => sendJson(res, 200, withUrl(call)),
    [`GET ${path}/{uuid}`]: (call, res) => sendJson(res, 200, one(call)),
    [`PUT ${path}/{uuid}`]: (call, res) => sendJson(res, 200, one(call)),
    [`PATCH ${path}/{uuid}`]: (call, res) => sendJson(res, 200, one(call)),
    [`DELETE ${path}/{uuid}`]: (call) => {
      one(call);
      throw errors.systemDefault();
    },
  };
}

export const licensingHandlers: Readonly<Record<string, ApiHandler>> = {
  'licenseusage.get': (call, res) => sendJson(res, 200, licenseUsage(call.engine.objects, flagParam(call.query, 'filter_pertenant'))),
  'licensing.get': (call, res) => {
    const svc = call.engine.objects;
    const includeName = flagParam(call.query, 'include_name');
    sendJson(res, 200, licensing(svc, (rec) => svc.render(rec, call.ctx, includeName), call.engine.startedMicros));
  },
  ...derivedResource('/api/licensing/ledger/details', 'LicenseLedgerDetails', LEDGER_UUID, (call) => ledger(call.engine.objects, call.engine.ids.nowMicros())),
  ...derivedResource('/api/licensing/status', 'LicenseStatus', STATUS_UUID, (call) => licenseStatus(call.engine.objects)),
};

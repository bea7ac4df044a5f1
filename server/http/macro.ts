/**
 * The macro API's HTTP binding: `POST /api/macro` and `DELETE /api/macro` run the macro model
 * (server/avi/macro.ts) on the request body. POST answers 200 with the created objects, DELETE
 * 204.
 */
import { macros } from '../avi/macro.js';
import type { ApiCall, ApiHandler } from './call.js';
import { sendEmpty, sendJsonText } from './respond.js';

const macrosOf = ({ engine }: ApiCall) => macros({ svc: engine.objects, transact: (work) => engine.transact(work) });

export const macroHandlers: Readonly<Record<string, ApiHandler>> = {
  'macro.create': async (call, res) => sendJsonText(res, 200, await macrosOf(call).create(call.body, call.ctx)),
  'macro.delete': async (call, res) => {
    await macrosOf(call).remove(call.body, call.ctx);
    sendEmpty(res);
  },
};

/**
 * HTTP binding of the object types' sub-resources and actions (server/avi/subresources/): one
 * handler per operation of the document under `/api/<type>/...` that is neither CRUD nor
 * modelled elsewhere (handlers registered after these replace them). A GET answers the type's
 * sub-resource; any other method runs the action as one transaction with its answer, after the
 * work it must wait for (`prepare`).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'openapi-backend';
import type { Engine } from '../engine.js';
import type { Ctx } from '../avi/objects.js';
import { flagParam } from '../avi/query.js';
import { actionOf, subresourceOf, type SubCall } from '../avi/subresources/index.js';

/** The parts of the API call these handlers read. */
interface Call {
  method: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  ctx: Ctx;
  engine: Engine;
}

type Handler = (c: Context, call: Call, res: ServerResponse) => Promise<void>;

/** Families answered by their own modules, not by the object types' sub-resources. */
const OWN_FAMILIES = /^\/api\/(analytics|licensing)(\/|$)/;

function reply(res: ServerResponse, body: unknown): void {
  replyText(res, JSON.stringify(body ?? {}));
}

function replyText(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** `/api/<type>/{uuid}/<sub>/` or `/api/<type>/<sub>` → type, sub, and whether it names an object. */
export function parseSubPath(path: string): { type: string; sub: string; object: boolean } | undefined {
  const m = /^\/api\/([^/{}]+)\/(\{uuid\}\/?)?(.*?)\/?$/.exec(path);
  if (!m || !m[3] || m[3].includes('{')) return undefined;
  return { type: m[1]!, sub: m[3], object: m[2] !== undefined };
}

export function subresourceHandlers(engine: Engine): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  const paths = engine.catalog.doc.paths as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(paths)) {
    if (OWN_FAMILIES.test(path)) continue;
    const parsed = parseSubPath(path);
    if (!parsed || !engine.catalog.typeInfo(parsed.type)) continue;
    for (const [method, op] of Object.entries(item)) {
      const id = typeof op === 'object' && op !== null ? (op as { operationId?: unknown }).operationId : undefined;
      if (typeof id !== 'string' || !id.startsWith(`${method.toUpperCase()} /api/`)) continue;
      out[id] = handler(parsed.type, parsed.sub, parsed.object, method.toUpperCase(), requestSchema(op));
    }
  }
  return out;
}

function requestSchema(op: unknown): string | undefined {
  const ref = (op as { requestBody?: { content?: Record<string, { schema?: { $ref?: unknown } }> } }).requestBody?.content?.['application/json']?.schema?.$ref;
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
}

function handler(type: string, sub: string, object: boolean, method: string, bodySchema: string | undefined): Handler {
  return async (c, call, res) => {
    const engine = call.engine;
    const svc = engine.objects;
    const uuid = String(c.request.params.uuid ?? '');
    const rec = !object ? undefined : method === 'GET' ? svc.getOne(type, uuid, call.ctx) : svc.getWritable(type, uuid, call.ctx);
    const sc: SubCall = { svc, type, sub, method, rec, query: call.query, body: call.body, bodySchema, ctx: call.ctx, includeName: flagParam(call.query, 'include_name') };
    if (method === 'GET') return reply(res, subresourceOf(type, sub)(sc));
    const action = actionOf(type, sub);
    // the answer is made inside the transaction: if it cannot be, the action's writes are undone
    if (typeof action === 'function') return replyText(res, await engine.transact(() => JSON.stringify(action(sc) ?? {})));
    const prepared = await action.prepare(sc);
    replyText(res, await engine.transact(() => JSON.stringify(action.run(sc, prepared) ?? {})));
  };
}

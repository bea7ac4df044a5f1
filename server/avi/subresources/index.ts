/**
 * Every type's sub-resources and actions: the ones written from state per type, and the general
 * answer (common.ts) for every other path of the document, so no documented operation of an
 * object type is left without one.
 */
import type { SubCall, TypeSubresources, Action, SubHandler } from './types.js';
import type { Resource } from '../resources.js';
import { accepted, stateBody } from './common.js';
import { virtualserviceSubresources } from './virtualservice.js';
import { poolSubresources } from './pool.js';
import { serviceengineSubresources } from './serviceengine.js';
import { serviceenginegroupSubresources } from './serviceenginegroup.js';
import { cloudSubresources } from './cloud.js';
import { vimgrhostruntimeSubresources, vimgrvcenterruntimeSubresources } from './vcenter.js';
import { miscSubresources } from './misc.js';

export type { SubCall, TypeSubresources, Action, SubHandler, PreparedAction } from './types.js';

const REGISTRY: ReadonlyMap<string, TypeSubresources> = new Map(Object.entries({
  virtualservice: virtualserviceSubresources,
  pool: poolSubresources,
  serviceengine: serviceengineSubresources,
  serviceenginegroup: serviceenginegroupSubresources,
  cloud: cloudSubresources,
  vimgrvcenterruntime: vimgrvcenterruntimeSubresources,
  vimgrhostruntime: vimgrhostruntimeSubresources,
  ...miscSubresources,
}));

const own = <T>(table: Record<string, T> | undefined, key: string): T | undefined =>
  table && Object.hasOwn(table, key) ? table[key] : undefined;

/** The answer of `GET /api/<type>/<uuid>/<sub>`. */
export function subresourceOf(type: string, sub: string): SubHandler {
  return own(REGISTRY.get(type)?.get, sub) ?? stateBody;
}

/** The action behind `POST|PUT|PATCH /api/<type>[/<uuid>]/<sub>`. */
export function actionOf(type: string, sub: string): Action {
  return own(REGISTRY.get(type)?.actions, sub) ?? ((call: SubCall) => accepted(call));
}

/** The document's response schema a sub-resource answer follows, where one is known. */
export function answerSchemaOf(type: string, sub: string): string | undefined {
  return own(REGISTRY.get(type)?.schemas, sub);
}

/** `/api/<type>/{uuid}/<sub>/` or `/api/<type>/<sub>` → type, sub, and whether it names an object. */
export function parseSubPath(path: string): { type: string; sub: string; object: boolean } | undefined {
  const m = /^\/api\/([^/{}]+)\/(\{uuid\}\/?)?(.*?)\/?$/.exec(path);
  if (!m || !m[3] || m[3].includes('{')) return undefined;
  return { type: m[1]!, sub: m[3], object: m[2] !== undefined };
}

/**
 * The route target of a sub-resource (GET) or action (any other method) of `type` that the type
 * module does not declare itself (server/avi/resources.ts): this registry's answer from state,
 * else the general one. An action runs as one transaction, after the work it must wait for.
 */
export function stateResource(type: string, sub: string, object: boolean, method: string, bodySchema: string | undefined): Resource {
  const upper = method.toUpperCase();
  return async (call) => {
    const { svc } = call;
    const rec = !object ? undefined : upper === 'GET' ? call.object() : svc.getWritable(type, call.uuid, call.ctx);
    const sc: SubCall = { svc, type, sub, method: upper, rec, query: call.query, body: call.body, bodySchema, ctx: call.ctx, includeName: call.includeName };
    if (upper === 'GET') return subresourceOf(type, sub)(sc) ?? {};
    const action = actionOf(type, sub);
    if (typeof action === 'function') return await call.transact(() => action(sc) ?? {});
    const prepared = await action.prepare(sc);
    return await call.transact(() => action.run(sc, prepared) ?? {});
  };
}

/**
 * Every type's sub-resources and actions: the ones written from state per type, and the general
 * answer (common.ts) for every other path of the document, so no documented operation of an
 * object type is left without one.
 */
import type { SubCall, TypeSubresources, Action, SubHandler } from './types.js';
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

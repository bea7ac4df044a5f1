/**
 * The general answer of every sub-resource and action of every type, and the helpers the
 * per-type answers share.
 *
 * - A GET sub-resource answers the object's identity (`url`, `uuid`, `name`, `tenant_ref`,
 *   `cloud_ref`), its `oper_status` where the runtime model has one, and `se_list`: the Service
 *   Engines it runs on (a virtual service's placement, the SEs of the virtual services a pool
 *   serves, an SE itself, a group's SEs) [inferred: a controller answers these from the SEs;
 *   no traffic is simulated, so no counter is made up].
 * - An action checks its body against the document's request schema (the controller's 400
 *   naming the field) and answers an accepted job: `{status: "ACCEPTED", action, uuid, name,
 *   url}` [inferred]. Actions whose effect is on the state are written per type.
 */
import { errors } from '../errors.js';
import type { Data, Rec } from '../../core/store.js';
import { cleanInput, isObject } from '../shape-ops.js';
import { validate } from '../validate.js';
import { placementOf, poolRuntime, poolsOf, segRuntime, vsOperStatus, type OperStatus } from '../placement.js';
import type { ObjectService } from '../objects.js';
import type { SubCall } from './types.js';

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
export const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function ref(call: SubCall, type: string, uuid: string): string {
  return call.svc.renderRef(call.ctx.base, type, uuid, call.includeName);
}

/** The object the call names; a collection-level call has none. */
export function recOf(call: SubCall): Rec {
  if (!call.rec) throw errors.objectNotFound(call.svc.info(call.type).model);
  return call.rec;
}

/** `url`, `uuid`, `name` and the tenant and cloud refs of the object. */
export function identity(call: SubCall, rec: Rec): Data {
  const out: Data = { url: ref(call, rec.type, rec.uuid), uuid: rec.uuid };
  if (typeof rec.data.name === 'string') out.name = rec.data.name;
  for (const [field, type] of [['tenant_ref', 'tenant'], ['cloud_ref', 'cloud']] as const) {
    const target = str(rec.data[field]);
    if (target) out[field] = ref(call, type, target);
  }
  return out;
}

/** The body checked against the operation's request schema: the controller's 400 when it is not. */
export function checkedBody(call: SubCall): Data {
  const body = isObject(call.body) ? call.body : {};
  if (!call.bodySchema) return body;
  if (call.body !== undefined && !isObject(call.body)) throw errors.invalid('Invalid data: request body must be a JSON object');
  const shape = call.svc.catalog.shape(call.bodySchema);
  const clean = cleanInput(body, shape);
  validate(clean, shape);
  return clean;
}

/** A ref in an action's body (uuid, `/api/<type>/<uuid>`, `/api/<type>?name=`) → the object, or the 400. */
export function bodyRef(call: SubCall, type: string, value: unknown): Rec | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const uuid = call.svc.tryResolve(type, String(value), { tenant: call.ctx.tenant === '*' ? 'admin' : call.ctx.tenant });
  const rec = uuid ? call.svc.store.get(type, uuid) : undefined;
  if (!rec) throw errors.refNotFound(call.svc.info(type).model);
  return rec;
}

/** Virtual services that send traffic to a pool (directly, through pool groups or policies). */
export function vsesOfPool(svc: ObjectService, pool: Rec): Rec[] {
  const out: Rec[] = [];
  for (const vs of svc.store.collection('virtualservice').values()) {
    if (poolsOf(svc, vs).some((p) => p.uuid === pool.uuid)) out.push(vs);
  }
  return out;
}

/** The SEs an object runs on, in placement order, each once. */
export function sesOfRec(svc: ObjectService, rec: Rec): Rec[] {
  const placement = placementOf(svc);
  const seen = new Map<string, Rec>();
  const add = (ses: Rec[]) => ses.forEach((se) => seen.set(se.uuid, se));
  switch (rec.type) {
    case 'virtualservice':
      add(placement.sesOf(rec));
      break;
    case 'serviceengine':
      add([rec]);
      break;
    case 'serviceenginegroup':
      add([...svc.store.collection('serviceengine').values()].filter((se) => se.data.se_group_ref === rec.uuid));
      break;
    case 'pool':
      for (const vs of vsesOfPool(svc, rec)) add(placement.sesOf(vs));
      break;
    default:
      for (const r of svc.store.referrers(rec.type, rec.uuid)) if (r.type === 'virtualservice') add(placement.sesOf(r));
  }
  return [...seen.values()];
}

export function seOperStatus(svc: ObjectService, se: Rec): OperStatus {
  if (se.data.enable_state === 'SE_STATE_DISABLED') return { state: 'OPER_DISABLED' };
  return { state: 'OPER_UP' };
}

/** The runtime model's `oper_status` of an object, where it has one. */
export function operStatusOf(call: SubCall, rec: Rec): OperStatus | undefined {
  switch (rec.type) {
    case 'virtualservice':
      return vsOperStatus(call.svc, rec);
    case 'pool':
      return poolRuntime(call.svc, rec).oper_status as OperStatus;
    case 'serviceenginegroup':
      return segRuntime(call.svc, rec, call.ctx, call.includeName).oper_status as OperStatus;
    case 'serviceengine':
      return seOperStatus(call.svc, rec);
    default:
      return undefined;
  }
}

/** One entry of `se_list`. */
export function seEntry(call: SubCall, se: Rec, primary?: boolean): Data {
  const out: Data = { se_ref: ref(call, 'serviceengine', se.uuid), se_uuid: se.uuid, se_name: call.svc.nameOf(se) };
  if (primary !== undefined) out.is_primary = primary;
  return out;
}

/** The general answer of a GET sub-resource (see above). */
export function stateBody(call: SubCall): Data {
  const rec = recOf(call);
  const out = identity(call, rec);
  const oper = operStatusOf(call, rec);
  if (oper) out.oper_status = oper;
  const ses = sesOfRec(call.svc, rec);
  if (ses.length || rec.type !== 'serviceengine') out.se_list = ses.map((se, i) => seEntry(call, se, rec.type === 'virtualservice' ? i === 0 : undefined));
  return out;
}

/** The general answer of an action (see above). */
export function accepted(call: SubCall, extra: Data = {}): Data {
  checkedBody(call);
  const out: Data = { status: 'ACCEPTED', action: call.sub };
  if (call.rec) Object.assign(out, { uuid: call.rec.uuid, name: call.svc.nameOf(call.rec), url: ref(call, call.rec.type, call.rec.uuid) });
  return { ...out, ...extra };
}

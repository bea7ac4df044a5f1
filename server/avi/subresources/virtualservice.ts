/**
 * Virtual service sub-resources and actions, from its configuration and placement.
 *
 * Runtime answers share the runtime model (server/avi/placement.ts): a disabled VS is
 * OPER_DISABLED in `runtime/detail` as in `runtime`, and placed on no SE anywhere.
 *
 * Actions move the placement, as the controller's resource manager does [inferred texts]:
 * - `scaleout`: one SE more (`to_se_ref`, else one of the group with room, else a new one where
 *   the controller deploys SEs), up to the group's `max_scaleout_per_vs`;
 * - `scalein`: one SE less (`from_se_ref`, the primary with `scalein_primary`, else the last),
 *   never below the group's `min_scaleout_per_vs`;
 * - `migrate`: `from_se_ref` (the primary by default) replaced by `to_se_ref` or another SE;
 * - `switchover`: another SE (`se_uuid`, else the next one) becomes primary;
 * - `retryplacement`: placement runs again; `resync`, `clear`, `rotatekeys`, log recommendations:
 *   accepted.
 * The scale asked for is kept beside the placement (`num_additional_se` in `vip_runtime`) and
 * lasts until the VS is deleted or the controller restarts. Whatever moves the placement, the
 * VS is rewritten so everything that follows placement (the NSX-T routes) hears of it.
 */
import { errors } from '../errors.js';
import type { Data, Rec } from '../../core/store.js';
import { vipRuntime, vsRuntime } from '../runtime.js';
import { accepted, asList, checkedBody, bodyRef, identity, recOf, ref, seEntry, str, stateBody } from './common.js';
import type { SubCall, TypeSubresources } from './types.js';
import { isObject } from '../../core/json.js';

const DEFAULT_MAX_SCALEOUT = 4;
const DEFAULT_MIN_SCALEOUT = 1;

const intOr = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : d);

function groupOf(call: SubCall, vs: Rec): Rec | undefined {
  const g = str(vs.data.se_group_ref);
  return g ? call.svc.store.get('serviceenginegroup', g) : undefined;
}

/** `runtime/detail`: the runtime summary with the object's identity and its VIPs' SEs. */
function detail(call: SubCall): Data {
  const vs = recOf(call);
  return { ...identity(call, vs), ...vsRuntime(call.svc, vs, call.ctx, call.includeName), vip_runtime: vipRuntime(call.svc, vs, call.ctx, call.includeName) };
}

/** `runtime/internal`: the controller's VirtualServiceRuntime record of the VS. */
function internal(call: SubCall): Data {
  const vs = recOf(call);
  const d = vs.data;
  const out: Data = {
    uuid: vs.uuid,
    type: str(d.type) ?? 'VS_TYPE_NORMAL',
    version: typeof d.version === 'number' ? d.version : 1,
    marked_for_delete: false,
    manual_placement: false,
    east_west: d.east_west_placement === true,
    num_additional_se: call.svc.placement.additionalSes(vs.uuid),
    vip_runtime: vipRuntime(call.svc, vs, call.ctx, call.includeName),
  };
  if (typeof d.redis_port === 'number') out.redis_port = d.redis_port;
  if (typeof d.redis_db === 'number') out.redis_db = d.redis_db;
  if (Array.isArray(d.tls_ticket_key)) out.tls_ticket_key = d.tls_ticket_key;
  return out;
}

/** placement/* and scale-out status: what the VS asks for and where it is. */
function placementBody(call: SubCall): Data {
  const vs = recOf(call);
  const placement = call.svc.placement;
  const ses = placement.sesOf(vs);
  const want = placement.wants(vs);
  const group = groupOf(call, vs);
  const out: Data = {
    ...identity(call, vs),
    num_se_requested: want?.count ?? 0,
    num_se_assigned: ses.length,
    num_additional_se: placement.additionalSes(vs.uuid),
    scaleout_in_progress: false,
    placed: ses.length > 0,
    se_list: ses.map((se, i) => seEntry(call, se, i === 0)),
  };
  if (group) out.se_group_ref = ref(call, 'serviceenginegroup', group.uuid);
  return out;
}

/** `candidatesehostlist`: the SEs of the VS's group that could take it, and how loaded each is. */
function candidates(call: SubCall): Data {
  const vs = recOf(call);
  const group = groupOf(call, vs);
  const placement = call.svc.placement;
  const maxVs = intOr(group?.data.max_vs_per_se, 10);
  const on = new Set(placement.sesOf(vs).map((se) => se.uuid));
  const se_list: Data[] = [];
  for (const se of call.svc.store.collection('serviceengine').values()) {
    if (!group || se.data.se_group_ref !== group.uuid || se.data.enable_state === 'SE_STATE_DISABLED') continue;
    const hosted = placement.vsesOn(se.uuid).length;
    if (on.has(se.uuid) || hosted >= maxVs) continue;
    se_list.push({ ...seEntry(call, se), num_vs: hosted, max_vs: maxVs });
  }
  return { ...identity(call, vs), se_list, host_list: [] };
}

/** The VIP the body names (`vip_id`), which the VS must have. */
function checkVip(call: SubCall, vs: Rec, body: Data): void {
  if (body.vip_id === undefined) return;
  const vsvip = str(vs.data.vsvip_ref) ? call.svc.store.get('vsvip', vs.data.vsvip_ref as string) : undefined;
  const vips = asList(vsvip ? vsvip.data.vip : vs.data.vip).filter(isObject);
  if (!vips.some((v, i) => String(v.vip_id ?? i) === String(body.vip_id))) throw errors.invalid(`Vip ${String(body.vip_id)} not found in Virtual Service ${call.svc.nameOf(vs)}`);
}

/** The VS's placed SEs, or the 400 when it runs nowhere (disabled, no VIP, no SE). */
function placedSes(call: SubCall, vs: Rec): string[] {
  const ses = call.svc.placement.sesOf(vs).map((se) => se.uuid);
  if (ses.length === 0) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} is not placed on any Service Engine`);
  return ses;
}

/** After an action moved the placement: the VS rewritten (listeners follow), the new SEs answered. */
function moved(call: SubCall, vs: Rec): Data {
  const now = call.svc.store.get('virtualservice', vs.uuid);
  if (now) call.svc.rewrite(now, now.data);
  const ses = call.svc.placement.sesOf(vs);
  return accepted(call, { se_list: ses.map((se, i) => seEntry(call, se, i === 0)) });
}

/** An SE of the VS's group that the body names. */
function groupSe(call: SubCall, vs: Rec, value: unknown): Rec | undefined {
  const se = bodyRef(call, 'serviceengine', value);
  if (se && se.data.se_group_ref !== vs.data.se_group_ref) {
    throw errors.invalid(`Service Engine ${call.svc.nameOf(se)} is not in the Service Engine Group of Virtual Service ${call.svc.nameOf(vs)}`);
  }
  return se;
}

/** What every placement action starts from: the VS, its checked body (VIP included) and its SEs. */
function placementAction(call: SubCall): { vs: Rec; body: Data; current: string[] } {
  const vs = recOf(call);
  const body = checkedBody(call);
  checkVip(call, vs, body);
  return { vs, body, current: placedSes(call, vs) };
}

function scaleout(call: SubCall): Data {
  const { vs, body, current } = placementAction(call);
  const placement = call.svc.placement;
  const max = intOr(groupOf(call, vs)?.data.max_scaleout_per_vs, DEFAULT_MAX_SCALEOUT);
  if (current.length >= max) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} is already scaled out to the maximum of ${max} Service Engines`);
  const to = groupSe(call, vs, body.to_se_ref);
  if (to && current.includes(to.uuid)) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} is already placed on Service Engine ${call.svc.nameOf(to)}`);
  placement.scaleBy(vs.uuid, 1);
  if (to) placement.assignSes(vs, [...current, to.uuid]);
  else {
    placement.place(vs);
    if (placement.sesOf(vs).length <= current.length) {
      placement.scaleBy(vs.uuid, -1);
      throw errors.invalid(`No Service Engine available to scale out Virtual Service ${call.svc.nameOf(vs)}`);
    }
  }
  return moved(call, vs);
}

function scalein(call: SubCall): Data {
  const { vs, body, current } = placementAction(call);
  const placement = call.svc.placement;
  const min = intOr(groupOf(call, vs)?.data.min_scaleout_per_vs, DEFAULT_MIN_SCALEOUT);
  if (current.length <= min || placement.additionalSes(vs.uuid) === 0) {
    throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} cannot scale in below ${min} Service Engine(s) (min_scaleout_per_vs)`);
  }
  const from = groupSe(call, vs, body.from_se_ref);
  if (from && !current.includes(from.uuid)) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} is not placed on Service Engine ${call.svc.nameOf(from)}`);
  const leaving = from?.uuid ?? (body.scalein_primary === true ? current[0]! : current[current.length - 1]!);
  placement.scaleBy(vs.uuid, -1);
  placement.assignSes(vs, current.filter((u) => u !== leaving));
  return moved(call, vs);
}

function migrate(call: SubCall): Data {
  const { vs, body, current } = placementAction(call);
  const placement = call.svc.placement;
  const from = groupSe(call, vs, body.from_se_ref);
  if (from && !current.includes(from.uuid)) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} is not placed on Service Engine ${call.svc.nameOf(from)}`);
  const leaving = from?.uuid ?? current[0]!;
  const to = groupSe(call, vs, body.to_se_ref);
  if (to && current.includes(to.uuid)) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} is already placed on Service Engine ${call.svc.nameOf(to)}`);
  let target = to?.uuid;
  if (!target) {
    // one SE more the way a scale-out finds it, then the one leaving goes
    placement.scaleBy(vs.uuid, 1);
    placement.place(vs);
    placement.scaleBy(vs.uuid, -1);
    target = placement.sesOf(vs).map((se) => se.uuid).find((u) => !current.includes(u));
    if (!target) {
      placement.assignSes(vs, current);
      throw errors.invalid(`No Service Engine available to migrate Virtual Service ${call.svc.nameOf(vs)} to`);
    }
  }
  placement.assignSes(vs, current.map((u) => (u === leaving ? target! : u)));
  return moved(call, vs);
}

function switchover(call: SubCall): Data {
  const { vs, body, current } = placementAction(call);
  if (current.length < 2) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} has no standby Service Engine to switch over to`);
  const wanted = str(body.se_uuid);
  if (wanted && !current.includes(wanted)) throw errors.invalid(`Virtual Service ${call.svc.nameOf(vs)} is not placed on Service Engine ${wanted}`);
  const primary = wanted && wanted !== current[0] ? wanted : current[1]!;
  call.svc.placement.assignSes(vs, [primary, ...current.filter((u) => u !== primary)]);
  return moved(call, vs);
}

function retryPlacement(call: SubCall): Data {
  const vs = recOf(call);
  checkVip(call, vs, checkedBody(call));
  call.svc.placement.place(vs);
  return moved(call, vs);
}

export const virtualserviceSubresources: TypeSubresources = {
  get: {
    'runtime/detail': detail,
    'runtime/internal': internal,
    placement: placementBody,
    'placement/detail': placementBody,
    'placement/summary': placementBody,
    'placement/status': placementBody,
    scaleoutstatus: placementBody,
    'scaleoutstatus/detail': placementBody,
    sescaleoutstatus: placementBody,
    candidatesehostlist: candidates,
    connections: stateBody,
    httpstats: stateBody,
  },
  schemas: { 'runtime/internal': 'VirtualServiceRuntime' },
  actions: { scaleout, scalein, migrate, switchover, retryplacement: retryPlacement },
};

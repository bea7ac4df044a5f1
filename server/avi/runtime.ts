/**
 * The runtime state a controller reports for what is configured: `oper_status` of virtual
 * services, pools and SE groups, and where each VIP runs (`vip_runtime`, `vip_summary`), computed
 * on read from the stored objects and the SE placement (server/avi/placement.ts). No health
 * monitoring is simulated: an enabled server counts as up. Reason texts are [inferred]:
 * "No VIP", "No pool", "Pool has no servers", "All servers are disabled",
 * "No Service Engine available", "Parent virtual service is disabled".
 */
import type { Data, Rec } from '../core/store.js';
import { asList, isObject } from '../core/json.js';
import type { Ctx } from './context.js';
import type { ObjectService } from './objects.js';
import { DEFAULT_MAX_SE, DEFAULT_MAX_VS_PER_SE, int } from './placement.js';
import { firstDataIp, placementHost, vipAddr, vipsOf } from './se-addressing.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface OperStatus {
  state: string;
  reason?: string[];
  last_changed_time?: { secs: number; usecs: number };
}

function changedTime(rec: Rec): { secs: number; usecs: number } | undefined {
  const lm = Number(rec.data._last_modified);
  return Number.isFinite(lm) && lm > 0 ? { secs: Math.floor(lm / 1e6), usecs: lm % 1e6 } : undefined;
}

function status(state: string, rec: Rec, reason: string[] = []): OperStatus {
  const out: OperStatus = { state };
  if (reason.length) out.reason = reason;
  const t = changedTime(rec);
  if (t) out.last_changed_time = t;
  return out;
}

interface ServerCount {
  pools: number;
  servers: number;
  enabled: number;
}

/** Pools a VS sends traffic to: pool_ref, pool groups' members, service pool selectors, HTTP and L4 policies. */
export function poolsOf(svc: ObjectService, vs: Rec): Rec[] {
  const pools = new Map<string, Rec>();
  const visit = (rec: Rec, depth: number) => {
    for (const key of rec.refs) {
      const i = key.indexOf('/');
      const type = key.slice(0, i);
      const uuid = key.slice(i + 1);
      if (type === 'pool') {
        const p = svc.store.get('pool', uuid);
        if (p) pools.set(uuid, p);
      } else if ((type === 'poolgroup' || type === 'httppolicyset' || type === 'l4policyset') && depth < 2) {
        const r = svc.store.get(type, uuid);
        if (r) visit(r, depth + 1);
      }
    }
  };
  visit(vs, 0);
  return [...pools.values()];
}

function countServers(pools: Rec[]): ServerCount {
  const c: ServerCount = { pools: pools.length, servers: 0, enabled: 0 };
  for (const p of pools) {
    const servers = asList(p.data.servers).filter(isObject);
    c.servers += servers.length;
    if (p.data.enabled !== false) c.enabled += servers.filter((s) => s.enabled !== false).length;
  }
  return c;
}

/** VH children of a parent VS (their `vh_parent_vs_ref` points at it), in creation order. */
export function vhChildren(svc: ObjectService, vs: Rec): Rec[] {
  const out: Rec[] = [];
  for (const r of svc.store.referrers('virtualservice', vs.uuid)) {
    if (r.type === 'virtualservice' && r.data.vh_parent_vs_ref === vs.uuid) out.push(r);
  }
  return out;
}

export function vsOperStatus(svc: ObjectService, vs: Rec): OperStatus {
  if (vs.data.enabled === false) return status('OPER_DISABLED', vs);
  const reasons: string[] = [];
  const host = placementHost(svc, vs);
  if (host !== vs && host.data.enabled === false) reasons.push('Parent virtual service is disabled');
  const hasVip = vipsOf(svc, host).some((v) => vipAddr(v) !== undefined);
  if (!hasVip) reasons.push('No VIP');
  let pools = poolsOf(svc, vs);
  if (pools.length === 0) for (const child of vhChildren(svc, vs)) pools.push(...poolsOf(svc, child));
  pools = [...new Map(pools.map((p) => [p.uuid, p])).values()];
  const c = countServers(pools);
  if (c.pools === 0) reasons.push('No pool');
  else if (c.servers === 0) reasons.push('Pool has no servers');
  else if (c.enabled === 0) reasons.push('All servers are disabled');
  const placement = svc.placement;
  if (hasVip && host.data.enabled !== false && placement.wants(host) && placement.sesOf(vs).length === 0) {
    reasons.push('No Service Engine available');
  }
  return reasons.length ? status('OPER_DOWN', vs, reasons) : status('OPER_UP', vs);
}

export function poolRuntime(svc: ObjectService, pool: Rec): Data {
  const c = countServers([pool]);
  let oper: OperStatus;
  if (pool.data.enabled === false) oper = status('OPER_DISABLED', pool);
  else if (c.servers === 0) oper = status('OPER_DOWN', pool, ['Pool has no servers']);
  else if (c.enabled === 0) oper = status('OPER_DOWN', pool, ['All servers are disabled']);
  else oper = status('OPER_UP', pool);
  const up = pool.data.enabled === false ? 0 : c.enabled;
  const pct = (n: number, of: number) => (of ? Math.floor((n * 100) / of) : 0);
  return {
    oper_status: oper,
    num_servers: c.servers,
    num_servers_enabled: c.enabled,
    num_servers_up: up,
    percent_servers_up_enabled: pct(up, c.enabled),
    percent_servers_up_total: pct(up, c.servers),
  };
}

interface Refs {
  ref(type: string, uuid: string): string;
}

function refRenderer(svc: ObjectService, ctx: Ctx, includeName: boolean): Refs {
  return { ref: (type, uuid) => svc.renderRef(ctx.base, type, uuid, includeName) };
}

/** `vip_runtime`: per VIP, the SEs it is placed on (`se_list`), as a controller records it. */
export function vipRuntime(svc: ObjectService, vs: Rec, ctx: Ctx, includeName: boolean): Data[] {
  const r = refRenderer(svc, ctx, includeName);
  const ses = svc.placement.sesOf(vs);
  const host = placementHost(svc, vs);
  // what the SE group asks for, placed or not (a cloud without SEs yet still asks)
  const requested = svc.placement.wants(host)?.count ?? ses.length;
  return vipsOf(svc, host).map((vip, i) => {
    const out: Data = {
      vip_id: str(vip.vip_id) ?? String(i),
      num_additional_se: svc.placement.additionalSes(host.uuid),
      requested_resource: { num_se: requested, num_standby_se: 0 },
      se_list: ses.map((se, idx) => {
        const entry: Data = {
          se_ref: r.ref('serviceengine', se.uuid),
          is_primary: idx === 0,
          is_standby: false,
          active_on_se: true,
          active_on_cloud: true,
          cloud_programming_done: true,
          cloud_programming_status: 'Virtual Service IP is reachable in the Cloud',
          se_programming_done: true,
          admin_down_requested: false,
          attach_ip_in_progress: false,
          detach_ip_in_progress: false,
          delete_in_progress: false,
          scaleout_in_progress: false,
          se_ready_in_progress: false,
          sec_idx: idx,
          vip_subnet_mask: 32,
          vip6_subnet_mask: 128,
          vlan_id: 0,
        };
        const ip = firstDataIp(se);
        if (ip) {
          entry.vip_intf_ip = ip;
          entry.vip_intf_list = [{ vip_intf_ip: ip, vlan_id: 0, is_portchannel: false }];
        }
        return entry;
      }),
    };
    // An empty repeated field is absent from a controller's answer (as protobuf renders it).
    if (ses.length === 0) delete out.se_list;
    const t = ses.length ? changedTime(ses[0]!) : undefined;
    if (t) out.first_se_assigned_time = t;
    return out;
  });
}

/** VsRuntimeSummary (`oper_status`, `percent_ses_up`, `vip_summary` with each VIP's SEs). */
export function vsRuntime(svc: ObjectService, vs: Rec, ctx: Ctx, includeName: boolean): Data {
  const r = refRenderer(svc, ctx, includeName);
  const oper = vsOperStatus(svc, vs);
  const ses = svc.placement.sesOf(vs);
  const up = oper.state === 'OPER_UP';
  const requested = svc.placement.wants(placementHost(svc, vs))?.count ?? ses.length;
  const vip_summary = vipsOf(svc, placementHost(svc, vs)).map((vip, i) => {
    const out: Data = {
      vip_id: str(vip.vip_id) ?? String(i),
      oper_status: vipAddr(vip) ? status(up ? 'OPER_UP' : 'OPER_DOWN', vs) : status('OPER_DOWN', vs, ['No VIP']),
      num_se_assigned: ses.length,
      num_se_requested: requested,
      percent_ses_up: ses.length ? 100 : 0,
      service_engine: ses.map((se, idx) => ({
        ref: r.ref('serviceengine', se.uuid),
        name: svc.nameOf(se),
        uuid: se.uuid,
        primary: idx === 0,
        standby: false,
        connected: true,
        active_on_se: true,
        active_on_cloud: true,
        oper_status: status('OPER_UP', se),
      })),
    };
    for (const k of ['ip_address', 'ip6_address', 'enabled', 'auto_allocate_ip', 'prefix_length']) if (vip[k] !== undefined) out[k] = vip[k];
    return out;
  });
  return { oper_status: oper, percent_ses_up: ses.length ? 100 : 0, vip_summary };
}

/** GET /api/serviceenginegroup/<uuid>/runtime/: its SEs and what each hosts [shape inferred]. */
export function segRuntime(svc: ObjectService, group: Rec, ctx: Ctx, includeName: boolean): Data {
  const r = refRenderer(svc, ctx, includeName);
  const placement = svc.placement;
  const ses = [...svc.store.collection('serviceengine').values()].filter((se) => se.data.se_group_ref === group.uuid);
  const vses = new Set<string>();
  const se_list = ses.map((se) => {
    const hosted = placement.vsesOn(se.uuid);
    for (const v of hosted) vses.add(v);
    const entry: Data = {
      se_ref: r.ref('serviceengine', se.uuid),
      name: svc.nameOf(se),
      uuid: se.uuid,
      oper_status: status(se.data.enable_state === 'SE_STATE_DISABLED' ? 'OPER_DISABLED' : 'OPER_UP', se),
      num_vs: hosted.length,
      vs_refs: hosted.map((v) => r.ref('virtualservice', v)),
    };
    const ip = firstDataIp(se);
    if (ip) entry.data_ip = ip;
    return entry;
  });
  return {
    uuid: group.uuid,
    name: svc.nameOf(group),
    oper_status: status('OPER_UP', group),
    num_se: ses.length,
    num_vs: vses.size,
    max_se: int(group.data.max_se, DEFAULT_MAX_SE),
    max_vs_per_se: int(group.data.max_vs_per_se, DEFAULT_MAX_VS_PER_SE),
    se_list,
  };
}

/** What `join_subresources=runtime` adds to a listed object, or nothing for other types. */
export function runtimeSubresources(svc: ObjectService, rec: Rec, ctx: Ctx, includeName: boolean): Data | undefined {
  switch (rec.type) {
    case 'virtualservice':
      return { runtime: vsRuntime(svc, rec, ctx, includeName), vip_runtime: vipRuntime(svc, rec, ctx, includeName) };
    case 'pool':
      return { runtime: poolRuntime(svc, rec) };
    case 'serviceenginegroup':
      return { runtime: segRuntime(svc, rec, ctx, includeName) };
    default:
      return undefined;
  }
}

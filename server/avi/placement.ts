/**
 * Where virtual services run, and the runtime state that follows from the configuration.
 *
 * Placement: an enabled virtual service with a VsVip is placed on `min_scaleout_per_vs` Service
 * Engines of its SE group, reusing an SE that hosts fewer than `max_vs_per_se` virtual services.
 * PACKED groups (the default) fill the oldest SE first; DISTRIBUTED ones spread over new SEs up
 * to `max_se`. The assignment lives in memory and is sticky (a VS stays on its SEs across
 * writes, as on a controller); it is derived again from the stored objects (creation order) after
 * a restore, and released when the VS is removed, disabled or loses its VsVip.
 *
 * Where SEs come from depends on the cloud of the SE group:
 * - with an orchestrator (vCenter, NSX-T, ...), the controller deploys them: when none has room
 *   it creates a `serviceengine` (`controller_created`, named `<se_name_prefix>-se-<5 letters>`,
 *   with a data NIC on the VIP's network) up to the group's `max_se`, and gives a reused SE a data
 *   NIC on a new VIP network. An SE left hosting nothing is deleted after the group's
 *   `se_deprovision_delay` (types/serviceengine.ts).
 * - No-Orchestrator (`CLOUD_NONE`): SEs are deployed by hand (a scenario's or a client's
 *   `serviceengine` objects in the group); placement uses those as they are and never creates,
 *   changes or deletes one. Without any, the VS is down: "No Service Engine available".
 *
 * Runtime: `oper_status` of virtual services, pools and SE groups computed from what is stored
 * (no health monitoring is simulated: an enabled server counts as up). Reason texts are
 * [inferred]: "No VIP", "No pool", "Pool has no servers", "All servers are disabled",
 * "No Service Engine available", "Parent virtual service is disabled".
 */
import type { Data, Rec } from '../core/store.js';
import { tenantOf } from '../core/store.js';
import type { Ctx, ObjectService } from './objects.js';
import { isObject } from './shape-ops.js';
import { MAX_NAME_LENGTH } from '../core/catalog.js';
import { hasOrchestrator } from './types/cloud.js';
import { SeDeprovisioner } from './types/serviceengine.js';

const ADMIN = 'admin';
const DEFAULT_MAX_VS_PER_SE = 10;
const DEFAULT_MIN_SCALEOUT = 1;
const DEFAULT_MAX_SE = 10;

type Obj = Record<string, unknown>;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback);

// ---- IPv4 arithmetic ---------------------------------------------------------------------------

export function v4ToInt(addr: string): number | undefined {
  const parts = addr.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const b = Number(p);
    if (!/^\d{1,3}$/.test(p) || b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

export function intToV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

interface V4Subnet {
  network: number;
  mask: number;
  /** first and last host address */
  first: number;
  last: number;
  /** static ranges as [begin, end, type] */
  ranges: Array<[number, number, string]>;
}

function v4Subnets(net: Rec): V4Subnet[] {
  const out: V4Subnet[] = [];
  for (const s of asList(net.data.configured_subnets)) {
    if (!isObject(s) || !isObject(s.prefix) || !isObject(s.prefix.ip_addr)) continue;
    const base = v4ToInt(String(s.prefix.ip_addr.addr ?? ''));
    const mask = typeof s.prefix.mask === 'number' ? s.prefix.mask : NaN;
    if (base === undefined || !(mask >= 0 && mask <= 32)) continue;
    const size = 2 ** (32 - mask);
    const network = base - (base % size);
    const ranges: Array<[number, number, string]> = [];
    for (const r of asList(s.static_ip_ranges)) {
      if (!isObject(r) || !isObject(r.range) || !isObject(r.range.begin) || !isObject(r.range.end)) continue;
      const b = v4ToInt(String(r.range.begin.addr ?? ''));
      const e = v4ToInt(String(r.range.end.addr ?? ''));
      if (b !== undefined && e !== undefined && b <= e) ranges.push([b, e, str(r.type) ?? 'STATIC_IPS_FOR_VIP_AND_SE']);
    }
    const first = mask >= 31 ? network : network + 1;
    const last = mask >= 31 ? network + size - 1 : network + size - 2;
    out.push({ network, mask, first, last, ranges });
  }
  return out;
}

const SE_RANGE_TYPES = new Set(['STATIC_IPS_FOR_SE', 'STATIC_IPS_FOR_VIP_AND_SE']);
/** how far down from the top of a subnet without SE ranges we look for a free address */
const MAX_SCAN = 65536;

// ---- placement ---------------------------------------------------------------------------------

interface Want {
  group: Rec;
  count: number;
}

export class Placement {
  /** virtual service uuid → the SEs hosting it, primary first */
  private readonly assigned = new Map<string, string[]>();
  /** SE uuid → the virtual services it hosts */
  private readonly hosted = new Map<string, Set<string>>();
  /** virtual service uuid → SEs asked beyond its group's `min_scaleout_per_vs` (scale-out/in) */
  private readonly extra = new Map<string, number>();
  private built = false;
  private readonly deprovisioner: SeDeprovisioner;

  constructor(private readonly svc: ObjectService) {
    this.deprovisioner = new SeDeprovisioner(svc, (se) => this.vsesOn(se).length > 0);
    svc.store.subscribe((change) => {
      if (change.op === 'restore') {
        this.assigned.clear();
        this.hosted.clear();
        this.extra.clear();
        this.built = false;
        this.deprovisioner.reset();
        this.buildSoon();
      } else if (change.op === 'remove') {
        if (change.rec.type === 'virtualservice') {
          this.set(change.rec.uuid, []);
          this.extra.delete(change.rec.uuid);
        }
        else if (change.rec.type === 'serviceengine') {
          for (const vs of this.hosted.get(change.rec.uuid) ?? []) {
            this.set(vs, (this.assigned.get(vs) ?? []).filter((se) => se !== change.rec.uuid));
          }
          this.hosted.delete(change.rec.uuid);
          this.deprovisioner.busy(change.rec.uuid);
        }
      } else if (change.rec.type === 'serviceengine' && this.built && !this.hosted.get(change.rec.uuid)?.size) {
        // an SE written while it hosts nothing (made by a client, or just deployed)
        this.deprovisioner.idle(change.rec.uuid);
      }
    });
    this.buildSoon();
  }

  /**
   * Idle SEs have a deletion pending from the start, so the placement of stored SEs is derived
   * once the store is complete (a sandbox's fork, a restored state file), not on first use.
   */
  private buildSoon(): void {
    queueMicrotask(() => {
      if (!this.built && this.svc.store.collection('serviceengine').size > 0) this.ensureBuilt();
    });
  }

  /** No deletion fires any more (the engine is closing). */
  dispose(): void {
    this.deprovisioner.dispose();
  }

  /** The SEs hosting a virtual service (a VH child runs on its parent's). */
  sesOf(vs: Rec): Rec[] {
    this.ensureBuilt();
    const host = placementHost(this.svc, vs);
    const out: Rec[] = [];
    for (const uuid of this.assigned.get(host.uuid) ?? []) {
      const se = this.svc.store.get('serviceengine', uuid);
      if (se) out.push(se);
    }
    return out;
  }

  /** The virtual services an SE hosts. */
  vsesOn(seUuid: string): string[] {
    this.ensureBuilt();
    return [...(this.hosted.get(seUuid) ?? [])];
  }

  /** What the VS asks for: its SE group and how many SEs, or nothing when it is not placed. */
  wants(vs: Rec): Want | undefined {
    const d = vs.data;
    if (d.enabled === false || typeof d.vh_parent_vs_ref === 'string' || d.type === 'VS_TYPE_VH_CHILD') return undefined;
    if (typeof d.vsvip_ref !== 'string' || !this.svc.store.get('vsvip', d.vsvip_ref)) return undefined;
    const group = typeof d.se_group_ref === 'string' ? this.svc.store.get('serviceenginegroup', d.se_group_ref) : undefined;
    if (!group) return undefined;
    return { group, count: int(group.data.min_scaleout_per_vs, DEFAULT_MIN_SCALEOUT) + (this.extra.get(vs.uuid) ?? 0) };
  }

  /** SEs a virtual service asks for beyond its group's minimum (what scale-out/in changed). */
  additionalSes(vsUuid: string): number {
    return this.extra.get(vsUuid) ?? 0;
  }

  /** Scale-out (+1) or scale-in (-1) asks for one SE more or less, never below the group's minimum. */
  scaleBy(vsUuid: string, delta: number): void {
    const n = Math.max(0, (this.extra.get(vsUuid) ?? 0) + delta);
    if (n === 0) this.extra.delete(vsUuid);
    else this.extra.set(vsUuid, n);
  }

  /**
   * An action chose the SEs of a virtual service (primary first): scale-in, migrate, switchover.
   * A reused SE gets a data NIC on the VS's network as on placement, where the controller deploys SEs.
   */
  assignSes(vs: Rec, ses: string[]): void {
    this.ensureBuilt();
    this.set(vs.uuid, ses);
    for (const uuid of ses) {
      const cloud = str(this.svc.store.get('serviceengine', uuid)?.data.cloud_ref);
      if (hasOrchestrator(cloud ? this.svc.store.get('cloud', cloud) : undefined)) this.ensureNic(uuid, vs);
    }
  }

  /** After a VS write: keep, extend or release its placement; create SEs when none has room. */
  place(vs: Rec): void {
    this.ensureBuilt();
    this.assign(vs, true);
  }

  private assign(vs: Rec, deploy: boolean): void {
    const want = this.wants(vs);
    if (!want) {
      this.set(vs.uuid, []);
      return;
    }
    const { group, count } = want;
    // SEs are deployed (and given NICs) by the controller only where it has an orchestrator
    const cloud = typeof group.data.cloud_ref === 'string' ? this.svc.store.get('cloud', group.data.cloud_ref) : undefined;
    const create = deploy && hasOrchestrator(cloud);
    const maxVs = int(group.data.max_vs_per_se, DEFAULT_MAX_VS_PER_SE);
    const maxSe = int(group.data.max_se, DEFAULT_MAX_SE);
    const distributed = group.data.algo === 'PLACEMENT_ALGO_DISTRIBUTED';
    const current = (this.assigned.get(vs.uuid) ?? []).filter((uuid) => {
      const se = this.svc.store.get('serviceengine', uuid);
      return se !== undefined && se.data.se_group_ref === group.uuid;
    });
    const ses = this.sesOfGroup(group.uuid);
    const load = (uuid: string) => {
      const h = this.hosted.get(uuid);
      return h ? h.size - (h.has(vs.uuid) ? 1 : 0) : 0;
    };
    let candidates = ses.filter((se) => !current.includes(se.uuid) && load(se.uuid) < maxVs);
    if (distributed) candidates = [...candidates].sort((a, b) => load(a.uuid) - load(b.uuid));
    let total = ses.length;
    while (current.length < count) {
      let pick: string | undefined;
      if (!distributed) pick = candidates[0]?.uuid;
      else {
        // spread: an idle SE, else a new one while the group may grow, else the least loaded
        pick = candidates.find((se) => load(se.uuid) === 0)?.uuid;
        if (pick === undefined && !(create && total < maxSe)) pick = candidates[0]?.uuid;
      }
      if (pick === undefined) {
        if (!create || total >= maxSe) break;
        pick = this.createSe(group, vs).uuid;
        total++;
      }
      candidates = candidates.filter((se) => se.uuid !== pick);
      current.push(pick);
    }
    const placed = current.slice(0, count);
    this.set(vs.uuid, placed);
    if (create) for (const uuid of placed) this.ensureNic(uuid, vs);
  }

  private set(vs: string, ses: string[]): void {
    const before = this.assigned.get(vs) ?? [];
    for (const se of before) this.hosted.get(se)?.delete(vs);
    if (ses.length === 0) this.assigned.delete(vs);
    else this.assigned.set(vs, ses);
    for (const se of ses) {
      let h = this.hosted.get(se);
      if (!h) this.hosted.set(se, (h = new Set()));
      h.add(vs);
      this.deprovisioner.busy(se);
    }
    for (const se of before) if (!this.hosted.get(se)?.size) this.deprovisioner.idle(se);
  }

  /** After a restore: place every VS again in creation order on the SEs that exist. */
  private ensureBuilt(): void {
    if (this.built) return;
    this.built = true;
    for (const vs of this.svc.store.collection('virtualservice').values()) this.assign(vs, false);
    for (const se of this.svc.store.collection('serviceengine').keys()) if (!this.hosted.get(se)?.size) this.deprovisioner.idle(se);
  }

  private sesOfGroup(group: string): Rec[] {
    const out: Rec[] = [];
    for (const se of this.svc.store.collection('serviceengine').values()) {
      if (se.data.se_group_ref === group && se.data.enable_state !== 'SE_STATE_DISABLED') out.push(se);
    }
    return out;
  }

  private createSe(group: Rec, vs: Rec): Rec {
    // the prefix is cut so the name stays within the bound on names [inferred]: placing a VS
    // must not fail on a name it makes itself
    const prefix = [...(str(group.data.se_name_prefix) ?? 'Avi')].slice(0, MAX_NAME_LENGTH - '-se-xxxxx'.length).join('');
    const tenant = tenantOf(group.data) || ADMIN;
    let name = '';
    do name = `${prefix}-se-${letters(this.svc.ids.uuid4(), 5)}`;
    while ([...this.svc.store.byName('serviceengine', tenant, name)].length > 0);
    const body: Data = {
      name,
      se_group_ref: group.uuid,
      controller_created: true,
      enable_state: 'SE_STATE_ENABLED',
      data_vnics: [],
    };
    if (typeof group.data.cloud_ref === 'string') body.cloud_ref = group.data.cloud_ref;
    const nic = this.dataNic(vs, typeof group.data.cloud_ref === 'string' ? group.data.cloud_ref : undefined, 1);
    if (nic) body.data_vnics = [nic];
    // `se-<uuid4>`, as recorded controllers name SEs (not the document's `serviceengine-` prefix)
    return this.svc.create('serviceengine', body, { tenant, base: '' }, { slug: `se-${this.svc.ids.uuid4()}` });
  }

  /** A reused SE gets a data NIC on the VS's network when it has none there yet. */
  private ensureNic(seUuid: string, vs: Rec): void {
    const se = this.svc.store.get('serviceengine', seUuid);
    if (!se) return;
    const cloud = str(se.data.cloud_ref);
    const net = dataNetwork(this.svc, vs, cloud);
    if (!net) return;
    const nics = asList(se.data.data_vnics);
    if (nics.some((n) => isObject(n) && n.network_ref === net.uuid)) return;
    const nic = this.dataNic(vs, cloud, nics.length + 1, net);
    if (!nic) return;
    this.svc.patch('serviceengine', se.uuid, { add: { data_vnics: [nic] } }, { tenant: tenantOf(se.data) || ADMIN, base: '' });
  }

  private dataNic(vs: Rec, cloud: string | undefined, index: number, net = dataNetwork(this.svc, vs, cloud)): Data | undefined {
    if (!net) return undefined;
    const ip = freeSeAddress(this.svc, net);
    const hex = this.svc.ids.uuid4().replace(/-/g, '');
    const nic: Data = {
      if_name: `eth${index}`,
      linux_name: `eth${index}`,
      mac_address: `00:50:56:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`,
      network_ref: net.uuid,
      network_name: this.svc.nameOf(net),
      connected: true,
      dhcp_enabled: false,
      vnic_networks: ip ? [{ ip: { ip_addr: { addr: ip.addr, type: 'V4' }, mask: ip.mask }, mode: 'STATIC', ctlr_alloc: true }] : [],
    };
    if (typeof net.data.vrf_context_ref === 'string') nic.vrf_ref = net.data.vrf_context_ref;
    return nic;
  }
}

/** `n` lowercase letters from a uuid's hex digits: deterministic under a seed. */
function letters(uuid: string, n: number): string {
  const hex = uuid.replace(/-/g, '');
  let out = '';
  for (let i = 0; out.length < n && i + 1 < hex.length; i += 2) out += String.fromCharCode(97 + (parseInt(hex.slice(i, i + 2), 16) % 26));
  return out;
}

/** The VS a VH child rides on (its parent), else the VS itself. */
function placementHost(svc: ObjectService, vs: Rec): Rec {
  const parent = str(vs.data.vh_parent_vs_ref);
  return (parent && svc.store.get('virtualservice', parent)) || vs;
}

function vsvipOf(svc: ObjectService, vs: Rec): Rec | undefined {
  const ref = str(vs.data.vsvip_ref);
  return ref ? svc.store.get('vsvip', ref) : undefined;
}

function vipsOf(svc: ObjectService, vs: Rec): Obj[] {
  const vsvip = vsvipOf(svc, vs);
  return asList(vsvip ? vsvip.data.vip : vs.data.vip).filter(isObject);
}

function vipAddr(vip: Obj): string | undefined {
  if (vip.enabled === false) return undefined;
  for (const k of ['ip_address', 'ip6_address']) {
    const a = vip[k];
    if (isObject(a) && typeof a.addr === 'string' && a.addr) return a.addr;
  }
  return undefined;
}

/**
 * The network an SE's data NIC for this VS goes on: the VIP's (its IPAM network, a placement
 * network, or a network of the cloud whose subnet holds the VIP), else the cloud's first network
 * with a configured subnet.
 */
export function dataNetwork(svc: ObjectService, vs: Rec, cloud: string | undefined): Rec | undefined {
  const net = (uuid: unknown) => (typeof uuid === 'string' ? svc.store.get('network', uuid) : undefined);
  const vips = vipsOf(svc, placementHost(svc, vs));
  for (const vip of vips) {
    const n = net(isObject(vip.ipam_network_subnet) ? vip.ipam_network_subnet.network_ref : undefined) ?? net(vip.network_ref);
    if (n) return n;
    for (const p of asList(vip.placement_networks)) if (isObject(p) && net(p.network_ref)) return net(p.network_ref);
  }
  const inCloud = [...svc.store.collection('network').values()].filter(
    (n) => cloud === undefined || n.data.cloud_ref === cloud,
  );
  for (const vip of vips) {
    const addr = vipAddr(vip);
    const a = addr ? v4ToInt(addr) : undefined;
    if (a === undefined) continue;
    const hit = inCloud.find((n) => v4Subnets(n).some((s) => a >= s.network && a < s.network + 2 ** (32 - s.mask)));
    if (hit) return hit;
  }
  return inCloud.find((n) => v4Subnets(n).length > 0);
}

/** Every data-NIC address held by a Service Engine (VIP allocation must not hand these out). */
export function seDataAddresses(svc: ObjectService): Set<string> {
  const out = new Set<string>();
  for (const se of svc.store.collection('serviceengine').values()) {
    for (const nic of asList(se.data.data_vnics)) {
      if (!isObject(nic)) continue;
      for (const vn of asList(nic.vnic_networks)) {
        if (isObject(vn) && isObject(vn.ip) && isObject(vn.ip.ip_addr) && typeof vn.ip.ip_addr.addr === 'string') out.add(vn.ip.ip_addr.addr);
      }
    }
  }
  return out;
}

/** Addresses taken on a network: SE data NICs and VIPs anywhere (VIPs are not per network). */
function usedAddresses(svc: ObjectService): Set<number> {
  const used = new Set<number>();
  const add = (addr: unknown) => {
    const n = typeof addr === 'string' ? v4ToInt(addr) : undefined;
    if (n !== undefined) used.add(n);
  };
  for (const addr of seDataAddresses(svc)) add(addr);
  for (const vsvip of svc.store.collection('vsvip').values()) {
    for (const vip of asList(vsvip.data.vip)) if (isObject(vip) && isObject(vip.ip_address)) add(vip.ip_address.addr);
  }
  for (const vs of svc.store.collection('virtualservice').values()) {
    for (const vip of asList(vs.data.vip)) if (isObject(vip) && isObject(vip.ip_address)) add(vip.ip_address.addr);
  }
  return used;
}

/**
 * A free SE address on the network: from the top of its STATIC_IPS_FOR_SE /
 * STATIC_IPS_FOR_VIP_AND_SE ranges downwards (VIP allocation tends to start at the bottom), or,
 * for a subnet with no such range, from the top of the subnet, outside any VIP-only range.
 */
export function freeSeAddress(svc: ObjectService, net: Rec): { addr: string; mask: number } | undefined {
  const used = usedAddresses(svc);
  for (const s of v4Subnets(net)) {
    const seRanges = s.ranges.filter(([, , t]) => SE_RANGE_TYPES.has(t));
    if (seRanges.length) {
      for (const [b, e] of [...seRanges].reverse()) {
        for (let a = e, n = 0; a >= b && n < MAX_SCAN; a--, n++) if (!used.has(a)) return { addr: intToV4(a), mask: s.mask };
      }
      continue;
    }
    const inRange = (a: number) => s.ranges.some(([b, e]) => a >= b && a <= e);
    for (let a = s.last, n = 0; a >= s.first && n < MAX_SCAN; a--, n++) {
      if (!used.has(a) && !inRange(a)) return { addr: intToV4(a), mask: s.mask };
    }
  }
  return undefined;
}

const placements = new WeakMap<ObjectService, Placement>();

/** The placement of one simulated controller (made on first use). */
export function placementOf(svc: ObjectService): Placement {
  let p = placements.get(svc);
  if (!p) placements.set(svc, (p = new Placement(svc)));
  return p;
}

// ---- runtime -----------------------------------------------------------------------------------

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
  const placement = placementOf(svc);
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

function seDataIp(se: Rec): { addr: string; type: string } | undefined {
  for (const nic of asList(se.data.data_vnics)) {
    if (!isObject(nic)) continue;
    for (const vn of asList(nic.vnic_networks)) {
      if (isObject(vn) && isObject(vn.ip) && isObject(vn.ip.ip_addr) && typeof vn.ip.ip_addr.addr === 'string') {
        return { addr: vn.ip.ip_addr.addr, type: String(vn.ip.ip_addr.type ?? 'V4') };
      }
    }
  }
  return undefined;
}

/** `vip_runtime`: per VIP, the SEs it is placed on (`se_list`), as a controller records it. */
export function vipRuntime(svc: ObjectService, vs: Rec, ctx: Ctx, includeName: boolean): Data[] {
  const r = refRenderer(svc, ctx, includeName);
  const ses = placementOf(svc).sesOf(vs);
  const host = placementHost(svc, vs);
  // what the SE group asks for, placed or not (a cloud without SEs yet still asks)
  const requested = placementOf(svc).wants(host)?.count ?? ses.length;
  return vipsOf(svc, host).map((vip, i) => {
    const out: Data = {
      vip_id: str(vip.vip_id) ?? String(i),
      num_additional_se: placementOf(svc).additionalSes(host.uuid),
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
        const ip = seDataIp(se);
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
  const ses = placementOf(svc).sesOf(vs);
  const up = oper.state === 'OPER_UP';
  const requested = placementOf(svc).wants(placementHost(svc, vs))?.count ?? ses.length;
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
  const placement = placementOf(svc);
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
    const ip = seDataIp(se);
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

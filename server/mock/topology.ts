/**
 * The simulated system as a graph for the inspector's topology picture (GET /_mock/topology):
 *   cloud → VRF → network, VRF → its static routes;
 *   virtual service → VsVip (addresses) → network; VS → pool group → pool → server (up/down, why);
 *   SE group → SE → the virtual services it hosts;
 *   VRF → NSX Tier-1 of the same name → its static routes → the VS a /32 VIP route is for;
 *   what the NSX consistency check finds, as broken edges (a VIP without its route) and nodes
 *   (a route no VIP asks for).
 * Nodes are `type/uuid` (a server is `pool/<uuid>/server/<ip>:<port>`). Built from the store on
 * each call; past MAX_NODES the rest is left out and `truncated` says so.
 */
import type { Engine } from '../engine.js';
import type { Data, Rec, Store } from '../core/store.js';
import { placementOf, poolRuntime, v4ToInt, vsOperStatus } from '../avi/placement.js';
import { linkNsxt, tier1Id, TAG_VS } from '../links/avi-nsxt.js';
import { ROUTE_TYPE, TIER1_TYPE } from '../nsxt/routes.js';
import { isObject } from '../avi/shape-ops.js';

export interface TopoNode {
  id: string;
  kind: string;
  label: string;
  type?: string;
  uuid?: string;
  /** up, down, disabled, broken; absent when the object has no state */
  state?: string;
  reason?: string;
}

export interface TopoEdge {
  id: string;
  source: string;
  target: string;
  kind: string;
  broken?: boolean;
  label?: string;
}

export const MAX_NODES = 3000;

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const key = (rec: Rec) => `${rec.type}/${rec.uuid}`;

function addrOf(ip: unknown): string | undefined {
  return isObject(ip) ? str(ip.addr) : undefined;
}

function prefixOf(p: unknown): string | undefined {
  return isObject(p) && addrOf(p.ip_addr) ? `${addrOf(p.ip_addr)}/${p.mask}` : undefined;
}

class Graph {
  nodes = new Map<string, TopoNode>();
  edges = new Map<string, TopoEdge>();
  truncated = false;

  node(n: TopoNode): boolean {
    if (this.nodes.has(n.id)) return true;
    if (this.nodes.size >= MAX_NODES) return !(this.truncated = true);
    this.nodes.set(n.id, n);
    return true;
  }

  obj(rec: Rec, kind: string, label: string, state?: { state: string; reason?: string }): boolean {
    return this.node({ id: key(rec), kind, label, type: rec.type, uuid: rec.uuid, ...state });
  }

  edge(source: string, target: string, kind: string, extra: Partial<TopoEdge> = {}): void {
    if (!this.nodes.has(source) || !this.nodes.has(target)) return;
    const id = `${source}>${target}>${kind}`;
    if (!this.edges.has(id)) this.edges.set(id, { id, source, target, kind, ...extra });
  }
}

export function topology(engine: Engine, tenant?: string, cloud?: string) {
  const store = engine.store;
  const g = new Graph();
  const wanted = (rec: Rec) =>
    (tenant === undefined || typeof rec.data.tenant_ref !== 'string' || rec.data.tenant_ref === tenant) &&
    (cloud === undefined || rec.data.cloud_ref === cloud || (rec.type === 'cloud' && rec.uuid === cloud));
  const each = (type: string, fn: (rec: Rec) => void) => {
    for (const rec of store.collection(type).values()) if (wanted(rec)) fn(rec);
  };
  const ref = (type: string, uuid: unknown) => (typeof uuid === 'string' ? `${type}/${uuid}` : '');

  each('cloud', (c) => g.obj(c, 'cloud', `${c.data.name}\n${c.data.vtype ?? ''}`));
  each('vrfcontext', (v) => {
    if (!g.obj(v, 'vrf', `VRF ${v.data.name}`)) return;
    g.edge(ref('cloud', v.data.cloud_ref), key(v), 'contains');
    list(v.data.static_routes).forEach((r, i) => {
      if (!isObject(r)) return;
      const id = `${key(v)}/route/${str(r.route_id) ?? i}`;
      const hop = addrOf(r.next_hop);
      if (g.node({ id, kind: 'vrf-route', label: `${prefixOf(r.prefix) ?? '?'}\nvia ${hop ?? '?'}`, type: v.type, uuid: v.uuid })) {
        g.edge(key(v), id, 'route');
      }
    });
  });
  each('network', (n) => {
    const subnets = list(n.data.configured_subnets).map((s) => (isObject(s) ? prefixOf(s.prefix) : undefined)).filter(Boolean);
    if (!g.obj(n, 'network', [n.data.name, ...subnets].join('\n'))) return;
    const vrf = ref('vrfcontext', n.data.vrf_context_ref);
    if (g.nodes.has(vrf)) g.edge(vrf, key(n), 'contains');
    else g.edge(ref('cloud', n.data.cloud_ref), key(n), 'contains');
  });
  each('serviceenginegroup', (s) => {
    if (g.obj(s, 'segroup', `SE group ${s.data.name}`)) g.edge(ref('cloud', s.data.cloud_ref), key(s), 'contains');
  });
  each('serviceengine', (se) => {
    if (g.obj(se, 'se', `SE ${se.data.name}`)) g.edge(ref('serviceenginegroup', se.data.se_group_ref), key(se), 'contains');
  });
  applications(g, engine, each, ref);
  nsx(g, store, engine);
  return { nodes: [...g.nodes.values()], edges: [...g.edges.values()], truncated: g.truncated };
}

type Each = (type: string, fn: (rec: Rec) => void) => void;
type Ref = (type: string, uuid: unknown) => string;

function applications(g: Graph, engine: Engine, each: Each, ref: Ref): void {
  const svc = engine.objects;
  const placement = placementOf(svc);
  each('vsvip', (v) => {
    const addrs = list(v.data.vip).map((x) => (isObject(x) ? addrOf(x.ip_address) : undefined)).filter(Boolean);
    if (!g.obj(v, 'vsvip', [`VsVip ${v.data.name}`, ...addrs].join('\n'))) return;
    const nets = [...v.refs].filter((k) => k.startsWith('network/'));
    // a VIP given by address alone is on the network of its cloud whose subnet holds it
    if (!nets.length) for (const a of addrs) nets.push(...subnetHolding(engine.store, v.data.cloud_ref, a!));
    for (const k of nets) g.edge(key(v), k, 'vip network');
  });
  each('pool', (p) => {
    const oper = poolRuntime(svc, p).oper_status as { state: string; reason?: string[] };
    if (!g.obj(p, 'pool', `Pool ${p.data.name}`, operState(oper))) return;
    for (const s of list(p.data.servers)) {
      if (!isObject(s)) continue;
      const addr = addrOf(s.ip) ?? str(s.hostname) ?? '?';
      const port = s.port ?? p.data.default_server_port ?? '';
      const id = `${key(p)}/server/${addr}:${port}`;
      const down = p.data.enabled === false ? 'Pool is disabled' : s.enabled === false ? 'Server is disabled' : undefined;
      const state = down ? { state: 'down', reason: down } : { state: 'up' };
      if (g.node({ id, kind: 'server', label: `${addr}:${port}`, type: p.type, uuid: p.uuid, ...state })) g.edge(key(p), id, 'server');
    }
  });
  each('poolgroup', (pg) => {
    if (!g.obj(pg, 'poolgroup', `Pool group ${pg.data.name}`)) return;
    for (const m of list(pg.data.members)) if (isObject(m)) g.edge(key(pg), ref('pool', m.pool_ref), 'member');
  });
  each('virtualservice', (vs) => {
    if (!g.obj(vs, 'vs', `VS ${vs.data.name}`, operState(vsOperStatus(svc, vs)))) return;
    g.edge(key(vs), ref('vsvip', vs.data.vsvip_ref), 'vip');
    g.edge(key(vs), ref('pool', vs.data.pool_ref), 'pool');
    g.edge(key(vs), ref('poolgroup', vs.data.pool_group_ref), 'pool group');
    const ses = placement.sesOf(vs);
    for (const se of ses) g.edge(key(se), key(vs), 'hosts');
    if (!ses.length) g.edge(ref('serviceenginegroup', vs.data.se_group_ref), key(vs), 'placed in');
  });
}

function operState(oper: { state: string; reason?: string[] }): { state: string; reason?: string } {
  const state = oper.state === 'OPER_UP' ? 'up' : oper.state === 'OPER_DISABLED' ? 'disabled' : 'down';
  return oper.reason?.length ? { state, reason: oper.reason.join('; ') } : { state };
}

function nsx(g: Graph, store: Store, engine: Engine): void {
  if (!store.collection(TIER1_TYPE).size && !store.collection(ROUTE_TYPE).size) return;
  const vrfByName = new Map<string, string>();
  for (const id of g.nodes.keys()) {
    const n = g.nodes.get(id)!;
    if (n.kind === 'vrf') vrfByName.set(String(store.get('vrfcontext', n.uuid!)?.data.name), id);
  }
  for (const t of store.collection(TIER1_TYPE).values()) {
    const id = tier1Id(t.uuid) ?? t.uuid;
    if (!g.obj(t, 'tier1', `Tier-1 ${str(t.data.display_name) ?? id}`)) continue;
    // a controller names the VRF of an NSX-T cloud's Tier-1 after it
    const vrf = vrfByName.get(id) ?? vrfByName.get(String(t.data.display_name));
    if (vrf) g.edge(vrf, key(t), 'tier-1');
  }
  const report = linkNsxt(engine).check();
  const orphan = new Set(report.routes_without_vip.map((r) => `/infra/tier-1s/${r.tier1}/static-routes/${r.route_id}`));
  for (const r of store.collection(ROUTE_TYPE).values()) {
    const hops = list(r.data.next_hops).map((h) => (isObject(h) ? str(h.ip_address) : undefined)).filter(Boolean);
    const broken = orphan.has(r.uuid) ? { state: 'broken', reason: 'no VIP asks for this route' } : undefined;
    if (!g.obj(r, 'nsx-route', `${str(r.data.network) ?? '?'}\nvia ${hops.join(', ') || '?'}`, broken)) continue;
    g.edge(`${TIER1_TYPE}/${str(r.data.parent_path) ?? ''}`, key(r), 'route');
    const vs = tagOf(r.data, TAG_VS);
    if (vs) g.edge(key(r), `virtualservice/${vs}`, 'vip route');
  }
  for (const miss of report.vips_without_route) {
    const tier1 = `${TIER1_TYPE}//infra/tier-1s/${miss.tier1}`;
    const target = g.nodes.has(tier1) ? tier1 : `vsvip/${miss.vsvip}`;
    g.edge(`virtualservice/${miss.vs}`, target, 'missing route', { broken: true, label: `${miss.vip}/32: ${miss.reason}` });
  }
}

function tagOf(data: Data, scope: string): string | undefined {
  for (const t of list(data.tags)) if (isObject(t) && t.scope === scope) return str(t.tag);
  return undefined;
}

/** Networks of `cloud` with an IPv4 subnet holding `addr`. */
function subnetHolding(store: Store, cloud: unknown, addr: string): string[] {
  const ip = v4ToInt(addr);
  if (ip === undefined) return [];
  const out: string[] = [];
  for (const n of store.collection('network').values()) {
    if (n.data.cloud_ref !== cloud) continue;
    for (const s of list(n.data.configured_subnets)) {
      const p = isObject(s) && isObject(s.prefix) ? s.prefix : undefined;
      const base = p && addrOf(p.ip_addr) ? v4ToInt(addrOf(p.ip_addr)!) : undefined;
      const mask = Number(p?.mask);
      if (base === undefined || !(mask >= 0 && mask <= 32)) continue;
      const bits = mask === 0 ? 0 : (~0 << (32 - mask)) >>> 0;
      if (((ip & bits) >>> 0) === ((base & bits) >>> 0)) out.push(key(n));
    }
  }
  return out;
}

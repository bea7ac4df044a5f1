/**
 * Linked behaviour (issue 5 item 5, NSX contract §9): an Avi virtual service on a `CLOUD_NSXT`
 * cloud gets a `<VIP>/32` static route on its Tier-1, next hops = the data IPs of the Service
 * Engines hosting it; the route follows scale-out/in, and goes away when the VS is deleted or
 * disabled with `revoke_vip_route`.
 *
 * Convention (Avi's own ids are not public) [inferred]:
 * - route id `avi-<vsvip uuid>-<vip_id>` (one route per VIP: VSes sharing a VsVip share it);
 * - display_name `avi-<vs name>-<vip addr>`;
 * - tags `[{scope: "avi.vmware.com/vsvip", tag: <vsvip uuid>}, {scope: "avi.vmware.com/vs", tag: <vs uuid>}]`
 *   (the VS is the oldest one of the VsVip that is up);
 * - network `<addr>/32` (`/128` for an IPv6 VIP), next hops `{ip_address: <SE data IP>, admin_distance: 1}`,
 *   primary SE first; with several VSes on one VsVip, the union of their SEs.
 * A route is "Avi's" when it carries an `avi.vmware.com/vsvip` tag (or its id starts `avi-vsvip-`).
 *
 * Which Tier-1: the VsVip's `tier1_lr` (`/infra/tier-1s/<id>` or a bare id), else the first entry
 * of the cloud's `nsxt_configuration.data_network_config.tier1_segment_config` (`manual.tier1_lrs[].tier1_lr_id`
 * or `automatic.tier1_lr_ids[]`). A Tier-1 missing from the stub gets nothing; the check reports it.
 *
 * States of a VsVip's routes:
 * - up: some VS on it is enabled and placed on SEs with a data IP → routes written (PATCH-like
 *   upsert, so an unchanged route keeps its `_revision`);
 * - held: no VS up, but one is disabled without `revoke_vip_route` → existing routes stay as they
 *   are (the controller does not withdraw them) and none is created;
 * - otherwise (deleted, disabled with `revoke_vip_route`, not placed, not NSX-T) → removed.
 *
 * Scale-out/in: placement (server/avi/placement.ts) places a VS on its SE group's
 * `min_scaleout_per_vs` SEs when the VS is written; so a scale is a PUT of the SE group's
 * `min_scaleout_per_vs` followed by a write of the VS (the swagger's `/scaleout` and `/scalein`
 * operations are not modelled). Whatever moves the placement, the routes follow.
 *
 * Mechanism: started once per engine (`linkNsxt`, from `Engine.create`), which
 * reconciles the NSX-T VsVips the store already holds; then a store listener marks the VsVips
 * affected by each change (VS, VsVip, SE, SE group, cloud, Tier-1) and reconciles them through
 * the NSX model functions
 * (server/nsxt/routes.ts), so the writes are ordinary store puts (journalled by persistence,
 * rolled back with a macro's restore). Route changes themselves only update an index: a route
 * deleted or added by hand through the NSX API stays that way until the Avi side changes again,
 * and the consistency check (`check`) reports it. A VS write is reconciled after its placement
 * (the virtualservice behaviour calls `afterPlacement`), since the store hears of the VS before
 * placement runs; a microtask catches any other placement change.
 */
import type { Engine } from '../engine.js';
import type { Change, Data, Rec } from '../core/store.js';
import type { ObjectService } from '../avi/objects.js';
import { dataNetwork, placementOf } from '../avi/placement.js';
import { ROUTE_TYPE, TIER1_TYPE, deleteStaticRoute, getTier1, upsertStaticRoute } from '../nsxt/routes.js';

export const TAG_VSVIP = 'avi.vmware.com/vsvip';
export const TAG_VS = 'avi.vmware.com/vs';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export const routeIdOf = (vsvip: string, vipId: string) => `avi-${vsvip}-${vipId}`;

/** The route one VIP should have. */
interface WantedRoute {
  tier1: string;
  id: string;
  vip: string;
  vipId: string;
  vs: string;
  network: string;
  body: Data;
}

/** What the Avi side asks of one VsVip's routes. */
interface Desired {
  state: 'up' | 'held' | 'none';
  /** per VIP with an address, when the VsVip is on an NSX-T cloud with a Tier-1 */
  routes: WantedRoute[];
}

interface IndexedRoute {
  tier1: string;
  id: string;
  vsvip: string;
  /** the `avi.vmware.com/vs` tag */
  vs?: string;
  network: string;
}

export interface CheckReport {
  ok: boolean;
  vips_without_route: Array<{ vs: string; vsvip: string; vip: string; tier1: string; vip_id: string; reason: string }>;
  routes_without_vip: Array<{ tier1: string; route_id: string; network: string }>;
}

export class NsxtLink {
  private readonly svc: ObjectService;
  /** VsVip uuids to reconcile */
  private readonly dirty = new Set<string>();
  /** VsVips of a VS just put, reconciled once its placement is done */
  private readonly awaitingPlacement = new Set<string>();
  private flushing = false;
  private scheduled = false;
  /** Avi-convention routes by store key (policy path); rebuilt after a restore */
  private index: Map<string, IndexedRoute> | undefined;
  readonly unsubscribe: () => void;

  constructor(private readonly engine: Engine) {
    this.svc = engine.objects;
    placementOf(this.svc); // placement hears of removals before this listener does
    this.unsubscribe = engine.store.subscribe((change) => this.onChange(change));
    // What the store already holds (a scenario, a restored state file) is reconciled once, as a
    // controller re-programs its cloud at start [inferred]: an unchanged route keeps its revision;
    // Avi-looking routes of VsVips that no longer exist are left for the check to report.
    for (const v of engine.store.collection('vsvip').values()) if (this.isNsxt(v)) this.dirty.add(v.uuid);
    this.flush();
  }

  // ---- reactions -------------------------------------------------------------------------

  private onChange(change: Change): void {
    if (change.op === 'restore') {
      // a restored store is consistent as it was persisted (or as it was before a failed macro)
      this.index = undefined;
      return;
    }
    const { rec } = change;
    switch (rec.type) {
      case ROUTE_TYPE:
        this.indexRoute(rec, change.op);
        return;
      case 'virtualservice':
        if (change.op === 'put') {
          // its placement runs after the store took it (and may write SEs meanwhile): its
          // VsVips wait for afterPlacement, or the microtask when no write path follows
          for (const v of this.vsvipsOfVs(rec)) this.awaitingPlacement.add(v);
          return this.schedule();
        }
        for (const v of this.vsvipsOfVs(rec)) this.dirty.add(v);
        break;
      case 'vsvip':
        this.dirty.add(rec.uuid);
        break;
      case 'serviceengine':
        if (change.op === 'put') for (const vs of placementOf(this.svc).vsesOn(rec.uuid)) this.markVs(vs);
        // the routes that pointed at it (placement already forgot it)
        for (const addr of seAddresses(rec)) for (const r of this.routes().values()) if (this.hopsOf(r).includes(addr)) this.dirty.add(r.vsvip);
        break;
      case 'serviceenginegroup':
        for (const r of this.engine.store.referrers('serviceenginegroup', rec.uuid)) if (r.type === 'virtualservice') this.markVs(r.uuid);
        break;
      case 'cloud':
        for (const r of this.engine.store.referrers('cloud', rec.uuid)) if (r.type === 'vsvip') this.dirty.add(r.uuid);
        break;
      case TIER1_TYPE:
        if (change.op === 'put') for (const v of this.engine.store.collection('vsvip').values()) if (this.isNsxt(v)) this.dirty.add(v.uuid);
        break;
      default:
        return;
    }
    this.flush();
  }

  /** The virtualservice behaviour calls this after placing a written VS. */
  afterPlacement(): void {
    this.releasePlaced();
    this.flush();
  }

  private releasePlaced(): void {
    for (const v of this.awaitingPlacement) this.dirty.add(v);
    this.awaitingPlacement.clear();
  }

  private markVs(uuid: string): void {
    const vs = this.engine.store.get('virtualservice', uuid);
    if (vs) for (const v of this.vsvipsOfVs(vs)) this.dirty.add(v);
  }

  /** The VS's VsVip, and those of routes tagged with it (a VsVip it left, or it is gone). */
  private vsvipsOfVs(vs: Rec): Set<string> {
    const out = new Set<string>();
    const ref = str(vs.data.vsvip_ref);
    if (ref) out.add(ref);
    for (const r of this.routes().values()) if (r.vs === vs.uuid) out.add(r.vsvip);
    return out;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.releasePlaced();
      this.flush();
    });
  }

  /** Reconciles every dirty VsVip; writes made here only re-enter to update the index. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.dirty.size) {
        const uuid = this.dirty.values().next().value!;
        this.dirty.delete(uuid);
        try {
          this.reconcile(uuid);
        } catch {
          // an NSX refusal must not fail the Avi write that caused it: the check reports the gap
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private reconcile(vsvipUuid: string): void {
    const desired = this.desired(vsvipUuid);
    const existing = [...this.routes().values()].filter((r) => r.vsvip === vsvipUuid);
    const keep = new Set<string>();
    if (desired.state === 'up') {
      for (const w of desired.routes) {
        if (!getTier1(this.engine, w.tier1)) continue; // the check reports it
        upsertStaticRoute(this.engine, w.tier1, w.id, w.body, { user: 'avi' });
        keep.add(`${w.tier1}\u0000${w.id}`);
      }
    } else if (desired.state === 'held') {
      for (const w of desired.routes) keep.add(`${w.tier1}\u0000${w.id}\u0000${w.network}`);
    }
    for (const r of existing) {
      const held = keep.has(`${r.tier1}\u0000${r.id}\u0000${r.network}`);
      if (keep.has(`${r.tier1}\u0000${r.id}`) || held) continue;
      if (getTier1(this.engine, r.tier1)) deleteStaticRoute(this.engine, r.tier1, r.id);
    }
  }

  // ---- the Avi side ----------------------------------------------------------------------

  private isNsxt(vsvip: Rec): boolean {
    const cloud = str(vsvip.data.cloud_ref);
    return cloud !== undefined && this.engine.store.get('cloud', cloud)?.data.vtype === 'CLOUD_NSXT';
  }

  /** The Tier-1 id a VsVip's VIPs are placed on, if any. */
  tier1Of(vsvip: Rec): string | undefined {
    const own = tier1Id(vsvip.data.tier1_lr);
    if (own) return own;
    const cloud = this.engine.store.get('cloud', str(vsvip.data.cloud_ref) ?? '');
    const nsxt = cloud?.data.nsxt_configuration;
    const dnc = isObj(nsxt) ? nsxt.data_network_config : undefined;
    const t1 = isObj(dnc) ? dnc.tier1_segment_config : undefined;
    if (!isObj(t1)) return undefined;
    const manual = isObj(t1.manual) ? asList(t1.manual.tier1_lrs) : [];
    for (const lr of manual) if (isObj(lr) && tier1Id(lr.tier1_lr_id)) return tier1Id(lr.tier1_lr_id);
    const automatic = isObj(t1.automatic) ? asList(t1.automatic.tier1_lr_ids) : [];
    for (const id of automatic) if (tier1Id(id)) return tier1Id(id);
    return undefined;
  }

  private desired(vsvipUuid: string): Desired {
    const none: Desired = { state: 'none', routes: [] };
    const vsvip = this.engine.store.get('vsvip', vsvipUuid);
    if (!vsvip || !this.isNsxt(vsvip)) return none;
    const tier1 = this.tier1Of(vsvip);
    if (!tier1) return none;
    const placement = placementOf(this.svc);
    const vses: Rec[] = [];
    for (const r of this.engine.store.referrers('vsvip', vsvipUuid)) if (r.type === 'virtualservice' && r.data.vsvip_ref === vsvipUuid) vses.push(r);
    const up: Array<{ vs: Rec; ses: Rec[] }> = [];
    let held: Rec | undefined;
    for (const vs of vses) {
      if (vs.data.enabled === false) {
        if (vs.data.revoke_vip_route !== true) held ??= vs;
        continue;
      }
      const ses = placement.sesOf(vs);
      if (ses.length) up.push({ vs, ses });
    }
    const owner = up[0]?.vs ?? held;
    if (!owner) return none;
    const routes: WantedRoute[] = [];
    asList(vsvip.data.vip).forEach((vip, i) => {
      if (!isObj(vip) || vip.enabled === false) return;
      const vipId = str(vip.vip_id) ?? String(i);
      for (const [field, bits] of [['ip_address', 32], ['ip6_address', 128]] as const) {
        const ip = vip[field];
        const addr = isObj(ip) ? str(ip.addr) : undefined;
        if (!addr) continue;
        const id = field === 'ip_address' ? routeIdOf(vsvipUuid, vipId) : `${routeIdOf(vsvipUuid, vipId)}-v6`;
        const family = bits === 32 ? 'V4' : 'V6';
        const hops: string[] = [];
        for (const { vs, ses } of up) {
          for (const se of ses) {
            const a = seDataIp(this.svc, se, vs, family);
            if (a && !hops.includes(a)) hops.push(a);
          }
        }
        const network = `${addr}/${bits}`;
        const body: Data = {
          display_name: `avi-${this.svc.nameOf(owner)}-${addr}`,
          network,
          next_hops: hops.map((h) => ({ ip_address: h, admin_distance: 1 })),
          tags: [
            { scope: TAG_VSVIP, tag: vsvipUuid },
            { scope: TAG_VS, tag: owner.uuid },
          ],
        };
        routes.push({ tier1, id, vip: addr, vipId, vs: owner.uuid, network, body });
      }
    });
    if (up.length && routes.every((r) => (r.body.next_hops as unknown[]).length > 0)) return { state: 'up', routes };
    return { state: held ? 'held' : 'none', routes };
  }

  // ---- the route index -------------------------------------------------------------------

  private routes(): Map<string, IndexedRoute> {
    if (!this.index) {
      this.index = new Map();
      for (const rec of this.engine.store.collection(ROUTE_TYPE).values()) this.indexRoute(rec, 'put');
    }
    return this.index;
  }

  private indexRoute(rec: Rec, op: 'put' | 'remove'): void {
    if (!this.index) return; // built on first use
    this.index.delete(rec.uuid);
    if (op === 'remove') return;
    const r = aviRoute(rec.data);
    if (r) this.index.set(rec.uuid, r);
  }

  private hopsOf(r: IndexedRoute): string[] {
    const rec = this.engine.store.get(ROUTE_TYPE, `/infra/tier-1s/${r.tier1}/static-routes/${r.id}`);
    return asList(rec?.data.next_hops).map((h) => (isObj(h) ? str(h.ip_address) : undefined)).filter((h): h is string => !!h);
  }

  // ---- the consistency check -------------------------------------------------------------

  /**
   * Every VIP that should have a route and has none (or one with other next hops, or its Tier-1
   * is missing), and every Avi-convention route whose VsVip, VIP or VS no longer asks for it.
   */
  check(): CheckReport {
    const report: CheckReport = { ok: true, vips_without_route: [], routes_without_vip: [] };
    const wanted = new Map<string, { w: WantedRoute; held: boolean }>();
    for (const vsvip of this.engine.store.collection('vsvip').values()) {
      const d = this.desired(vsvip.uuid);
      if (d.state === 'none') continue;
      for (const w of d.routes) {
        wanted.set(`${w.tier1}\u0000${w.id}`, { w, held: d.state === 'held' });
        if (d.state !== 'up') continue;
        const miss = (reason: string) =>
          report.vips_without_route.push({ vs: w.vs, vsvip: vsvip.uuid, vip: w.vip, tier1: w.tier1, vip_id: w.vipId, reason });
        if (!this.engine.store.get(TIER1_TYPE, `/infra/tier-1s/${w.tier1}`)) {
          miss('Tier-1 not found');
          continue;
        }
        const rec = this.engine.store.get(ROUTE_TYPE, `/infra/tier-1s/${w.tier1}/static-routes/${w.id}`);
        if (!rec) miss('no route');
        else if (rec.data.network !== w.network) miss('route has another network');
        else if (!sameHops(rec.data.next_hops, w.body.next_hops)) miss('next hops differ from the placement');
      }
    }
    for (const rec of this.engine.store.collection(ROUTE_TYPE).values()) {
      const r = aviRoute(rec.data);
      if (!r) continue;
      const w = wanted.get(`${r.tier1}\u0000${r.id}`);
      if (w && w.w.network === r.network) continue;
      report.routes_without_vip.push({ tier1: r.tier1, route_id: r.id, network: r.network });
    }
    report.ok = report.vips_without_route.length === 0 && report.routes_without_vip.length === 0;
    return report;
  }
}

const links = new WeakMap<object, NsxtLink>();

/** Starts the linked behaviour of one engine (once; later calls return the same link). */
export function linkNsxt(engine: Engine): NsxtLink {
  let link = links.get(engine.store);
  if (!link) links.set(engine.store, (link = new NsxtLink(engine)));
  return link;
}

/** The link of the engine owning `store`, if started (the Avi behaviours know only the store). */
export function nsxtLinkOf(store: object): NsxtLink | undefined {
  return links.get(store);
}

// ---- helpers -----------------------------------------------------------------------------

/** `/infra/tier-1s/<id>` (or `/global-infra/...`, or a bare id) → the id. */
export function tier1Id(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /\/tier-1s\/([^/]+)\/?$/.exec(s);
  if (m) return m[1];
  return s.includes('/') ? undefined : s;
}

function tagOf(data: Data, scope: string): string | undefined {
  for (const t of asList(data.tags)) if (isObj(t) && t.scope === scope) return str(t.tag);
  return undefined;
}

/** The route's place if it follows the Avi convention. */
function aviRoute(data: Data): IndexedRoute | undefined {
  const id = str(data.id);
  const parent = str(data.parent_path);
  const tier1 = tier1Id(parent);
  if (!id || !tier1) return undefined;
  let vsvip = tagOf(data, TAG_VSVIP);
  if (!vsvip) {
    const m = /^avi-(vsvip-.+)-[^-]+$/.exec(id);
    if (!m) return undefined;
    vsvip = m[1]!.replace(/-[^-]+-v6$/, '');
  }
  return { tier1, id, vsvip, vs: tagOf(data, TAG_VS), network: String(data.network ?? '') };
}

function seAddresses(se: Rec): string[] {
  const out: string[] = [];
  for (const nic of asList(se.data.data_vnics)) {
    if (!isObj(nic)) continue;
    for (const vn of asList(nic.vnic_networks)) {
      if (isObj(vn) && isObj(vn.ip) && isObj(vn.ip.ip_addr) && str(vn.ip.ip_addr.addr)) out.push(vn.ip.ip_addr.addr as string);
    }
  }
  return out;
}

/** The SE's data IP for the VS: its NIC on the VIP's network, else its first of the family. */
function seDataIp(svc: ObjectService, se: Rec, vs: Rec, family: 'V4' | 'V6'): string | undefined {
  const net = dataNetwork(svc, vs, str(se.data.cloud_ref));
  let first: string | undefined;
  for (const nic of asList(se.data.data_vnics)) {
    if (!isObj(nic)) continue;
    for (const vn of asList(nic.vnic_networks)) {
      if (!isObj(vn) || !isObj(vn.ip) || !isObj(vn.ip.ip_addr)) continue;
      const addr = str(vn.ip.ip_addr.addr);
      const type = str(vn.ip.ip_addr.type) ?? (addr?.includes(':') ? 'V6' : 'V4');
      if (!addr || type !== family) continue;
      if (net && nic.network_ref === net.uuid) return addr;
      first ??= addr;
    }
  }
  return first;
}

function sameHops(a: unknown, b: unknown): boolean {
  const key = (v: unknown) =>
    JSON.stringify(asList(v).map((h) => (isObj(h) ? [h.ip_address ?? null, h.admin_distance ?? 1] : null)));
  return key(a) === key(b);
}

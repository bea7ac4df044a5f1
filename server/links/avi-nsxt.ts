/**
 * Linked behaviour: an Avi virtual service on a `CLOUD_NSXT`
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
 * Mechanism: the engine composes one link per store once the scenario is applied; it
 * reconciles the NSX-T VsVips the store already holds, then hears every committed write in the
 * `link` reaction phase (server/core/changes.ts), after placement has acted on the same write:
 * it marks the VsVips a change affects (VS, VsVip, SE, SE group, cloud, Tier-1) and reconciles
 * them through the NSX model functions (server/nsxt/routes.ts), so the writes are ordinary store
 * puts (journalled by persistence, taken back with a failed write). Its writes are a write of
 * their own, which nothing reacts to but this link's route index (derive phase). A route deleted
 * or added by hand through the NSX API stays that way until the Avi side changes again, and the
 * consistency check (`check`) reports it.
 */
import { asList, isObject } from '../core/json.js';
import type { Change, Data, Rec, Store } from '../core/store.js';
import type { ObjectService } from '../avi/objects.js';
import { seDataIpFor, seNicAddresses } from '../avi/se-addressing.js';
import { ROUTE_TYPE, TIER1_TYPE, deleteStaticRoute, getTier1, upsertStaticRoute } from '../nsxt/routes.js';
import type { NsxModel } from '../nsxt/state.js';

export const TAG_VSVIP = 'avi.vmware.com/vsvip';
export const TAG_VS = 'avi.vmware.com/vs';

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
  private readonly store: Store;
  /** VsVip uuids to reconcile */
  private readonly dirty = new Set<string>();
  /** Avi-convention routes by store key (policy path); rebuilt after a restore */
  private index: Map<string, IndexedRoute> | undefined;
  readonly unsubscribe: () => void;

  constructor(
    private readonly svc: ObjectService,
    private readonly nsx: NsxModel,
  ) {
    this.store = svc.store;
    const stopIndex = this.store.subscribe((change) => this.follow(change));
    const stopReacting = this.store.subscribe('link', (changes) => this.react(changes));
    this.unsubscribe = () => {
      stopIndex();
      stopReacting();
    };
    // What the store already holds (a scenario, a restored state file) is reconciled once, as a
    // controller re-programs its cloud at start [inferred]: an unchanged route keeps its revision;
    // Avi-looking routes of VsVips that no longer exist are left for the check to report.
    for (const v of this.store.collection('vsvip').values()) if (this.isNsxt(v)) this.dirty.add(v.uuid);
    this.flush();
  }

  // ---- reactions -------------------------------------------------------------------------

  /** Derive phase: the route index follows every change, restores included. */
  private follow(change: Change): void {
    // a restored store is consistent as it was persisted (or as it was before a failed macro)
    if (change.op === 'restore') this.index = undefined;
    else if (change.rec.type === ROUTE_TYPE) this.indexRoute(change.rec, change.op);
  }

  /** Link phase: a write's changes, after placement has acted on them. */
  private react(changes: readonly Change[]): void {
    for (const change of changes) if (change.op !== 'restore') this.mark(change.rec, change.op);
    this.flush();
  }

  /** Marks the VsVips whose routes a change of `rec` may move. */
  private mark(rec: Rec, op: 'put' | 'remove'): void {
    switch (rec.type) {
      case 'virtualservice':
        for (const v of this.vsvipsOfVs(rec)) this.dirty.add(v);
        return;
      case 'vsvip':
        this.dirty.add(rec.uuid);
        return;
      case 'serviceengine':
        if (op === 'put') for (const vs of this.svc.placement.vsesOn(rec.uuid)) this.markVs(vs);
        // the routes that pointed at it (placement already forgot a removed SE)
        for (const { addr } of seNicAddresses(rec)) for (const r of this.routes().values()) if (this.hopsOf(r).includes(addr)) this.dirty.add(r.vsvip);
        return;
      case 'serviceenginegroup':
        for (const r of this.store.referrers('serviceenginegroup', rec.uuid)) if (r.type === 'virtualservice') this.markVs(r.uuid);
        return;
      case 'cloud':
        for (const r of this.store.referrers('cloud', rec.uuid)) if (r.type === 'vsvip') this.dirty.add(r.uuid);
        return;
      case TIER1_TYPE:
        if (op === 'put') for (const v of this.store.collection('vsvip').values()) if (this.isNsxt(v)) this.dirty.add(v.uuid);
        return;
    }
  }

  private markVs(uuid: string): void {
    const vs = this.store.get('virtualservice', uuid);
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

  /** Reconciles every dirty VsVip (its route writes are heard in the next round, as a write). */
  private flush(): void {
    while (this.dirty.size) {
      const uuid = this.dirty.values().next().value!;
      this.dirty.delete(uuid);
      try {
        this.reconcile(uuid);
      } catch {
        // an NSX refusal must not fail the Avi write that caused it: the check reports the gap
      }
    }
  }

  private reconcile(vsvipUuid: string): void {
    const desired = this.desired(vsvipUuid);
    const existing = [...this.routes().values()].filter((r) => r.vsvip === vsvipUuid);
    const keep = new Set<string>();
    if (desired.state === 'up') {
      for (const w of desired.routes) {
        if (!getTier1(this.nsx, w.tier1)) continue; // the check reports it
        upsertStaticRoute(this.nsx, w.tier1, w.id, w.body, { user: 'avi' });
        keep.add(`${w.tier1}\u0000${w.id}`);
      }
    } else if (desired.state === 'held') {
      for (const w of desired.routes) keep.add(`${w.tier1}\u0000${w.id}\u0000${w.network}`);
    }
    for (const r of existing) {
      const held = keep.has(`${r.tier1}\u0000${r.id}\u0000${r.network}`);
      if (keep.has(`${r.tier1}\u0000${r.id}`) || held) continue;
      if (getTier1(this.nsx, r.tier1)) deleteStaticRoute(this.nsx, r.tier1, r.id);
    }
  }

  // ---- the Avi side ----------------------------------------------------------------------

  private isNsxt(vsvip: Rec): boolean {
    const cloud = str(vsvip.data.cloud_ref);
    return cloud !== undefined && this.store.get('cloud', cloud)?.data.vtype === 'CLOUD_NSXT';
  }

  /** The Tier-1 id a VsVip's VIPs are placed on, if any. */
  tier1Of(vsvip: Rec): string | undefined {
    const own = tier1Id(vsvip.data.tier1_lr);
    if (own) return own;
    const cloud = this.store.get('cloud', str(vsvip.data.cloud_ref) ?? '');
    const nsxt = cloud?.data.nsxt_configuration;
    const dnc = isObject(nsxt) ? nsxt.data_network_config : undefined;
    const t1 = isObject(dnc) ? dnc.tier1_segment_config : undefined;
    if (!isObject(t1)) return undefined;
    const manual = isObject(t1.manual) ? asList(t1.manual.tier1_lrs) : [];
    for (const lr of manual) if (isObject(lr) && tier1Id(lr.tier1_lr_id)) return tier1Id(lr.tier1_lr_id);
    const automatic = isObject(t1.automatic) ? asList(t1.automatic.tier1_lr_ids) : [];
    for (const id of automatic) if (tier1Id(id)) return tier1Id(id);
    return undefined;
  }

  private desired(vsvipUuid: string): Desired {
    const none: Desired = { state: 'none', routes: [] };
    const vsvip = this.store.get('vsvip', vsvipUuid);
    if (!vsvip || !this.isNsxt(vsvip)) return none;
    const tier1 = this.tier1Of(vsvip);
    if (!tier1) return none;
    const placement = this.svc.placement;
    const vses: Rec[] = [];
    for (const r of this.store.referrers('vsvip', vsvipUuid)) if (r.type === 'virtualservice' && r.data.vsvip_ref === vsvipUuid) vses.push(r);
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
      if (!isObject(vip) || vip.enabled === false) return;
      const vipId = str(vip.vip_id) ?? String(i);
      for (const [field, bits] of [['ip_address', 32], ['ip6_address', 128]] as const) {
        const ip = vip[field];
        const addr = isObject(ip) ? str(ip.addr) : undefined;
        if (!addr) continue;
        const id = field === 'ip_address' ? routeIdOf(vsvipUuid, vipId) : `${routeIdOf(vsvipUuid, vipId)}-v6`;
        const family = bits === 32 ? 'V4' : 'V6';
        const hops: string[] = [];
        for (const { vs, ses } of up) {
          for (const se of ses) {
            const a = seDataIpFor(this.svc, se, vs, family);
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
      for (const rec of this.store.collection(ROUTE_TYPE).values()) this.indexRoute(rec, 'put');
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
    const rec = this.store.get(ROUTE_TYPE, `/infra/tier-1s/${r.tier1}/static-routes/${r.id}`);
    return asList(rec?.data.next_hops).map((h) => (isObject(h) ? str(h.ip_address) : undefined)).filter((h): h is string => !!h);
  }

  // ---- the consistency check -------------------------------------------------------------

  /**
   * Every VIP that should have a route and has none (or one with other next hops, or its Tier-1
   * is missing), and every Avi-convention route whose VsVip, VIP or VS no longer asks for it.
   */
  check(): CheckReport {
    const report: CheckReport = { ok: true, vips_without_route: [], routes_without_vip: [] };
    const wanted = new Map<string, { w: WantedRoute; held: boolean }>();
    for (const vsvip of this.store.collection('vsvip').values()) {
      const d = this.desired(vsvip.uuid);
      if (d.state === 'none') continue;
      for (const w of d.routes) {
        wanted.set(`${w.tier1}\u0000${w.id}`, { w, held: d.state === 'held' });
        if (d.state !== 'up') continue;
        const miss = (reason: string) =>
          report.vips_without_route.push({ vs: w.vs, vsvip: vsvip.uuid, vip: w.vip, tier1: w.tier1, vip_id: w.vipId, reason });
        if (!this.store.get(TIER1_TYPE, `/infra/tier-1s/${w.tier1}`)) {
          miss('Tier-1 not found');
          continue;
        }
        const rec = this.store.get(ROUTE_TYPE, `/infra/tier-1s/${w.tier1}/static-routes/${w.id}`);
        if (!rec) miss('no route');
        else if (rec.data.network !== w.network) miss('route has another network');
        else if (!sameHops(rec.data.next_hops, w.body.next_hops)) miss('next hops differ from the placement');
      }
    }
    for (const rec of this.store.collection(ROUTE_TYPE).values()) {
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
  for (const t of asList(data.tags)) if (isObject(t) && t.scope === scope) return str(t.tag);
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

function sameHops(a: unknown, b: unknown): boolean {
  const key = (v: unknown) =>
    JSON.stringify(asList(v).map((h) => (isObject(h) ? [h.ip_address ?? null, h.admin_distance ?? 1] : null)));
  return key(a) === key(b);
}

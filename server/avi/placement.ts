/**
 * Where virtual services run. An enabled virtual service with a VsVip is placed on
 * `min_scaleout_per_vs` Service Engines of its SE group, reusing an SE that hosts fewer than
 * `max_vs_per_se` virtual services.
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
 * Placement is a reaction to committed writes (server/core/changes.ts, phase `placement`): a
 * virtual service written is placed once its write is over, and the SEs placement creates or
 * gives a NIC are a write of their own, which the NSX link (phase `link`) then sees. Its
 * bookkeeping (removed VSes and SEs, restores) follows every change in the derive phase.
 */
import { type Change, type Data, type Rec, tenantRefOf } from '../core/store.js';
import type { ObjectService, PlacementView } from './objects.js';
import { asList, isObject } from '../core/json.js';
import { MAX_NAME_LENGTH } from '../core/catalog.js';
import { ADMIN_TENANT } from '../core/admin.js';
import { hasOrchestrator } from './types/cloud.js';
import { SeDeprovisioner } from './types/serviceengine.js';
import { dataNetwork, freeSeAddress, placementHost } from './se-addressing.js';

export const DEFAULT_MAX_VS_PER_SE = 10;
const DEFAULT_MIN_SCALEOUT = 1;
export const DEFAULT_MAX_SE = 10;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A positive integer setting, else its default. */
export const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback);

// ---- placement ---------------------------------------------------------------------------------

interface Want {
  group: Rec;
  count: number;
}

export class Placement implements PlacementView {
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
    svc.store.subscribe((change) => this.follow(change));
    svc.store.subscribe('placement', (changes) => this.react(changes));
    this.buildSoon();
  }

  /** Derive phase: what is hosted where follows every change (writes nothing). */
  private follow(change: Change): void {
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
      } else if (change.rec.type === 'serviceengine') {
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
  }

  /** Placement phase: each virtual service a write stored is placed (once, as it now stands). */
  private react(changes: readonly Change[]): void {
    const placed = new Set<string>();
    for (const change of changes) {
      if (change.op !== 'put' || change.rec.type !== 'virtualservice' || placed.has(change.rec.uuid)) continue;
      placed.add(change.rec.uuid);
      const vs = this.svc.store.get('virtualservice', change.rec.uuid);
      if (vs) this.place(vs);
    }
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
    const tenant = tenantRefOf(group.data) || ADMIN_TENANT;
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
    this.svc.patch('serviceengine', se.uuid, { add: { data_vnics: [nic] } }, { tenant: tenantRefOf(se.data) || ADMIN_TENANT, base: '' });
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

/**
 * VsVip: VIP allocation from the controller's internal IPAM (contract §9), the `global` VRF
 * fill-in (§8) and the read-only `vs_refs` back-reference (§8).
 *
 * On every write each vip is matched with the stored one of the same `vip_id`:
 * - an address given and equal to the stored one, or none given with `auto_allocate_ip` while the
 *   stored vip has one: the stored allocation is kept (clients PUT back without the address);
 * - an address given that differs from the stored one: 400 (the client must recreate the VIP);
 * - none given with `auto_allocate_ip`: the lowest free address of the network's VIP ranges.
 * Addresses in use are those of the other stored VsVips of the same VRF (server/avi/ipam.ts).
 */
import type { TypeBehaviour, WriteContext } from '../behaviour.js';
import type { ObjectService } from '../objects.js';
import { ADMIN_TENANT } from '../objects.js';
import { errors } from '../errors.js';
import { type Allocation, type Prefix, VipIndex, allocateV4, asPrefix, subnetHolding, vrfOf } from '../ipam.js';
import { isObject } from '../shape-ops.js';
import type { Data } from '../../core/store.js';
import { seDataAddresses } from '../placement.js';

type Vip = Record<string, unknown>;

export function vsvipBehaviour(svc: ObjectService): TypeBehaviour {
  const index = new VipIndex(svc.store);

  return {
    normalizeInput(data, existing) {
      if (!Array.isArray(data.vip)) return;
      const stored = existing && Array.isArray(existing.data.vip) ? existing.data.vip : [];
      const used = new Set(data.vip.filter(isObject).map((v) => v.vip_id).filter((id) => typeof id === 'string'));
      data.vip.forEach((vip, i) => {
        if (!isObject(vip) || vip.vip_id !== undefined) return;
        // A PUT without vip_id means the vip at the same place; else the lowest unused "0", "1"...
        const before = isObject(stored[i]) ? stored[i].vip_id : undefined;
        let id = typeof before === 'string' && !used.has(before) ? before : undefined;
        for (let n = 0; id === undefined; n++) if (!used.has(String(n))) id = String(n);
        vip.vip_id = id;
        used.add(id);
      });
    },

    beforeWrite(w) {
      fillVrf(svc, w.data);
      if (Array.isArray(w.data.vip)) assignAddresses(svc, index, w);
    },

    renderExtras(rec, out, _svc, ctx, includeName) {
      const refs: string[] = [];
      for (const r of svc.store.referrers('vsvip', rec.uuid)) {
        if (r.type === 'virtualservice' && svc.visible(r, ctx)) refs.push(svc.renderRef(ctx.base, r.type, r.uuid, includeName));
      }
      if (refs.length) out.vs_refs = refs;
    },
  };
}

/** `vrf_context_ref` → the `global` VRF of the VsVip's cloud when absent. */
function fillVrf(svc: ObjectService, data: Data): void {
  if (data.vrf_context_ref !== undefined || typeof data.cloud_ref !== 'string') return;
  for (const vrf of svc.store.byName('vrfcontext', ADMIN_TENANT, 'global')) {
    if (vrf.data.cloud_ref === data.cloud_ref) {
      data.vrf_context_ref = vrf.uuid;
      return;
    }
  }
}

function assignAddresses(svc: ObjectService, index: VipIndex, w: WriteContext): void {
  const { data, existing } = w;
  const vips = (data.vip as unknown[]).filter(isObject) as Vip[];
  const stored = (existing && Array.isArray(existing.data.vip) ? existing.data.vip : []).filter(isObject) as Vip[];
  checkVipIds(vips, stored);

  const self = data.uuid as string;
  const vrf = vrfOf(data);
  const mine = new Set<string>();
  const takenByOther = (addr: string) => [...index.holders(vrf, addr)].find((u) => u !== self);
  // Ranges for VIPs and SEs are shared: an address an SE's data NIC holds is not free either.
  let seAddrs: Set<string> | undefined;
  const heldBySe = (addr: string) => (seAddrs ??= seDataAddresses(svc)).has(addr);
  const taken = (addr: string) => mine.has(addr) || takenByOther(addr) !== undefined || heldBySe(addr);
  const claim = (addr: string) => {
    const holder = takenByOther(addr);
    if (holder !== undefined) {
      const rec = svc.store.get('vsvip', holder);
      throw errors.vipInUse(addr, rec ? svc.nameOf(rec) : holder);
    }
    if (mine.has(addr)) throw errors.vipInUse(addr, String(data.name));
    mine.add(addr);
  };

  // First the addresses the body fixes (given, or kept from the stored vip), then allocations,
  // so an allocation never takes an address the same body names further down.
  const pending: Vip[] = [];
  for (const vip of vips) {
    const before = stored.find((s) => s.vip_id === vip.vip_id);
    const had = addrOf(before?.ip_address);
    const given = addrOf(vip.ip_address);
    if (given !== undefined && had !== undefined && given !== had) throw errors.recreateVip();
    if (given === undefined && vip.auto_allocate_ip !== true) continue;
    if (given === undefined && had === undefined) {
      pending.push(vip);
      continue;
    }
    if (before && had !== undefined) {
      // The stored address stays (re-sent, or left out by a client that PUTs back without it),
      // with what the controller filled in around it.
      vip.ip_address = structuredClone(before.ip_address);
      vip.avi_allocated_vip = before.avi_allocated_vip ?? false;
      for (const f of ['ipam_network_subnet', 'discovered_networks']) {
        if (vip[f] === undefined && before[f] !== undefined) vip[f] = structuredClone(before[f]);
      }
    }
    const addr = (given ?? had)!;
    claim(addr);
    describeNetwork(svc, vip, addr);
  }

  for (const vip of pending) {
    const { network, allocation } = allocate(svc, data, vip, taken);
    mine.add(allocation.addr);
    vip.ip_address = { addr: allocation.addr, type: 'V4' };
    vip.avi_allocated_vip = true;
    vip.auto_allocate_ip_type ??= 'V4_ONLY';
    setNetwork(vip, network, allocation.subnet);
  }
}

/**
 * [inferred] A vip_id change is a stored vip whose id is gone from the body while, at the same
 * place in the list, a vip with an id the object never had stands instead. Removing a vip or
 * adding one is not a change of id.
 */
function checkVipIds(vips: Vip[], stored: Vip[]): void {
  const newIds = new Set(vips.map((v) => v.vip_id));
  const oldIds = new Set(stored.map((v) => v.vip_id));
  for (let i = 0; i < Math.min(vips.length, stored.length); i++) {
    if (!oldIds.has(vips[i]!.vip_id) && !newIds.has(stored[i]!.vip_id)) throw errors.vipIdChange();
  }
}

/** The networks to allocate from: the vip's own, else the cloud IPAM profile's usable networks. */
function candidateNetworks(svc: ObjectService, data: Data, vip: Vip): string[] {
  const own = isObject(vip.ipam_network_subnet) ? vip.ipam_network_subnet.network_ref : undefined;
  if (typeof own === 'string') return [own];
  const cloud = typeof data.cloud_ref === 'string' ? svc.store.get('cloud', data.cloud_ref) : undefined;
  const profileRef = cloud?.data.ipam_provider_ref;
  const profile = typeof profileRef === 'string' ? svc.store.get('ipamdnsproviderprofile', profileRef) : undefined;
  const internal = profile?.data.internal_profile;
  const usable = isObject(internal) && Array.isArray(internal.usable_networks) ? internal.usable_networks : [];
  return usable.filter(isObject).map((u) => u.nw_ref).filter((r): r is string => typeof r === 'string');
}

function allocate(
  svc: ObjectService,
  data: Data,
  vip: Vip,
  taken: (addr: string) => boolean,
): { network: string; allocation: Allocation } {
  const networks = candidateNetworks(svc, data, vip);
  if (!networks.length) throw errors.noIpamNetwork();
  const onlySubnet = isObject(vip.ipam_network_subnet) ? asPrefix(vip.ipam_network_subnet.subnet) : undefined;
  for (const uuid of networks) {
    const network = svc.store.get('network', uuid);
    if (!network) continue;
    const allocation = allocateV4(network.data, taken, onlySubnet);
    if (allocation) return { network: uuid, allocation };
  }
  throw errors.noFreeIps();
}

/** A given address inside the vip's network: fill the subnet the controller would report. */
function describeNetwork(svc: ObjectService, vip: Vip, addr: string): void {
  const ref = isObject(vip.ipam_network_subnet) ? vip.ipam_network_subnet.network_ref : undefined;
  if (typeof ref !== 'string') return;
  const network = svc.store.get('network', ref);
  const subnet = network && subnetHolding(network.data, addr);
  if (subnet) setNetwork(vip, ref, subnet, false);
}

/** `ipam_network_subnet` and `discovered_networks` as the controller stores them. */
function setNetwork(vip: Vip, network: string, subnet: Prefix, overwrite = true): void {
  const ipam = isObject(vip.ipam_network_subnet) ? { ...vip.ipam_network_subnet } : {};
  ipam.network_ref = network;
  if (overwrite || ipam.subnet === undefined) ipam.subnet = structuredClone(subnet);
  vip.ipam_network_subnet = ipam;
  if (overwrite || vip.discovered_networks === undefined) {
    vip.discovered_networks = [{ network_ref: network, subnet: [structuredClone(subnet)] }];
  }
}

function addrOf(ip: unknown): string | undefined {
  return isObject(ip) && typeof ip.addr === 'string' ? ip.addr : undefined;
}

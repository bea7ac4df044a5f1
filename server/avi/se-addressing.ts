/**
 * Addresses around a virtual service's Service Engines: which VIPs a VS has (a VH child uses its
 * parent's), the network an SE's data NIC for it goes on, the addresses SE data NICs hold and a
 * free one for a new NIC. Read-only: placement (placement.ts) writes the NICs, the runtime
 * (runtime.ts) reports them, VIP allocation and the NSX link read them.
 */
import type { Rec } from '../core/store.js';
import { asList, isObject, type JsonObject } from '../core/json.js';
import type { ObjectService } from './objects.js';
import { intToV4, inSubnet, v4Subnets, v4ToInt } from './ipv4.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const SE_RANGE_TYPES = new Set(['STATIC_IPS_FOR_SE', 'STATIC_IPS_FOR_VIP_AND_SE']);
/** how far down from the top of a subnet without SE ranges we look for a free address */
const MAX_SCAN = 65536;

/** The VS a VH child rides on (its parent), else the VS itself. */
export function placementHost(svc: ObjectService, vs: Rec): Rec {
  const parent = str(vs.data.vh_parent_vs_ref);
  return (parent && svc.store.get('virtualservice', parent)) || vs;
}

function vsvipOf(svc: ObjectService, vs: Rec): Rec | undefined {
  const ref = str(vs.data.vsvip_ref);
  return ref ? svc.store.get('vsvip', ref) : undefined;
}

/** The VS's VIPs: its VsVip's, else its own (`vip` of older clients). */
export function vipsOf(svc: ObjectService, vs: Rec): JsonObject[] {
  const vsvip = vsvipOf(svc, vs);
  return asList(vsvip ? vsvip.data.vip : vs.data.vip).filter(isObject);
}

/** An enabled VIP's address (v4, else v6), or undefined. */
export function vipAddr(vip: JsonObject): string | undefined {
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
    const a = v4ToInt(vipAddr(vip));
    if (a === undefined) continue;
    const hit = inCloud.find((n) => v4Subnets(n).some((s) => inSubnet(a, s)));
    if (hit) return hit;
  }
  return inCloud.find((n) => v4Subnets(n).length > 0);
}

/** Each address an SE's data NICs hold, with its NIC and family, in NIC order. */
export function seNicAddresses(se: Rec): Array<{ nic: JsonObject; addr: string; type: string | undefined }> {
  const out: Array<{ nic: JsonObject; addr: string; type: string | undefined }> = [];
  for (const nic of asList(se.data.data_vnics)) {
    if (!isObject(nic)) continue;
    for (const vn of asList(nic.vnic_networks)) {
      if (isObject(vn) && isObject(vn.ip) && isObject(vn.ip.ip_addr) && typeof vn.ip.ip_addr.addr === 'string') {
        out.push({ nic, addr: vn.ip.ip_addr.addr, type: str(vn.ip.ip_addr.type) });
      }
    }
  }
  return out;
}

/** Every data-NIC address held by a Service Engine (VIP allocation must not hand these out). */
export function seDataAddresses(svc: ObjectService): Set<string> {
  const out = new Set<string>();
  for (const se of svc.store.collection('serviceengine').values()) for (const a of seNicAddresses(se)) out.add(a.addr);
  return out;
}

/** Addresses taken on a network: SE data NICs and VIPs anywhere (VIPs are not per network). */
function usedAddresses(svc: ObjectService): Set<number> {
  const used = new Set<number>();
  const add = (addr: unknown) => {
    const n = v4ToInt(addr);
    if (n !== undefined) used.add(n);
  };
  for (const addr of seDataAddresses(svc)) add(addr);
  for (const type of ['vsvip', 'virtualservice']) {
    for (const rec of svc.store.collection(type).values()) {
      for (const vip of asList(rec.data.vip)) if (isObject(vip) && isObject(vip.ip_address)) add(vip.ip_address.addr);
    }
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

/** The SE's first data address, as `vip_intf_ip` / `data_ip` report it. */
export function firstDataIp(se: Rec): { addr: string; type: string } | undefined {
  const first = seNicAddresses(se)[0];
  return first && { addr: first.addr, type: first.type ?? 'V4' };
}

/** The SE's data IP for the VS: its NIC on the VIP's network, else its first of the family. */
export function seDataIpFor(svc: ObjectService, se: Rec, vs: Rec, family: 'V4' | 'V6'): string | undefined {
  const net = dataNetwork(svc, vs, str(se.data.cloud_ref));
  let first: string | undefined;
  for (const { nic, addr, type } of seNicAddresses(se)) {
    if (!addr || (type ?? (addr.includes(':') ? 'V6' : 'V4')) !== family) continue;
    if (net && nic.network_ref === net.uuid) return addr;
    first ??= addr;
  }
  return first;
}

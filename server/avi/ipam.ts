/**
 * The controller's internal IPAM for VIPs: which addresses VsVips hold, and the
 * lowest free address of a network's VIP ranges. Nothing is reserved: the used addresses are
 * derived from the stored VsVips (an index kept in step by a derive-phase store subscriber and
 * rebuilt on a restore), so a write that is refused after the allocation leaves nothing behind
 * and a delete frees its addresses by itself.
 */
import type { Data, Rec, Store } from '../core/store.js';
import { isObject } from '../core/json.js';
import { asPrefix, intToV4, samePrefix, v4ToInt, type Prefix } from './ipv4.js';

// ---- which addresses are used ------------------------------------------------------------------

/** The addresses a stored VsVip holds (v4 and v6), each once. */
export function addressesOf(data: Data): string[] {
  const out = new Set<string>();
  if (!Array.isArray(data.vip)) return [];
  for (const vip of data.vip) {
    if (!isObject(vip)) continue;
    for (const f of ['ip_address', 'ip6_address']) {
      const ip = vip[f];
      if (isObject(ip) && typeof ip.addr === 'string') out.add(ip.addr);
    }
  }
  return [...out];
}

/** The VRF a VsVip's addresses live in (addresses are unique per VRF). */
export function vrfOf(data: Data): string {
  return typeof data.vrf_context_ref === 'string' ? data.vrf_context_ref : '';
}

const key = (vrf: string, addr: string) => `${vrf}\u0000${addr}`;

/**
 * VRF + address → the VsVips holding it, derived from the store. One per ObjectService.
 */
export class VipIndex {
  private readonly owners = new Map<string, Set<string>>();
  /** vsvip uuid → the keys it holds, to unindex its previous version */
  private readonly held = new Map<string, string[]>();
  readonly stop: () => void;

  constructor(private readonly store: Store) {
    this.rebuild();
    this.stop = store.subscribe((change) => {
      if (change.op === 'restore') this.rebuild();
      else if (change.rec.type === 'vsvip') {
        this.drop(change.rec.uuid);
        if (change.op === 'put') this.add(change.rec);
      }
    });
  }

  /** Uuids of the VsVips holding `addr` in `vrf`. */
  holders(vrf: string, addr: string): ReadonlySet<string> {
    return this.owners.get(key(vrf, addr)) ?? new Set();
  }

  private rebuild(): void {
    this.owners.clear();
    this.held.clear();
    for (const rec of this.store.collection('vsvip').values()) this.add(rec);
  }

  private add(rec: Rec): void {
    const keys = addressesOf(rec.data).map((a) => key(vrfOf(rec.data), a));
    this.held.set(rec.uuid, keys);
    for (const k of keys) {
      let set = this.owners.get(k);
      if (!set) this.owners.set(k, (set = new Set()));
      set.add(rec.uuid);
    }
  }

  private drop(uuid: string): void {
    for (const k of this.held.get(uuid) ?? []) {
      const set = this.owners.get(k);
      set?.delete(uuid);
      if (set && set.size === 0) this.owners.delete(k);
    }
    this.held.delete(uuid);
  }
}

// ---- allocation --------------------------------------------------------------------------------

/** Range types whose addresses may be handed to VIPs (SE-only ranges are not). */
const VIP_RANGE_TYPES = new Set(['STATIC_IPS_FOR_VIP', 'STATIC_IPS_FOR_VIP_AND_SE']);

export interface Allocation {
  addr: string;
  /** the configured subnet the address came from */
  subnet: Prefix;
}

/**
 * The lowest free IPv4 address of a network's VIP ranges (all its configured subnets, or only
 * the one equal to `onlySubnet`), or undefined when every one is taken.
 */
export function allocateV4(network: Data, taken: (addr: string) => boolean, onlySubnet?: Prefix): Allocation | undefined {
  const ranges: Array<{ begin: number; end: number; subnet: Prefix }> = [];
  for (const sub of Array.isArray(network.configured_subnets) ? network.configured_subnets : []) {
    if (!isObject(sub)) continue;
    const prefix = asPrefix(sub.prefix);
    if (!prefix || prefix.ip_addr.type !== 'V4') continue;
    if (onlySubnet && !samePrefix(prefix, onlySubnet)) continue;
    for (const r of Array.isArray(sub.static_ip_ranges) ? sub.static_ip_ranges : []) {
      if (!isObject(r) || !isObject(r.range)) continue;
      if (!VIP_RANGE_TYPES.has(typeof r.type === 'string' ? r.type : 'STATIC_IPS_FOR_VIP_AND_SE')) continue;
      const begin = isObject(r.range.begin) ? v4ToInt(r.range.begin.addr) : undefined;
      const end = isObject(r.range.end) ? v4ToInt(r.range.end.addr) : undefined;
      if (begin === undefined || end === undefined || begin > end) continue;
      ranges.push({ begin, end, subnet: prefix });
    }
  }
  ranges.sort((a, b) => a.begin - b.begin);
  // Each step past a taken address costs one lookup: at most (addresses in use + 1) per range.
  for (const r of ranges) {
    for (let n = r.begin; n <= r.end; n++) {
      const addr = intToV4(n);
      if (!taken(addr)) return { addr, subnet: r.subnet };
    }
  }
  return undefined;
}

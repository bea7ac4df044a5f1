/**
 * The controller's internal IPAM for VIPs (contract §9): which addresses VsVips hold, and the
 * lowest free address of a network's VIP ranges. Nothing is reserved: the used addresses are
 * derived from the stored VsVips (an index kept in step through the store's change listener and
 * rebuilt on a restore), so a write that is refused after the allocation leaves nothing behind
 * and a delete frees its addresses by itself.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Data, Rec, Store } from '../core/store.js';
import { isObject } from './shape-ops.js';

/** A prefix as the API writes it: `{ip_addr: {addr, type}, mask}`. */
export interface Prefix {
  ip_addr: { addr: string; type: string };
  mask: number;
}

// ---- addresses ---------------------------------------------------------------------------------

/** An IPv4 address → its 32-bit value, or undefined when it is not one. */
export function v4ToInt(addr: unknown): number | undefined {
  if (typeof addr !== 'string' || !isIPv4(addr)) return undefined;
  return addr.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function intToV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The address family of a text address (`V4`, `V6`), or undefined when it is neither. */
export function familyOf(addr: unknown): 'V4' | 'V6' | undefined {
  if (typeof addr !== 'string') return undefined;
  if (isIPv4(addr)) return 'V4';
  if (isIPv6(addr)) return 'V6';
  return undefined;
}

function inPrefix(n: number, prefix: Prefix): boolean {
  const base = v4ToInt(prefix.ip_addr.addr);
  if (base === undefined || !(prefix.mask >= 0 && prefix.mask <= 32)) return false;
  const size = 2 ** (32 - prefix.mask);
  return Math.floor(n / size) === Math.floor(base / size);
}

function asPrefix(v: unknown): Prefix | undefined {
  if (!isObject(v) || !isObject(v.ip_addr) || typeof v.ip_addr.addr !== 'string' || typeof v.mask !== 'number') {
    return undefined;
  }
  return { ip_addr: { addr: v.ip_addr.addr, type: String(v.ip_addr.type ?? 'V4') }, mask: v.mask };
}

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

/** The configured subnet of `network` that holds `addr`, if any. */
export function subnetHolding(network: Data, addr: string): Prefix | undefined {
  const n = v4ToInt(addr);
  if (n === undefined) return undefined;
  for (const sub of Array.isArray(network.configured_subnets) ? network.configured_subnets : []) {
    const prefix = isObject(sub) ? asPrefix(sub.prefix) : undefined;
    if (prefix && inPrefix(n, prefix)) return prefix;
  }
  return undefined;
}

export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.mask === b.mask && a.ip_addr.addr === b.ip_addr.addr;
}

export { asPrefix };

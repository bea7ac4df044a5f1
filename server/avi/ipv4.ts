/**
 * IPv4 arithmetic over the API's address objects: addresses as 32-bit numbers, prefixes
 * (`{ip_addr: {addr, type}, mask}`) and a network's configured subnets with their static ranges.
 * VIP allocation (ipam.ts), SE addressing (se-addressing.ts) and the placement use this one copy.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Data, Rec } from '../core/store.js';
import { asList, isObject } from '../core/json.js';

/** A prefix as the API writes it: `{ip_addr: {addr, type}, mask}`. */
export interface Prefix {
  ip_addr: { addr: string; type: string };
  mask: number;
}

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

/** Is the 32-bit address `n` inside the (IPv4) prefix? */
export function inPrefix(n: number, prefix: Prefix): boolean {
  const base = v4ToInt(prefix.ip_addr.addr);
  if (base === undefined || !(prefix.mask >= 0 && prefix.mask <= 32)) return false;
  const size = 2 ** (32 - prefix.mask);
  return Math.floor(n / size) === Math.floor(base / size);
}

export function asPrefix(v: unknown): Prefix | undefined {
  if (!isObject(v) || !isObject(v.ip_addr) || typeof v.ip_addr.addr !== 'string' || typeof v.mask !== 'number') {
    return undefined;
  }
  return { ip_addr: { addr: v.ip_addr.addr, type: String(v.ip_addr.type ?? 'V4') }, mask: v.mask };
}

export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.mask === b.mask && a.ip_addr.addr === b.ip_addr.addr;
}

/** The configured subnet of `network` that holds `addr`, if any. */
export function subnetHolding(network: Data, addr: string): Prefix | undefined {
  const n = v4ToInt(addr);
  if (n === undefined) return undefined;
  for (const sub of asList(network.configured_subnets)) {
    const prefix = isObject(sub) ? asPrefix(sub.prefix) : undefined;
    if (prefix && inPrefix(n, prefix)) return prefix;
  }
  return undefined;
}

/** One IPv4 configured subnet of a network, as numbers. */
export interface V4Subnet {
  network: number;
  mask: number;
  /** first and last host address */
  first: number;
  last: number;
  /** static ranges as [begin, end, type] */
  ranges: Array<[number, number, string]>;
}

/** A network's IPv4 configured subnets (a range without a type serves VIPs and SEs). */
export function v4Subnets(net: Rec): V4Subnet[] {
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
      if (b !== undefined && e !== undefined && b <= e) ranges.push([b, e, typeof r.type === 'string' ? r.type : 'STATIC_IPS_FOR_VIP_AND_SE']);
    }
    const first = mask >= 31 ? network : network + 1;
    const last = mask >= 31 ? network + size - 1 : network + size - 2;
    out.push({ network, mask, first, last, ranges });
  }
  return out;
}

/** Is the 32-bit address `a` anywhere in the subnet (network and broadcast included)? */
export function inSubnet(a: number, s: V4Subnet): boolean {
  return a >= s.network && a < s.network + 2 ** (32 - s.mask);
}

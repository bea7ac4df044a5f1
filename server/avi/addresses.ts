/**
 * What the schema cannot say about addresses: an `IpAddr` of type V4 or V6 must hold an address
 * of that family, a prefix's mask must fit its family and a range must not mix families. Keyed
 * by schema name, so every field of these schemas (pool servers, VIPs, subnets, static ranges,
 * routes, IP groups, match criteria, ...) is checked alike. Texts are [inferred].
 */
import { isIPv4, isIPv6 } from 'node:net';

type Obj = Record<string, unknown>;
/** a problem text (`field '<path>' ...`) or undefined; runs after the fields' own checks */
export type ObjectCheck = (obj: Obj, path: string) => string | undefined;

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

const FAMILY_NAMES: Readonly<Record<string, string>> = { V4: 'IPv4', V6: 'IPv6' };

function isFamily(type: unknown): type is 'V4' | 'V6' {
  return type === 'V4' || type === 'V6';
}

function badAddress(ip: Obj, path: string, family: string): string {
  return `field '${join(path, 'addr')}' value ${JSON.stringify(ip.addr)} is not a valid ${family} address`;
}

/** An address of its type's family; a `DNS` address is a host name and not checked here. */
function checkIpAddr(ip: Obj, path: string): string | undefined {
  if (!isFamily(ip.type)) return undefined;
  const valid = typeof ip.addr === 'string' && (ip.type === 'V4' ? isIPv4(ip.addr) : isIPv6(ip.addr));
  return valid ? undefined : badAddress(ip, path, FAMILY_NAMES[ip.type]!);
}

/** The address of a prefix or range end: V4 or V6 only (its own check ran already). */
function familyProblem(v: unknown, path: string): string | undefined {
  const ip = v as Obj;
  return isFamily(ip.type) ? undefined : badAddress(ip, path, 'IPv4 or IPv6');
}

function checkPrefix(prefix: Obj, path: string): string | undefined {
  const at = join(path, 'ip_addr');
  const problem = familyProblem(prefix.ip_addr, at);
  if (problem) return problem;
  const max = (prefix.ip_addr as Obj).type === 'V4' ? 32 : 128;
  const mask = prefix.mask as number;
  if (mask < 0 || mask > max) return `field '${join(path, 'mask')}' value ${mask} is outside the allowed range 0-${max}`;
  return undefined;
}

function checkRange(range: Obj, path: string): string | undefined {
  const begin = join(path, 'begin');
  const end = join(path, 'end');
  const problem = familyProblem(range.begin, begin) ?? familyProblem(range.end, end);
  if (problem) return problem;
  if ((range.begin as Obj).type !== (range.end as Obj).type) {
    return `field '${end}' must be of the same address family as '${begin}'`;
  }
  return undefined;
}

/** Checks by schema name, run on every object of that schema once its fields are valid. */
export const SCHEMA_CHECKS: ReadonlyMap<string, ObjectCheck> = new Map([
  ['IpAddr', checkIpAddr],
  ['IpAddrPrefix', checkPrefix],
  ['IpAddrRange', checkRange],
]);

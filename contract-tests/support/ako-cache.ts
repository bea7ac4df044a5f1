/**
 * AKO's object cache, as AKO fills it from the controller: the collections it lists across
 * tenants (`X-Avi-Tenant: *`), filtered by its own `created_by` (`ako-<cluster>`) or by its name
 * prefix (`<cluster>--`), 100 a page, with `include_name=true`, and of each object only the
 * fields AKO keeps (internal/cache in AKO's source):
 *
 * - vsvip: `name`, `uuid`, `_last_modified`, every `vip[].ip_address.addr`, the network name after
 *   the `#` of `vip[].ipam_network_subnet.network_ref`, `vsvip_cloud_config_cksum`;
 * - pool: `name`, `uuid`, `cloud_config_cksum` (a pool without one is skipped), `service_metadata`
 *   (parsed as JSON; AKO reads it unconditionally), `_last_modified`;
 * - l4policyset: `name`, `uuid`, `_last_modified`, `markers` (its checksum of the set covers
 *   them), per rule `match.protocol.protocol`, `match.port.ports` and the pool of
 *   `action.select_pool.pool_ref`;
 * - virtualservice (only with a `cloud_config_cksum`): `name`, `uuid`, `cloud_config_cksum`,
 *   `_last_modified`, `service_metadata`, the vsvip of `vsvip_ref`, the policy sets of
 *   `l4_policies[].l4_policy_set_ref` and through them their pools.
 *
 * AKO takes the uuid out of a ref by matching `<type>-…#`, so a ref without `#name` or a uuid
 * that does not start with `<type>-` leaves it without the link; such faults, and anything else
 * AKO would skip or fail on, are listed in `problems`.
 */
import type { ApiClient } from '../../test/support/wire.js';

export interface CachedVsVip {
  uuid: string;
  lastModified: string;
  vips: string[];
  networkNames: string[];
  cksum: string | undefined;
}
export interface CachedPool {
  uuid: string;
  cksum: string;
  lastModified: string;
  serviceMetadata: unknown;
}
export interface CachedL4 {
  uuid: string;
  lastModified: string;
  markers: unknown;
  pools: string[];
  ports: number[];
  protocols: string[];
}
export interface CachedVs {
  uuid: string;
  cksum: string;
  lastModified: string;
  serviceMetadata: unknown;
  vsvips: string[];
  l4: string[];
  pools: string[];
}
export interface AkoCache {
  vsvips: Record<string, CachedVsVip>;
  pools: Record<string, CachedPool>;
  l4: Record<string, CachedL4>;
  vses: Record<string, CachedVs>;
  problems: string[];
}

type Data = Record<string, any>;

/**
 * The uuid AKO reads out of a ref: the first `<type>-…#` of it without the `#` (AKO's
 * `ExtractUuid`), or undefined when there is none.
 */
export function akoUuidOf(ref: unknown, type: string): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const m = new RegExp(`${type}-.*.#`).exec(ref);
  return m ? m[0].slice(0, -1) : undefined;
}

/**
 * Every object of a collection AKO pages through: it follows `next` by cutting it at
 * `/api/<type>` and asking again. A list whose `count` and `results` disagree without a `next`
 * is reported: AKO sizes its array by `count`.
 */
export async function akoList(client: ApiClient, path: string, problems: string[]): Promise<Data[]> {
  const type = /^\/api\/([a-z0-9-]+)/.exec(path)![1]!;
  const out: Data[] = [];
  let next: string | undefined = path;
  for (let page = 0; next && page < 20; page++) {
    const res = await client.get(next);
    if (res.status !== 200) {
      problems.push(`GET ${next}: ${res.status} ${res.text}`);
      return out;
    }
    const body = res.body as Data;
    if (typeof body?.count !== 'number' || !Array.isArray(body.results)) {
      problems.push(`GET ${next}: not a collection: ${res.text.slice(0, 200)}`);
      return out;
    }
    if (!body.next && body.count !== out.length + body.results.length) problems.push(`GET ${next}: count ${body.count} but ${out.length + body.results.length} results and no next`);
    out.push(...body.results);
    const cut: string | undefined = typeof body.next === 'string' ? body.next.split(`/api/${type}`)[1] : undefined;
    next = cut === undefined ? undefined : `/api/${type}${cut}`;
  }
  return out;
}

const str = (v: unknown): v is string => typeof v === 'string';

function parseMetadata(text: unknown, what: string, problems: string[]): unknown {
  if (!str(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    problems.push(`${what}: service_metadata is not JSON`);
    return undefined;
  }
}

/** The four boot collections of an L4 cluster, read on `clients` (each speaking for tenant `*`). */
export async function akoCache(clients: ApiClient[], cloud: string, cluster: string): Promise<AkoCache> {
  const user = `ako-${cluster}`;
  const problems: string[] = [];
  const on = (i: number) => clients[i % clients.length]!;
  // The same queries AKO's cache sends at boot (parameters in the order they go on the wire).
  const [vsvipList, poolList, l4List] = await Promise.all([
    akoList(on(7), `/api/vsvip/?cloud_ref.name=${cloud}&include_name=true&name.contains=${cluster}--&page_size=100`, problems),
    akoList(on(1), `/api/pool/?cloud_ref.name=${cloud}&created_by=${user}&include_name=true&page_size=100`, problems),
    akoList(on(6), `/api/l4policyset/?created_by=${user}&include_name=true&page_size=100`, problems),
  ]);
  const cache: AkoCache = { vsvips: {}, pools: {}, l4: {}, vses: {}, problems };
  const byUuid = new Map<string, string>();

  for (const v of vsvipList) {
    if (!str(v.name) || !str(v.uuid)) {
      problems.push(`vsvip without name or uuid: ${JSON.stringify(v).slice(0, 200)}`);
      continue;
    }
    if (!str(v._last_modified)) problems.push(`vsvip ${v.name}: no _last_modified`);
    const vips: string[] = [];
    const networkNames: string[] = [];
    for (const vip of (v.vip ?? []) as Data[]) {
      if (vip.ip_address) vips.push(vip.ip_address.addr);
      const ref = vip.ipam_network_subnet?.network_ref;
      if (str(ref) && ref !== '') {
        const parts = ref.split('#');
        if (parts.length === 2) networkNames.push(parts[1]!);
        else problems.push(`vsvip ${v.name}: network_ref without #name: ${ref}`);
      }
    }
    cache.vsvips[v.name] = { uuid: v.uuid, lastModified: v._last_modified, vips, networkNames, cksum: v.vsvip_cloud_config_cksum };
    byUuid.set(v.uuid, v.name);
  }
  for (const p of poolList) {
    if (!str(p.name) || !str(p.uuid) || !str(p.cloud_config_cksum)) {
      problems.push(`pool skipped (no name, uuid or cloud_config_cksum): ${p.name}`);
      continue;
    }
    if (!str(p._last_modified)) problems.push(`pool ${p.name}: no _last_modified`);
    if (!str(p.service_metadata)) problems.push(`pool ${p.name}: no service_metadata (AKO reads it unconditionally)`);
    cache.pools[p.name] = { uuid: p.uuid, cksum: p.cloud_config_cksum, lastModified: p._last_modified, serviceMetadata: parseMetadata(p.service_metadata, `pool ${p.name}`, problems) };
    byUuid.set(p.uuid, p.name);
  }
  for (const l of l4List) {
    if (!str(l.name) || !str(l.uuid)) {
      problems.push(`l4policyset without name or uuid: ${l.name}`);
      continue;
    }
    if (!str(l._last_modified)) problems.push(`l4policyset ${l.name}: no _last_modified`);
    const entry: CachedL4 = { uuid: l.uuid, lastModified: l._last_modified, markers: l.markers, pools: [], ports: [], protocols: [] };
    for (const rule of (l.l4_connection_policy?.rules ?? []) as Data[]) {
      if (rule.action) {
        entry.protocols.push(String(rule.match?.protocol?.protocol).includes('TCP') ? 'TCP' : 'UDP');
        const uuid = akoUuidOf(rule.action.select_pool?.pool_ref, 'pool');
        const name = uuid === undefined ? undefined : byUuid.get(uuid);
        if (name === undefined) problems.push(`l4policyset ${l.name}: pool_ref ${rule.action.select_pool?.pool_ref} names no cached pool`);
        else entry.pools.push(name);
      }
      if (rule.match) entry.ports.push(...((rule.match.port?.ports ?? []) as number[]));
    }
    cache.l4[l.name] = entry;
    byUuid.set(l.uuid, l.name);
  }
  // Virtual services last: AKO links them to what the other lists put in the cache.
  const vsList = await akoList(on(0), `/api/virtualservice/?cloud_ref.name=${cloud}&created_by=${user}&include_name=true&page_size=100`, problems);
  for (const vs of vsList) {
    if (vs.cloud_config_cksum === undefined || vs.cloud_config_cksum === null) continue;
    if (!str(vs.name) || !str(vs.uuid) || !str(vs.cloud_config_cksum) || !str(vs._last_modified)) {
      problems.push(`virtualservice ${vs.name}: name, uuid, cloud_config_cksum and _last_modified must be strings`);
      continue;
    }
    const entry: CachedVs = { uuid: vs.uuid, cksum: vs.cloud_config_cksum, lastModified: vs._last_modified, serviceMetadata: parseMetadata(vs.service_metadata, `virtualservice ${vs.name}`, problems), vsvips: [], l4: [], pools: [] };
    if (vs.vsvip_ref !== undefined) {
      const name = byUuid.get(akoUuidOf(vs.vsvip_ref, 'vsvip') ?? '');
      if (name === undefined || !cache.vsvips[name]) problems.push(`virtualservice ${vs.name}: vsvip_ref ${vs.vsvip_ref} names no cached vsvip`);
      else entry.vsvips.push(name);
    }
    for (const pol of (vs.l4_policies ?? []) as Data[]) {
      const name = byUuid.get(akoUuidOf(pol.l4_policy_set_ref, 'l4policyset') ?? '');
      if (name === undefined || !cache.l4[name]) {
        problems.push(`virtualservice ${vs.name}: l4_policy_set_ref ${pol.l4_policy_set_ref} names no cached l4policyset`);
        continue;
      }
      entry.l4.push(name);
      entry.pools.push(...cache.l4[name]!.pools);
    }
    cache.vses[vs.name] = entry;
  }
  return cache;
}

/**
 * The NSX-T Policy model on the store: Tier-1 gateways (`nsxt.tier1`) and their static routes
 * (`nsxt.staticroute`), each stored under its policy path as uuid, so persistence, snapshots and
 * restarts cover them like Avi objects. Every function here is synchronous and works on the
 * store only (no HTTP): the NSX HTTP layer (server/nsxt/index.ts) and the linked Avi behaviour
 * (server/links/avi-nsxt.ts) both call them. Failures throw NsxError (server/nsxt/errors.ts) with
 * the NSX status, code and text. Writes are made durable by the caller (`engine.commit()`).
 *
 * Write semantics (contract §4):
 * - PATCH (`upsert*`): create-or-update, merging top-level fields (lists replaced whole); a
 *   PATCH that changes nothing keeps `_revision`.
 * - PUT (`replace*`): create-or-replace; on an existing object the body must carry the current
 *   `_revision` (missing → 400 500127, stale → 412).
 * - DELETE: a missing route is not an error; a Tier-1 with routes cannot be deleted.
 */
import { isIP } from 'node:net';
import type { Engine } from '../engine.js';
import type { Data } from '../core/store.js';
import { NsxError, nsxErrors } from './errors.js';

export const TIER1_TYPE = 'nsxt.tier1';
export const ROUTE_TYPE = 'nsxt.staticroute';

export const tier1Path = (t1: string) => `/infra/tier-1s/${t1}`;
export const routePath = (t1: string, id: string) => `/infra/tier-1s/${t1}/static-routes/${id}`;

export interface WriteOptions {
  /** `_create_user` / `_last_modified_user` (default `admin`) */
  user?: string;
}

/** Server-maintained fields a client may echo back; they are ignored on write (`_revision` aside). */
const READ_ONLY = new Set([
  'id',
  'resource_type',
  'path',
  'parent_path',
  'relative_path',
  'unique_id',
  'realization_id',
  'remote_path',
  'origin_site_id',
  'owner_id',
  'marked_for_delete',
  'overridden',
  '_revision',
  '_create_time',
  '_create_user',
  '_last_modified_time',
  '_last_modified_user',
  '_system_owned',
  '_protection',
  '_links',
  '_self',
  '_schema',
]);

const ROUTE_FIELDS = new Set(['display_name', 'description', 'tags', 'network', 'next_hops', 'enabled_on_secondary', 'children']);
const TIER1_FIELDS = new Set([
  'display_name',
  'description',
  'tags',
  'tier0_path',
  'failover_mode',
  'route_advertisement_types',
  'route_advertisement_rules',
  'type',
  'ha_mode',
  'pool_allocation',
  'enable_standby_relocation',
  'dhcp_config_paths',
  'ipv6_profile_paths',
  'disable_firewall',
  'force_whitelisting',
  'default_rule_logging',
  'intersite_config',
  'arp_limit',
  'qos_profile',
  'federation_config',
  'children',
]);

// ---------------------------------------------------------------------------------------------
// Reads

/** The Tier-1 `id` as served (server fields included), or undefined. */
export function getTier1(engine: Engine, id: string): Data | undefined {
  const rec = engine.store.get(TIER1_TYPE, tier1Path(id));
  return rec ? render(rec.data) : undefined;
}

/** Every Tier-1, in creation order. */
export function listTier1s(engine: Engine): Data[] {
  return [...engine.store.collection(TIER1_TYPE).values()].map((r) => render(r.data));
}

/** The route, or undefined (also when its Tier-1 does not exist). */
export function getStaticRoute(engine: Engine, tier1Id: string, routeId: string): Data | undefined {
  const rec = engine.store.get(ROUTE_TYPE, routePath(tier1Id, routeId));
  return rec ? render(rec.data) : undefined;
}

/** The routes of one Tier-1 (all Tier-1s when omitted), in creation order. */
export function listStaticRoutes(engine: Engine, tier1Id?: string): Data[] {
  const parent = tier1Id === undefined ? undefined : tier1Path(tier1Id);
  const out: Data[] = [];
  for (const rec of engine.store.collection(ROUTE_TYPE).values()) {
    if (parent === undefined || rec.data.parent_path === parent) out.push(render(rec.data));
  }
  return out;
}

/** Every stored NSX object (Tier-1s then routes), as served: what the search walks. */
export function allPolicyObjects(engine: Engine): Data[] {
  return [...listTier1s(engine), ...listStaticRoutes(engine)];
}

// ---------------------------------------------------------------------------------------------
// Static route writes

/** PATCH: create or merge-update the route; returns the stored route. */
export function upsertStaticRoute(engine: Engine, tier1Id: string, routeId: string, body: unknown, opts: WriteOptions = {}): Data {
  requireTier1(engine, tier1Id);
  const fields = writableFields(body, ROUTE_FIELDS);
  const path = routePath(tier1Id, routeId);
  const old = engine.store.get(ROUTE_TYPE, path)?.data;
  const merged = old ? { ...userFields(old, ROUTE_FIELDS), ...fields } : fields;
  dropNulls(merged);
  const normalised = validateRoute(merged);
  return writeRoute(engine, tier1Id, routeId, normalised, old, opts);
}

/** PUT: create or replace the route; an existing one needs the current `_revision`. */
export function replaceStaticRoute(engine: Engine, tier1Id: string, routeId: string, body: unknown, opts: WriteOptions = {}): Data {
  requireTier1(engine, tier1Id);
  const fields = writableFields(body, ROUTE_FIELDS);
  const path = routePath(tier1Id, routeId);
  const old = engine.store.get(ROUTE_TYPE, path)?.data;
  if (old) checkRevision(path, old, body as Data);
  dropNulls(fields);
  const normalised = validateRoute(fields);
  return writeRoute(engine, tier1Id, routeId, normalised, old, opts, true);
}

/** DELETE: removes the route; true when there was one. A missing route is not an error. */
export function deleteStaticRoute(engine: Engine, tier1Id: string, routeId: string): boolean {
  requireTier1(engine, tier1Id);
  const path = routePath(tier1Id, routeId);
  const rec = engine.store.get(ROUTE_TYPE, path);
  if (!rec) return false;
  engine.store.remove(rec);
  engine.nsx.changedAt.delete(path);
  return true;
}

function writeRoute(
  engine: Engine,
  tier1Id: string,
  routeId: string,
  fields: Data,
  old: Data | undefined,
  opts: WriteOptions,
  replace = false,
): Data {
  const path = routePath(tier1Id, routeId);
  const parent = tier1Path(tier1Id);
  const content = { display_name: routeId, ...fields };
  if (old && !replace && sameJson(userFields(old, ROUTE_FIELDS), content)) return render(old);
  const data: Data = {
    uuid: path,
    ...content,
    id: routeId,
    resource_type: 'StaticRoutes',
    path,
    parent_path: parent,
    relative_path: routeId,
    marked_for_delete: false,
    overridden: false,
    ...serverFields(engine, old, opts),
  };
  engine.store.put(ROUTE_TYPE, data);
  engine.nsx.changedAt.set(path, Date.now());
  return render(data);
}

/** Checks and normalises a route's user fields (admin_distance defaults to 1). */
export function validateRoute(fields: Data): Data {
  const out: Data = { ...fields };
  if (out.network === undefined) throw nsxErrors.field('required property network is missing');
  if (typeof out.network !== 'string' || !isCidr(out.network)) throw nsxErrors.field(`network: invalid CIDR ${String(out.network)}`);
  if (out.next_hops === undefined) throw nsxErrors.field('required property next_hops is missing');
  if (!Array.isArray(out.next_hops)) throw nsxErrors.field('next_hops: must be an array');
  out.next_hops = out.next_hops.map((hop: unknown, i: number) => validateHop(hop, i));
  validateCommon(out);
  return out;
}

function validateHop(hop: unknown, i: number): Data {
  if (!isObject(hop)) throw nsxErrors.field(`next_hops[${i}]: must be an object`);
  for (const k of Object.keys(hop)) if (!['ip_address', 'admin_distance', 'scope'].includes(k)) throw nsxErrors.unknownProperty(k);
  const out: Data = { ...hop };
  if (out.ip_address !== undefined && out.ip_address !== null) {
    if (typeof out.ip_address !== 'string' || isIP(out.ip_address) === 0) {
      throw nsxErrors.field(`next_hops[${i}].ip_address: invalid IP address ${String(out.ip_address)}`);
    }
  } else delete out.ip_address;
  const d = out.admin_distance ?? 1;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 255) {
    throw nsxErrors.field(`next_hops[${i}].admin_distance: value ${String(d)} is out of range [1, 255]`);
  }
  out.admin_distance = d;
  if (out.scope !== undefined && out.scope !== null) {
    if (!Array.isArray(out.scope) || out.scope.length === 0) throw nsxErrors.field(`next_hops[${i}].scope: must be a non-empty array`);
    for (const p of out.scope) if (typeof p !== 'string' || !/^\/(global-)?infra\/./.test(p)) throw nsxErrors.badPath(String(p));
  } else delete out.scope;
  if (out.ip_address === undefined && out.scope === undefined) {
    throw nsxErrors.field(`next_hops[${i}]: ip_address or scope is required`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tier-1 writes

/** PATCH: create or merge-update the Tier-1; returns it. */
export function upsertTier1(engine: Engine, id: string, body: unknown, opts: WriteOptions = {}): Data {
  const fields = writableFields(body, TIER1_FIELDS);
  const path = tier1Path(id);
  const old = engine.store.get(TIER1_TYPE, path)?.data;
  const merged = old ? { ...userFields(old, TIER1_FIELDS), ...fields } : fields;
  dropNulls(merged);
  return writeTier1(engine, id, validateTier1(merged), old, opts);
}

/** PUT: create or replace the Tier-1; an existing one needs the current `_revision`. */
export function replaceTier1(engine: Engine, id: string, body: unknown, opts: WriteOptions = {}): Data {
  const fields = writableFields(body, TIER1_FIELDS);
  const path = tier1Path(id);
  const old = engine.store.get(TIER1_TYPE, path)?.data;
  if (old) checkRevision(path, old, body as Data);
  dropNulls(fields);
  return writeTier1(engine, id, validateTier1(fields), old, opts, true);
}

/** DELETE: removes the Tier-1 (true when there was one); refused while it has routes. */
export function deleteTier1(engine: Engine, id: string): boolean {
  const path = tier1Path(id);
  const rec = engine.store.get(TIER1_TYPE, path);
  if (!rec) return false;
  const children = listStaticRoutes(engine, id).map((r) => r.path as string);
  if (children.length) throw nsxErrors.hasChildren(path, children);
  engine.store.remove(rec);
  return true;
}

function validateTier1(fields: Data): Data {
  const out: Data = { failover_mode: 'NON_PREEMPTIVE', route_advertisement_types: [], ...fields };
  if (out.tier0_path !== undefined && (typeof out.tier0_path !== 'string' || !/^\/(global-)?infra\/tier-0s\/[^/]+$/.test(out.tier0_path))) {
    throw nsxErrors.badPath(String(out.tier0_path));
  }
  if (!['PREEMPTIVE', 'NON_PREEMPTIVE'].includes(out.failover_mode as string)) {
    throw nsxErrors.field(`failover_mode: invalid value ${String(out.failover_mode)}`);
  }
  const ads = out.route_advertisement_types;
  if (!Array.isArray(ads) || ads.some((a) => typeof a !== 'string')) throw nsxErrors.field('route_advertisement_types: must be an array of strings');
  validateCommon(out);
  return out;
}

function writeTier1(engine: Engine, id: string, fields: Data, old: Data | undefined, opts: WriteOptions, replace = false): Data {
  const path = tier1Path(id);
  const content = { display_name: id, ...fields };
  if (old && !replace && sameJson(userFields(old, TIER1_FIELDS), content)) return render(old);
  const data: Data = {
    uuid: path,
    ...content,
    id,
    resource_type: 'Tier1',
    path,
    parent_path: '/infra',
    relative_path: id,
    marked_for_delete: false,
    overridden: false,
    ...serverFields(engine, old, opts),
  };
  engine.store.put(TIER1_TYPE, data);
  return render(data);
}

// ---------------------------------------------------------------------------------------------
// Shared

function requireTier1(engine: Engine, tier1Id: string): void {
  if (!engine.store.get(TIER1_TYPE, tier1Path(tier1Id))) throw nsxErrors.notFound(tier1Path(tier1Id));
}

/** The body's writable fields; read-only ones clients echo back are dropped, unknown ones refused. */
function writableFields(body: unknown, allowed: Set<string>): Data {
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw nsxErrors.badJson('the body must be a JSON object');
  const out: Data = {};
  for (const [k, v] of Object.entries(body)) {
    if (READ_ONLY.has(k)) continue;
    if (!allowed.has(k)) throw nsxErrors.unknownProperty(k);
    if (k === 'children') continue;
    out[k] = v;
  }
  return out;
}

/** The stored user fields (what a PATCH merges onto). */
function userFields(data: Data, allowed: Set<string>): Data {
  const out: Data = {};
  for (const [k, v] of Object.entries(data)) if (allowed.has(k)) out[k] = v;
  return out;
}

function validateCommon(out: Data): void {
  if (out.display_name !== undefined && typeof out.display_name !== 'string') throw nsxErrors.field('display_name: must be a string');
  if (typeof out.display_name === 'string' && out.display_name.length > 255) throw nsxErrors.field('display_name: length must be at most 255');
  if (out.description !== undefined && typeof out.description !== 'string') throw nsxErrors.field('description: must be a string');
  if (out.tags !== undefined) {
    if (!Array.isArray(out.tags)) throw nsxErrors.field('tags: must be an array');
    // [inferred] 30 tags at most
    if (out.tags.length > 30) throw nsxErrors.field('tags has exceeded maximum size 30');
    out.tags = out.tags.map((t: unknown, i: number) => {
      if (!isObject(t)) throw nsxErrors.field(`tags[${i}]: must be an object`);
      for (const k of Object.keys(t)) if (k !== 'scope' && k !== 'tag') throw nsxErrors.unknownProperty(k);
      const scope = t.scope ?? '';
      const tag = t.tag ?? '';
      if (typeof scope !== 'string' || scope.length > 128) throw nsxErrors.field(`tags[${i}].scope: length must be at most 128`);
      if (typeof tag !== 'string' || tag.length > 256) throw nsxErrors.field(`tags[${i}].tag: length must be at most 256`);
      return { scope, tag };
    });
  }
}

function checkRevision(path: string, old: Data, body: Data | undefined): void {
  const rev = isObject(body) ? body._revision : undefined;
  if (rev === undefined || rev === null) throw nsxErrors.alreadyExists(path);
  if (rev !== old._revision) throw nsxErrors.stale(path);
}

function serverFields(engine: Engine, old: Data | undefined, opts: WriteOptions): Data {
  const now = Math.floor(engine.ids.nowMicros() / 1000);
  const user = opts.user ?? 'admin';
  return {
    _create_time: old ? old._create_time : now,
    _create_user: old ? old._create_user : user,
    _last_modified_time: now,
    _last_modified_user: user,
    _system_owned: false,
    _protection: 'NOT_PROTECTED',
    _revision: old ? (old._revision as number) + 1 : 0,
  };
}

/** The object as served: the store key (`uuid`) is not an NSX field. */
function render(data: Data): Data {
  const { uuid: _uuid, ...rest } = data;
  return rest;
}

function dropNulls(d: Data): void {
  for (const k of Object.keys(d)) if (d[k] === null) delete d[k];
}

function sameJson(a: Data, b: Data): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

function isObject(v: unknown): v is Data {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `a.b.c.d/n` (n ≤ 32) or `v6/n` (n ≤ 128). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export { NsxError };

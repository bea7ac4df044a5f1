/**
 * Read-only views of a scope for the inspector (and anyone with the control-plane token):
 *   GET /_mock/objects                       types with their object counts (?tenant=)
 *   GET /_mock/objects/<type>                a page of one type: uuid, name, tenant (?tenant= ?q= ?offset= ?limit=)
 *   GET /_mock/objects/<type>/<uuid>         one object as stored, its refs and its referrers, named
 *   GET /_mock/topology                      the system as a graph (server/mock/topology.ts; ?tenant= ?cloud=)
 *   GET /_mock/journal/<seq>                 one request with the objects it changed, before and after
 *   GET /_mock/scenarios                     the built-in scenarios POST /_mock/scenario loads
 * Nothing here writes. Secrets in objects are scrubbed as in the journal.
 */
import type { Rec, Store } from '../core/store.js';
import { Scrubber } from '../record/scrub.js';
import { builtinScenarios } from '../scenario/load.js';
import { decodeSegment } from '../http/routing.js';
import { MockError } from './errors.js';
import type { Scope } from './scopes.js';
import { topology } from './topology.js';

type Answer = { status?: number; body: unknown };

export const INSPECT_ENDPOINTS = [
  'GET /_mock/objects',
  'GET /_mock/objects/{type}',
  'GET /_mock/objects/{type}/{uuid}',
  'GET /_mock/topology',
  'GET /_mock/journal/{seq}',
  'GET /_mock/scenarios',
];

const MAX_PAGE = 1000;

/** The answer to a read-only inspector call, or undefined when `path` is none of them. */
export function inspect(method: string, path: string, query: URLSearchParams, scope: Scope): Answer | undefined {
  if (method !== 'GET') return undefined;
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  const store = scope.engine.store;
  const tenant = tenantFilter(store, query.get('tenant'));
  switch (parts[0]) {
    case 'objects':
      if (parts.length === 1) return { body: typeCounts(store, tenant) };
      if (parts.length === 2) return { body: listType(store, parts[1]!, tenant, query) };
      if (parts.length === 3) return { body: objectView(store, parts[1]!, parts[2]!) };
      return undefined;
    case 'topology':
      return parts.length === 1 ? { body: topology(scope.engine, tenant, query.get('cloud') ?? undefined) } : undefined;
    case 'journal': {
      if (parts.length !== 2) return undefined;
      const seq = Number(parts[1]);
      const entry = /^\d{1,15}$/.test(parts[1]!) ? scope.journal.detail(seq) : undefined;
      if (!entry) throw new MockError(404, `No journal entry ${parts[1]} (entries are kept while the journal holds them)`);
      return { body: entry };
    }
    case 'scenarios':
      return parts.length === 1 ? { body: { results: builtinScenarios(), current: scope.engine.scenario.name } } : undefined;
  }
  return undefined;
}

/** A tenant given by uuid or name → its uuid; undefined for all tenants. */
function tenantFilter(store: Store, raw: string | null): string | undefined {
  if (!raw || raw === '*') return undefined;
  if (store.get('tenant', raw)) return raw;
  for (const t of store.collection('tenant').values()) if (t.data.name === raw) return t.uuid;
  throw new MockError(404, `No tenant '${raw}'`);
}

export function nameOf(rec: Rec): string {
  const d = rec.data;
  return typeof d.name === 'string' ? d.name : typeof d.display_name === 'string' ? d.display_name : rec.uuid;
}

/** Objects without a tenant (global types, NSX objects) count in every tenant. */
function inTenant(rec: Rec, tenant: string | undefined): boolean {
  return tenant === undefined || typeof rec.data.tenant_ref !== 'string' || rec.data.tenant_ref === tenant;
}

function typeCounts(store: Store, tenant: string | undefined) {
  const types: Array<{ type: string; count: number }> = [];
  for (const type of store.types().sort()) {
    let count = 0;
    for (const rec of store.collection(type).values()) if (inTenant(rec, tenant)) count++;
    if (count) types.push({ type, count });
  }
  const tenants = [...store.collection('tenant').values()].map((t) => ({ uuid: t.uuid, name: nameOf(t) }));
  return { tenants, types, total: types.reduce((n, t) => n + t.count, 0) };
}

function whole(query: URLSearchParams, key: string, fallback: number, max: number): number {
  const raw = query.get(key);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new MockError(400, `${key} must be a whole number`);
  return Math.min(Number(raw), max);
}

function listType(store: Store, type: string, tenant: string | undefined, query: URLSearchParams) {
  const offset = whole(query, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = whole(query, 'limit', 100, MAX_PAGE);
  const q = (query.get('q') ?? '').toLowerCase();
  const results: Array<{ uuid: string; name: string; tenant?: string }> = [];
  let count = 0;
  for (const rec of store.collection(type).values()) {
    if (!inTenant(rec, tenant)) continue;
    const name = nameOf(rec);
    if (q && !name.toLowerCase().includes(q) && !rec.uuid.toLowerCase().includes(q)) continue;
    if (count >= offset && results.length < limit) {
      results.push({ uuid: rec.uuid, name, ...(typeof rec.data.tenant_ref === 'string' ? { tenant: rec.data.tenant_ref } : {}) });
    }
    count++;
  }
  return { type, count, offset, results };
}

function named(store: Store, key: string) {
  const i = key.indexOf('/');
  const type = key.slice(0, i);
  const uuid = key.slice(i + 1);
  const rec = store.get(type, uuid);
  return { type, uuid, name: rec ? nameOf(rec) : undefined };
}

function objectView(store: Store, type: string, uuid: string) {
  const rec = store.get(type, uuid);
  if (!rec) throw new MockError(404, `No ${type} '${uuid}'`);
  const referredBy = [...store.referrers(type, uuid)].map((r) => ({ type: r.type, uuid: r.uuid, name: nameOf(r) }));
  return {
    type,
    uuid,
    name: nameOf(rec),
    ...(rec.protected ? { system_default: true } : {}),
    data: new Scrubber().json(rec.data, type),
    refs: [...rec.refs].map((k) => named(store, k)),
    referred_by: referredBy,
  };
}

/**
 * GET /api/<type>: the collection filters of the controller's query language, projection,
 * sorting and pagination. Unknown parameters are ignored, as the controller does.
 */
import type { Rec } from '../core/store.js';
import { refKey } from '../core/store.js';
import type { Ctx, ObjectService } from './objects.js';
import { own } from '../core/json-safety.js';
import { isObject, stripDefaults } from './shape-ops.js';
import { runtimeSubresources } from './placement.js';

export const DEFAULT_PAGE_SIZE = 25;

/** One page of a collection: the matching records on it, the total and the next page's URL. */
export interface Page {
  count: number;
  next?: string;
  records: Rec[];
}

/** The collection envelope, serialised: results are the objects' cached renderings. */
export interface ListResult {
  count: number;
  next?: string;
  json: string;
}

type Filter = (rec: Rec) => boolean;

/** `include_name` counts as true when present with any value but `false`. */
export function flagParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v.toLowerCase() !== 'false';
}

const list = (v: string | null) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function listObjects(
  svc: ObjectService,
  type: string,
  q: URLSearchParams,
  rawQuery: string,
  ctx: Ctx,
): ListResult {
  const { count, next, records } = selectPage(svc, type, q, rawQuery, ctx);
  const view = readView(q);
  const results = records.map((rec) => renderRead(svc, rec, ctx, view));
  const tail = next === undefined ? '' : `,"next":${JSON.stringify(next)}`;
  return { count, next, json: `{"count":${count},"results":[${results.join(',')}]${tail}}` };
}

/** Filters, sorting and paging of GET /api/<type>, without rendering. */
export function selectPage(
  svc: ObjectService,
  type: string,
  q: URLSearchParams,
  rawQuery: string,
  ctx: Ctx,
): Page {
  const info = svc.info(type);
  const shape = svc.catalog.shapeOf(type);
  const excluded = new Set(list(q.get('exclude')));
  const filters: Filter[] = [];
  const add = (param: string, f: Filter) => filters.push(excluded.has(param) ? (r) => !f(r) : f);
  const name = (r: Rec) => (typeof r.data.name === 'string' ? r.data.name : '');

  let candidates: Iterable<Rec> = svc.store.collection(type).values();
  const exact = q.get('name');
  if (exact !== null) {
    // O(1): the name index holds the request tenant's and admin's objects of that name.
    if (!excluded.has('name') && !info.tenantScoped) candidates = svc.store.byName(type, '', exact);
    else if (!excluded.has('name') && ctx.tenant !== '*') {
      candidates = [...new Set([...svc.store.byName(type, ctx.tenant, exact), ...svc.store.byName(type, 'admin', exact)])];
    }
    add('name', (r) => name(r) === exact);
  }
  const contains = q.get('name.contains');
  if (contains !== null) add('name.contains', (r) => name(r).includes(contains));
  const icontains = q.get('name.icontains');
  if (icontains !== null) add('name.icontains', (r) => name(r).toLowerCase().includes(icontains.toLowerCase()));
  if (q.has('name.in')) {
    const names = new Set(list(q.get('name.in')));
    add('name.in', (r) => names.has(name(r)));
  }
  if (q.has('uuid.in')) {
    const uuids = new Set(list(q.get('uuid.in')));
    add('uuid.in', (r) => uuids.has(r.uuid));
  }
  if (q.has('uuid')) {
    const uuid = q.get('uuid');
    add('uuid', (r) => r.uuid === uuid);
  }
  const cloudUuid = q.get('cloud_uuid');
  if (cloudUuid !== null) add('cloud_uuid', (r) => r.data.cloud_ref === cloudUuid);
  const createdBy = q.get('created_by');
  if (createdBy !== null) add('created_by', (r) => r.data.created_by === createdBy);
  const labelKey = q.get('label_key');
  if (labelKey !== null) {
    const labelValue = q.get('label_value');
    add('label_key', (r) => hasMarker(r.data.markers, labelKey, labelValue));
  }
  const refersTo = q.get('refers_to');
  if (refersTo !== null) {
    const [t, u] = splitTypeUuid(refersTo);
    add('refers_to', (r) => r.refs.has(refKey(t, u)));
  }
  const referredBy = q.get('referred_by');
  if (referredBy !== null) {
    const [t, u] = splitTypeUuid(referredBy);
    const source = svc.store.get(t, u);
    add('referred_by', (r) => source !== undefined && source.refs.has(refKey(type, r.uuid)));
  }
  // <ref field>.name / <ref field>.uuid, for every reference field of the type.
  for (const [param, value] of q) {
    const m = /^(.+)\.(name|uuid)$/.exec(param);
    if (!m || m[1] === 'name' || m[1] === 'uuid') continue;
    const field = shape.fields.get(m[1]!);
    if (!field?.ref) continue;
    const target = field.ref;
    const byName = m[2] === 'name';
    add(param, (r) => {
      const v = r.data[field.name];
      const uuids = Array.isArray(v) ? v : [v];
      return uuids.some((u) => {
        if (typeof u !== 'string') return false;
        if (!byName) return u === value;
        const t = svc.store.get(target, u);
        return t !== undefined && t.data.name === value;
      });
    });
  }
  for (const param of ['search', 'isearch'] as const) {
    const s = q.get(param);
    if (s === null) continue;
    const m = /^\(?([^,]+),(.*?)\)?$/.exec(s);
    if (!m) continue;
    const [, field, needle] = m;
    const ci = param === 'isearch';
    add(param, (r) => {
      const v = own(r.data, field!.trim());
      if (v === undefined || isObject(v)) return false;
      const hay = String(v);
      return ci ? hay.toLowerCase().includes(needle!.toLowerCase()) : hay.includes(needle!);
    });
  }

  let matches: Rec[] = [];
  for (const rec of candidates) {
    if (!svc.visible(rec, ctx)) continue;
    if (filters.every((f) => f(rec))) matches.push(rec);
  }
  const sort = q.get('sort');
  if (sort) matches = sortBy(matches, sort);

  const limitBy = Number(q.get('limit_by'));
  if (Number.isInteger(limitBy) && limitBy > 0) matches = matches.slice(0, limitBy);

  const pageSize = positiveInt(q.get('page_size'), DEFAULT_PAGE_SIZE);
  const page = positiveInt(q.get('page'), 1);
  const start = (page - 1) * pageSize;
  const records = matches.slice(start, start + pageSize);
  const count = matches.length;
  // `next` only while another page exists: absent, not empty, on the last one.
  const next = start + pageSize < count ? nextUrl(ctx.base, type, rawQuery, page + 1) : undefined;
  return { count, next, records };
}

/** How a read asks objects to be shown: the parameters GET one and GET collection share. */
export interface ReadView {
  includeName: boolean;
  skipDefault: boolean;
  /** `fields=a,b` projection (name, url and uuid always kept) */
  fields?: Set<string>;
  /** `join_subresources=runtime` adds the object's runtime (and a VS's `vip_runtime`) */
  joinRuntime: boolean;
}

export function readView(q: URLSearchParams): ReadView {
  return {
    includeName: flagParam(q, 'include_name'),
    skipDefault: flagParam(q, 'skip_default'),
    fields: q.has('fields') ? new Set([...list(q.get('fields')), 'name', 'url', 'uuid']) : undefined,
    joinRuntime: list(q.get('join_subresources')).includes('runtime'),
  };
}

/** One object as a read shows it, serialised (the cached rendering when nothing changes it). */
export function renderRead(svc: ObjectService, rec: Rec, ctx: Ctx, view: ReadView): string {
  const { includeName, skipDefault, fields, joinRuntime } = view;
  if (!skipDefault && !fields && !joinRuntime) return svc.renderJson(rec, ctx, includeName);
  let out = svc.render(rec, ctx, includeName);
  if (skipDefault) out = stripDefaults(out, svc.catalog.shapeOf(rec.type));
  if (fields) out = Object.fromEntries(Object.entries(out).filter(([k]) => fields.has(k)));
  if (joinRuntime) Object.assign(out, runtimeSubresources(svc, rec, ctx, includeName));
  return JSON.stringify(out);
}

/** `next` keeps every original parameter as the client wrote it, with `page` set. */
export function nextUrl(base: string, type: string, rawQuery: string, page: number): string {
  const kept = rawQuery
    .split('&')
    .filter((p) => p !== '' && !/^page=/.test(p));
  kept.push(`page=${page}`);
  return `${base}/api/${type}?${kept.join('&')}`;
}

function positiveInt(v: string | null, fallback: number): number {
  const n = Number(v);
  return v !== null && Number.isInteger(n) && n > 0 ? n : fallback;
}

function splitTypeUuid(v: string): [string, string] {
  const i = v.indexOf(':');
  return i < 0 ? ['', v] : [v.slice(0, i), v.slice(i + 1)];
}

function hasMarker(markers: unknown, key: string, value: string | null): boolean {
  if (!Array.isArray(markers)) return false;
  return markers.some(
    (m) => isObject(m) && m.key === key && (value === null || (Array.isArray(m.values) && m.values.includes(value))),
  );
}

function sortBy(recs: Rec[], sort: string): Rec[] {
  const keys = list(sort).map((k) => (k.startsWith('-') ? { field: k.slice(1), dir: -1 } : { field: k, dir: 1 }));
  return [...recs].sort((a, b) => {
    for (const { field, dir } of keys) {
      const av = own(a.data, field);
      const bv = own(b.data, field);
      if (av === bv) continue;
      if (av === undefined) return dir;
      if (bv === undefined) return -dir;
      return (typeof av === 'number' && typeof bv === 'number' ? av - bv : String(av).localeCompare(String(bv))) * dir;
    }
    return 0;
  });
}

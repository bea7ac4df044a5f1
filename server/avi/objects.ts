/**
 * Generic Avi object semantics on top of the store: what a create, a full replace, a PATCH and a
 * delete mean for any type in the document. Per-type behaviour (IPAM, VRF routes, ...) hooks in
 * around these; nothing here knows a type by name except the cloud default.
 */
import type { Catalog, Shape, TypeInfo } from '../core/catalog.js';
import { isAddressableUuid, type Ids } from '../core/ids.js';
import { type Data, type Rec, type Store, tenantOf } from '../core/store.js';
import { AviError, errors } from './errors.js';
import { parseRefInput, renderRef } from './refs.js';
import { cleanInput, fillDefaults, isObject, mapRefs } from './shape-ops.js';
import { validate } from './validate.js';
import { checkIntroduced, isNewer, stripNewer, type Version } from './versions.js';
import { applyPatch } from './patch.js';
import type { Behaviours } from './behaviour.js';

export const ADMIN_TENANT = 'admin';
export const ALL_TENANTS = '*';

/**
 * Admin-tenant objects are shared: every tenant reads them and refers to them (by uuid or by
 * name), as a controller shares its admin profiles, certificates, health monitors, groups,
 * scripts and cloud infrastructure. Only the objects an application is built of stay admin's
 * own; a tenant writes none of admin's objects (`getWritable`).
 */
const ADMIN_ONLY = new Set([
  'virtualservice',
  'vsvip',
  'pool',
  'poolgroup',
  'httppolicyset',
  'l4policyset',
  'networksecuritypolicy',
  'dnspolicy',
  'securitypolicy',
  'gslbservice',
]);

/** How many rendered objects are kept (about 1.5 KB each for a pool). */
const RENDER_CACHE_SIZE = 5000;

export interface Ctx {
  /** tenant uuid, or `*` (reads across tenants) */
  tenant: string;
  /** scheme and host the client used, e.g. `https://10.0.0.1`; refs and urls are rendered with it */
  base: string;
  /** `X-Avi-Version` when sent: newer fields are refused in bodies and left out of answers */
  version?: Version;
  /** the request's query, for answers that depend on a parameter (a certificate's `export_key`) */
  query?: URLSearchParams;
  /** with tenant `*`: the tenants the caller may read (all when absent) */
  readable?: ReadonlySet<string>;
}

interface Scope {
  tenant: string;
  cloud?: string;
}

export class ObjectService {
  /** rendered JSON per stored version; `variant` = include_name, API version and base URL */
  private readonly rendered = new Map<Data, { variant: string; epoch: number; json: string }>();

  /** per-type behaviour beyond storing (server/avi/types/) */
  readonly behaviours: Behaviours;

  /** `behaviours` makes the per-type behaviour of this service (server/avi/types/index.ts). */
  constructor(
    readonly catalog: Catalog,
    readonly store: Store,
    readonly ids: Ids,
    behaviours: (svc: ObjectService) => Behaviours = () => ({}),
  ) {
    this.behaviours = behaviours(this);
  }

  info(type: string): TypeInfo {
    return this.store.info(type);
  }

  // ---- reads -------------------------------------------------------------------------------

  visible(rec: Rec, ctx: Ctx): boolean {
    const t = tenantOf(rec.data);
    if (!t || t === ctx.tenant) return true;
    if (ctx.tenant === ALL_TENANTS) return !ctx.readable || ctx.readable.has(t);
    return t === ADMIN_TENANT && (rec.protected === true || !ADMIN_ONLY.has(rec.type));
  }

  getOne(type: string, uuid: string, ctx: Ctx): Rec {
    const rec = this.store.get(type, uuid);
    if (!rec || !this.visible(rec, ctx)) throw errors.objectNotFound(this.info(type).model);
    return rec;
  }

  /**
   * An object the request may change: its own tenant's (admin's shared objects are readable
   * from other tenants, not writable; `*` writes as admin). Otherwise not found, as a read
   * from that tenant would have found nothing to change.
   */
  getWritable(type: string, uuid: string, ctx: Ctx): Rec {
    const rec = this.store.get(type, uuid);
    const t = rec ? tenantOf(rec.data) : '';
    if (!rec || (t && t !== this.writeTenant(ctx))) throw errors.objectNotFound(this.info(type).model);
    return rec;
  }

  /** The object as clients see it: refs and url as URLs, `#name` appended when asked. */
  render(rec: Rec, ctx: Ctx, includeName: boolean): Data {
    const shape = this.catalog.shapeOf(rec.type);
    let out = mapRefs(rec.data, shape, (uuid, type) => this.renderRef(ctx.base, type, uuid, includeName));
    if (ctx.version) out = stripNewer(out, shape, ctx.version);
    const url = renderRef(ctx.base, rec.type, rec.uuid, includeName ? this.nameOf(rec) : undefined);
    const rendered = { url, ...out };
    this.behaviours[rec.type]?.renderExtras?.(rec, rendered, this, ctx, includeName);
    return rendered;
  }

  /**
   * `render` serialised, cached per stored version: stored data is never mutated in place, so
   * the text stays valid until the object is written again, the request's host differs, or
   * some object's name changes (which can change a `#name`).
   */
  renderJson(rec: Rec, ctx: Ctx, includeName: boolean): string {
    if (this.behaviours[rec.type]?.renderExtras) return JSON.stringify(this.render(rec, ctx, includeName));
    const variant = `${includeName ? '#' : ''}${ctx.version?.join('.') ?? ''}@${ctx.base}`;
    const hit = this.rendered.get(rec.data);
    if (hit && hit.variant === variant && hit.epoch === this.store.renameEpoch) return hit.json;
    const json = JSON.stringify(this.render(rec, ctx, includeName));
    // Bounded (oldest entry out first) so a large store does not keep a second copy of itself.
    if (this.rendered.size >= RENDER_CACHE_SIZE) this.rendered.delete(this.rendered.keys().next().value!);
    this.rendered.set(rec.data, { variant, epoch: this.store.renameEpoch, json });
    return json;
  }

  renderRef(base: string, type: string, uuid: string, includeName: boolean): string {
    if (!includeName) return renderRef(base, type, uuid, undefined);
    const target = this.store.get(type, uuid);
    return renderRef(base, type, uuid, target ? this.nameOf(target) : undefined);
  }

  nameOf(rec: Rec): string {
    return typeof rec.data.name === 'string' ? rec.data.name : rec.uuid;
  }

  // ---- writes ------------------------------------------------------------------------------

  create(type: string, body: unknown, ctx: Ctx, opts: { slug?: string; protected?: boolean } = {}): Rec {
    const info = this.info(type);
    const input = this.bodyObject(body);
    const uuid = this.newUuid(info, input, opts.slug);
    if (this.store.get(type, uuid)) throw errors.duplicateUuid(info.model, uuid);
    const data = this.prepare(info, input, ctx, undefined, true);
    return this.commitWrite(info, { uuid, ...data }, undefined, ctx, opts.protected);
  }

  replace(type: string, uuid: string, body: unknown, ctx: Ctx): Rec {
    const info = this.info(type);
    const existing = this.getWritable(type, uuid, ctx);
    const input = this.bodyObject(body);
    this.checkFresh(info, existing, input._last_modified);
    const data = this.prepare(info, input, ctx, existing, true);
    return this.commitWrite(info, { uuid, ...data }, existing, ctx);
  }

  patch(type: string, uuid: string, body: unknown, ctx: Ctx): Rec {
    const info = this.info(type);
    const existing = this.getWritable(type, uuid, ctx);
    const ops = this.bodyObject(body);
    this.checkFresh(info, existing, ops._last_modified ?? lastModifiedInside(ops));
    const shape = this.catalog.shapeOf(type);
    if (ctx.version) {
      // Only what the client sends is gated: the object it patches may hold newer fields.
      for (const k of ['add', 'replace', 'delete']) if (isObject(ops[k])) checkIntroduced(ops[k], shape, ctx.version);
    }
    // PATCH works on the object as a client would PUT it back (refs as paths), then goes down
    // the same path as a PUT, so validation, refs and defaults cannot differ between the two.
    const current = this.render(existing, { tenant: ctx.tenant, base: '' }, false);
    const resolveForMatch = (entry: Data, entryShape: Shape) => {
      return mapRefs(cleanInput(entry, entryShape), entryShape, (v, t) => {
        const uuid = this.tryResolve(t, v, this.scopeOf(info, existing.data, ctx));
        return uuid ? `/api/${t}/${uuid}` : v;
      });
    };
    const next = applyPatch(current, ops, shape, resolveForMatch);
    const data = this.prepare(info, next, ctx, existing, false);
    return this.commitWrite(info, { uuid, ...data }, existing, ctx);
  }

  remove(type: string, uuid: string, ctx: Ctx): void {
    const rec = this.getWritable(type, uuid, ctx);
    if (rec.protected) throw errors.systemDefault();
    const behaviour = this.behaviours[type];
    behaviour?.beforeRemove?.(rec, this, ctx);
    const dependents = behaviour?.dependents?.(rec, this) ?? [];
    const going = new Set([rec, ...dependents]);
    // every referrer of what goes, each once with the targets it refers to, in creation order
    const referrers = new Map<Rec, Rec[]>();
    for (const target of going) {
      for (const r of this.store.referrers(target.type, target.uuid)) {
        if (going.has(r)) continue;
        const targets = referrers.get(r);
        if (targets) targets.push(target);
        else referrers.set(r, [target]);
      }
    }
    const blocking: Rec[] = [];
    const releases: Array<() => void> = [];
    for (const [r, targets] of referrers) {
      const release = this.behaviours[r.type]?.releaseRefs?.(r, targets, this);
      if (release) releases.push(release);
      else blocking.push(r);
    }
    if (blocking.length) {
      throw errors.referredBy(blocking.map((r) => `${this.info(r.type).model} ${this.nameOf(r)}`));
    }
    for (const release of releases) release();
    for (const dep of dependents) this.store.remove(dep);
    this.store.remove(rec);
    behaviour?.afterRemove?.(rec, this, ctx);
  }

  /**
   * A change the controller makes to a stored object by itself (no client body, so nothing to
   * clean, validate or resolve): `data` in the stored form, stamped and stored.
   */
  rewrite(rec: Rec, data: Data): Rec {
    return this.store.put(rec.type, { ...data, uuid: rec.uuid, _last_modified: this.store.tick(this.ids.nowMicros()) });
  }

  // ---- the shared write path -----------------------------------------------------------------

  /** The `Slug` header's uuid, else the body's, else a generated one; a chosen one must be addressable. */
  private newUuid(info: TypeInfo, input: Data, slug: string | undefined): string {
    if (slug) {
      if (!isAddressableUuid(slug)) throw errors.badUuid("header 'Slug'");
      return slug;
    }
    const sent = input.uuid;
    if (sent !== undefined && sent !== null && sent !== '') {
      if (typeof sent !== 'string' || !isAddressableUuid(sent)) throw errors.badUuid("field 'uuid'");
      return sent;
    }
    return `${info.uuidPrefix}-${this.ids.uuid4()}`;
  }

  private bodyObject(body: unknown): Data {
    if (!isObject(body)) throw errors.invalid('Invalid data: request body must be a JSON object');
    return body;
  }

  private checkFresh(info: TypeInfo, existing: Rec, sent: unknown): void {
    if (sent === undefined || sent === null) return;
    if (String(sent) !== existing.data._last_modified) throw errors.concurrentUpdate(info.model);
  }

  /**
   * Client body → canonical stored data (without uuid): unknown fields dropped, validated,
   * tenant and cloud decided, every ref resolved to a uuid, defaults filled.
   */
  private prepare(info: TypeInfo, input: Data, ctx: Ctx, existing: Rec | undefined, gate: boolean): Data {
    const shape = this.catalog.shape(info.schema);
    let data = cleanInput(input, shape);
    delete data.uuid; // the uuid is the path's (or the Slug's), never the body's on a write
    if (gate && ctx.version) {
      checkIntroduced(data, shape, ctx.version);
      // A client of an older version cannot send fields it does not know: a PUT keeps them.
      if (existing) keepNewerFields(data, existing.data, shape, ctx.version);
    }
    this.behaviours[info.type]?.normalizeInput?.(data, existing, this, ctx);
    validate(data, shape);
    if (info.tenantScoped) {
      data.tenant_ref = data.tenant_ref !== undefined
        ? this.resolve('tenant', String(data.tenant_ref), { tenant: ADMIN_TENANT })
        : existing ? tenantOf(existing.data) : this.writeTenant(ctx);
    }
    const scope: Scope = { tenant: tenantOf(data) || ADMIN_TENANT };
    if (info.cloudScoped) {
      data.cloud_ref = data.cloud_ref !== undefined
        ? this.resolve('cloud', String(data.cloud_ref), scope)
        : this.defaultCloud();
      if (data.cloud_ref === undefined) delete data.cloud_ref;
      scope.cloud = data.cloud_ref as string | undefined;
    }
    data = mapRefs(data, shape, (value, type) => this.resolve(type, value, scope));
    fillDefaults(data, shape, this.behaviours[info.type]?.fills);
    return data;
  }

  /** Type behaviour, uniqueness, stamp, store: the end every write shares. */
  private commitWrite(info: TypeInfo, data: Data, existing: Rec | undefined, ctx: Ctx, protect?: boolean): Rec {
    const behaviour = this.behaviours[info.type];
    behaviour?.beforeWrite?.({ svc: this, info, data, existing, ctx });
    this.finish(info, data);
    const previous = existing?.data;
    const rec = this.store.put(info.type, data, protect === undefined ? {} : { protected: protect });
    behaviour?.afterWrite?.(rec, previous, this, ctx);
    return rec;
  }

  /** Name uniqueness and the write stamp, the last steps before the store takes the object. */
  private finish(info: TypeInfo, data: Data): void {
    if (typeof data.name === 'string') {
      for (const other of this.store.byName(info.type, tenantOf(data), data.name)) {
        if (other.uuid === data.uuid) continue;
        if (info.cloudScoped && other.data.cloud_ref !== data.cloud_ref) continue;
        throw errors.duplicateName(info.model, info.cloudScoped, info.tenantScoped);
      }
    }
    data._last_modified = this.store.tick(this.ids.nowMicros());
  }

  private writeTenant(ctx: Ctx): string {
    return ctx.tenant === ALL_TENANTS ? ADMIN_TENANT : ctx.tenant;
  }

  defaultCloud(): string | undefined {
    for (const rec of this.store.byName('cloud', ADMIN_TENANT, 'Default-Cloud')) return rec.uuid;
    return undefined;
  }

  private scopeOf(info: TypeInfo, data: Data, ctx: Ctx): Scope {
    return {
      tenant: tenantOf(data) || this.writeTenant(ctx),
      cloud: info.cloudScoped && typeof data.cloud_ref === 'string' ? data.cloud_ref : undefined,
    };
  }

  /** A ref in any accepted form → the target's uuid, or the controller's 400. */
  resolve(type: string, value: string, scope: Scope): string {
    if (!this.catalog.typeInfo(type)) return value; // a target we do not store: keep as sent
    const uuid = this.tryResolve(type, value, scope);
    if (uuid === undefined) throw errors.refNotFound(this.info(type).model);
    return uuid;
  }

  tryResolve(type: string, value: string, scope: Scope): string | undefined {
    const ref = parseRefInput(value);
    if (ref.type !== undefined && ref.type !== type) return undefined;
    if (ref.name !== undefined) return this.lookupByName(type, ref.name, scope)?.uuid;
    if (!ref.uuid) return undefined;
    const rec = this.store.get(type, ref.uuid);
    if (!rec || !this.visible(rec, { tenant: scope.tenant, base: '' })) return undefined;
    return rec.uuid;
  }

  /** Request tenant first, then admin; cloud-scoped types prefer the referrer's cloud. */
  lookupByName(type: string, name: string, scope: Scope): Rec | undefined {
    const info = this.info(type);
    const tenants = info.tenantScoped ? [scope.tenant, ADMIN_TENANT] : [''];
    let fallback: Rec | undefined;
    for (const tenant of tenants) {
      for (const rec of this.store.byName(type, tenant, name)) {
        if (tenant !== scope.tenant && !this.visible(rec, { tenant: scope.tenant, base: '' })) continue;
        if (!info.cloudScoped || scope.cloud === undefined || rec.data.cloud_ref === scope.cloud) return rec;
        fallback ??= rec;
      }
    }
    return fallback;
  }
}

/** Top-level fields introduced after `version` that the body lacks keep their stored value. */
function keepNewerFields(data: Data, stored: Data, shape: Shape, version: Version): void {
  for (const [key, value] of Object.entries(stored)) {
    if (data[key] !== undefined) continue;
    const introduced = shape.fields.get(key)?.introduced;
    if (introduced && isNewer(introduced, version)) data[key] = value;
  }
}

/** PATCH bodies may carry `_last_modified` inside `add`/`replace` rather than at the top. */
function lastModifiedInside(ops: Data): unknown {
  for (const k of ['replace', 'add']) {
    const part = ops[k];
    if (isObject(part) && part._last_modified !== undefined) return part._last_modified;
  }
  return undefined;
}

export { AviError };

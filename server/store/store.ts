/**
 * The store is the only place state lives. It keeps one collection per object type (a Map, so
 * iteration is creation order), a name index per (type, tenant, name) and a back-reference
 * index, so that lookups by uuid or name and the "is it referenced?" check are O(1) and no write
 * scans a collection. It knows nothing of HTTP or of Avi's error texts: the object service on
 * top of it (server/avi/objects.ts) decides what a write means.
 */
import type { Catalog, TypeInfo } from '../spec/catalog.js';
import { forEachRef } from '../avi/shape-ops.js';

export type Data = Record<string, unknown>;

export interface Rec {
  readonly type: string;
  readonly uuid: string;
  /**
   * canonical stored form: refs are bare uuids, defaults filled. Never mutated in place: a
   * write replaces the object, so renderings and serialisations of it can be cached.
   */
  data: Data;
  /** outgoing references as `type/uuid` keys */
  refs: Set<string>;
  /** system-default objects cannot be deleted */
  protected?: boolean;
}

export interface Snapshot {
  format: 'avisim-state';
  version: 1;
  clock: number;
  objects: Array<{ type: string; protected?: boolean; data: Data }>;
}

/** What changed, for listeners such as persistence (its journal). */
export type Change = { op: 'put'; rec: Rec } | { op: 'remove'; rec: Rec } | { op: 'restore' };

export const refKey = (type: string, uuid: string) => `${type}/${uuid}`;
const nameKey = (type: string, tenant: string, name: string) => `${type}\u0000${tenant}\u0000${name}`;

export function tenantOf(data: Data): string {
  return typeof data.tenant_ref === 'string' ? data.tenant_ref : '';
}

export class Store {
  private readonly collections = new Map<string, Map<string, Rec>>();
  private readonly names = new Map<string, Set<Rec>>();
  /** target `type/uuid` → the records that refer to it */
  private readonly backrefs = new Map<string, Set<Rec>>();
  /** bumped whenever a name changes, so cached renderings that show `#name` can be dropped */
  renameEpoch = 0;
  /** last `_last_modified` handed out, in microseconds */
  clock = 0;
  /** called after every put and remove (not during restore: listeners rebuild from `all()`) */
  private readonly listeners = new Set<(change: Change) => void>();
  private muted = false;

  constructor(readonly catalog: Catalog) {}

  /** Calls `fn` after every change; returns the function that stops it. */
  subscribe(fn: (change: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(change: Change): void {
    if (this.muted) return;
    for (const fn of this.listeners) fn(change);
  }

  collection(type: string): Map<string, Rec> {
    let c = this.collections.get(type);
    if (!c) this.collections.set(type, (c = new Map()));
    return c;
  }

  get(type: string, uuid: string): Rec | undefined {
    return this.collections.get(type)?.get(uuid);
  }

  /** Records of `type` named `name` in `tenant` (a handful at most: one per cloud). */
  byName(type: string, tenant: string, name: string): Iterable<Rec> {
    return this.names.get(nameKey(type, tenant, name)) ?? [];
  }

  referrers(type: string, uuid: string): Iterable<Rec> {
    return this.backrefs.get(refKey(type, uuid)) ?? [];
  }

  isReferenced(type: string, uuid: string): boolean {
    return (this.backrefs.get(refKey(type, uuid))?.size ?? 0) > 0;
  }

  /** Strictly increasing microsecond timestamps, as 16-digit strings. */
  tick(nowMicros: number): string {
    this.clock = Math.max(nowMicros, this.clock + 1);
    return String(this.clock);
  }

  info(type: string): TypeInfo {
    const info = this.catalog.typeInfo(type);
    if (!info) throw new Error(`unknown type ${type}`);
    return info;
  }

  /** Adds or replaces the record with `data`, keeping indexes in step. */
  put(type: string, data: Data, opts: { protected?: boolean } = {}): Rec {
    const uuid = data.uuid as string;
    const coll = this.collection(type);
    const old = coll.get(uuid);
    const refs = this.refsOf(type, data);
    if (old) {
      this.unindexName(old);
      // Only changed refs are unlinked/linked, so an update keeps the referrer's place in the
      // back-reference sets (the 403 "referred by" list stays in creation order).
      const before = old.refs;
      this.unlinkRefs(old, [...before].filter((k) => !refs.has(k)));
      this.linkRefs(old, [...refs].filter((k) => !before.has(k)));
      if (old.data.name !== data.name) this.renameEpoch++;
      old.data = data;
      old.refs = refs;
      if (opts.protected !== undefined) old.protected = opts.protected;
      this.indexName(old);
      this.emit({ op: 'put', rec: old });
      return old;
    }
    const rec: Rec = { type, uuid, data, refs };
    if (opts.protected) rec.protected = true;
    coll.set(uuid, rec);
    this.indexName(rec);
    this.linkRefs(rec);
    this.emit({ op: 'put', rec });
    return rec;
  }

  remove(rec: Rec): void {
    this.collections.get(rec.type)?.delete(rec.uuid);
    this.unindexName(rec);
    this.unlinkRefs(rec);
    this.renameEpoch++;
    this.emit({ op: 'remove', rec });
  }

  clear(): void {
    this.collections.clear();
    this.names.clear();
    this.backrefs.clear();
    this.renameEpoch++;
  }

  snapshot(): Snapshot {
    const objects: Snapshot['objects'] = [];
    for (const [type, coll] of this.collections) {
      for (const rec of coll.values()) {
        objects.push(rec.protected ? { type, protected: true, data: rec.data } : { type, data: rec.data });
      }
    }
    return { format: 'avisim-state', version: 1, clock: this.clock, objects };
  }

  restore(snapshot: Snapshot): void {
    this.muted = true;
    try {
      this.clear();
      for (const o of snapshot.objects) this.put(o.type, o.data, { protected: o.protected });
      this.clock = snapshot.clock;
    } finally {
      this.muted = false;
    }
    this.emit({ op: 'restore' });
  }

  private refsOf(type: string, data: Data): Set<string> {
    const refs = new Set<string>();
    // Types outside the Avi document (the NSX-T stub's) hold no Avi references.
    if (!this.catalog.typeInfo(type)) return refs;
    forEachRef(data, this.catalog.shapeOf(type), (uuid, target) => refs.add(refKey(target, uuid)));
    return refs;
  }

  private indexName(rec: Rec): void {
    if (typeof rec.data.name !== 'string') return;
    const key = nameKey(rec.type, tenantOf(rec.data), rec.data.name);
    let set = this.names.get(key);
    if (!set) this.names.set(key, (set = new Set()));
    set.add(rec);
  }

  private unindexName(rec: Rec): void {
    if (typeof rec.data.name !== 'string') return;
    const key = nameKey(rec.type, tenantOf(rec.data), rec.data.name);
    const set = this.names.get(key);
    set?.delete(rec);
    if (set && set.size === 0) this.names.delete(key);
  }

  private linkRefs(rec: Rec, keys: Iterable<string> = rec.refs): void {
    for (const key of keys) {
      let set = this.backrefs.get(key);
      if (!set) this.backrefs.set(key, (set = new Set()));
      set.add(rec);
    }
  }

  private unlinkRefs(rec: Rec, keys: Iterable<string> = rec.refs): void {
    for (const key of keys) {
      const set = this.backrefs.get(key);
      if (!set) continue;
      set.delete(rec);
      if (set.size === 0) this.backrefs.delete(key);
    }
  }
}

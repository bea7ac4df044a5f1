/**
 * The store is the only place state lives. It keeps one collection per object type (a Map, so
 * iteration is creation order), a name index per (type, tenant, name) and a back-reference
 * index, so that lookups by uuid or name and the "is it referenced?" check are O(1) and no write
 * scans a collection. It knows nothing of HTTP or of Avi's error texts: the object service on
 * top of it (server/avi/objects.ts) decides what a write means.
 *
 * A store can be a fork of a frozen parent (the loaded scenario's baseline): forking costs the
 * same whatever the parent holds. A fork reads through to its parent and copies a collection the
 * first time it uses it, and a name or back-reference set the first time it changes it; a record
 * it inherited is replaced by its own copy on its first write, never changed in place. Sandboxes
 * and reset-to-scenario are forks. Nothing may write to a store once it has been forked.
 */
import type { Catalog, TypeInfo } from './catalog.js';
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

/** A record's state before a change: what taking the change back puts there again. */
export interface Previous {
  data: Data;
  protected?: boolean;
}

/**
 * What changed, for listeners such as persistence (its journal). A put says what it replaced
 * (`previous`, absent for a new object), so a failed write can be taken back (undo.ts).
 */
export type Change = { op: 'put'; rec: Rec; previous?: Previous } | { op: 'remove'; rec: Rec } | { op: 'restore' };

export const refKey = (type: string, uuid: string) => `${type}/${uuid}`;
const nameKey = (type: string, tenant: string, name: string) => `${type}\u0000${tenant}\u0000${name}`;

const EMPTY: ReadonlyMap<string, Rec> = new Map();

/** The two indexes of records by key: by (type, tenant, name), and by referred-to object. */
type IndexName = 'names' | 'backrefs';

export function tenantOf(data: Data): string {
  return typeof data.tenant_ref === 'string' ? data.tenant_ref : '';
}

export class Store {
  private collections = new Map<string, Map<string, Rec>>();
  private names = new Map<string, Set<Rec>>();
  /** target `type/uuid` → the records that refer to it */
  private backrefs = new Map<string, Set<Rec>>();
  /** the frozen store this one was forked from: read through until copied (see above) */
  private parent?: Store;
  /** in a fork, the records this store made (the others are its parent's, shared) */
  private owned = new WeakSet<Rec>();
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

  /**
   * The records of a type, in creation order. Read-only for callers: in a fork it may be the
   * parent's own map (a fork copies a collection only when it first writes to it).
   */
  collection(type: string): ReadonlyMap<string, Rec> {
    return this.collectionIfAny(type) ?? EMPTY;
  }

  /** The collection this store writes to (a fork's own copy, made on its first write). */
  private ownCollection(type: string): Map<string, Rec> {
    let c = this.collections.get(type);
    if (!c) {
      const inherited = this.parent?.collectionIfAny(type);
      this.collections.set(type, (c = inherited ? new Map(inherited) : new Map()));
    }
    return c;
  }

  /** The collection as it stands, without copying it into a fork. */
  private collectionIfAny(type: string): Map<string, Rec> | undefined {
    return this.collections.get(type) ?? this.parent?.collectionIfAny(type);
  }

  get(type: string, uuid: string): Rec | undefined {
    const c = this.collections.get(type);
    if (c) return c.get(uuid);
    return this.parent?.collectionIfAny(type)?.get(uuid);
  }

  /** Types that hold (or held) objects, in first-use order. */
  types(): string[] {
    const types = new Set(this.parent?.types());
    for (const t of this.collections.keys()) types.add(t);
    return [...types];
  }

  /** Records of `type` named `name` in `tenant` (a handful at most: one per cloud). */
  byName(type: string, tenant: string, name: string): Iterable<Rec> {
    return this.setOf('names', nameKey(type, tenant, name)) ?? [];
  }

  referrers(type: string, uuid: string): Iterable<Rec> {
    return this.setOf('backrefs', refKey(type, uuid)) ?? [];
  }

  isReferenced(type: string, uuid: string): boolean {
    return (this.setOf('backrefs', refKey(type, uuid))?.size ?? 0) > 0;
  }

  /** A new store that starts as this one's exact copy; this one must not change from now on. */
  fork(): Store {
    const child = new Store(this.catalog);
    child.rebase(this);
    return child;
  }

  /**
   * Moves what this store holds into a new store, which is returned frozen, and goes on as a
   * fork of it: the same contents, at no copying cost (the scenario's baseline is made so).
   */
  freeze(): Store {
    const frozen = new Store(this.catalog);
    frozen.collections = this.collections;
    frozen.names = this.names;
    frozen.backrefs = this.backrefs;
    frozen.parent = this.parent;
    frozen.owned = this.owned;
    frozen.clock = this.clock;
    this.collections = new Map();
    this.names = new Map();
    this.backrefs = new Map();
    this.owned = new WeakSet();
    this.parent = frozen;
    return frozen;
  }

  /** Drops everything this store holds and starts again as a fork of `parent` (a reset). */
  rebase(parent: Store): void {
    this.collections.clear();
    this.names.clear();
    this.backrefs.clear();
    this.owned = new WeakSet();
    this.parent = parent;
    this.clock = Math.max(this.clock, parent.clock);
    this.renameEpoch++;
    this.emit({ op: 'restore' });
  }

  /** An index set: this store's own (an emptied one hides the parent's), else its parent's. */
  private setOf(index: IndexName, key: string): Set<Rec> | undefined {
    return this[index].get(key) ?? this.parent?.setOf(index, key);
  }

  /** The index set for `key`, owned by this store (copied from the parent on first change). */
  private ownSet(index: IndexName, key: string): Set<Rec> {
    let set = this[index].get(key);
    if (!set) this[index].set(key, (set = new Set(this.parent?.setOf(index, key))));
    return set;
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
    const coll = this.ownCollection(type);
    const old = coll.get(uuid);
    const refs = this.refsOf(type, data);
    if (old && this.parent && !this.owned.has(old)) return this.replaceInherited(coll, old, data, refs, opts);
    if (old) {
      const previous: Previous = { data: old.data, protected: old.protected };
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
      this.emit({ op: 'put', rec: old, previous });
      return old;
    }
    const rec: Rec = { type, uuid, data, refs };
    if (opts.protected) rec.protected = true;
    if (this.parent) this.owned.add(rec);
    coll.set(uuid, rec);
    this.indexName(rec);
    this.linkRefs(rec);
    this.emit({ op: 'put', rec });
    return rec;
  }

  /**
   * The first write of a fork to a record it shares with its parent: the fork's own copy takes
   * the record's place everywhere (same position in its collection and back-reference sets).
   */
  private replaceInherited(coll: Map<string, Rec>, old: Rec, data: Data, refs: Set<string>, opts: { protected?: boolean }): Rec {
    const rec: Rec = { type: old.type, uuid: old.uuid, data, refs };
    if (opts.protected ?? old.protected) rec.protected = true;
    this.owned.add(rec);
    this.unindexName(old);
    for (const key of old.refs) {
      if (!refs.has(key)) this.unlinkRefs(old, [key]);
      else {
        const set = this.ownSet('backrefs', key);
        const members = [...set];
        set.clear();
        for (const r of members) set.add(r === old ? rec : r);
      }
    }
    this.linkRefs(rec, [...refs].filter((k) => !old.refs.has(k)));
    if (old.data.name !== data.name) this.renameEpoch++;
    coll.set(old.uuid, rec);
    this.indexName(rec);
    this.emit({ op: 'put', rec, previous: { data: old.data, protected: old.protected } });
    return rec;
  }

  remove(rec: Rec): void {
    this.ownCollection(rec.type).delete(rec.uuid);
    this.unindexName(rec);
    this.unlinkRefs(rec);
    this.renameEpoch++;
    this.emit({ op: 'remove', rec });
  }

  /** Empties the store (and forgets its parent). */
  clear(): void {
    this.collections.clear();
    this.names.clear();
    this.backrefs.clear();
    this.parent = undefined;
    this.owned = new WeakSet();
    this.renameEpoch++;
  }

  snapshot(): Snapshot {
    const objects: Snapshot['objects'] = [];
    for (const type of this.types()) {
      for (const rec of (this.collectionIfAny(type) ?? []).values()) {
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
    this.ownSet('names', nameKey(rec.type, tenantOf(rec.data), rec.data.name)).add(rec);
  }

  private unindexName(rec: Rec): void {
    if (typeof rec.data.name !== 'string') return;
    this.dropFromSet('names', nameKey(rec.type, tenantOf(rec.data), rec.data.name), rec);
  }

  private linkRefs(rec: Rec, keys: Iterable<string> = rec.refs): void {
    for (const key of keys) this.ownSet('backrefs', key).add(rec);
  }

  private unlinkRefs(rec: Rec, keys: Iterable<string> = rec.refs): void {
    for (const key of keys) this.dropFromSet('backrefs', key, rec);
  }

  private dropFromSet(index: IndexName, key: string, rec: Rec): void {
    if (!this.setOf(index, key)?.has(rec)) return;
    const set = this.ownSet(index, key);
    set.delete(rec);
    // A fork keeps the emptied set: it hides the parent's.
    if (set.size === 0 && !this.parent) this[index].delete(key);
  }
}

/**
 * Per-type behaviour: what a controller does beyond storing an object (allocating VIPs, filling
 * in virtual services, guarding VRF routes, back-references). The generic write path calls these
 * hooks; each type's behaviour lives in server/avi/types/<type>.ts, registered in
 * server/avi/types/index.ts. Hooks see the canonical stored form (refs as bare uuids).
 */
import type { TypeInfo } from '../core/catalog.js';
import type { Data, Rec } from '../core/store.js';
import type { Ctx, ObjectService } from './objects.js';
import { isObject } from './shape-ops.js';

export interface WriteContext {
  svc: ObjectService;
  info: TypeInfo;
  /** the object about to be stored (uuid set, refs resolved, defaults filled): change it here */
  data: Data;
  /** the stored record before this write (PUT/PATCH), undefined on create */
  existing?: Rec;
  ctx: Ctx;
}

export interface TypeBehaviour {
  /**
   * Asynchronous work on a create or full-replace body before the write path, which stays one
   * synchronous step (no other request interleaves a write): material the controller makes for
   * the client, such as a self-signed certificate and its key, is made here and answered as a
   * new body that the write takes as if the client had sent it. The body is the client's, as
   * sent (not cleaned or validated: leave what is wrong for validation to name). Nothing may be
   * stored here, so a write refused later leaves nothing behind. `existing`: what a PUT replaces.
   */
  prepareBody?(body: Data, existing: Rec | undefined, svc: ObjectService, ctx: Ctx): Promise<Data>;
  /**
   * What the controller puts into every object of the type when a write leaves it out: the
   * sub-objects it creates itself (their schema defaults are then filled like those of any
   * sub-object present) and the values it shows for fields the schema gives no default. Merged
   * in at every depth on each write, after refs are resolved: holds no refs.
   */
  readonly fills?: Data;
  /**
   * Fill-ins for fields the schema requires but the controller supplies (a vip's `vip_id`): runs
   * on the cleaned body before validation, refs still as the client sent them. Change `data`.
   */
  normalizeInput?(data: Data, existing: Rec | undefined, svc: ObjectService, ctx: Ctx): void;
  /**
   * Fill-ins, allocations and checks, before the name-uniqueness check and the write stamp.
   * Throwing an AviError refuses the write; nothing has changed yet. Allocations must be derived
   * from stored state (not reserved here), so a refused write leaves nothing behind.
   */
  beforeWrite?(w: WriteContext): void;
  /** After the store took the object (`previous` is the data it replaced). */
  afterWrite?(rec: Rec, previous: Data | undefined, svc: ObjectService, ctx: Ctx): void;
  /** Before a delete is checked and done; throw to refuse it. */
  beforeRemove?(rec: Rec, svc: ObjectService, ctx: Ctx): void;
  /**
   * Objects that go with this one when it is deleted (a cloud's own VRFs and SE group): their
   * referrers count as the object's own, and they are removed first, protected or not.
   */
  dependents?(rec: Rec, svc: ObjectService): Rec[];
  /**
   * Asked of a referrer of this type when objects it refers to are deleted: the change that lets
   * go of its refs to them (run only once the delete goes ahead), or undefined when the refs
   * block the delete (the 403 "referred by"). An SE's data NICs let go of their networks.
   */
  releaseRefs?(referrer: Rec, targets: Rec[], svc: ObjectService): (() => void) | undefined;
  afterRemove?(rec: Rec, svc: ObjectService, ctx: Ctx): void;
  /**
   * Derived read-only fields (back-references such as `vs_refs`): add top-level fields to `out`,
   * a fresh object, or leave out ones this read may not see (a private key without the query's
   * `export_key`, in `ctx.query`). Nested objects of `out` may be shared with the stored data:
   * replace them, never change them. A type with this hook is rendered afresh on every read
   * (not cached), since its answer changes when other objects, time or the query do.
   */
  renderExtras?(rec: Rec, out: Data, svc: ObjectService, ctx: Ctx, includeName: boolean): void;
}

export type Behaviours = Record<string, TypeBehaviour>;

/**
 * A create or replace body after its type's `prepareBody` (the body itself when the type has
 * none): what callers of `ObjectService.create`/`replace` that can wait hand over.
 */
export async function preparedBody(svc: ObjectService, type: string, body: unknown, existing: Rec | undefined, ctx: Ctx): Promise<unknown> {
  const hook = svc.behaviours[type]?.prepareBody;
  return hook && isObject(body) ? hook(body, existing, svc, ctx) : body;
}

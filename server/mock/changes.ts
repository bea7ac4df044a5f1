/**
 * Which objects a request changed: the store changes made while its handler runs, each with the
 * object before and after (the stored data itself: records are replaced on write, never changed
 * in place, so keeping them costs no copy). Requests interleave across awaits, so a change is
 * told to the request whose async context made it (AsyncLocalStorage), not to whichever request
 * happens to be open. Changes made outside any request (timers, a reset) belong to none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Change, Data, Store } from '../core/store.js';

export interface ObjectChange {
  op: 'create' | 'update' | 'delete';
  type: string;
  uuid: string;
  /** undefined for a create */
  before?: Data;
  /** undefined for a delete */
  after?: Data;
}

/** changes kept per request: a macro or a cascade delete may touch many; the rest are counted */
export const MAX_CHANGES = 50;

export interface ChangeList {
  store: Store;
  changes: ObjectChange[];
  /** changes past MAX_CHANGES, not kept */
  more: number;
}

const current = new AsyncLocalStorage<ChangeList>();
const listening = new WeakSet<Store>();

function listen(store: Store): void {
  if (listening.has(store)) return;
  listening.add(store);
  store.subscribe((change) => {
    const list = current.getStore();
    if (list && list.store === store) note(list, change);
  });
}

function note(list: ChangeList, change: Change): void {
  if (change.op === 'restore') return;
  if (list.changes.length >= MAX_CHANGES) {
    list.more++;
    return;
  }
  const { rec } = change;
  if (change.op === 'remove') list.changes.push({ op: 'delete', type: rec.type, uuid: rec.uuid, before: rec.data });
  else list.changes.push({ op: change.previous ? 'update' : 'create', type: rec.type, uuid: rec.uuid, before: change.previous?.data, after: rec.data });
}

/** Runs `work` with the changes it makes to `store` collected in the list returned. */
export function collectChanges(store: Store, work: () => void): ChangeList {
  listen(store);
  const list: ChangeList = { store, changes: [], more: 0 };
  current.run(list, work);
  return list;
}

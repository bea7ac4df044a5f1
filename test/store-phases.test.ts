/**
 * The store's one change event, heard in phases: derive subscribers follow each change and may
 * not write; the reactions (placement, then the link) hear a write once it is over, in that
 * order whoever subscribed first, and their own writes come back as a further write.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { Store, type Change } from '../server/core/store.js';
import type { Catalog } from '../server/core/catalog.js';

// a type outside the Avi document: no refs to resolve, so any data can be stored
const T = 'nsxt.tier1';
const uuids = (changes: readonly Change[]) => changes.map((c) => (c.op === 'restore' ? 'restore' : `${c.op}:${c.rec.uuid}`));

let catalog: Catalog;
beforeAll(async () => {
  catalog = (await Engine.create({ seed: 3 })).catalog;
});

describe('store phases', () => {
  it('reactions run in phase order, not in the order they subscribed', () => {
    const store = new Store(catalog);
    const heard: string[] = [];
    store.subscribe('link', () => heard.push('link'));
    store.subscribe('placement', () => heard.push('placement'));
    store.subscribe(() => heard.push('derive'));
    store.put(T, { uuid: 'a' });
    expect(heard).toEqual(['derive', 'placement', 'link']);
  });

  it('a reaction hears a write once it is over, with every change it made', () => {
    const store = new Store(catalog);
    const batches: string[][] = [];
    store.subscribe('placement', (changes) => batches.push(uuids(changes)));
    store.write(() => {
      store.put(T, { uuid: 'a' });
      store.write(() => store.put(T, { uuid: 'b' }));
      expect(batches).toEqual([]); // nothing yet: the outer write is going on
      store.remove(store.get(T, 'a')!);
    });
    expect(batches).toEqual([['put:a', 'put:b', 'remove:a']]);
  });

  it("a reaction's writes are a further write, heard from the first phase again", () => {
    const store = new Store(catalog);
    const heard: string[] = [];
    store.subscribe('placement', (changes) => {
      heard.push(`placement ${uuids(changes)}`);
      if (changes.some((c) => c.op === 'put' && c.rec.uuid === 'vs')) store.put(T, { uuid: 'se' });
    });
    store.subscribe('link', (changes) => heard.push(`link ${uuids(changes)}`));
    store.put(T, { uuid: 'vs' });
    expect(heard).toEqual(['placement put:vs', 'link put:vs', 'placement put:se', 'link put:se']);
  });

  it('a derive subscriber may not write', () => {
    const store = new Store(catalog);
    store.subscribe((change) => {
      if (change.op === 'put' && change.rec.uuid === 'a') store.put(T, { uuid: 'b' });
    });
    expect(() => store.put(T, { uuid: 'a' })).toThrow(/may not write/);
    expect(store.get(T, 'b')).toBeUndefined();
  });

  it('a write that throws, and taking changes back, are not reacted to (derive hears both)', () => {
    const store = new Store(catalog);
    const derived: string[] = [];
    const reacted: string[] = [];
    store.subscribe((change) => derived.push(...uuids([change])));
    store.subscribe('placement', (changes) => reacted.push(...uuids(changes)));
    expect(() =>
      store.write(() => {
        store.put(T, { uuid: 'a' });
        throw new Error('refused');
      }),
    ).toThrow('refused');
    store.withoutReactions(() => store.remove(store.get(T, 'a')!));
    expect(derived).toEqual(['put:a', 'remove:a']);
    expect(reacted).toEqual([]);
  });
});

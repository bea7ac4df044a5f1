/**
 * Store forks: a fork starts as its parent's exact copy, never changes the parent, and keeps its
 * indexes (names, back-references) right as it writes over inherited records.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { Store } from '../server/core/store.js';
import { ADMIN_TENANT } from '../server/avi/objects.js';

const ctx = { tenant: ADMIN_TENANT, base: '' };
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create({ seed: 7 });
});

function names(store: Store, type: string): string[] {
  return [...store.collection(type).values()].map((r) => String(r.data.name));
}

describe('Store.fork', () => {
  it('a fork sees the parent, writes only to itself, and the parent is untouched', async () => {
    const base = await engine.baseline();
    const before = JSON.stringify(base.snapshot());
    const fork = base.fork();
    expect(fork.snapshot().objects.length).toBe(base.snapshot().objects.length);
    const cloud = [...fork.byName('cloud', ADMIN_TENANT, 'Default-Cloud')][0]!;
    fork.put('pool', { uuid: 'pool-f1', name: 'p1', tenant_ref: ADMIN_TENANT, cloud_ref: cloud.uuid });
    expect(fork.get('pool', 'pool-f1')?.data.name).toBe('p1');
    expect([...fork.referrers('cloud', cloud.uuid)].map((r) => r.uuid)).toContain('pool-f1');
    expect(base.get('pool', 'pool-f1')).toBeUndefined();
    expect([...base.referrers('cloud', cloud.uuid)].map((r) => r.uuid)).not.toContain('pool-f1');
    expect(JSON.stringify(base.snapshot())).toBe(before);
  });

  it('writing an inherited record gives the fork its own copy, in the same place', async () => {
    const base = await engine.baseline();
    const fork = base.fork();
    const order = names(fork, 'healthmonitor');
    const inherited = [...fork.byName('healthmonitor', ADMIN_TENANT, 'System-TCP')][0]!;
    const copy = fork.put('healthmonitor', { ...inherited.data, name: 'Renamed-TCP' });
    expect(copy).not.toBe(inherited);
    expect(inherited.data.name).toBe('System-TCP');
    expect(names(fork, 'healthmonitor')).toEqual(order.map((n) => (n === 'System-TCP' ? 'Renamed-TCP' : n)));
    expect([...fork.byName('healthmonitor', ADMIN_TENANT, 'System-TCP')]).toEqual([]);
    expect([...fork.byName('healthmonitor', ADMIN_TENANT, 'Renamed-TCP')]).toEqual([copy]);
    expect([...base.byName('healthmonitor', ADMIN_TENANT, 'System-TCP')]).toEqual([inherited]);
  });

  it('back-reference sets keep creation order when an inherited referrer is rewritten', async () => {
    const e = await Engine.create({ seed: 8 });
    for (const n of ['a', 'b', 'c']) e.objects.create('pool', { name: n }, ctx);
    const cloud = [...e.store.byName('cloud', ADMIN_TENANT, 'Default-Cloud')][0]!;
    const frozen = e.store.freeze();
    const fork = frozen.fork();
    const referrers = () => [...fork.referrers('cloud', cloud.uuid)].filter((r) => r.type === 'pool').map((r) => r.data.name);
    expect(referrers()).toEqual(['a', 'b', 'c']);
    const b = [...fork.byName('pool', ADMIN_TENANT, 'b')][0]!;
    fork.put('pool', { ...b.data, description: 'changed' });
    expect(referrers()).toEqual(['a', 'b', 'c']);
    expect([...fork.referrers('cloud', cloud.uuid)].find((r) => r.data.name === 'b')?.data.description).toBe('changed');
  });

  it('removing an inherited record hides it from the fork only', async () => {
    const e = await Engine.create({ seed: 9 });
    const pool = e.objects.create('pool', { name: 'gone' }, ctx);
    const frozen = e.store.freeze();
    const fork = frozen.fork();
    const cloudUuid = String(e.store.get('pool', pool.uuid as string)!.data.cloud_ref);
    expect(cloudUuid).toMatch(/^cloud-/);
    fork.remove(fork.get('pool', pool.uuid as string)!);
    expect(fork.get('pool', pool.uuid as string)).toBeUndefined();
    expect([...fork.byName('pool', ADMIN_TENANT, 'gone')]).toEqual([]);
    expect([...fork.referrers('cloud', cloudUuid)].some((r) => r.uuid === pool.uuid)).toBe(false);
    expect(frozen.get('pool', pool.uuid as string)).toBeDefined();
    expect([...frozen.referrers('cloud', cloudUuid)].some((r) => r.uuid === pool.uuid)).toBe(true);
  });

  it('rebase drops what a fork wrote and starts again from the parent', async () => {
    const base = await engine.baseline();
    const fork = base.fork();
    fork.put('pool', { uuid: 'pool-r1', name: 'r1', tenant_ref: ADMIN_TENANT });
    fork.rebase(base);
    expect(fork.get('pool', 'pool-r1')).toBeUndefined();
    expect(fork.snapshot().objects.length).toBe(base.snapshot().objects.length);
  });
});

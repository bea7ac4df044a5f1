/**
 * Contract: AKO's boot-time clean-up of stale objects: it lists everything its
 * cluster created, across tenants, and deletes what its virtual services no longer reference,
 * leaving other clusters' and the admin's objects alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { akoClient, akoEnv, expectCreated, owned, uuidOf, type AkoEnv, type Data } from './support/ako.js';
import { useTarget } from './support/target.js';

const t = useTarget();
let env: AkoEnv;
let CLUSTER: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  env = await akoEnv(t);
  CLUSTER = env.cluster('cl1');
  const pool = async (name: string, body: Data) =>
    expectCreated(await env.ako.post('/api/pool', { name, cloud_ref: '/api/cloud/?name=Default-Cloud', ...body }), name);
  // What a previous run of cl1's AKO left: a VS still using p-used, two orphan pools.
  const used = await pool(`${CLUSTER}--default-used`, owned(CLUSTER));
  ids.used = used.uuid;
  ids.orphan1 = (await pool(`${CLUSTER}--default-gone1`, owned(CLUSTER))).uuid;
  ids.orphan2 = (await pool(`${CLUSTER}--default-gone2`, owned(CLUSTER))).uuid;
  // Another cluster's pool and an admin's hand-made pool with a cl1-looking name.
  const other = env.cluster('cl2');
  ids.other = (await pool(`${other}--default-x`, owned(other))).uuid;
  ids.manual = (await pool(`${CLUSTER}--manual`, {})).uuid;
  ids.vs = expectCreated(
    await env.ako.post('/api/virtualservice', owned(CLUSTER, { name: `${CLUSTER}--default-vs`, cloud_ref: '/api/cloud/?name=Default-Cloud', pool_ref: used.url })),
    'vs',
  ).uuid;
});

describe('boot-time stale-object clean-up', () => {
  it('lists its own objects across tenants by created_by, name and label, and deletes the unreferenced', async () => {
    const all = akoClient(t.admin, '*');
    const pools = (await all.get(`/api/pool?created_by=ako-${CLUSTER}&name.contains=${CLUSTER}--&page_size=100`)).body;
    expect(pools.results.map((p: Data) => p.uuid).sort()).toEqual([ids.used, ids.orphan1, ids.orphan2].sort());
    const byLabel = (await all.get(`/api/pool?label_key=clustername&label_value=${CLUSTER}&page_size=100`)).body;
    expect(byLabel.count).toBe(3);

    const vses = (await all.get(`/api/virtualservice?created_by=ako-${CLUSTER}&page_size=100`)).body.results as Data[];
    const referenced = new Set(vses.map((v) => v.pool_ref && uuidOf(v.pool_ref)).filter(Boolean));
    for (const p of pools.results as Data[]) {
      if (referenced.has(p.uuid)) continue;
      expect((await env.ako.del(`/api/pool/${p.uuid}`)).status).toBe(204);
    }
    // What is left of this run's pools (a real controller holds others too).
    const left = (await all.get(`/api/pool?name.contains=${t.prefix}&page_size=100`)).body.results.map((p: Data) => p.uuid).sort();
    expect(left).toEqual([ids.used, ids.other, ids.manual].sort());
  });

  it('refers_to tells which virtual services still use a pool', async () => {
    const users = (await env.ako.get(`/api/virtualservice?refers_to=pool:${ids.used}`)).body;
    expect(users.results.map((v: Data) => v.uuid)).toEqual([ids.vs]);
    const blocked = await env.ako.del(`/api/pool/${ids.used}`);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toBe(`Cannot delete, object is referred by: ['VirtualService ${CLUSTER}--default-vs']`);
  });
});

/**
 * Contract: the object lifecycle as AKO and the SDKs drive it (avi-contract §5–7). Each step is
 * what a client does and what it relies on in the answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../test/helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});

describe('AKO-style object lifecycle', () => {
  it('answers a duplicate POST with 409, then GET by name and PUT succeed', async () => {
    const body = { name: 'cl1--default-svc', created_by: 'ako-cl1', cloud_config_cksum: '12345' };
    expect((await sim.http.post('/api/pool').send(body)).status).toBe(201);
    const dup = await sim.http.post('/api/pool').send(body);
    expect(dup.status).toBe(409);
    expect(dup.body.error).toContain('already exists');
    const found = await sim.http.get('/api/pool?name=cl1--default-svc&include_name');
    expect(found.body.count).toBe(1);
    const current = found.body.results[0];
    // AKO splits refs on '#' and reads the name.
    expect(current.tenant_ref.split('#')[1]).toBe('admin');
    const put = await sim.http.put(`/api/pool/${current.uuid}`).send({ ...current, cloud_config_cksum: '67890' });
    expect(put.status).toBe(200);
    expect(put.body.cloud_config_cksum).toBe('67890');
    expect(put.body.created_by).toBe('ako-cl1');
  });

  it('extracts uuids from refs with the type prefix AKO matches on', async () => {
    const res = await sim.http.post('/api/pool').send({ name: 'uuid-shape' });
    expect(res.body.url).toMatch(/\/api\/pool\/pool-[0-9a-f-]{36}#uuid-shape$/);
    expect(/pool-.*.#/.test(res.body.url)).toBe(true);
  });

  it('deletes in reverse creation order, and a repeated DELETE is a 404 the client may ignore', async () => {
    const pool = (await sim.http.post('/api/pool').send({ name: 'rev-pool' })).body;
    const pg = (await sim.http.post('/api/poolgroup').send({ name: 'rev-pg', members: [{ pool_ref: pool.url }] })).body;
    const blocked = await sim.http.delete(`/api/pool/${pool.uuid}`);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toBe("Cannot delete, object is referred by: ['PoolGroup rev-pg']");
    expect((await sim.http.delete(`/api/poolgroup/${pg.uuid}`)).status).toBe(204);
    expect((await sim.http.delete(`/api/pool/${pool.uuid}`)).status).toBe(204);
    const again = await sim.http.delete(`/api/pool/${pool.uuid}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'Pool object not found!' });
  });

  it('echoes client-owned fields verbatim', async () => {
    const body = {
      name: 'owned',
      cloud_config_cksum: '2718281828',
      service_metadata: '{"crud_hash_key": "admin:x"}',
      created_by: 'ako-cl1',
      markers: [{ key: 'clustername', values: ['cl1'] }],
    };
    const res = await sim.http.post('/api/pool').send(body);
    for (const [k, v] of Object.entries(body)) expect(res.body[k]).toEqual(v);
  });
});

/**
 * Contract: the object lifecycle as AKO and the SDKs drive it. Each step is
 * what a client does and what it relies on in the answer.
 */
import { describe, expect, it } from 'vitest';
import { escapeRe } from './support/ako.js';
import { useTarget } from './support/target.js';

const t = useTarget();
const api = () => t.admin;

describe('AKO-style object lifecycle', () => {
  it('answers a duplicate POST with 409, then GET by name and PUT succeed', async () => {
    const name = `${t.prefix}cl1--default-svc`;
    const body = { name, created_by: 'ako-cl1', cloud_config_cksum: '12345' };
    expect((await api().post('/api/pool', body)).status).toBe(201);
    const dup = await api().post('/api/pool', body);
    expect(dup.status).toBe(409);
    expect(dup.body.error).toContain('already exists');
    const found = await api().get(`/api/pool?name=${name}&include_name`);
    expect(found.body.count).toBe(1);
    const current = found.body.results[0];
    // AKO splits refs on '#' and reads the name.
    expect(current.tenant_ref.split('#')[1]).toBe('admin');
    const put = await api().put(`/api/pool/${current.uuid}`, { ...current, cloud_config_cksum: '67890' });
    expect(put.status).toBe(200);
    expect(put.body.cloud_config_cksum).toBe('67890');
    expect(put.body.created_by).toBe('ako-cl1');
  });

  it('extracts uuids from refs with the type prefix AKO matches on', async () => {
    const name = `${t.prefix}uuid-shape`;
    const res = await api().post('/api/pool', { name });
    expect(res.status).toBe(201);
    expect(res.body.url).toMatch(new RegExp(`/api/pool/pool-[0-9a-f-]{36}#${escapeRe(name)}$`));
    expect(/pool-.*.#/.test(res.body.url)).toBe(true);
  });

  it('deletes in reverse creation order, and a repeated DELETE is a 404 the client may ignore', async () => {
    const pool = (await api().post('/api/pool', { name: `${t.prefix}rev-pool` })).body;
    const pg = (await api().post('/api/poolgroup', { name: `${t.prefix}rev-pg`, members: [{ pool_ref: pool.url }] })).body;
    const blocked = await api().del(`/api/pool/${pool.uuid}`);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toBe(`Cannot delete, object is referred by: ['PoolGroup ${t.prefix}rev-pg']`);
    expect((await api().del(`/api/poolgroup/${pg.uuid}`)).status).toBe(204);
    expect((await api().del(`/api/pool/${pool.uuid}`)).status).toBe(204);
    const again = await api().del(`/api/pool/${pool.uuid}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'Pool object not found!' });
  });

  it('echoes client-owned fields verbatim', async () => {
    const body = {
      name: `${t.prefix}owned`,
      cloud_config_cksum: '2718281828',
      service_metadata: '{"crud_hash_key": "admin:x"}',
      created_by: 'ako-cl1',
      markers: [{ key: 'clustername', values: ['cl1'] }],
    };
    const res = await api().post('/api/pool', body);
    expect(res.status).toBe(201);
    for (const [k, v] of Object.entries(body)) expect(res.body[k]).toEqual(v);
  });
});

/**
 * The request journal and `verify`: what was asked, filtered by method, path, status and
 * tenant; a pattern asserted N times, with the near misses when it fails.
 */
import { describe, expect, it } from 'vitest';
import { Journal } from '../server/mock/journal.js';
import { client, startSim } from './helpers.js';

describe('GET /_mock/journal', () => {
  it('records method, path, query, tenant, status and the request body, oldest first', async () => {
    const sim = await startSim();
    const c = client(sim);
    await sim.http.delete('/_mock/journal');
    await c.create('pool', { name: 'j1' });
    await c.post('/api/pool', { name: 'j1' }); // 409
    await c.get('/api/pool?name=j1');
    await sim.http.get('/api/tenant').set('X-Avi-Tenant', 'no-such-tenant');
    const all = (await sim.http.get('/_mock/journal')).body;
    expect(all.results.map((e: any) => [e.method, e.path, e.status])).toEqual([
      ['POST', '/api/pool', 201],
      ['POST', '/api/pool', 409],
      ['GET', '/api/pool', 200],
      ['GET', '/api/tenant', 403],
    ]);
    expect(all.results[0].body).toEqual({ name: 'j1' });
    expect(all.results[2].query).toBe('name=j1');
    expect(all.results[3].tenant).toBe('no-such-tenant');
    expect(all.results[0].seq).toBeLessThan(all.results[1].seq);
    expect(typeof all.results[0].duration_ms).toBe('number');
  });

  it('filters by method, path glob, status and tenant, and can be cleared', async () => {
    const sim = await startSim();
    const c = client(sim);
    await sim.http.delete('/_mock/journal');
    const pool = await c.create('pool', { name: 'f1' });
    await c.get(`/api/pool/${pool.uuid}`);
    await c.get('/api/healthmonitor');
    await c.post('/api/pool', { name: 'f1' });
    const q = async (query: string) => (await sim.http.get(`/_mock/journal?${query}`)).body.results.map((e: any) => `${e.method} ${e.path} ${e.status}`);
    expect(await q('method=POST')).toEqual(['POST /api/pool 201', 'POST /api/pool 409']);
    expect(await q('path=/api/pool/*')).toEqual([`GET /api/pool/${pool.uuid} 200`]);
    expect(await q('path=/api/**&method=GET')).toEqual([`GET /api/pool/${pool.uuid} 200`, 'GET /api/healthmonitor 200']);
    expect(await q('status=409')).toEqual(['POST /api/pool 409']);
    expect(await q('tenant=admin&limit=1')).toEqual(['POST /api/pool 409']);
    expect((await sim.http.get('/_mock/journal?status=abc')).status).toBe(400);
    expect((await sim.http.delete('/_mock/journal')).status).toBe(204);
    expect((await sim.http.get('/_mock/journal?path=/api/**')).body.count).toBe(0);
  });

  it('is bounded: the oldest entries go first', () => {
    const j = new Journal(3);
    for (let i = 0; i < 5; i++) j.add({ method: 'GET', path: `/api/p${i}`, tenant: 'admin', arrived: 0, query: '', status: 200, duration_ms: 0 });
    expect(j.entries().map((e) => e.path)).toEqual(['/api/p2', '/api/p3', '/api/p4']);
    expect(j.dropped).toBe(2);
  });
});

describe('POST /_mock/verify', () => {
  it('holds when the pattern happened the number of times asked', async () => {
    const sim = await startSim();
    const c = client(sim);
    await sim.http.delete('/_mock/journal');
    await c.create('pool', { name: 'v1', description: 'x' });
    await c.create('pool', { name: 'v2' });
    const ok = await sim.http.post('/_mock/verify').send({ method: 'POST', path: '/api/pool', status: 201, count: 2 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ verified: true, count: 2, expected: 'exactly 2' });
    const byBody = await sim.http.post('/_mock/verify').send({ method: 'POST', body: { name: 'v1' } });
    expect(byBody.body).toMatchObject({ verified: true, count: 1, expected: 'at least 1' });
    const range = await sim.http.post('/_mock/verify').send({ path: '/api/pool', at_least: 1, at_most: 1 });
    expect(range.status).toBe(417);
    expect(range.body.expected).toBe('between 1 and 1');
  });

  it('fails with 417 and the near misses, closest first, with what differs', async () => {
    const sim = await startSim();
    const c = client(sim);
    await sim.http.delete('/_mock/journal');
    await c.create('pool', { name: 'near' });
    await c.get('/api/pool?name=near');
    await c.get('/api/healthmonitor');
    const res = await sim.http.post('/_mock/verify').send({ method: 'PUT', path: '/api/pool', body: { name: 'near' } });
    expect(res.status).toBe(417);
    expect(res.body.verified).toBe(false);
    expect(res.body.count).toBe(0);
    const misses = res.body.near_misses;
    expect(misses[0].request.method).toBe('POST');
    expect(misses[0].differences).toEqual(['method: expected PUT, got POST']);
    expect(misses[1].request.method).toBe('GET');
    expect(misses[1].request.path).toBe('/api/pool');
    expect(misses[1].differences.length).toBe(2);
    // nothing in common at all is no near miss
    expect(misses.some((m: any) => m.request.path === '/api/healthmonitor')).toBe(false);
  });

  it('refuses a bad pattern with a 400 that names the field', async () => {
    const sim = await startSim();
    const res = await sim.http.post('/_mock/verify').send({ methd: 'GET' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain("unknown field 'methd'");
    const both = await sim.http.post('/_mock/verify').send({ count: 1, at_least: 1 });
    expect(both.status).toBe(400);
  });
});

/**
 * Sandboxes: `X-Mock-Sandbox: <id>` gives its callers a copy of the scenario's state of their
 * own. Two sandboxes used at the same time never see each other's writes, nor the main state's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveEngine } from './helpers.js';
import request from 'supertest';
import { startAvisim, type StartedAvisim } from '../server/testing.js';
import { Engine } from '../server/engine.js';

let avi: StartedAvisim;
beforeAll(async () => {
  avi = await startAvisim({ seed: 11 });
});
afterAll(() => avi.close());

const names = (res: { body: any }) => res.body.results.map((o: any) => o.name).sort();

describe('sandboxes', () => {
  it('two sandboxes written to concurrently never see each other', async () => {
    const [a, b] = await Promise.all([avi.sandbox('sb-a'), avi.sandbox('sb-b')]);
    const rounds = 15;
    await Promise.all(
      Array.from({ length: rounds }, async (_, i) => {
        // the same names in both: no 409, they are different controllers
        const [ra, rb] = await Promise.all([a.post('/api/pool', { name: `p${i}`, description: 'a' }), b.post('/api/pool', { name: `p${i}`, description: 'b' })]);
        expect(ra.status).toBe(201);
        expect(rb.status).toBe(201);
        if (i % 3 === 0) {
          const [da, db] = await Promise.all([a.delete(`/api/pool/${ra.body.uuid}`), b.put(`/api/pool/${rb.body.uuid}`, { ...rb.body, description: 'b2' })]);
          expect(da.status).toBe(204);
          expect(db.status).toBe(200);
        }
      }),
    );
    const inA = await a.get('/api/pool?page_size=100');
    const inB = await b.get('/api/pool?page_size=100');
    expect(inA.body.count).toBe(rounds - 5);
    expect(inB.body.count).toBe(rounds);
    expect(inA.body.results.every((p: any) => p.description === 'a')).toBe(true);
    expect(inB.body.results.every((p: any) => p.description === 'b' || p.description === 'b2')).toBe(true);
    const uuidsOfB = new Set(inB.body.results.map((p: any) => p.uuid));
    expect(inA.body.results.filter((p: any) => uuidsOfB.has(p.uuid))).toEqual([]);
    expect((await avi.client.get('/api/pool')).body.count).toBe(0);
  });

  it('starts from the scenario, not from the main state; the main state never sees it', async () => {
    expect((await avi.client.post('/api/pool', { name: 'main-only' })).status).toBe(201);
    const c = await avi.sandbox();
    expect((await c.get('/api/pool?name=main-only')).body.count).toBe(0);
    expect(names(await c.get('/api/cloud'))).toEqual(['Default-Cloud']);
    const hm = (await c.get('/api/healthmonitor?name=System-TCP')).body.results[0];
    expect((await c.put(`/api/healthmonitor/${hm.uuid}`, { ...hm, name: 'Sandboxed-TCP' })).status).toBe(200);
    expect((await avi.client.get('/api/healthmonitor?name=System-TCP')).body.count).toBe(1);
    expect((await avi.client.get('/api/healthmonitor?name=Sandboxed-TCP')).body.count).toBe(0);
    await avi.client.delete('/api/pool?name=main-only');
  });

  it('has its own journal, fault rules and reset', async () => {
    const a = await avi.sandbox('sb-own');
    const other = await avi.sandbox('sb-other');
    const scoped = { headers: { 'X-Mock-Sandbox': 'sb-own' } };
    await a.post('/api/pool', { name: 'j' });
    const journal = (await a.get('/_mock/journal?path=/api/pool', scoped)).body;
    expect(journal.results.map((e: any) => [e.method, e.sandbox])).toEqual([['POST', 'sb-own']]);
    expect((await avi.client.get('/_mock/journal?path=/api/pool&method=POST')).body.results.some((e: any) => e.body?.name === 'j')).toBe(false);

    expect((await a.post('/_mock/faults', { match: { path: '/api/pool' }, status: 503 }, scoped)).status).toBe(201);
    expect((await a.get('/api/pool')).status).toBe(503);
    expect((await other.get('/api/pool')).status).toBe(200);
    expect((await avi.client.get('/api/pool')).status).toBe(200);

    expect((await a.post('/_mock/reset', undefined, scoped)).body.reset).toBe('sb-own');
    expect((await a.get('/api/pool')).body.count).toBe(0);
  });

  it('is dropped by DELETE /_mock/sandboxes/<id>; the next use starts afresh', async () => {
    const a = await avi.sandbox('sb-drop');
    await a.post('/api/pool', { name: 'x' });
    expect((await avi.client.get('/_mock/sandboxes')).body.results.map((s: any) => s.id)).toContain('sb-drop');
    expect((await avi.client.delete('/_mock/sandboxes/sb-drop')).status).toBe(204);
    expect((await avi.client.delete('/_mock/sandboxes/sb-drop')).status).toBe(404);
    // sessions are shared with the main engine, so the same client goes on in a new sandbox
    expect((await a.get('/api/pool?name=x')).body.count).toBe(0);
  });

  it('serves the NSX-T stub per sandbox too', async () => {
    const basic = `Basic ${Buffer.from(`admin:${avi.engine.nsx.password}`).toString('base64')}`;
    const put = (sandbox: string | undefined, id: string) =>
      fetch(`${avi.url}/policy/api/v1/infra/tier-1s/${id}`, {
        method: 'PATCH',
        headers: { Authorization: basic, 'Content-Type': 'application/json', ...(sandbox ? { 'X-Mock-Sandbox': sandbox } : {}) },
        body: JSON.stringify({ display_name: id }),
      });
    const list = async (sandbox?: string) =>
      (await (await fetch(`${avi.url}/policy/api/v1/infra/tier-1s`, { headers: { Authorization: basic, ...(sandbox ? { 'X-Mock-Sandbox': sandbox } : {}) } })).json()).results.map((t: any) => t.id);
    expect((await put('sb-nsx', 'only-in-sandbox')).status).toBe(200);
    expect(await list('sb-nsx')).toContain('only-in-sandbox');
    expect(await list()).not.toContain('only-in-sandbox');
  });

  it('refuses bad ids, and more sandboxes than allowed', async () => {
    const bad = await avi.client.get('/api/pool', { headers: { 'X-Mock-Sandbox': 'has space' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('Bad sandbox id');
    const engine = await Engine.create();
    const app = (await serveEngine(engine, { mock: { maxSandboxes: 2 } })).app;
    for (const id of ['s1', 's2']) expect((await request(app).get('/api/cluster/status').set('X-Mock-Sandbox', id)).status).toBe(200);
    const full = await request(app).get('/api/cluster/status').set('X-Mock-Sandbox', 's3');
    expect(full.status).toBe(503);
    expect(full.body.error).toContain('Too many sandboxes');
  });

  it('with a seed, a sandbox\'s uuids are reproducible and never the baseline\'s', async () => {
    const make = async () => {
      const e = await Engine.create({ seed: 21 });
      const sb = await e.fork('same-id');
      return sb.objects.create('pool', { name: 'p' }, { tenant: 'admin', base: '' }).uuid;
    };
    const [u1, u2] = [await make(), await make()];
    expect(u1).toBe(u2);
    const e = await Engine.create({ seed: 21 });
    expect(e.store.snapshot().objects.some((o) => o.data.uuid === u1)).toBe(false);
  });
});

/**
 * Fault and latency rules, and the controller conditions (domain faults) a test can bring about.
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { Faults } from '../server/mock/faults.js';
import { upsertTier1 } from '../server/nsxt/routes.js';
import { client, startSim, type Sim } from './helpers.js';

const NSX_PASSWORD = 'NsxPass1!NsxPass1!';
const nsxAuth = `Basic ${Buffer.from(`admin:${NSX_PASSWORD}`).toString('base64')}`;
const P = '/policy/api/v1';

async function addFault(sim: Sim, rule: unknown) {
  const res = await sim.http.post('/_mock/faults').send(rule as object);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}

describe('fault rules', () => {
  it('a rule or sandbox id that is not valid percent-encoding names nothing: 404, not a 500', async () => {
    const sim = await startSim();
    for (const path of ['/_mock/faults/%E0%A4%A', '/_mock/sandboxes/%E0%A4%A']) {
      const res = await sim.http.delete(path);
      expect(res.status, path).toBe(404);
      expect(typeof res.body.error).toBe('string');
    }
  });

  it('answers with a status and an Avi error body, for the matching method and path only', async () => {
    const sim = await startSim();
    const c = client(sim);
    const rule = await addFault(sim, { match: { method: 'POST', path: '/api/pool' }, status: 503, error: 'Controller busy' });
    expect(rule.id).toMatch(/^fault-/);
    const res = await c.post('/api/pool', { name: 'x' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'Controller busy' });
    expect((await c.get('/api/pool')).status).toBe(200);
    expect((await c.post('/api/healthmonitor', { name: 'hm', type: 'HEALTH_MONITOR_TCP' })).status).toBe(201);
    // nothing was created by the refused request
    expect((await c.get('/api/pool?name=x')).body.count).toBe(0);
  });

  it('a given body is sent as is; without one, the status text becomes the error', async () => {
    const sim = await startSim();
    const c = client(sim);
    await addFault(sim, { match: { path: '/api/pool' }, status: 418, body: { detail: 'custom' }, times: 1 });
    await addFault(sim, { match: { path: '/api/tenant' }, status: 502, times: 1 });
    expect((await c.get('/api/pool')).body).toEqual({ detail: 'custom' });
    expect((await c.get('/api/tenant')).body).toEqual({ error: '502 Bad Gateway' });
  });

  it('times limits the hits; the spent rule is gone', async () => {
    const sim = await startSim();
    const c = client(sim);
    await addFault(sim, { match: { path: '/api/pool' }, status: 500, error: 'flaky', times: 2 });
    expect((await c.get('/api/pool')).status).toBe(500);
    expect((await c.get('/api/pool')).status).toBe(500);
    expect((await c.get('/api/pool')).status).toBe(200);
    expect((await sim.http.get('/_mock/faults')).body.count).toBe(0);
  });

  it('probability makes a rule fire only sometimes', () => {
    const draws = [0.9, 0.1, 0.6, 0.2];
    const faults = new Faults(() => draws.shift()!);
    faults.add({ match: { path: '/api/pool' }, status: 500, probability: 0.5 });
    const seen = { method: 'GET', path: '/api/pool', tenant: 'admin' };
    expect([faults.fire(seen), faults.fire(seen), faults.fire(seen), faults.fire(seen)].map((r) => !!r)).toEqual([false, true, false, true]);
  });

  it('matches on tenant and on the request body', async () => {
    const sim = await startSim();
    const c = client(sim);
    await c.create('tenant', { name: 't2' });
    await addFault(sim, { match: { tenant: 't2', path: '/api/pool' }, status: 403, error: 'no t2' });
    await addFault(sim, { match: { method: 'POST', path: '/api/healthmonitor', body: { name: 'bad' } }, status: 400, error: 'bad body' });
    expect((await sim.http.get('/api/pool').set('X-Avi-Tenant', 't2')).status).toBe(403);
    expect((await c.get('/api/pool')).status).toBe(200);
    const refused = await c.post('/api/healthmonitor', { name: 'bad', type: 'HEALTH_MONITOR_TCP' });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: 'bad body' });
    // the body read ahead of the rule still reaches the handler for a request that passes
    expect((await c.post('/api/healthmonitor', { name: 'good', type: 'HEALTH_MONITOR_TCP' })).status).toBe(201);
  });

  it('delays a request, then serves it', async () => {
    const sim = await startSim();
    const c = client(sim);
    await addFault(sim, { match: { path: '/api/pool' }, delay_ms: 150, times: 1 });
    const started = Date.now();
    const res = await c.get('/api/pool');
    expect(res.status).toBe(200);
    // the delay shows in the journal's own timing of the request
    const entry = (await sim.http.get('/_mock/journal?path=/api/pool')).body.results[0];
    expect(entry.duration_ms).toBeGreaterThanOrEqual(140);
    expect(entry.fault).toMatch(/^fault-/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops the connection', async () => {
    const sim = await startSim();
    const c = client(sim);
    await addFault(sim, { match: { path: '/api/pool' }, drop: true, times: 1 });
    await expect(c.get('/api/pool')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await c.get('/api/pool')).status).toBe(200);
    const entry = (await sim.http.get('/_mock/journal?path=/api/pool')).body.results[0];
    expect(entry.status).toBe(0);
  });

  it('answers NSX paths with the NSX error document', async () => {
    const sim = await startSim({ nsx: { password: NSX_PASSWORD } });
    await addFault(sim, { match: { path: `${P}/infra/tier-1s/**` }, status: 503, error: 'Manager unavailable', error_code: 101 });
    const res = await request(sim.app).get(`${P}/infra/tier-1s/t1/static-routes`).set('Authorization', nsxAuth);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ httpStatus: 'SERVICE_UNAVAILABLE', error_code: 101, module_name: 'common-services', error_message: 'Manager unavailable' });
  });

  it('refuses bad rules with a 400 naming what is wrong, and can be listed and removed', async () => {
    const sim = await startSim();
    for (const [bad, text] of [
      [{ match: { path: '/api/pool' } }, 'give a status, drop or delay_ms'],
      [{ match: { path: 'api/pool' }, status: 500 }, "must start with '/'"],
      [{ status: 99 }, 'status'],
      [{ status: 500, probability: 2 }, 'probability'],
      [{ status: 500, colour: 'red' }, "unknown field 'colour'"],
      [{ kind: 'meteor_strike' }, "unknown kind 'meteor_strike'"],
      [{ drop: true, status: 500 }, 'exclude'],
    ] as const) {
      const res = await sim.http.post('/_mock/faults').send(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toContain(text);
    }
    const a = await addFault(sim, { match: { path: '/api/pool' }, status: 500 });
    await addFault(sim, { match: { path: '/api/tenant' }, status: 500 });
    expect((await sim.http.get('/_mock/faults')).body.results.map((r: any) => r.id)).toHaveLength(2);
    expect((await sim.http.delete(`/_mock/faults/${a.id}`)).status).toBe(204);
    expect((await sim.http.delete(`/_mock/faults/${a.id}`)).status).toBe(404);
    expect((await sim.http.get('/_mock/faults')).body.count).toBe(1);
    expect((await sim.http.delete('/_mock/faults')).status).toBe(204);
    expect((await sim.http.get('/_mock/faults')).body.count).toBe(0);
  });
});

describe('domain faults', () => {
  it('upgrade in progress: every configuration change gets 403, reads and logins go on', async () => {
    const sim = await startSim();
    const c = client(sim);
    await addFault(sim, { kind: 'upgrade_in_progress' });
    for (const res of [await c.post('/api/pool', { name: 'u' }), await c.put('/api/tenant/admin', {}), await c.del('/api/pool/x')]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'Configuration is disallowed during upgrade' });
    }
    expect((await c.get('/api/pool')).status).toBe(200);
    expect((await request(sim.app).post('/login').send({ username: 'admin', password: sim.engine.credentials[0]!.password })).status).toBe(200);
    await sim.http.delete('/_mock/faults');
    expect((await c.post('/api/pool', { name: 'u' })).status).toBe(201);
  });

  it('VIP exhaustion: VsVip writes get the IPAM error', async () => {
    const sim = await startSim();
    const c = client(sim);
    await addFault(sim, { kind: 'vip_exhaustion', times: 1 });
    const res = await c.post('/api/vsvip', { name: 'v', vip: [{ vip_id: '0', auto_allocate_ip: true }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'No available free IPs' });
  });

  it('leader change: the cluster runtime shows a new up_since (and the next node on a cluster of several)', async () => {
    const sim = await startSim();
    const c = client(sim);
    const before = (await c.get('/api/cluster/runtime')).body;
    const res = await sim.http.post('/_mock/faults').send({ kind: 'leader_change' });
    expect(res.status).toBe(200);
    const after = (await c.get('/api/cluster/runtime')).body;
    expect(after.node_states[0].up_since).not.toBe(before.node_states[0].up_since);
    expect(after.cluster_state.up_since).not.toBe(before.cluster_state.up_since);
    expect(after.node_states[0].role).toBe('CLUSTER_LEADER');

    const cluster = (await c.get('/api/cluster')).body;
    const nodes = [cluster.nodes[0], { name: '10.0.0.2', ip: { addr: '10.0.0.2', type: 'V4' } }];
    expect((await c.put(`/api/cluster/${cluster.uuid}`, { ...cluster, nodes })).status).toBe(200);
    const leader = (await c.get('/api/cluster/runtime')).body.node_states[0].name;
    await sim.http.post('/_mock/faults').send({ kind: 'leader_change' });
    expect((await c.get('/api/cluster/runtime')).body.node_states[0].name).not.toBe(leader);
  });

  it('session expiry: every session gets 401 and must log in again', async () => {
    const sim = await startSim();
    const c = client(sim);
    expect((await c.get('/api/pool')).status).toBe(200);
    const res = await sim.http.post('/_mock/faults').send({ kind: 'session_expiry' });
    expect(res.body.sessions_expired).toBeGreaterThanOrEqual(1);
    expect((await c.get('/api/pool')).status).toBe(401);
    const login = await request(sim.app).post('/login').send({ username: 'admin', password: sim.engine.credentials[0]!.password });
    expect(login.status).toBe(200);
  });

  it('NSX realization delay and error: realized state shows IN_PROGRESS, then ERROR on the matching paths', async () => {
    const sim = await startSim({ nsx: { password: NSX_PASSWORD } });
    upsertTier1(sim.engine, 't1', { display_name: 'T1' });
    const nsx = request(sim.app);
    const route = (id: string) => nsx.patch(`${P}/infra/tier-1s/t1/static-routes/${id}`).set('Authorization', nsxAuth).send({ network: '10.1.0.0/24', next_hops: [{ ip_address: '192.168.1.1' }] });
    const state = async (id: string) =>
      (await nsx.get(`${P}/infra/realized-state/realized-entities?intent_path=${encodeURIComponent(`/infra/tier-1s/t1/static-routes/${id}`)}`).set('Authorization', nsxAuth)).body.results[0].state;

    expect((await route('r0')).status).toBe(200);
    expect(await state('r0')).toBe('REALIZED');
    await addFault(sim, { kind: 'nsx_realization_delay', delay_ms: 60_000 });
    expect((await route('r1')).status).toBe(200);
    expect(await state('r1')).toBe('IN_PROGRESS');
    await addFault(sim, { kind: 'nsx_realization_error', path: '/infra/tier-1s/t1/static-routes/bad-*' });
    expect((await route('bad-1')).status).toBe(200);
    expect(await state('bad-1')).toBe('ERROR');
    expect(await state('r1')).toBe('IN_PROGRESS');
    expect((await sim.http.get('/_mock/faults')).body.nsx).toEqual({ realization_delay_ms: 60_000, forced_states: { '/infra/tier-1s/t1/static-routes/bad-*': 'ERROR' } });
    // clearing the faults puts realization back as configured
    await sim.http.delete('/_mock/faults');
    expect(await state('bad-1')).toBe('REALIZED');
  });
});

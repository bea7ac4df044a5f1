/**
 * The test-control plane's state calls: reset to the scenario, load another scenario, snapshot
 * export and import, and the switches (off, or guarded by a token).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { client, startSim, TEST_HOST, serveEngine } from './helpers.js';

describe('POST /_mock/reset', () => {
  it('puts every object back as the scenario made it; the session stays valid', async () => {
    const sim = await startSim({ seed: 1 });
    const c = client(sim);
    const before = (await sim.http.get('/_mock/snapshot')).body;
    await c.create('pool', { name: 'web' });
    const hm = (await c.get('/api/healthmonitor?name=System-TCP')).body.results[0];
    expect((await c.put(`/api/healthmonitor/${hm.uuid}`, { ...hm, send_interval: 30 })).status).toBe(200);
    expect((await c.del(`/api/vrfcontext?name=management`)).status).not.toBe(500);

    const res = await sim.http.post('/_mock/reset');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reset: 'main', scenario: 'fresh-controller' });
    expect((await c.get('/api/pool?name=web')).body.count).toBe(0);
    expect((await c.get('/api/healthmonitor?name=System-TCP')).body.results[0].send_interval).toBe(hm.send_interval);
    const after = (await sim.http.get('/_mock/snapshot')).body;
    expect(after.objects).toEqual(before.objects);
    // the uuid sequence goes on: a new object does not reuse a uuid handed out before the reset
    const again = await c.create('pool', { name: 'web' });
    expect(after.objects.some((o: any) => o.data.uuid === again.uuid)).toBe(false);
  });

  it('also empties the journal and removes fault rules', async () => {
    const sim = await startSim();
    await sim.http.get('/api/pool');
    expect((await sim.http.post('/_mock/faults').send({ match: { path: '/api/pool' }, status: 503 })).status).toBe(201);
    await sim.http.post('/_mock/reset');
    expect((await sim.http.get('/_mock/faults')).body.count).toBe(0);
    expect((await sim.http.get('/api/pool')).status).toBe(200);
    const journal = (await sim.http.get('/_mock/journal')).body;
    expect(journal.results.map((e: any) => `${e.method} ${e.path}`)).toEqual(['GET /api/pool']);
  });

  it('resets a state restored from a state file to the scenario, not to the file', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const stateFile = join(await mkdtemp(join(tmpdir(), 'avisim-reset-')), 'state.json');
    const first = await startSim({ stateFile });
    await client(first).create('pool', { name: 'kept-in-file' });
    await first.engine.close();
    const second = await startSim({ stateFile });
    expect((await client(second).get('/api/pool?name=kept-in-file')).body.count).toBe(1);
    expect((await second.http.post('/_mock/reset')).status).toBe(200);
    expect((await client(second).get('/api/pool?name=kept-in-file')).body.count).toBe(0);
    expect((await client(second).get('/api/cloud?name=Default-Cloud')).body.count).toBe(1);
    await second.engine.close();
  });
});

describe('/_mock/snapshot', () => {
  it('round-trips: export, change, import, and the state is the exported one', async () => {
    const sim = await startSim();
    const c = client(sim);
    await c.create('pool', { name: 'a' });
    const exported = (await sim.http.get('/_mock/snapshot')).body;
    expect(exported.format).toBe('avisim-state');
    await c.create('pool', { name: 'b' });
    await c.del('/api/pool?name=a');
    const imp = await sim.http.put('/_mock/snapshot').send(exported);
    expect(imp.status).toBe(200);
    expect(imp.body.imported).toBe(exported.objects.length);
    expect((await c.get('/api/pool')).body.results.map((p: any) => p.name)).toEqual(['a']);
    expect((await sim.http.get('/_mock/snapshot')).body).toEqual(exported);
  });

  it('imports into a second simulator (state moves between instances)', async () => {
    const one = await startSim({ seed: 3 });
    await client(one).create('pool', { name: 'moved' });
    const exported = (await one.http.get('/_mock/snapshot')).body;
    const two = await startSim({ seed: 4 });
    expect((await two.http.put('/_mock/snapshot').send(exported)).status).toBe(200);
    const pool = (await client(two).get('/api/pool?name=moved')).body.results[0];
    expect(pool.uuid).toBe(exported.objects.find((o: any) => o.data.name === 'moved').data.uuid);
  });

  it('refuses what is not a snapshot, and the state is unchanged', async () => {
    const sim = await startSim();
    const before = (await sim.http.get('/_mock/snapshot')).body;
    for (const bad of [{}, { format: 'avisim-state', version: 1, objects: [{ type: 'nope', data: { uuid: 'x' } }] }, { format: 'avisim-state', version: 1, objects: [{ type: 'pool', data: {} }] }]) {
      const res = await sim.http.put('/_mock/snapshot').send(bad);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
    const res = await sim.http.put('/_mock/snapshot').set('Content-Type', 'application/json').send('{not json');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^Bad JSON/);
    expect((await sim.http.get('/_mock/snapshot')).body).toEqual(before);
  });
});

describe('/_mock/scenario', () => {
  it('loads another built-in scenario: its objects and version; the session goes on', async () => {
    const sim = await startSim();
    const c = client(sim);
    await c.create('pool', { name: 'from-before' });
    const res = await sim.http.post('/_mock/scenario').send({ name: 'routable-pods-nsxt' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.loaded).toBe('routable-pods-nsxt');
    expect((await c.get('/api/network?name=tanzu-overlay')).body.count).toBe(1);
    expect((await c.get('/api/pool?name=from-before')).body.count).toBe(0);
    expect((await sim.http.get('/_mock/scenario')).body.name).toBe('routable-pods-nsxt');
    // a reset now returns to the loaded scenario
    await c.create('pool', { name: 'later' });
    await sim.http.post('/_mock/reset');
    expect((await c.get('/api/network?name=tanzu-overlay')).body.count).toBe(1);
    expect((await c.get('/api/pool?name=later')).body.count).toBe(0);
  });

  it('loads a scenario of the --scenario-dir folder by name; unknown names and bad files are 4xx and change nothing', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'avisim-scn-'));
    await writeFile(join(dir, 'lab.yaml'), 'extends: fresh-controller\nname: lab\nobjects:\n  - pool: { name: from-lab }\n');
    await writeFile(join(dir, 'bad.yaml'), 'objects:\n  - pool: { name: p, lb_algorithm: NOT_AN_ALGORITHM }\n');
    const engine = await Engine.create();
    const http = request.agent((await serveEngine(engine, { mock: { scenarioDir: dir } })).app);
    const loaded = await http.post('/_mock/scenario').send({ name: 'lab' });
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    expect(loaded.body.loaded).toBe('lab');
    const unknown = await http.post('/_mock/scenario').send({ name: 'no-such-scenario' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('no-such-scenario');
    expect(unknown.body.error).toContain('bad, lab');
    const res = await http.post('/_mock/scenario').send({ name: 'bad' });
    expect(res.status).toBe(400);
    // a file of the server is named, its content is not shown
    expect(res.body.error).toContain("'bad.yaml' did not load");
    expect(res.body.error).not.toContain('lb_algorithm');
    expect((await http.get('/_mock/scenario')).body.name).toBe('lab');
    // the same mistake sent as text is told in full
    const text = await http.post('/_mock/scenario').send({ yaml: 'objects:\n  - pool: { name: p, lb_algorithm: NOT_AN_ALGORITHM }\n' });
    expect(text.status).toBe(400);
    expect(text.body.error).toContain('uploaded.yaml: objects[0] pool');
    expect(text.body.error).toContain('lb_algorithm');
  });
});

describe('switches', () => {
  it('a token guards every /_mock call; the API itself needs none', async () => {
    const engine = await Engine.create();
    const app = (await serveEngine(engine, { mock: { token: 's3cret' } })).app;
    const http = request(app);
    const denied = await http.post('/_mock/reset');
    expect(denied.status).toBe(401);
    expect(denied.body.error).toContain('X-Mock-Token');
    expect((await http.post('/_mock/reset').set('X-Mock-Token', 'wrong')).status).toBe(401);
    expect((await http.post('/_mock/reset').set('X-Mock-Token', 's3cret')).status).toBe(200);
    expect((await http.get('/_mock/journal').set('Authorization', 'Bearer s3cret')).status).toBe(200);
    expect((await http.get('/api/cluster/status').set('Host', TEST_HOST)).status).toBe(200);
  });

  it('turned off, /_mock is an unknown path (501) and a sandbox header is refused', async () => {
    const engine = await Engine.create();
    const app = (await serveEngine(engine, { mock: { enabled: false } })).app;
    const res = await request(app).post('/_mock/reset');
    expect(res.status).toBe(501);
    const sandboxed = await request(app).get('/api/cluster/status').set('X-Mock-Sandbox', 'a');
    expect(sandboxed.status).toBe(400);
    expect(sandboxed.body.error).toContain('Sandboxes are off');
  });

  it('an unknown control call is a 404 that says where the list is', async () => {
    const sim = await startSim();
    const res = await sim.http.get('/_mock/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('GET /_mock lists them');
    const index = await sim.http.get('/_mock');
    expect(index.body.endpoints).toContain('POST /_mock/reset');
  });
});

describe('GET /_mock/openapi.json', () => {
  it('documents every control call the plane lists, and is valid OpenAPI for the validator', async () => {
    const sim = await startSim();
    const doc = (await sim.http.get('/_mock/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const index = (await sim.http.get('/_mock')).body.endpoints as string[];
    for (const line of index) {
      const [methods, path] = line.split(' ') as [string, string];
      for (const m of methods.split('|')) expect(doc.paths[path]?.[m.toLowerCase()], `${m} ${path}`).toBeDefined();
    }
    const { OpenAPIBackend } = await import('openapi-backend');
    const api = new OpenAPIBackend({ definition: doc, validate: true, strict: true, quick: false });
    await expect(api.init()).resolves.toBeDefined();
  });
});

describe("a scenario's faults", () => {
  const withFaults = (faults: string) => `extends: fresh-controller
name: faulty
faults:
${faults}
`;

  it('are in force from the start, again after a reset, and in every new sandbox', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(await mkdtemp(join(tmpdir(), 'avisim-faults-')), 'faulty.yaml');
    await writeFile(file, withFaults('  - { match: { method: POST, path: /api/pool }, status: 503, error: starting up, times: 1 }\n  - { kind: upgrade_in_progress, match: { path: /api/tenant } }'));
    const sim = await startSim({ scenario: file });
    const c = client(sim);
    expect((await c.post('/api/pool', { name: 'a' })).body).toEqual({ error: 'starting up' });
    expect((await c.post('/api/pool', { name: 'a' })).status).toBe(201);
    expect((await c.post('/api/tenant', { name: 't' })).body).toEqual({ error: 'Configuration is disallowed during upgrade' });
    await sim.http.post('/_mock/reset');
    expect((await sim.http.get('/_mock/faults')).body.count).toBe(2);
    expect((await c.post('/api/pool', { name: 'a' })).status).toBe(503);
    const sandboxed = await sim.http.post('/api/pool').set('Host', TEST_HOST).set('X-Mock-Sandbox', 'f1').send({ name: 'a' });
    expect(sandboxed.status).toBe(503);
  });

  it('can be loaded as text over the control plane; moment-only kinds are refused with the place', async () => {
    const sim = await startSim();
    const c = client(sim);
    const ok = await sim.http.post('/_mock/scenario').send({ yaml: withFaults('  - { kind: nsx_realization_delay, delay_ms: 1000 }\n  - { match: { path: /api/pool }, status: 500 }') });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.loaded).toBe('faulty');
    expect((await c.get('/api/pool')).status).toBe(500);
    expect((await sim.http.get('/_mock/faults')).body.nsx.realization_delay_ms).toBe(1000);

    const bad = await sim.http.post('/_mock/scenario').send({ yaml: withFaults('  - { match: { path: /api/pool }, status: 500 }\n  - { kind: leader_change }') });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/faults\[1\]: kind 'leader_change' happens at a moment/);
  });
});

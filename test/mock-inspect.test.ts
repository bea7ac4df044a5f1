/**
 * The inspector's read-only /_mock views (objects, topology, a journal entry with its changes)
 * and the guard on the inspector's files.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { uiDir } from '../server/mock/ui.js';
import { client, serveEngine, startSim, TEST_HOST, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ scenario: 'nsxt-tkgi' });
});

const K8S = 'tkgi-cluster-1-antrea-k8s-api';
const topo = async (query = '') => (await sim.http.get(`/_mock/topology${query}`).expect(200)).body as {
  nodes: Array<{ id: string; kind: string; label: string; state?: string; reason?: string }>;
  edges: Array<{ source: string; target: string; kind: string; broken?: boolean; label?: string }>;
};

describe('GET /_mock/objects', () => {
  it('counts every type, pages a type and filters it by name', async () => {
    const index = (await sim.http.get('/_mock/objects').expect(200)).body;
    expect(index.types).toContainEqual({ type: 'cloud', count: 2 });
    expect(index.types).toContainEqual({ type: 'nsxt.tier1', count: 1 });
    expect(index.tenants).toContainEqual({ uuid: 'admin', name: 'admin' });
    const clouds = (await sim.http.get('/_mock/objects/cloud?q=default').expect(200)).body;
    expect(clouds.count).toBe(1);
    expect(clouds.results[0].name).toBe('Default-Cloud');
    const page = (await sim.http.get('/_mock/objects/healthmonitor?offset=2&limit=3').expect(200)).body;
    expect(page.results).toHaveLength(3);
    expect(page.count).toBeGreaterThan(5);
    await sim.http.get('/_mock/objects/cloud?limit=x').expect(400);
    await sim.http.get('/_mock/objects?tenant=nobody').expect(404);
  });

  it('shows an object with its refs named and what refers to it; an NSX id is one encoded segment', async () => {
    const [pool] = (await sim.http.get(`/_mock/objects/pool?q=${K8S}`)).body.results;
    const view = (await sim.http.get(`/_mock/objects/pool/${pool.uuid}`).expect(200)).body;
    expect(view.data.servers).toHaveLength(3);
    expect(view.refs).toContainEqual(expect.objectContaining({ type: 'cloud', name: 'nsx-t-lhr' }));
    expect(view.referred_by).toContainEqual(expect.objectContaining({ type: 'virtualservice', name: K8S }));
    const tier1 = (await sim.http.get(`/_mock/objects/nsxt.tier1/${encodeURIComponent('/infra/tier-1s/The-Tier-1')}`).expect(200)).body;
    expect(tier1.name).toBe('The-Tier-1');
    await sim.http.get('/_mock/objects/pool/__proto__').expect(404);
    await sim.http.get('/_mock/objects/constructor/x').expect(404);
  });

  it('scrubs secrets as the journal does', async () => {
    const [cert] = (await sim.http.get('/_mock/objects/sslkeyandcertificate?q=System-Default-Cert').expect(200)).body.results;
    const view = (await sim.http.get(`/_mock/objects/sslkeyandcertificate/${cert.uuid}`).expect(200)).body;
    expect(JSON.stringify(view)).not.toContain('PRIVATE KEY');
  });
});

describe('GET /_mock/topology', () => {
  it('links the Kubernetes API VS to its VsVip, network, pool servers, SE and the Tier-1 /32 route', async () => {
    const g = await topo();
    const vs = g.nodes.find((n) => n.kind === 'vs' && n.label.includes(K8S))!;
    const from = (id: string) => g.edges.filter((e) => e.source === id);
    const to = (id: string) => g.edges.filter((e) => e.target === id);
    expect(vs.state).toBe('up');
    const pool = from(vs.id).find((e) => e.kind === 'pool')!.target;
    expect(from(pool).map((e) => g.nodes.find((n) => n.id === e.target)!.label).sort()).toEqual([
      '10.146.41.2:8443',
      '10.146.41.3:8443',
      '10.146.41.4:8443',
    ]);
    const vsvip = from(vs.id).find((e) => e.kind === 'vip')!.target;
    expect(g.nodes.find((n) => n.id === vsvip)!.label).toContain('10.146.101.10');
    expect(from(vsvip).map((e) => g.nodes.find((n) => n.id === e.target)!.label)).toEqual(['vip-l4-k8s-api\n10.146.101.0/24']);
    const route = to(vs.id).find((e) => e.kind === 'vip route')!.source;
    expect(g.nodes.find((n) => n.id === route)!.label).toBe('10.146.101.10/32\nvia 10.146.101.254');
    expect(to(route)[0]!.source).toBe('nsxt.tier1//infra/tier-1s/The-Tier-1');
    expect(to(vs.id).some((e) => e.kind === 'hosts' && e.source.startsWith('serviceengine/'))).toBe(true);
    expect(g.edges.some((e) => e.broken)).toBe(false);
  });

  it('shows a disabled server down with the reason, and what the NSX check finds as broken', async () => {
    const s = await startSim({ scenario: 'nsxt-tkgi' });
    const api = client(s);
    const pool = (await api.get(`/api/pool?name=${K8S}`)).body.results[0];
    await api.patch(`/api/pool/${pool.uuid}`, { replace: { servers: [{ ip: { addr: '10.146.41.2', type: 'V4' }, port: 8443, enabled: false }] } }).expect(200);
    const routeId = (await s.http.get('/_mock/objects/nsxt.staticroute').expect(200)).body.results[0].uuid as string;
    const { username, password } = s.engine.nsx;
    await request(s.app)
      .delete(`/policy/api/v1${routeId}`)
      .set('Host', TEST_HOST)
      .set('Authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`)
      .expect(200);
    const g = (await s.http.get('/_mock/topology').expect(200)).body as Awaited<ReturnType<typeof topo>>;
    const server = g.nodes.find((n) => n.kind === 'server')!;
    expect(server).toMatchObject({ label: '10.146.41.2:8443', state: 'down', reason: 'Server is disabled' });
    const vs = g.nodes.find((n) => n.kind === 'vs')!;
    expect(vs.state).toBe('down');
    const broken = g.edges.filter((e) => e.broken);
    expect(broken).toEqual([expect.objectContaining({ source: vs.id, target: 'nsxt.tier1//infra/tier-1s/The-Tier-1', label: '10.146.101.10/32: no route' })]);
  });

  it('narrows to one cloud', async () => {
    const [cloud] = (await sim.http.get('/_mock/objects/cloud?q=Default-Cloud')).body.results;
    const g = await topo(`?cloud=${cloud.uuid}`);
    expect(g.nodes.filter((n) => n.kind === 'cloud').map((n) => n.label)).toEqual(['Default-Cloud\nCLOUD_NONE']);
    expect(g.nodes.some((n) => n.kind === 'vs')).toBe(false);
  });
});

describe('GET /_mock/journal/<seq>', () => {
  it('shows the request, its answer and the objects it changed, before and after', async () => {
    const s = await startSim();
    const api = client(s);
    const pool = await api.create('pool', { name: 'p1' });
    await api.put(`/api/pool/${pool.uuid}`, { name: 'p1', default_server_port: 8080 }).expect(200);
    await api.get('/api/pool').expect(200);
    const list = (await s.http.get('/_mock/journal').expect(200)).body.results.filter((e: { path: string }) => e.path.startsWith('/api/pool'));
    const [create, update, read] = list;
    expect(create.changed).toEqual([{ op: 'create', type: 'pool', uuid: pool.uuid }]);
    expect(read.changed).toBeUndefined();
    const detail = (await s.http.get(`/_mock/journal/${update.seq}`).expect(200)).body;
    expect(detail.changes).toHaveLength(1);
    expect(detail.changes[0]).toMatchObject({ op: 'update', type: 'pool', uuid: pool.uuid });
    expect(detail.changes[0].before.default_server_port).toBe(80);
    expect(detail.changes[0].after.default_server_port).toBe(8080);
    expect(detail.answer.body).toMatchObject({ name: 'p1', default_server_port: 8080 });
    // a successful read's answer is not kept (it can be read again); a failed read's is
    expect((await s.http.get(`/_mock/journal/${read.seq}`).expect(200)).body.answer).toBeUndefined();
    await api.get('/api/pool/pool-missing').expect(404);
    const [missing] = (await s.http.get('/_mock/journal?path=/api/pool/pool-missing').expect(200)).body.results;
    expect((await s.http.get(`/_mock/journal/${missing.seq}`).expect(200)).body.answer.body).toHaveProperty('error');
    await s.http.get('/_mock/journal/999999').expect(404);
    await s.http.get('/_mock/journal/abc').expect(404);
  });

  it('tells apart the changes of requests that run at the same time', async () => {
    const s = await startSim();
    const api = client(s);
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => api.post('/api/pool', { name: n }).expect(201)));
    const list = (await s.http.get('/_mock/journal?method=POST&path=/api/pool').expect(200)).body.results;
    expect(list).toHaveLength(4);
    for (const e of list) {
      const detail = (await s.http.get(`/_mock/journal/${e.seq}`)).body;
      expect(detail.changes.map((c: { after: { name: string } }) => c.after.name)).toEqual([e.body.name]);
    }
  });

  it('scrubs secrets in the answer and the changes', async () => {
    const s = await startSim();
    const api = client(s);
    await api.post('/api/user', { name: 'u1', username: 'u1', password: 'Very-Secret-Pw-1' }).expect(201);
    const [e] = (await s.http.get('/_mock/journal?path=/api/user').expect(200)).body.results;
    const detail = (await s.http.get(`/_mock/journal/${e.seq}`).expect(200)).body;
    expect(detail.changes).toHaveLength(1);
    expect(JSON.stringify(detail)).not.toContain('Very-Secret-Pw-1');
  });
});

describe('the inspector at /_mock/ui/', () => {
  let dir: string;
  let http: ReturnType<typeof request>;
  const saved = uiDir.path;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'avisim-ui-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
    await writeFile(path.join(dir, 'app.js'), 'export {}');
    uiDir.path = dir;
    const engine = await Engine.create();
    http = request((await serveEngine(engine, { mock: { token: 'the-token' }, closeEngine: true })).app);
  });
  afterAll(() => {
    uiDir.path = saved;
  });

  it('needs the token once, then a cookie opens its files and nothing else', async () => {
    await http.get('/_mock/ui/').expect(401);
    const first = await http.get('/_mock/ui/?token=the-token').expect(200);
    expect(first.headers['content-type']).toContain('text/html');
    expect(first.headers['content-security-policy']).toContain("default-src 'self'");
    const cookie = (first.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const jar = cookie.split(';')[0]!;
    await http.get('/_mock/ui/app.js').set('Cookie', jar).expect(200).expect('Content-Type', /javascript/);
    await http.get('/_mock/ui/app.js').set('Cookie', 'avisim_mock_token=wrong').expect(401);
    // the cookie is not the control plane's token
    await http.get('/_mock/objects').set('Cookie', jar).expect(401);
    await http.post('/_mock/reset').set('Cookie', jar).expect(401);
    await http.get('/_mock/objects').set('X-Mock-Token', 'the-token').expect(200);
    await http.get('/_mock/ui/app.js').set('X-Mock-Token', 'the-token').expect(200);
  });

  it('serves only the files of its folder, and only to GET', async () => {
    const t = (r: request.Test) => r.set('X-Mock-Token', 'the-token');
    await t(http.get('/_mock/ui/..%2Fpackage.json')).expect(404);
    await t(http.get('/_mock/ui/../../package.json')).expect(404);
    await t(http.get('/_mock/ui/nothing.js')).expect(404);
    await t(http.post('/_mock/ui/')).expect(405);
    const moved = await t(http.get('/_mock/ui')).expect(308);
    expect(moved.headers.location).toBe('/_mock/ui/');
  });

  it('is linked from GET /', async () => {
    const res = await http.get('/').set('Accept', 'text/html').expect(200);
    expect(res.text).toContain('href="/_mock/ui/"');
  });
});

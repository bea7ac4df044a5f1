/**
 * Seed 004 (TKG routable pods on NSX-T) reproduced on seeds/routable-pods-nsxt.yaml: two workload
 * clusters whose vSphere cloud providers write one static route per node pod CIDR on the Tier-1
 * `/infra/tier-1s/tanzu-cl1` — cl1 (CLUSTER_CIDR 172.16.136.0/21) and cl2 (172.16.144.0/21) —
 * a scale-out (route created with hint 1455b87f-..., findable by id prefix), a scale-in (route
 * a57a555e-..._172.16.138.0_24 deleted, as in the seed's log), and cl2 deleted: its routes are
 * NOT removed (nothing is left to remove them), the cluster-tag search still finds them, the
 * Tier-1 cannot be deleted while they exist, and removing them by hand clears them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveEngine } from './helpers.js';
import request from 'supertest';
import { Engine } from '../server/engine.js';
import { listStaticRoutes } from '../server/nsxt/routes.js';

const AUTH = `Basic ${Buffer.from('admin:NSXTPASSWORD').toString('base64')}`;
const ROUTER_PATH = '/infra/tier-1s/tanzu-cl1';
const ROUTES = `/policy/api/v1${ROUTER_PATH}/static-routes`;

interface Node {
  name: string;
  uid: string;
  ip: string;
  podCIDR: string;
}

let engine: Engine;
let app: string;

const nsx = {
  get: (path: string) => request(app).get(path).set('Authorization', AUTH),
  patch: (path: string, body: object) => request(app).patch(path).set('Authorization', AUTH).send(body),
  del: (path: string) => request(app).delete(path).set('Authorization', AUTH),
  search: (query: string) =>
    request(app)
      .get(`/policy/api/v1/search/query?query=${encodeURIComponent(query)}`)
      .set('Authorization', AUTH),
};

/** One cluster's vSphere cloud provider route controller, reconciling its nodes. */
async function reconcile(cluster: string, nodes: Node[]): Promise<void> {
  const found = await nsx.search(`resource_type:StaticRoutes AND tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:${cluster}`);
  expect(found.status).toBe(200);
  const routes = (found.body.results as any[]).map((r) => ({
    id: r.id as string,
    network: r.network as string,
    node: (r.tags as any[]).find((t) => t.scope === 'vsphere.k8s.io/node-name')?.tag as string,
  }));
  for (const n of nodes) {
    if (routes.some((r) => r.node === n.name && r.network === n.podCIDR)) continue;
    const id = `${n.uid}_${n.podCIDR.replace('/', '_')}`;
    const res = await nsx.patch(`${ROUTES}/${id}`, {
      display_name: `${cluster}_${n.name}_${n.podCIDR}`,
      network: n.podCIDR,
      next_hops: [{ ip_address: n.ip }],
      tags: [
        { scope: 'vsphere.k8s.io/cluster-name', tag: cluster },
        { scope: 'vsphere.k8s.io/node-name', tag: n.name },
      ],
    });
    expect(res.status, res.text).toBe(200);
    const realized = await nsx.get(`/policy/api/v1/infra/realized-state/realized-entities?intent_path=${encodeURIComponent(`${ROUTER_PATH}/static-routes/${id}`)}`);
    expect(realized.body.results[0].state).toBe('REALIZED');
  }
  for (const r of routes) {
    if (!nodes.some((n) => n.name === r.node && n.podCIDR === r.network)) expect((await nsx.del(`${ROUTES}/${r.id}`)).status).toBe(200);
  }
}

/** Where the Tier-1 sends a packet for `ip`: the longest matching route's next hops. */
function nextHopsFor(ip: string): string[] {
  const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  let best: { len: number; hops: string[] } | undefined;
  for (const r of listStaticRoutes(engine, 'tanzu-cl1')) {
    const [net, len] = String(r.network).split('/') as [string, string];
    const mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
    if (((toInt(ip) & mask) >>> 0) !== ((toInt(net) & mask) >>> 0)) continue;
    if (!best || Number(len) > best.len) best = { len: Number(len), hops: (r.next_hops as any[]).map((h) => h.ip_address) };
  }
  return best?.hops ?? [];
}

const cl1: Node[] = [
  { name: 'cl1-control-plane-nh9n7', uid: '6f0c5a0e-2a51-4d51-9a55-0f6d2a9e1b01', ip: '172.16.128.63', podCIDR: '172.16.136.0/24' },
  { name: 'cl1-md-0-5789bbcb76-hbnqz', uid: '3c1d7f2b-5b8e-4a7e-8f4a-6f3f1d2e9c02', ip: '172.16.128.126', podCIDR: '172.16.137.0/24' },
  { name: 'cl1-md-0-5789bbcb76-sx7kp', uid: 'a57a555e-e4eb-49ad-af74-e11a7d7a8ad8', ip: '172.16.128.51', podCIDR: '172.16.138.0/24' },
];
const cl1New: Node = { name: 'cl1-md-0-5789bbcb76-vvrjv', uid: '1455b87f-8fbe-4cfd-b43c-fdfb822acfc7', ip: '172.16.128.35', podCIDR: '172.16.139.0/24' };
const cl2: Node[] = [
  { name: 'cl2-control-plane-4xq2m', uid: '0b4e9a51-7a0c-4d3e-9f11-3a5c7e1d2f10', ip: '172.16.128.70', podCIDR: '172.16.144.0/24' },
  { name: 'cl2-md-0-7d9f8c6b5-kd8wz', uid: '9e2f4c71-1d3a-4b6e-8c5f-2a7b9d0e3f11', ip: '172.16.128.71', podCIDR: '172.16.145.0/24' },
  { name: 'cl2-md-0-7d9f8c6b5-p2lmn', uid: '5d8a1b3c-6e4f-4a2b-9c7d-1e0f3a5b7c12', ip: '172.16.128.72', podCIDR: '172.16.146.0/24' },
];

beforeAll(async () => {
  engine = await Engine.create({ scenario: 'seeds/routable-pods-nsxt.yaml', seed: 4 });
  app = (await serveEngine(engine)).app;
});
afterAll(() => engine.close());

describe('environment 004: routable pods on Tier-1 tanzu-cl1', () => {
  it('the scenario: Tier-1 tanzu-cl1 advertising static routes, no routes yet; Avi data network tanzu-overlay', async () => {
    const t1 = await nsx.get('/policy/api/v1/infra/tier-1s/tanzu-cl1');
    expect(t1.status).toBe(200);
    expect(t1.body).toMatchObject({ id: 'tanzu-cl1', path: ROUTER_PATH, route_advertisement_types: expect.arrayContaining(['TIER1_STATIC_ROUTES']) });
    expect((await nsx.get(ROUTES)).body).toMatchObject({ results: [], result_count: 0 });
    expect(engine.nsx.username).toBe('admin');
    const net = [...engine.store.collection('network').values()].map((r) => r.data.name);
    expect(net).toContain('tanzu-overlay');
  });

  it('both clusters come up: one /24 route per node, next hop the node IP, inside each CLUSTER_CIDR', async () => {
    await reconcile('cl1', cl1);
    await reconcile('cl2', cl2);
    const all = (await nsx.get(ROUTES)).body;
    expect(all.result_count).toBe(6);
    const cl1Routes = (await nsx.search('resource_type:StaticRoutes AND tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:cl1')).body.results;
    expect(cl1Routes.map((r: any) => r.network).sort()).toEqual(['172.16.136.0/24', '172.16.137.0/24', '172.16.138.0/24']);
    expect(cl1Routes.find((r: any) => r.network === '172.16.137.0/24')).toMatchObject({
      id: '3c1d7f2b-5b8e-4a7e-8f4a-6f3f1d2e9c02_172.16.137.0_24',
      display_name: 'cl1_cl1-md-0-5789bbcb76-hbnqz_172.16.137.0/24',
      next_hops: [{ ip_address: '172.16.128.126', admin_distance: 1 }],
    });
    const cl2Routes = (await nsx.search('resource_type:StaticRoutes AND tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:cl2')).body.results;
    expect(cl2Routes.map((r: any) => r.network).sort()).toEqual(['172.16.144.0/24', '172.16.145.0/24', '172.16.146.0/24']);
    // pods are reachable without NAT: the Tier-1 routes a pod IP to its node
    expect(nextHopsFor('172.16.137.9')).toEqual(['172.16.128.126']);
    expect(nextHopsFor('172.16.145.20')).toEqual(['172.16.128.71']);
    expect(nextHopsFor('172.16.140.1')).toEqual([]);
  });

  it('scale-out: the new node gets its route, findable by the hint (node UID) as id prefix', async () => {
    await reconcile('cl1', [...cl1, cl1New]);
    const byHint = await nsx.search('id:1455b87f-8fbe-4cfd-b43c-fdfb822acfc7*');
    expect(byHint.body.result_count).toBe(1);
    expect(byHint.body.results[0].id).toBe('1455b87f-8fbe-4cfd-b43c-fdfb822acfc7_172.16.139.0_24');
    expect(nextHopsFor('172.16.139.5')).toEqual(['172.16.128.35']);
  });

  it('scale-in: the oldest worker goes, route a57a555e-..._172.16.138.0_24 is deleted', async () => {
    await reconcile('cl1', [cl1[0]!, cl1[1]!, cl1New]);
    expect((await nsx.get(`${ROUTES}/a57a555e-e4eb-49ad-af74-e11a7d7a8ad8_172.16.138.0_24`)).status).toBe(404);
    expect(nextHopsFor('172.16.138.5')).toEqual([]);
    expect((await nsx.get(ROUTES)).body.result_count).toBe(6);
  });

  it('cluster cl2 is deleted: its routes stay (stale), the search still finds them', async () => {
    // nothing runs reconcile('cl2', []) any more: the cluster and its cloud provider are gone
    const stale = await nsx.search('resource_type:StaticRoutes AND tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:cl2');
    expect(stale.body.result_count).toBe(3);
    expect(nextHopsFor('172.16.146.3')).toEqual(['172.16.128.72']);
    // the Tier-1 cannot go while they are there
    const refused = await nsx.del('/policy/api/v1/infra/tier-1s/tanzu-cl1');
    expect(refused.status).toBe(400);
    expect(refused.body.error_message).toMatch(/cannot be deleted as either it has children or it is being referenced by other objects/);
    // cl1 keeps working beside them
    await reconcile('cl1', [cl1[0]!, cl1[1]!, cl1New]);
    expect((await nsx.get(ROUTES)).body.result_count).toBe(6);
  });

  it('the stale routes removed by hand (what the seed says an operator must do)', async () => {
    const stale = (await nsx.search('tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:cl2')).body.results as any[];
    for (const r of stale) expect((await nsx.del(`/policy/api/v1${r.path}`)).status).toBe(200);
    expect((await nsx.search('tags.tag:cl2')).body.result_count).toBe(0);
    expect((await nsx.get(ROUTES)).body.results.map((r: any) => r.network).sort()).toEqual(['172.16.136.0/24', '172.16.137.0/24', '172.16.139.0/24']);
  });
});

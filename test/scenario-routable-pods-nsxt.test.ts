/**
 * Environment 004 on seeds/routable-pods-nsxt.yaml, as clients see it at start through the public
 * APIs (test/nsxt-routable-pods.test.ts plays the clusters' route controllers against it): the
 * Avi controller TKG is given, its data network, and Tier-1 tanzu-cl1 on the NSX API.
 */
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, startSim, TEST_HOST, type Sim } from './helpers.js';

let sim: Sim;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startSim({ scenario: 'routable-pods-nsxt', seed: 4 });
  api = client(sim);
});

describe('environment 004: TKG routable pods on NSX-T', () => {
  it('is a one-node controller at 192.168.30.250 (AVI_CONTROLLER), version 20.1.6', async () => {
    expect((await api.get('/api/initial-data')).body.version.Version).toBe('20.1.6');
    expect((await api.get('/api/cluster/runtime')).body.node_states.map((n: any) => [n.name, n.role])).toEqual([['192.168.30.250', 'CLUSTER_LEADER']]);
  });

  it('has AVI_CLOUD_NAME Default-Cloud, AVI_SERVICE_ENGINE_GROUP Default-Group and AVI_DATA_NETWORK tanzu-overlay 172.16.128.0/21', async () => {
    expect((await api.get('/api/serviceenginegroup?name=Default-Group&cloud_ref.name=Default-Cloud')).body.count).toBe(1);
    const net = (await api.get('/api/network?name=tanzu-overlay&include_name')).body.results[0];
    expect(net.cloud_ref).toMatch(/#Default-Cloud$/);
    expect(net.configured_subnets.map((s: any) => `${s.prefix.ip_addr.addr}/${s.prefix.mask}`)).toEqual(['172.16.128.0/21']);
  });

  it('has Tier-1 tanzu-cl1 (NSXT_ROUTER_PATH) on the NSX API for NSXT_USERNAME admin / NSXT_PASSWORD', async () => {
    const res = await request(sim.app)
      .get('/policy/api/v1/infra/tier-1s')
      .set('Host', TEST_HOST)
      .set('Authorization', `Basic ${Buffer.from('admin:NSXTPASSWORD').toString('base64')}`);
    expect(res.status).toBe(200);
    expect(res.body.results.map((t: any) => [t.path, t.route_advertisement_types])).toEqual([
      ['/infra/tier-1s/tanzu-cl1', ['TIER1_STATIC_ROUTES', 'TIER1_CONNECTED']],
    ]);
  });
});

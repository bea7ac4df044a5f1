/**
 * Contract: AKO's boot sequence. Each read is one AKO makes before it
 * creates anything, with the checks it applies to the answer (it exits or shuts down otherwise).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { akoClient, akoEnv, type AkoEnv } from './support/ako.js';
import { useTarget } from './support/target.js';

const t = useTarget();
let env: AkoEnv;
beforeAll(async () => {
  env = await akoEnv(t);
});

describe("AKO's boot", () => {
  it('reads the controller version it can parse part by part', async () => {
    const res = await env.ako.get('/api/initial-data');
    expect(res.status).toBe(200);
    const parts = String(res.body.version.Version).split('.');
    expect(parts.every((p) => /^\d+$/.test(p))).toBe(true);
  });

  it('finds the cluster up, with a leader whose name and up_since do not change', async () => {
    const a = (await env.ako.get('/api/cluster/runtime')).body;
    expect(['CLUSTER_UP_NO_HA', 'CLUSTER_UP_HA_ACTIVE', 'CLUSTER_UP_HA_COMPROMISED']).toContain(a.cluster_state.state);
    const leader = a.node_states.find((n: any) => n.role === 'CLUSTER_LEADER');
    expect(leader).toBeDefined();
    const b = (await env.ako.get('/api/cluster/runtime')).body;
    const again = b.node_states.find((n: any) => n.role === 'CLUSTER_LEADER');
    expect([again.name, again.up_since]).toEqual([leader.name, leader.up_since]);
  });

  it('reads the license tier, the admin tenant and the cloud', async () => {
    expect((await env.ako.get('/api/systemconfiguration')).body.default_license_tier).toMatch(/^(ENTERPRISE|ENTERPRISE_WITH_CLOUD_SERVICES|ESSENTIALS|BASIC)$/);
    const tenant = (await env.ako.get('/api/tenant?name=admin')).body;
    expect(tenant.count).toBe(1);
    expect(tenant.results[0].uuid).toBe('admin');
    const cloud = (await env.ako.get('/api/cloud?name=Default-Cloud')).body.results[0];
    expect(cloud.vtype).toBe('CLOUD_NONE');
  });

  it('puts its cluster label on the SE group when absent; a second cluster sharing the group keeps working', async () => {
    const label = env.cluster('tkgm-guest1');
    const read = async () => (await env.ako.get(`/api/serviceenginegroup?name=${env.seGroup}&cloud_ref.name=Default-Cloud&include_name`)).body;
    const first = await read();
    expect(first.count).toBe(1);
    const seg = first.results[0];
    expect(seg.labels ?? []).toEqual([]);
    const put = await env.ako.put(`/api/serviceenginegroup/${seg.uuid}`, { ...seg, labels: [{ key: 'clustername', value: label }] });
    expect(put.status).toBe(200);
    // The second cluster's AKO boots against the same group: it sees a label, leaves it, reads on.
    const second = await read();
    expect(second.results[0].labels).toEqual([{ key: 'clustername', value: label }]);
    // The group carries at most one label: a second one is refused, the first kept.
    const two = await env.ako.put(`/api/serviceenginegroup/${seg.uuid}`, {
      ...second.results[0],
      labels: [{ key: 'clustername', value: label }, { key: 'clustername', value: env.cluster('tkgm-guest2') }],
    });
    expect(two.status).toBe(400);
    expect((await read()).results[0].labels).toEqual([{ key: 'clustername', value: label }]);
  });

  it('reads its networks and the VRF by name within the cloud', async () => {
    for (const name of [env.vipNetwork, env.nodeNetwork]) {
      const res = (await env.ako.get(`/api/network?name=${name}&cloud_ref.name=Default-Cloud`)).body;
      expect(res.count).toBe(1);
      expect(res.results[0].configured_subnets.length).toBeGreaterThan(0);
    }
    const vrf = (await env.ako.get('/api/vrfcontext?name=global&cloud_ref.name=Default-Cloud')).body;
    expect(vrf.count).toBe(1);
  });

  it('lists what it owns across tenants, filtered as AKO filters, 100 at a time', async () => {
    const all = akoClient(t.admin, '*');
    const cluster = env.cluster('tkgm-guest1');
    for (const type of ['virtualservice', 'pool', 'poolgroup', 'vsvip', 'httppolicyset', 'l4policyset']) {
      const res = await all.get(`/api/${type}?created_by=ako-${cluster}&name.contains=${cluster}--&page_size=100&cloud_ref.name=Default-Cloud`);
      expect(res.status, type).toBe(200);
      expect(res.body.count, type).toBe(0);
      expect(res.body).not.toHaveProperty('next');
    }
    const labelled = await all.get(`/api/pool?label_key=clustername&label_value=${cluster}&page_size=100`);
    expect(labelled.body.count).toBe(0);
  });
});

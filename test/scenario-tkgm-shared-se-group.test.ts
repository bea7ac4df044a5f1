/**
 * Environment 000 on seeds/tkgm-shared-se-group.yaml, through the public API only: a 20.1.6
 * controller whose vCenter Default-Cloud holds the workload and VIP networks and the SE group
 * seg-tkgm-guest1 that two TKG clusters' AKOs share; both clusters' services land on one SE.
 */
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { anotherSession, client, startSim, uuidOf, type Sim, onlyOne, subnetsOf } from './helpers.js';

let sim: Sim;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startSim({ scenario: 'tkgm-shared-se-group', seed: 0 });
  api = client(sim);
});

const one = (path: string) => onlyOne(api, path);


describe('environment 000: two TKG-m clusters sharing SE group seg-tkgm-guest1', () => {
  it('takes the AKO values\' credentials (admin / VMware1!)', async () => {
    const res = await request(sim.app).post('/login').send({ username: 'admin', password: 'VMware1!' });
    expect(res.status).toBe(200);
    expect(res.body.version.Version).toBe('20.1.6');
  });

  it('is controller 20.1.6, a one-node cluster at 10.115.1.52 that AKO accepts', async () => {
    expect((await api.get('/api/initial-data')).body.version.Version).toBe('20.1.6');
    const rt = (await api.get('/api/cluster/runtime')).body;
    expect(rt.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    expect(rt.node_states).toEqual([expect.objectContaining({ name: '10.115.1.52', role: 'CLUSTER_LEADER', state: 'CLUSTER_ACTIVE' })]);
  });

  it('has Default-Cloud on vCenter, the only cloud', async () => {
    const clouds = (await api.get('/api/cloud')).body.results;
    expect(clouds.map((c: any) => [c.name, c.vtype])).toEqual([['Default-Cloud', 'CLOUD_VCENTER']]);
  });

  it('has the node network VDS01-VLAN114-Workload 10.114.1.0/24 and the VIP network VDS01-VLAN112-VIP 10.112.1.0/24 with a static VIP range', async () => {
    const nets = (await api.get('/api/network?cloud_ref.name=Default-Cloud&include_name')).body.results;
    expect(nets.map((n: any) => n.name)).toEqual(['VDS01-VLAN114-Workload', 'VDS01-VLAN112-VIP']);
    expect(subnetsOf(nets[0])).toEqual([{ subnet: '10.114.1.0/24', ranges: [] }]);
    expect(subnetsOf(nets[1])).toEqual([
      { subnet: '10.112.1.0/24', ranges: ['10.112.1.100-10.112.1.200 STATIC_IPS_FOR_VIP', '10.112.1.201-10.112.1.250 STATIC_IPS_FOR_SE'] },
    ]);
    for (const n of nets) expect(n.vrf_context_ref).toMatch(/#global$/);
  });

  it('has the shared SE group seg-tkgm-guest1 in Default-Cloud, without a cluster label', async () => {
    const seg = await one('/api/serviceenginegroup?name=seg-tkgm-guest1&cloud_ref.name=Default-Cloud');
    expect(seg.labels).toBeUndefined();
    const cloud = await one('/api/cloud?name=Default-Cloud');
    expect(uuidOf(seg.cloud_ref)).toBe(cloud.uuid);
  });

  it('gives both clusters\' VIPs from the static range and hosts both clusters\' virtual services on one SE', async () => {
    const guest2 = client(await anotherSession(sim));
    const ses: string[][] = [];
    const vips: string[] = [];
    for (const [cluster, c, nodes] of [
      ['tkgm-guest1', api, ['10.114.1.57', '10.114.1.59']],
      ['tkgm-guest2', guest2, ['10.114.1.65', '10.114.1.17']],
    ] as const) {
      const name = `${cluster}--default-hello-kubernetes`;
      const vsvip = await c.create('vsvip', {
        name,
        cloud_ref: '/api/cloud/?name=Default-Cloud',
        vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=VDS01-VLAN112-VIP' } }],
      });
      vips.push(vsvip.vip[0].ip_address.addr);
      // NodePortLocal: the pool's servers are node addresses with the ports Antrea gave the pods
      const pool = await c.create('pool', { name, servers: nodes.map((addr, i) => ({ ip: { addr, type: 'V4' }, port: 61000 + i })) });
      const vs = await c.create('virtualservice', {
        name,
        cloud_ref: '/api/cloud/?name=Default-Cloud',
        se_group_ref: '/api/serviceenginegroup/?name=seg-tkgm-guest1',
        vsvip_ref: `/api/vsvip/${vsvip.uuid}`,
        pool_ref: `/api/pool/${pool.uuid}`,
        services: [{ port: 80 }],
      });
      const rt = (await c.get(`/api/virtualservice/${vs.uuid}/runtime/`)).body;
      ses.push(rt.vip_summary[0].service_engine.map((e: any) => e.uuid));
    }
    expect(vips).toEqual(['10.112.1.100', '10.112.1.101']);
    expect(ses[0]).toHaveLength(1);
    expect(ses[1]).toEqual(ses[0]);
  });
});

/**
 * Environment 001 on seeds/vcenter-vrf-az1.yaml, through the public API only: a 20.1.2
 * controller, vCenter Default-Cloud, VIP network AVI_FRONTEND_3025 in VRF VRF_AZ1 (where AKO
 * finds the VRF it writes pod routes to), SE group S1-AZ1-SE-Group, DNS domain avi.iberia.local.
 */
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, startSim, uuidOf, type Sim, onlyOne } from './helpers.js';

let sim: Sim;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startSim({ scenario: 'vcenter-vrf-az1', seed: 1 });
  api = client(sim);
});

const one = (path: string) => onlyOne(api, path);

describe('environment 001: site 1 AZ1 in VRF VRF_AZ1 of a vCenter cloud', () => {
  it('takes the AKO values\' credentials (admin / password01)', async () => {
    expect((await request(sim.app).post('/login').send({ username: 'admin', password: 'password01' })).status).toBe(200);
    expect((await request(sim.app).post('/login').send({ username: 'admin', password: 'VMware1!' })).status).toBe(401);
  });

  it('is controller 20.1.2, a one-node cluster at 10.10.20.43', async () => {
    expect((await api.get('/api/initial-data')).body.version.Version).toBe('20.1.2');
    const rt = (await api.get('/api/cluster/runtime')).body;
    expect(rt.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    expect(rt.node_states.map((n: any) => [n.name, n.role])).toEqual([['10.10.20.43', 'CLUSTER_LEADER']]);
  });

  it('has Default-Cloud on vCenter with its IPAM and DNS profiles', async () => {
    const cloud = await one('/api/cloud?name=Default-Cloud&include_name');
    expect(cloud.vtype).toBe('CLOUD_VCENTER');
    expect(cloud.ipam_provider_ref).toMatch(/#avi-ipam$/);
    expect(cloud.dns_provider_ref).toMatch(/#avi-dns$/);
    const ipam = await one('/api/ipamdnsproviderprofile?name=avi-ipam&include_name');
    expect(ipam.internal_profile.usable_networks.map((u: any) => u.nw_ref.split('#')[1])).toEqual(['AVI_FRONTEND_3025']);
  });

  it('lists avi.iberia.local as the cloud\'s DNS domain', async () => {
    const cloud = await one('/api/cloud?name=Default-Cloud');
    const res = await api.get(`/api/ipamdnsproviderprofiledomainlist?cloud_uuid=${cloud.uuid}`);
    expect(res.body).toEqual({ domains: ['avi.iberia.local'] });
  });

  it('has VRF_AZ1 beside the cloud\'s global and management VRFs, with no routes before AKO starts', async () => {
    const vrfs = (await api.get('/api/vrfcontext?cloud_ref.name=Default-Cloud')).body.results;
    expect(vrfs.map((v: any) => v.name)).toEqual(['global', 'management', 'VRF_AZ1']);
    expect(vrfs[2].static_routes ?? []).toEqual([]);
  });

  it('has AVI_FRONTEND_3025 10.10.25.0/24 in VRF_AZ1: the VRF AKO finds from its VIP network', async () => {
    const net = await one('/api/network?name=AVI_FRONTEND_3025&include_name');
    expect(net.configured_subnets.map((s: any) => `${s.prefix.ip_addr.addr}/${s.prefix.mask}`)).toEqual(['10.10.25.0/24']);
    expect(net.vrf_context_ref).toMatch(/#VRF_AZ1$/);
    const vrf = (await api.get(`/api/vrfcontext/${uuidOf(net.vrf_context_ref)}`)).body;
    expect(vrf.name).toBe('VRF_AZ1');
  });

  it('has SE group S1-AZ1-SE-Group in Default-Cloud', async () => {
    const seg = await one('/api/serviceenginegroup?name=S1-AZ1-SE-Group&include_name');
    expect(seg.cloud_ref).toMatch(/#Default-Cloud$/);
  });

  it('takes the three pod routes AKO 1.4 writes into VRF_AZ1 and allocates a VIP there', async () => {
    const vrf = await one('/api/vrfcontext?name=VRF_AZ1');
    // One route per node: pod CIDR via the node. The note elides the addresses: these are made up.
    const routes = [1, 2, 3].map((i) => ({
      route_id: `S1-AZ1-${i}`,
      prefix: { ip_addr: { addr: `10.34.${i}.0`, type: 'V4' }, mask: 24 },
      next_hop: { addr: `10.10.24.${50 + i}`, type: 'V4' },
    }));
    const res = await api.patch(`/api/vrfcontext/${vrf.uuid}`, { replace: { static_routes: routes } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.static_routes.map((r: any) => r.route_id)).toEqual(['S1-AZ1-1', 'S1-AZ1-2', 'S1-AZ1-3']);
    const vsvip = await api.create('vsvip', {
      name: 'S1-AZ1--default-hackazon',
      vrf_context_ref: '/api/vrfcontext/?name=VRF_AZ1',
      vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=AVI_FRONTEND_3025' } }],
    });
    expect(vsvip.vip[0].ip_address.addr).toBe('10.10.25.100');
  });
});

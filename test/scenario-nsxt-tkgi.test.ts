/**
 * Environment 002 on seeds/nsxt-tkgi.yaml, through the public APIs only: a 22.1.4 controller with
 * NSX-T cloud nsx-t-lhr, VRF The-Tier-1 found from VIP network vip-l4-incluster-tkgi, the node
 * networks, the hand-made Kubernetes API virtual service at 10.146.101.10:8443, and on the NSX
 * side Tier-1 The-Tier-1 carrying that VIP's /32 route towards its Service Engine.
 */
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, startSim, TEST_HOST, uuidOf, type Sim, onlyOne } from './helpers.js';

const NSX_PASSWORD = 'Nsx-Tkgi-Pw-1';

let sim: Sim;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startSim({ scenario: 'nsxt-tkgi', seed: 2, nsx: { password: NSX_PASSWORD } });
  api = client(sim);
});

const one = (path: string) => onlyOne(api, path);

const nsx = (path: string) =>
  request(sim.app)
    .get(`/policy/api/v1${path}`)
    .set('Host', TEST_HOST)
    .set('Authorization', `Basic ${Buffer.from(`admin:${NSX_PASSWORD}`).toString('base64')}`);

const subnets = (net: any) => net.configured_subnets.map((s: any) => `${s.prefix.ip_addr.addr}/${s.prefix.mask}`);

describe('environment 002: TKGi on NSX-T cloud nsx-t-lhr', () => {
  it('is controller 22.1.4 (newer than the 22.1.3 AKO caps at), one node at 172.60.146.50', async () => {
    expect((await api.get('/api/initial-data')).body.version.Version).toBe('22.1.4');
    const rt = (await api.get('/api/cluster/runtime')).body;
    expect(rt.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    expect(rt.node_states.map((n: any) => n.name)).toEqual(['172.60.146.50']);
  });

  it('has the NSX-T cloud nsx-t-lhr with The-Tier-1 in its data network config', async () => {
    const cloud = await one('/api/cloud?name=nsx-t-lhr');
    expect(cloud.vtype).toBe('CLOUD_NSXT');
    expect(cloud.nsxt_configuration.data_network_config.tier1_segment_config.manual.tier1_lrs).toEqual([
      { tier1_lr_id: '/infra/tier-1s/The-Tier-1', segment_id: '/infra/segments/avi-se-generic-data' },
    ]);
    const domains = (await api.get(`/api/ipamdnsproviderprofiledomainlist?cloud_uuid=${cloud.uuid}`)).body;
    expect(domains).toEqual({ domains: ['this-is-a.domain.net'] });
  });

  it('has SE groups se-group-generic and se-dns-group in nsx-t-lhr', async () => {
    const names = (await api.get('/api/serviceenginegroup?cloud_ref.name=nsx-t-lhr')).body.results.map((s: any) => s.name);
    expect(names).toEqual(['Default-Group', 'se-group-generic', 'se-dns-group']);
  });

  it('has VRF The-Tier-1, found from the VIP network vip-l4-incluster-tkgi 10.146.102.0/24', async () => {
    const vrfs = (await api.get('/api/vrfcontext?cloud_ref.name=nsx-t-lhr')).body.results.map((v: any) => v.name);
    expect(vrfs).toEqual(['global', 'management', 'The-Tier-1']);
    const net = await one('/api/network?name=vip-l4-incluster-tkgi&include_name');
    expect(subnets(net)).toEqual(['10.146.102.0/24']);
    expect(net.vrf_context_ref).toMatch(/#The-Tier-1$/);
    expect(net.cloud_ref).toMatch(/#nsx-t-lhr$/);
  });

  it('has the node networks 10.146.41.0/24 and 10.146.42.0/24 and the API VIP network 10.146.101.0/24', async () => {
    const nets = (await api.get('/api/network?cloud_ref.name=nsx-t-lhr')).body.results;
    expect(Object.fromEntries(nets.map((n: any) => [n.name, subnets(n)]))).toEqual({
      'vip-l4-incluster-tkgi': ['10.146.102.0/24'],
      'vip-l4-k8s-api': ['10.146.101.0/24'],
      'ls-tkgi-service-network': ['10.146.41.0/24'],
      'pks-0b7d0725-c67b-4e14-b6d0-52f799cb3556': ['10.146.42.0/24'],
    });
  });

  it('has the Kubernetes API virtual service: 10.146.101.10:8443 to the three control-plane nodes on 8443, up', async () => {
    const vs = await one('/api/virtualservice?name=tkgi-cluster-1-antrea-k8s-api&include_name');
    expect(vs.services.map((s: any) => s.port)).toEqual([8443]);
    expect(vs.se_group_ref).toMatch(/#se-group-generic$/);
    const vsvip = (await api.get(`/api/vsvip/${uuidOf(vs.vsvip_ref)}`)).body;
    expect(vsvip.vip.map((v: any) => v.ip_address.addr)).toEqual(['10.146.101.10']);
    expect(vsvip.dns_info.map((d: any) => d.fqdn)).toEqual(['tkgi-cluster-1-antrea.this-is-a.domain.net']);
    const pool = (await api.get(`/api/pool/${uuidOf(vs.pool_ref)}`)).body;
    expect(pool.servers.map((s: any) => `${s.ip.addr}:${s.port}`)).toEqual(['10.146.41.2:8443', '10.146.41.3:8443', '10.146.41.4:8443']);
    const rt = (await api.get(`/api/virtualservice/${vs.uuid}/runtime/`)).body;
    expect(rt.oper_status.state).toBe('OPER_UP');
  });

  it('has Tier-1 The-Tier-1 on the NSX API, carrying the API VIP\'s /32 route to its Service Engine', async () => {
    const t1s = (await nsx('/infra/tier-1s')).body;
    expect(t1s.results.map((t: any) => t.id)).toEqual(['The-Tier-1']);
    const routes = (await nsx('/infra/tier-1s/The-Tier-1/static-routes')).body.results;
    expect(routes.map((r: any) => r.network)).toEqual(['10.146.101.10/32']);
    const ses = (await api.get('/api/serviceengine')).body.results;
    expect(ses).toHaveLength(1);
    const seIp = ses[0].data_vnics[0].vnic_networks[0].ip.ip_addr.addr;
    expect(routes[0].next_hops).toEqual([{ ip_address: seIp, admin_distance: 1 }]);
  });

  it('gives AKO\'s first LoadBalancer service 10.146.102.100, as in the note', async () => {
    const vsvip = await api.create('vsvip', {
      name: 'tkgi-cluster-1-antrea--yelb-yelb-ui',
      cloud_ref: '/api/cloud/?name=nsx-t-lhr',
      vrf_context_ref: '/api/vrfcontext/?name=The-Tier-1',
      tier1_lr: '/infra/tier-1s/The-Tier-1',
      vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=vip-l4-incluster-tkgi' } }],
    });
    expect(vsvip.vip[0].ip_address.addr).toBe('10.146.102.100');
  });
});

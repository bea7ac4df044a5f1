/**
 * Runtime and detail sub-resources answered from state, and the actions that change it, over
 * HTTP. Default-Cloud is on vCenter (test/fixtures/scenarios/vcenter-cloud.yaml), so the
 * controller deploys SEs as virtual services are placed.
 */
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bodyWith, client, startSim, type Sim } from './helpers.js';

const ORCHESTRATED = path.join(import.meta.dirname, 'fixtures', 'scenarios', 'vcenter-cloud.yaml');

type Data = Record<string, any>;

let sim: Sim;
let api: ReturnType<typeof client>;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;
const v4 = (addr: string) => ({ addr, type: 'V4' });

const get = (url: string) => bodyWith(api.get(url));
const post = (type: string, body: Data) => api.create(type, body);
const action = (url: string, body: Data = {}) => bodyWith(api.post(url, body));

let net: Data;
let vip = 10;

async function makeVs(extra: Data = {}, servers: Data[] = [{ ip: v4('192.168.1.1'), port: 8080 }]): Promise<{ vs: Data; pool: Data }> {
  const pool = await post('pool', { name: uniq('pool'), servers });
  const vsvip = await post('vsvip', { name: uniq('vsvip'), vip: [{ vip_id: '0', ip_address: v4(`10.10.0.${vip++}`), ipam_network_subnet: { network_ref: `/api/network/${net.uuid}` } }] });
  const vs = await post('virtualservice', { name: uniq('vs'), services: [{ port: 80 }], vsvip_ref: `/api/vsvip/${vsvip.uuid}`, pool_ref: `/api/pool/${pool.uuid}`, ...extra });
  return { vs, pool };
}

const seOf = (body: Data): string[] => body.se_list.map((e: Data) => e.se_uuid);

beforeEach(async () => {
  sim = await startSim({ scenario: ORCHESTRATED, seed: 5 });
  api = client(sim);
  vip = 10;
  net = await post('network', {
    name: uniq('net'),
    configured_subnets: [{
      prefix: { ip_addr: v4('10.10.0.0'), mask: 24 },
      static_ip_ranges: [
        { range: { begin: v4('10.10.0.10'), end: v4('10.10.0.20') }, type: 'STATIC_IPS_FOR_VIP' },
        { range: { begin: v4('10.10.0.200'), end: v4('10.10.0.209') }, type: 'STATIC_IPS_FOR_SE' },
      ],
    }],
  });
});

describe('virtual service runtime sub-resources', () => {
  it('a disabled VS is down everywhere: runtime, runtime/detail, connections, and its SE no longer hosts it', async () => {
    const { vs } = await makeVs();
    const detail = await get(`/api/virtualservice/${vs.uuid}/runtime/detail/`);
    expect(detail).toMatchObject({ uuid: vs.uuid, name: vs.name, oper_status: { state: 'OPER_UP' } });
    const se = detail.vip_summary[0].service_engine[0].uuid;
    expect(seOf(await get(`/api/virtualservice/${vs.uuid}/connections/`))).toEqual([se]);
    expect((await get(`/api/serviceengine/${se}/placement/`)).vs_list.map((v: Data) => v.vs_uuid)).toEqual([vs.uuid]);

    await bodyWith(api.put(`/api/virtualservice/${vs.uuid}`, { ...(await get(`/api/virtualservice/${vs.uuid}`)), enabled: false }));
    expect((await get(`/api/virtualservice/${vs.uuid}/runtime/`)).oper_status.state).toBe('OPER_DISABLED');
    const down = await get(`/api/virtualservice/${vs.uuid}/runtime/detail/`);
    expect(down.oper_status.state).toBe('OPER_DISABLED');
    expect(down.vip_summary[0].oper_status.state).toBe('OPER_DOWN');
    expect(down.vip_summary[0].service_engine).toEqual([]);
    expect(await get(`/api/virtualservice/${vs.uuid}/httpstats/`)).toMatchObject({ oper_status: { state: 'OPER_DISABLED' }, se_list: [] });
    expect((await get(`/api/serviceengine/${se}/placement/`)).vs_list).toEqual([]);
    expect((await get(`/api/virtualservice/${vs.uuid}/runtime/internal/`)).vip_runtime[0].se_list).toBeUndefined();
  });

  it('candidatesehostlist lists the SEs of its group with room that do not host it yet', async () => {
    const seg = await post('serviceenginegroup', { name: uniq('seg'), max_vs_per_se: 1 });
    const a = await makeVs({ se_group_ref: `/api/serviceenginegroup/${seg.uuid}` });
    expect((await get(`/api/virtualservice/${a.vs.uuid}/candidatesehostlist/`)).se_list).toEqual([]);
    const b = await makeVs({ se_group_ref: `/api/serviceenginegroup/${seg.uuid}` });
    const seB = seOf(await get(`/api/virtualservice/${b.vs.uuid}/placement/`))[0];
    // both SEs are full (max_vs_per_se 1): none is a candidate; deleting B frees its SE
    expect((await get(`/api/virtualservice/${a.vs.uuid}/candidatesehostlist/`)).se_list).toEqual([]);
    await bodyWith(api.del(`/api/virtualservice/${b.vs.uuid}`), 204);
    expect(seOf(await get(`/api/virtualservice/${a.vs.uuid}/candidatesehostlist/`))).toEqual([seB]);
  });
});

describe('pool servers', () => {
  it('runtime/server lists every server with its state; disabling and removing one changes it', async () => {
    const { pool } = await makeVs({}, [{ ip: v4('192.168.1.1'), port: 8080 }, { ip: v4('192.168.1.2') }]);
    const servers = await get(`/api/pool/${pool.uuid}/runtime/server/`);
    expect(servers.servers.map((s: Data) => [s.server_name, s.oper_status.state])).toEqual([
      ['192.168.1.1:8080', 'OPER_UP'],
      ['192.168.1.2:80', 'OPER_UP'],
    ]);
    const now = await get(`/api/pool/${pool.uuid}`);
    await bodyWith(api.put(`/api/pool/${pool.uuid}`, { ...now, servers: [{ ...now.servers[0], enabled: false }, now.servers[1]] }));
    expect((await get(`/api/pool/${pool.uuid}/runtime/server/detail/`)).servers.map((s: Data) => s.oper_status.state)).toEqual(['OPER_DISABLED', 'OPER_UP']);
    const again = await get(`/api/pool/${pool.uuid}`);
    await bodyWith(api.put(`/api/pool/${pool.uuid}`, { ...again, servers: [again.servers[0]] }));
    const detail = await get(`/api/pool/${pool.uuid}/runtime/detail/`);
    expect(detail).toMatchObject({ num_servers: 1, num_servers_enabled: 0, oper_status: { state: 'OPER_DOWN', reason: ['All servers are disabled'] } });
    expect(detail.servers.map((s: Data) => s.server_name)).toEqual(['192.168.1.1:8080']);
    expect(detail.se_list).toHaveLength(1);
  });
});

describe('Service Engine and SE group views', () => {
  it('vnicdb and interface list the data NICs with the addresses placement gave them', async () => {
    const { vs } = await makeVs();
    const seUuid = seOf(await get(`/api/virtualservice/${vs.uuid}/placement/`))[0];
    const se = await get(`/api/serviceengine/${seUuid}`);
    const addr = se.data_vnics[0].vnic_networks[0].ip.ip_addr.addr;
    expect(addr).toBe('10.10.0.209');
    const db = await get(`/api/serviceengine/${seUuid}/vnicdb/`);
    expect(db.vnics.map((v: Data) => [v.if_name, v.network_ref, v.vnic_networks[0].ip.ip_addr.addr])).toEqual([
      ['eth1', `http://avi.test/api/network/${net.uuid}`, addr],
    ]);
    const intf = await get(`/api/serviceengine/${seUuid}/interface/`);
    expect(intf.interfaces[0].ip_addresses).toEqual([{ ip_addr: v4(addr), mask: 24 }]);
    expect((await get(`/api/serviceengine/${seUuid}/runtime/`)).oper_status.state).toBe('OPER_UP');
  });

  it('SE group placement views follow the SEs; a disabled SE is ineligible and down', async () => {
    const { vs } = await makeVs();
    const seUuid = seOf(await get(`/api/virtualservice/${vs.uuid}/placement/`))[0];
    const group = (await get(`/api/serviceengine/${seUuid}`)).se_group_ref.split('/').pop();
    const summary = await get(`/api/serviceenginegroup/${group}/placement/summary/`);
    expect(summary).toMatchObject({ num_se: 1, num_vs: 1, ineligible_se_list: [] });
    await bodyWith(api.patch(`/api/serviceengine/${seUuid}`, { replace: { enable_state: 'SE_STATE_DISABLED' } }));
    expect((await get(`/api/serviceenginegroup/${group}/placement/ineligible/`)).ineligible_se_list.map((e: Data) => e.se_ref)).toEqual([
      `http://avi.test/api/serviceengine/${seUuid}`,
    ]);
    expect((await get(`/api/serviceengine/${seUuid}/runtime/`)).oper_status.state).toBe('OPER_DISABLED');
  });
});

describe('cloud sub-resources', () => {
  it('status, health, hosts and placement/summary of the cloud', async () => {
    const cloud = (await get('/api/cloud?name=Default-Cloud')).results[0];
    expect(await get(`/api/cloud/${cloud.uuid}/status/`)).toMatchObject({ cc_id: cloud.uuid, state: 'CLOUD_STATE_PLACEMENT_READY' });
    expect(await get(`/api/cloud/${cloud.uuid}/health/`)).toMatchObject({ cc_id: cloud.uuid, vtype: 'CLOUD_VCENTER', num_fails: 0 });
    expect((await get(`/api/cloud/${cloud.uuid}/hosts/`)).count).toBe(0);
    await post('vimgrhostruntime', { name: 'esx-1', managed_object_id: 'host-1', type: 'CLOUD_VCENTER', cloud_ref: `/api/cloud/${cloud.uuid}` });
    expect((await get(`/api/cloud/${cloud.uuid}/hosts/`)).results.map((h: Data) => h.name)).toEqual(['esx-1']);
    expect(await get(`/api/cloud/${cloud.uuid}/placement/summary/`)).toMatchObject({ num_se: 0, num_vs: 0 });
    await makeVs();
    expect(await get(`/api/cloud/${cloud.uuid}/placement/summary/`)).toMatchObject({ num_se: 1, num_vs: 1 });
  });

  it('vCenter login is verified against the vCenter clouds configured', async () => {
    const cloud = (await get('/api/cloud?name=Default-Cloud')).results[0];
    await bodyWith(api.put(`/api/cloud/${cloud.uuid}`, { ...cloud, vcenter_configuration: { ...cloud.vcenter_configuration, vcenter_url: 'vc.lab.local', username: 'avi@vsphere.local', password: 'x', datacenter: 'dc-1' } }));
    const login = await action('/api/vimgrvcenterruntime/verifylogin', { vcenter_url: 'https://vc.lab.local', username: 'avi@vsphere.local', password: 'y' });
    expect(login.resource.vcenter_dc_info).toEqual([{ name: 'dc-1' }]);
    const refused = await api.post('/api/vimgrvcenterruntime/verifylogin', { vcenter_url: 'other.lab.local', username: 'avi@vsphere.local' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/other\.lab\.local/);
    expect(await action('/api/vimgrvcenterruntime/vcenterstatus', { cloud_uuid: cloud.uuid })).toMatchObject({ state: 'CLOUD_STATE_PLACEMENT_READY' });
    expect((await api.post('/api/vimgrvcenterruntime/awsverifylogin', {})).status).toBe(400);
  });
});

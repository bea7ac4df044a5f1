/**
 * What the controller makes by itself never blocks or outlives what a client makes:
 * - the Ansible / Terraform order (network, VsVip, pool, virtual service created, then deleted
 *   in reverse) leaves nothing behind and no delete is refused, on a No-Orchestrator cloud (no SE
 *   is ever deployed) and on a cloud with an orchestrator (the SE's data NIC does not block the
 *   network; the idle SE goes after its group's se_deprovision_delay);
 * - No-Orchestrator clouds run virtual services on hand-deployed SEs only (a scenario's);
 * - a new cloud comes with its own `global` and `management` VRFs and `Default-Group`, which
 *   go with it; scenario objects are matched by type, tenant, cloud and name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { client, startSim, TEST_HOST, uuidOf, type Sim } from './helpers.js';

type Data = Record<string, any>;
type Api = ReturnType<typeof client>;

const v4 = (addr: string) => ({ addr, type: 'V4' });
const MINUTE = 60_000;
/** fresh-controller with Default-Cloud on vCenter: the controller deploys SEs there */
const VCENTER = path.join(import.meta.dirname, 'fixtures', 'scenarios', 'vcenter-cloud.yaml');

afterEach(() => {
  vi.useRealTimers();
});

/** Every stored object as `type/uuid` (GET /_mock/snapshot). */
async function inventory(sim: Sim): Promise<string[]> {
  const res = await request(sim.app).get('/_mock/snapshot').set('Host', TEST_HOST);
  expect(res.status).toBe(200);
  return (res.body.objects as Data[]).map((o) => `${o.type}/${o.data.uuid}`).sort();
}

async function create(api: Api, type: string, body: Data): Promise<Data> {
  const res = await api.post(`/api/${type}`, body);
  expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body;
}

async function list(api: Api, path: string): Promise<Data[]> {
  const res = await api.get(path);
  expect(res.status, res.text).toBe(200);
  return res.body.results;
}

/**
 * The objects as the Ansible modules and the Terraform provider create them (by name refs to
 * the cloud, the VIP from the network's range), in that order.
 */
async function createApp(api: Api, cloud: string, net: string): Promise<Record<string, Data>> {
  const cloudRef = `/api/cloud/?name=${cloud}`;
  const network = await create(api, 'network', {
    name: `${net}-net`,
    cloud_ref: cloudRef,
    configured_subnets: [{
      prefix: { ip_addr: v4(`${net}.0`), mask: 24 },
      static_ip_ranges: [{ range: { begin: v4(`${net}.10`), end: v4(`${net}.20`) }, type: 'STATIC_IPS_FOR_VIP_AND_SE' }],
    }],
  });
  const vsvip = await create(api, 'vsvip', {
    name: `${net}-vip`,
    cloud_ref: cloudRef,
    vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: network.url } }],
  });
  const pool = await create(api, 'pool', {
    name: `${net}-pool`,
    cloud_ref: cloudRef,
    servers: [{ ip: v4('192.168.50.1'), port: 8080 }],
  });
  const vs = await create(api, 'virtualservice', {
    name: `${net}-vs`,
    cloud_ref: cloudRef,
    vsvip_ref: vsvip.url,
    pool_ref: pool.url,
    services: [{ port: 80 }],
  });
  return { network, vsvip, pool, vs };
}

/** Deleted in reverse, as the tools do: every delete must succeed. */
async function deleteApp(api: Api, made: Record<string, Data>): Promise<void> {
  for (const [type, obj] of [['virtualservice', made.vs], ['pool', made.pool], ['vsvip', made.vsvip], ['network', made.network]] as const) {
    const res = await api.del(`/api/${type}/${obj!.uuid}`);
    expect(res.status, `DELETE ${type}: ${res.text}`).toBe(204);
  }
}

function scenarioFile(doc: Data): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-lifecycle-')), 'scenario.yaml');
  writeFileSync(file, dump(doc));
  return file;
}

describe('the Ansible / Terraform order leaves nothing behind', () => {
  it('on Default-Cloud (No-Orchestrator): no SE is deployed, the network delete succeeds', async () => {
    const sim = await startSim();
    const api = client(sim);
    const before = await inventory(sim);
    const made = await createApp(api, 'Default-Cloud', '10.77.1');
    // the controller never deploys SEs on a No-Orchestrator cloud: the VS waits for one
    expect(await list(api, '/api/serviceengine')).toEqual([]);
    const rt = (await api.get(`/api/virtualservice/${made.vs!.uuid}/runtime/`)).body;
    expect(rt.oper_status).toMatchObject({ state: 'OPER_DOWN', reason: ['No Service Engine available'] });
    await deleteApp(api, made);
    expect(await inventory(sim)).toEqual(before);
  });

  it('on a vCenter cloud: the deployed SE\'s NIC does not block the network; the idle SE goes after se_deprovision_delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sim = await startSim();
    const api = client(sim);
    const before = await inventory(sim);
    const cloud = await create(api, 'cloud', { name: 'vc', vtype: 'CLOUD_VCENTER', vcenter_configuration: { privilege: 'WRITE_ACCESS' } });
    const made = await createApp(api, 'vc', '10.77.2');
    const [se, ...others] = await list(api, '/api/serviceengine');
    expect(others).toEqual([]);
    expect(se).toMatchObject({ controller_created: true });
    expect(uuidOf(se!.se_group_ref)).toBe(uuidOf(made.vs!.se_group_ref));
    expect(se!.data_vnics.map((n: Data) => uuidOf(n.network_ref))).toEqual([made.network!.uuid]);
    expect((await api.get(`/api/virtualservice/${made.vs!.uuid}/runtime/`)).body.oper_status.state).toBe('OPER_UP');

    await deleteApp(api, made);
    // idle, not yet deprovisioned (the group's default delay is 120 minutes), its NIC gone with the network
    const idle = await list(api, '/api/serviceengine');
    expect(idle.map((s) => s.uuid)).toEqual([se!.uuid]);
    expect(idle[0]!.data_vnics).toEqual([]);
    vi.advanceTimersByTime(119 * MINUTE);
    expect(await list(api, '/api/serviceengine')).toHaveLength(1);
    vi.advanceTimersByTime(MINUTE);
    expect(await list(api, '/api/serviceengine')).toEqual([]);

    // and the cloud goes with its own VRFs and SE group
    expect((await api.del(`/api/cloud/${cloud.uuid}`)).status).toBe(204);
    expect(await inventory(sim)).toEqual(before);
  });

  it('an idle SE that gets a virtual service again before the delay stays', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sim = await startSim({ scenario: VCENTER });
    const api = client(sim);
    const first = await createApp(api, 'Default-Cloud', '10.77.3');
    const [se] = await list(api, '/api/serviceengine');
    expect((await api.del(`/api/virtualservice/${first.vs!.uuid}`)).status).toBe(204);
    vi.advanceTimersByTime(60 * MINUTE);
    const again = await create(api, 'virtualservice', { name: 'again', vsvip_ref: first.vsvip!.url, services: [{ port: 80 }] });
    const rt = (await api.get(`/api/virtualservice/${again.uuid}/runtime/`)).body;
    expect(rt.vip_summary[0].service_engine.map((e: Data) => e.uuid)).toEqual([se!.uuid]);
    vi.advanceTimersByTime(24 * 60 * MINUTE);
    expect((await list(api, '/api/serviceengine')).map((s) => s.uuid)).toEqual([se!.uuid]);
  });

  it('after a restart from the state file, an idle SE\'s delay starts again', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-lifecycle-')), 'state.json');
    const first = await startSim({ stateFile: file, scenario: VCENTER });
    const made = await createApp(client(first), 'Default-Cloud', '10.77.5');
    expect((await client(first).del(`/api/virtualservice/${made.vs!.uuid}`)).status).toBe(204);
    await first.engine.close();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const second = await startSim({ stateFile: file, scenario: VCENTER });
    const api = client(second);
    expect(await list(api, '/api/serviceengine')).toHaveLength(1);
    vi.advanceTimersByTime(120 * MINUTE);
    expect(await list(api, '/api/serviceengine')).toEqual([]);
    await second.engine.close();
  });

  it('se_deprovision_delay 0: the controller never deletes the idle SE; the administrator can', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sim = await startSim({ scenario: VCENTER });
    const api = client(sim);
    const seg = await create(api, 'serviceenginegroup', { name: 'keep-ses', se_deprovision_delay: 0 });
    const network = await create(api, 'network', { name: 'n0', configured_subnets: [{ prefix: { ip_addr: v4('10.77.4.0'), mask: 24 } }] });
    const vsvip = await create(api, 'vsvip', { name: 'v0', vip: [{ vip_id: '0', ip_address: v4('10.77.4.5') }] });
    const vs = await create(api, 'virtualservice', { name: 'vs0', se_group_ref: seg.url, vsvip_ref: vsvip.url, services: [{ port: 80 }] });
    const [se] = await list(api, '/api/serviceengine');
    expect(se!.data_vnics.map((n: Data) => uuidOf(n.network_ref))).toEqual([network.uuid]);
    expect((await api.del(`/api/virtualservice/${vs.uuid}`)).status).toBe(204);
    vi.advanceTimersByTime(365 * 24 * 60 * MINUTE);
    expect((await list(api, '/api/serviceengine')).map((s) => s.uuid)).toEqual([se!.uuid]);
    // the SE refers to its group: the group waits for the administrator's clean-up
    const refused = await api.del(`/api/serviceenginegroup/${seg.uuid}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe(`Cannot delete, object is referred by: ['ServiceEngine ${se!.name}']`);
    expect((await api.del(`/api/serviceengine/${se!.uuid}`)).status).toBe(204);
    expect((await api.del(`/api/serviceenginegroup/${seg.uuid}`)).status).toBe(204);
  });
});

describe('No-Orchestrator clouds run on hand-deployed Service Engines', () => {
  it('a scenario\'s SE in Default-Group takes the VS (up), is left as deployed, and its NIC does not block the network', async () => {
    const sim = await startSim({
      scenario: scenarioFile({
        extends: 'fresh-controller',
        objects: [
          { network: { name: 'data', configured_subnets: [{ prefix: { ip_addr: v4('10.78.0.0'), mask: 24 } }] } },
          {
            serviceengine: {
              name: 'se-by-hand',
              se_group_ref: '/api/serviceenginegroup/?name=Default-Group',
              data_vnics: [{ if_name: 'eth1', mac_address: '00:50:56:01:02:03', network_ref: '/api/network/?name=data', vnic_networks: [{ ip: { ip_addr: v4('10.78.0.2'), mask: 24 }, mode: 'STATIC' }] }],
            },
          },
        ],
      }),
    });
    const api = client(sim);
    const [se] = await list(api, '/api/serviceengine');
    const made = await createApp(api, 'Default-Cloud', '10.78.1');
    const rt = (await api.get(`/api/virtualservice/${made.vs!.uuid}/runtime/`)).body;
    expect(rt.oper_status.state).toBe('OPER_UP');
    expect(rt.vip_summary[0].service_engine.map((e: Data) => e.uuid)).toEqual([se!.uuid]);
    // as deployed: no NIC hot-plugged on the VIP's network, nothing else created
    const after = await list(api, '/api/serviceengine');
    expect(after).toEqual([se]);
    await deleteApp(api, made);
    expect(await list(api, '/api/serviceengine')).toEqual([se]);
    // the SE's data NIC lets go of a network that is deleted
    const data = await list(api, '/api/network?name=data');
    expect((await api.del(`/api/network/${data[0]!.uuid}`)).status).toBe(204);
    const [left] = await list(api, '/api/serviceengine');
    expect(left!.data_vnics).toEqual([]);
  });

  it('a data NIC lets go, other refs still block: the SE group of an SE cannot be deleted', async () => {
    const sim = await startSim();
    const api = client(sim);
    const seg = await create(api, 'serviceenginegroup', { name: 'hand-seg' });
    const net = await create(api, 'network', { name: 'hand-net', configured_subnets: [{ prefix: { ip_addr: v4('10.78.2.0'), mask: 24 } }] });
    const se = await create(api, 'serviceengine', {
      name: 'hand-se',
      se_group_ref: seg.url,
      data_vnics: [
        { if_name: 'eth1', mac_address: '00:50:56:01:02:04', network_ref: net.url },
        { if_name: 'eth2', mac_address: '00:50:56:01:02:05' },
      ],
    });
    const refused = await api.del(`/api/serviceenginegroup/${seg.uuid}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("Cannot delete, object is referred by: ['ServiceEngine hand-se']");
    // a refused delete changed nothing
    expect((await api.get(`/api/serviceengine/${se.uuid}`)).body.data_vnics).toHaveLength(2);
    expect((await api.del(`/api/network/${net.uuid}`)).status).toBe(204);
    const now = (await api.get(`/api/serviceengine/${se.uuid}`)).body;
    expect(now.data_vnics.map((n: Data) => n.if_name)).toEqual(['eth2']);
    expect(now._last_modified).not.toBe(se._last_modified);
  });
});

describe('a cloud comes with its own VRFs and SE group', () => {
  it('POST /api/cloud: its own global (system default) and management VRFs and Default-Group, used by its objects', async () => {
    const sim = await startSim();
    const api = client(sim);
    const c2 = await create(api, 'cloud', { name: 'c2', vtype: 'CLOUD_NONE' });
    const vrfs = await list(api, `/api/vrfcontext?cloud_ref.uuid=${c2.uuid}`);
    expect(vrfs.map((v) => [v.name, v.system_default])).toEqual([['global', true], ['management', true]]);
    const segs = await list(api, `/api/serviceenginegroup?cloud_ref.uuid=${c2.uuid}`);
    expect(segs.map((s) => s.name)).toEqual(['Default-Group']);
    // beside Default-Cloud's own
    expect((await list(api, '/api/vrfcontext?name=global')).map((v) => v.cloud_ref.split('#')[0].split('/').pop()).sort())
      .toEqual([c2.uuid, uuidOf((await list(api, '/api/cloud?name=Default-Cloud'))[0]!.url)].sort());
    const vs = await create(api, 'virtualservice', { name: 'in-c2', cloud_ref: c2.url, services: [{ port: 80 }] });
    expect(uuidOf(vs.se_group_ref)).toBe(segs[0]!.uuid);
    expect(uuidOf(vs.vrf_context_ref)).toBe(vrfs[0]!.uuid);
    // system defaults: not deletable on their own
    const res = await api.del(`/api/vrfcontext/${vrfs[0]!.uuid}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'Cannot delete system default object' });
  });

  it('DELETE /api/cloud takes them along; refused (changing nothing) while anything else refers to them', async () => {
    const sim = await startSim();
    const api = client(sim);
    const before = await inventory(sim);
    const c2 = await create(api, 'cloud', { name: 'c2', vtype: 'CLOUD_NONE' });
    const own = [
      ...(await list(api, `/api/vrfcontext?cloud_ref.uuid=${c2.uuid}`)).map((v) => `vrfcontext/${v.uuid}`),
      ...(await list(api, `/api/serviceenginegroup?cloud_ref.uuid=${c2.uuid}`)).map((s) => `serviceenginegroup/${s.uuid}`),
    ];
    expect(own).toHaveLength(3);
    // the VS refers to the cloud, its Default-Group and its global VRF: named once
    const vs = await create(api, 'virtualservice', { name: 'on-default-group', cloud_ref: c2.url, services: [{ port: 80 }] });
    expect(uuidOf(vs.se_group_ref)).toBe(own[2]!.split('/')[1]);
    const withVs = await inventory(sim);
    expect(withVs).toEqual(expect.arrayContaining(own));
    const refused = await api.del(`/api/cloud/${c2.uuid}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: "Cannot delete, object is referred by: ['VirtualService on-default-group']" });
    expect(await inventory(sim)).toEqual(withVs);
    expect((await api.del(`/api/virtualservice/${vs.uuid}`)).status).toBe(204);
    expect((await api.del(`/api/cloud/${c2.uuid}`)).status).toBe(204);
    expect(await inventory(sim)).toEqual(before);
  });

  it('a scenario naming a cloud\'s global VRF updates the one the cloud came with; two clouds\' globals coexist', async () => {
    const file = scenarioFile({
      extends: 'fresh-controller',
      objects: [
        { cloud: { name: 'c2', vtype: 'CLOUD_NONE' } },
        {
          vrfcontext: {
            name: 'global',
            cloud_ref: '/api/cloud/?name=c2',
            system_default: true,
            static_routes: [{ route_id: '1', prefix: { ip_addr: v4('0.0.0.0'), mask: 0 }, next_hop: v4('10.79.0.1') }],
          },
        },
        { serviceenginegroup: { name: 'Default-Group', cloud_ref: '/api/cloud/?name=c2', max_se: 4 } },
      ],
    });
    const sim = await startSim({ scenario: file });
    const api = client(sim);
    const globals = await list(api, '/api/vrfcontext?name=global&include_name');
    expect(globals.map((v) => v.cloud_ref.split('#')[1])).toEqual(['Default-Cloud', 'c2']);
    expect(globals[1]!.static_routes.map((r: Data) => r.next_hop.addr)).toEqual(['10.79.0.1']);
    expect(globals[0]!.static_routes ?? []).toEqual([]);
    const segs = await list(api, '/api/serviceenginegroup?name=Default-Group&include_name');
    expect(segs.map((s) => [s.cloud_ref.split('#')[1], s.max_se])).toEqual([['Default-Cloud', 10], ['c2', 4]]);
    expect(await list(api, '/api/vrfcontext?name=management')).toHaveLength(2);
  });

  it('a scenario extending another keeps the base\'s object of the same name in another cloud', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'avisim-lifecycle-'));
    writeFileSync(path.join(dir, 'base.yaml'), dump({
      extends: 'fresh-controller',
      objects: [
        { cloud: { name: 'c2', vtype: 'CLOUD_NONE' } },
        { vrfcontext: { name: 'blue', cloud_ref: '/api/cloud/?name=Default-Cloud', description: 'default cloud' } },
      ],
    }));
    writeFileSync(path.join(dir, 'lab.yaml'), dump({
      extends: './base.yaml',
      objects: [{ vrfcontext: { name: 'blue', cloud_ref: '/api/cloud/?name=c2', description: 'c2' } }],
    }));
    const sim = await startSim({ scenario: path.join(dir, 'lab.yaml') });
    const blues = await list(client(sim), '/api/vrfcontext?name=blue&include_name');
    expect(blues.map((v) => [v.cloud_ref.split('#')[1], v.description])).toEqual([['Default-Cloud', 'default cloud'], ['c2', 'c2']]);
  });
});

/**
 * Service Engine placement and runtime : SEs created or reused as virtual
 * services are placed (max_vs_per_se, min_scaleout_per_vs), data NIC addresses from the VIP's
 * network, placement released on delete/disable; VS / pool / SE group runtime, the VS inventory
 * and join_subresources=runtime, with oper_status following the configuration.
 * VsVips get static addresses here: a VIP counts when its vip has an `ip_address`.
 * Default-Cloud is on vCenter here (test/fixtures/scenarios/vcenter-cloud.yaml): a cloud with an
 * orchestrator, where the controller deploys SEs itself (No-Orchestrator clouds: lifecycle.test.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { client, startSim as startAnySim, uuidOf, type Sim, type SimOptions } from './helpers.js';

const ORCHESTRATED = path.join(import.meta.dirname, 'fixtures', 'scenarios', 'vcenter-cloud.yaml');
const startSim = (options: SimOptions = {}) => startAnySim({ scenario: ORCHESTRATED, ...options });

type Data = Record<string, any>;

let sim: Sim;
let api: ReturnType<typeof client>;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;
const v4 = (addr: string) => ({ addr, type: 'V4' });

async function post(type: string, body: Data, s: Sim = sim): Promise<Data> {
  const res = await client(s).post(`/api/${type}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A /24 data network: VIPs from .10-.20, SEs from .200-.202 (the top of the SE range first). */
async function dataNetwork(s: Sim = sim, third = 10): Promise<Data> {
  return post('network', {
    name: uniq('net'),
    configured_subnets: [{
      prefix: { ip_addr: v4(`10.${third}.0.0`), mask: 24 },
      static_ip_ranges: [
        { range: { begin: v4(`10.${third}.0.10`), end: v4(`10.${third}.0.20`) }, type: 'STATIC_IPS_FOR_VIP' },
        { range: { begin: v4(`10.${third}.0.200`), end: v4(`10.${third}.0.202`) }, type: 'STATIC_IPS_FOR_SE' },
      ],
    }],
  }, s);
}

let vipHost = 10;
/** A VsVip with a static address on `net`. */
async function vsvip(net?: Data, addr?: string, s: Sim = sim): Promise<Data> {
  const vip: Data = { vip_id: '0' };
  if (addr !== null) vip.ip_address = v4(addr ?? `10.10.0.${vipHost++}`);
  if (net) vip.ipam_network_subnet = { network_ref: `/api/network/${net.uuid}` };
  return post('vsvip', { name: uniq('vsvip'), vip: [vip] }, s);
}

async function pool(servers: Data[] = [{ ip: v4('192.168.1.1'), port: 80 }], extra: Data = {}): Promise<Data> {
  return post('pool', { name: uniq('pool'), servers, ...extra });
}

async function vs(body: Data, s: Sim = sim): Promise<Data> {
  return post('virtualservice', { name: uniq('vs'), services: [{ port: 80 }], ...body }, s);
}

async function ses(s: Sim = sim): Promise<Data[]> {
  const res = await client(s).get('/api/serviceengine?page_size=200');
  expect(res.status).toBe(200);
  return res.body.results;
}

async function vsRuntime(uuid: string): Promise<Data> {
  const res = await api.get(`/api/virtualservice/${uuid}/runtime/`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const seUuids = (rt: Data): string[] => rt.vip_summary.flatMap((v: Data) => v.service_engine.map((e: Data) => e.uuid));
const dataIps = (se: Data): string[] =>
  se.data_vnics.flatMap((nic: Data) => nic.vnic_networks.map((vn: Data) => vn.ip.ip_addr.addr));

beforeEach(async () => {
  sim = await startSim({ seed: 7 });
  api = client(sim);
  vipHost = 10;
});

describe('Service Engine placement', () => {
  it('creates SEs only when the existing ones are full (max_vs_per_se 2, three VSes → two SEs)', async () => {
    const net = await dataNetwork();
    const seg = await post('serviceenginegroup', { name: uniq('seg'), max_vs_per_se: 2 });
    const segRef = `/api/serviceenginegroup/${seg.uuid}`;
    const p = await pool();
    const made: Data[] = [];
    for (let i = 0; i < 3; i++) {
      made.push(await vs({ se_group_ref: segRef, vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${p.uuid}` }));
    }
    const all = await ses();
    expect(all).toHaveLength(2);
    for (const se of all) {
      expect(se.name).toMatch(/^Avi-se-[a-z]{5}$/);
      expect(se.uuid).toMatch(/^se-[0-9a-f-]{36}$/);
      expect(uuidOf(se.se_group_ref)).toBe(seg.uuid);
      expect(uuidOf(se.cloud_ref)).toBe(uuidOf(seg.cloud_ref));
      expect(se.data_vnics[0].network_ref.split('/').pop()).toBe(net.uuid);
      expect(se.data_vnics[0].vnic_networks[0]).toEqual(expect.objectContaining({ ip: { ip_addr: v4(expect.any(String)), mask: 24 }, mode: 'STATIC' }));
    }
    // addresses from the SE range, top first
    expect(all.map(dataIps)).toEqual([['10.10.0.202'], ['10.10.0.201']]);

    const [a, b, c] = await Promise.all(made.map((v) => vsRuntime(v.uuid)));
    expect(seUuids(a!)).toEqual([all[0]!.uuid]);
    expect(seUuids(b!)).toEqual([all[0]!.uuid]);
    expect(seUuids(c!)).toEqual([all[1]!.uuid]);

    const segRt = await api.get(`/api/serviceenginegroup/${seg.uuid}/runtime/`);
    expect(segRt.status).toBe(200);
    expect(segRt.body.num_se).toBe(2);
    expect(segRt.body.num_vs).toBe(3);
    expect(segRt.body.se_list.map((e: Data) => e.num_vs)).toEqual([2, 1]);
    expect(segRt.body.se_list[0].vs_refs.map(uuidOf)).toEqual([made[0]!.uuid, made[1]!.uuid]);
  });

  it('reuses a freed slot after a delete and keeps SE objects (idle SEs stay for se_deprovision_delay)', async () => {
    const net = await dataNetwork();
    const seg = await post('serviceenginegroup', { name: uniq('seg'), max_vs_per_se: 1 });
    const segRef = `/api/serviceenginegroup/${seg.uuid}`;
    const first = await vs({ se_group_ref: segRef, vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    await vs({ se_group_ref: segRef, vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    expect(await ses()).toHaveLength(2);
    const freed = seUuids(await vsRuntime(first.uuid));
    expect((await api.del(`/api/virtualservice/${first.uuid}`)).status).toBe(204);
    expect(await ses()).toHaveLength(2);
    let segRt = (await api.get(`/api/serviceenginegroup/${seg.uuid}/runtime`)).body;
    expect(segRt.num_vs).toBe(1);
    const third = await vs({ se_group_ref: segRef, vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    expect(await ses()).toHaveLength(2);
    expect(seUuids(await vsRuntime(third.uuid))).toEqual(freed);
    segRt = (await api.get(`/api/serviceenginegroup/${seg.uuid}/runtime`)).body;
    expect(segRt.num_vs).toBe(2);
  });

  it('places a VS on min_scaleout_per_vs SEs', async () => {
    const net = await dataNetwork();
    const seg = await post('serviceenginegroup', { name: uniq('seg'), min_scaleout_per_vs: 2 });
    const v = await vs({ se_group_ref: `/api/serviceenginegroup/${seg.uuid}`, vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    expect(await ses()).toHaveLength(2);
    const rt = await vsRuntime(v.uuid);
    expect(new Set(seUuids(rt)).size).toBe(2);
    expect(rt.vip_summary[0]).toEqual(expect.objectContaining({ num_se_assigned: 2, num_se_requested: 2 }));
    expect(rt.vip_summary[0].service_engine.map((e: Data) => e.primary)).toEqual([true, false]);
  });

  it('places nothing for a VS without a VsVip, a disabled VS, or a VH child (it rides on its parent)', async () => {
    const net = await dataNetwork();
    await vs({});
    await vs({ enabled: false, vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    expect(await ses()).toHaveLength(0);
    const parent = await vs({ type: 'VS_TYPE_VH_PARENT', vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    const child = await vs({ type: 'VS_TYPE_VH_CHILD', vh_parent_vs_ref: `/api/virtualservice/${parent.uuid}`, pool_ref: `/api/pool/${(await pool()).uuid}` });
    expect(await ses()).toHaveLength(1);
    expect(seUuids(await vsRuntime(child.uuid))).toEqual(seUuids(await vsRuntime(parent.uuid)));
  });

  it('disabling a VS releases its placement; enabling places it again', async () => {
    const net = await dataNetwork();
    const v = await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    expect(seUuids(await vsRuntime(v.uuid))).toHaveLength(1);
    let res = await api.patch(`/api/virtualservice/${v.uuid}`, { replace: { enabled: false } });
    expect(res.status).toBe(200);
    expect(seUuids(await vsRuntime(v.uuid))).toEqual([]);
    res = await api.patch(`/api/virtualservice/${v.uuid}`, { replace: { enabled: true } });
    expect(seUuids(await vsRuntime(v.uuid))).toHaveLength(1);
    expect(await ses()).toHaveLength(1);
  });

  it('takes an SE address from the top of the subnet when it has no SE range', async () => {
    const net = await post('network', {
      name: uniq('net'),
      configured_subnets: [{ prefix: { ip_addr: v4('10.20.0.0'), mask: 28 } }],
    });
    await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net, '10.20.0.2')).uuid}` });
    expect((await ses()).map(dataIps)).toEqual([['10.20.0.14']]);
  });

  it('gives a reused SE a data NIC on a second VIP network', async () => {
    const a = await dataNetwork(sim, 10);
    const b = await dataNetwork(sim, 11);
    await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(a, '10.10.0.10')).uuid}` });
    await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(b, '10.11.0.10')).uuid}` });
    const all = await ses();
    expect(all).toHaveLength(1);
    expect(all[0]!.data_vnics.map((nic: Data) => uuidOf(nic.network_ref))).toEqual([a.uuid, b.uuid]);
    expect(dataIps(all[0]!)).toEqual(['10.10.0.202', '10.11.0.202']);
  });

  it('derives the same placement again after a restart from the state file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-placement-')), 'state.json');
    const first = await startSim({ stateFile: file });
    const net = await dataNetwork(first);
    const seg = await post('serviceenginegroup', { name: uniq('seg'), max_vs_per_se: 1 }, first);
    const made: Data[] = [];
    for (const addr of ['10.10.0.10', '10.10.0.11']) {
      made.push(await vs({ se_group_ref: `/api/serviceenginegroup/${seg.uuid}`, vsvip_ref: `/api/vsvip/${(await vsvip(net, addr, first)).uuid}` }, first));
    }
    const runtimeOf = async (s: Sim, uuid: string) => seUuids((await client(s).get(`/api/virtualservice/${uuid}/runtime/`)).body);
    const before = [await runtimeOf(first, made[0]!.uuid), await runtimeOf(first, made[1]!.uuid)];
    expect(new Set(before.flat()).size).toBe(2);
    await first.engine.close();
    const second = await startSim({ stateFile: file });
    expect([await runtimeOf(second, made[0]!.uuid), await runtimeOf(second, made[1]!.uuid)]).toEqual(before);
    expect(await ses(second)).toHaveLength(2);
    await second.engine.close();
  });

  it('names SEs deterministically under a seed', async () => {
    const names: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const s = await startSim({ seed: 99 });
      const net = await dataNetwork(s);
      await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net, '10.10.0.10', s)).uuid}` }, s);
      names.push((await ses(s)).map((se) => `${se.name} ${se.uuid}`));
    }
    expect(names[0]).toHaveLength(1);
    expect(names[1]).toEqual(names[0]);
  });
});

describe('virtual service runtime', () => {
  it('OPER_UP when enabled, with a VIP and an enabled server; lists the SEs in vip_summary', async () => {
    const net = await dataNetwork();
    const v = await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${(await pool()).uuid}` });
    for (const path of [`/api/virtualservice/${v.uuid}/runtime/`, `/api/virtualservice/${v.uuid}/runtime`]) {
      const res = await api.get(path);
      expect(res.status).toBe(200);
      expect(res.body.uuid).toBe(v.uuid);
      expect(res.body.oper_status.state).toBe('OPER_UP');
      expect(res.body.oper_status.reason).toBeUndefined();
      expect(res.body.percent_ses_up).toBe(100);
      expect(res.body.vip_summary).toEqual([expect.objectContaining({ vip_id: '0', ip_address: v4('10.10.0.10'), num_se_assigned: 1 })]);
      const se = (await ses())[0]!;
      expect(res.body.vip_summary[0].service_engine).toEqual([expect.objectContaining({ uuid: se.uuid, name: se.name, primary: true })]);
    }
  });

  it('OPER_DOWN with a reason: no servers, servers all disabled, no pool, no VIP', async () => {
    const net = await dataNetwork();
    const cases: Array<[Data, string[]]> = [
      [{ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${(await pool([])).uuid}` }, ['Pool has no servers']],
      [{ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${(await pool([{ ip: v4('1.1.1.1'), enabled: false }])).uuid}` }, ['All servers are disabled']],
      [{ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` }, ['No pool']],
      [{ vsvip_ref: `/api/vsvip/${(await post('vsvip', { name: uniq('novip'), vip: [{ vip_id: '0' }] })).uuid}`, pool_ref: `/api/pool/${(await pool()).uuid}` }, ['No VIP']],
      [{ pool_ref: `/api/pool/${(await pool([])).uuid}` }, ['No VIP', 'Pool has no servers']],
    ];
    for (const [body, reason] of cases) {
      const v = await vs(body);
      const rt = await vsRuntime(v.uuid);
      expect(rt.oper_status, JSON.stringify(body)).toEqual(expect.objectContaining({ state: 'OPER_DOWN', reason }));
    }
  });

  it('OPER_DISABLED when enabled is false', async () => {
    const net = await dataNetwork();
    const v = await vs({ enabled: false, vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${(await pool()).uuid}` });
    expect((await vsRuntime(v.uuid)).oper_status.state).toBe('OPER_DISABLED');
  });

  it('follows the config: adding a server to an empty pool brings the VS up', async () => {
    const net = await dataNetwork();
    const p = await pool([]);
    const v = await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${p.uuid}` });
    expect((await vsRuntime(v.uuid)).oper_status.state).toBe('OPER_DOWN');
    expect((await api.patch(`/api/pool/${p.uuid}`, { add: { servers: [{ ip: v4('10.9.9.9'), port: 80 }] } })).status).toBe(200);
    expect((await vsRuntime(v.uuid)).oper_status.state).toBe('OPER_UP');
  });

  it('follows pool groups, service pool selectors and the children of a VH parent', async () => {
    const net = await dataNetwork();
    const pg = await post('poolgroup', { name: uniq('pg'), members: [{ pool_ref: `/api/pool/${(await pool([])).uuid}` }, { pool_ref: `/api/pool/${(await pool()).uuid}` }] });
    const viaPg = await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_group_ref: `/api/poolgroup/${pg.uuid}` });
    expect((await vsRuntime(viaPg.uuid)).oper_status.state).toBe('OPER_UP');
    const viaSelect = await vs({
      vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`,
      service_pool_select: [{ service_port: 80, service_pool_ref: `/api/pool/${(await pool()).uuid}` }],
    });
    expect((await vsRuntime(viaSelect.uuid)).oper_status.state).toBe('OPER_UP');
    const parent = await vs({ type: 'VS_TYPE_VH_PARENT', vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}` });
    expect((await vsRuntime(parent.uuid)).oper_status).toEqual(expect.objectContaining({ state: 'OPER_DOWN', reason: ['No pool'] }));
    const child = await vs({ type: 'VS_TYPE_VH_CHILD', vh_parent_vs_ref: `/api/virtualservice/${parent.uuid}`, pool_ref: `/api/pool/${(await pool()).uuid}` });
    expect((await vsRuntime(parent.uuid)).oper_status.state).toBe('OPER_UP');
    // the child has the parent's VIP and SEs
    const childRt = await vsRuntime(child.uuid);
    expect(childRt.oper_status.state).toBe('OPER_UP');
    expect(childRt.vip_summary[0].ip_address).toBeDefined();
  });

  it('answers 404 with the model\'s text for an unknown uuid', async () => {
    for (const [type, model] of [['virtualservice', 'VirtualService'], ['serviceenginegroup', 'ServiceEngineGroup']]) {
      const res = await api.get(`/api/${type}/${type}-00000000-0000-4000-8000-000000000000/runtime/`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: `${model} object not found!` });
    }
    const inv = await api.get('/api/virtualservice-inventory/virtualservice-00000000-0000-4000-8000-000000000000');
    expect(inv.status).toBe(404);
  });

  it('join_subresources=runtime adds runtime and vip_runtime (se_list) to a VS listing', async () => {
    const net = await dataNetwork();
    const v = await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${(await pool()).uuid}` });
    const down = await vs({ pool_ref: `/api/pool/${(await pool()).uuid}` });
    const res = await api.get('/api/virtualservice?join_subresources=runtime&include_name');
    expect(res.status).toBe(200);
    const byUuid = new Map<string, Data>(res.body.results.map((r: Data) => [r.uuid, r]));
    const up = byUuid.get(v.uuid)!;
    expect(up.name).toBe(v.name);
    expect(up.runtime.oper_status.state).toBe('OPER_UP');
    const se = (await ses())[0]!;
    expect(up.vip_runtime).toEqual([expect.objectContaining({ vip_id: '0', se_list: [expect.objectContaining({ is_primary: true, vip_intf_ip: v4(dataIps(se)[0]!) })] })]);
    expect(uuidOf(up.vip_runtime[0].se_list[0].se_ref)).toBe(se.uuid);
    expect(up.vip_runtime[0].se_list[0].se_ref.split('#')[1]).toBe(se.name);
    expect(byUuid.get(down.uuid)!.runtime.oper_status).toEqual(expect.objectContaining({ state: 'OPER_DOWN', reason: ['No VIP'] }));
    expect(byUuid.get(down.uuid)!.vip_runtime).toEqual([]);
    // kept with a projection, absent without the parameter
    const projected = await api.get(`/api/virtualservice?uuid=${v.uuid}&fields=name&join_subresources=runtime`);
    expect(Object.keys(projected.body.results[0]).sort()).toEqual(['name', 'runtime', 'url', 'uuid', 'vip_runtime']);
    const plain = await api.get(`/api/virtualservice?uuid=${v.uuid}`);
    expect(plain.body.results[0].runtime).toBeUndefined();
  });
});

describe('GET /api/virtualservice-inventory', () => {
  it('lists {config, runtime} per VS with the collection\'s filters and paging', async () => {
    const net = await dataNetwork();
    const up = await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${(await pool()).uuid}` });
    const down = await vs({ vsvip_ref: `/api/vsvip/${(await vsvip(net)).uuid}`, pool_ref: `/api/pool/${(await pool([])).uuid}` });
    const off = await vs({ enabled: false });
    const res = await api.get('/api/virtualservice-inventory?page_size=2');
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(3);
    expect(res.body.results).toHaveLength(2);
    expect(res.body.next).toMatch(/\/api\/virtualservice-inventory\?page_size=2&page=2$/);
    const [a, b] = res.body.results;
    expect(a.uuid).toBe(up.uuid);
    expect(a.config).toEqual(expect.objectContaining({ uuid: up.uuid, name: up.name, enabled: true, vip: [expect.objectContaining({ ip_address: v4('10.10.0.10') })] }));
    expect(uuidOf(a.config.vsvip_ref)).toBe(uuidOf(up.vsvip_ref));
    expect(a.runtime.oper_status.state).toBe('OPER_UP');
    expect(a.pools.map((p: Data) => uuidOf(p.ref))).toEqual([uuidOf(up.pool_ref)]);
    expect(b.runtime.oper_status).toEqual(expect.objectContaining({ state: 'OPER_DOWN', reason: ['Pool has no servers'] }));
    const page2 = await api.get('/api/virtualservice-inventory?page_size=2&page=2');
    expect(page2.body.results.map((r: Data) => r.uuid)).toEqual([off.uuid]);
    expect(page2.body.results[0].runtime.oper_status.state).toBe('OPER_DISABLED');
    expect(page2.body.next).toBeUndefined();

    const byName = await api.get(`/api/virtualservice-inventory?name=${down.name}`);
    expect(byName.body.count).toBe(1);
    const one = await api.get(`/api/virtualservice-inventory/${down.uuid}`);
    expect(one.status).toBe(200);
    expect(one.body.config.name).toBe(down.name);
    expect(one.body.runtime.oper_status.reason).toEqual(['Pool has no servers']);
  });

  it('shows another tenant nothing of admin\'s virtual services', async () => {
    await vs({});
    await post('tenant', { name: 'other' });
    const res = await api.get('/api/virtualservice-inventory').set('X-Avi-Tenant', 'other');
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(0);
  });
});

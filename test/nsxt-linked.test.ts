/**
 * Linked behaviour : a VS on an NSX-T cloud gets a `<VIP>/32`
 * route on its Tier-1 with one next hop per SE data IP; scale-out/in, disable with
 * revoke_vip_route, re-enable and delete move it; `/_mock/nsxt/check` reports the gaps.
 * Environment after seed 002 (TKGi on NSX-T): cloud `nsx-t-lhr`, Tier-1 `The-Tier-1`,
 * VIP network 10.146.102.0/24.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { client, startSim, TEST_HOST, type Sim, serveEngine } from './helpers.js';
import { Engine } from '../server/engine.js';
import { listStaticRoutes, upsertTier1 } from '../server/nsxt/routes.js';

type Data = Record<string, any>;

const T1 = 'The-Tier-1';
const v4 = (addr: string) => ({ addr, type: 'V4' });

let sim: Sim;
let api: ReturnType<typeof client>;
let cloud: Data;
let net: Data;
let seg: Data;

async function post(type: string, body: Data): Promise<Data> {
  const res = await api.post(`/api/${type}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function put(path: string, body: Data): Promise<Data> {
  const res = await api.put(path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function get(path: string): Promise<Data> {
  const res = await api.get(path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const routes = (t1 = T1) => listStaticRoutes(sim.engine, t1);
const hops = (r: Data) => r.next_hops.map((h: Data) => h.ip_address);

async function seDataIps(): Promise<Record<string, string>> {
  const ses = (await get('/api/serviceengine?page_size=200')).results as Data[];
  return Object.fromEntries(ses.map((se) => [se.uuid, se.data_vnics[0].vnic_networks[0].ip.ip_addr.addr]));
}

async function vsSes(vs: Data): Promise<string[]> {
  const rt = await get(`/api/virtualservice/${vs.uuid}/runtime/`);
  return rt.vip_summary[0].service_engine.map((e: Data) => e.uuid);
}

async function makeVs(extra: Data = {}, vipExtra: Data = {}): Promise<{ vs: Data; vsvip: Data }> {
  const vsvip = await post('vsvip', {
    name: `vsvip-${Math.random().toString(36).slice(2, 8)}`,
    cloud_ref: `/api/cloud/${cloud.uuid}`,
    vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: `/api/network/${net.uuid}` } }],
    ...vipExtra,
  });
  const vs = await post('virtualservice', {
    name: `vs-${Math.random().toString(36).slice(2, 8)}`,
    cloud_ref: `/api/cloud/${cloud.uuid}`,
    se_group_ref: `/api/serviceenginegroup/${seg.uuid}`,
    vsvip_ref: `/api/vsvip/${vsvip.uuid}`,
    services: [{ port: 80 }],
    ...extra,
  });
  return { vs, vsvip };
}

/** The NSX Policy API of the same simulator, with the NSX manager's own credentials. */
function nsx(method: 'get' | 'patch' | 'delete', url: string, body?: Data) {
  const { username, password } = sim.engine.nsx;
  const req = request(sim.app)[method](`/policy/api/v1${url}`)
    .set('Host', TEST_HOST)
    .set('Authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
  return body === undefined ? req : req.send(body);
}

async function check(s: Sim = sim): Promise<Data> {
  const res = await request(s.app).get('/_mock/nsxt/check').set('Host', TEST_HOST);
  expect(res.status).toBe(200);
  return res.body;
}

beforeEach(async () => {
  sim = await startSim({ seed: 11 });
  api = client(sim);
  const t1 = await nsx('patch', `/infra/tier-1s/${T1}`, { display_name: T1, tier0_path: '/infra/tier-0s/t0' });
  expect(t1.status, t1.text).toBe(200);
  cloud = await post('cloud', {
    name: 'nsx-t-lhr',
    vtype: 'CLOUD_NSXT',
    nsxt_configuration: {
      nsxt_url: 'nsx.lab.local',
      data_network_config: {
        tz_type: 'OVERLAY',
        transport_zone: '/infra/sites/default/enforcement-points/default/transport-zones/overlay-tz',
        tier1_segment_config: {
          segment_config_mode: 'TIER1_SEGMENT_MANUAL',
          manual: { tier1_lrs: [{ tier1_lr_id: `/infra/tier-1s/${T1}`, segment_id: '/infra/segments/avi-se-generic-data' }] },
        },
      },
    },
  });
  net = await post('network', {
    name: 'vip-l4-incluster-tkgi',
    cloud_ref: `/api/cloud/${cloud.uuid}`,
    configured_subnets: [{
      prefix: { ip_addr: v4('10.146.102.0'), mask: 24 },
      static_ip_ranges: [
        { range: { begin: v4('10.146.102.100'), end: v4('10.146.102.120') }, type: 'STATIC_IPS_FOR_VIP' },
        { range: { begin: v4('10.146.102.200'), end: v4('10.146.102.210') }, type: 'STATIC_IPS_FOR_SE' },
      ],
    }],
  });
  seg = await post('serviceenginegroup', { name: 'se-group-generic', cloud_ref: `/api/cloud/${cloud.uuid}`, max_vs_per_se: 1 });
});

describe('NSX-T linked behaviour: a VIP /32 route per VS on the Tier-1', () => {
  it('creates the route with the SE data IP as next hop, following the id/tag convention', async () => {
    const { vs, vsvip } = await makeVs();
    const vip = vsvip.vip[0].ip_address.addr;
    expect(vip).toBe('10.146.102.100');
    const ips = await seDataIps();
    const [se] = await vsSes(vs);
    const all = routes();
    expect(all).toHaveLength(1);
    const r = all[0]!;
    expect(r).toMatchObject({
      id: `avi-${vsvip.uuid}-0`,
      display_name: `avi-${vs.name}-${vip}`,
      network: `${vip}/32`,
      path: `/infra/tier-1s/${T1}/static-routes/avi-${vsvip.uuid}-0`,
      parent_path: `/infra/tier-1s/${T1}`,
      resource_type: 'StaticRoutes',
      _revision: 0,
      tags: [
        { scope: 'avi.vmware.com/vsvip', tag: vsvip.uuid },
        { scope: 'avi.vmware.com/vs', tag: vs.uuid },
      ],
    });
    expect(r.next_hops).toEqual([{ ip_address: ips[se!], admin_distance: 1 }]);
    expect(ips[se!]).toMatch(/^10\.146\.102\.2\d\d$/);
    // as the NSX API serves it, and found by the convention's tags
    const served = await nsx('get', `/infra/tier-1s/${T1}/static-routes/avi-${vsvip.uuid}-0`);
    expect(served.status).toBe(200);
    expect(served.body).toEqual(r);
    const found = await nsx('get', `/search/query?query=resource_type:StaticRoutes AND tags.scope:avi.vmware.com\\/vsvip AND tags.tag:${vsvip.uuid}`);
    expect(found.status, found.text).toBe(200);
    expect(found.body.results.map((x: Data) => x.id)).toEqual([r.id]);
    expect(await check()).toEqual({ ok: true, vips_without_route: [], routes_without_vip: [] });

    // a VS write that changes nothing placement-wise keeps the route's revision
    await put(`/api/virtualservice/${vs.uuid}`, { ...vs, description: 'touched' });
    expect(routes()[0]!._revision).toBe(0);
  });

  it('uses the VsVip tier1_lr over the cloud default', async () => {
    expect((await nsx('patch', '/infra/tier-1s/other-t1', {})).status).toBe(200);
    const { vsvip } = await makeVs({}, { tier1_lr: '/infra/tier-1s/other-t1' });
    expect(routes()).toHaveLength(0);
    expect(routes('other-t1').map((r) => r.network)).toEqual([`${vsvip.vip[0].ip_address.addr}/32`]);
    expect((await check()).ok).toBe(true);
  });

  it('scale-out gives two next hops, scale-in one (min_scaleout_per_vs, then a VS write)', async () => {
    const { vs } = await makeVs();
    const ips = await seDataIps();
    expect(hops(routes()[0]!)).toEqual([ips[(await vsSes(vs))[0]!]]);

    const segNow = await get(`/api/serviceenginegroup/${seg.uuid}`);
    await put(`/api/serviceenginegroup/${seg.uuid}`, { ...segNow, min_scaleout_per_vs: 2 });
    const vsNow = await get(`/api/virtualservice/${vs.uuid}`);
    await put(`/api/virtualservice/${vs.uuid}`, vsNow);
    const two = await vsSes(vs);
    expect(two).toHaveLength(2);
    const ips2 = await seDataIps();
    expect(hops(routes()[0]!)).toEqual(two.map((u) => ips2[u]));
    expect(new Set(hops(routes()[0]!)).size).toBe(2);
    expect(routes()[0]!._revision).toBe(1);
    expect((await check()).ok).toBe(true);

    const segAgain = await get(`/api/serviceenginegroup/${seg.uuid}`);
    await put(`/api/serviceenginegroup/${seg.uuid}`, { ...segAgain, min_scaleout_per_vs: 1 });
    await put(`/api/virtualservice/${vs.uuid}`, await get(`/api/virtualservice/${vs.uuid}`));
    const one = await vsSes(vs);
    expect(one).toEqual([two[0]]);
    expect(routes()[0]!.next_hops).toEqual([{ ip_address: ips2[two[0]!], admin_distance: 1 }]);
    expect((await check()).ok).toBe(true);
  });

  it('disable with revoke_vip_route removes the route, re-enable restores it; delete removes it', async () => {
    const { vs, vsvip } = await makeVs({ revoke_vip_route: true });
    expect(routes()).toHaveLength(1);
    const network = routes()[0]!.network;

    await put(`/api/virtualservice/${vs.uuid}`, { ...(await get(`/api/virtualservice/${vs.uuid}`)), enabled: false });
    expect(routes()).toHaveLength(0);
    expect((await check()).ok).toBe(true);

    await put(`/api/virtualservice/${vs.uuid}`, { ...(await get(`/api/virtualservice/${vs.uuid}`)), enabled: true });
    expect(routes().map((r) => [r.id, r.network])).toEqual([[`avi-${vsvip.uuid}-0`, network]]);
    expect(routes()[0]!.next_hops).toHaveLength(1);
    expect((await check()).ok).toBe(true);

    expect((await api.del(`/api/virtualservice/${vs.uuid}`)).status).toBe(204);
    expect(routes()).toHaveLength(0);
    expect((await check()).ok).toBe(true);
  });

  it('disabling without revoke_vip_route leaves the route in place', async () => {
    const { vs } = await makeVs();
    const before = routes()[0]!;
    await put(`/api/virtualservice/${vs.uuid}`, { ...(await get(`/api/virtualservice/${vs.uuid}`)), enabled: false });
    expect(routes()).toEqual([before]);
    expect((await check()).ok).toBe(true);
    expect((await api.del(`/api/virtualservice/${vs.uuid}`)).status).toBe(204);
    expect(routes()).toHaveLength(0);
  });

  it('a CLOUD_NONE VS never creates routes', async () => {
    const defaultNet = await post('network', {
      name: 'plain-net',
      configured_subnets: [{
        prefix: { ip_addr: v4('10.20.0.0'), mask: 24 },
        static_ip_ranges: [{ range: { begin: v4('10.20.0.10'), end: v4('10.20.0.20') }, type: 'STATIC_IPS_FOR_VIP_AND_SE' }],
      }],
    });
    const vsvip = await post('vsvip', {
      name: 'plain-vsvip',
      tier1_lr: `/infra/tier-1s/${T1}`,
      vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: `/api/network/${defaultNet.uuid}` } }],
    });
    // No-Orchestrator: the SE was deployed by hand, with a leg in the network
    await post('serviceengine', {
      name: 'hand-deployed-se',
      se_group_ref: '/api/serviceenginegroup/?name=Default-Group',
      data_vnics: [{ if_name: 'eth1', mac_address: '00:50:56:aa:bb:01', network_ref: `/api/network/${defaultNet.uuid}`, vnic_networks: [{ ip: { ip_addr: v4('10.20.0.250'), mask: 24 }, mode: 'STATIC' }] }],
    });
    const vs = await post('virtualservice', { name: 'plain-vs', vsvip_ref: `/api/vsvip/${vsvip.uuid}`, services: [{ port: 80 }] });
    expect(vs.cloud_type).toBe('CLOUD_NONE');
    expect((await vsSes(vs)).length).toBe(1);
    expect(listStaticRoutes(sim.engine)).toHaveLength(0);
    expect(await check()).toEqual({ ok: true, vips_without_route: [], routes_without_vip: [] });
  });

  it('the check reports a VIP whose route was deleted by hand, and a leftover Avi route', async () => {
    const { vs, vsvip } = await makeVs();
    const vip = vsvip.vip[0].ip_address.addr;
    expect((await nsx('delete', `/infra/tier-1s/${T1}/static-routes/avi-${vsvip.uuid}-0`)).status).toBe(200);
    let report = await check();
    expect(report.ok).toBe(false);
    expect(report.vips_without_route).toEqual([
      { vs: vs.uuid, vsvip: vsvip.uuid, vip, tier1: T1, vip_id: '0', reason: 'no route' },
    ]);
    expect(report.routes_without_vip).toEqual([]);

    // the next change on the Avi side puts it back
    await put(`/api/vsvip/${vsvip.uuid}`, { ...(await get(`/api/vsvip/${vsvip.uuid}`)), description: 'again' });
    expect((await check()).ok).toBe(true);

    const gone = 'vsvip-00000000-0000-4000-8000-000000000000';
    const leftover = await nsx('patch', `/infra/tier-1s/${T1}/static-routes/avi-${gone}-0`, {
      network: '10.146.102.99/32',
      next_hops: [{ ip_address: '10.146.102.250' }],
      tags: [{ scope: 'avi.vmware.com/vsvip', tag: gone }, { scope: 'avi.vmware.com/vs', tag: 'virtualservice-gone' }],
    });
    expect(leftover.status, leftover.text).toBe(200);
    // and a hand-made route that is not Avi's is none of the check's business
    const pods = await nsx('patch', `/infra/tier-1s/${T1}/static-routes/pods_172.16.136.0_24`, {
      network: '172.16.136.0/24',
      next_hops: [{ ip_address: '10.146.41.10' }],
    });
    expect(pods.status, pods.text).toBe(200);
    report = await check();
    expect(report.ok).toBe(false);
    expect(report.vips_without_route).toEqual([]);
    expect(report.routes_without_vip).toEqual([{ tier1: T1, route_id: `avi-${gone}-0`, network: '10.146.102.99/32' }]);
    // the leftover was not touched by the link either
    expect(routes().map((r) => r.id)).toContain(`avi-${gone}-0`);
  });

  it('a missing Tier-1 gets no route and the check says so; creating it heals', async () => {
    const vsvipT1 = '/infra/tier-1s/not-there';
    const { vs, vsvip } = await makeVs({}, { tier1_lr: vsvipT1 });
    expect(listStaticRoutes(sim.engine)).toHaveLength(0);
    const report = await check();
    expect(report.vips_without_route).toEqual([
      { vs: vs.uuid, vsvip: vsvip.uuid, vip: vsvip.vip[0].ip_address.addr, tier1: 'not-there', vip_id: '0', reason: 'Tier-1 not found' },
    ]);
    expect((await nsx('patch', '/infra/tier-1s/not-there', {})).status).toBe(200);
    expect(routes('not-there')).toHaveLength(1);
    expect((await check()).ok).toBe(true);
  });

  it('the routes are journalled: a restart from the state file has them, and the check is ok', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-nsxt-')), 'state.json');
    const first = await startSim({ stateFile: file, seed: 12 });
    sim = first;
    api = client(first);
    expect((await nsx('patch', `/infra/tier-1s/${T1}`, {})).status).toBe(200);
    cloud = await post('cloud', {
      name: 'nsx-t-lhr',
      vtype: 'CLOUD_NSXT',
      nsxt_configuration: { data_network_config: { tier1_segment_config: { segment_config_mode: 'TIER1_SEGMENT_MANUAL', manual: { tier1_lrs: [{ tier1_lr_id: `/infra/tier-1s/${T1}` }] } } } },
    });
    net = await post('network', {
      name: 'vip-l4-incluster-tkgi',
      cloud_ref: `/api/cloud/${cloud.uuid}`,
      configured_subnets: [{ prefix: { ip_addr: v4('10.146.102.0'), mask: 24 }, static_ip_ranges: [{ range: { begin: v4('10.146.102.100'), end: v4('10.146.102.120') }, type: 'STATIC_IPS_FOR_VIP' }] }],
    });
    seg = await post('serviceenginegroup', { name: 'se-group-generic', cloud_ref: `/api/cloud/${cloud.uuid}` });
    await makeVs();
    const before = routes();
    expect(before).toHaveLength(1);
    await first.engine.close();

    // read before anything links the restored engine: the route came from the journal
    const engine = await Engine.create({ stateFile: file, seed: 12 });
    expect(listStaticRoutes(engine, T1)).toEqual(before);
    const app = (await serveEngine(engine)).app;
    const res = await request(app).get('/_mock/nsxt/check').set('Host', TEST_HOST);
    expect(res.body).toEqual({ ok: true, vips_without_route: [], routes_without_vip: [] });
    // the start-up reconcile found nothing to change
    expect(listStaticRoutes(engine, T1)).toEqual(before);
    await engine.close();
  });

  it('in-process writes (no HTTP server at all) get their routes at once: the link starts with the engine', async () => {
    const engine = await Engine.create({ seed: 13 });
    const ctx = { tenant: 'admin', base: '' };
    upsertTier1(engine, T1, {});
    const c = engine.objects.create('cloud', {
      name: 'nsx-t-lhr',
      vtype: 'CLOUD_NSXT',
      nsxt_configuration: { data_network_config: { tier1_segment_config: { segment_config_mode: 'TIER1_SEGMENT_MANUAL', manual: { tier1_lrs: [{ tier1_lr_id: `/infra/tier-1s/${T1}` }] } } } },
    }, ctx);
    const n = engine.objects.create('network', {
      name: 'vip-net',
      cloud_ref: `/api/cloud/${c.uuid}`,
      configured_subnets: [{ prefix: { ip_addr: v4('10.146.102.0'), mask: 24 }, static_ip_ranges: [{ range: { begin: v4('10.146.102.100'), end: v4('10.146.102.120') }, type: 'STATIC_IPS_FOR_VIP' }] }],
    }, ctx);
    const g = engine.objects.create('serviceenginegroup', { name: 'seg', cloud_ref: `/api/cloud/${c.uuid}` }, ctx);
    const vv = engine.objects.create('vsvip', {
      name: 'vv',
      cloud_ref: `/api/cloud/${c.uuid}`,
      vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: `/api/network/${n.uuid}` } }],
    }, ctx);
    engine.objects.create('virtualservice', {
      name: 'vs',
      cloud_ref: `/api/cloud/${c.uuid}`,
      se_group_ref: `/api/serviceenginegroup/${g.uuid}`,
      vsvip_ref: `/api/vsvip/${vv.uuid}`,
      services: [{ port: 443 }],
    }, ctx);
    expect(listStaticRoutes(engine, T1).map((r) => r.id)).toEqual([`avi-${vv.uuid}-0`]);
    const app = (await serveEngine(engine)).app;
    const res = await request(app).get('/_mock/nsxt/check').set('Host', TEST_HOST);
    expect(res.body.ok).toBe(true);
  });
});

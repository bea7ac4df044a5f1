/**
 * VirtualService fill-ins: what the controller adds to a VS on every write, never
 * overriding what the client sent; client-owned fields echoed verbatim; `vh_child_vs_uuid` on
 * SNI/EVH parents, following their children.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { client, startSim, uuidOf, type Sim } from './helpers.js';

type Data = Record<string, any>;

let sim: Sim;
let api: ReturnType<typeof client>;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;

/** `#name` of a rendered ref (POST/PUT answers render refs with names). */
const nameOf = (ref: string) => ref.split('#')[1];

const post = (type: string, body: Data): Promise<Data> => api.create(type, body);

async function get(type: string, uuid: string): Promise<Data> {
  const res = await api.get(`/api/${type}/${uuid}?include_name`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

beforeAll(async () => {
  sim = await startSim({ seed: 4 });
  api = client(sim);
});

describe('VirtualService fill-ins', () => {
  it('fills every default the client left out, in the POST answer and on later GETs', async () => {
    const vs = await post('virtualservice', { name: uniq('vs'), services: [{ port: 80 }, { port: 8080, port_range_end: 8090 }] });
    expect(nameOf(vs.se_group_ref)).toBe('Default-Group');
    expect(nameOf(vs.application_profile_ref)).toBe('System-HTTP');
    expect(nameOf(vs.network_profile_ref)).toBe('System-TCP-Proxy');
    expect(nameOf(vs.analytics_profile_ref)).toBe('System-Analytics-Profile');
    expect(nameOf(vs.vrf_context_ref)).toBe('global');
    expect(nameOf(vs.cloud_ref)).toBe('Default-Cloud');
    expect(vs.cloud_type).toBe('CLOUD_NONE');
    expect(vs.services).toEqual([
      expect.objectContaining({ port: 80, port_range_end: 80, enable_http2: false }),
      expect.objectContaining({ port: 8080, port_range_end: 8090, enable_http2: false }),
    ]);
    // no SSL service, no SSL profile
    expect(vs.ssl_profile_ref).toBeUndefined();
    // the global VRF and Default-Group are Default-Cloud's
    const vrf = await get('vrfcontext', uuidOf(vs.vrf_context_ref));
    expect(uuidOf(vrf.cloud_ref)).toBe(uuidOf(vs.cloud_ref));
    const seg = await get('serviceenginegroup', uuidOf(vs.se_group_ref));
    expect(uuidOf(seg.cloud_ref)).toBe(uuidOf(vs.cloud_ref));

    const again = await get('virtualservice', vs.uuid);
    for (const k of ['se_group_ref', 'application_profile_ref', 'network_profile_ref', 'analytics_profile_ref', 'vrf_context_ref']) {
      expect(again[k], k).toBe(vs[k]);
    }
    expect(again.services).toEqual(vs.services);
  });

  it('adds System-Standard-PFS when a service has enable_ssl', async () => {
    const vs = await post('virtualservice', { name: uniq('vs'), services: [{ port: 80 }, { port: 443, enable_ssl: true }] });
    expect(nameOf(vs.ssl_profile_ref)).toBe('System-Standard-PFS');
  });

  it('never overrides a value the client sent', async () => {
    const seg = await post('serviceenginegroup', { name: uniq('seg') });
    const body = {
      name: uniq('vs'),
      se_group_ref: `/api/serviceenginegroup/${seg.uuid}`,
      application_profile_ref: '/api/applicationprofile?name=System-L4-Application',
      network_profile_ref: '/api/networkprofile?name=System-UDP-Fast-Path',
      vrf_context_ref: '/api/vrfcontext?name=management',
      ssl_profile_ref: '/api/sslprofile?name=System-Standard',
      services: [{ port: 443, port_range_end: 445, enable_ssl: true, enable_http2: true }],
    };
    const vs = await post('virtualservice', body);
    expect(uuidOf(vs.se_group_ref)).toBe(seg.uuid);
    expect(nameOf(vs.application_profile_ref)).toBe('System-L4-Application');
    expect(nameOf(vs.network_profile_ref)).toBe('System-UDP-Fast-Path');
    expect(nameOf(vs.vrf_context_ref)).toBe('management');
    expect(nameOf(vs.ssl_profile_ref)).toBe('System-Standard');
    expect(vs.services).toEqual([expect.objectContaining({ port: 443, port_range_end: 445, enable_ssl: true, enable_http2: true })]);
  });

  it('fills again on a PUT that leaves a default out (full replace), keeps it on a PUT of the GET', async () => {
    const seg = await post('serviceenginegroup', { name: uniq('seg') });
    const vs = await post('virtualservice', { name: uniq('vs'), se_group_ref: `/api/serviceenginegroup/${seg.uuid}`, services: [{ port: 80 }] });
    const got = await get('virtualservice', vs.uuid);
    const same = await api.put(`/api/virtualservice/${vs.uuid}`, got);
    expect(same.status).toBe(200);
    expect(uuidOf(same.body.se_group_ref)).toBe(seg.uuid);
    const { se_group_ref: _omit, ...rest } = same.body;
    const put = await api.put(`/api/virtualservice/${vs.uuid}`, { ...rest, services: [{ port: 81 }] });
    expect(put.status).toBe(200);
    expect(nameOf(put.body.se_group_ref)).toBe('Default-Group');
    expect(put.body.services).toEqual([expect.objectContaining({ port: 81, port_range_end: 81, enable_http2: false })]);
  });

  it('takes the VRF, SE group and cloud_type of the VS\'s own cloud', async () => {
    const cloud = await post('cloud', { name: uniq('cloud'), vtype: 'CLOUD_LINUXSERVER' });
    // the cloud came with its own `global` VRF and `Default-Group`
    const vrf = (await api.get(`/api/vrfcontext?name=global&cloud_ref.uuid=${cloud.uuid}`)).body.results[0];
    const seg = (await api.get(`/api/serviceenginegroup?name=Default-Group&cloud_ref.uuid=${cloud.uuid}`)).body.results[0];
    expect(uuidOf(vrf.cloud_ref)).toBe(cloud.uuid);
    expect(uuidOf(seg.cloud_ref)).toBe(cloud.uuid);
    const vs = await post('virtualservice', { name: uniq('vs'), cloud_ref: `/api/cloud/${cloud.uuid}`, services: [{ port: 80 }] });
    expect(vs.cloud_type).toBe('CLOUD_LINUXSERVER');
    expect(uuidOf(vs.vrf_context_ref)).toBe(vrf.uuid);
    expect(uuidOf(vs.se_group_ref)).toBe(seg.uuid);
  });

  it('takes the VsVip\'s VRF when it has one', async () => {
    const vsvip = await post('vsvip', {
      name: uniq('vsvip'),
      vrf_context_ref: '/api/vrfcontext?name=management',
      vip: [{ vip_id: '0', ip_address: { addr: '10.99.0.1', type: 'V4' } }],
    });
    const vs = await post('virtualservice', { name: uniq('vs'), vsvip_ref: `/api/vsvip/${vsvip.uuid}`, services: [{ port: 80 }] });
    expect(nameOf(vs.vrf_context_ref)).toBe('management');
  });

  it('a VS in another tenant falls back on admin\'s shared defaults', async () => {
    await post('tenant', { name: 'tenant-vs' });
    const res = await api.post('/api/virtualservice', { name: uniq('vs'), services: [{ port: 80 }] }).set('X-Avi-Tenant', 'tenant-vs');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(nameOf(res.body.se_group_ref)).toBe('Default-Group');
    expect(nameOf(res.body.application_profile_ref)).toBe('System-HTTP');
    expect(nameOf(res.body.vrf_context_ref)).toBe('global');
  });

  it('echoes client-owned fields verbatim through POST, GET, PUT', async () => {
    const owned = {
      cloud_config_cksum: '921705296',
      service_metadata: '{"namespace_ingress_name":null,"ingress_name":"","gateway":"default/gw"}',
      markers: [{ key: 'clustername', values: ['cluster'] }],
      created_by: 'ako-cluster',
      vsvip_cloud_config_cksum: '1234',
    };
    const vs = await post('virtualservice', { name: uniq('vs'), services: [{ port: 80 }], ...owned });
    for (const [k, v] of Object.entries(owned)) expect(vs[k], k).toEqual(v);
    const got = await get('virtualservice', vs.uuid);
    for (const [k, v] of Object.entries(owned)) expect(got[k], k).toEqual(v);
    const put = await api.put(`/api/virtualservice/${vs.uuid}`, { ...got, cloud_config_cksum: '42' });
    expect(put.status).toBe(200);
    expect(put.body.cloud_config_cksum).toBe('42');
    expect(put.body.service_metadata).toBe(owned.service_metadata);
  });
});

describe('vh_child_vs_uuid', () => {
  it('lists the SNI/EVH children of a parent and follows them as they come and go', async () => {
    const parent = await post('virtualservice', { name: uniq('parent'), type: 'VS_TYPE_VH_PARENT', services: [{ port: 443, enable_ssl: true }] });
    expect(parent.vh_child_vs_uuid).toBeUndefined();
    const child = (name: string, vhType?: string) =>
      post('virtualservice', {
        name,
        type: 'VS_TYPE_VH_CHILD',
        vh_parent_vs_ref: `/api/virtualservice/${parent.uuid}`,
        vh_domain_name: [`${name}.example.com`],
        ...(vhType ? { vh_type: vhType } : {}),
      });
    const c1 = await child(uniq('sni'));
    const c2 = await child(uniq('evh'), 'VS_TYPE_VH_ENHANCED');
    expect((await get('virtualservice', parent.uuid)).vh_child_vs_uuid).toEqual([c1.uuid, c2.uuid]);
    // also in a listing and in a PUT answer of the parent
    const listed = await api.get(`/api/virtualservice?uuid=${parent.uuid}`);
    expect(listed.body.results[0].vh_child_vs_uuid).toEqual([c1.uuid, c2.uuid]);
    const put = await api.put(`/api/virtualservice/${parent.uuid}`, await get('virtualservice', parent.uuid));
    expect(put.status).toBe(200);
    expect(put.body.vh_child_vs_uuid).toEqual([c1.uuid, c2.uuid]);
    // the child is no longer attached once its PUT drops vh_parent_vs_ref
    const { vh_parent_vs_ref: _p, ...detached } = await get('virtualservice', c1.uuid);
    expect((await api.put(`/api/virtualservice/${c1.uuid}`, { ...detached, type: 'VS_TYPE_NORMAL' })).status).toBe(200);
    expect((await get('virtualservice', parent.uuid)).vh_child_vs_uuid).toEqual([c2.uuid]);
    // deleting the last child removes the field
    expect((await api.del(`/api/virtualservice/${c2.uuid}`)).status).toBe(204);
    expect((await get('virtualservice', parent.uuid)).vh_child_vs_uuid).toBeUndefined();
  });

  it('is read-only: a client cannot set it', async () => {
    const vs = await post('virtualservice', { name: uniq('vs'), vh_child_vs_uuid: ['virtualservice-x'] });
    expect(vs.vh_child_vs_uuid).toBeUndefined();
  });
});

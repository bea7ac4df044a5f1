/**
 * References (contract section 5): every input form clients send resolves to the same stored
 * ref, refs render with `#name` exactly when asked (always on POST/PUT/PATCH responses), an
 * unresolvable ref is the target model's 400, and names of cloud-scoped types resolve in the
 * referrer's cloud first.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { client as hostClient, startSim, uuidOf, type Sim } from './helpers.js';

type Data = Record<string, any>;

/** A fixed Host header, so that urls and refs are stable across requests (supertest picks a new port each time). */
const HOST = 'ctl.test';
const client = (sim: Sim) => hostClient(sim, HOST);
const BASE = `http://${HOST}`;

let sim: Sim;
let api: ReturnType<typeof client>;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;

/** The one object of `type` named `name` (in the admin tenant), as a plain GET renders it. */
async function byName(type: string, name: string, query = ''): Promise<Data> {
  const res = await api.get(`/api/${type}?name=${encodeURIComponent(name)}${query}`);
  expect(res.status).toBe(200);
  expect(res.body.count).toBe(1);
  return res.body.results[0];
}

async function createPool(body: Data): Promise<Data> {
  const res = await api.post('/api/pool', { name: uniq('pool'), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Every ref-like string of a rendered pool: url, tenant_ref, cloud_ref, vrf_ref, health_monitor_refs. */
function poolRefs(p: Data): string[] {
  return [p.url, p.tenant_ref, p.cloud_ref, p.vrf_ref, ...(p.health_monitor_refs ?? [])];
}

let defaultCloud: Data;
let systemHttpHm: Data;

beforeAll(async () => {
  sim = await startSim();
  api = client(sim);
  defaultCloud = await byName('cloud', 'Default-Cloud');
  systemHttpHm = await byName('healthmonitor', 'System-HTTP');
});

describe('ref input forms', () => {
  const forms: Array<[string, () => string]> = [
    ['full URL with #name (from a GET with include_name)', () => `${defaultCloud.url}#Default-Cloud`],
    ['full URL without #name (from a plain GET)', () => defaultCloud.url],
    ['/api/cloud/<uuid>', () => `/api/cloud/${defaultCloud.uuid}`],
    ['/api/cloud?name=Default-Cloud', () => '/api/cloud?name=Default-Cloud'],
    ['/api/cloud/?name=Default-Cloud', () => '/api/cloud/?name=Default-Cloud'],
    ['bare uuid', () => defaultCloud.uuid],
  ];

  it.each(forms)('cloud_ref as %s is stored as the uuid and rendered canonically', async (_label, form) => {
    expect(defaultCloud.url).toBe(`${BASE}/api/cloud/${defaultCloud.uuid}`);
    const created = await createPool({ cloud_ref: form() });
    expect(created.cloud_ref).toBe(`${BASE}/api/cloud/${defaultCloud.uuid}#Default-Cloud`);
    expect(sim.engine.store.get('pool', created.uuid)!.data.cloud_ref).toBe(defaultCloud.uuid);
    const got = await api.get(`/api/pool/${created.uuid}`);
    expect(got.status).toBe(200);
    expect(got.body.cloud_ref).toBe(`${BASE}/api/cloud/${defaultCloud.uuid}`);
  });

  it('the full URL with #name from a GET works even when its host differs from the request', async () => {
    const created = await createPool({ cloud_ref: `https://10.1.1.1/api/cloud/${defaultCloud.uuid}#Default-Cloud` });
    expect(created.cloud_ref).toBe(`${BASE}/api/cloud/${defaultCloud.uuid}#Default-Cloud`);
  });

  const hmForms: Array<[string, () => string]> = [
    ['full URL with #name', () => `${systemHttpHm.url}#System-HTTP`],
    ['full URL without #name', () => systemHttpHm.url],
    ['/api/healthmonitor/<uuid>', () => `/api/healthmonitor/${systemHttpHm.uuid}`],
    ['/api/healthmonitor?name=System-HTTP', () => '/api/healthmonitor?name=System-HTTP'],
    ['/api/healthmonitor/?name=System-HTTP', () => '/api/healthmonitor/?name=System-HTTP'],
    ['bare uuid', () => systemHttpHm.uuid],
  ];

  it.each(hmForms)('list refs accept the same forms: a health_monitor_refs entry as %s', async (_label, form) => {
    const created = await createPool({ health_monitor_refs: [form()] });
    expect(created.health_monitor_refs).toEqual([`${BASE}/api/healthmonitor/${systemHttpHm.uuid}#System-HTTP`]);
    expect(sim.engine.store.get('pool', created.uuid)!.data.health_monitor_refs).toEqual([systemHttpHm.uuid]);
  });

  it('PUT back of a GET with include_name (refs with #name) keeps every ref', async () => {
    const created = await createPool({ health_monitor_refs: ['/api/healthmonitor?name=System-HTTP'] });
    const got = (await api.get(`/api/pool/${created.uuid}?include_name`)).body;
    const put = await api.put(`/api/pool/${created.uuid}`, got);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ ...got, _last_modified: put.body._last_modified });
  });
});

describe('System-HTTP by name', () => {
  it('a pool health monitor ref to System-HTTP resolves to the health monitor, not the application profile of the same name', async () => {
    const appProfile = await byName('applicationprofile', 'System-HTTP');
    expect(appProfile.uuid).not.toBe(systemHttpHm.uuid);
    const created = await createPool({
      health_monitor_refs: ['/api/healthmonitor/?name=System-HTTP'],
      servers: [{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 8080 }],
    });
    expect(uuidOf(created.health_monitor_refs[0])).toBe(systemHttpHm.uuid);
    expect(created.health_monitor_refs[0]).toMatch(/^http:\/\/ctl\.test\/api\/healthmonitor\/healthmonitor-[0-9a-f-]{36}#System-HTTP$/);
    expect(created.servers).toHaveLength(1);
    expect(created.servers[0].ip).toEqual({ addr: '10.0.0.1', type: 'V4' });
  });
});

describe('include_name', () => {
  let pool: Data;

  beforeAll(async () => {
    pool = await createPool({
      name: 'named-pool',
      vrf_ref: '/api/vrfcontext?name=global',
      health_monitor_refs: ['/api/healthmonitor?name=System-HTTP'],
    });
  });

  const withName = ['?include_name', '?include_name=', '?include_name=true', '?include_name=1'];
  const withoutName = ['', '?include_name=false'];

  it.each(withName)('GET one with %s renders every ref and url with #name', async (q) => {
    const res = await api.get(`/api/pool/${pool.uuid}${q}`);
    expect(res.status).toBe(200);
    const refs = poolRefs(res.body);
    expect(refs).toHaveLength(5);
    expect(res.body.url).toBe(`${BASE}/api/pool/${pool.uuid}#named-pool`);
    expect(res.body.tenant_ref).toBe(`${BASE}/api/tenant/admin#admin`);
    expect(res.body.cloud_ref).toBe(`${BASE}/api/cloud/${defaultCloud.uuid}#Default-Cloud`);
    expect(res.body.vrf_ref).toMatch(/^http:\/\/ctl\.test\/api\/vrfcontext\/vrfcontext-[0-9a-f-]{36}#global$/);
    expect(res.body.health_monitor_refs).toEqual([`${BASE}/api/healthmonitor/${systemHttpHm.uuid}#System-HTTP`]);
  });

  it.each(withoutName)('GET one with "%s" renders refs and url without #name', async (q) => {
    const res = await api.get(`/api/pool/${pool.uuid}${q}`);
    expect(res.status).toBe(200);
    const refs = poolRefs(res.body);
    expect(refs).toHaveLength(5);
    for (const ref of refs) {
      expect(ref).toMatch(/^http:\/\/ctl\.test\/api\/[a-z]+\/[a-z]+(-[0-9a-f-]{36})?$/);
      expect(ref).not.toContain('#');
    }
  });

  it.each(withName)('list with %s renders every ref and url with #name', async (q) => {
    const res = await api.get(`/api/pool${q}${q ? '&' : '?'}name=named-pool`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
    const listed = res.body.results[0];
    const one = (await api.get(`/api/pool/${pool.uuid}?include_name`)).body;
    expect(listed).toEqual(one);
    for (const ref of poolRefs(listed)) expect(ref).toMatch(/#[A-Za-z-]+$/);
  });

  it.each(withoutName)('list with "%s" renders refs and url without #name', async (q) => {
    const res = await api.get(`/api/pool${q}${q ? '&' : '?'}name=named-pool`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
    for (const ref of poolRefs(res.body.results[0])) expect(ref).not.toContain('#');
  });

  it('POST, PUT and PATCH responses always carry #name, without include_name', async () => {
    const refs = { vrf_ref: '/api/vrfcontext?name=global', health_monitor_refs: [systemHttpHm.uuid] };
    const created = await createPool({ name: 'always-named', ...refs });
    const put = await api.put(`/api/pool/${created.uuid}`, { name: 'always-named', ...refs });
    expect(put.status).toBe(200);
    const patch = await api.patch(`/api/pool/${created.uuid}`, { replace: { description: 'x' } });
    expect(patch.status).toBe(200);
    for (const body of [created, put.body, patch.body]) {
      const rendered = poolRefs(body);
      expect(rendered).toHaveLength(5);
      for (const ref of rendered) expect(ref).toMatch(/^http:\/\/ctl\.test\/api\/[a-z]+\/[a-z0-9-]+#[A-Za-z-]+$/);
    }
  });

  it('#name follows a rename of the target', async () => {
    const hm = (await api.post('/api/healthmonitor', { name: 'hm-before', type: 'HEALTH_MONITOR_TCP' })).body;
    const p = await createPool({ health_monitor_refs: [hm.uuid] });
    const renamed = await api.put(`/api/healthmonitor/${hm.uuid}`, { name: 'hm-after', type: 'HEALTH_MONITOR_TCP' });
    expect(renamed.status).toBe(200);
    const got = await api.get(`/api/pool/${p.uuid}?include_name`);
    expect(got.body.health_monitor_refs).toEqual([`${BASE}/api/healthmonitor/${hm.uuid}#hm-after`]);
  });
});

describe('unresolvable refs', () => {
  const cases: Array<[string, () => Data, string]> = [
    ['cloud_ref to a vrfcontext uuid', () => ({ cloud_ref: vrfUuid }), 'Cloud object not found!'],
    ['cloud_ref path naming another type', () => ({ cloud_ref: `/api/vrfcontext/${vrfUuid}` }), 'Cloud object not found!'],
    ['cloud_ref with the right uuid under another type', () => ({ cloud_ref: `/api/vrfcontext/${defaultCloud.uuid}` }), 'Cloud object not found!'],
    ['cloud_ref to an unknown name', () => ({ cloud_ref: '/api/cloud?name=No-Such-Cloud' }), 'Cloud object not found!'],
    ['cloud_ref to an unknown uuid', () => ({ cloud_ref: 'cloud-00000000-0000-4000-8000-000000000000' }), 'Cloud object not found!'],
    ['vrf_ref to an unknown name', () => ({ vrf_ref: '/api/vrfcontext/?name=no-such-vrf' }), 'VrfContext object not found!'],
    ['vrf_ref to a cloud uuid', () => ({ vrf_ref: defaultCloud.uuid }), 'VrfContext object not found!'],
    ['a health_monitor_refs entry to an unknown name', () => ({ health_monitor_refs: ['/api/healthmonitor?name=nope'] }), 'HealthMonitor object not found!'],
    ['a health_monitor_refs entry to the application profile System-HTTP', () => ({ health_monitor_refs: [`/api/applicationprofile/${appProfileUuid}`] }), 'HealthMonitor object not found!'],
  ];
  let vrfUuid: string;
  let appProfileUuid: string;

  beforeAll(async () => {
    vrfUuid = (await byName('vrfcontext', 'management')).uuid;
    appProfileUuid = (await byName('applicationprofile', 'System-HTTP')).uuid;
  });

  it.each(cases)('POST with %s → 400 with the target model name, nothing created', async (_label, body, error) => {
    const before = (await api.get('/api/pool')).body.count;
    const res = await api.post('/api/pool', { name: uniq('bad-ref'), ...body() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error });
    expect((await api.get('/api/pool')).body.count).toBe(before);
  });

  it.each(cases)('PUT with %s → 400 with the target model name, object unchanged', async (_label, body, error) => {
    const p = await createPool({});
    const before = (await api.get(`/api/pool/${p.uuid}`)).body;
    const res = await api.put(`/api/pool/${p.uuid}`, { name: p.name, ...body() });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error });
    expect((await api.get(`/api/pool/${p.uuid}`)).body).toEqual(before);
  });

  it('a vsvip vrf_context_ref to an unknown VRF → VrfContext object not found!', async () => {
    const res = await api.post('/api/vsvip', { name: 'vv', vrf_context_ref: '/api/vrfcontext?name=nope' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'VrfContext object not found!' });
  });

  it('a virtualservice pool_ref to an unknown pool → Pool object not found!', async () => {
    const res = await api.post('/api/virtualservice', { name: 'vs', pool_ref: '/api/pool?name=nope' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Pool object not found!' });
  });
});

describe('cloud-scoped name lookup', () => {
  let c2: Data;
  let c2Global: Data;
  let defaultGlobal: Data;

  beforeAll(async () => {
    const cloud = await api.post('/api/cloud', { name: 'c2', vtype: 'CLOUD_NONE' });
    expect(cloud.status).toBe(201);
    c2 = cloud.body;
    // c2 comes with its own `global` VRF
    const globals = await api.get('/api/vrfcontext?name=global');
    c2Global = globals.body.results.find((v: Data) => uuidOf(v.cloud_ref) === c2.uuid);
    expect(c2Global).toBeDefined();
    expect(globals.body.count).toBe(2);
    defaultGlobal = globals.body.results.find((v: Data) => uuidOf(v.cloud_ref) === defaultCloud.uuid);
    expect(defaultGlobal).toBeDefined();
    expect(uuidOf(c2Global.cloud_ref)).toBe(c2.uuid);
  });

  it.each(['/api/vrfcontext/?name=global', '/api/vrfcontext?name=global'])(
    'a pool in c2 with vrf_ref %s gets c2\'s global VRF',
    async (vrfRef) => {
      const p = await createPool({ cloud_ref: c2.url, vrf_ref: vrfRef });
      expect(p.vrf_ref).toBe(`${BASE}/api/vrfcontext/${c2Global.uuid}#global`);
      expect(p.cloud_ref).toBe(`${BASE}/api/cloud/${c2.uuid}#c2`);
    },
  );

  it('a pool in Default-Cloud with vrf_ref by name gets Default-Cloud\'s global VRF', async () => {
    const p = await createPool({ vrf_ref: '/api/vrfcontext/?name=global' });
    expect(p.vrf_ref).toBe(`${BASE}/api/vrfcontext/${defaultGlobal.uuid}#global`);
    const explicit = await createPool({ cloud_ref: '/api/cloud?name=Default-Cloud', vrf_ref: '/api/vrfcontext/?name=global' });
    expect(explicit.vrf_ref).toBe(`${BASE}/api/vrfcontext/${defaultGlobal.uuid}#global`);
  });

  it('a vsvip in c2 with vrf_context_ref by name gets c2\'s global VRF', async () => {
    const res = await api.post('/api/vsvip', { name: 'vv-c2', cloud_ref: c2.uuid, vrf_context_ref: '/api/vrfcontext/?name=global' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.vrf_context_ref).toBe(`${BASE}/api/vrfcontext/${c2Global.uuid}#global`);
  });

  it('PATCH of a c2 pool resolves vrf_ref by name in c2', async () => {
    const p = await createPool({ cloud_ref: c2.uuid });
    const res = await api.patch(`/api/pool/${p.uuid}`, { replace: { vrf_ref: '/api/vrfcontext/?name=global' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.vrf_ref).toBe(`${BASE}/api/vrfcontext/${c2Global.uuid}#global`);
  });
});

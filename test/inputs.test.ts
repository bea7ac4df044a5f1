/**
 * Bodies as real clients write them: empty-string refs (AKO) mean "not set", scalars sent as
 * text are read as the schema's type, addresses are checked against their type, a ref to an
 * object of another type is the expected model's 400, and admin-tenant objects are shared with
 * every tenant (the Go SDK refers to admin's profiles from another tenant). Each through POST,
 * PUT and the PATCH forms, over HTTP with the headers the client sends.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startSim, uuidOf, type Sim } from './helpers.js';

type Data = Record<string, any>;
type Headers = Record<string, string>;

/** AKO pins its API version and names the tenant on every request. */
const AKO: Headers = { 'X-Avi-Version': '22.1.3', 'X-Avi-Tenant': 'admin' };
/** the Go SDK's session: version and tenant headers on every request */
const goSdk = (tenant: string): Headers => ({ 'X-Avi-Version': '30.2.1', 'X-Avi-Tenant': tenant });

let sim: Sim;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;

const send = (method: 'post' | 'put' | 'patch', path: string, body: unknown, headers: Headers = {}) =>
  sim.http[method](path).set(headers).send(body as object);
const get = (path: string, headers: Headers = {}) => sim.http.get(path).set(headers);
const del = (path: string, headers: Headers = {}) => sim.http.delete(path).set(headers);

async function created(path: string, body: Data, headers: Headers = {}): Promise<Data> {
  const res = await send('post', path, body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function ok(res: { status: number; body: any }): Promise<Data> {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function count(type: string, headers: Headers = {}): Promise<number> {
  return (await get(`/api/${type}`, headers)).body.count;
}

const v4 = (addr: string) => ({ addr, type: 'V4' });
const v6 = (addr: string) => ({ addr, type: 'V6' });

let vipNetwork: Data;

beforeAll(async () => {
  sim = await startSim();
  // What an admin prepares for AKO: a VIP network with a static range in Default-Cloud.
  vipNetwork = await created('/api/network', {
    name: 'net123',
    cloud_ref: '/api/cloud/?name=Default-Cloud',
    configured_subnets: [
      {
        prefix: { ip_addr: v4('10.79.168.0'), mask: 22 },
        static_ip_ranges: [{ type: 'STATIC_IPS_FOR_VIP', range: { begin: v4('10.79.168.10'), end: v4('10.79.168.50') } }],
      },
    ],
  });
});

// ---- an empty-string ref means "not set" ------------------------------------------------------

describe('an empty-string ref is no ref', () => {
  const markers = (extra: Data[] = []) => [{ key: 'clustername', values: ['cluster'] }, ...extra];

  /** An L4 service as AKO writes it: VsVip, pool, L4 policy set, then the virtual service. */
  async function akoL4Service(svc: string): Promise<{ vs: Data; body: Data }> {
    const name = `cluster--red-ns-${svc}`;
    await created('/api/vsvip', {
      cloud_ref: '/api/cloud?name=Default-Cloud',
      east_west_placement: false,
      markers: markers(),
      name,
      tenant_ref: '/api/tenant/?name=admin',
      vip: [{ auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=net123' }, vip_id: '0' }],
      vrf_context_ref: '/api/vrfcontext?name=global',
      vsvip_cloud_config_cksum: '707615568',
    }, AKO);
    await created('/api/pool/', {
      cloud_config_cksum: '632147014',
      cloud_ref: '/api/cloud?name=Default-Cloud',
      created_by: 'ako-cluster',
      graceful_disable_timeout: 1,
      health_monitor_refs: ['/api/healthmonitor/?name=System-TCP'],
      markers: markers([{ key: 'Port', values: ['8080'] }]),
      name: `${name}-TCP-8080`,
      placement_networks: [{ network_ref: `/api/network/${vipNetwork.uuid}`, subnet: { ip_addr: v4('10.79.168.0'), mask: 22 } }],
      sni_enabled: false,
      tenant_ref: '/api/tenant/?name=admin',
      vrf_ref: '/api/vrfcontext?name=global',
    }, AKO);
    await created('/api/l4policyset/', {
      created_by: 'ako-cluster',
      l4_connection_policy: {
        rules: [
          {
            action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: `/api/pool?name=${name}-TCP-8080` } },
            index: 0,
            match: { port: { match_criteria: 'IS_IN', ports: [8080] }, protocol: { match_criteria: 'IS_IN', protocol: 'PROTOCOL_TCP' } },
            name: `/api/pool?name=${name}-TCP-8080`,
          },
        ],
      },
      markers: markers(),
      name,
      tenant_ref: '/api/tenant/?name=admin',
    }, AKO);
    const body = {
      application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
      cloud_config_cksum: '1221593817',
      cloud_ref: '/api/cloud?name=Default-Cloud',
      created_by: 'ako-cluster',
      error_page_profile_ref: '',
      l4_policies: [{ index: 0, l4_policy_set_ref: `/api/l4policyset/?name=${name}` }],
      markers: markers(),
      name,
      network_profile_ref: '/api/networkprofile/?name=System-TCP-Fast-Path',
      remove_listening_port_on_vs_down: true,
      se_group_ref: '/api/serviceenginegroup?name=Default-Group',
      services: [{ enable_http2: false, enable_ssl: false, port: 8080, port_range_end: 8080 }],
      tenant_ref: '/api/tenant/?name=admin',
      traffic_enabled: true,
      vrf_context_ref: '/api/vrfcontext?name=global',
      vsvip_ref: `/api/vsvip/?name=${name}`,
    };
    return { vs: await created('/api/virtualservice/', body, AKO), body };
  }

  it('AKO\'s virtual service with "error_page_profile_ref": "" is created, and no answer shows the field', async () => {
    const { vs, body } = await akoL4Service('testsvc-1');
    expect(vs).not.toHaveProperty('error_page_profile_ref');
    const got = await ok(await get(`/api/virtualservice/${vs.uuid}`, AKO));
    expect(got).not.toHaveProperty('error_page_profile_ref');
    expect(sim.engine.store.get('virtualservice', vs.uuid)!.data).not.toHaveProperty('error_page_profile_ref');
    // AKO's update is a PUT of the whole body, the empty ref again.
    const put = await ok(await send('put', `/api/virtualservice/${vs.uuid}`, { ...body, traffic_enabled: false }, AKO));
    expect(put).not.toHaveProperty('error_page_profile_ref');
    expect(put.traffic_enabled).toBe(false);
  });

  it('an empty ref clears a ref that was set, through PUT and every PATCH form', async () => {
    const epp = await created('/api/errorpageprofile', { name: uniq('epp') });
    const { vs, body } = await akoL4Service('testsvc-2');
    const path = `/api/virtualservice/${vs.uuid}`;
    const set = () => send('patch', path, { replace: { error_page_profile_ref: `/api/errorpageprofile/${epp.uuid}` } }, AKO);
    const forms: Array<[string, Data]> = [
      ['replace', { replace: { error_page_profile_ref: '' } }],
      ['add', { add: { error_page_profile_ref: '' } }],
      ['json_patch', { json_patch: [{ op: 'replace', path: '/error_page_profile_ref', value: '' }] }],
    ];
    for (const [form, ops] of forms) {
      expect(uuidOf((await ok(await set())).error_page_profile_ref), form).toBe(epp.uuid);
      const patched = await ok(await send('patch', path, ops, AKO));
      expect(patched, form).not.toHaveProperty('error_page_profile_ref');
    }
    await ok(await set());
    const put = await ok(await send('put', path, body, AKO));
    expect(put).not.toHaveProperty('error_page_profile_ref');
  });

  it('at any depth: a nested ref and a nested list of refs', async () => {
    const vs = await created('/api/virtualservice', {
      name: uniq('vs-nested'),
      services: [{ port: 80, override_application_profile_ref: '', override_network_profile_ref: '' }],
      analytics_policy: { client_insights_sampling: { client_ip: { match_criteria: 'IS_IN', group_refs: [''] } } },
      error_page_profile_ref: '',
    });
    expect(vs.services[0]).not.toHaveProperty('override_application_profile_ref');
    expect(vs.services[0]).not.toHaveProperty('override_network_profile_ref');
    expect(vs.analytics_policy.client_insights_sampling.client_ip).toEqual({ match_criteria: 'IS_IN' });
  });

  it('a list of refs loses its empty entries; a list of only empty entries is no list', async () => {
    const tcp = (await get('/api/healthmonitor?name=System-TCP')).body.results[0];
    const pool = await created('/api/pool', { name: uniq('pool'), health_monitor_refs: ['', '/api/healthmonitor?name=System-TCP', ''] });
    expect(pool.health_monitor_refs.map(uuidOf)).toEqual([tcp.uuid]);
    const none = await created('/api/pool', { name: uniq('pool'), health_monitor_refs: [''] });
    expect(none).not.toHaveProperty('health_monitor_refs');
    // PATCH add of an empty entry adds nothing
    const added = await ok(await send('patch', `/api/pool/${pool.uuid}`, { add: { health_monitor_refs: [''] } }));
    expect(added.health_monitor_refs.map(uuidOf)).toEqual([tcp.uuid]);
  });

  it('a required ref given as "" is missing', async () => {
    const res = await send('post', '/api/virtualservice', {
      name: uniq('vs'),
      services: [{ port: 80 }],
      l4_policies: [{ index: 0, l4_policy_set_ref: '' }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Invalid data: field 'l4_policies[0].l4_policy_set_ref' is required" });
  });
});

// ---- scalars sent as text ----------------------------------------------------------------------

describe('scalars sent as text are read as the schema\'s type', () => {
  it('POST /api/tenant {"name":"t1","local":"true"} is 201 with local: true', async () => {
    const t = await created('/api/tenant', { name: uniq('t'), local: 'true' });
    expect(t.local).toBe(true);
    expect(sim.engine.store.get('tenant', t.uuid)!.data.local).toBe(true);
    const f = await created('/api/tenant', { name: uniq('t'), local: 'False' });
    expect(f.local).toBe(false);
  });

  it('at any depth, in lists, and for numbers', async () => {
    const pool = await created('/api/pool', {
      name: uniq('pool'),
      default_server_port: '8080',
      enabled: 'false',
      servers: [{ ip: v4('10.1.1.1'), port: '80', ratio: '+3', enabled: 'TRUE' }],
    });
    expect(pool.default_server_port).toBe(8080);
    expect(pool.enabled).toBe(false);
    expect(pool.servers[0]).toMatchObject({ port: 80, ratio: 3, enabled: true });
    const set = await created('/api/l4policyset', {
      name: uniq('l4'),
      l4_connection_policy: { rules: [{ index: '0', name: 'r0', match: { port: { match_criteria: 'IS_IN', ports: ['8080', 8443] } } }] },
    });
    expect(set.l4_connection_policy.rules[0].index).toBe(0);
    expect(set.l4_connection_policy.rules[0].match.port.ports).toEqual([8080, 8443]);
    const ap = await created('/api/analyticsprofile', { name: uniq('ap'), apdex_response_tolerated_factor: '2.5', apdex_rtt_tolerated_factor: '1e1' });
    expect(ap.apdex_response_tolerated_factor).toBe(2.5);
    expect(ap.apdex_rtt_tolerated_factor).toBe(10);
  });

  it('through PUT and PATCH', async () => {
    const pool = await created('/api/pool', { name: uniq('pool') });
    const path = `/api/pool/${pool.uuid}`;
    expect((await ok(await send('put', path, { name: pool.name, default_server_port: '81' }))).default_server_port).toBe(81);
    expect((await ok(await send('patch', path, { replace: { default_server_port: '82' } }))).default_server_port).toBe(82);
    const added = await ok(await send('patch', path, { add: { servers: [{ ip: v4('10.1.1.2'), port: '8080' }] } }));
    expect(added.servers[0].port).toBe(8080);
    const json = await ok(await send('patch', path, { json_patch: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
    expect(json.enabled).toBe(false);
  });

  const refused: Array<[string, Data, string]> = [
    ['"yes" for a boolean', { local: 'yes' }, "Invalid data: field 'local' must be a boolean"],
    ['"1" for a boolean', { local: '1' }, "Invalid data: field 'local' must be a boolean"],
    ['"" for a boolean', { local: '' }, "Invalid data: field 'local' must be a boolean"],
    ['"truthy" for a nested boolean', { config_settings: { tenant_vrf: 'truthy' } }, "Invalid data: field 'config_settings.tenant_vrf' must be a boolean"],
  ];

  it.each(refused)('tenant with %s → 400 naming the field, nothing created', async (_label, extra, error) => {
    const before = await count('tenant');
    const res = await send('post', '/api/tenant', { name: uniq('t'), ...extra });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error });
    expect(await count('tenant')).toBe(before);
  });

  const refusedPool: Array<[string, Data, string]> = [
    ['"80.5" for an integer', { default_server_port: '80.5' }, "Invalid data: field 'default_server_port' must be an integer"],
    ['"0x50" for an integer', { default_server_port: '0x50' }, "Invalid data: field 'default_server_port' must be an integer"],
    ['" 80" for an integer', { default_server_port: ' 80' }, "Invalid data: field 'default_server_port' must be an integer"],
    ['a nested "on" for a boolean', { servers: [{ ip: v4('10.1.1.1'), enabled: 'on' }] }, "Invalid data: field 'servers[0].enabled' must be a boolean"],
    ['a text number outside the range', { servers: [{ ip: v4('10.1.1.1'), port: '70000' }] }, "Invalid data: field 'servers[0].port' value 70000 is outside the allowed range 1-65535 (or 0)"],
  ];

  it.each(refusedPool)('pool with %s → 400 naming the field', async (_label, extra, error) => {
    const res = await send('post', '/api/pool', { name: uniq('pool'), ...extra });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error });
  });

  it('a number field refuses text that is no decimal number', async () => {
    const res = await send('post', '/api/analyticsprofile', { name: uniq('ap'), apdex_response_tolerated_factor: 'Infinity' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Invalid data: field 'apdex_response_tolerated_factor' must be a number" });
  });
});

// ---- addresses ---------------------------------------------------------------------------------

describe('addresses are checked against their type', () => {
  const bad: Array<[string, string, Data, string]> = [
    ['a server V4 address out of range', 'pool', { servers: [{ ip: v4('10.0.0.300') }] }, `field 'servers[0].ip.addr' value "10.0.0.300" is not a valid IPv4 address`],
    ['a V6 address typed V4', 'pool', { servers: [{ ip: v4('fd00::1') }] }, `field 'servers[0].ip.addr' value "fd00::1" is not a valid IPv4 address`],
    ['a V4 address typed V6', 'pool', { servers: [{ ip: v6('10.0.0.1') }] }, `field 'servers[0].ip.addr' value "10.0.0.1" is not a valid IPv6 address`],
    ['a VIP address', 'vsvip', { vip: [{ vip_id: '0', ip_address: v4('10.0.0') }] }, `field 'vip[0].ip_address.addr' value "10.0.0" is not a valid IPv4 address`],
    ['a subnet prefix address', 'network', { configured_subnets: [{ prefix: { ip_addr: v4('10.2.0.0/24'), mask: 24 } }] }, `field 'configured_subnets[0].prefix.ip_addr.addr' value "10.2.0.0/24" is not a valid IPv4 address`],
    ['a V4 mask over 32', 'network', { configured_subnets: [{ prefix: { ip_addr: v4('10.2.0.0'), mask: 33 } }] }, `field 'configured_subnets[0].prefix.mask' value 33 is outside the allowed range 0-32`],
    ['a V6 mask over 128', 'network', { configured_subnets: [{ prefix: { ip_addr: v6('fd00::'), mask: 129 } }] }, `field 'configured_subnets[0].prefix.mask' value 129 is outside the allowed range 0-128`],
    ['a negative mask', 'network', { configured_subnets: [{ prefix: { ip_addr: v4('10.2.0.0'), mask: -1 } }] }, `field 'configured_subnets[0].prefix.mask' value -1 is outside the allowed range 0-32`],
    ['a DNS name as a prefix', 'network', { configured_subnets: [{ prefix: { ip_addr: { addr: 'a.example', type: 'DNS' }, mask: 24 } }] }, `field 'configured_subnets[0].prefix.ip_addr.addr' value "a.example" is not a valid IPv4 or IPv6 address`],
    [
      'a range of two families',
      'network',
      { configured_subnets: [{ prefix: { ip_addr: v4('10.2.0.0'), mask: 24 }, static_ip_ranges: [{ range: { begin: v4('10.2.0.10'), end: v6('fd00::10') } }] }] },
      `field 'configured_subnets[0].static_ip_ranges[0].range.end' must be of the same address family as 'configured_subnets[0].static_ip_ranges[0].range.begin'`,
    ],
    ['an IP group address', 'ipaddrgroup', { addrs: [v4('256.1.1.1')] }, `field 'addrs[0].addr' value "256.1.1.1" is not a valid IPv4 address`],
    ['an IP group range end', 'ipaddrgroup', { ranges: [{ begin: v4('10.0.0.1'), end: v4('10.0.0.x') }] }, `field 'ranges[0].end.addr' value "10.0.0.x" is not a valid IPv4 address`],
  ];

  it.each(bad)('POST with %s → 400 naming the field path, nothing created', async (_label, type, body, problem) => {
    const before = await count(type);
    const res = await send('post', `/api/${type}`, { name: uniq(type), ...body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: `Invalid data: ${problem}` });
    expect(await count(type)).toBe(before);
  });

  it('valid V4, V6 and DNS addresses, prefixes and ranges are accepted', async () => {
    const pool = await created('/api/pool', { name: uniq('pool'), servers: [{ ip: v4('10.0.0.255') }, { ip: v6('fd00::1:2') }, { ip: { addr: 'app.example', type: 'DNS' } }] });
    expect(pool.servers).toHaveLength(3);
    await created('/api/network', {
      name: uniq('net'),
      configured_subnets: [
        { prefix: { ip_addr: v4('10.3.0.0'), mask: 32 }, static_ip_ranges: [{ range: { begin: v4('10.3.0.0'), end: v4('10.3.0.0') } }] },
        { prefix: { ip_addr: v6('fd00:3::'), mask: 0 }, static_ip_ranges: [{ range: { begin: v6('fd00:3::1'), end: v6('fd00:3::9') } }] },
      ],
    });
  });

  it('PUT and every PATCH form meet the same check; the object is unchanged', async () => {
    const pool = await created('/api/pool', { name: uniq('pool'), servers: [{ ip: v4('10.0.0.1') }] });
    const path = `/api/pool/${pool.uuid}`;
    const before = (await get(path)).body;
    const error = { error: `Invalid data: field 'servers[1].ip.addr' value "10.0.0.999" is not a valid IPv4 address` };
    const badServer = { ip: v4('10.0.0.999') };
    const attempts: Array<[string, 'put' | 'patch', Data]> = [
      ['PUT', 'put', { name: pool.name, servers: [{ ip: v4('10.0.0.1') }, badServer] }],
      ['PATCH add', 'patch', { add: { servers: [badServer] } }],
      ['PATCH replace', 'patch', { replace: { servers: [{ ip: v4('10.0.0.1') }, badServer] } }],
      ['json_patch', 'patch', { json_patch: [{ op: 'add', path: '/servers/-', value: badServer }] }],
    ];
    for (const [label, method, body] of attempts) {
      const res = await send(method, path, body);
      expect(res.status, label).toBe(400);
      expect(res.body, label).toEqual(error);
    }
    expect((await get(path)).body).toEqual(before);
  });
});

// ---- a ref to an object of another type ------------------------------------------------------

describe('a ref to an object of another type is the expected model\'s 400', () => {
  let vsvip: Data;
  let pool: Data;

  beforeAll(async () => {
    vsvip = await created('/api/vsvip', { name: uniq('vsvip'), vip: [{ vip_id: '0', ip_address: v4('10.9.0.1') }] });
    pool = await created('/api/pool', { name: uniq('pool') });
  });

  const forms: Array<[string, () => string]> = [
    ['a /api/vsvip/<uuid> path', () => `/api/vsvip/${vsvip.uuid}`],
    ['the vsvip\'s full URL with #name', () => `${vsvip.url}`],
    ['a /api/vsvip?name= path', () => `/api/vsvip?name=${vsvip.name}`],
    ['the vsvip\'s uuid', () => vsvip.uuid],
    ['a vsvip path holding the pool\'s uuid', () => `/api/vsvip/${pool.uuid}`],
  ];

  it.each(forms)('pool_ref given %s: POST, PUT and PATCH answer "Pool object not found!"', async (_label, ref) => {
    const error = { error: 'Pool object not found!' };
    const post = await send('post', '/api/virtualservice', { name: uniq('vs'), services: [{ port: 80 }], pool_ref: ref() });
    expect(post.status).toBe(400);
    expect(post.body).toEqual(error);
    const vs = await created('/api/virtualservice', { name: uniq('vs'), services: [{ port: 80 }] });
    const put = await send('put', `/api/virtualservice/${vs.uuid}`, { name: vs.name, services: [{ port: 80 }], pool_ref: ref() });
    expect(put.status).toBe(400);
    expect(put.body).toEqual(error);
    const patch = await send('patch', `/api/virtualservice/${vs.uuid}`, { replace: { pool_ref: ref() } });
    expect(patch.status).toBe(400);
    expect(patch.body).toEqual(error);
  });

  it('nested and in lists, the expected model is named', async () => {
    const nested = await send('post', '/api/l4policyset', {
      name: uniq('l4'),
      l4_connection_policy: { rules: [{ index: 0, name: 'r0', action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: `/api/vsvip/${vsvip.uuid}` } } }] },
    });
    expect(nested.status).toBe(400);
    expect(nested.body).toEqual({ error: 'Pool object not found!' });
    const listed = await send('post', '/api/pool', { name: uniq('pool'), health_monitor_refs: ['/api/healthmonitor?name=System-TCP', `/api/vsvip/${vsvip.uuid}`] });
    expect(listed.status).toBe(400);
    expect(listed.body).toEqual({ error: 'HealthMonitor object not found!' });
  });
});

// ---- admin-tenant objects are shared -----------------------------------------------------------

describe('admin-tenant objects are shared with every tenant', () => {
  const tenant = 'avinetworks';
  let profile: Data;
  let hm: Data;
  let adminPool: Data;

  beforeAll(async () => {
    await created('/api/tenant', { name: tenant }, goSdk('admin'));
    // The Go SDK's profiles test: made in admin.
    profile = await created('/api/applicationpersistenceprofile', {
      is_federated: false,
      persistence_type: 'PERSISTENCE_TYPE_CLIENT_IP_ADDRESS',
      name: 'Test-Persistece-Profile',
      tenant_ref: '/api/tenant?name=admin',
      ip_persistence_profile: { ip_persistent_timeout: 5 },
    }, goSdk('admin'));
    hm = await created('/api/healthmonitor', { name: 'Test-Healthmonitor', type: 'HEALTH_MONITOR_TCP', tenant_ref: '/api/tenant?name=admin' }, goSdk('admin'));
    adminPool = await created('/api/pool', { name: 'admin-app-pool' }, goSdk('admin'));
  });

  it('a pool in another tenant refers to admin\'s persistence profile and health monitor by name', async () => {
    // The Go SDK's virtual service test: the pool and VS in tenant avinetworks.
    const pool = await created('/api/pool', {
      name: 'Test-pool',
      servers: [{ enabled: true, ip: v4('10.90.20.12') }],
      tenant_ref: `/api/tenant?name=${tenant}`,
      cloud_ref: '/api/cloud?name=Default-Cloud',
      application_persistence_profile_ref: '/api/applicationpersistenceprofile?name=Test-Persistece-Profile',
      health_monitor_refs: ['/api/healthmonitor?name=Test-Healthmonitor'],
    }, goSdk(tenant));
    expect(uuidOf(pool.application_persistence_profile_ref)).toBe(profile.uuid);
    expect(pool.health_monitor_refs.map(uuidOf)).toEqual([hm.uuid]);
    expect(pool.tenant_ref).toMatch(new RegExp(`#${tenant}$`));
    const vs = await created('/api/virtualservice', {
      name: 'my-test-vs',
      vip: [{ vip_id: 'myvip', ip_address: v4('10.10.18.67') }],
      tenant_ref: `/api/tenant?name=${tenant}`,
      pool_ref: pool.uuid,
      cloud_ref: '/api/cloud?name=Default-Cloud',
      services: [{ port: 80 }],
    }, goSdk(tenant));
    expect(uuidOf(vs.pool_ref)).toBe(pool.uuid);
    // and by uuid
    const byUuid = await created('/api/pool', { name: uniq('pool'), application_persistence_profile_ref: profile.uuid }, goSdk(tenant));
    expect(uuidOf(byUuid.application_persistence_profile_ref)).toBe(profile.uuid);
  });

  it('another tenant reads them, by name and by uuid', async () => {
    const list = await ok(await get('/api/applicationpersistenceprofile?name=Test-Persistece-Profile', goSdk(tenant)));
    expect(list.count).toBe(1);
    expect(list.results[0].uuid).toBe(profile.uuid);
    expect((await ok(await get(`/api/healthmonitor/${hm.uuid}`, goSdk(tenant)))).name).toBe('Test-Healthmonitor');
  });

  it('another tenant writes none of them', async () => {
    const path = `/api/applicationpersistenceprofile/${profile.uuid}`;
    const before = (await get(path)).body;
    const notFound = { error: 'ApplicationPersistenceProfile object not found!' };
    const put = await send('put', path, { ...before, description: 'mine' }, goSdk(tenant));
    const patch = await send('patch', path, { replace: { description: 'mine' } }, goSdk(tenant));
    const remove = await del(path, goSdk(tenant));
    for (const res of [put, patch, remove]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(notFound);
    }
    expect((await get(path)).body).toEqual(before);
  });

  it('a tenant\'s own object of the same name comes first', async () => {
    const own = await created('/api/healthmonitor', { name: 'Test-Healthmonitor', type: 'HEALTH_MONITOR_TCP' }, goSdk(tenant));
    expect(own.uuid).not.toBe(hm.uuid);
    const pool = await created('/api/pool', { name: uniq('pool'), health_monitor_refs: ['/api/healthmonitor?name=Test-Healthmonitor'] }, goSdk(tenant));
    expect(pool.health_monitor_refs.map(uuidOf)).toEqual([own.uuid]);
    expect((await get('/api/healthmonitor?name=Test-Healthmonitor', goSdk(tenant))).body.count).toBe(2);
  });

  it('admin\'s applications stay admin\'s: neither read nor referred to from another tenant', async () => {
    expect((await get('/api/pool?name=admin-app-pool', goSdk(tenant))).body.count).toBe(0);
    expect((await get(`/api/pool/${adminPool.uuid}`, goSdk(tenant))).status).toBe(404);
    for (const ref of ['/api/pool?name=admin-app-pool', adminPool.uuid]) {
      const res = await send('post', '/api/virtualservice', { name: uniq('vs'), services: [{ port: 80 }], pool_ref: ref }, goSdk(tenant));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'Pool object not found!' });
    }
  });
});

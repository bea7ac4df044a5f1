/**
 * Collections (contract section 6): pagination with `next` as clients follow it, every filter
 * clients send, projection, sorting, and the sloppy paths SDKs produce.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { client as hostClient, startSim, type Sim } from './helpers.js';

type Data = Record<string, any>;

/** A fixed Host header, so that urls and `next` are stable across requests (supertest picks a new port each time). */
const HOST = 'ctl.test';
const client = (sim: Sim) => hostClient(sim, HOST);
const BASE = `http://${HOST}`;

type Api = ReturnType<typeof client>;

async function create(api: Api, type: string, body: Data): Promise<Data> {
  const res = await api.post(`/api/${type}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** `next` minus scheme and host: what AKO and the SDKs request next. */
function pathOf(next: string): string {
  expect(next.startsWith(`${BASE}/api/`)).toBe(true);
  return next.slice(BASE.length);
}

describe('pagination', () => {
  let api: Api;
  const names: string[] = [];

  beforeAll(async () => {
    api = client(await startSim());
    // Names whose sorted order differs from creation order, to catch sorting instead of creation order.
    for (let i = 0; i < 250; i++) names.push(`p-${String((i * 7) % 250).padStart(3, '0')}`);
    for (const name of names) await create(api, 'pool', { name });
  });

  it('follows next over 250 pools in pages of 100, 100, 50, keeping every original parameter', async () => {
    const first = '/api/pool?name.contains=p&include_name&page_size=100';
    const pages: Data[] = [];
    const requested: string[] = [];
    let path: string | undefined = first;
    while (path !== undefined) {
      requested.push(path);
      const res = await api.get(path);
      expect(res.status).toBe(200);
      pages.push(res.body);
      path = res.body.next === undefined ? undefined : pathOf(res.body.next);
      expect(pages.length).toBeLessThanOrEqual(3);
    }
    expect(pages.map((p) => p.results.length)).toEqual([100, 100, 50]);
    expect(pages.map((p) => p.count)).toEqual([250, 250, 250]);
    expect(requested).toEqual([
      first,
      '/api/pool?name.contains=p&include_name&page_size=100&page=2',
      '/api/pool?name.contains=p&include_name&page_size=100&page=3',
    ]);
    expect(pages[0]!.next).toBe(`${BASE}/api/pool?name.contains=p&include_name&page_size=100&page=2`);
    expect(pages[2]).not.toHaveProperty('next');
    expect(Object.keys(pages[2]!).sort()).toEqual(['count', 'results']);
    const all = pages.flatMap((p) => p.results);
    expect(all.map((r) => r.name)).toEqual(names);
    // include_name was kept on every page
    for (const r of all) expect(r.url).toBe(`${BASE}/api/pool/${r.uuid}#${r.name}`);
  });

  it('keeps Go-encoded parameters as written (include_name= with an empty value)', async () => {
    const res = await api.get('/api/pool?include_name=&page_size=100');
    expect(res.body.next).toBe(`${BASE}/api/pool?include_name=&page_size=100&page=2`);
    const last = await api.get('/api/pool?include_name=&page=3&page_size=100');
    expect(last.body.results).toHaveLength(50);
    expect(last.body).not.toHaveProperty('next');
  });

  it('pages by 25 by default', async () => {
    const res = await api.get('/api/pool');
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(250);
    expect(res.body.results.map((r: Data) => r.name)).toEqual(names.slice(0, 25));
    expect(res.body.next).toBe(`${BASE}/api/pool?page=2`);
    const second = await api.get(pathOf(res.body.next));
    expect(second.body.results.map((r: Data) => r.name)).toEqual(names.slice(25, 50));
  });

  it('a page past the end is empty, without next', async () => {
    const res = await api.get('/api/pool?page_size=100&page=4');
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(250);
    expect(res.body.results).toEqual([]);
    expect(res.body).not.toHaveProperty('next');
  });

  it('a result that fits one page has no next', async () => {
    const res = await api.get('/api/pool?name=p-000');
    expect(res.body.count).toBe(1);
    expect(res.body).not.toHaveProperty('next');
  });
});

describe('filters, projection and sorting', () => {
  let api: Api;
  let c2: Data;
  let hm: Data;
  const pools: Record<string, Data> = {};

  /** names of the results of `GET path`, in order, after checking that count agrees */
  async function names(path: string): Promise<string[]> {
    const res = await api.get(path);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.count).toBe(res.body.results.length);
    return res.body.results.map((r: Data) => r.name);
  }

  beforeAll(async () => {
    api = client(await startSim());
    // c2 comes with its own `global` VRF
    c2 = await create(api, 'cloud', { name: 'c2', vtype: 'CLOUD_NONE' });
    hm = await create(api, 'healthmonitor', { name: 'hm-web', type: 'HEALTH_MONITOR_HTTP' });
    const specs: Array<[string, Data]> = [
      ['web-b', { created_by: 'ako-c1', markers: [{ key: 'clustername', values: ['c1'] }], health_monitor_refs: [hm.uuid] }],
      ['web-a', { cloud_ref: c2.uuid, created_by: 'ako-c2', markers: [{ key: 'clustername', values: ['c2'] }] }],
      ['Web-C', { description: 'upper web' }],
      ['db-1', { lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN', markers: [{ key: 'clustername', values: ['c1', 'c3'] }, { key: 'app', values: ['db'] }] }],
    ];
    for (const [name, body] of specs) pools[name] = await create(api, 'pool', { name, ...body });

    await create(api, 'serviceenginegroup', { name: 'seg-b' });
    await create(api, 'vsvip', { name: 'vip-global', vrf_context_ref: '/api/vrfcontext?name=global' });
    await create(api, 'vsvip', { name: 'vip-mgmt', vrf_context_ref: '/api/vrfcontext?name=management' });
    await create(api, 'virtualservice', { name: 'vs-default', se_group_ref: '/api/serviceenginegroup?name=Default-Group' });
    await create(api, 'virtualservice', { name: 'vs-b', se_group_ref: '/api/serviceenginegroup?name=seg-b', vrf_context_ref: '/api/vrfcontext?name=management' });
  });

  it('lists in creation order', async () => {
    expect(await names('/api/pool')).toEqual(['web-b', 'web-a', 'Web-C', 'db-1']);
  });

  it('name matches exactly', async () => {
    expect(await names('/api/pool?name=web-a')).toEqual(['web-a']);
    expect(await names('/api/pool?name=web')).toEqual([]);
  });

  it('name.contains is case-sensitive, name.icontains is not', async () => {
    expect(await names('/api/pool?name.contains=web')).toEqual(['web-b', 'web-a']);
    expect(await names('/api/pool?name.icontains=WEB')).toEqual(['web-b', 'web-a', 'Web-C']);
  });

  it('name.in and uuid.in take comma-separated lists, answered in creation order', async () => {
    expect(await names('/api/pool?name.in=db-1,web-b')).toEqual(['web-b', 'db-1']);
    expect(await names(`/api/pool?uuid.in=${pools['db-1']!.uuid},${pools['web-a']!.uuid}`)).toEqual(['web-a', 'db-1']);
  });

  it('cloud_ref.name, cloud_ref.uuid and cloud_uuid select by cloud', async () => {
    expect(await names('/api/pool?cloud_ref.name=c2')).toEqual(['web-a']);
    expect(await names('/api/pool?cloud_ref.name=Default-Cloud')).toEqual(['web-b', 'Web-C', 'db-1']);
    expect(await names(`/api/pool?cloud_ref.uuid=${c2.uuid}`)).toEqual(['web-a']);
    expect(await names(`/api/pool?cloud_uuid=${c2.uuid}`)).toEqual(['web-a']);
    expect(await names('/api/vrfcontext?name=global')).toHaveLength(2);
    expect(await names(`/api/vrfcontext?name=global&cloud_uuid=${c2.uuid}`)).toEqual(['global']);
  });

  it('vrf_context_ref.name selects vsvips and virtualservices by VRF', async () => {
    expect(await names('/api/vsvip?vrf_context_ref.name=management')).toEqual(['vip-mgmt']);
    expect(await names('/api/vsvip?vrf_context_ref.name=global')).toEqual(['vip-global']);
    expect(await names('/api/virtualservice?vrf_context_ref.name=management')).toEqual(['vs-b']);
  });

  it('se_group_ref.name selects virtualservices by SE group', async () => {
    expect(await names('/api/virtualservice?se_group_ref.name=seg-b')).toEqual(['vs-b']);
    expect(await names('/api/virtualservice?se_group_ref.name=Default-Group')).toEqual(['vs-default']);
  });

  it('created_by matches exactly', async () => {
    expect(await names('/api/pool?created_by=ako-c1')).toEqual(['web-b']);
    expect(await names('/api/pool?created_by=ako')).toEqual([]);
  });

  it('label_key + label_value match markers[].key and values[]', async () => {
    expect(await names('/api/pool?label_key=clustername&label_value=c1')).toEqual(['web-b', 'db-1']);
    expect(await names('/api/pool?label_key=clustername&label_value=c3')).toEqual(['db-1']);
    expect(await names('/api/pool?label_key=app&label_value=db')).toEqual(['db-1']);
    expect(await names('/api/pool?label_key=app&label_value=c1')).toEqual([]);
    expect(await names('/api/pool?label_key=clustername')).toEqual(['web-b', 'web-a', 'db-1']);
  });

  it('refers_to=healthmonitor:<uuid> lists the pools using the monitor', async () => {
    expect(await names(`/api/pool?refers_to=healthmonitor:${hm.uuid}`)).toEqual(['web-b']);
    expect(await names(`/api/pool?refers_to=cloud:${c2.uuid}`)).toEqual(['web-a']);
  });

  it('referred_by=pool:<uuid> lists what the pool refers to', async () => {
    expect(await names(`/api/healthmonitor?referred_by=pool:${pools['web-b']!.uuid}`)).toEqual(['hm-web']);
    expect(await names(`/api/healthmonitor?referred_by=pool:${pools['web-a']!.uuid}`)).toEqual([]);
  });

  it('fields=a,b projects to those fields plus name, url and uuid', async () => {
    const res = await api.get('/api/pool?name=db-1&fields=lb_algorithm,default_server_port');
    expect(res.body.count).toBe(1);
    const [r] = res.body.results;
    expect(Object.keys(r).sort()).toEqual(['default_server_port', 'lb_algorithm', 'name', 'url', 'uuid']);
    expect(r).toEqual({
      url: `${BASE}/api/pool/${pools['db-1']!.uuid}`,
      uuid: pools['db-1']!.uuid,
      name: 'db-1',
      lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN',
      default_server_port: 80,
    });
  });

  it('skip_default=true omits fields equal to their schema default', async () => {
    const res = await api.get('/api/pool?skip_default=true&name.in=db-1,Web-C');
    const [webC, db1] = res.body.results;
    for (const r of [webC, db1]) {
      expect(r).not.toHaveProperty('default_server_port');
      expect(r).not.toHaveProperty('enabled');
      expect(r).toHaveProperty('name');
      expect(r).toHaveProperty('uuid');
      expect(r).toHaveProperty('url');
      expect(r).toHaveProperty('cloud_ref');
    }
    expect(webC).not.toHaveProperty('lb_algorithm');
    expect(webC.description).toBe('upper web');
    expect(db1.lb_algorithm).toBe('LB_ALGORITHM_ROUND_ROBIN');
    const full = await api.get('/api/pool?skip_default=false&name=Web-C');
    expect(full.body.results[0].lb_algorithm).toBe('LB_ALGORITHM_LEAST_CONNECTIONS');
    expect(full.body.results[0].default_server_port).toBe(80);
  });

  it('sort=name ascends and sort=-name descends', async () => {
    expect(await names('/api/pool?name.in=web-b,db-1,web-a&sort=name')).toEqual(['db-1', 'web-a', 'web-b']);
    expect(await names('/api/pool?name.in=web-b,db-1,web-a&sort=-name')).toEqual(['web-b', 'web-a', 'db-1']);
  });

  it('search=(field,value) matches a substring of the field', async () => {
    expect(await names('/api/pool?search=(name,web)')).toEqual(['web-b', 'web-a']);
    expect(await names('/api/pool?search=(description,upper)')).toEqual(['Web-C']);
  });

  it('exclude=name.in negates the name.in filter', async () => {
    expect(await names('/api/pool?name.in=web-a,web-b&exclude=name.in')).toEqual(['Web-C', 'db-1']);
  });

  it('filters combine', async () => {
    expect(await names('/api/pool?name.contains=web&cloud_ref.name=Default-Cloud&label_key=clustername&label_value=c1')).toEqual(['web-b']);
  });

  it('unknown parameters are ignored', async () => {
    expect(await names('/api/pool?no_such_param=1&name=web-a&another=')).toEqual(['web-a']);
  });

  it.each([
    ['//api/pool', ['web-b', 'web-a', 'Web-C', 'db-1']],
    ['/api//pool', ['web-b', 'web-a', 'Web-C', 'db-1']],
    ['/api/pool/', ['web-b', 'web-a', 'Web-C', 'db-1']],
    ['/api/pool/?name=web-a', ['web-a']],
    ['//api//pool/?name=web-a', ['web-a']],
  ])('the path %s works', async (path, expected) => {
    expect(await names(path)).toEqual(expected);
  });

  it('GET one through a doubled slash works too', async () => {
    const res = await api.get(`//api/pool/${pools['db-1']!.uuid}`);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('db-1');
  });
});

describe('GET one takes the read parameters of a collection', () => {
  it('fields, skip_default and include_name apply to a single object too', async () => {
    const sim = await startSim();
    const api = hostClient(sim, HOST);
    const p = (await api.post('/api/pool', { name: 'one-read', description: 'd' })).body;
    const projected = (await api.get(`/api/pool/${p.uuid}?fields=description&include_name`)).body;
    expect(Object.keys(projected).sort()).toEqual(['description', 'name', 'url', 'uuid']);
    expect(projected.url).toMatch(/#one-read$/);
    const lean = (await api.get(`/api/pool/${p.uuid}?skip_default=true`)).body;
    expect(lean).not.toHaveProperty('lb_algorithm');
    expect(lean.description).toBe('d');
  });
});

/**
 * Every error a client substring-matches, with its exact status and text (contract sections 5-7,
 * server/avi/errors.ts), and the rule that a rejected write never changes state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { client as hostClient, startSim, type Sim } from './helpers.js';

type Data = Record<string, any>;

/** A fixed Host header, so that urls and refs are stable across requests (supertest picks a new port each time). */
const HOST = 'ctl.test';
const client = (sim: Sim) => hostClient(sim, HOST);

let sim: Sim;
let api: ReturnType<typeof client>;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;

async function create(type: string, body: Data): Promise<Data> {
  const res = await api.post(`/api/${type}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function count(type: string): Promise<number> {
  const res = await api.get(`/api/${type}`);
  expect(res.status).toBe(200);
  return res.body.count;
}

async function byName(type: string, name: string): Promise<Data> {
  const res = await api.get(`/api/${type}?name=${encodeURIComponent(name)}`);
  expect(res.body.count).toBe(1);
  return res.body.results[0];
}

/** The object (as GET renders it) and its collection's count, to compare before and after a write. */
async function stateOf(type: string, uuid: string): Promise<{ obj: Data; count: number }> {
  const res = await api.get(`/api/${type}/${uuid}`);
  expect(res.status).toBe(200);
  return { obj: res.body, count: await count(type) };
}

beforeAll(async () => {
  sim = await startSim();
  api = client(sim);
});

describe('404 for an unknown uuid', () => {
  const missing = 'pool-00000000-0000-4000-8000-000000000000';

  it.each([
    ['GET', () => api.get(`/api/pool/${missing}`)],
    ['PUT', () => api.put(`/api/pool/${missing}`, { name: 'x' })],
    ['PATCH', () => api.patch(`/api/pool/${missing}`, { replace: { description: 'x' } })],
    ['DELETE', () => api.del(`/api/pool/${missing}`)],
  ] as const)('%s /api/pool/<unknown> → 404 "Pool object not found!"', async (_m, call) => {
    const res = await call();
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Pool object not found!' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it.each([
    ['vsvip', 'VsVip'],
    ['virtualservice', 'VirtualService'],
    ['vrfcontext', 'VrfContext'],
    ['healthmonitor', 'HealthMonitor'],
  ])('GET /api/%s/<unknown> names the model %s', async (type, model) => {
    const res = await api.get(`/api/${type}/${type}-00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: `${model} object not found!` });
  });

  it('a uuid that is not valid percent-encoding names nothing: 404, not a 500', async () => {
    const res = await api.get('/api/pool/%E0%A4%A');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Pool object not found!' });
  });
});

describe('409 duplicate names', () => {
  it('a second pool of the same name in the same tenant and cloud → exact 409, nothing created', async () => {
    await create('pool', { name: 'dup-pool' });
    const before = await count('pool');
    const res = await api.post('/api/pool', { name: 'dup-pool' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'Pool with this Name, Tenant ref and Cloud ref already exists.' });
    expect(await count('pool')).toBe(before);
  });

  it('renaming a pool by PUT onto an existing name → 409, the pool keeps its name', async () => {
    await create('pool', { name: 'taken-name' });
    const p = await create('pool', { name: 'free-name' });
    const res = await api.put(`/api/pool/${p.uuid}`, { name: 'taken-name' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'Pool with this Name, Tenant ref and Cloud ref already exists.' });
    expect((await api.get(`/api/pool/${p.uuid}`)).body.name).toBe('free-name');
  });

  it('a health monitor name clash → 409 containing "already exists."', async () => {
    await create('healthmonitor', { name: 'dup-hm', type: 'HEALTH_MONITOR_TCP' });
    const res = await api.post('/api/healthmonitor', { name: 'dup-hm', type: 'HEALTH_MONITOR_PING' });
    expect(res.status).toBe(409);
    expect(res.body.error).toContain('already exists.');
    expect(res.body.error).toMatch(/^HealthMonitor with this Name/);
  });

  it('two clouds may each have a vrfcontext of the same name, the same cloud may not', async () => {
    const c2 = await create('cloud', { name: 'c2', vtype: 'CLOUD_NONE' });
    const c3 = await create('cloud', { name: 'c3', vtype: 'CLOUD_NONE' });
    await create('vrfcontext', { name: 'shared-vrf', cloud_ref: c2.uuid });
    await create('vrfcontext', { name: 'shared-vrf', cloud_ref: c3.uuid });
    // Default-Cloud has its `global`, and c2 came with its own.
    expect((await api.get(`/api/vrfcontext?name=global&cloud_ref.uuid=${c2.uuid}`)).body.count).toBe(1);
    const before = await count('vrfcontext');
    const res = await api.post('/api/vrfcontext', { name: 'shared-vrf', cloud_ref: '/api/cloud?name=c2' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'VrfContext with this Name, Tenant ref and Cloud ref already exists.' });
    for (const cloud of [undefined, c2.uuid]) {
      const clash = await api.post('/api/vrfcontext', cloud ? { name: 'global', cloud_ref: cloud } : { name: 'global' });
      expect(clash.status).toBe(409);
      expect(clash.body).toEqual({ error: 'VrfContext with this Name, Tenant ref and Cloud ref already exists.' });
    }
    expect(await count('vrfcontext')).toBe(before);
  });

  it('the same pool name in another cloud is allowed', async () => {
    await create('pool', { name: 'per-cloud-pool' });
    await create('cloud', { name: 'c4', vtype: 'CLOUD_NONE' });
    await create('pool', { name: 'per-cloud-pool', cloud_ref: '/api/cloud?name=c4' });
  });
});

describe('403 on delete', () => {
  it('deleting a health monitor referenced by pool p1 → 403 naming it; it stays', async () => {
    const hm = await create('healthmonitor', { name: uniq('hm'), type: 'HEALTH_MONITOR_TCP' });
    const p1 = await create('pool', { name: 'p1', health_monitor_refs: [hm.uuid] });
    const res = await api.del(`/api/healthmonitor/${hm.uuid}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "Cannot delete, object is referred by: ['Pool p1']" });
    expect((await api.get(`/api/healthmonitor/${hm.uuid}`)).status).toBe(200);
    // once the referrer is gone, the delete goes through
    expect((await api.del(`/api/pool/${p1.uuid}`)).status).toBe(204);
    expect((await api.del(`/api/healthmonitor/${hm.uuid}`)).status).toBe(204);
  });

  it('two referrers are listed in creation order', async () => {
    const hm = await create('healthmonitor', { name: uniq('hm'), type: 'HEALTH_MONITOR_TCP' });
    await create('pool', { name: 'ref-a', health_monitor_refs: [hm.uuid] });
    await create('pool', { name: 'ref-b', health_monitor_refs: [`/api/healthmonitor/${hm.uuid}`] });
    const res = await api.del(`/api/healthmonitor/${hm.uuid}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "Cannot delete, object is referred by: ['Pool ref-a', 'Pool ref-b']" });
  });

  it('referrers stay in creation order after the first one is updated', async () => {
    const hm = await create('healthmonitor', { name: uniq('hm'), type: 'HEALTH_MONITOR_TCP' });
    const first = await create('pool', { name: 'order-a', health_monitor_refs: [hm.uuid] });
    await create('pool', { name: 'order-b', health_monitor_refs: [hm.uuid] });
    const patched = await api.patch(`/api/pool/${first.uuid}`, { replace: { description: 'touched' } });
    expect(patched.status).toBe(200);
    const put = await api.put(`/api/pool/${first.uuid}`, { name: 'order-a', health_monitor_refs: [hm.uuid] });
    expect(put.status).toBe(200);
    const res = await api.del(`/api/healthmonitor/${hm.uuid}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "Cannot delete, object is referred by: ['Pool order-a', 'Pool order-b']" });
  });

  it('a referrer that drops the ref no longer blocks the delete', async () => {
    const hm = await create('healthmonitor', { name: uniq('hm'), type: 'HEALTH_MONITOR_TCP' });
    const p = await create('pool', { name: uniq('drop'), health_monitor_refs: [hm.uuid] });
    expect((await api.put(`/api/pool/${p.uuid}`, { name: p.name })).status).toBe(200);
    expect((await api.del(`/api/healthmonitor/${hm.uuid}`)).status).toBe(204);
  });

  it('referrers of different types are named by their model', async () => {
    const pool = await create('pool', { name: uniq('pool') });
    await create('virtualservice', { name: 'vs1', pool_ref: pool.uuid });
    const res = await api.del(`/api/pool/${pool.uuid}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "Cannot delete, object is referred by: ['VirtualService vs1']" });
  });

  it.each([
    ['applicationprofile', 'System-HTTP'],
    ['healthmonitor', 'System-HTTP'],
    ['cloud', 'Default-Cloud'],
    ['tenant', 'admin'],
  ])('deleting the system default %s %s → 403 "Cannot delete system default object"; it stays', async (type, name) => {
    const obj = await byName(type, name);
    const res = await api.del(`/api/${type}/${obj.uuid}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'Cannot delete system default object' });
    expect((await api.get(`/api/${type}/${obj.uuid}`)).status).toBe(200);
  });
});

describe('412 optimistic concurrency', () => {
  const stale = '1000000000000000';
  const text = 'Concurrent Update Error: Need to reload object data Pool';

  it('PUT with a stale _last_modified → 412, object unchanged', async () => {
    const p = await create('pool', { name: uniq('cc') });
    const before = await stateOf('pool', p.uuid);
    const res = await api.put(`/api/pool/${p.uuid}`, { name: p.name, description: 'new', _last_modified: stale });
    expect(res.status).toBe(412);
    expect(res.body).toEqual({ error: text });
    expect(await stateOf('pool', p.uuid)).toEqual(before);
  });

  it.each([
    ['at the top of the body', (lm: string) => ({ replace: { description: 'new' }, _last_modified: lm })],
    ['inside replace', (lm: string) => ({ replace: { description: 'new', _last_modified: lm } })],
    ['inside add', (lm: string) => ({ add: { description: 'new', _last_modified: lm } })],
  ])('PATCH with a stale _last_modified %s → 412, object unchanged', async (_where, body) => {
    const p = await create('pool', { name: uniq('cc') });
    const before = await stateOf('pool', p.uuid);
    const res = await api.patch(`/api/pool/${p.uuid}`, body(stale));
    expect(res.status).toBe(412);
    expect(res.body).toEqual({ error: text });
    expect(await stateOf('pool', p.uuid)).toEqual(before);
  });

  it('a PUT of what a GET answered (current _last_modified) is accepted', async () => {
    const p = await create('pool', { name: uniq('cc') });
    const got = (await api.get(`/api/pool/${p.uuid}`)).body;
    const res = await api.put(`/api/pool/${p.uuid}`, { ...got, description: 'fresh' });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('fresh');
    // ... and the old stamp is stale now
    const again = await api.put(`/api/pool/${p.uuid}`, { ...got, description: 'late' });
    expect(again.status).toBe(412);
    expect(again.body).toEqual({ error: text });
  });

  it('a PATCH carrying the current _last_modified is accepted', async () => {
    const p = await create('pool', { name: uniq('cc') });
    const res = await api.patch(`/api/pool/${p.uuid}`, { replace: { description: 'fresh' }, _last_modified: p._last_modified });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('fresh');
  });

  it('no _last_modified means no check', async () => {
    const p = await create('pool', { name: uniq('cc') });
    await api.patch(`/api/pool/${p.uuid}`, { replace: { description: 'one' } });
    const put = await api.put(`/api/pool/${p.uuid}`, { name: p.name, description: 'two' });
    expect(put.status).toBe(200);
    const patch = await api.patch(`/api/pool/${p.uuid}`, { replace: { description: 'three' } });
    expect(patch.status).toBe(200);
    expect(patch.body.description).toBe('three');
  });
});

describe('400 schema violations name the field', () => {
  it.each([
    ['a bad enum', { lb_algorithm: 'LB_ALGORITHM_NOPE' }, /^Invalid data: field 'lb_algorithm' value "LB_ALGORITHM_NOPE" is not one of LB_ALGORITHM_LEAST_CONNECTIONS, /],
    ['an out-of-range number', { default_server_port: 70000 }, "Invalid data: field 'default_server_port' value 70000 is outside the allowed range 1-65535"],
    ['a number below range that is not a special value', { connection_ramp_duration: -5 }, "Invalid data: field 'connection_ramp_duration' value -5 is outside the allowed range 1-300 (or 0)"],
    ['a non-decimal string for an integer', { default_server_port: '80a' }, "Invalid data: field 'default_server_port' must be an integer"],
    ['a number for a boolean', { enabled: 1 }, "Invalid data: field 'enabled' must be a boolean"],
    ['an object for a list', { servers: { ip: { addr: '1.1.1.1', type: 'V4' } } }, "Invalid data: field 'servers' must be a list"],
    ['a nested required field missing', { servers: [{ port: 80 }] }, "Invalid data: field 'servers[0].ip' is required"],
    ['a nested bad enum', { servers: [{ ip: { addr: '1.1.1.1', type: 'V5' } }] }, /^Invalid data: field 'servers\[0\]\.ip\.type' value "V5" is not one of /],
    ['too many health monitors (maxItems 50)', { health_monitor_refs: Array.from({ length: 51 }, (_, i) => `hm-${i}`) }, "Invalid data: field 'health_monitor_refs' allows at most 50 items"],
  ] as const)('POST pool with %s → 400', async (_label, extra, error) => {
    const before = await count('pool');
    const res = await api.post('/api/pool', { name: uniq('bad'), ...extra });
    expect(res.status).toBe(400);
    if (typeof error === 'string') expect(res.body).toEqual({ error });
    else expect(res.body.error).toMatch(error);
    expect(await count('pool')).toBe(before);
  });

  it('a special value outside the range is accepted (connection_ramp_duration 0)', async () => {
    const p = await create('pool', { name: uniq('special'), connection_ramp_duration: 0 });
    expect(p.connection_ramp_duration).toBe(0);
  });

  it('missing required name → 400 naming it', async () => {
    const res = await api.post('/api/pool', { description: 'no name' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Invalid data: field 'name' is required" });
  });

  it('missing required type of a health monitor → 400 naming it', async () => {
    const res = await api.post('/api/healthmonitor', { name: uniq('hm') });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Invalid data: field 'type' is required" });
  });

  it('a list over maxItems on virtualservice (icap_request_profile_refs, max 1) → 400', async () => {
    const res = await api.post('/api/virtualservice', { name: uniq('vs'), icap_request_profile_refs: ['a', 'b'] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Invalid data: field 'icap_request_profile_refs' allows at most 1 items" });
  });

  it('a body that is not an object → 400', async () => {
    const res = await api.raw('post', '/api/pool', '[1,2]');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Invalid data: request body must be a JSON object' });
  });
});

describe('lenient input', () => {
  it('unknown body fields are dropped silently', async () => {
    const res = await api.post('/api/pool', { name: 'p', no_such_field: 1 });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('no_such_field');
    const got = await api.get(`/api/pool/${res.body.uuid}`);
    expect(got.body).not.toHaveProperty('no_such_field');
    expect(got.body.name).toBe('p');
  });

  it('null values are ignored (defaults still apply)', async () => {
    const res = await api.post('/api/pool', { name: uniq('nulls'), lb_algorithm: null, description: null, servers: null, cloud_ref: null });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.lb_algorithm).toBe('LB_ALGORITHM_LEAST_CONNECTIONS');
    expect(res.body).not.toHaveProperty('description');
    expect(res.body).not.toHaveProperty('servers');
    expect(res.body.cloud_ref).toMatch(/#Default-Cloud$/);
  });

  it('a null in PATCH add leaves the field as it was', async () => {
    const p = await create('pool', { name: uniq('nulls'), description: 'kept' });
    const res = await api.patch(`/api/pool/${p.uuid}`, { add: { description: null } });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('kept');
  });

  it('a null in PATCH replace leaves the field as it was', async () => {
    const p = await create('pool', { name: uniq('nulls'), description: 'kept', default_server_port: 8080 });
    const res = await api.patch(`/api/pool/${p.uuid}`, { replace: { description: null, default_server_port: null, enabled: false } });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('kept');
    expect(res.body.default_server_port).toBe(8080);
    expect(res.body.enabled).toBe(false);
  });

  it('read-only fields sent back (url, _last_modified) are not stored as data', async () => {
    const p = await create('pool', { name: uniq('ro') });
    const got = (await api.get(`/api/pool/${p.uuid}`)).body;
    const res = await api.put(`/api/pool/${p.uuid}`, { ...got, url: 'https://elsewhere/api/pool/x' });
    expect(res.status).toBe(200);
    expect(res.body.url).toBe(`http://${HOST}/api/pool/${p.uuid}#${p.name}`);
    expect(res.body.uuid).toBe(p.uuid);
  });
});

describe('invalid JSON', () => {
  it.each(['post', 'put', 'patch'] as const)('%s with a body that is not JSON → 400 JSON error', async (method) => {
    const p = await create('pool', { name: uniq('json') });
    const path = method === 'post' ? '/api/pool' : `/api/pool/${p.uuid}`;
    const before = await stateOf('pool', p.uuid);
    const res = await api.raw(method, path, '{"name": "broken",');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toMatch(/^JSON parse error - /);
    expect(await stateOf('pool', p.uuid)).toEqual(before);
  });
});

describe('404 for a path of no known type', () => {
  it('GET /api/abcd → 404 with a JSON error, as a controller answers (no 5xx for the SDKs to retry)', async () => {
    for (const [method, path] of [
      ['get', '/api/abcd'],
      ['get', '/api/nosuchtype?name=x'],
      ['post', '/api/nosuchtype/x'],
      ['delete', '/api/abcd/abcd-1'],
      ['get', '/api/pool/pool-1/nosuchsubresource'],
    ] as const) {
      const res = method === 'post' ? await api.post(path, {}) : await api[method === 'get' ? 'get' : 'del'](path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: `Not found: ${path.split('?')[0]}` });
    }
  });
});

describe('the document\'s operations and /_mock/coverage', () => {

  it('a documented sub-resource and action answer (no 501), a path the document lacks is a 404', async () => {
    const p = await create('pool', { name: uniq('sub') });
    const res = await api.get(`/api/pool/${p.uuid}/runtime/detail/`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ uuid: p.uuid, num_servers: 0 });
    const post = await api.post(`/api/pool/${p.uuid}/scaleout`, {});
    expect(post.status).toBe(200);
    expect(post.body).toMatchObject({ status: 'ACCEPTED', action: 'scaleout', uuid: p.uuid });
  });

  it('GET /_mock/coverage lists operations with their status and totals', async () => {
    const res = await api.get('/_mock/coverage');
    expect(res.status).toBe(200);
    const { totals, operations } = res.body as {
      totals: Record<string, number>;
      operations: Array<{ method: string; path: string; operationId: string; status: string }>;
    };
    expect(totals.generic).toBeGreaterThan(0);
    for (const status of Object.keys(totals)) {
      expect(operations.filter((o) => o.status === status)).toHaveLength(totals[status]!);
    }
    expect(operations).toHaveLength(Object.values(totals).reduce((a, b) => a + b, 0));
    const find = (method: string, path: string) => operations.find((o) => o.method === method && o.path === path);
    expect(find('GET', '/api/pool')).toMatchObject({ operationId: 'pool.list', status: 'generic' });
    expect(find('POST', '/api/pool')).toMatchObject({ operationId: 'pool.create', status: 'generic' });
    expect(find('DELETE', '/api/pool/{uuid}')).toMatchObject({ operationId: 'pool.delete', status: 'generic' });
    expect(find('GET', '/api/pool/{uuid}/runtime/detail/')).toMatchObject({ status: 'modelled' });
  });
});

describe('failed writes never change state', () => {
  let target: Data;
  let hm: Data;

  beforeAll(async () => {
    hm = await create('healthmonitor', { name: 'guard-hm', type: 'HEALTH_MONITOR_TCP' });
    await create('pool', { name: 'other-pool' });
    target = await create('pool', {
      name: 'guarded',
      description: 'original',
      health_monitor_refs: [hm.uuid],
      servers: [{ ip: { addr: '10.1.1.1', type: 'V4' } }],
    });
  });

  const attempts: Array<[string, () => Promise<{ status: number }>, number]> = [
    ['PUT with a bad enum', () => api.put(`/api/pool/${target.uuid}`, { name: 'guarded', lb_algorithm: 'BAD' }), 400],
    ['PUT with a bad ref', () => api.put(`/api/pool/${target.uuid}`, { name: 'guarded', cloud_ref: 'nope' }), 400],
    ['PUT onto another name', () => api.put(`/api/pool/${target.uuid}`, { name: 'other-pool' }), 409],
    ['PUT with a stale _last_modified', () => api.put(`/api/pool/${target.uuid}`, { name: 'guarded', _last_modified: '1' }), 412],
    ['PUT without the required name', () => api.put(`/api/pool/${target.uuid}`, { description: 'x' }), 400],
    ['PATCH replace with a bad value', () => api.patch(`/api/pool/${target.uuid}`, { replace: { default_server_port: 0 } }), 400],
    ['PATCH add of a server without ip', () => api.patch(`/api/pool/${target.uuid}`, { add: { servers: [{ port: 1 }] } }), 400],
    ['PATCH add of an unknown health monitor', () => api.patch(`/api/pool/${target.uuid}`, { add: { health_monitor_refs: ['/api/healthmonitor?name=nope'] } }), 400],
    ['PATCH json_patch on a missing path', () => api.patch(`/api/pool/${target.uuid}`, { json_patch: [{ op: 'replace', path: '/description', value: 'y' }, { op: 'remove', path: '/no/such' }] }), 400],
    ['PATCH with no known operation', () => api.patch(`/api/pool/${target.uuid}`, { description: 'x' }), 400],
    ['PATCH renaming onto another name', () => api.patch(`/api/pool/${target.uuid}`, { replace: { name: 'other-pool' } }), 409],
    ['POST of a duplicate', () => api.post('/api/pool', { name: 'guarded' }), 409],
    ['POST with a bad ref', () => api.post('/api/pool', { name: 'new-one', vrf_ref: 'nope' }), 400],
    ['POST with the uuid of an existing pool', () => api.post('/api/pool', { name: 'new-two', uuid: target.uuid }), 409],
    ['POST of invalid JSON', () => api.raw('post', '/api/pool', '{'), 400],
    ['DELETE of its referenced health monitor', () => api.del(`/api/healthmonitor/${hm.uuid}`), 403],
  ];

  it.each(attempts)('%s is rejected and the pool and the collection stay as they were', async (_label, attempt, status) => {
    const before = await stateOf('pool', target.uuid);
    const hmBefore = await stateOf('healthmonitor', hm.uuid);
    const res = await attempt();
    expect(res.status).toBe(status);
    expect(await stateOf('pool', target.uuid)).toEqual(before);
    expect(await stateOf('healthmonitor', hm.uuid)).toEqual(hmBefore);
  });
});

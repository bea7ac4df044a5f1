/**
 * The NSX-T Policy stub on the same server as the Avi API:
 * endpoints, auth, error shapes and codes, server fields, write semantics, list envelope,
 * realized state. The search language has its own unit tests in nsxt-search.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveEngine } from './helpers.js';
import request from 'supertest';
import { Engine } from '../server/engine.js';
import { destinationOf } from '../server/http/exchange.js';
import { upsertTier1 } from '../server/nsxt/routes.js';

const USER = 'admin';
const PASSWORD = 'NsxPass1!NsxPass1!';
const basic = (u = USER, p = PASSWORD) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const P = '/policy/api/v1';
const isNsxPath = (path: string) => destinationOf(path) === 'nsx';

let engine: Engine;
let app: string;

async function start(delayMs?: number) {
  engine = await Engine.create({ seed: 5, nsx: { password: PASSWORD, realizationDelayMs: delayMs } });
  upsertTier1(engine, 't1', { display_name: 'T1 gateway', tier0_path: '/infra/tier-0s/t0' });
  app = (await serveEngine(engine)).app;
}

const get = (path: string) => request(app).get(path).set('Authorization', basic());
const patch = (path: string, body: unknown) => request(app).patch(path).set('Authorization', basic()).send(body as object);
const put = (path: string, body: unknown) => request(app).put(path).set('Authorization', basic()).send(body as object);
const del = (path: string) => request(app).delete(path).set('Authorization', basic());
const ROUTE = { network: '10.1.0.0/24', next_hops: [{ ip_address: '192.168.1.10' }] };

function expectJson(res: request.Response) {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
}

function expectError(res: request.Response, status: number, code: number, message?: string | RegExp) {
  expectJson(res);
  expect(res.status).toBe(status);
  expect(res.body.error_code).toBe(code);
  expect(Number.isInteger(res.body.error_code)).toBe(true);
  expect(typeof res.body.module_name).toBe('string');
  if (typeof message === 'string') expect(res.body.error_message).toBe(message);
  else if (message) expect(res.body.error_message).toMatch(message);
}

beforeEach(() => start());
afterEach(() => engine.close());

describe('paths', () => {
  it('claims only the NSX prefixes; the Avi API keeps every other /api path', async () => {
    expect(isNsxPath('/policy/api/v1/infra/tier-1s')).toBe(true);
    expect(isNsxPath('/api/session/create')).toBe(true);
    expect(isNsxPath('/api/v1/node/version')).toBe(true);
    expect(isNsxPath('/api/virtualservice')).toBe(false);
    expect(isNsxPath('/api/session/create-other')).toBe(false);
    expect(isNsxPath('/login')).toBe(false);
    // the Avi API still answers (401 without a session), in Avi's shape
    const avi = await request(app).get('/api/cloud');
    expect(avi.status).toBe(401);
    expect(avi.body.error_code).toBeUndefined();
  });

  it('version and health', async () => {
    const v = await get('/api/v1/node/version');
    expect(v.status).toBe(200);
    expectJson(v);
    expect(v.body).toEqual({ node_version: '4.2.0.0.0.1', product_version: '4.2.0.0.0.1' });
    const h = await get('/api/v1/reverse-proxy/node/health');
    expect(h.body).toEqual({ healthy: true });
  });

  it('unknown NSX paths and methods answer NSX errors in JSON', async () => {
    expectError(await get(`${P}/infra/segments`), 404, 600);
    expectError(await request(app).post(`${P}/infra/tier-1s/t1/static-routes/r`).set('Authorization', basic()).send({}), 405, 230);
  });
});

describe('auth', () => {
  const BAD = { module_name: 'common-services', error_message: 'The credentials were incorrect or the account specified has been locked.', error_code: 403 };

  it('bad or missing credentials: 403 with the exact body', async () => {
    for (const res of [
      await request(app).get(`${P}/infra/tier-1s`),
      await request(app).get(`${P}/infra/tier-1s`).set('Authorization', basic(USER, 'wrong')),
      await request(app).get(`${P}/infra/tier-1s`).set('Authorization', basic('root', PASSWORD)),
      await request(app).get(`${P}/infra/tier-1s`).set('Authorization', 'Bearer x'),
    ]) {
      expect(res.status).toBe(403);
      expectJson(res);
      expect(res.body).toEqual(BAD);
    }
  });

  it('NSX credentials are separate from the Avi admin ones', async () => {
    const avi = engine.credentials.find((c) => c.username === 'admin')!.password;
    expect(avi).not.toBe(PASSWORD);
    expect((await request(app).get(`${P}/infra/tier-1s`).set('Authorization', basic('admin', avi))).status).toBe(403);
  });

  it('Basic, Remote and csp-auth-token', async () => {
    expect((await get(`${P}/infra/tier-1s`)).status).toBe(200);
    const remote = `Remote ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect((await request(app).get(`${P}/infra/tier-1s`).set('Authorization', remote)).status).toBe(200);
    expect((await request(app).get(`${P}/infra/tier-1s`).set('csp-auth-token', 'abc')).status).toBe(200);
    expect((await request(app).get(`${P}/infra/tier-1s`).set('csp-auth-token', '')).status).toBe(403);
  });

  it('session: JSESSIONID first, X-XSRF-TOKEN header, writes need the token (98 otherwise)', async () => {
    const bad = await request(app).post('/api/session/create').type('form').send({ j_username: USER, j_password: 'nope' });
    expect(bad.status).toBe(403);
    expect(bad.body).toEqual(BAD);
    const s = await request(app).post('/api/session/create').type('form').send({ j_username: USER, j_password: PASSWORD });
    expect(s.status).toBe(200);
    expectJson(s);
    const cookies = s.headers['set-cookie'] as unknown as string[];
    expect(cookies[0]).toMatch(/^JSESSIONID=[^;]+; Path=\/; Secure; HttpOnly$/);
    const xsrf = s.headers['x-xsrf-token'];
    expect(xsrf).toBeTruthy();
    const cookie = cookies[0]!.split(';')[0]!;
    expect((await request(app).get(`${P}/infra/tier-1s`).set('Cookie', cookie)).status).toBe(200);
    const noToken = await request(app).patch(`${P}/infra/tier-1s/t1/static-routes/r`).set('Cookie', cookie).send(ROUTE);
    expectError(noToken, 403, 98);
    const wrong = await request(app).patch(`${P}/infra/tier-1s/t1/static-routes/r`).set('Cookie', cookie).set('X-XSRF-TOKEN', 'x').send(ROUTE);
    expectError(wrong, 403, 98);
    const ok = await request(app).patch(`${P}/infra/tier-1s/t1/static-routes/r`).set('Cookie', cookie).set('X-XSRF-TOKEN', xsrf).send(ROUTE);
    expect(ok.status).toBe(200);
    expect((await get(`${P}/infra/tier-1s/t1/static-routes/r`)).body._create_user).toBe(USER);
    // an unknown session is bad credentials
    expect((await request(app).get(`${P}/infra/tier-1s`).set('Cookie', 'JSESSIONID=nope')).body).toEqual(BAD);
    // Basic beside the session (terraform): no token needed
    const both = await request(app).patch(`${P}/infra/tier-1s/t1/static-routes/r2`).set('Cookie', cookie).set('Authorization', basic()).send(ROUTE);
    expect(both.status).toBe(200);
  });

  it('an idle-expired session: reads get 403 credentials, writes with the old token 403 error_code 98', async () => {
    const s = await request(app).post('/api/session/create').type('form').send({ j_username: USER, j_password: PASSWORD });
    const cookie = (s.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    for (const session of engine.nsx.sessions.values()) session.lastUsed -= 31 * 60 * 1000;
    const write = await request(app).patch(`${P}/infra/tier-1s/t1/static-routes/r`).set('Cookie', cookie).set('X-XSRF-TOKEN', s.headers['x-xsrf-token']).send(ROUTE);
    expectError(write, 403, 98);
    const read = await request(app).get(`${P}/infra/tier-1s`).set('Cookie', cookie);
    expectError(read, 403, 403, 'The credentials were incorrect or the account specified has been locked.');
  });

  it('credentials come from the scenario or are generated; user defaults to admin', async () => {
    const e = await Engine.create({});
    expect(e.nsx.username).toBe('admin');
    expect(e.nsx.password).toMatch(/.{16}/);
    await e.close();
  });
});

describe('static routes: fields and write semantics', () => {
  it('PATCH creates (200, empty JSON body) with every server field; GET returns it', async () => {
    const res = await patch(`${P}/infra/tier-1s/t1/static-routes/r1`, ROUTE);
    expect(res.status).toBe(200);
    expectJson(res);
    expect(res.text).toBe('');
    const got = await get(`${P}/infra/tier-1s/t1/static-routes/r1`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: 'r1',
      display_name: 'r1',
      resource_type: 'StaticRoutes',
      path: '/infra/tier-1s/t1/static-routes/r1',
      parent_path: '/infra/tier-1s/t1',
      relative_path: 'r1',
      network: '10.1.0.0/24',
      next_hops: [{ ip_address: '192.168.1.10', admin_distance: 1 }],
      _revision: 0,
      _create_user: 'admin',
      _last_modified_user: 'admin',
      _system_owned: false,
      _protection: 'NOT_PROTECTED',
      marked_for_delete: false,
      overridden: false,
    });
    for (const f of ['_create_time', '_last_modified_time', '_revision']) expect(Number.isInteger(got.body[f])).toBe(true);
    expect(got.body.uuid).toBeUndefined();
    expect(got.body.error_code).toBeUndefined();
  });

  it('PATCH merges top-level fields, replaces lists whole; a no-op PATCH keeps _revision', async () => {
    await patch(`${P}/infra/tier-1s/t1/static-routes/r1`, { ...ROUTE, description: 'd', tags: [{ scope: 's', tag: 't' }] });
    await patch(`${P}/infra/tier-1s/t1/static-routes/r1`, { next_hops: [{ ip_address: '192.168.1.11', admin_distance: 5 }, { ip_address: 'fd00::1' }] });
    const r = (await get(`${P}/infra/tier-1s/t1/static-routes/r1`)).body;
    expect(r._revision).toBe(1);
    expect(r.description).toBe('d');
    expect(r.tags).toEqual([{ scope: 's', tag: 't' }]);
    expect(r.next_hops).toEqual([{ ip_address: '192.168.1.11', admin_distance: 5 }, { ip_address: 'fd00::1', admin_distance: 1 }]);
    await patch(`${P}/infra/tier-1s/t1/static-routes/r1`, { next_hops: r.next_hops });
    expect((await get(`${P}/infra/tier-1s/t1/static-routes/r1`)).body._revision).toBe(1);
    // echoing the object back (read-only fields included) is accepted and changes nothing
    expect((await patch(`${P}/infra/tier-1s/t1/static-routes/r1`, r)).status).toBe(200);
    expect((await get(`${P}/infra/tier-1s/t1/static-routes/r1`)).body._revision).toBe(1);
  });

  it('PUT creates or replaces (200 + object); an existing object needs the current _revision', async () => {
    const created = await put(`${P}/infra/tier-1s/t1/static-routes/r1`, { ...ROUTE, description: 'x' });
    expect(created.status).toBe(200);
    expectJson(created);
    expect(created.body).toMatchObject({ id: 'r1', _revision: 0, description: 'x' });
    expectError(await put(`${P}/infra/tier-1s/t1/static-routes/r1`, ROUTE), 400, 500127, /already exists/);
    const stale = await put(`${P}/infra/tier-1s/t1/static-routes/r1`, { ...ROUTE, _revision: 7 });
    expectError(stale, 412, 604, 'The object was modified by somebody else.');
    expect(stale.body.httpStatus).toBe('PRECONDITION_FAILED');
    const replaced = await put(`${P}/infra/tier-1s/t1/static-routes/r1`, { ...ROUTE, _revision: 0 });
    expect(replaced.status).toBe(200);
    expect(replaced.body._revision).toBe(1);
    expect(replaced.body.description).toBeUndefined();
  });

  it('DELETE answers 200 with an empty JSON body, also for a missing route', async () => {
    await patch(`${P}/infra/tier-1s/t1/static-routes/r1`, ROUTE);
    const d = await del(`${P}/infra/tier-1s/t1/static-routes/r1`);
    expect(d.status).toBe(200);
    expectJson(d);
    expect(d.text).toBe('');
    expect((await del(`${P}/infra/tier-1s/t1/static-routes/r1`)).status).toBe(200);
    expectError(await get(`${P}/infra/tier-1s/t1/static-routes/r1`), 404, 600,
      'The requested object : /infra/tier-1s/t1/static-routes/r1 could not be found. Object identifiers are case sensitive.');
  });

  it('route ids with : (IPv6) arrive unescaped or escaped', async () => {
    const id = 'node-uid_fd00:10:244:1::_64';
    expect((await patch(`${P}/infra/tier-1s/t1/static-routes/${id}`, { network: 'fd00:10:244:1::/64', next_hops: [{ ip_address: 'fd00::5' }] })).status).toBe(200);
    expect((await get(`${P}/infra/tier-1s/t1/static-routes/${id.replace(/:/g, '%3A')}`)).body.id).toBe(id);
    expect((await get(`${P}/infra/tier-1s/t1/static-routes/${id}`)).body.path).toBe(`/infra/tier-1s/t1/static-routes/${id}`);
  });

  it('a missing parent Tier-1: 404 error_code 600 with the NSX error body', async () => {
    const res = await patch(`${P}/infra/tier-1s/nope/static-routes/r1`, ROUTE);
    expectError(res, 404, 600, 'The requested object : /infra/tier-1s/nope could not be found. Object identifiers are case sensitive.');
    expect(res.body).toEqual({
      httpStatus: 'NOT_FOUND',
      error_code: 600,
      module_name: 'common-services',
      error_message: 'The requested object : /infra/tier-1s/nope could not be found. Object identifiers are case sensitive.',
    });
    expectError(await get(`${P}/infra/tier-1s/nope/static-routes`), 404, 600);
    expectError(await get(`${P}/infra/tier-1s/nope`), 404, 600);
  });
});

describe('validation and error codes', () => {
  const path = `${P}/infra/tier-1s/t1/static-routes/v`;
  it('invalid CIDR: 400 255 with the exact text', async () => {
    const res = await patch(path, { network: '10.0.0.0/33', next_hops: [{ ip_address: '1.1.1.1' }] });
    expectError(res, 400, 255, 'Field level validation errors: {network: invalid CIDR 10.0.0.0/33}');
    expect(res.body.httpStatus).toBe('BAD_REQUEST');
    for (const n of ['10.0.0.0', '300.0.0.0/8', 'x/8', 'fd00::/129', 42]) expectError(await patch(path, { network: n, next_hops: [{ ip_address: '1.1.1.1' }] }), 400, 255);
  });
  it('required network and next_hops', async () => {
    expectError(await patch(path, { next_hops: [{ ip_address: '1.1.1.1' }] }), 400, 255, /network/);
    expectError(await patch(path, { network: '10.0.0.0/8' }), 400, 255, /next_hops/);
  });
  it('next hop IPs and admin distance 1..255', async () => {
    expectError(await patch(path, { network: '10.0.0.0/8', next_hops: [{ ip_address: '1.1.1' }] }), 400, 255, /ip_address/);
    expectError(await patch(path, { network: '10.0.0.0/8', next_hops: [{ ip_address: '1.1.1.1', admin_distance: 0 }] }), 400, 255, /admin_distance/);
    expectError(await patch(path, { network: '10.0.0.0/8', next_hops: [{ ip_address: '1.1.1.1', admin_distance: 256 }] }), 400, 255, /admin_distance/);
    expectError(await patch(path, { network: '10.0.0.0/8', next_hops: [{ ip_address: '1.1.1.1', admin_distance: 1.5 }] }), 400, 255);
    expect((await patch(path, { network: '10.0.0.0/8', next_hops: [{ ip_address: '1.1.1.1', admin_distance: 255 }] })).status).toBe(200);
  });
  it('unknown property: 400 287; a bad scope path: 400 500012', async () => {
    expectError(await patch(path, { ...ROUTE, pool_allocation: 'x' }), 400, 287, 'Json de-serialization error: property pool_allocation is unrecognized.');
    expectError(await patch(path, { network: '10.0.0.0/8', next_hops: [{ ip_address: '1.1.1.1', foo: 1 }] }), 400, 287, /property foo/);
    const bad = await patch(path, { network: '10.0.0.0/8', next_hops: [{ ip_address: '1.1.1.1', scope: ['tier-1s/x'] }] });
    expectError(bad, 400, 500012, 'The path=[tier-1s/x] is invalid');
  });
  it('tags: at most 30, scope <= 128, tag <= 256', async () => {
    const tags = Array.from({ length: 31 }, (_, i) => ({ scope: 's', tag: String(i) }));
    expectError(await patch(path, { ...ROUTE, tags }), 400, 255, /tags/);
    expectError(await patch(path, { ...ROUTE, tags: [{ scope: 'x'.repeat(129), tag: 't' }] }), 400, 255);
    expectError(await patch(path, { ...ROUTE, tags: [{ scope: 's', tag: 'x'.repeat(257) }] }), 400, 255);
  });
  it('a body that is not JSON: 400 287', async () => {
    const res = await request(app).patch(path).set('Authorization', basic()).set('Content-Type', 'application/json').send('{nope');
    expectError(res, 400, 287, /Json de-serialization error/);
  });
  it('no error_code in any success body', async () => {
    await patch(path, ROUTE);
    for (const p of [`${P}/infra/tier-1s`, `${P}/infra/tier-1s/t1`, path, `${P}/infra/tier-1s/t1/static-routes`]) {
      expect(JSON.stringify((await get(p)).body)).not.toContain('error_code');
    }
  });
});

describe('Tier-1s', () => {
  it('created by PATCH/PUT, listed in the envelope; deleting one with routes is refused', async () => {
    expect((await patch(`${P}/infra/tier-1s/t2`, { tier0_path: '/infra/tier-0s/t0', route_advertisement_types: ['TIER1_STATIC_ROUTES'] })).status).toBe(200);
    const t2 = (await get(`${P}/infra/tier-1s/t2`)).body;
    expect(t2).toMatchObject({ id: 't2', display_name: 't2', resource_type: 'Tier1', path: '/infra/tier-1s/t2', parent_path: '/infra', relative_path: 't2', _revision: 0, failover_mode: 'NON_PREEMPTIVE' });
    const list = await get(`${P}/infra/tier-1s`);
    expect(list.body).toMatchObject({ result_count: 2, sort_ascending: true, sort_by: 'display_name' });
    expect(list.body.results.map((t: { id: string }) => t.id).sort()).toEqual(['t1', 't2']);
    expectError(await put(`${P}/infra/tier-1s/t2`, {}), 400, 500127);
    expect((await put(`${P}/infra/tier-1s/t2`, { _revision: 0, type: 'ROUTED' })).body._revision).toBe(1);
    expectError(await patch(`${P}/infra/tier-1s/t3`, { tier0_path: 'nope' }), 400, 500012, 'The path=[nope] is invalid');
    await patch(`${P}/infra/tier-1s/t2/static-routes/r`, ROUTE);
    const refused = await del(`${P}/infra/tier-1s/t2`);
    expectError(refused, 400, 500030,
      'The object path=[/infra/tier-1s/t2] cannot be deleted as either it has children or it is being referenced by other objects path=[/infra/tier-1s/t2/static-routes/r]');
    await del(`${P}/infra/tier-1s/t2/static-routes/r`);
    expect((await del(`${P}/infra/tier-1s/t2`)).status).toBe(200);
    expectError(await get(`${P}/infra/tier-1s/t2`), 404, 600);
  });

  it('route lists: envelope, sort_by and sort_ascending', async () => {
    await patch(`${P}/infra/tier-1s/t1/static-routes/b`, ROUTE);
    await patch(`${P}/infra/tier-1s/t1/static-routes/a`, { ...ROUTE, display_name: 'z' });
    const l = (await get(`${P}/infra/tier-1s/t1/static-routes`)).body;
    expect(l.result_count).toBe(2);
    expect(l.results.map((r: { id: string }) => r.id)).toEqual(['b', 'a']);
    const d = (await get(`${P}/infra/tier-1s/t1/static-routes?sort_by=id&sort_ascending=false`)).body;
    expect(d.results.map((r: { id: string }) => r.id)).toEqual(['b', 'a']);
    expect(d.sort_by).toBe('id');
    expect(d.sort_ascending).toBe(false);
  });
});

describe('realized state', () => {
  const rp = '/infra/tier-1s/t1/static-routes/r1';
  it('REALIZED at once by default, intent_paths[0] = the path; %2F accepted', async () => {
    await patch(`${P}${rp.replace('/infra', '/infra')}`, ROUTE);
    const res = await get(`${P}/infra/realized-state/realized-entities?intent_path=${encodeURIComponent(rp)}`);
    expect(res.status).toBe(200);
    expect(res.body.result_count).toBe(1);
    expect(res.body.results[0]).toMatchObject({ intent_paths: [rp], state: 'REALIZED', entity_type: 'RealizedStaticRoute', runtime_status: 'UNINITIALIZED' });
    expect(res.body.results[0].realization_api).toMatch(/^\/api\/v1\/logical-routers\/[0-9a-f-]{36}\/routing\/static-routes\/[0-9a-f-]{36}$/);
    const raw = await get(`${P}/infra/realized-state/realized-entities?intent_path=${rp}`);
    expect(raw.body.results[0].intent_paths).toEqual([rp]);
    const none = await get(`${P}/infra/realized-state/realized-entities?intent_path=${encodeURIComponent('/infra/tier-1s/t1/static-routes/nope')}`);
    expect(none.body).toEqual({ results: [], result_count: 0 });
  });

  it('with a delay: IN_PROGRESS until it has passed since the last change, then REALIZED', async () => {
    await engine.close();
    await start(150);
    await patch(`${P}${rp}`, ROUTE);
    const url = `${P}/infra/realized-state/realized-entities?intent_path=${encodeURIComponent(rp)}`;
    expect((await get(url)).body.results[0].state).toBe('IN_PROGRESS');
    await new Promise((r) => setTimeout(r, 200));
    expect((await get(url)).body.results[0].state).toBe('REALIZED');
    await patch(`${P}${rp}`, { next_hops: [{ ip_address: '192.168.1.99' }] });
    expect((await get(url)).body.results[0].state).toBe('IN_PROGRESS');
    engine.nsx.forcedState.set(rp, 'ERROR');
    expect((await get(url)).body.results[0].state).toBe('ERROR');
  });
});

describe('persistence', () => {
  it('NSX objects survive a restart from the state file', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(await mkdtemp(join(tmpdir(), 'nsxt-')), 'state.json');
    const a = await Engine.create({ stateFile: file, nsx: { password: PASSWORD } });
    const appA = (await serveEngine(a)).app;
    await request(appA).patch(`${P}/infra/tier-1s/tx`).set('Authorization', basic()).send({});
    await request(appA).patch(`${P}/infra/tier-1s/tx/static-routes/r`).set('Authorization', basic()).send(ROUTE);
    await a.close();
    const b = await Engine.create({ stateFile: file, nsx: { password: PASSWORD } });
    const appB = (await serveEngine(b)).app;
    const r = await request(appB).get(`${P}/infra/tier-1s/tx/static-routes/r`).set('Authorization', basic());
    expect(r.status).toBe(200);
    expect(r.body.network).toBe('10.1.0.0/24');
    await b.close();
  });
});

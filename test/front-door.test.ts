/**
 * The front door: login, cookies and CSRF, re-login signals (401 only), logout,
 * idle timeout, HTTP Basic, user tokens, tenants, API versions and the system endpoints.
 */
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminPassword, startSim, type Sim } from './helpers.js';
import { setCookieValue } from '../server/testing.js';
import { sessionHeaders } from './support/session.js';

async function anonymous(): Promise<Sim> {
  return startSim({ login: false });
}


async function login(sim: Sim, body: Record<string, string> = { username: 'admin', password: adminPassword(sim.engine) }) {
  const res = await request(sim.app).post('/login').send(body);
  if (res.status !== 200) return { res, cookie: '', csrf: '' };
  const session = sessionHeaders(res.headers['set-cookie'] as unknown as string[]);
  return { res, cookie: session.Cookie, csrf: session['X-CSRFToken'] };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('login', () => {
  it('accepts a JSON body and answers the controller login document with three cookies', async () => {
    const sim = await anonymous();
    const { res } = await login(sim);
    expect(res.status).toBe(200);
    expect(res.body.user_initialized).toBe(true);
    expect(res.body.version.Version).toBe('30.2.1');
    expect(res.body.version.Version).toMatch(/^\d+(\.\d+)+$/);
    expect(res.body.user.username).toBe('admin');
    expect(res.body.user.uuid).toBe('user-1');
    expect(res.body.user).not.toHaveProperty('password');
    expect(res.body.tenants.map((t: any) => t.name)).toContain('admin');
    expect(res.body.session_cookie_name).toBe('avi-sessionid');
    expect(res.body.controller.api_idle_timeout).toBe(15);
    const names = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split('=')[0]);
    expect(names.sort()).toEqual(['avi-sessionid', 'csrftoken', 'sessionid']);
  });

  it('accepts a form-urlencoded body (Python SDK)', async () => {
    const sim = await anonymous();
    const res = await request(sim.app)
      .post('/login')
      .type('form')
      .send(`username=admin&password=${encodeURIComponent(adminPassword(sim.engine))}`);
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('admin');
  });

  it('refuses bad credentials with the exact text AKO shuts down on', async () => {
    const sim = await anonymous();
    const attempts: Record<string, string>[] = [{ username: 'admin', password: 'wrong' }, { username: 'nobody', password: 'x' }, { username: 'admin' }];
    for (const body of attempts) {
      const { res } = await login(sim, body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'Invalid credentials' });
    }
  });

  it('uses the admin password given in the options', async () => {
    const sim = await startSim({ login: false, adminPassword: 's3cret!' });
    expect((await login(sim, { username: 'admin', password: 's3cret!' })).res.status).toBe(200);
  });

  it('serves many concurrent logins, each its own session', async () => {
    const sim = await anonymous();
    const sessions = await Promise.all(Array.from({ length: 9 }, () => login(sim)));
    expect(new Set(sessions.map((s) => s.cookie)).size).toBe(9);
    const writes = await Promise.all(
      sessions.map((s, i) =>
        request(sim.app).post('/api/pool').set('Cookie', s.cookie).set('X-CSRFToken', s.csrf).send({ name: `c-${i}` }),
      ),
    );
    expect(writes.map((w) => w.status)).toEqual(Array(9).fill(201));
  });
});

describe('the login answer', () => {
  const keys = (o: object) => Object.keys(o).sort();

  it('has exactly the controller\'s keys, at every level', async () => {
    const sim = await anonymous();
    const { res } = await login(sim);
    expect(res.status).toBe(200);
    expect(keys(res.body)).toEqual(['controller', 'session_cookie_name', 'system_config', 'tenants', 'user', 'user_initialized', 'version'].sort());
    expect(keys(res.body.version)).toEqual(['Date', 'Product', 'ProductName', 'Tag', 'Version', 'build', 'min_version'].sort());
    expect(res.body.version).toMatchObject({ Version: '30.2.1', build: 9046, ProductName: 'Avi Cloud Controller', Product: 'controller' });
    expect(res.body.version.Tag).toMatch(/^30\.2\.1-9046-\d{8}\.\d{6}$/);
    expect(typeof res.body.version.min_version).toBe('number');
    expect(Number.isNaN(Date.parse(res.body.version.Date))).toBe(false);
    expect(keys(res.body.user)).toEqual(['default_tenant_ref', 'email', 'full_name', 'is_superuser', 'local', 'name', 'ui_property', 'username', 'uuid'].sort());
    for (const t of res.body.tenants) expect(keys(t)).toEqual(['local', 'name', 'url', 'uuid']);
    expect(res.body.controller).toEqual({ api_idle_timeout: 15 });
  });

  it('shows the user, its default tenant as a plain url, and the tenants it can use', async () => {
    const sim = await startSim();
    await sim.http.post('/api/tenant').send({ name: 'blue' }).expect(201);
    const res = await request(sim.app).post('/login').set('Host', 'avi.test').send({ username: 'admin', password: adminPassword(sim.engine) });
    expect(res.body.user).toEqual({
      is_superuser: true,
      default_tenant_ref: 'http://avi.test/api/tenant/admin',
      name: 'admin',
      username: 'admin',
      full_name: 'System Administrator',
      email: '',
      local: true,
      uuid: 'user-1',
      ui_property: '',
    });
    expect(res.body.tenants.map((t: any) => t.name)).toEqual(['admin', 'blue']);
    expect(res.body.tenants[0]).toEqual({ url: 'http://avi.test/api/tenant/admin', uuid: 'admin', name: 'admin', local: true });
  });

  it('carries the whole system configuration as GET /api/systemconfiguration shows it', async () => {
    const sim = await startSim();
    await sim.http.patch('/api/systemconfiguration').send({ replace: { welcome_workflow_complete: true } }).expect(200);
    const res = await request(sim.app).post('/login').set('Host', 'avi.test').send({ username: 'admin', password: adminPassword(sim.engine) });
    expect(res.body.system_config).toEqual((await sim.http.get('/api/systemconfiguration')).body);
    expect(res.body.system_config.welcome_workflow_complete).toBe(true);
  });

  it('gives the same version as initial-data and cluster/version', async () => {
    const sim = await startSim();
    const { res } = await login(sim);
    expect((await sim.http.get('/api/initial-data')).body.version).toEqual(res.body.version);
    const { Version, build, Tag } = res.body.version;
    expect((await sim.http.get('/api/cluster/version')).body).toEqual({ Version, build, Tag });
  });
});

describe('sessions and CSRF', () => {
  it('reads with the session cookie alone, under either cookie name, duplicates tolerated', async () => {
    const sim = await anonymous();
    const { res } = await login(sim);
    const id = setCookieValue(res.headers['set-cookie'] as unknown as string[], 'sessionid')!;
    for (const cookie of [`avi-sessionid=${id}`, `sessionid=${id}`, `sessionid=stale; sessionid=${id}`, `avi-sessionid=x; sessionid=${id}; avi-sessionid=${id}`]) {
      const r = await request(sim.app).get('/api/tenant').set('Cookie', cookie);
      expect(r.status).toBe(200);
    }
  });

  it('answers 401 without a session, and never changes state', async () => {
    const sim = await anonymous();
    const before = (await request(sim.app).get('/api/pool').auth('admin', 'x')).status;
    expect(before).toBe(401);
    const post = await request(sim.app).post('/api/pool').send({ name: 'sneaky' });
    expect(post.status).toBe(401);
    expect(post.body).toEqual({ error: 'Authentication credentials were not provided.' });
    expect([...sim.engine.store.collection('pool').values()]).toHaveLength(0);
  });

  it('refuses a write with a missing or wrong CSRF token: 401, plain text', async () => {
    const sim = await anonymous();
    const { cookie, csrf } = await login(sim);
    for (const token of [undefined, 'wrong', csrf.toUpperCase() + 'x']) {
      const req = request(sim.app).post('/api/pool').set('Cookie', cookie);
      if (token) req.set('X-CSRFToken', token);
      const res = await req.send({ name: 'csrf' });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('CSRF token missing or incorrect.');
    }
    expect([...sim.engine.store.collection('pool').values()]).toHaveLength(0);
    const ok = await request(sim.app).post('/api/pool').set('Cookie', cookie).set('X-CSRFToken', csrf).send({ name: 'csrf' });
    expect(ok.status).toBe(201);
  });

  it('does not let one session use another session\'s CSRF token', async () => {
    const sim = await anonymous();
    const a = await login(sim);
    const b = await login(sim);
    const res = await request(sim.app).post('/api/pool').set('Cookie', a.cookie).set('X-CSRFToken', b.csrf).send({ name: 'x' });
    expect(res.status).toBe(401);
  });

  it('ends the session at logout (401 afterwards, a new login works)', async () => {
    const sim = await anonymous();
    const { cookie, csrf } = await login(sim);
    const out = await request(sim.app).post('/logout').set('Cookie', cookie).set('X-CSRFToken', csrf);
    expect(out.status).toBe(200);
    expect((await request(sim.app).get('/api/pool').set('Cookie', cookie)).status).toBe(401);
    const again = await login(sim);
    expect((await request(sim.app).get('/api/pool').set('Cookie', again.cookie)).status).toBe(200);
  });

  it('expires an idle session after controllerproperties.api_idle_timeout minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const sim = await anonymous();
    const { cookie, csrf } = await login(sim);
    const patch = await request(sim.app)
      .patch('/api/controllerproperties')
      .set('Cookie', cookie)
      .set('X-CSRFToken', csrf)
      .send({ replace: { api_idle_timeout: 2 } });
    expect(patch.status).toBe(200);
    vi.setSystemTime(Date.now() + 90_000);
    expect((await request(sim.app).get('/api/pool').set('Cookie', cookie)).status).toBe(200); // and refreshed
    vi.setSystemTime(Date.now() + 90_000);
    expect((await request(sim.app).get('/api/pool').set('Cookie', cookie)).status).toBe(200);
    vi.setSystemTime(Date.now() + 121_000);
    expect((await request(sim.app).get('/api/pool').set('Cookie', cookie)).status).toBe(401);
  });
});

describe('HTTP Basic and user tokens', () => {
  it('accepts Basic only when systemconfiguration allows it', async () => {
    const sim = await startSim();
    const pw = adminPassword(sim.engine);
    expect((await request(sim.app).get('/api/pool').auth('admin', pw)).status).toBe(401);
    await sim.http.patch('/api/systemconfiguration').send({ replace: { portal_configuration: { allow_basic_authentication: true } } }).expect(200);
    expect((await request(sim.app).get('/api/pool').auth('admin', pw)).status).toBe(200);
    // Basic needs no CSRF token for writes.
    expect((await request(sim.app).post('/api/pool').auth('admin', pw).send({ name: 'basic' })).status).toBe(201);
    const bad = await request(sim.app).get('/api/pool').auth('admin', 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error: 'Invalid credentials' });
  });

  it('issues, lists, logs in with and revokes user tokens', async () => {
    const sim = await startSim();
    const made = await sim.http.post('/api/user-token').send({ hours: '2' });
    expect(made.status).toBe(201);
    expect(typeof made.body.token).toBe('string');
    const list = await sim.http.get('/api/user-token');
    expect(list.body.results.map((t: any) => t.token)).toEqual([made.body.token]);
    expect(list.body.results[0]).toHaveProperty('expires_at');
    expect(list.body.results[0]).toHaveProperty('uuid');
    const viaToken = await login(sim, { username: 'admin', token: made.body.token });
    expect(viaToken.res.status).toBe(200);
    expect((await login(sim, { username: 'other', token: made.body.token })).res.status).toBe(401);
    await sim.http.delete(`/api/user-token?token=${made.body.token}`).expect(204);
    expect((await login(sim, { username: 'admin', token: made.body.token })).res.status).toBe(401);
  });

  it('refuses an expired token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const sim = await startSim();
    const made = await sim.http.post('/api/user-token').send({ hours: 1 });
    vi.setSystemTime(Date.now() + 3_601_000);
    expect((await login(sim, { username: 'admin', token: made.body.token })).res.status).toBe(401);
  });
});

describe('tenants', () => {
  it('answers 403 for an unknown tenant, by name or uuid', async () => {
    const sim = await startSim();
    const byName = await sim.http.get('/api/pool').set('X-Avi-Tenant', 'nope');
    expect(byName.status).toBe(403);
    expect(byName.body).toEqual({ error: "Tenant 'nope' does not exist!" });
    const byUuid = await sim.http.get('/api/pool').set('X-Avi-Tenant-UUID', 'tenant-missing');
    expect(byUuid.status).toBe(403);
  });

  it('scopes objects by tenant; * reads across (never writes); admin shared objects resolve by name', async () => {
    const sim = await startSim();
    const t1 = (await sim.http.post('/api/tenant').send({ name: 't1' })).body;
    const inT1 = await sim.http.post('/api/pool').set('X-Avi-Tenant', 't1').send({ name: 'p', cloud_ref: '/api/cloud/?name=Default-Cloud' });
    expect(inT1.status).toBe(201);
    expect(inT1.body.tenant_ref).toMatch(new RegExp(`/api/tenant/${t1.uuid}#t1$`));
    expect((await sim.http.get('/api/pool')).body.count).toBe(0);
    expect((await sim.http.get('/api/pool').set('X-Avi-Tenant-UUID', t1.uuid)).body.count).toBe(1);
    expect((await sim.http.get('/api/pool').set('X-Avi-Tenant', '*')).body.count).toBe(1);
    // Same name in another tenant is no conflict.
    expect((await sim.http.post('/api/pool').send({ name: 'p' })).status).toBe(201);
    // Admin's shared objects are visible from t1.
    expect((await sim.http.get('/api/cloud?name=Default-Cloud').set('X-Avi-Tenant', 't1')).body.count).toBe(1);
    // t1's pool is invisible (404) from admin.
    expect((await sim.http.get(`/api/pool/${inT1.body.uuid}`)).status).toBe(404);
    // Admin's shared objects are readable from t1, not writable.
    const cloud = (await sim.http.get('/api/cloud?name=Default-Cloud')).body.results[0];
    const put = await sim.http.put(`/api/cloud/${cloud.uuid}`).set('X-Avi-Tenant', 't1').send({ ...cloud, description: 'hijack' });
    expect(put.status).toBe(404);
    expect(put.body).toEqual({ error: 'Cloud object not found!' });
    const hm = (await sim.http.get('/api/healthmonitor?name=System-HTTP')).body.results[0];
    expect((await sim.http.delete(`/api/healthmonitor/${hm.uuid}`).set('X-Avi-Tenant', 't1')).status).toBe(404);
    expect((await sim.http.get(`/api/cloud/${cloud.uuid}`)).body).not.toHaveProperty('description');
    // `*` widens reads only: a write in it is refused as a write in an unknown tenant.
    const star = await sim.http.patch(`/api/cloud/${cloud.uuid}`).set('X-Avi-Tenant', '*').send({ replace: { description: 'admin' } });
    expect(star.status).toBe(403);
    expect(star.body).toEqual({ error: "Tenant '*' does not exist!" });
    expect((await sim.http.get(`/api/cloud/${cloud.uuid}`)).body).not.toHaveProperty('description');
  });
});

describe('API versions', () => {
  it('reports AVI_API_VERSION on every response', async () => {
    const sim = await startSim();
    expect((await sim.http.get('/api/pool')).headers['avi_api_version']).toBe('16_4_2');
    expect((await sim.http.get('/api/pool').set('X-Avi-Version', '22.1.3')).headers['avi_api_version']).toBe('22.1.3');
    expect((await sim.http.get('/api/nosuch').set('X-Avi-Version', '22.1.3')).headers['avi_api_version']).toBe('22.1.3');
  });

  it('refuses a body field introduced after the requested version, with the controller text', async () => {
    const sim = await startSim();
    // Pool.markers was introduced in 20.1.5.
    const res = await sim.http.post('/api/pool').set('X-Avi-Version', '18.2.8').send({ name: 'old', markers: [{ key: 'a', values: ['b'] }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Incoming request (v18_2_8) has field (markers) introduced in later versions(v20_1_5).' });
    expect((await sim.http.post('/api/pool').set('X-Avi-Version', '20.1.5').send({ name: 'new', markers: [] })).status).toBe(201);
  });

  it('gates nested fields and PATCH bodies too', async () => {
    const sim = await startSim();
    const vs = await sim.http.post('/api/virtualservice').send({ name: 'vs', services: [{ port: 80 }] });
    expect(vs.status).toBe(201);
    const nested = await sim.http
      .put(`/api/virtualservice/${vs.body.uuid}`)
      .set('X-Avi-Version', '18.2.8')
      .send({ name: 'vs', services: [{ port: 80, enable_http2: true }] });
    expect(nested.status).toBe(400);
    expect(nested.body.error).toMatch(/^Incoming request \(v18_2_8\) has field \(enable_http2\) introduced in later versions\(v\d+_\d+_\d+\)\.$/);
    const patch = await sim.http.patch(`/api/virtualservice/${vs.body.uuid}`).set('X-Avi-Version', '18.2.8').send({ add: { markers: [{ key: 'x' }] } });
    expect(patch.status).toBe(400);
    const ok = await sim.http.patch(`/api/virtualservice/${vs.body.uuid}`).set('X-Avi-Version', '18.2.8').send({ replace: { description: 'd' } });
    expect(ok.status).toBe(200);
  });

  it('leaves newer fields out of answers for an older version, and keeps them on a PUT back', async () => {
    const sim = await startSim();
    const p = (await sim.http.post('/api/pool').send({ name: 'keep', markers: [{ key: 'k', values: ['v'] }] })).body;
    const old = await sim.http.get(`/api/pool/${p.uuid}`).set('X-Avi-Version', '18.2.8');
    expect(old.body).not.toHaveProperty('markers');
    const put = await sim.http.put(`/api/pool/${p.uuid}`).set('X-Avi-Version', '18.2.8').send({ ...old.body, description: 'from old client' });
    expect(put.status).toBe(200);
    const now = (await sim.http.get(`/api/pool/${p.uuid}`)).body;
    expect(now.description).toBe('from old client');
    expect(now.markers).toEqual([{ key: 'k', values: ['v'] }]);
  });

  it('answers Invalid version for a malformed X-Avi-Version', async () => {
    const sim = await startSim();
    for (const v of ['latest', '22', '22.x.1', '1.2.3.4.5']) {
      const res = await sim.http.get('/api/pool').set('X-Avi-Version', v);
      expect(res.status).toBe(400);
      expect(res.body.error).toContain('Invalid version');
      expect(res.headers['avi_api_version']).toBe('16_4_2');
    }
  });
});

describe('system endpoints', () => {
  it('initial-data carries a dotted version, without a session', async () => {
    const sim = await anonymous();
    const res = await request(sim.app).get('/api/initial-data');
    expect(res.status).toBe(200);
    expect(res.body.version.Version).toBe('30.2.1');
    expect(res.body.version.Version.split('.').every((p: string) => /^\d+$/.test(p))).toBe(true);
    expect(typeof res.body.version.build).toBe('number');
    expect(res.body.setup_failed).toBe(false);
  });

  it('cluster runtime reports an up cluster with a stable leader', async () => {
    const sim = await startSim();
    const a = (await sim.http.get('/api/cluster/runtime')).body;
    expect(a.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    expect(a.node_states[0]).toMatchObject({ name: '10.10.10.10', role: 'CLUSTER_LEADER', state: 'CLUSTER_ACTIVE' });
    expect(a.node_states[0].up_since).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await sim.http.post('/api/pool').send({ name: 'x' });
    const b = (await sim.http.get('/api/cluster/runtime')).body;
    expect(b.node_states[0].name).toBe(a.node_states[0].name);
    expect(b.node_states[0].up_since).toBe(a.node_states[0].up_since);
  });

  it('cluster status answers without a session; cluster/version and /api/cluster need one', async () => {
    const sim = await anonymous();
    expect((await request(sim.app).get('/api/cluster/status')).body.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    expect((await request(sim.app).get('/api/cluster/version')).status).toBe(401);
    const authed = await startSim();
    const version = (await authed.http.get('/api/cluster/version')).body;
    expect(version).toMatchObject({ Version: '30.2.1', build: expect.any(Number) });
    const cluster = (await authed.http.get('/api/cluster')).body;
    expect(cluster.uuid).toMatch(/^cluster-[0-9a-f-]{36}$/);
    expect(cluster.nodes[0].name).toBe('10.10.10.10');
  });

  it('systemconfiguration is a singleton with a default license tier, PUT and PATCH on the collection path', async () => {
    const sim = await startSim();
    const got = (await sim.http.get('/api/systemconfiguration')).body;
    expect(got.default_license_tier).toBe('ENTERPRISE');
    const put = await sim.http.put('/api/systemconfiguration').send({ ...got, default_license_tier: 'ESSENTIALS' });
    expect(put.status).toBe(200);
    expect((await sim.http.get('/api/systemconfiguration')).body.default_license_tier).toBe('ESSENTIALS');
  });

  it('lists the DNS domains of a cloud', async () => {
    const sim = await startSim();
    const profile = await sim.http.post('/api/ipamdnsproviderprofile').send({
      name: 'dns',
      type: 'IPAMDNS_TYPE_INTERNAL_DNS',
      internal_profile: { dns_service_domain: [{ domain_name: 'avi.internal' }, { domain_name: 'example.com' }] },
    });
    expect(profile.status).toBe(201);
    const cloud = (await sim.http.get('/api/cloud?name=Default-Cloud')).body.results[0];
    await sim.http.put(`/api/cloud/${cloud.uuid}`).send({ ...cloud, dns_provider_ref: profile.body.url }).expect(200);
    const res = await sim.http.get(`/api/ipamdnsproviderprofiledomainlist?cloud_uuid=${cloud.uuid}`);
    expect(res.body).toEqual({ domains: ['avi.internal', 'example.com'] });
  });
});

describe('wire quirks', () => {
  it('accepts doubled slashes, a trailing slash before ?, a trailing & and include_name with no value', async () => {
    const sim = await startSim();
    await sim.http.post('/api/pool').send({ name: 'quirk' }).expect(201);
    for (const path of ['//api/pool?name=quirk', '/api//pool?name=quirk', '/api/pool/?name=quirk', '/api/pool?name=quirk&', '/api/pool?include_name=&name=quirk']) {
      const res = await sim.http.get(path);
      expect(res.status, path).toBe(200);
      expect(res.body.count, path).toBe(1);
    }
    const named = await sim.http.get('/api/pool?include_name=&name=quirk');
    expect(named.body.results[0].url).toMatch(/#quirk$/);
    expect((await sim.http.post('//login').send({ username: 'admin', password: adminPassword(sim.engine) })).status).toBe(200);
  });
});

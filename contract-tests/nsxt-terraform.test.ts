/**
 * Contract: terraform-provider-nsxt managing an `nsxt_policy_static_route` on a Tier-1, against
 * the target's NSX-T manager over real HTTPS (in process: the listener `avisim --nsx-port` runs).
 * The Tier-1 and every route are the run's own.
 *
 * On the wire, as the provider does it through the vsphere-automation Go SDK:
 * - provider configure: POST /api/session/create (form j_username, j_password), keeping the
 *   JSESSIONID cookie and the X-XSRF-TOKEN header for every later request, Basic auth beside
 *   them; GET /api/v1/node/version to pick the API flavour (< 9.1.0 here);
 * - create: GET the route (404 = free), PATCH without `_revision`, then read back with GET;
 * - update: PUT carrying the `_revision` from state (stale → 412, which terraform reports);
 * - data source by name: search `resource_type:StaticRoutes AND display_name:<prefix>*`, reading
 *   pages until it has `result_count` objects (so the count must match what the pages deliver);
 * - destroy: DELETE, then GET → 404.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTarget } from './support/target.js';
import { CookieJar, type Wire, type WireResponse } from '../test/support/wire.js';

const t = useTarget();
let USER: string;
let PASSWORD: string;
/** the run's Tier-1, and names under it */
let T1: string;
const id = (name: string) => `${t.prefix}${name}`;

let base: string;
let client: Wire;
let xsrf: string;

/** A request as the provider's connector sends it: Basic + session cookie + XSRF header. */
async function tf(method: string, path: string, body?: unknown, opts: { xsrf?: string | null; basic?: boolean } = {}): Promise<WireResponse> {
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'terraform-provider-nsxt/3.4.0' };
  if (opts.basic !== false) headers.Authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const token = opts.xsrf === undefined ? xsrf : opts.xsrf;
  if (token) headers['X-XSRF-TOKEN'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await client.send({ method, url: `${base}${path}`, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.headers['content-type'], `${method} ${path}`).toMatch(/^application\/json/);
  return res;
}

beforeAll(async () => {
  ({ username: USER, password: PASSWORD } = t.nsxCredentials);
  base = t.nsxUrl;
  client = t.wire({ jar: new CookieJar() });
  T1 = `/policy/api/v1/infra/tier-1s/${id('tanzu-cl1')}`;
  const res = await t.nsx('PATCH', T1, { display_name: id('tanzu-cl1'), route_advertisement_types: ['TIER1_STATIC_ROUTES'] });
  expect(res.status, res.text).toBe(200);
});

describe('terraform-provider-nsxt', () => {
  it('configure: session create (JSESSIONID first, X-XSRF-TOKEN), then node version', async () => {
    const bad = await client.send({
      method: 'POST',
      url: `${base}/api/session/create`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `j_username=${USER}&j_password=wrong`,
    });
    expect(bad.status).toBe(403);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
    expect(bad.body).toEqual({ module_name: 'common-services', error_message: 'The credentials were incorrect or the account specified has been locked.', error_code: 403 });

    const res = await client.send({
      method: 'POST',
      url: `${base}/api/session/create`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `j_username=${encodeURIComponent(USER)}&j_password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.setCookies[0]).toMatch(/^JSESSIONID=[^;]+; Path=\/; Secure; HttpOnly$/);
    xsrf = res.headers['x-xsrf-token'] as string;
    expect(xsrf).toBeTruthy();
    expect(client.jar!.get('JSESSIONID')).toBeTruthy();

    const v = await tf('GET', '/api/v1/node/version');
    expect(v.status).toBe(200);
    const [major, minor] = String(v.body.node_version).split('.').map(Number);
    expect(major! * 100 + minor!).toBeLessThan(901);
    expect(v.body.product_version).toBe(v.body.node_version);
  });

  it('create: GET → 404, PATCH without _revision → 200 empty, GET reads it back', async () => {
    const path = `${T1}/static-routes/${id('tf-route-1')}`;
    const free = await tf('GET', path);
    expect(free.status).toBe(404);
    expect(free.body).toMatchObject({ httpStatus: 'NOT_FOUND', error_code: 600, module_name: 'common-services' });
    const body = {
      display_name: id('tf-route-1'),
      description: 'managed by terraform',
      network: '10.200.0.0/24',
      next_hops: [{ admin_distance: 2, ip_address: '172.16.128.1' }],
      tags: [{ scope: 'terraform', tag: 'owned' }],
    };
    const p = await tf('PATCH', path, body);
    expect(p.status).toBe(200);
    expect(p.text).toBe('');
    const got = await tf('GET', path);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ ...body, id: id('tf-route-1'), path: `/infra/tier-1s/${id('tanzu-cl1')}/static-routes/${id('tf-route-1')}`, _revision: 0 });
    expect(got.body.error_code).toBeUndefined();
  });

  it('update: PUT with a stale _revision → 412; with the current one → 200 + object, revision +1', async () => {
    const path = `${T1}/static-routes/${id('tf-route-1')}`;
    const state = (await tf('GET', path)).body;
    // someone else changes it behind terraform's back
    expect((await tf('PATCH', path, { description: 'changed elsewhere' })).status).toBe(200);
    const stale = await tf('PUT', path, { ...state, description: 'from terraform' });
    expect(stale.status).toBe(412);
    expect(stale.body.httpStatus).toBe('PRECONDITION_FAILED');
    expect(Number.isInteger(stale.body.error_code)).toBe(true);
    const fresh = (await tf('GET', path)).body;
    expect(fresh._revision).toBe(1);
    const ok = await tf('PUT', path, { ...fresh, description: 'from terraform' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ description: 'from terraform', _revision: 2 });
    // the read-only fields echoed back from state were accepted, not stored twice
    expect(ok.body.uuid).toBeUndefined();
  });

  it('data source: display_name prefix search, result_count equal to what the page holds', async () => {
    await tf('PATCH', `${T1}/static-routes/${id('tf-route-2')}`, { display_name: id('tf-route-2'), network: '10.201.0.0/24', next_hops: [{ ip_address: '172.16.128.1' }] });
    await tf('PATCH', `${T1}/static-routes/${id('other')}`, { display_name: id('other'), network: '10.202.0.0/24', next_hops: [{ ip_address: '172.16.128.1' }] });
    const query = `resource_type:StaticRoutes AND display_name:${id('tf-route')}*`;
    const found: any[] = [];
    let cursor = '';
    let resultCount = -1;
    // terraform's loop: pages until it holds result_count objects
    for (let page = 0; page < 5 && found.length !== resultCount; page++) {
      const res = await tf('GET', `/policy/api/v1/search/query?query=${encodeURIComponent(query)}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      resultCount = res.body.result_count;
      found.push(...res.body.results);
      cursor = res.body.cursor ?? '';
    }
    expect(resultCount).toBe(2);
    expect(found.map((r) => r.display_name).sort()).toEqual([id('tf-route-1'), id('tf-route-2')]);
    const exact = await tf('GET', `/policy/api/v1/search/query?query=${encodeURIComponent(`resource_type:StaticRoutes AND display_name:${id('tf-route-2')}`)}`);
    expect(exact.body.results.map((r: any) => r.id)).toEqual([id('tf-route-2')]);
  });

  it('session writes need the XSRF token; Basic alone works too', async () => {
    const route2 = `${T1}/static-routes/${id('tf-route-2')}`;
    const noBasic = await tf('PATCH', route2, { description: 'x' }, { basic: false, xsrf: null });
    expect(noBasic.status).toBe(403);
    expect(noBasic.body.error_code).toBe(98);
    const withToken = await tf('PATCH', route2, { description: 'x' }, { basic: false });
    expect(withToken.status).toBe(200);
    const readWithSessionOnly = await tf('GET', route2, undefined, { basic: false, xsrf: null });
    expect(readWithSessionOnly.body.description).toBe('x');
  });

  it('destroy: DELETE → 200 empty; GET → 404; a second DELETE is still 200', async () => {
    for (const route of ['tf-route-1', 'tf-route-2', 'other'].map(id)) {
      const d = await tf('DELETE', `${T1}/static-routes/${route}`);
      expect(d.status).toBe(200);
      expect(d.text).toBe('');
      expect((await tf('GET', `${T1}/static-routes/${route}`)).status).toBe(404);
    }
    expect((await tf('DELETE', `${T1}/static-routes/${id('tf-route-1')}`)).status).toBe(200);
  });

  it('a Tier-1 of its own: PATCH creates it, PUT needs its revision, DELETE removes it', async () => {
    // No tier0_path: a Tier-1 stands alone until attached, and a run cannot know the manager's Tier-0s.
    const path = `/policy/api/v1/infra/tier-1s/${id('tf-t1')}`;
    expect((await tf('PATCH', path, { display_name: id('tf-t1'), route_advertisement_types: ['TIER1_STATIC_ROUTES', 'TIER1_LB_VIP'] })).status).toBe(200);
    const t1 = (await tf('GET', path)).body;
    expect(t1).toMatchObject({ resource_type: 'Tier1', route_advertisement_types: ['TIER1_STATIC_ROUTES', 'TIER1_LB_VIP'], _revision: 0 });
    expect((await tf('PUT', path, { ...t1, _revision: 5 })).status).toBe(412);
    expect((await tf('PUT', path, { ...t1, failover_mode: 'PREEMPTIVE' })).body._revision).toBe(1);
    expect((await tf('DELETE', path)).status).toBe(200);
    expect((await tf('GET', path)).status).toBe(404);
  });
});

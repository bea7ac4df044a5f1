/**
 * The NSX search language: parser and matcher units, then the endpoint over HTTP
 * with the encodings real clients send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveEngine } from './helpers.js';
import request from 'supertest';
import { matches, parseQuery, QueryError, queryParam, tokenize } from '../server/nsxt/search.js';
import { Engine } from '../server/engine.js';
import { upsertStaticRoute, upsertTier1 } from '../server/nsxt/routes.js';

const route = {
  id: 'uid1_172.16.136.0_24',
  display_name: 'cl1_node-a_172.16.136.0/24',
  resource_type: 'StaticRoutes',
  path: '/infra/tier-1s/tanzu-cl1/static-routes/uid1_172.16.136.0_24',
  parent_path: '/infra/tier-1s/tanzu-cl1',
  network: '172.16.136.0/24',
  marked_for_delete: false,
  tags: [
    { scope: 'vsphere.k8s.io/cluster-name', tag: 'cl1' },
    { scope: 'vsphere.k8s.io/node-name', tag: 'node-a' },
  ],
};
const m = (q: string, o: Record<string, unknown> = route) => matches(parseQuery(q), o);

describe('parser', () => {
  it('tokenizes words, parentheses, quotes and escapes', () => {
    const toks = tokenize('(a:b\\/c OR "x y") AND NOT z');
    expect(toks.map((t) => (t.t === 'word' ? t.text : t.t))).toEqual(['(', 'a:b/c', 'OR', 'x y', ')', 'AND', 'NOT', 'z']);
  });

  it('builds AND/OR/NOT trees with precedence NOT > AND > OR and parentheses', () => {
    expect(parseQuery('a:1 OR b:2 AND c:3')).toEqual({
      kind: 'or',
      parts: [
        { kind: 'term', field: 'a', value: '1' },
        { kind: 'and', parts: [{ kind: 'term', field: 'b', value: '2' }, { kind: 'term', field: 'c', value: '3' }] },
      ],
    });
    expect(parseQuery('(a:1 OR b:2) AND NOT c:3')).toEqual({
      kind: 'and',
      parts: [
        { kind: 'or', parts: [{ kind: 'term', field: 'a', value: '1' }, { kind: 'term', field: 'b', value: '2' }] },
        { kind: 'not', part: { kind: 'term', field: 'c', value: '3' } },
      ],
    });
  });

  it('rejects malformed queries', () => {
    for (const q of ['', '(a:1', 'a:1)', 'AND a:1', 'a:1 OR', 'NOT', 'a:', '"open']) {
      expect(() => parseQuery(q), q).toThrow(QueryError);
    }
  });
});

describe('matching', () => {
  it('field:value on resource_type, id, display_name, path, parent_path, marked_for_delete', () => {
    expect(m('resource_type:StaticRoutes')).toBe(true);
    expect(m('resource_type:Tier1')).toBe(false);
    expect(m('id:uid1_172.16.136.0_24')).toBe(true);
    expect(m('display_name:cl1_node-a_172.16.136.0\\/24')).toBe(true);
    expect(m('path:\\/infra\\/tier-1s\\/tanzu-cl1\\/static-routes\\/uid1_172.16.136.0_24')).toBe(true);
    expect(m('parent_path:\\/infra\\/tier-1s\\/tanzu-cl1')).toBe(true);
    expect(m('parent_path:"/infra/tier-1s/tanzu-cl1"')).toBe(true);
    expect(m('marked_for_delete:false')).toBe(true);
    expect(m('marked_for_delete:true')).toBe(false);
  });

  it('tags.scope:X AND tags.tag:Y matches some tag of scope X and some tag of value Y', () => {
    expect(m('resource_type:StaticRoutes AND tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:cl1')).toBe(true);
    expect(m('resource_type:StaticRoutes AND tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:cl2')).toBe(false);
    // independent terms: the node-name tag's value matches too
    expect(m('tags.scope:vsphere.k8s.io\\/cluster-name AND tags.tag:node-a')).toBe(true);
    expect(m('tags.scope:nope')).toBe(false);
  });

  it('* suffix (terraform display_name prefix), ? and a lone * (field present)', () => {
    expect(m('display_name:cl1_*')).toBe(true);
    expect(m('display_name:cl2_*')).toBe(false);
    expect(m('id:uid?_172*')).toBe(true);
    expect(m('tags:*')).toBe(false); // tags hold objects, not values
    expect(m('tags.tag:*')).toBe(true);
    expect(m('description:*')).toBe(false);
    // an escaped * is literal
    expect(m('display_name:cl1\\*')).toBe(false);
  });

  it('OR, NOT, -term and parentheses', () => {
    expect(m('resource_type:Tier1 OR id:uid1*')).toBe(true);
    expect(m('NOT resource_type:Tier1')).toBe(true);
    expect(m('resource_type:StaticRoutes AND NOT tags.tag:cl1')).toBe(false);
    expect(m('resource_type:StaticRoutes AND -tags.tag:cl1')).toBe(false);
    expect(m('(resource_type:Tier1 OR resource_type:StaticRoutes) AND tags.tag:(cl2 OR cl1)')).toBe(true);
  });

  it('matching is case-insensitive; a bare value matches any field', () => {
    expect(m('resource_type:staticroutes')).toBe(true);
    expect(m('node-a')).toBe(true);
    expect(m('nothing-here')).toBe(false);
  });

  it('query values are decoded as a Java server does: + is a space, %2B a plus', () => {
    expect(queryParam('query=resource_type:StaticRoutes%20AND%20tags.scope:vsphere.k8s.io%5C%2Fcluster-name', 'query')).toBe(
      'resource_type:StaticRoutes AND tags.scope:vsphere.k8s.io\\/cluster-name',
    );
    expect(queryParam('query=a+b', 'query')).toBe('a b');
    expect(queryParam('query=a%2Bb', 'query')).toBe('a+b');
    expect(queryParam('sort+by=x&included_fields=id,+path', 'sort by')).toBe('x');
    expect(queryParam('x=1&query=100%', 'query')).toBe('100%');
    expect(queryParam('x=1', 'query')).toBeUndefined();
  });
});

describe('GET /policy/api/v1/search/query', () => {
  let engine: Engine;
  let app: string;
  const auth = `Basic ${Buffer.from('admin:pw-pw-pw-pw').toString('base64')}`;
  const search = (rawQuery: string) => request(app).get(`/policy/api/v1/search/query?${rawQuery}`).set('Authorization', auth);

  beforeAll(async () => {
    engine = await Engine.create({ nsx: { password: 'pw-pw-pw-pw' } });
    upsertTier1(engine, 'a', {});
    upsertTier1(engine, 'b', {});
    upsertStaticRoute(engine, 'a', 'r1', { network: '10.0.1.0/24', next_hops: [{ ip_address: '10.0.0.1' }], tags: [{ scope: 'k', tag: 'x' }] });
    upsertStaticRoute(engine, 'b', 'r2', { network: '10.0.2.0/24', next_hops: [{ ip_address: '10.0.0.2' }], tags: [{ scope: 'k', tag: 'x' }] });
    upsertStaticRoute(engine, 'b', 'r3', { network: '10.0.3.0/24', next_hops: [{ ip_address: '10.0.0.3' }] });
    app = (await serveEngine(engine)).app;
  });
  afterAll(() => engine.close());

  it('is global, answers the envelope with the hit fields clients read', async () => {
    const res = await search('query=resource_type:StaticRoutes%20AND%20tags.scope:k%20AND%20tags.tag:x');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.result_count).toBe(2);
    expect(res.body.results.map((r: { id: string }) => r.id).sort()).toEqual(['r1', 'r2']);
    for (const hit of res.body.results) {
      for (const f of ['id', 'network', 'tags', 'resource_type', 'path', 'parent_path']) expect(hit[f], f).toBeDefined();
    }
  });

  it('the raw forms: unescaped spaces (%20), escaped backslash-slash, Tier-1s', async () => {
    expect((await search(`query=${encodeURIComponent('resource_type:Tier1')}`)).body.result_count).toBe(2);
    expect((await search(`query=parent_path:%5C%2Finfra%5C%2Ftier-1s%5C%2Fb`)).body.result_count).toBe(2);
    expect((await search(`query=resource_type:StaticRoutes%20AND%20NOT%20parent_path:%22/infra/tier-1s/b%22`)).body.result_count).toBe(1);
  });

  it('+ in the query string is a space (Python\'s and older Go clients): the same hits as %20', async () => {
    const spaced = await search('query=resource_type:StaticRoutes%20AND%20tags.tag:x');
    const plussed = await search('query=resource_type:StaticRoutes+AND+tags.tag:x');
    expect(plussed.status, plussed.text).toBe(200);
    expect(plussed.body.result_count).toBe(2);
    expect(plussed.body).toEqual(spaced.body);
    // Python's urlencode (requests' params=): spaces as +, the rest percent-encoded
    const python = new URLSearchParams({ query: 'resource_type:StaticRoutes AND tags.scope:k AND tags.tag:x' }).toString();
    expect(python).toBe('query=resource_type%3AStaticRoutes+AND+tags.scope%3Ak+AND+tags.tag%3Ax');
    expect((await search(python)).body).toEqual(spaced.body);
    // every parameter: included_fields, sort_by and sort_ascending read the same way
    const fields = await search('query=resource_type:StaticRoutes+AND+tags.tag:x&included_fields=id,+path&sort_by=id&sort_ascending=false');
    expect(fields.body.results).toEqual([
      { id: 'r2', path: '/infra/tier-1s/b/static-routes/r2' },
      { id: 'r1', path: '/infra/tier-1s/a/static-routes/r1' },
    ]);
  });

  it('a + in a path segment stays a + (ids); in a query value it must come as %2B', async () => {
    const patched = await request(app)
      .patch('/policy/api/v1/infra/tier-1s/a/static-routes/r+plus')
      .set('Authorization', auth)
      .send({ network: '10.0.9.0/24', next_hops: [{ ip_address: '10.0.0.9' }] });
    expect(patched.status, patched.text).toBe(200);
    const got = await request(app).get('/policy/api/v1/infra/tier-1s/a/static-routes/r+plus').set('Authorization', auth);
    expect(got.status, got.text).toBe(200);
    expect(got.body.id).toBe('r+plus');
    expect((await search('query=id:r%2Bplus')).body.results.map((r: { id: string }) => r.id)).toEqual(['r+plus']);
    const realized = await request(app)
      .get('/policy/api/v1/infra/realized-state/realized-entities?intent_path=/infra/tier-1s/a/static-routes/r%2Bplus')
      .set('Authorization', auth);
    expect(realized.status, realized.text).toBe(200);
    expect(realized.body.results[0].intent_paths).toEqual(['/infra/tier-1s/a/static-routes/r+plus']);
    expect(realized.body.results[0].state).toBe('REALIZED');
    const del = await request(app).delete('/policy/api/v1/infra/tier-1s/a/static-routes/r+plus').set('Authorization', auth);
    expect(del.status).toBe(200);
  });

  it('hits without tags still carry tags: []', async () => {
    const res = await search('query=id:r3');
    expect(res.body.results[0].tags).toEqual([]);
  });

  it('included_fields narrows the hits', async () => {
    const res = await search('query=id:r1&included_fields=id,path');
    expect(res.body.results).toEqual([{ id: 'r1', path: '/infra/tier-1s/a/static-routes/r1' }]);
  });

  it('a malformed or missing query: 400 with an integer error_code', async () => {
    for (const q of ['query=(a', 'query=', 'x=1']) {
      const res = await search(q);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Number.isInteger(res.body.error_code)).toBe(true);
    }
  });
});

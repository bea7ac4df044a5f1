/**
 * The request pipeline's parts: the route table all three APIs share, the Avi route table's
 * targets (types' declared sub-resources and actions), the /_mock table and its listing, the
 * exchange a request is parsed into once, and the one reader of credentials.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RouteTable } from '../server/http/routing.js';
import { aviRoutes } from '../server/http/avi-routes.js';
import { destinationOf, exchangeOf, namedTenant } from '../server/http/exchange.js';
import { controlRoutes } from '../server/mock/control.js';
import { nsxRoutes } from '../server/nsxt/http.js';
import { basicCredentials, cookieValues, parseCookies, safeEqual } from '../server/core/http-auth.js';
import { Engine } from '../server/engine.js';
import { startSim } from './helpers.js';

describe('RouteTable', () => {
  const table = new RouteTable<string>()
    .add('GET', '/api/pool', 'list')
    .add('GET', '/api/pool/{uuid}', 'get')
    .add('GET', '/api/pool/{uuid}/runtime/', 'runtime')
    .add('GET', '/api/pool/special', 'fixed');

  it('prefers a fixed segment to a parameter, and decodes parameters', () => {
    expect(table.match('GET', '/api/pool/special').route).toBe('fixed');
    const m = table.match('get', '/api/pool/a%20b');
    expect(m.route).toBe('get');
    expect(m.params.uuid).toBe('a b');
  });

  it('ignores trailing and doubled slashes', () => {
    expect(table.match('GET', '/api/pool/x/runtime').route).toBe('runtime');
    expect(table.match('GET', '/api/pool/x/runtime/').route).toBe('runtime');
    expect(table.match('GET', '/api//pool/').route).toBe('list');
  });

  it('tells a known path with another method (405) from an unknown one (404)', () => {
    const known = table.match('DELETE', '/api/pool');
    expect([known.route, known.pathKnown]).toEqual([undefined, true]);
    const unknown = table.match('GET', '/api/nothing');
    expect([unknown.route, unknown.pathKnown]).toEqual([undefined, false]);
  });

  it('keeps a segment that is not valid percent-encoding as sent, or decodes it its own way', () => {
    expect(table.match('GET', '/api/pool/%E0%A4%A').params.uuid).toBe('%E0%A4%A');
    const own = new RouteTable<string>((s) => s.toUpperCase()).add('GET', '/x/{id}', 'x');
    expect(own.match('GET', '/x/abc').params.id).toBe('ABC');
  });

  it('params never inherit: a route without parameters has none', () => {
    expect(Object.getPrototypeOf(table.match('GET', '/api/pool').params)).toBeNull();
  });
});

describe('the Avi route table', () => {
  it('routes /api/<type>/{uuid}/<name> to what the type declares, else to the answer from state', async () => {
    const engine = await Engine.create({});
    const view = () => ({ view: true });
    const action = () => ({ action: true });
    const table = aviRoutes(engine.catalog.doc, engine.catalog, new Set(), {
      pool: { views: { 'runtime/detail': view }, actions: { scaleout: action } },
    });
    expect(table.match('GET', '/api/pool/p-1/runtime/detail/').route?.target).toEqual({ kind: 'resource', resource: view });
    expect(table.match('POST', '/api/pool/p-1/scaleout').route?.target).toEqual({ kind: 'resource', resource: action });
    // undeclared names are answered from state (server/avi/subresources/), not by a declaration
    for (const [method, path] of [['GET', '/api/pool/p-1/runtime/'], ['GET', '/api/virtualservice/v-1/runtime/detail/']] as const) {
      const target = table.match(method, path).route?.target;
      expect(target?.kind).toBe('resource');
      expect([view, action]).not.toContain((target as { resource: unknown }).resource);
    }
    // the generic CRUD and the pipeline's own handlers
    expect(table.match('GET', '/api/pool').route?.target).toEqual({ kind: 'generic', type: 'pool', op: 'list' });
    const own = aviRoutes(engine.catalog.doc, engine.catalog, new Set(['pool.list']), {});
    expect(own.match('GET', '/api/pool').route?.target).toEqual({ kind: 'handler', operationId: 'pool.list' });
  });

  it('names nothing through inherited properties', async () => {
    const engine = await Engine.create({});
    const table = aviRoutes(engine.catalog.doc, engine.catalog, new Set(), { pool: { views: {} } });
    expect(table.match('GET', '/api/pool/p/constructor').route?.target ?? { kind: 'none' }).toEqual({ kind: 'none' });
    const runtime = table.match('GET', '/api/pool/p/runtime/').route?.target as { kind: string; resource?: unknown };
    expect(runtime.kind).toBe('resource');
    expect(Object.values(Object.getOwnPropertyDescriptors(Object.prototype)).map((d) => d.value)).not.toContain(runtime.resource);
  });

  it('serves the runtime sub-resources the type modules declare (coverage: modelled)', async () => {
    const sim = await startSim();
    const { operations } = (await sim.http.get('/_mock/coverage')).body as { operations: Array<{ method: string; path: string; status: string }> };
    const status = (path: string) => operations.find((o) => o.method === 'GET' && o.path === path)?.status;
    for (const type of ['virtualservice', 'pool', 'serviceenginegroup']) expect(status(`/api/${type}/{uuid}/runtime/`)).toBe('modelled');
    expect(status('/api/virtualservice-inventory')).toBe('modelled');
    expect(status('/api/pool/{uuid}/runtime/detail/')).toBe('modelled');
  });
});

describe('the /_mock and NSX route tables', () => {
  it('GET /_mock lists exactly the calls of the table (second methods of a call left out)', async () => {
    const sim = await startSim();
    const listed = (await sim.http.get('/_mock')).body.endpoints as string[];
    expect(listed).toContain('GET|POST /_mock/scenario');
    expect(listed).toContain('GET|PUT /_mock/snapshot');
    expect(listed).toContain('DELETE /_mock/faults/{id}');
    const paths = new Set(controlRoutes.routes().map((r) => r.template));
    paths.delete('/_mock');
    expect(new Set(listed.map((l) => l.split(' ')[1]))).toEqual(paths);
  });

  it('the NSX table decodes ids as NSX does (a lone % kept)', () => {
    const m = nsxRoutes.match('GET', '/policy/api/v1/infra/tier-1s/a%2Fb%/static-routes/r');
    expect(m.params).toMatchObject({ t1: 'a/b%', id: 'r' });
    const other = nsxRoutes.match('POST', '/policy/api/v1/infra/tier-1s');
    expect([other.route, other.pathKnown]).toEqual([undefined, true]);
  });
});

describe('the exchange', () => {
  const fake = (url: string, headers: Record<string, string> = {}) =>
    exchangeOf({ url, method: 'post', headers, socket: {} } as unknown as IncomingMessage, {} as ServerResponse);

  it('splits the URL once, collapses slashes and names the destination', () => {
    const x = fake('//api//pool?name=a&x=1', { 'x-avi-tenant': 't1', host: 'h' });
    expect(x).toMatchObject({ method: 'POST', path: '/api/pool', rawQuery: 'name=a&x=1', destination: 'api', tenantName: 't1', base: 'http://h' });
    expect(namedTenant(x)).toBe('t1');
    expect(namedTenant(fake('/api/pool', { 'x-avi-tenant-uuid': 'tenant-1' }))).toBe('tenant-1');
    expect(namedTenant(fake('/api/pool'))).toBe('admin');
  });

  it('tells the APIs apart by path', () => {
    expect(destinationOf('/_mock')).toBe('mock');
    expect(destinationOf('/_mock/journal')).toBe('mock');
    expect(destinationOf('/_mockery')).toBe('other');
    expect(destinationOf('/policy/api/v1/infra/tier-1s')).toBe('nsx');
    expect(destinationOf('/api/session/create')).toBe('nsx');
    expect(destinationOf('/api/session/create-other')).toBe('api');
    expect(destinationOf('/login/')).toBe('api');
    expect(destinationOf('/ui')).toBe('other');
  });
});

describe('credentials read one way', () => {
  it('Basic (and Remote where asked), cookies, constant-time compare', () => {
    const b64 = Buffer.from('u:p:q').toString('base64');
    expect(basicCredentials(`Basic ${b64}`)).toEqual({ username: 'u', password: 'p:q' });
    expect(basicCredentials(`basic ${b64}  `)).toEqual({ username: 'u', password: 'p:q' });
    expect(basicCredentials(`Remote ${b64}`)).toBeUndefined();
    expect(basicCredentials(`Remote ${b64}`, ['Basic', 'Remote'])).toEqual({ username: 'u', password: 'p:q' });
    expect(basicCredentials(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
    expect(parseCookies('a=1; b="2"; a=%41; __proto__=x').get('a')).toEqual(['1', 'A']);
    expect(cookieValues('JSESSIONID=X; JSESSIONID=Y', 'JSESSIONID')).toEqual(['X', 'Y']);
    expect(cookieValues(undefined, 'JSESSIONID')).toEqual([]);
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('secret', 'secret!')).toBe(false);
  });
});

/**
 * The simulator's root: a page for browsers, JSON for scripts, links that lead somewhere; and
 * an unknown control call that lists the calls there are.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { wantsHtml } from '../server/http/landing.js';
import { serveEngine, startSim } from './helpers.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('GET /', () => {
  it('answers a browser with an HTML page linking the API, the control plane, the inspector and the docs', async () => {
    const sim = await startSim({ login: false });
    const res = await sim.http.get('/').set('Accept', BROWSER_ACCEPT);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers.vary).toBe('Accept');
    for (const href of ['/api/initial-data', '/login', '/policy/api/v1/infra/tier-1s', '/_mock', '/_mock/ui/', '/_mock/openapi.json']) {
      expect(res.text).toContain(`<a href="${href}">`);
    }
    expect(res.text).toContain(`version ${sim.engine.scenario.controller.version}`);
  });

  it('answers Accept: application/json (and curl\'s */*) with the same links as JSON', async () => {
    const sim = await startSim({ login: false });
    const res = await sim.http.get('/').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.simulator).toBe('avisim');
    expect(res.body.controller_version).toBe(sim.engine.scenario.controller.version);
    expect(res.body.links).toEqual({
      api: '/api/initial-data',
      login: '/login',
      nsx: '/policy/api/v1/infra/tier-1s',
      control: '/_mock',
      inspector: '/_mock/ui/',
      docs: '/_mock/openapi.json',
    });
    const curl = await sim.http.get('/').set('Accept', '*/*');
    expect(curl.headers['content-type']).toBe('application/json');
    expect(curl.body.links).toEqual(res.body.links);
  });

  it('links that lead to what they name', async () => {
    const sim = await startSim({ login: false });
    const links = (await sim.http.get('/').set('Accept', 'application/json')).body.links;
    expect((await sim.http.get(links.api)).status).toBe(200);
    expect((await sim.http.get(links.control)).body.endpoints).toContain('POST /_mock/reset');
    expect((await sim.http.get(links.docs)).body.openapi).toBe('3.1.0');
    const nsx = sim.engine.nsx;
    const basic = `Basic ${Buffer.from(`${nsx.username}:${nsx.password}`).toString('base64')}`;
    expect((await sim.http.get(links.nsx).set('Authorization', basic)).status).toBe(200);
  });

  it('HEAD / has the headers and no body; other methods on / stay unimplemented', async () => {
    const sim = await startSim({ login: false });
    const head = await sim.http.head('/').set('Accept', 'application/json');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('application/json');
    expect(head.text ?? '').toBe('');
    expect((await sim.http.post('/').send({})).status).toBe(501);
  });

  it('without the control plane lists no control links; with a token says so', async () => {
    const off = await serveEngine(await Engine.create(), { mock: { enabled: false }, closeEngine: true });
    const plain = (await off.http.get('/').set('Accept', 'application/json')).body.links;
    expect(Object.keys(plain)).toEqual(['api', 'login', 'nsx']);

    const guarded = await serveEngine(await Engine.create(), { mock: { token: 'tok-landing' }, closeEngine: true });
    const res = await guarded.http.get('/').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.links.control).toBe('/_mock');
    const control = res.body.about.find((l: { name: string }) => l.name === 'control');
    expect(control.about).toContain('needs X-Mock-Token');
    expect(res.text).not.toContain('tok-landing');
  });

  it('echoes nothing of the request into the page', async () => {
    const sim = await startSim({ login: false });
    const res = await sim.http.get('/?<script>alert(1)</script>').set('Accept', 'text/html').set('Host', '<b>evil</b>');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain('evil');
  });
});

describe('Accept negotiation', () => {
  it('prefers HTML only when the client names it at least as high as JSON', () => {
    expect(wantsHtml(BROWSER_ACCEPT)).toBe(true);
    expect(wantsHtml('text/html')).toBe(true);
    expect(wantsHtml(undefined)).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml('application/json, text/html;q=0.5')).toBe(false);
    expect(wantsHtml('text/html;q=0.9, application/json;q=0.8')).toBe(true);
    expect(wantsHtml('text/html;q=0')).toBe(false);
    expect(wantsHtml('text/html;q=abc')).toBe(false);
  });
});

describe('unknown /_mock paths', () => {
  it('answer 404 listing every valid call', async () => {
    const sim = await startSim();
    const index = (await sim.http.get('/_mock')).body.endpoints as string[];
    for (const [method, path] of [['GET', '/_mock/nothing-here'], ['POST', '/_mock/resett'], ['GET', '/_mock/reset'], ['PUT', '/_mock/journal/x']]) {
      const res = await sim.http[method!.toLowerCase() as 'get'](path!);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe(`No test-control call ${method} ${path}: GET /_mock lists them`);
      expect(res.body.endpoints).toEqual(index);
    }
  });
});

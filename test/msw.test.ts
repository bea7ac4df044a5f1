/**
 * avisim/msw: a small fetch client drives the simulator through msw's `setupServer` at
 * https://avi.example, end to end, and no socket is opened or listened on along the way.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setupServer } from 'msw/node';
import { createAvisimHandlers } from '../server/msw.js';
import { CookieJar } from '../server/testing.js';

const BASE = 'https://avi.example';
const PASSWORD = 'msw-admin-pw';

/** What an Avi client under test does: log in, keep the cookies, send the CSRF token on writes. */
class TinyAviClient {
  private cookies = new CookieJar();
  constructor(readonly base: string) {}

  async login(username: string, password: string): Promise<Response> {
    const res = await this.send('POST', '/login', { username, password });
    return res;
  }

  async send(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { ...extra };
    const csrf = this.cookies.get('csrftoken');
    if (csrf && method !== 'GET' && !('X-CSRFToken' in headers)) headers['X-CSRFToken'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const cookie = this.cookies.header(url);
    if (cookie) headers.Cookie = cookie;
    const res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    this.cookies.store(res.headers.getSetCookie());
    return res;
  }
}

const sockets = {
  connect: vi.spyOn(net.Socket.prototype, 'connect'),
  netListen: vi.spyOn(net.Server.prototype, 'listen'),
  httpListen: vi.spyOn(http.Server.prototype, 'listen'),
};
const tcpBefore = tcpResources();

function tcpResources(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
}

const sim = await createAvisimHandlers({ baseUrl: BASE, adminPassword: PASSWORD, seed: 7 });
const server = setupServer(...sim.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('avisim/msw', () => {
  it('drives a client end to end: login, create, read, patch, delete', async () => {
    const client = new TinyAviClient(BASE);
    const login = await client.login('admin', PASSWORD);
    expect(login.status).toBe(200);
    const setCookies = login.headers.getSetCookie();
    expect(setCookies.map((c) => c.split('=')[0]).sort()).toEqual(['avi-sessionid', 'csrftoken', 'sessionid']);
    // an https base URL is served as over TLS: Secure cookies
    expect(setCookies.every((c) => /;\s*Secure/.test(c))).toBe(true);
    expect((await login.json()).session_cookie_name).toBe('avi-sessionid');

    const created = await client.send('POST', '/api/pool', { name: 'web', servers: [{ ip: { addr: '10.0.0.1', type: 'V4' } }] });
    expect(created.status).toBe(201);
    const pool = await created.json();
    expect(pool.url).toMatch(/^https:\/\/avi\.example\/api\/pool\/pool-/);
    expect(pool.tenant_ref).toMatch(/^https:\/\/avi\.example\/api\/tenant\//);
    expect(created.headers.get('location')).toContain('https://avi.example/api/pool/');

    const read = await client.send('GET', pool.url);
    expect(read.status).toBe(200);
    expect((await read.json()).name).toBe('web');

    const byName = await client.send('GET', '/api/pool?name=web');
    expect((await byName.json()).count).toBe(1);

    const patched = await client.send('PATCH', `/api/pool/${pool.uuid}`, { replace: { description: 'patched' } });
    expect(patched.status).toBe(200);
    expect((await patched.json()).description).toBe('patched');

    const deleted = await client.send('DELETE', `/api/pool/${pool.uuid}`);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect((await client.send('GET', `/api/pool/${pool.uuid}`)).status).toBe(404);
    expect(sim.engine.store.get('pool', pool.uuid)).toBeUndefined();
  });

  it('answers 401 without a session', async () => {
    const res = await fetch(`${BASE}/api/pool`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Authentication credentials were not provided.' });
  });

  it('refuses a write without the CSRF token in plain text', async () => {
    const client = new TinyAviClient(BASE);
    expect((await client.login('admin', PASSWORD)).status).toBe(200);
    const res = await client.send('POST', '/api/pool', { name: 'no-csrf' }, { 'X-CSRFToken': 'wrong' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('CSRF token missing or incorrect.');
    expect([...sim.engine.store.byName('pool', 'admin', 'no-csrf')]).toHaveLength(0);
  });

  it('serves non-API paths through the same listener (/_mock, 501)', async () => {
    const coverage = await fetch(`${BASE}/_mock/coverage`);
    expect(coverage.status).toBe(200);
    expect(await coverage.json()).toBeTypeOf('object');
    const unknown = await fetch(`${BASE}/nothing/here`);
    expect(unknown.status).toBe(501);
  });

  it('reset() puts the scenario objects back', async () => {
    const client = new TinyAviClient(BASE);
    await client.login('admin', PASSWORD);
    const created = await client.send('POST', '/api/pool', { name: 'temp' });
    expect(created.status).toBe(201);
    await sim.reset();
    expect((await (await client.send('GET', '/api/pool?name=temp')).json()).count).toBe(0);
  });

  it('opened and listened on no socket', () => {
    expect(sockets.connect).not.toHaveBeenCalled();
    expect(sockets.netListen).not.toHaveBeenCalled();
    expect(sockets.httpListen).not.toHaveBeenCalled();
    expect(tcpResources()).toBe(tcpBefore);
  });
});

describe('createAvisimHandlers options', () => {
  it('refuses a base URL with a path', async () => {
    await expect(createAvisimHandlers({ baseUrl: 'https://avi.example/prefix' })).rejects.toThrow(/origin/);
  });

  it('serves a given engine over a plain-http base URL', async () => {
    const other = await createAvisimHandlers({ baseUrl: 'http://avi.plain:8080/', engine: sim.engine });
    expect(other.engine).toBe(sim.engine);
    expect(other.baseUrl).toBe('http://avi.plain:8080');
    const res = await other.fetch(
      new Request('http://avi.plain:8080/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => /Secure/.test(c))).toBe(false);
    const body = await res.json();
    expect(JSON.stringify(body.tenants)).toContain('http://avi.plain:8080/api/tenant/');
  });
});

/**
 * Contract: the Avi Go SDK (`AviSession`, vmware/alb-sdk go/session/avisession.go) on the wire,
 * request by request, as AKO drives it (vmware/load-balancer-and-ingress-services-for-kubernetes
 * pkg/utils/avi_rest_utils.go), against the target over real TLS.
 *
 * What the SDK does, as read in those files:
 * - prefix `https://<host>/` (HTTPS only); a request goes to prefix + uri, so the generated
 *   clients' `api/pool` gives `/api/pool`, while `/api/initial-data` (GetControllerVersion),
 *   `/api/cluster/status` (CheckControllerStatus) and AKO's `/api/pool` give `//api/...`.
 * - every request (`newAviRequest`): `Content-Type: application/json`, `X-Avi-Version` = the
 *   session's version (default `18.2.6`), `Referer: <prefix>`, `X-Avi-Tenant` (default `admin`);
 *   unless the URL ends in `login`: `X-CSRFToken` and cookie `csrftoken` when it has a token,
 *   cookies `sessionid` and `avi-sessionid` when it has a session id. No cookie jar on the client.
 * - login (`initiateSession`): POST `login` with JSON `{"password","username"}` (a Go map:
 *   keys sorted). Cookies are collected from the login answer only, and only when both a
 *   `csrftoken` and a `sessionid`/`avi-sessionid` cookie come back (`collectCookiesFromResp`).
 * - `restRequest`: a 401 on anything but login → log in again, then (status check enabled, the
 *   default) GET `/api/cluster/status` with a bare request (no SDK headers, no cookies), log in
 *   once more and repeat the request; 419 and 5xx also repeat. At most `max_api_retries` (3).
 *   A 401 on login is returned as an error, not retried.
 * - `GetControllerVersion`: GET `/api/initial-data`, reads `version.Version` (a type assertion
 *   that panics when it is missing). AKO then sets that version on its sessions (`SetVersion`
 *   before every operation), so later calls carry the controller's version.
 * - `Logout`: POST prefix + `logout` with the usual headers and cookies; the SDK keeps its
 *   session id and token afterwards.
 * - Patch sends `{<op>: payload}`; Delete sends no body.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IN_PROCESS_PASSWORD, startInProcess, useTarget } from './support/target.js';
import { setCookieValue, Wire, type WireResponse } from '../test/support/wire.js';

const t = useTarget();

const DEFAULT_AVI_VERSION = '18.2.6';
const MAX_API_RETRIES = 3;
/** net/http's own defaults on every request */
const GO_HTTP_HEADERS = { 'User-Agent': 'Go-http-client/1.1', 'Accept-Encoding': 'gzip' };

class GoError extends Error {
  constructor(
    readonly verb: string,
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(`Encountered an error on ${verb} request to URL ${url}: HTTP code: ${status}; error from Controller: ${message}`);
  }
}

/** A replay of AviSession's wire behaviour (not its code). */
class GoSession {
  readonly client: Wire;
  readonly prefix: string;
  version = DEFAULT_AVI_VERSION;
  tenant = 'admin';
  csrfToken = '';
  sessionid = '';
  logins = 0;
  readonly log: { verb: string; url: string; status: number; version?: string }[] = [];

  private constructor(
    base: string,
    readonly username: string,
    public password: string,
    wire: Wire,
  ) {
    this.prefix = `${base}/`;
    this.client = wire;
  }

  static async create(base: string, username: string, password: string, wire: Wire = t.wire()): Promise<GoSession> {
    const s = new GoSession(base, username, password, wire);
    await s.initiateSession();
    return s;
  }

  private headersFor(url: string): { headers: Record<string, string>; cookies: [string, string][] } {
    const headers: Record<string, string> = { ...GO_HTTP_HEADERS, 'Content-Type': 'application/json', 'X-Avi-Version': this.version };
    const cookies: [string, string][] = [];
    const toLogin = url.endsWith('login');
    if (!toLogin && this.csrfToken) {
      headers['X-CSRFToken'] = this.csrfToken;
      cookies.push(['csrftoken', this.csrfToken]);
    }
    headers.Referer = this.prefix;
    headers['X-Avi-Tenant'] = this.tenant;
    if (!toLogin && this.sessionid) cookies.push(['sessionid', this.sessionid], ['avi-sessionid', this.sessionid]);
    return { headers, cookies };
  }

  private async send(verb: string, url: string, payload?: unknown): Promise<WireResponse> {
    const { headers, cookies } = this.headersFor(url);
    const res = await this.client.send({ method: verb, url, headers, cookies, body: payload === undefined ? undefined : JSON.stringify(payload) });
    this.log.push({ verb, url, status: res.status, version: res.headers['avi_api_version'] as string | undefined });
    return res;
  }

  /** collectCookiesFromResp: both a token and a session id, or nothing changes */
  private collectCookies(res: WireResponse): void {
    const csrf = setCookieValue(res.setCookies, 'csrftoken') ?? '';
    let sid = '';
    for (const line of res.setCookies) {
      const name = line.slice(0, line.indexOf('='));
      if (name === 'sessionid' || name === 'avi-sessionid') sid = setCookieValue([line], name) ?? '';
    }
    if (csrf && sid) {
      this.csrfToken = csrf;
      this.sessionid = sid;
    }
  }

  async initiateSession(): Promise<void> {
    this.logins++;
    // A Go map marshals with sorted keys.
    await this.postJson('login', { password: this.password, username: this.username });
  }

  async checkControllerStatus(): Promise<boolean> {
    const url = `${this.prefix}/api/cluster/status`;
    const res = await this.client.send({ method: 'GET', url, headers: GO_HTTP_HEADERS });
    this.log.push({ verb: 'GET', url, status: res.status });
    return res.status !== 500 && res.status !== 502 && res.status !== 503;
  }

  async restRequest(verb: string, uri: string, payload?: unknown, retry = 0): Promise<WireResponse> {
    const url = this.prefix + uri;
    if (retry >= MAX_API_RETRIES) throw new Error(`tried ${retry} times and failed`);
    const res = await this.send(verb, url, payload);
    let again = false;
    if (uri === 'login') this.collectCookies(res);
    if (res.status === 401 && uri !== 'login') {
      await this.initiateSession();
      again = true;
    } else if (res.status === 419 || (res.status >= 500 && res.status < 599)) {
      again = true;
    }
    if (again) {
      if (!(await this.checkControllerStatus())) throw new Error('controller is down');
      await this.initiateSession();
      return this.restRequest(verb, uri, payload, retry + 1);
    }
    return res;
  }

  /** restRequestInterfaceResponse + fetchBody: the parsed body, or an error for non-2xx */
  private async call(verb: string, uri: string, payload?: unknown): Promise<any> {
    const res = await this.restRequest(verb, uri, payload);
    if (res.status === 204) return undefined;
    if (res.status < 200 || res.status > 299) throw new GoError(verb, this.prefix + uri, res.status, res.text);
    return res.text ? JSON.parse(res.text) : undefined;
  }

  get = (uri: string) => this.call('GET', uri);
  postJson = (uri: string, payload: unknown) => this.call('POST', uri, payload);
  put = (uri: string, payload: unknown) => this.call('PUT', uri, payload);
  patch = (uri: string, payload: unknown, op: 'add' | 'replace' | 'delete') => this.call('PATCH', uri, { [op]: payload });
  delete = (uri: string) => this.call('DELETE', uri);

  /** GetObjectByName via GetObject: `api/<type>?name=<name>`, exactly one result */
  async getObjectByName(type: string, name: string): Promise<any> {
    const res = await this.get(`api/${type}?name=${name}`);
    if (res.count === 0) throw new Error(`No object of type ${type} with name ${name} is found`);
    if (res.count > 1) throw new Error(`More than one object of type ${type} with name ${name} is found`);
    return res.results[0];
  }

  async getControllerVersion(): Promise<string> {
    const body = await this.get('/api/initial-data');
    const version = body?.version?.Version;
    if (typeof version !== 'string') throw new Error('panic: interface conversion: interface {} is nil, not map[string]interface {}');
    return version;
  }

  async logout(): Promise<WireResponse> {
    return this.send('POST', `${this.prefix}logout`);
  }

  close(): void {
    this.client.close();
  }
}

const trail = (s: GoSession) => s.log.map((l) => `${l.verb} ${l.url.replace(s.prefix, '/')} ${l.status}`);

/** A session is live when a read through its cookies answers 200. */
async function live(sessionId: string): Promise<boolean> {
  const res = await t.wire().send({ method: 'GET', url: `${t.url}/api/tenant?name=admin`, cookies: [['avi-sessionid', sessionId], ['sessionid', sessionId]] });
  return res.status === 200;
}

describe('Go SDK AviSession, driven as AKO drives it', () => {
  const sessions: GoSession[] = [];
  let version: string;
  const open = async () => {
    const s = await GoSession.create(t.url, t.username, t.password);
    sessions.push(s);
    return s;
  };
  beforeAll(async () => {
    version = (await t.admin.get('/api/initial-data')).body.version.Version;
  });
  afterAll(() => {
    for (const s of sessions) s.close();
  });
  /** the pool as the admin reads it (undefined once gone) */
  const pool = async (uuid: string) => {
    const res = await t.admin.get(`/api/pool/${uuid}`);
    return res.status === 404 ? undefined : res.body;
  };
  const name = (n: string) => `${t.prefix}${n}`;

  it('logs in with JSON and version 18.2.6, keeps the token and session id, reads the controller version from //api/initial-data', async () => {
    const go = await open();
    expect(await go.getControllerVersion()).toBe(version);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(trail(go)).toEqual(['POST /login 200', 'GET //api/initial-data 200']);
    // AVI_API_VERSION echoes what was sent.
    expect(go.log.map((l) => l.version)).toEqual(['18.2.6', '18.2.6']);

    const [login, initial] = go.client.sent;
    expect(login!.url).toBe('/login');
    expect(login!.headers['content-type']).toBe('application/json');
    expect(login!.headers['x-avi-version']).toBe('18.2.6');
    expect(login!.headers.referer).toBe(`${t.url}/`);
    expect(login!.headers.cookie).toBeUndefined();
    expect(login!.headers['x-csrftoken']).toBeUndefined();
    expect(initial!.url).toBe('//api/initial-data');
    expect(initial!.headers['x-avi-version']).toBe('18.2.6');
    expect(initial!.headers['x-csrftoken']).toBe(go.csrfToken);
    expect(initial!.headers.cookie).toBe(`csrftoken=${go.csrfToken}; sessionid=${go.sessionid}; avi-sessionid=${go.sessionid}`);

    expect(go.csrfToken).not.toBe('');
    expect(await live(go.sessionid)).toBe(true);
  });

  it('answers login with both a csrftoken and a session cookie (else the SDK keeps stale ones), and a bad login with none', async () => {
    const client = t.wire();
    const ok = await client.send({
      method: 'POST',
      url: `${t.url}/login`,
      headers: { 'Content-Type': 'application/json', 'X-Avi-Version': '18.2.6' },
      body: JSON.stringify({ password: t.password, username: t.username }),
    });
    expect(ok.status).toBe(200);
    expect(setCookieValue(ok.setCookies, 'csrftoken')).toBeTruthy();
    expect(setCookieValue(ok.setCookies, 'sessionid') || setCookieValue(ok.setCookies, 'avi-sessionid')).toBeTruthy();
    // Whichever session cookie the SDK takes last, it is the same session.
    expect(setCookieValue(ok.setCookies, 'sessionid')).toBe(setCookieValue(ok.setCookies, 'avi-sessionid'));

    const bad = await client.send({
      method: 'POST',
      url: `${t.url}/login`,
      headers: { 'Content-Type': 'application/json', 'X-Avi-Version': '18.2.6' },
      body: JSON.stringify({ password: 'wrong', username: t.username }),
    });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error: 'Invalid credentials' });
    expect(bad.setCookies).toEqual([]);

    // The SDK: a failed login is an error (not retried) and leaves its session untouched.
    const go = await open();
    const kept = { csrf: go.csrfToken, sid: go.sessionid };
    go.password = 'wrong';
    go.log.length = 0;
    await expect(go.initiateSession()).rejects.toThrow(/HTTP code: 401; error from Controller: \{"error":"Invalid credentials"\}/);
    expect(trail(go)).toEqual(['POST /login 401']);
    expect({ csrf: go.csrfToken, sid: go.sessionid }).toEqual(kept);
    // ...and that session still works.
    go.password = t.password;
    expect((await go.get('api/pool')).count).toBeTypeOf('number');
    expect(trail(go)).toEqual(['POST /login 401', 'GET /api/pool 200']);
  });

  it('does CRUD with the discovered version, on // and / paths alike', async () => {
    const go = await open();
    go.version = await go.getControllerVersion(); // AKO: SetVersion(CtrlVersion) before each operation
    const mark = go.client.sent.length;
    go.log.length = 0;
    const n = name('go-pool');

    const created = await go.postJson('/api/pool', { name: n, cloud_config_cksum: '1' });
    expect(created.uuid).toMatch(/^pool-[0-9a-f-]{36}$/);
    expect((await pool(created.uuid))?.name).toBe(n);

    const found = await go.getObjectByName('pool', n);
    expect(found.uuid).toBe(created.uuid);

    const put = await go.put(`/api/pool/${created.uuid}`, { ...found, cloud_config_cksum: '2' });
    expect(put.cloud_config_cksum).toBe('2');
    expect((await pool(created.uuid))?.cloud_config_cksum).toBe('2');

    const patched = await go.patch(`api/pool/${created.uuid}`, { description: 'patched by go' }, 'replace');
    expect(patched.description).toBe('patched by go');
    expect((await pool(created.uuid))?.description).toBe('patched by go');

    expect(await go.delete(`/api/pool/${created.uuid}`)).toBeUndefined();
    expect(await pool(created.uuid)).toBeUndefined();
    await expect(go.getObjectByName('pool', n)).rejects.toThrow(`No object of type pool with name ${n} is found`);

    expect(trail(go)).toEqual([
      'POST //api/pool 201',
      `GET /api/pool?name=${n} 200`,
      `PUT //api/pool/${created.uuid} 200`,
      `PATCH /api/pool/${created.uuid} 200`,
      `DELETE //api/pool/${created.uuid} 204`,
      `GET /api/pool?name=${n} 200`,
    ]);
    expect(go.log.every((l) => l.version === version)).toBe(true);
    const calls = go.client.sent.slice(mark);
    expect(calls).toHaveLength(6);
    for (const r of calls) {
      expect(r.headers['x-avi-version']).toBe(version);
      expect(r.headers['x-avi-tenant']).toBe('admin');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers.referer).toBe(`${t.url}/`);
      expect(r.headers['x-csrftoken']).toBe(go.csrfToken);
    }
    expect(go.logins).toBe(1);
  });

  it('re-logs in after the session is lost server-side, probing //api/cluster/status without auth, and retries once', async () => {
    const go = await open();
    go.version = await go.getControllerVersion();
    const lost = go.sessionid;
    // The session ends behind the SDK's back (here: another client logs it out).
    const other = await t.wire().send({
      method: 'POST',
      url: `${t.url}/logout`,
      headers: { 'X-CSRFToken': go.csrfToken, Referer: `${t.url}/` },
      cookies: [['csrftoken', go.csrfToken], ['avi-sessionid', lost], ['sessionid', lost]],
    });
    expect(other.status).toBe(200);
    expect(await live(lost)).toBe(false);
    go.log.length = 0;
    const mark = go.client.sent.length;
    const n = name('go-after-loss');

    const created = await go.postJson('/api/pool', { name: n });
    expect(trail(go)).toEqual([
      'POST //api/pool 401',
      'POST /login 200',
      'GET //api/cluster/status 200',
      'POST /login 200',
      'POST //api/pool 201',
    ]);
    expect(go.log.filter((l) => l.version).every((l) => l.version === version)).toBe(true);
    // The probe goes out bare.
    const probe = go.client.sent.slice(mark).find((r) => r.url === '//api/cluster/status')!;
    expect(probe.headers.cookie).toBeUndefined();
    expect(probe.headers['x-csrftoken']).toBeUndefined();
    expect(probe.headers['x-avi-version']).toBeUndefined();
    // Exactly one pool: the refused attempt created nothing.
    expect((await t.admin.get(`/api/pool?name=${n}`)).body.count).toBe(1);
    expect((await pool(created.uuid))?.name).toBe(n);
    expect(go.sessionid).not.toBe(lost);
    expect(await live(lost)).toBe(false);
    expect(await live(go.sessionid)).toBe(true);
  });

  it('logs out; the next call is a 401 followed by a re-login that works', async () => {
    const go = await open();
    go.version = version;
    const old = go.sessionid;
    const out = await go.logout();
    expect(out.status).toBe(200);
    expect(out.headers['avi_api_version']).toBe(version);
    expect(go.client.sent.at(-1)).toMatchObject({ method: 'POST', url: '/logout' });
    expect(await live(old)).toBe(false);
    // The SDK keeps its session id and token after Logout.
    expect(go.sessionid).toBe(old);

    go.log.length = 0;
    const list = await go.get('api/pool');
    expect(trail(go)).toEqual(['GET /api/pool 401', 'POST /login 200', 'GET //api/cluster/status 200', 'POST /login 200', 'GET /api/pool 200']);
    expect(typeof list.count).toBe('number');
    expect(go.sessionid).not.toBe(old);
    const created = await go.postJson('api/pool', { name: name('go-after-logout') });
    expect(await pool(created.uuid)).toBeDefined();
  });
});

describe('Go SDK AviSession when the session expires', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-logs in after the idle timeout and retries', async (ctx) => {
    t.needsInProcess(ctx, 'the idle timeout (15 minutes) passes on a fake clock, set before the simulator is made');
    // The front door reads the clock it was built with: fake Date before the engine exists.
    vi.useFakeTimers({ toFake: ['Date'] });
    const sim = await startInProcess();
    const wire = new Wire();
    try {
      const go = await GoSession.create(sim.httpsUrl, 'admin', IN_PROCESS_PASSWORD, wire);
      const idle = (await go.get('api/controllerproperties')).api_idle_timeout;
      expect(idle).toBe(15);
      const old = go.sessionid;
      vi.setSystemTime(Date.now() + (idle * 60 + 1) * 1000);
      go.log.length = 0;
      const created = await go.postJson('api/pool', { name: 'go-after-expiry' });
      expect(trail(go)).toEqual(['POST /api/pool 401', 'POST /login 200', 'GET //api/cluster/status 200', 'POST /login 200', 'POST /api/pool 201']);
      expect(go.sessionid).not.toBe(old);
      expect((await go.get(`api/pool/${created.uuid}`)).name).toBe('go-after-expiry');
    } finally {
      wire.close();
      await sim.close();
    }
  });
});

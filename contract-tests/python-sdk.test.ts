/**
 * Contract: the Avi Python SDK (`ApiSession`, vmware/alb-sdk python/avi/sdk/avi_api.py) on the
 * wire, request by request, against the target (real sockets, real TLS over HTTPS).
 *
 * What the SDK does, as read in that file:
 * - prefix `https://<controller>` (`:<port>` added unless 80/443; a controller given as
 *   `http://...` is used as is); API paths are `<prefix>/api/<path>`, logout `<prefix>/logout`.
 * - login (`authenticate_session`): clears its cookie jar, then POSTs `<prefix>/login` through
 *   plain `requests` with a dict body, i.e. form-urlencoded `username` + `password`, with only the
 *   session's own headers (an empty dict at first: no Referer, no CSRF token, no version). It
 *   reads `version` and `session_cookie_name` from the JSON answer, keeps the `csrftoken` cookie
 *   and the cookie named by `session_cookie_name` as its session context; the `requests` jar
 *   keeps every cookie the answer sets.
 * - every API call (`_get_api_headers`): `Referer: <prefix>`, `Content-Type: application/json`,
 *   a header `timeout` holding `str(timeout)` (`None` unless given), `X-Avi-Version` only when
 *   an api_version was configured (none by default), `X-Avi-Tenant: admin` by default (or
 *   `X-Avi-Tenant-UUID`), `X-CSRFToken` from the session context; per-request cookies
 *   `csrftoken`, `sessionid` and `avi-sessionid` from the context, on top of the jar's. Dict
 *   bodies are sent as JSON text.
 * - on 401 or 419 (`_api`): `reset_session` (drops the shared headers, logs in again) and
 *   repeats the call, up to `max_api_retries` (3) times.
 * - a session can be built from a saved context (`session_id` + `csrftoken`): no login then.
 * - it does not read /api/initial-data or /api/cluster/runtime: the controller version comes
 *   from the login answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSkip, useTarget } from './support/target.js';
import { CookieJar, type Wire, type WireResponse } from '../test/support/wire.js';

const t = useTarget();

const MAX_API_RETRIES = 3;

interface PyOptions {
  tenant?: string;
  apiVersion?: string;
  /** a saved session context (ApiSession(session_id=..., csrftoken=...)): no login at start */
  sessionId?: string;
  csrftoken?: string;
}

/** A replay of ApiSession's wire behaviour (not its code). */
class PySession {
  readonly jar = new CookieJar();
  readonly client: Wire = t.wire({ jar: this.jar });
  /** sessionDict[key]: the context the SDK sends from */
  context?: { csrftoken: string; sessionId: string };
  /** session-level headers (`self.headers`) */
  headers: Record<string, string> = {};
  remoteApiVersion: Record<string, unknown> = {};
  logins = 0;
  /** every call and its answer, in order */
  readonly log: { method: string; url: string; status: number; contentType?: string; text: string }[] = [];
  private apiRetries = 0;

  private constructor(
    readonly prefix: string,
    readonly username: string,
    readonly password: string,
    readonly options: PyOptions,
  ) {}

  static async create(prefix: string, username: string, password: string, options: PyOptions = {}): Promise<PySession> {
    const s = new PySession(prefix, username, password, options);
    if (options.csrftoken) s.context = { csrftoken: options.csrftoken, sessionId: options.sessionId ?? '' };
    else await s.authenticate();
    return s;
  }

  private track(method: string, url: string, res: WireResponse): WireResponse {
    this.log.push({ method, url, status: res.status, contentType: res.headers['content-type'], text: res.text });
    return res;
  }

  async authenticate(): Promise<void> {
    this.jar.clear();
    const form = new URLSearchParams({ username: this.username, password: this.password }).toString();
    const url = `${this.prefix}/login`;
    const res = this.track(
      'POST',
      url,
      await this.client.send({
        method: 'POST',
        url,
        headers: { ...this.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
    );
    this.logins++;
    if (res.status !== 200) throw new Error(`Failed: ${url} Status Code ${res.status} msg ${res.text}`);
    // rsp.json() — a non-JSON login answer would raise here.
    this.remoteApiVersion = res.body.version ?? {};
    const cookieName: string = res.body.session_cookie_name ?? 'sessionid';
    const csrftoken = this.jar.get('csrftoken');
    if (csrftoken !== undefined) {
      const sessionId = this.jar.get(cookieName);
      // rsp.cookies[session_cookie_name] raises KeyError when that cookie is missing.
      if (sessionId === undefined) throw new Error(`KeyError: '${cookieName}'`);
      this.context = { csrftoken, sessionId };
    }
  }

  private async resetSession(): Promise<void> {
    const shared = new Set(['X-CSRFToken', 'Session-Id', 'Referer', 'Content-Type']);
    this.headers = Object.fromEntries(Object.entries(this.headers).filter(([k]) => !shared.has(k)));
    await this.authenticate();
  }

  private async apiHeaders(): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...this.headers, Referer: this.prefix, 'Content-Type': 'application/json' };
    h.timeout = 'None';
    if (this.options.apiVersion) h['X-Avi-Version'] = this.options.apiVersion;
    h['X-Avi-Tenant'] = this.options.tenant ?? 'admin';
    if (!this.context) await this.authenticate();
    h['X-CSRFToken'] = this.context!.csrftoken;
    return h;
  }

  async api(method: string, path: string, data?: unknown, params?: Record<string, string>): Promise<WireResponse> {
    let url = path === 'logout' ? `${this.prefix}/logout` : `${this.prefix}/api/${path}`;
    if (params) url += `?${new URLSearchParams(params)}`;
    const headers = await this.apiHeaders();
    const cookies: [string, string][] = [['csrftoken', headers['X-CSRFToken']!]];
    if (this.context) cookies.push(['sessionid', this.context.sessionId], ['avi-sessionid', this.context.sessionId]);
    const res = this.track(
      method,
      url,
      await this.client.send({ method, url, headers, cookies, body: data === undefined ? undefined : JSON.stringify(data) }),
    );
    if (res.status === 401 || res.status === 419) {
      await this.resetSession();
      this.apiRetries++;
      if (this.apiRetries > MAX_API_RETRIES) {
        this.apiRetries = 0;
        throw new Error(`Failed: ${url} Status Code ${res.status} msg ${res.text}`);
      }
      const retried = await this.api(method, path, data, params);
      this.apiRetries = 0;
      return retried;
    }
    return res;
  }

  get = (path: string, params?: Record<string, string>) => this.api('GET', path, undefined, params);
  post = (path: string, data?: unknown) => this.api('POST', path, data);
  put = (path: string, data: unknown) => this.api('PUT', path, data);
  patch = (path: string, data: unknown) => this.api('PATCH', path, data);
  delete = (path: string) => this.api('DELETE', path);

  /** get_object_by_name: GET <path>?name=<name>, the first result or undefined */
  async getObjectByName(path: string, name: string): Promise<Record<string, any> | undefined> {
    const res = await this.get(path, { name });
    if (res.status > 299) return undefined;
    return res.body.results ? res.body.results[0] : res.body;
  }

  close(): void {
    this.client.close();
  }
}

/** A session (cookie pairs) is live when a read through it answers 200. */
async function live(base: string, sessionId: string): Promise<boolean> {
  const res = await t.wire().send({ method: 'GET', url: `${base}/api/tenant?name=admin`, cookies: [['avi-sessionid', sessionId], ['sessionid', sessionId]] });
  return res.status === 200;
}

/** The journal holds `expected` (method, path, status) in this order, other requests between. */
async function expectJournalHolds(mark: number, expected: string[]): Promise<void> {
  const seen = (await t.journalSince(mark)).map((e) => `${e.method} ${e.path}${e.query ? `?${e.query}` : ''} ${e.status}`);
  let at = 0;
  for (const line of seen) if (line === expected[at]) at++;
  expect(expected.slice(at), `not in the journal, in this order: ${JSON.stringify(seen)}`).toEqual([]);
}

for (const scheme of ['https', 'http'] as const) {
  if (!t.schemes.includes(scheme)) printSkip(`Python SDK ApiSession over ${scheme}`, `the target is one URL (${t.settings.url}); in process both schemes run`);
}

for (const scheme of t.schemes) {
  describe(`Python SDK ApiSession over ${scheme}`, () => {
    let prefix: string;
    const sessions: PySession[] = [];
    const name = (n: string) => `${t.prefix}${scheme}-${n}`;
    const open = async (options: PyOptions = {}) => {
      const s = await PySession.create(prefix, t.username, t.password, options);
      sessions.push(s);
      return s;
    };
    beforeAll(() => {
      prefix = t.base(scheme);
    });
    afterAll(() => {
      for (const s of sessions) s.close();
    });

    /** the pool as the admin reads it (undefined once gone) */
    const pool = async (uuid: string) => {
      const res = await t.admin.get(`/api/pool/${uuid}`);
      return res.status === 404 ? undefined : res.body;
    };
    const countNamed = async (n: string) => (await t.admin.get(`/api/pool?name=${n}`)).body.count as number;

    it('logs in with a form body and keeps the csrftoken and the session cookie the answer names', async () => {
      const py = await open();
      const [login] = py.client.sent;
      expect(login!.method).toBe('POST');
      expect(login!.url).toBe('/login');
      expect(login!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      // The login goes out with the session's own (empty) headers.
      expect(login!.headers.referer).toBeUndefined();
      expect(login!.headers['x-csrftoken']).toBeUndefined();
      expect(login!.headers['x-avi-version']).toBeUndefined();
      expect(py.log.map((l) => [l.method, l.url, l.status])).toEqual([['POST', `${prefix}/login`, 200]]);
      // The version the login answer names is the controller's.
      const initial = await t.admin.get('/api/initial-data');
      expect(py.remoteApiVersion.Version).toBe(initial.body.version.Version);
      expect(py.context?.csrftoken).toBe(py.jar.get('csrftoken'));
      expect(py.context?.sessionId).toBe(py.jar.get('avi-sessionid'));
      expect(py.jar.names()).toEqual(['avi-sessionid', 'csrftoken', 'sessionid']);
      // The session it keeps is live, and reads through it need no new login.
      expect(await live(prefix, py.context!.sessionId)).toBe(true);
      expect((await py.get('tenant', { name: 'admin' })).status).toBe(200);
      expect(py.logins).toBe(1);
    });

    it('creates, finds by name, replaces, patches and deletes a pool with the SDK headers', async () => {
      const py = await open();
      const mark = py.client.sent.length;
      const journal = t.hasControlPlane ? await t.journalMark() : 0;
      const n = name('py-pool');

      const created = await py.post('pool', { name: n, servers: [{ ip: { addr: '10.0.0.1', type: 'V4' } }] });
      expect(created.status).toBe(201);
      expect(created.headers['avi_api_version']).toBe('16_4_2'); // no X-Avi-Version sent
      expect(created.body.name).toBe(n);
      const uuid: string = created.body.uuid;
      expect(uuid).toMatch(/^pool-[0-9a-f-]{36}$/);
      expect((await pool(uuid))?.servers).toHaveLength(1);

      const found = await py.getObjectByName('pool', n);
      expect(py.log.at(-1)).toMatchObject({ method: 'GET', url: `${prefix}/api/pool?name=${n}`, status: 200 });
      expect(found?.uuid).toBe(uuid);

      const put = await py.put(`pool/${uuid}`, { ...found, description: 'replaced by python' });
      expect(put.status).toBe(200);
      expect(put.body.description).toBe('replaced by python');
      expect((await pool(uuid))?.description).toBe('replaced by python');

      const patch = await py.patch(`pool/${uuid}`, { add: { servers: [{ ip: { addr: '10.0.0.2', type: 'V4' } }] } });
      expect(patch.status).toBe(200);
      expect(patch.body.servers.map((s: any) => s.ip.addr)).toEqual(['10.0.0.1', '10.0.0.2']);
      expect((await pool(uuid))?.servers).toHaveLength(2);

      const del = await py.delete(`pool/${uuid}`);
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect(await pool(uuid)).toBeUndefined();
      expect(await py.getObjectByName('pool', n)).toBeUndefined();

      // What went over the wire.
      const calls = py.client.sent.slice(mark);
      const expected = [
        ['POST', '/api/pool', 201],
        ['GET', `/api/pool?name=${n}`, 200],
        ['PUT', `/api/pool/${uuid}`, 200],
        ['PATCH', `/api/pool/${uuid}`, 200],
        ['DELETE', `/api/pool/${uuid}`, 204],
        ['GET', `/api/pool?name=${n}`, 200],
      ] as const;
      expect(calls.map((r) => [r.method, r.url, r.status])).toEqual(expected);
      for (const r of calls) {
        expect(r.headers.referer).toBe(prefix);
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers['x-avi-tenant']).toBe('admin');
        expect(r.headers['x-avi-version']).toBeUndefined();
        expect(r.headers.timeout).toBe('None');
        expect(r.headers['x-csrftoken']).toBe(py.context!.csrftoken);
        expect(r.headers.cookie).toContain(`avi-sessionid=${py.context!.sessionId}`);
      }
      expect(py.logins).toBe(1);
      // ...and as the controller saw it.
      await t.withControlPlane('the journal shows the same calls and answers', () => expectJournalHolds(journal, expected.map((e) => e.join(' '))));
    });

    it('sends X-Avi-Version when an api_version is configured, and the answer echoes it', async () => {
      const py = await open({ apiVersion: '22.1.3' });
      const res = await py.get('pool');
      expect(res.status).toBe(200);
      expect(res.headers['avi_api_version']).toBe('22.1.3');
      expect(py.client.sent.at(-1)!.headers['x-avi-version']).toBe('22.1.3');
    });

    it('answers a write with a stale CSRF token 401 (plain text), then the re-login and retry succeed', async () => {
      const owner = await open();
      // A session rebuilt from a saved context whose CSRF token no longer matches.
      const py = await open({ sessionId: owner.context!.sessionId, csrftoken: 'stale-csrf-token' });
      expect(py.logins).toBe(0);
      const n = name('py-after-csrf');
      expect(await countNamed(n)).toBe(0);

      const res = await py.post('pool', { name: n });
      expect(py.log.map((l) => [l.method, l.url, l.status])).toEqual([
        ['POST', `${prefix}/api/pool`, 401],
        ['POST', `${prefix}/login`, 200],
        ['POST', `${prefix}/api/pool`, 201],
      ]);
      expect(res.status).toBe(201);
      expect(py.logins).toBe(1);
      expect(py.context!.csrftoken).not.toBe('stale-csrf-token');

      // The refused attempt: the controller's 401, in plain text; it changed nothing.
      expect(py.log[0]!.contentType).toMatch(/^text\/plain/);
      expect(py.log[0]!.text).toBe('CSRF token missing or incorrect.');
      const refused = py.client.sent.filter((r) => r.headers['x-csrftoken'] === 'stale-csrf-token');
      expect(refused.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/pool']);
      expect(refused[0]!.headers.cookie).toContain(`sessionid=${owner.context!.sessionId}`);
      expect(await countNamed(n)).toBe(1);
      // The owner's session is still good.
      expect((await owner.get('pool', { name: n })).body.count).toBe(1);
      expect(owner.logins).toBe(1);
    });

    it('logs out; the next call is a 401 the SDK answers by logging in again', async () => {
      const py = await open();
      const old = py.context!;
      expect(await live(prefix, old.sessionId)).toBe(true);

      const out = await py.post('logout');
      expect(out.status).toBe(200);
      expect(py.client.sent.at(-1)!.url).toBe('/logout');
      expect(py.client.sent.at(-1)!.headers['x-csrftoken']).toBe(old.csrftoken);
      expect(await live(prefix, old.sessionId)).toBe(false);
      // The answer expires the cookies: the requests jar drops them.
      expect(py.jar.names()).toEqual([]);

      py.log.length = 0;
      const after = await py.get('pool');
      expect(py.log.map((l) => [l.method, l.url, l.status])).toEqual([
        ['GET', `${prefix}/api/pool`, 401],
        ['POST', `${prefix}/login`, 200],
        ['GET', `${prefix}/api/pool`, 200],
      ]);
      expect(after.status).toBe(200);
      expect(py.context!.sessionId).not.toBe(old.sessionId);
      expect(await live(prefix, py.context!.sessionId)).toBe(true);
      const write = await py.post('pool', { name: name('py-relogged') });
      expect(write.status).toBe(201);
      expect(py.logins).toBe(2);
    });

    it('refuses bad credentials with 401 and the exact text; no cookies are set', async () => {
      await expect(PySession.create(prefix, t.username, 'wrong')).rejects.toThrow(/Status Code 401 msg \{"error":"Invalid credentials"\}/);
      const res = await t.wire().send({
        method: 'POST',
        url: `${prefix}/login`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `username=${encodeURIComponent(t.username)}&password=wrong`,
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'Invalid credentials' });
      expect(res.setCookies).toEqual([]);
    });
  });
}

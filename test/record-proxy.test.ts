/**
 * The recording proxy's plumbing over real sockets: listening over HTTPS, cookies made usable
 * on the proxy's host, certificate checking of the upstream, an unreachable upstream, and the
 * file written shortly after each exchange (not only at close).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieForProxy, startRecordProxy } from '../server/record/proxy.js';
import { loadExchanges, replay } from '../server/record/replay.js';
import { AvisimClient, startAvisim, type StartedAvisim } from '../server/testing.js';

const PASSWORD = 'Proxy-test-pw-6262';
const dir = mkdtempSync(path.join(tmpdir(), 'avisim-proxy-'));
let plain: StartedAvisim;
let secure: StartedAvisim;

beforeAll(async () => {
  [plain, secure] = await Promise.all([startAvisim({ adminPassword: PASSWORD }), startAvisim({ adminPassword: PASSWORD, https: true })]);
});
afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
});

describe('cookieForProxy', () => {
  it('drops Domain always and Secure when the proxy speaks plain HTTP', () => {
    const line = 'sessionid=abc; Domain=ctrl.example; Path=/; Secure; HttpOnly; SameSite=Lax';
    expect(cookieForProxy(line, false)).toBe('sessionid=abc; Path=/; HttpOnly; SameSite=Lax');
    expect(cookieForProxy(line, true)).toBe('sessionid=abc; Path=/; Secure; HttpOnly; SameSite=Lax');
  });
});

describe('the recording proxy', () => {
  it('listens over HTTPS, and answers with its own base URL in bodies and Location', async () => {
    const out = path.join(dir, 'https.yaml');
    const proxy = await startRecordProxy({ upstream: plain.url, out, https: true });
    expect(proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const c = new AvisimClient(proxy.url);
    try {
      await c.login('admin', PASSWORD);
      const created = await c.post('/api/pool', { name: 'over-https' });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`${proxy.url}/api/pool/${created.body.uuid}#over-https`);
      expect(created.body.url).toBe(`${proxy.url}/api/pool/${created.body.uuid}#over-https`);
      expect(created.body.tenant_ref).toBe(`${proxy.url}/api/tenant/admin#admin`);
      // a url handed back works through the proxy
      expect((await c.get(created.body.url)).status).toBe(200);
    } finally {
      c.close();
      await proxy.close();
    }
    expect((load(readFileSync(out, 'utf8')) as any).exchanges).toHaveLength(3);
  });

  it('rewrites the file shortly after each exchange, before it is closed', async () => {
    const out = path.join(dir, 'debounced.yaml');
    const proxy = await startRecordProxy({ upstream: plain.url, out, debounceMs: 50 });
    try {
      expect((load(readFileSync(out, 'utf8')) as any).exchanges).toEqual([]);
      const c = new AvisimClient(proxy.url);
      await c.login('admin', PASSWORD);
      c.close();
      await new Promise((r) => setTimeout(r, 300));
      const doc = load(readFileSync(out, 'utf8')) as any;
      expect(doc.exchanges.map((e: any) => e.request.path)).toEqual(['/login']);
      expect(readFileSync(out, 'utf8')).not.toContain(PASSWORD);
    } finally {
      await proxy.close();
    }
  });

  it("checks an HTTPS upstream's certificate unless told --insecure", async () => {
    const out = path.join(dir, 'verify.yaml');
    const strict = await startRecordProxy({ upstream: secure.url, out });
    try {
      const res = await fetch(`${strict.url}/api/initial-data`);
      expect(res.status).toBe(502);
      expect(((await res.json()) as any).error).toMatch(/did not answer: .*certificate/i);
      // not the controller's answer: not recorded
      expect(strict.recorder.exchanges).toHaveLength(0);
    } finally {
      await strict.close();
    }
    const lax = await startRecordProxy({ upstream: secure.url, out, insecure: true });
    try {
      expect((await fetch(`${lax.url}/api/initial-data`)).status).toBe(200);
    } finally {
      await lax.close();
    }
    expect((load(readFileSync(out, 'utf8')) as any).exchanges).toHaveLength(1);
  });

  it('a recording through it replays against an HTTPS controller with --insecure', async () => {
    const out = path.join(dir, 'to-https.yaml');
    const proxy = await startRecordProxy({ upstream: plain.url, out });
    const c = new AvisimClient(proxy.url);
    try {
      await c.login('admin', PASSWORD);
      const hm = await c.post('/api/healthmonitor', { name: 'hm-replayed', type: 'HEALTH_MONITOR_TCP' });
      expect(hm.status).toBe(201);
      expect((await c.delete(`/api/healthmonitor/${hm.body.uuid}`)).status).toBe(204);
    } finally {
      c.close();
      await proxy.close();
    }
    const exchanges = await loadExchanges(out);
    // the self-signed certificate stops the replay before any exchange, pointing at --insecure
    await expect(replay(exchanges, { target: secure.url, password: PASSWORD })).rejects.toThrow(/self-signed.*--insecure/);
    const result = await replay(exchanges, { target: secure.url, password: PASSWORD, insecure: true });
    expect(result).toMatchObject({ ok: true, matched: 3, total: 3 });
  });

  it('records an NSX session (form login, JSESSIONID, X-XSRF-TOKEN on writes) that replays on another manager', async () => {
    const out = path.join(dir, 'nsx.yaml');
    const proxy = await startRecordProxy({ upstream: plain.url, out });
    const nsx = plain.engine.nsx;
    const secrets: string[] = [nsx.password];
    try {
      const login = await fetch(`${proxy.url}/api/session/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ j_username: nsx.username, j_password: nsx.password }).toString(),
      });
      expect(login.status).toBe(200);
      const [setCookie] = login.headers.getSetCookie();
      // the manager marks it Secure; the proxy speaks plain HTTP, so the client could not send it back
      expect(setCookie).toMatch(/^JSESSIONID=/);
      expect(setCookie).not.toMatch(/Secure/i);
      const cookie = setCookie!.split(';')[0]!;
      const xsrf = login.headers.get('x-xsrf-token')!;
      secrets.push(cookie.slice('JSESSIONID='.length), xsrf);
      const write = await fetch(`${proxy.url}/policy/api/v1/infra/tier-1s/t1-recorded`, {
        method: 'PATCH',
        headers: { cookie, 'x-xsrf-token': xsrf, 'content-type': 'application/json' },
        body: JSON.stringify({ display_name: 't1-recorded' }),
      });
      expect(write.status, await write.text()).toBe(200);
      expect((await fetch(`${proxy.url}/policy/api/v1/infra/tier-1s/t1-recorded`, { headers: { cookie } })).status).toBe(200);
    } finally {
      await proxy.close();
    }
    const text = readFileSync(out, 'utf8');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain('j_password=<scrubbed>');
    const result = await replay(await loadExchanges(out), { target: secure.url, insecure: true, nsxPassword: secure.engine.nsx.password });
    expect(result.results.filter((r) => !r.match)).toEqual([]);
    expect(result).toMatchObject({ ok: true, matched: 3 });
    // without the manager's password the login, and so the write, fail
    const wrong = await replay(await loadExchanges(out), { target: secure.url, insecure: true, nsxPassword: 'not-the-password' });
    expect(wrong.results.map((r) => r.status)).toEqual([403, 403, 403]);
  });

  it('refuses an upstream that is no http(s) URL', async () => {
    const out = path.join(dir, 'never.yaml');
    await expect(startRecordProxy({ upstream: 'ftp://ctrl.example', out })).rejects.toThrow(/http:\/\/ or https:\/\//);
    expect(existsSync(out)).toBe(false);
  });
});

/**
 * Contract: sessions under concurrency, over the target's HTTPS. AKO opens
 * 9 sessions per tenant at once at boot and then writes through all of them in parallel; the
 * SDKs share one controller between users and tenants. Acceptance: 9 concurrent logins followed
 * by concurrent writes all succeed; no session leaks between users or tenants; a write without
 * a (valid) session never changes state.
 */
import { describe, expect, it } from 'vitest';
import { printSkip, useTarget } from './support/target.js';
import { sessionCookiesSet, wireLogin, type Wire, type WireResponse } from '../test/support/wire.js';

const AKO_SESSIONS = 9;
const WRITES_PER_SESSION = 6;

const t = useTarget();

interface Sess {
  client: Wire;
  cookies: [string, string][];
  csrf: string;
  sessionId: string;
  user: Record<string, any>;
  loginBody: Record<string, any>;
}

/** A new client (its own keep-alive connections) logged in over the target's URL. */
async function login(username: string, password: string): Promise<Sess> {
  const client = t.wire({ user: username });
  const { res, cookies, csrf, sessionId } = await wireLogin(client, t.url, username, password);
  return { client, cookies, csrf, sessionId, user: res.body.user, loginBody: res.body };
}

interface CallOptions {
  body?: unknown;
  tenant?: string;
  /** X-CSRFToken to send (default: the session's own) */
  csrf?: string | null;
  cookies?: [string, string][];
  headers?: Record<string, string>;
}

/** A request the way the SDKs send it: cookies, X-CSRFToken, Referer, JSON. */
function call(s: Pick<Sess, 'client'> & Partial<Sess>, method: string, path: string, o: CallOptions = {}): Promise<WireResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Referer: t.url, ...(o.headers ?? {}) };
  const csrf = o.csrf === undefined ? s.csrf : o.csrf;
  if (csrf) headers['X-CSRFToken'] = csrf;
  if (o.tenant) headers['X-Avi-Tenant'] = o.tenant;
  return s.client.send({
    method,
    url: `${t.url}${path}`,
    headers,
    cookies: o.cookies ?? s.cookies,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const admin = () => login(t.username, t.password);

describe('AKO boot: concurrent logins, then concurrent writes', () => {
  it(`opens ${AKO_SESSIONS} sessions at once and writes ${AKO_SESSIONS}x${WRITES_PER_SESSION} pools in parallel, all 201`, async () => {
    const boot = `${t.prefix}boot-`;
    const sessions = await Promise.all(range(AKO_SESSIONS).map(() => admin()));
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(AKO_SESSIONS);
    expect(new Set(sessions.map((s) => s.csrf)).size).toBe(AKO_SESSIONS);
    for (const s of sessions) expect(s.user.username).toBe(t.username);

    const writes = await Promise.all(
      sessions.flatMap((s, i) =>
        range(WRITES_PER_SESSION).map((j) =>
          call(s, 'POST', '/api/pool', { body: { name: `${boot}${i}-${j}`, created_by: 'ako-cl1', cloud_config_cksum: `${i}${j}` } }),
        ),
      ),
    );
    // Each session's own token was good for each of its writes.
    expect(writes.map((w) => w.status)).toEqual(Array(AKO_SESSIONS * WRITES_PER_SESSION).fill(201));
    const uuids = writes.map((w) => w.body.uuid as string);
    expect(new Set(uuids).size).toBe(uuids.length);
    // No write opened a session of its own.
    expect(writes.flatMap(sessionCookiesSet)).toEqual([]);
    // Every session sees them all; no session was lost along the way.
    const lists = await Promise.all(sessions.map((s) => call(s, 'GET', `/api/pool?name.contains=${boot}&page_size=100`)));
    for (const l of lists) {
      expect(l.status).toBe(200);
      expect(l.body.count).toBe(AKO_SESSIONS * WRITES_PER_SESSION);
    }
    // Every object is there, once, with what its writer sent.
    const stored = new Map<string, any>(lists[0]!.body.results.map((p: any) => [p.uuid, p]));
    expect(stored.size).toBe(AKO_SESSIONS * WRITES_PER_SESSION);
    for (const [k, w] of writes.entries()) {
      const [i, j] = [Math.floor(k / WRITES_PER_SESSION), k % WRITES_PER_SESSION];
      expect(stored.get(w.body.uuid)).toMatchObject({ name: `${boot}${i}-${j}`, cloud_config_cksum: `${i}${j}` });
    }
  });

  it("keeps concurrent PUTs through different sessions apart: each object gets its own writer's body", async () => {
    const sessions = await Promise.all(range(AKO_SESSIONS).map(() => admin()));
    const created = await Promise.all(sessions.map((s, i) => call(s, 'POST', '/api/pool', { body: { name: `${t.prefix}put-${i}` } })));
    expect(created.map((c) => c.status)).toEqual(Array(AKO_SESSIONS).fill(201));
    const puts = await Promise.all(
      sessions.map((s, i) => call(s, 'PUT', `/api/pool/${created[i]!.body.uuid}`, { body: { ...created[i]!.body, description: `by session ${i}` } })),
    );
    expect(puts.map((p) => p.status)).toEqual(Array(AKO_SESSIONS).fill(200));
    const reads = await Promise.all(created.map((c) => t.admin.get(`/api/pool/${c.body.uuid}`)));
    expect(reads.map((r) => r.body.description)).toEqual(range(AKO_SESSIONS).map((i) => `by session ${i}`));
  });
});

describe('two users', () => {
  it('answers each login with its own user, and each session acts as that user', async (ctx) => {
    const second = t.needsSecondUser(ctx);
    const PER_USER = 5;
    const logins = await Promise.all(range(PER_USER * 2).map((i) => (i % 2 === 0 ? admin() : login(second.username, second.password))));
    const admins = logins.filter((_, i) => i % 2 === 0);
    const ops = logins.filter((_, i) => i % 2 === 1);
    const users: any[] = (await t.admin.get('/api/user?page_size=200')).body.results;
    const [adminUser, opsUser] = [t.username, second.username].map((u) => users.find((x) => x.username === u));
    expect(adminUser).toBeDefined();
    expect(opsUser).toBeDefined();
    expect(opsUser.uuid).not.toBe(adminUser.uuid);
    for (const s of admins) expect(s.user).toMatchObject({ username: t.username, uuid: adminUser.uuid });
    for (const s of ops) {
      expect(s.user).toMatchObject({ username: second.username, uuid: opsUser.uuid, full_name: opsUser.full_name });
      expect(s.user.uuid).toMatch(/^user-[0-9a-f-]{36}$/);
      expect(s.user).not.toHaveProperty('password');
    }

    // Every session issues a user token at once; each lists its own user's tokens, never the other's.
    const made = await Promise.all(logins.map((s) => call(s, 'POST', '/api/user-token', { body: { hours: '2' } })));
    expect(made.map((m) => m.status)).toEqual(Array(PER_USER * 2).fill(201));
    const adminTokens = made.filter((_, i) => i % 2 === 0).map((m) => m.body.token as string);
    const opsTokens = made.filter((_, i) => i % 2 === 1).map((m) => m.body.token as string);
    const lists = await Promise.all(logins.map((s) => call(s, 'GET', '/api/user-token')));
    for (const [i, l] of lists.entries()) {
      expect(l.status).toBe(200);
      const tokens: string[] = l.body.results.map((x: any) => x.token);
      const [mine, theirs] = i % 2 === 0 ? [adminTokens, opsTokens] : [opsTokens, adminTokens];
      expect(tokens).toEqual(expect.arrayContaining(mine));
      expect(tokens.filter((x) => theirs.includes(x))).toEqual([]);
    }

    // A user's token logs in as that user only.
    const client = t.wire();
    const asOps = await client.send({
      method: 'POST',
      url: `${t.url}/login`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: second.username, token: opsTokens[0] }),
    });
    expect(asOps.status).toBe(200);
    expect(asOps.body.user.username).toBe(second.username);
    const opsAsAdmin = await client.send({
      method: 'POST',
      url: `${t.url}/login`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: t.username, token: opsTokens[0] }),
    });
    expect(opsAsAdmin.status).toBe(401);
    expect(opsAsAdmin.body).toEqual({ error: 'Invalid credentials' });

    // One user cannot revoke the other's token.
    const opsTokenUuid = made[1]!.body.uuid as string;
    const cross = await call(admins[0]!, 'DELETE', `/api/user-token/${opsTokenUuid}`);
    expect(cross.status).toBe(404);
    const opsView = await call(ops[1]!, 'GET', '/api/user-token');
    expect(opsView.body.results.map((x: any) => x.token)).toEqual(expect.arrayContaining(opsTokens));

    // Logging one user's session out ends that session and leaves the other user's sessions alone.
    const out = await call(ops[0]!, 'POST', '/logout');
    expect(out.status).toBe(200);
    expect((await call(ops[0]!, 'GET', '/api/user-token')).status).toBe(401);
    const still = await Promise.all([...admins, ...ops.slice(1)].map((s) => call(s, 'GET', '/api/user-token')));
    expect(still.map((r) => r.status)).toEqual(Array(PER_USER * 2 - 1).fill(200));
  });
});

describe('two tenants', () => {
  it(`${AKO_SESSIONS} sessions per tenant write in parallel and never see each other's objects`, async () => {
    const a = await admin();
    const tenants: Record<string, string> = {};
    const names = [`${t.prefix}t1`, `${t.prefix}t2`] as const;
    for (const name of names) {
      const res = await call(a, 'POST', '/api/tenant', { body: { name } });
      expect(res.status).toBe(201);
      tenants[name] = res.body.uuid;
    }
    const tp = `${t.prefix}tp-`;
    const sessions = await Promise.all(names.flatMap((tenant) => range(AKO_SESSIONS).map(async () => ({ tenant, s: await admin() }))));
    // Same pool names in both tenants: no conflict across tenants.
    const writes = await Promise.all(
      sessions.flatMap(({ tenant, s }, k) =>
        range(3).map((j) => call(s, 'POST', '/api/pool', { tenant, body: { name: `${tp}${k % AKO_SESSIONS}-${j}` } }).then((r) => ({ tenant, r }))),
      ),
    );
    expect(writes.map((w) => w.r.status)).toEqual(Array(writes.length).fill(201));
    for (const { tenant, r } of writes) {
      expect(r.body.tenant_ref).toMatch(new RegExp(`/api/tenant/${tenants[tenant]}#${tenant}$`));
    }
    const perTenant = AKO_SESSIONS * 3;

    const views = await Promise.all(
      sessions.map(({ tenant, s }) => call(s, 'GET', `/api/pool?name.contains=${tp}&page_size=100`, { tenant }).then((r) => ({ tenant, r }))),
    );
    for (const { tenant, r } of views) {
      expect(r.status).toBe(200);
      expect(r.body.count).toBe(perTenant);
      for (const p of r.body.results) expect(p.tenant_ref).toContain(`/api/tenant/${tenants[tenant]}`);
    }
    // By uuid across tenants: not found.
    const t1Pool = writes.find((w) => w.tenant === names[0])!.r.body;
    const t1Session = sessions.find((x) => x.tenant === names[0])!.s;
    const t2Session = sessions.find((x) => x.tenant === names[1])!.s;
    const crossGet = await call(t2Session, 'GET', `/api/pool/${t1Pool.uuid}`, { tenant: names[1] });
    expect(crossGet.status).toBe(404);
    expect(crossGet.body).toEqual({ error: 'Pool object not found!' });
    const crossDelete = await call(t2Session, 'DELETE', `/api/pool/${t1Pool.uuid}`, { tenant: names[1] });
    expect(crossDelete.status).toBe(404);
    expect((await call(t1Session, 'GET', `/api/pool/${t1Pool.uuid}`, { tenant: names[0] })).status).toBe(200);
    // The admin tenant sees neither.
    expect((await call(a, 'GET', `/api/pool?name.contains=${tp}`)).body.count).toBe(0);
    // Every session kept its own tenant's view: across all tenants the pools split evenly.
    const everywhere = await call(a, 'GET', `/api/pool?name.contains=${tp}&page_size=100`, { tenant: '*' });
    expect(everywhere.body.count).toBe(perTenant * 2);
    for (const name of names) {
      expect(everywhere.body.results.filter((p: any) => String(p.tenant_ref).includes(tenants[name]!))).toHaveLength(perTenant);
    }
  });
});

describe('writes without a valid session', () => {
  it('answer 401 and change nothing', async () => {
    const second = t.second;
    const a = await admin();
    const b = await admin();
    const ops = second ? await login(second.username, second.password) : undefined;
    const gone = await admin();
    expect((await call(gone, 'POST', '/logout')).status).toBe(200);

    const pool = await call(a, 'POST', '/api/pool', { body: { name: `${t.prefix}guarded`, cloud_config_cksum: '1' } });
    expect(pool.status).toBe(201);
    const tenant = await call(a, 'POST', '/api/tenant', { body: { name: `${t.prefix}guarded-tenant` } });
    expect(tenant.status).toBe(201);
    const tokenOfA = await call(a, 'POST', '/api/user-token', { body: { hours: 1 } });
    expect(tokenOfA.status).toBe(201);
    const basicOn = (await call(a, 'GET', '/api/systemconfiguration')).body.portal_configuration?.allow_basic_authentication === true;

    const anon = { client: a.client };
    const basic = (pw: string) => ({ Authorization: `Basic ${Buffer.from(`${t.username}:${pw}`).toString('base64')}` });
    const csrfText = 'CSRF token missing or incorrect.';
    const noAuth = { error: 'Authentication credentials were not provided.' };
    type Cred = { label: string; s: Pick<Sess, 'client'> & Partial<Sess>; o: CallOptions; expect: 'csrf' | 'noauth' };
    const creds: Cred[] = [
      { label: 'no session at all', s: anon, o: { cookies: [], csrf: null }, expect: 'noauth' },
      { label: 'a logged-out session with its own token', s: gone, o: {}, expect: 'noauth' },
      { label: "a live session with another session's token", s: a, o: { csrf: b.csrf }, expect: 'csrf' },
      { label: 'a live session without a token', s: a, o: { csrf: null }, expect: 'csrf' },
      // Matching cookie and header prove nothing: the token must be the session's.
      { label: 'a live session with a made-up token in both cookie and header', s: a, o: { csrf: 'made-up', cookies: [['avi-sessionid', a.sessionId], ['csrftoken', 'made-up']] }, expect: 'csrf' },
      { label: 'a token and csrftoken cookie without the session cookie', s: a, o: { cookies: [['csrftoken', a.csrf]] }, expect: 'noauth' },
      { label: 'a forged session id', s: a, o: { cookies: [['csrftoken', a.csrf], ['avi-sessionid', 'forged'], ['sessionid', 'forged']] }, expect: 'noauth' },
      { label: "a session id differing from a's by case", s: a, o: { cookies: [['avi-sessionid', a.sessionId.toUpperCase()]] }, expect: 'noauth' },
      { label: 'Basic with a wrong password', s: anon, o: { cookies: [], csrf: null, headers: basic('wrong') }, expect: 'noauth' },
    ];
    if (ops) creds.push({ label: "a live session with another user's token", s: ops, o: { csrf: a.csrf }, expect: 'csrf' });
    else printSkip("writes without a valid session › a live session with another user's token", 'needs a second local user: set AVISIM_SECOND_USERNAME and AVISIM_SECOND_PASSWORD');
    if (!basicOn) creds.push({ label: 'Basic with the right password while Basic is off', s: anon, o: { cookies: [], csrf: null, headers: basic(t.password) }, expect: 'noauth' });
    else printSkip('writes without a valid session › Basic with the right password while Basic is off', 'this controller allows HTTP Basic authentication');

    const p = pool.body;
    const writes: { method: string; path: string; body?: unknown; tenant?: string }[] = [
      { method: 'POST', path: '/api/pool', body: { name: `${t.prefix}intruder` } },
      { method: 'POST', path: '//api/pool', body: { name: `${t.prefix}intruder-2` } },
      { method: 'POST', path: '/api/pool', body: { name: `${t.prefix}intruder-t` }, tenant: `${t.prefix}guarded-tenant` },
      { method: 'PUT', path: `/api/pool/${p.uuid}`, body: { ...p, description: 'hijacked' } },
      { method: 'PATCH', path: `/api/pool/${p.uuid}`, body: { replace: { description: 'hijacked' } } },
      { method: 'DELETE', path: `/api/pool/${p.uuid}` },
      { method: 'DELETE', path: `/api/tenant/${tenant.body.uuid}` },
      { method: 'POST', path: '/api/tenant', body: { name: `${t.prefix}intruder-tenant` } },
      { method: 'PATCH', path: '/api/systemconfiguration', body: { replace: { portal_configuration: { allow_basic_authentication: true } } } },
      { method: 'PATCH', path: '/api/controllerproperties', body: { replace: { api_idle_timeout: 0 } } },
      { method: 'POST', path: '/api/user-token', body: { hours: '2' } },
      { method: 'DELETE', path: `/api/user-token/${tokenOfA.body.uuid}` },
      { method: 'POST', path: '/logout' },
    ];

    // What a client can read of everything those writes aim at.
    const observe = async () => ({
      pool: (await call(a, 'GET', `/api/pool/${p.uuid}`)).body,
      tenants: (await call(a, 'GET', `/api/tenant?name.contains=${t.prefix}&page_size=100`)).body,
      intruders: (await call(a, 'GET', `/api/pool?name.contains=${t.prefix}intruder&page_size=100`, { tenant: '*' })).body.count,
      systemconfiguration: (await call(a, 'GET', '/api/systemconfiguration')).body,
      controllerproperties: (await call(a, 'GET', '/api/controllerproperties')).body,
    });
    // Token lists are per user, and other clients of the same user may change them meanwhile:
    // what the refused writes aim at is a's token.
    const tokensOfA = async () => (await call(a, 'GET', '/api/user-token')).body.results.map((x: any) => x.uuid);
    expect(await tokensOfA()).toContain(tokenOfA.body.uuid);
    const seen = await observe();
    expect(seen.intruders).toBe(0);
    let snapshot: string | undefined;
    if (t.hasControlPlane) snapshot = JSON.stringify(await t.snapshot());

    const results = await Promise.all(
      creds.flatMap((c) => writes.map(async (w) => ({ c, w, r: await call(c.s, w.method, w.path, { ...c.o, body: w.body, tenant: w.tenant }) }))),
    );
    for (const { c, w, r } of results) {
      const what = `${c.label}: ${w.method} ${w.path}`;
      expect(r.status, what).toBe(401);
      if (c.expect === 'csrf') expect(r.text, what).toBe(csrfText);
      else expect(r.body, what).toEqual(noAuth);
      // A refused request opens no session either.
      expect(sessionCookiesSet(r), what).toEqual([]);
    }

    expect(await observe()).toEqual(seen);
    expect(await tokensOfA()).toContain(tokenOfA.body.uuid);
    await t.withControlPlane('the whole state is byte-identical (GET /_mock/snapshot)', async () => {
      expect(JSON.stringify(await t.snapshot())).toBe(snapshot);
    });
    // The sessions whose tokens were misused still work, each with its own token.
    for (const s of [a, b, ...(ops ? [ops] : [])]) {
      expect((await call(s, 'PATCH', `/api/pool/${p.uuid}`, { body: { replace: { description: 'ok' } } })).status).toBe(200);
    }
  });
});

/**
 * Contract: sessions under concurrency, over real HTTPS (avi-contract §2, §4). AKO opens 9
 * sessions per tenant at once at boot and then writes through all of them in parallel; the
 * SDKs share one controller between users and tenants. Acceptance: 9 concurrent logins followed
 * by concurrent writes all succeed; no session leaks between users or tenants; a write without
 * a (valid) session never changes state.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening, WireClient, wireLogin, type Listening, type WireResponse } from '../test/support/listening.js';

const scenario = fileURLToPath(new URL('./scenarios/two-users.yaml', import.meta.url));
const OPS_PASSWORD = 'ops-password';
const AKO_SESSIONS = 9;
const WRITES_PER_SESSION = 6;

interface Sess {
  client: WireClient;
  cookies: [string, string][];
  csrf: string;
  sessionId: string;
  user: Record<string, any>;
  loginBody: Record<string, any>;
}

let sim: Listening;
const clients: WireClient[] = [];

beforeAll(async () => {
  sim = await startListening({ scenario });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await sim.close();
});

/** A new client (its own keep-alive connections) logged in over HTTPS. */
async function login(username: string, password: string): Promise<Sess> {
  const client = new WireClient();
  clients.push(client);
  const { res, cookies, csrf, sessionId } = await wireLogin(client, sim.httpsBase, username, password);
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
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Referer: sim.httpsBase, ...(o.headers ?? {}) };
  const csrf = o.csrf === undefined ? s.csrf : o.csrf;
  if (csrf) headers['X-CSRFToken'] = csrf;
  if (o.tenant) headers['X-Avi-Tenant'] = o.tenant;
  return s.client.send({
    method,
    url: `${sim.httpsBase}${path}`,
    headers,
    cookies: o.cookies ?? s.cookies,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const storedPools = () => [...sim.engine.store.collection('pool').values()];

describe('AKO boot: concurrent logins, then concurrent writes', () => {
  it(`opens ${AKO_SESSIONS} sessions at once and writes ${AKO_SESSIONS}x${WRITES_PER_SESSION} pools in parallel, all 201`, async () => {
    const sessionsBefore = sim.engine.frontDoor.sessionCount;
    const sessions = await Promise.all(range(AKO_SESSIONS).map(() => login('admin', sim.password)));
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(AKO_SESSIONS);
    expect(new Set(sessions.map((s) => s.csrf)).size).toBe(AKO_SESSIONS);
    expect(sim.engine.frontDoor.sessionCount).toBe(sessionsBefore + AKO_SESSIONS);
    for (const s of sessions) expect(sim.engine.frontDoor.use(s.sessionId)).toMatchObject({ username: 'admin', csrf: s.csrf });

    const writes = await Promise.all(
      sessions.flatMap((s, i) =>
        range(WRITES_PER_SESSION).map((j) =>
          call(s, 'POST', '/api/pool', { body: { name: `boot-${i}-${j}`, created_by: 'ako-cl1', cloud_config_cksum: `${i}${j}` } }),
        ),
      ),
    );
    expect(writes.map((w) => w.status)).toEqual(Array(AKO_SESSIONS * WRITES_PER_SESSION).fill(201));
    const uuids = writes.map((w) => w.body.uuid as string);
    expect(new Set(uuids).size).toBe(uuids.length);
    // Every object is there, once, with what its writer sent.
    for (const [k, w] of writes.entries()) {
      const [i, j] = [Math.floor(k / WRITES_PER_SESSION), k % WRITES_PER_SESSION];
      expect(sim.engine.store.get('pool', w.body.uuid)?.data).toMatchObject({ name: `boot-${i}-${j}`, cloud_config_cksum: `${i}${j}` });
    }
    expect(storedPools().filter((p) => String(p.data.name).startsWith('boot-'))).toHaveLength(AKO_SESSIONS * WRITES_PER_SESSION);
    // Every session sees them all; no session was lost or added along the way.
    const lists = await Promise.all(sessions.map((s) => call(s, 'GET', '/api/pool?name.contains=boot-&page_size=100')));
    for (const l of lists) {
      expect(l.status).toBe(200);
      expect(l.body.count).toBe(AKO_SESSIONS * WRITES_PER_SESSION);
    }
    expect(sim.engine.frontDoor.sessionCount).toBe(sessionsBefore + AKO_SESSIONS);
  });

  it('keeps concurrent PUTs through different sessions apart: each object gets its own writer\'s body', async () => {
    const sessions = await Promise.all(range(AKO_SESSIONS).map(() => login('admin', sim.password)));
    const created = await Promise.all(sessions.map((s, i) => call(s, 'POST', '/api/pool', { body: { name: `put-${i}` } })));
    expect(created.map((c) => c.status)).toEqual(Array(AKO_SESSIONS).fill(201));
    const puts = await Promise.all(
      sessions.map((s, i) => call(s, 'PUT', `/api/pool/${created[i]!.body.uuid}`, { body: { ...created[i]!.body, description: `by session ${i}` } })),
    );
    expect(puts.map((p) => p.status)).toEqual(Array(AKO_SESSIONS).fill(200));
    for (const [i, c] of created.entries()) expect(sim.engine.store.get('pool', c.body.uuid)?.data.description).toBe(`by session ${i}`);
  });
});

describe('two users', () => {
  it('answers each login with its own user, and each session acts as that user', async () => {
    const PER_USER = 5;
    const logins = await Promise.all(
      range(PER_USER * 2).map((i) => (i % 2 === 0 ? login('admin', sim.password) : login('ops', OPS_PASSWORD))),
    );
    const admins = logins.filter((_, i) => i % 2 === 0);
    const ops = logins.filter((_, i) => i % 2 === 1);
    const opsUser = [...sim.engine.store.byName('user', '', 'ops')][0]!;
    for (const s of admins) {
      expect(s.user).toMatchObject({ username: 'admin', uuid: 'user-1' });
      expect(sim.engine.frontDoor.use(s.sessionId)?.username).toBe('admin');
    }
    for (const s of ops) {
      expect(s.user).toMatchObject({ username: 'ops', uuid: opsUser.uuid, full_name: 'Operations' });
      expect(s.user.uuid).toMatch(/^user-[0-9a-f-]{36}$/);
      expect(s.user).not.toHaveProperty('password');
      expect(sim.engine.frontDoor.use(s.sessionId)?.username).toBe('ops');
    }

    // Every session issues a user token at once; each lists only its own user's tokens.
    const made = await Promise.all(logins.map((s) => call(s, 'POST', '/api/user-token', { body: { hours: '2' } })));
    expect(made.map((m) => m.status)).toEqual(Array(PER_USER * 2).fill(201));
    const adminTokens = made.filter((_, i) => i % 2 === 0).map((m) => m.body.token as string).sort();
    const opsTokens = made.filter((_, i) => i % 2 === 1).map((m) => m.body.token as string).sort();
    const lists = await Promise.all(logins.map((s) => call(s, 'GET', '/api/user-token')));
    for (const [i, l] of lists.entries()) {
      expect(l.status).toBe(200);
      const tokens = l.body.results.map((t: any) => t.token).sort();
      expect(tokens).toEqual(i % 2 === 0 ? adminTokens : opsTokens);
    }

    // A user's token logs in as that user only.
    const client = new WireClient();
    clients.push(client);
    const asOps = await client.send({
      method: 'POST',
      url: `${sim.httpsBase}/login`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ops', token: opsTokens[0] }),
    });
    expect(asOps.status).toBe(200);
    expect(asOps.body.user.username).toBe('ops');
    const opsAsAdmin = await client.send({
      method: 'POST',
      url: `${sim.httpsBase}/login`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', token: opsTokens[0] }),
    });
    expect(opsAsAdmin.status).toBe(401);
    expect(opsAsAdmin.body).toEqual({ error: 'Invalid credentials' });

    // One user cannot revoke the other's token.
    const opsTokenUuid = made[1]!.body.uuid as string;
    const cross = await call(admins[0]!, 'DELETE', `/api/user-token/${opsTokenUuid}`);
    expect(cross.status).toBe(404);
    expect(sim.engine.frontDoor.tokensOf('ops').map((t) => t.token).sort()).toEqual(opsTokens);

    // Logging one user's session out leaves the other user's sessions alone.
    const out = await call(ops[0]!, 'POST', '/logout');
    expect(out.status).toBe(200);
    expect(sim.engine.frontDoor.use(ops[0]!.sessionId)).toBeUndefined();
    const still = await Promise.all([...admins, ...ops.slice(1)].map((s) => call(s, 'GET', '/api/user-token')));
    expect(still.map((r) => r.status)).toEqual(Array(PER_USER * 2 - 1).fill(200));
  });
});

describe('two tenants', () => {
  it(`${AKO_SESSIONS} sessions per tenant write in parallel and never see each other's objects`, async () => {
    const admin = await login('admin', sim.password);
    const tenants: Record<string, string> = {};
    for (const name of ['t1', 't2']) {
      const t = await call(admin, 'POST', '/api/tenant', { body: { name } });
      expect(t.status).toBe(201);
      tenants[name] = t.body.uuid;
    }
    const names = ['t1', 't2'] as const;
    const sessions = await Promise.all(names.flatMap((tenant) => range(AKO_SESSIONS).map(async () => ({ tenant, s: await login('admin', sim.password) }))));
    // Same pool names in both tenants: no conflict across tenants.
    const writes = await Promise.all(
      sessions.flatMap(({ tenant, s }, k) =>
        range(3).map((j) => call(s, 'POST', '/api/pool', { tenant, body: { name: `tp-${k % AKO_SESSIONS}-${j}` } }).then((r) => ({ tenant, r }))),
      ),
    );
    expect(writes.map((w) => w.r.status)).toEqual(Array(writes.length).fill(201));
    for (const { tenant, r } of writes) {
      expect(r.body.tenant_ref).toMatch(new RegExp(`/api/tenant/${tenants[tenant]}#${tenant}$`));
    }
    const perTenant = AKO_SESSIONS * 3;

    const views = await Promise.all(
      sessions.map(({ tenant, s }) => call(s, 'GET', '/api/pool?name.contains=tp-&page_size=100', { tenant }).then((r) => ({ tenant, r }))),
    );
    for (const { tenant, r } of views) {
      expect(r.status).toBe(200);
      expect(r.body.count).toBe(perTenant);
      for (const p of r.body.results) expect(p.tenant_ref).toContain(`/api/tenant/${tenants[tenant]}`);
    }
    // By uuid across tenants: not found.
    const t1Pool = writes.find((w) => w.tenant === 't1')!.r.body;
    const t2Session = sessions.find((x) => x.tenant === 't2')!.s;
    const crossGet = await call(t2Session, 'GET', `/api/pool/${t1Pool.uuid}`, { tenant: 't2' });
    expect(crossGet.status).toBe(404);
    expect(crossGet.body).toEqual({ error: 'Pool object not found!' });
    const crossDelete = await call(t2Session, 'DELETE', `/api/pool/${t1Pool.uuid}`, { tenant: 't2' });
    expect(crossDelete.status).toBe(404);
    expect(sim.engine.store.get('pool', t1Pool.uuid)).toBeDefined();
    // The admin tenant sees neither.
    expect((await call(admin, 'GET', '/api/pool?name.contains=tp-')).body.count).toBe(0);
    // Every session kept its own tenant's view: the stored objects split evenly.
    const stored = storedPools().filter((p) => String(p.data.name).startsWith('tp-'));
    expect(stored).toHaveLength(perTenant * 2);
    for (const name of names) expect(stored.filter((p) => String(p.data.tenant_ref).includes(tenants[name]!))).toHaveLength(perTenant);
  });
});

describe('writes without a valid session', () => {
  it('answer 401 and leave the store byte-identical', async () => {
    const a = await login('admin', sim.password);
    const b = await login('admin', sim.password);
    const ops = await login('ops', OPS_PASSWORD);
    const gone = await login('admin', sim.password);
    expect((await call(gone, 'POST', '/logout')).status).toBe(200);

    const pool = await call(a, 'POST', '/api/pool', { body: { name: 'guarded', cloud_config_cksum: '1' } });
    expect(pool.status).toBe(201);
    const t = await call(a, 'POST', '/api/tenant', { body: { name: 'guarded-tenant' } });
    expect(t.status).toBe(201);
    const tokenOfA = await call(a, 'POST', '/api/user-token', { body: { hours: 1 } });
    expect(tokenOfA.status).toBe(201);

    const anon = { client: a.client };
    const basic = (pw: string) => ({ Authorization: `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}` });
    const csrfText = 'CSRF token missing or incorrect.';
    const noAuth = { error: 'Authentication credentials were not provided.' };
    type Cred = { label: string; s: Pick<Sess, 'client'> & Partial<Sess>; o: CallOptions; expect: 'csrf' | 'noauth' };
    const creds: Cred[] = [
      { label: 'no session at all', s: anon, o: { cookies: [], csrf: null }, expect: 'noauth' },
      { label: 'a logged-out session with its own token', s: gone, o: {}, expect: 'noauth' },
      { label: "a live session with another session's token", s: a, o: { csrf: b.csrf }, expect: 'csrf' },
      { label: "a live session with another user's token", s: ops, o: { csrf: a.csrf }, expect: 'csrf' },
      { label: 'a live session without a token', s: a, o: { csrf: null }, expect: 'csrf' },
      // Matching cookie and header prove nothing: the token must be the session's.
      { label: 'a live session with a made-up token in both cookie and header', s: a, o: { csrf: 'made-up', cookies: [['avi-sessionid', a.sessionId], ['csrftoken', 'made-up']] }, expect: 'csrf' },
      { label: 'a token and csrftoken cookie without the session cookie', s: a, o: { cookies: [['csrftoken', a.csrf]] }, expect: 'noauth' },
      { label: 'a forged session id', s: a, o: { cookies: [['csrftoken', a.csrf], ['avi-sessionid', 'forged'], ['sessionid', 'forged']] }, expect: 'noauth' },
      { label: "a session id differing from a's by case", s: a, o: { cookies: [['avi-sessionid', a.sessionId.toUpperCase()]] }, expect: 'noauth' },
      { label: 'Basic with the right password while Basic is off', s: anon, o: { cookies: [], csrf: null, headers: basic(sim.password) }, expect: 'noauth' },
      { label: 'Basic with a wrong password', s: anon, o: { cookies: [], csrf: null, headers: basic('wrong') }, expect: 'noauth' },
    ];
    const p = pool.body;
    const writes: { method: string; path: string; body?: unknown; tenant?: string }[] = [
      { method: 'POST', path: '/api/pool', body: { name: 'intruder' } },
      { method: 'POST', path: '//api/pool', body: { name: 'intruder-2' } },
      { method: 'POST', path: '/api/pool', body: { name: 'intruder-t' }, tenant: 'guarded-tenant' },
      { method: 'PUT', path: `/api/pool/${p.uuid}`, body: { ...p, description: 'hijacked' } },
      { method: 'PATCH', path: `/api/pool/${p.uuid}`, body: { replace: { description: 'hijacked' } } },
      { method: 'DELETE', path: `/api/pool/${p.uuid}` },
      { method: 'DELETE', path: `/api/tenant/${t.body.uuid}` },
      { method: 'POST', path: '/api/tenant', body: { name: 'intruder-tenant' } },
      { method: 'PATCH', path: '/api/systemconfiguration', body: { replace: { portal_configuration: { allow_basic_authentication: true } } } },
      { method: 'PATCH', path: '/api/controllerproperties', body: { replace: { api_idle_timeout: 0 } } },
      { method: 'POST', path: '/api/user-token', body: { hours: '2' } },
      { method: 'DELETE', path: `/api/user-token/${tokenOfA.body.uuid}` },
      { method: 'POST', path: '/logout' },
    ];

    const before = JSON.stringify(sim.engine.store.snapshot());
    const sessionsBefore = sim.engine.frontDoor.sessionCount;
    const tokensBefore = JSON.stringify([sim.engine.frontDoor.tokensOf('admin'), sim.engine.frontDoor.tokensOf('ops')]);

    const results = await Promise.all(
      creds.flatMap((c) =>
        writes.map(async (w) => ({ c, w, r: await call(c.s, w.method, w.path, { ...c.o, body: w.body, tenant: w.tenant }) })),
      ),
    );
    for (const { c, w, r } of results) {
      const what = `${c.label}: ${w.method} ${w.path}`;
      expect(r.status, what).toBe(401);
      if (c.expect === 'csrf') expect(r.text, what).toBe(csrfText);
      else expect(r.body, what).toEqual(noAuth);
    }

    expect(JSON.stringify(sim.engine.store.snapshot())).toBe(before);
    expect(sim.engine.frontDoor.sessionCount).toBe(sessionsBefore);
    expect(JSON.stringify([sim.engine.frontDoor.tokensOf('admin'), sim.engine.frontDoor.tokensOf('ops')])).toBe(tokensBefore);
    // The sessions whose tokens were misused still work, each with its own token.
    for (const s of [a, b, ops]) expect((await call(s, 'PATCH', `/api/pool/${p.uuid}`, { body: { replace: { description: 'ok' } } })).status).toBe(200);
  });
});

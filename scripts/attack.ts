/**
 * `npm run attack`: a black-box attacker against an avisim started as a process of its own, over
 * HTTP and HTTPS on 127.0.0.1 only. It tries what a hostile neighbour on the network (and a
 * hostile logged-in user) would: prototype pollution, huge and deep bodies, slowloris on both
 * listeners, sandboxes and journal without credentials, secrets in the journal, bad uuids and
 * names, cross-tenant and role escapes. Every attempt is bounded in count and time.
 *
 * Prints what it tried, the statuses it got, the server's peak RSS, and every finding; exits 1
 * when something was found (or the server died), 0 otherwise.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { waitReady } from '../contract-tests/support/process.js';
import { spawnCli } from '../test/support/cli.js';
import { CookieJar } from '../server/testing.js';

const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
const PASSWORD = `Attack-${randomBytes(6).toString('hex')}`;
const MAX_SANDBOXES = 3;
const HEADER_TIMEOUT_MS = 2000;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
  /** the connection ended without an answer */
  reset?: string;
}

const statuses = new Map<string, number>();
const findings: string[] = [];
let requests = 0;

function found(what: string): void {
  findings.push(what);
  console.log(`  ✗ ${what}`);
}

function expectStatus(a: Answer, ok: (s: number) => boolean, what: string): void {
  if (!ok(a.status)) found(`${what}: got ${a.reset ? `a reset (${a.reset})` : `${a.status} ${a.text.slice(0, 200)}`}`);
}

/** One request; `body` may be a Buffer, text, an object (JSON) or a generator of chunks. */
function request(base: string, method: string, path: string, opts: { headers?: Record<string, string | number>; body?: unknown } = {}): Promise<Answer> {
  requests++;
  const url = new URL(path, base);
  const get = url.protocol === 'https:' ? https.request : http.request;
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(opts.body)) payload = opts.body;
  else if (typeof opts.body === 'string') payload = Buffer.from(opts.body);
  else if (opts.body !== undefined) payload = Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string | number> = { ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}), ...opts.headers };
  return new Promise((resolve) => {
    const req = get(url, { method, headers, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const key = String(res.statusCode);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', (e) => resolve({ status: 0, headers: {}, text: '', json: undefined, reset: e.message }));
    });
    req.on('error', (e) => {
      statuses.set('reset', (statuses.get('reset') ?? 0) + 1);
      resolve({ status: 0, headers: {}, text: '', json: undefined, reset: (e as NodeJS.ErrnoException).code ?? e.message });
    });
    if (payload) {
      // Large bodies go in slices, so the server can answer (and close) before the end.
      const slice = 1 << 20;
      let off = 0;
      const pump = () => {
        while (off < payload!.length) {
          const next = payload!.subarray(off, off + slice);
          off += slice;
          if (!req.write(next)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('error', () => {});
      pump();
    } else req.end();
  });
}

interface Session {
  cookie: string;
  csrf: string;
}

async function login(base: string, username: string, password: string): Promise<Session | undefined> {
  const a = await request(base, 'POST', '/login', { body: { username, password } });
  if (a.status !== 200) return undefined;
  const jar = new CookieJar();
  jar.store(a.headers['set-cookie'] as string[] | undefined);
  return { cookie: jar.header(), csrf: jar.get('csrftoken') ?? '' };
}

const as = (s: Session, extra: Record<string, string> = {}) => ({ Cookie: s.cookie, 'X-CSRFToken': s.csrf, ...extra });

/** A memory figure of a process from /proc (`VmHWM` = peak RSS, `VmRSS` = now), in bytes. */
function memoryOf(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const peakRss = (pid: number) => memoryOf(pid, 'VmHWM');
const rss = (pid: number) => memoryOf(pid, 'VmRSS');

const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;

async function startServer(): Promise<{ http: string; https: string; pid: number; stop: () => Promise<void> }> {
  const args = ['--port', '0', '--https-port', '0', '--password', PASSWORD];
  args.push('--mock-token', TOKEN, '--max-sandboxes', String(MAX_SANDBOXES), '--headers-timeout', String(HEADER_TIMEOUT_MS), '--request-timeout', String(HEADER_TIMEOUT_MS * 2));
  const avisim = spawnCli(args, { dropEnv: /^AVISIM_/ });
  try {
    const out = (await avisim.waitFor(/Avi API:\s+https?:[\s\S]*Avi API:\s+https?:\/\/\S+?\/api\//, 60_000)).input;
    const plain = /Avi API:\s+(http:\/\/\S+?)\/api\//.exec(out)![1]!;
    const secure = /Avi API:\s+(https:\/\/\S+?)\/api\//.exec(out)![1]!;
    const urls = { http: plain.replace('localhost', '127.0.0.1'), https: secure.replace('localhost', '127.0.0.1') };
    await waitReady(urls.https);
    return { ...urls, pid: avisim.child.pid!, stop: () => avisim.stop() };
  } catch (e) {
    await avisim.stop();
    throw e;
  }
}

/** Whether unauthenticated requests are still refused and the server still answers. */
async function stillGuarded(base: string, admin: Session, after: string): Promise<void> {
  const anon = await request(base, 'GET', '/api/pool');
  expectStatus(anon, (s) => s === 401, `after ${after}: GET /api/pool without credentials`);
  const alive = await request(base, 'GET', '/api/cluster/runtime', { headers: as(admin) });
  expectStatus(alive, (s) => s === 200, `after ${after}: GET /api/cluster/runtime as admin`);
}

function deep(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Opens `count` connections that send a header line every `everyMs` and never finish; how many the server closed in `waitMs`. */
async function slowloris(base: string, count: number, everyMs: number, waitMs: number): Promise<number> {
  const url = new URL(base);
  let closed = 0;
  const sockets: net.Socket[] = [];
  await Promise.all(
    Array.from({ length: count }, () => new Promise<void>((resolve) => {
      const s: net.Socket = url.protocol === 'https:'
        ? tls.connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => resolve())
        : net.connect({ host: url.hostname, port: Number(url.port) }, () => resolve());
      s.on('error', () => {});
      s.on('close', () => closed++);
      sockets.push(s);
      setTimeout(resolve, 2000);
    })),
  );
  for (const s of sockets) s.write('GET /api/cluster/runtime HTTP/1.1\r\nHost: x\r\n');
  const timer = setInterval(() => {
    for (const s of sockets) if (!s.destroyed) s.write(`X-${randomBytes(2).toString('hex')}: y\r\n`);
  }, everyMs);
  await new Promise((r) => setTimeout(r, waitMs));
  clearInterval(timer);
  for (const s of sockets) s.destroy();
  return closed;
}

async function main(): Promise<number> {
  const server = await startServer();
  const bases = [server.http, server.https];
  console.log(`attacking avisim at ${bases.join(' and ')} (pid ${server.pid}, idle RSS ${mb(rss(server.pid))})`);
  try {
    const admin = (await login(server.http, 'admin', PASSWORD))!;
    if (!admin) throw new Error('admin cannot log in');

    console.log('- prototype pollution through PATCH, POST and queries');
    const pool = await request(server.http, 'POST', '/api/pool', { headers: as(admin), body: { name: 'victim', servers: [{ ip: { addr: '10.0.0.1', type: 'V4' } }] } });
    const uuid = pool.json?.uuid;
    const vectors = [
      [{ op: 'add', path: '/__proto__/x-avisim-public', value: true }],
      [{ op: 'add', path: '/__proto__/authenticate', value: 1 }],
      [{ op: 'add', path: '/servers/0/__proto__/x-avisim-public', value: true }],
      [{ op: 'copy', from: '/name', path: '/__proto__/x-avisim-public' }],
      [{ op: 'add', path: '/constructor/prototype/x-avisim-public', value: true }],
      [{ op: 'replace', path: '/__proto__', value: { 'x-avisim-public': true } }],
      [{ op: 'move', from: '/name', path: '/servers/0/constructor/prototype/x' }],
    ];
    for (const ops of vectors) {
      const a = await request(server.http, 'PATCH', `/api/pool/${uuid}`, { headers: as(admin), body: { json_patch: ops } });
      expectStatus(a, (s) => s === 400, `PATCH json_patch ${JSON.stringify(ops)}`);
    }
    for (const text of [
      '{"add":{"__proto__":{"x-avisim-public":true}}}',
      '{"replace":{"__proto__":{"x-avisim-public":true}}}',
      '{"add":{"servers":[{"__proto__":{"x-avisim-public":true},"ip":{"addr":"10.0.0.2","type":"V4"}}]}}',
    ]) {
      const a = await request(server.http, 'PATCH', `/api/pool/${uuid}`, { headers: as(admin), body: text });
      expectStatus(a, (s) => s < 500, `PATCH ${text}`);
    }
    for (const text of ['{"name":"p2","__proto__":{"x-avisim-public":true}}', '{"name":"p3","constructor":{"prototype":{"x-avisim-public":true}}}']) {
      const a = await request(server.http, 'POST', '/api/pool', { headers: as(admin), body: text });
      expectStatus(a, (s) => s < 500, `POST ${text}`);
      if (a.json?.uuid) await request(server.http, 'DELETE', `/api/pool/${a.json.uuid}`, { headers: as(admin) });
    }
    for (const q of ['__proto__[x-avisim-public]=1', '__proto__.x-avisim-public=1', 'constructor[prototype][x]=1', 'fields=__proto__', 'sort=__proto__', 'name.in=__proto__']) {
      const a = await request(server.http, 'GET', `/api/pool?${q}`, { headers: as(admin) });
      expectStatus(a, (s) => s < 500, `GET /api/pool?${q}`);
    }
    await stillGuarded(server.http, admin, 'pollution attempts');

    console.log('- deep JSON');
    for (const [path, body] of [['/login', deep(5000)], [`/api/pool/${uuid}`, `{"json_patch":[{"op":"add","path":"/description","value":${deep(10000)}}]}`]] as const) {
      const a = await request(server.http, path === '/login' ? 'POST' : 'PATCH', path, { headers: path === '/login' ? {} : as(admin), body });
      expectStatus(a, (s) => s === 400 || s === 401, `deep body to ${path}`);
    }
    for (const p of ['/_mock/journal']) {
      const a = await request(server.http, 'GET', p, { headers: { 'X-Mock-Token': TOKEN } });
      expectStatus(a, (s) => s === 200, `GET ${p} after deep bodies`);
    }
    const verify = await request(server.http, 'POST', '/_mock/verify', { headers: { 'X-Mock-Token': TOKEN }, body: { path: '/login', at_least: 1 } });
    expectStatus(verify, (s) => s === 200 || s === 417, 'POST /_mock/verify after deep bodies');

    console.log('- 100 MB bodies, with and without credentials, on both listeners');
    const hundred = Buffer.alloc(100 * 1048576, 0x20);
    for (const base of bases) {
      const anon = await request(base, 'POST', '/api/pool', { body: hundred });
      expectStatus(anon, (s) => s === 401 || s === 413, `100 MB POST without credentials to ${base}`);
      const authed = await request(base, 'POST', '/api/pool', { headers: as(admin), body: hundred });
      expectStatus(authed, (s) => s === 413, `100 MB POST as admin to ${base}`);
      const toLogin = await request(base, 'POST', '/login', { body: hundred });
      expectStatus(toLogin, (s) => s === 413 || s === 400 || s === 401, `100 MB POST /login to ${base}`);
    }
    console.log(`  peak RSS so far ${mb(peakRss(server.pid))}`);

    console.log(`- slowloris: 50 trickling connections per listener, header timeout ${HEADER_TIMEOUT_MS} ms`);
    for (const base of bases) {
      const closed = await slowloris(base, 50, 500, HEADER_TIMEOUT_MS * 3);
      if (closed < 50) found(`slowloris on ${base}: the server closed only ${closed} of 50 trickling connections in ${HEADER_TIMEOUT_MS * 3} ms`);
      await stillGuarded(base, admin, `slowloris on ${base}`);
    }

    console.log('- sandboxes and the control plane without credentials');
    for (let i = 0; i < MAX_SANDBOXES + 2; i++) {
      const a = await request(server.http, 'GET', '/api/pool', { headers: { 'X-Mock-Sandbox': `stranger-${i}` } });
      expectStatus(a, (s) => s === 401, `GET with X-Mock-Sandbox stranger-${i} and no credentials`);
    }
    const legit = await request(server.http, 'GET', '/api/pool', { headers: as(admin, { 'X-Mock-Sandbox': 'mine' }) });
    expectStatus(legit, (s) => s === 200, 'a logged-in client\'s sandbox after strangers tried');
    for (const [method, path] of [['GET', '/_mock/journal'], ['POST', '/_mock/reset'], ['GET', '/_mock/snapshot'], ['POST', '/_mock/faults']] as const) {
      const a = await request(server.http, method, path, { body: method === 'POST' ? {} : undefined });
      expectStatus(a, (s) => s === 401, `${method} ${path} without the token`);
    }
    const byPath = await request(server.http, 'POST', '/_mock/scenario', { headers: { 'X-Mock-Token': TOKEN }, body: { path: '/etc/passwd' } });
    expectStatus(byPath, (s) => s === 400 || s === 403, 'load a scenario from /etc/passwd');
    if (/root:|\/bin\/(ba)?sh/.test(byPath.text)) found('scenario load echoed /etc/passwd content');

    console.log('- secrets in the journal');
    await login(server.http, 'admin', PASSWORD);
    await login(server.http, 'admin', 'wrong-secret-123');
    const token = await request(server.http, 'POST', '/api/user-token', { headers: as(admin), body: { hours: 1 } });
    const journal = await request(server.http, 'GET', '/_mock/journal', { headers: { 'X-Mock-Token': TOKEN } });
    for (const secret of [PASSWORD, 'wrong-secret-123', token.json?.token].filter(Boolean) as string[]) {
      if (journal.text.includes(secret)) found(`the journal shows a secret (${secret.slice(0, 4)}…)`);
    }

    console.log('- bad uuids, names and headers');
    for (const body of [{ name: 'u1', uuid: 'a/b' }, { name: 'u2', uuid: 'x'.repeat(200_000) }, { name: 'u3', uuid: 'pool-1\r\nX-Evil: 1' }, { name: 'web-日本' }, { name: 'n'.repeat(300_000) }]) {
      const a = await request(server.http, 'POST', '/api/pool', { headers: as(admin), body });
      expectStatus(a, (s) => s === 201 || s === 400, `POST pool ${JSON.stringify(body).slice(0, 60)}`);
      if (a.status >= 400) {
        const list = await request(server.http, 'GET', `/api/pool?name=${encodeURIComponent(String(body.name))}`, { headers: as(admin) });
        if (list.json?.count) found(`a refused POST (${a.status}) left pool ${String(body.name).slice(0, 20)} behind`);
      } else if (a.json?.uuid) {
        const back = await request(server.http, 'GET', `/api/pool/${encodeURIComponent(a.json.uuid)}`, { headers: as(admin) });
        expectStatus(back, (s) => s === 200, `the pool made from ${JSON.stringify(body).slice(0, 40)} can be read at its path`);
        await request(server.http, 'DELETE', `/api/pool/${encodeURIComponent(a.json.uuid)}`, { headers: as(admin) });
      }
    }
    const invalidUtf8 = Buffer.concat([Buffer.from('{"name":"bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expectStatus(await request(server.http, 'POST', '/api/pool', { headers: as(admin), body: invalidUtf8 }), (s) => s === 201 || s === 400, 'POST pool with invalid UTF-8');
    expectStatus(await request(server.http, 'POST', '/api/pool', { headers: as(admin, { 'X-Avi-Tenant': '*' }), body: { name: 'star' } }), (s) => s >= 400 && s < 500, 'POST with X-Avi-Tenant: *');
    expectStatus(await request(server.http, 'POST', '/api/user-token', { headers: as(admin), body: { hours: 1e308 } }), (s) => s === 400, 'user-token hours 1e308');
    expectStatus(await request(server.http, 'POST', '/api/pool', { headers: as(admin, { 'Content-Type': 'text/plain' }), body: '{"name":"plain"}' }), (s) => s === 415 || s === 400, 'JSON sent as text/plain');

    console.log('- cross-tenant and role escapes');
    const ta = await request(server.http, 'POST', '/api/tenant', { headers: as(admin), body: { name: 'ta' } });
    const tb = await request(server.http, 'POST', '/api/tenant', { headers: as(admin), body: { name: 'tb' } });
    const secretPool = await request(server.http, 'POST', '/api/pool', { headers: as(admin, { 'X-Avi-Tenant': 'tb' }), body: { name: 'tb-secret' } });
    const roles = await request(server.http, 'GET', '/api/role?name=Application-Operator', { headers: as(admin) });
    const readOnlyRole = roles.json?.results?.[0]?.url;
    if (!readOnlyRole || ta.status !== 201 || tb.status !== 201 || secretPool.status !== 201) found('could not set up tenants, a pool in tb and a read-only role');
    const user = await request(server.http, 'POST', '/api/user', {
      headers: as(admin),
      body: { name: 'ro', username: 'ro', password: 'Ro-Pass-123!', access: [{ role_ref: readOnlyRole, tenant_ref: ta.json?.url }], default_tenant_ref: ta.json?.url },
    });
    expectStatus(user, (s) => s === 201, 'create a read-only user in ta');
    const ro = await login(server.http, 'ro', 'Ro-Pass-123!');
    if (!ro) found('the read-only user cannot log in');
    else {
      const attempts: Array<[string, string, Record<string, string>, unknown]> = [
        ['POST', '/api/pool', { 'X-Avi-Tenant': 'admin' }, { name: 'ro-in-admin' }],
        ['POST', '/api/pool', { 'X-Avi-Tenant': 'ta' }, { name: 'ro-in-ta' }],
        ['PUT', '/api/systemconfiguration', {}, { default_license_tier: 'ENTERPRISE' }],
        ['POST', '/api/user', {}, { name: 'evil', username: 'evil', password: 'Evil-123!', is_superuser: true }],
        ['POST', '/api/role', {}, { name: 'evil-role', privileges: [{ resource: 'PERMISSION_POOL', type: 'WRITE_ACCESS' }] }],
        ['GET', '/api/pool', { 'X-Avi-Tenant': 'tb' }, undefined],
        ['GET', '/api/pool', { 'X-Avi-Tenant': 'admin' }, undefined],
        ['GET', `/api/pool/${secretPool.json?.uuid}`, { 'X-Avi-Tenant': 'ta' }, undefined],
        ['DELETE', `/api/pool/${secretPool.json?.uuid}`, { 'X-Avi-Tenant': 'tb' }, undefined],
      ];
      for (const [method, path, headers, body] of attempts) {
        const a = await request(server.http, method, path, { headers: as(ro, headers), body });
        expectStatus(a, (s) => s === 403 || s === 404, `read-only user in ta: ${method} ${path} ${JSON.stringify(headers)}`);
      }
      const star = await request(server.http, 'GET', '/api/pool', { headers: as(ro, { 'X-Avi-Tenant': '*' }) });
      if (star.text.includes('tb-secret')) found('read-only user in ta sees tb\'s pool through X-Avi-Tenant: *');
      const own = await request(server.http, 'GET', '/api/pool', { headers: as(ro, { 'X-Avi-Tenant': 'ta' }) });
      expectStatus(own, (s) => s === 200, 'read-only user reads pools in ta');
      const stillThere = await request(server.http, 'GET', `/api/pool/${secretPool.json?.uuid}`, { headers: as(admin, { 'X-Avi-Tenant': 'tb' }) });
      expectStatus(stillThere, (s) => s === 200, 'tb\'s pool survived the read-only user');
      const evil = await request(server.http, 'GET', '/api/user?name=evil', { headers: as(admin) });
      if (evil.json?.count) found('the read-only user created a user');
    }
    await stillGuarded(server.http, admin, 'everything');
    await stillGuarded(server.https, admin, 'everything');
  } finally {
    const peak = peakRss(server.pid);
    await server.stop();
    console.log(`\n${requests} requests; statuses: ${[...statuses].sort().map(([s, c]) => `${s}×${c}`).join(', ')}; server peak RSS ${mb(peak)}`);
  }
  console.log(findings.length ? `${findings.length} finding(s)` : 'nothing found');
  return findings.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(2);
  },
);

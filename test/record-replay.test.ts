/**
 * `avisim record` and `avisim replay` end to end, over real sockets: an avisim over HTTPS
 * stands in for the controller, the recording proxy listens in front of it, a client drives a
 * realistic session through the proxy; the scenario written must hold no secret, the objects'
 * final state and every exchange, and must replay with 100% fidelity against a fresh avisim,
 * and report the exchange whose recorded answer was altered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRecordProxy, type RecordProxy } from '../server/record/proxy.js';
import { formatResult, formatSummary, loadExchanges, replay } from '../server/record/replay.js';
import { AvisimClient, startAvisim, type StartedAvisim } from '../server/testing.js';

const UPSTREAM_PASSWORD = 'Upstream-Admin-pw-7731';
const WRONG_PASSWORD = 'wrong-password-4242';
const PASSPHRASE = 'cert-passphrase-5150';
const REPLAY_PASSWORD = 'Replay-target-pw-0099';
const PRIVATE_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const dir = mkdtempSync(path.join(tmpdir(), 'avisim-record-'));
let upstream: StartedAvisim;
let target: StartedAvisim;

beforeAll(async () => {
  [upstream, target] = await Promise.all([
    startAvisim({ https: true, adminPassword: UPSTREAM_PASSWORD }),
    startAvisim({ adminPassword: REPLAY_PASSWORD }),
  ]);
});
afterAll(async () => {
  await Promise.all([upstream?.close(), target?.close()]);
});

const v4 = (addr: string) => ({ addr, type: 'V4' });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const setCookieValues = (h: string | string[] | undefined) => (Array.isArray(h) ? h : h ? [h] : []).map((c) => c.split(';')[0]!.split('=')[1]!);

interface Session {
  /** every secret value the client saw or sent */
  secrets: string[];
  /** requests made through the proxy, in order */
  count: number;
  poolUuid: string;
  vsUuid: string;
  vip: string;
  putIndex: number;
}

/** A client's session through the proxy, as an operator's script or an SDK would drive it. */
async function driveSession(proxy: RecordProxy): Promise<Session> {
  const c = new AvisimClient(proxy.url);
  const secrets: string[] = [UPSTREAM_PASSWORD, WRONG_PASSWORD, PASSPHRASE];
  let count = 0;
  const call = async (method: string, p: string, body?: unknown, headers?: Record<string, string>) => {
    count++;
    return c.request(method, p, body, { headers });
  };
  try {
    // not logged in yet, then a typo in the password, then the real login
    expect((await call('GET', '/api/pool')).status).toBe(401);
    expect((await call('POST', '/login', { username: 'admin', password: WRONG_PASSWORD })).status).toBe(401);
    const login = await call('POST', '/login', { username: 'admin', password: UPSTREAM_PASSWORD });
    expect(login.status).toBe(200);
    secrets.push(...setCookieValues(login.headers['set-cookie']));
    expect(c.csrfToken).toBeTruthy();
    const tenant = { 'X-Avi-Version': '22.1.3', 'X-Avi-Tenant': 'admin' };

    expect((await call('GET', '/api/initial-data')).body.version.Version).toBe('30.2.1');
    const cloud = (await call('GET', '/api/cloud?name=Default-Cloud', undefined, tenant)).body.results[0];
    // refs sent back as the client got them: full URLs on the proxy's host
    expect(cloud.url).toContain(proxy.url);
    const network = await call(
      'POST',
      '/api/network',
      {
        name: 'vip-net',
        cloud_ref: cloud.url,
        configured_subnets: [
          { prefix: { ip_addr: v4('10.50.0.0'), mask: 24 }, static_ip_ranges: [{ range: { begin: v4('10.50.0.10'), end: v4('10.50.0.20') }, type: 'STATIC_IPS_FOR_VIP' }] },
        ],
      },
      tenant,
    );
    expect(network.status, network.text).toBe(201);
    const pool = await call('POST', '/api/pool', { name: 'web-pool', cloud_ref: cloud.url, servers: [{ ip: v4('10.60.0.1') }] }, tenant);
    expect(pool.status, pool.text).toBe(201);
    expect(pool.headers.location).toContain(proxy.url);
    const vsvip = await call(
      'POST',
      '/api/vsvip',
      { name: 'web-vip', cloud_ref: cloud.url, vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: network.body.url } }] },
      tenant,
    );
    expect(vsvip.status, vsvip.text).toBe(201);
    const vip = vsvip.body.vip[0].ip_address.addr as string;
    expect(vip).toBe('10.50.0.10');
    const vs = await call(
      'POST',
      '/api/virtualservice',
      { name: 'web-vs', cloud_ref: cloud.url, vsvip_ref: vsvip.body.url, pool_ref: pool.body.url, services: [{ port: 80 }] },
      tenant,
    );
    expect(vs.status, vs.text).toBe(201);
    expect((await call('GET', `/api/virtualservice/${vs.body.uuid}?include_name`, undefined, tenant)).body.vsvip_ref).toContain('#web-vip');

    // read, change, write back (with _last_modified: the controller checks it)
    const read = await call('GET', `/api/pool/${pool.body.uuid}`, undefined, tenant);
    const putIndex = count + 1;
    const put = await call('PUT', `/api/pool/${pool.body.uuid}`, { ...read.body, lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN' }, tenant);
    expect(put.status, put.text).toBe(200);
    const patch = await call('PATCH', `/api/pool/${pool.body.uuid}`, { add: { servers: [{ ip: v4('10.60.0.2') }] } }, tenant);
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body.servers).toHaveLength(2);
    const list = await call('GET', '/api/pool?name.contains=web&fields=lb_algorithm,servers&page_size=10', undefined, tenant);
    expect(list.body.count).toBe(1);

    // the controller's refusals
    expect((await call('POST', '/api/pool', { name: 'web-pool', cloud_ref: cloud.url }, tenant)).status).toBe(409);
    expect((await call('POST', '/api/pool', { name: 'bad-pool', lb_algorithm: 'NOPE' }, tenant)).status).toBe(400);

    // secrets in answers and bodies: a user token, a certificate's private key and passphrase
    const token = await call('POST', '/api/user-token', { hours: '2' }, tenant);
    expect(token.status).toBe(201);
    secrets.push(token.body.token);
    const publicKey = createPublicKey(PRIVATE_KEY).export({ type: 'spki', format: 'pem' }).toString();
    const pem = (await generate([{ name: 'commonName', value: 'web.example' }], { keyType: 'ec', algorithm: 'sha256', keyPair: { privateKey: PRIVATE_KEY, publicKey } })).cert;
    const cert = await call(
      'POST',
      '/api/sslkeyandcertificate',
      { name: 'web-cert', key: PRIVATE_KEY, key_passphrase: PASSPHRASE, certificate: { certificate: pem } },
      tenant,
    );
    expect(cert.status, cert.text).toBe(201);

    // the NSX-T Policy API through the same proxy, with Basic credentials of its own
    const nsxPassword = upstream.engine.nsx.password;
    secrets.push(nsxPassword, basic(upstream.engine.nsx.username, nsxPassword).slice(6));
    const t1s = await call('GET', '/policy/api/v1/infra/tier-1s', undefined, { Authorization: basic(upstream.engine.nsx.username, nsxPassword) });
    expect(t1s.status, t1s.text).toBe(200);

    expect((await call('DELETE', `/api/virtualservice/${vs.body.uuid}`, undefined, tenant)).status).toBe(204);
    expect((await call('GET', `/api/virtualservice/${vs.body.uuid}`, undefined, tenant)).status).toBe(404);
    secrets.push(c.csrfToken!);
    expect((await call('POST', '/logout')).status).toBe(200);

    // a second client, Python-SDK style: a form login, its own session
    count++;
    const form = await fetch(`${proxy.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'admin', password: UPSTREAM_PASSWORD }).toString(),
    });
    expect(form.status).toBe(200);
    const cookies = form.headers.getSetCookie();
    secrets.push(...setCookieValues(cookies));
    count++;
    const tenants = await fetch(`${proxy.url}/api/tenant`, { headers: { cookie: cookies.map((x) => x.split(';')[0]).join('; '), 'X-Avi-Tenant': 'admin' } });
    expect(tenants.status).toBe(200);
    return { secrets, count, poolUuid: pool.body.uuid, vsUuid: vs.body.uuid, vip, putIndex };
  } finally {
    c.close();
  }
}

describe('avisim record: a proxy that writes the session as a scenario', () => {
  const file = path.join(dir, 'session.yaml');
  let session: Session;
  let text: string;
  let doc: any;

  beforeAll(async () => {
    const proxy = await startRecordProxy({ upstream: upstream.url, out: file, insecure: true, name: 'web-session' });
    session = await driveSession(proxy);
    await proxy.close();
    text = readFileSync(file, 'utf8');
    doc = load(text);
  });

  it('writes no secret the session used or was given, and no base URL', () => {
    expect(session.secrets.length).toBeGreaterThan(8);
    for (const secret of session.secrets) expect(text, `secret ${secret} in the file`).not.toContain(secret);
    for (const line of PRIVATE_KEY.split('\n').filter((l) => l.length > 20)) expect(text).not.toContain(line);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toMatch(/127\.0\.0\.1:\d+/);
    expect(text).toContain('<scrubbed>');
  });

  it('names the scenario, its base and the controller version the answers showed', () => {
    expect(text.startsWith('#')).toBe(true);
    expect(doc).toMatchObject({ name: 'web-session', extends: 'fresh-controller', controller: { version: '30.2.1', build: 9046 } });
  });

  it("keeps every exchange in order, with the headers that matter and the secrets scrubbed", () => {
    const ex = doc.exchanges as any[];
    expect(ex).toHaveLength(session.count);
    expect(ex.map((e) => e.response.status).slice(0, 3)).toEqual([401, 401, 200]);
    expect(ex[0].session).toBeUndefined();
    expect(ex[1].request).toEqual({ method: 'POST', path: '/login', headers: { 'Content-Type': 'application/json' }, body: { username: 'admin', password: '<scrubbed>' } });
    const put = ex[session.putIndex - 1];
    expect(put.request.method).toBe('PUT');
    expect(put.request.path).toBe(`/api/pool/${session.poolUuid}`);
    expect(put.request.headers).toMatchObject({ 'X-Avi-Version': '22.1.3', 'X-Avi-Tenant': 'admin', 'Content-Type': 'application/json' });
    expect(Object.keys(put.request.headers).some((h) => /cookie|csrf/i.test(h))).toBe(false);
    // refs the client sent and got back are host-less (with their names where the controller gave them)
    expect(put.request.body.cloud_ref).toMatch(/^\/api\/cloud\/cloud-[0-9a-f-]{36}$/);
    expect(put.response.body.lb_algorithm).toBe('LB_ALGORITHM_ROUND_ROBIN');
    const created = ex.find((e) => e.request.method === 'POST' && e.request.path === '/api/pool');
    expect(created.response.body.cloud_ref).toMatch(/^\/api\/cloud\/cloud-[0-9a-f-]{36}#Default-Cloud$/);
    expect(created.response.headers.Location).toBe(`/api/pool/${session.poolUuid}#web-pool`);
    expect(ex.find((e) => e.request.path.startsWith('/api/pool?name.contains=web')).request.path).toBe('/api/pool?name.contains=web&fields=lb_algorithm,servers&page_size=10');
    const cert = ex.find((e) => e.request.path === '/api/sslkeyandcertificate');
    expect(cert.request.body).toMatchObject({ key: '<scrubbed>', key_passphrase: '<scrubbed>' });
    // the controller never shows the key (no export_key)
    expect(cert.response.body).not.toHaveProperty('key');
    expect(ex.find((e) => e.request.path === '/api/user-token').response.body.token).toBe('<scrubbed>');
    expect(ex.find((e) => e.request.path.startsWith('/policy/')).request.headers.Authorization).toBe('Basic <scrubbed>');
    // the form login of the second client
    const formLogin = ex[session.count - 2];
    expect(formLogin.request.body).toBe('username=admin&password=<scrubbed>');
    expect(formLogin.session).toBe(2);
    expect(ex[session.count - 1].session).toBe(2);
    expect(put.session).toBe(1);
  });

  it("lists every object touched or read in its final state, refs plain, deleted ones gone", () => {
    const objects = (doc.objects as Array<Record<string, any>>).map((o) => {
      const [type, body] = Object.entries(o)[0]!;
      return { type, body };
    });
    const byName = (type: string, name: string) => objects.find((o) => o.type === type && o.body.name === name)?.body;
    const pool = byName('pool', 'web-pool');
    expect(pool).toMatchObject({ uuid: session.poolUuid, lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN' });
    expect(pool.servers.map((s: any) => s.ip.addr)).toEqual(['10.60.0.1', '10.60.0.2']);
    expect(pool.cloud_ref).toMatch(/^\/api\/cloud\/cloud-[0-9a-f-]{36}$/);
    // never read by the client, but named on a ref it was shown: loadable by name on the base
    expect(pool.vrf_ref).toBe('/api/vrfcontext/?name=global');
    expect(pool).not.toHaveProperty('url');
    expect(pool).not.toHaveProperty('_last_modified');
    expect(byName('vsvip', 'web-vip').vip[0].ip_address.addr).toBe(session.vip);
    expect(byName('network', 'vip-net')).toBeDefined();
    expect(byName('cloud', 'Default-Cloud')).toBeDefined();
    expect(byName('tenant', 'admin')).toBeDefined();
    expect(byName('sslkeyandcertificate', 'web-cert').certificate.subject.common_name).toBe('web.example');
    expect(byName('sslkeyandcertificate', 'web-cert')).not.toHaveProperty('key');
    expect(objects.some((o) => o.type === 'virtualservice')).toBe(false);
    expect(objects.some((o) => o.body.name === 'bad-pool')).toBe(false);
  });

  it('seeds a fresh avisim: the recorded objects load, in their final state', async () => {
    const seeded = await startAvisim({ scenario: file, adminPassword: REPLAY_PASSWORD });
    try {
      const pool = (await seeded.client.get('/api/pool?name=web-pool')).body.results[0];
      expect(pool.uuid).toBe(session.poolUuid);
      expect(pool.servers.map((s: any) => s.ip.addr)).toEqual(['10.60.0.1', '10.60.0.2']);
      const vsvip = (await seeded.client.get('/api/vsvip?name=web-vip')).body.results[0];
      expect(vsvip.vip[0].ip_address.addr).toBe(session.vip);
      // the pool's VRF was filled in by the recorded controller and never read by the client:
      // the scenario names it, so it resolves to the base scenario's VRF of that name
      const vrf = (await seeded.client.get(`/api/vrfcontext/${pool.vrf_ref.split('/').pop()}`)).body;
      expect(vrf.name).toBe('global');
      expect((await seeded.client.get('/api/pool?name=bad-pool')).body.count).toBe(0);
    } finally {
      await seeded.close();
    }
  });

  it('replays against a fresh avisim with every exchange matching', async () => {
    const lines: string[] = [];
    const result = await replay(await loadExchanges(file), {
      target: target.url,
      password: REPLAY_PASSWORD,
      nsxPassword: target.engine.nsx.password,
      onResult: (r) => lines.push(formatResult(r)),
    });
    const failures = result.results.filter((r) => !r.match).map((r) => formatResult(r));
    expect(failures).toEqual([]);
    expect(result).toMatchObject({ ok: true, matched: session.count, total: session.count });
    expect(formatSummary(result)).toBe(`${session.count}/${session.count} exchanges match (100%)`);
    expect(lines[session.putIndex - 1]).toBe(`✓ ${session.putIndex} PUT /api/pool/${session.poolUuid} 200`);
    // the replay made the objects anew on the target, under uuids of its own
    const live = await target.client.get('/api/pool?name=web-pool');
    expect(live.body.results[0].uuid).not.toBe(session.poolUuid);
    expect(live.body.results[0].lb_algorithm).toBe('LB_ALGORITHM_ROUND_ROBIN');
    expect(live.body.results[0].servers).toHaveLength(2);
  });

  it('reports the exchange whose recorded answer was changed, and fails', async () => {
    target.reset();
    const altered = load(readFileSync(file, 'utf8')) as any;
    altered.exchanges[session.putIndex - 1].response.body.lb_algorithm = 'LB_ALGORITHM_FASTEST_RESPONSE';
    const alteredFile = path.join(dir, 'altered.yaml');
    writeFileSync(alteredFile, dump(altered));
    const result = await replay(await loadExchanges(alteredFile), { target: target.url, password: REPLAY_PASSWORD, nsxPassword: target.engine.nsx.password });
    expect(result.ok).toBe(false);
    expect(result.matched).toBe(session.count - 1);
    const bad = result.results.filter((r) => !r.match);
    expect(bad.map((r) => r.index)).toEqual([session.putIndex]);
    expect(bad[0]!.differences).toEqual([{ path: '$.lb_algorithm', expected: 'LB_ALGORITHM_FASTEST_RESPONSE', actual: 'LB_ALGORITHM_ROUND_ROBIN' }]);
    expect(formatResult(bad[0]!)).toBe(
      `✗ ${session.putIndex} PUT /api/pool/${session.poolUuid}: $.lb_algorithm differs (status 200 as recorded)\n    $.lb_algorithm: expected "LB_ALGORITHM_FASTEST_RESPONSE" got "LB_ALGORITHM_ROUND_ROBIN"`,
    );
  });
});

describe('the avisim record and avisim replay commands', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  function run(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output: () => out, exited };
  }

  it('each has its own --help', async () => {
    const record = run(['record', '--help']);
    const replayHelp = run(['replay', '--help']);
    expect(await record.exited).toBe(0);
    expect(await replayHelp.exited).toBe(0);
    for (const flag of ['--upstream', '--out', '--port', '--host', '--https', '--insecure', '--base']) expect(record.output()).toContain(flag);
    for (const flag of ['--target', '--username', '--password', '--insecure', '--report', 'AVISIM_PASSWORD', '--seed']) expect(replayHelp.output()).toContain(flag);
  });

  it('record writes the file on SIGINT; replay exits 0 when it matches and 1 when it does not', async () => {
    const file = path.join(dir, 'cli.yaml');
    const rec = run(['record', '--upstream', upstream.url, '--out', file, '--port', '0', '--insecure']);
    const proxyUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no proxy URL printed:\n${rec.output()}`)), 20_000);
      rec.child.stdout!.on('data', () => {
        const m = /proxy (http:\/\/\S+)/.exec(rec.output());
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const c = new AvisimClient(proxyUrl);
    await c.login('admin', UPSTREAM_PASSWORD);
    expect((await c.post('/api/pool', { name: 'cli-pool' })).status).toBe(201);
    expect((await c.post('/logout')).status).toBe(200);
    c.close();
    rec.child.kill('SIGINT');
    expect(await rec.exited).toBe(0);
    expect(rec.output()).toMatch(/wrote .*cli\.yaml \(3 exchanges, 1 objects\)/);
    expect(readFileSync(file, 'utf8')).not.toContain(UPSTREAM_PASSWORD);

    target.reset();
    const ok = run(['replay', file, '--target', target.url], { AVISIM_PASSWORD: REPLAY_PASSWORD });
    expect(await ok.exited, ok.output()).toBe(0);
    expect(ok.output()).toContain('✓ 2 POST /api/pool 201');
    expect(ok.output()).toContain('3/3 exchanges match (100%)');

    target.reset();
    const altered = load(readFileSync(file, 'utf8')) as any;
    altered.exchanges[1].response.status = 200;
    writeFileSync(file, dump(altered));
    const bad = run(['replay', file, '--target', target.url, '--password', REPLAY_PASSWORD, '--report', 'json']);
    expect(await bad.exited).toBe(1);
    const report = JSON.parse(bad.output());
    expect(report).toMatchObject({ ok: false, matched: 2, total: 3, summary: '2/3 exchanges match (66.7%)' });
    expect(report.results[1]).toMatchObject({ index: 2, expectedStatus: 200, status: 201, match: false });
  });

  it('replay exits 2 when it cannot run (no password for a recording that logs in)', async () => {
    const file = path.join(dir, 'login-only.yaml');
    const login = { session: 1, request: { method: 'POST', path: '/login', body: { username: 'admin', password: '<scrubbed>' } }, response: { status: 200 } };
    writeFileSync(file, dump({ name: 'login-only', exchanges: [login] }));
    const res = run(['replay', file, '--target', target.url], { AVISIM_PASSWORD: '' });
    expect(await res.exited).toBe(2);
    expect(res.output()).toContain('--password');
  });
});

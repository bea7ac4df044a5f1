/**
 * What a stranger on the network can do to a running simulator: over-size bodies answered 413
 * (not reset), bodies never buffered before credentials are checked, slow clients cut off on
 * both listeners, sandboxes not made without credentials, secrets kept out of the journal, and
 * scenarios loaded over the network only from places the operator chose.
 * Driven over real sockets (node:http, node:https, node:net, node:tls) where the wire matters.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../server/engine.js';
import { createListener, type AppOptions, type Simulator } from '../server/http/app.js';
import type { MockOptions } from '../server/mock/scopes.js';
import { Journal } from '../server/mock/journal.js';
import { startSim, TEST_HOST } from './helpers.js';
import { sessionHeaders } from './support/session.js';
import { listen, type Listening, type Timeouts } from '../server/http/listen.js';
import { loadOrGenerateTls, type TlsMaterial } from '../server/http/tls.js';

const PASSWORD = 'secret123-admin';
const NSX_PASSWORD = 'nsx-pass-Word1';

interface Live {
  engine: Engine;
  sim: Simulator;
  http: Listening;
  https: Listening;
}

const running: Listening[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.close(0)));
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

let tlsMaterial: Promise<TlsMaterial> | undefined;

/** A simulator on both listeners (127.0.0.1, free ports). */
async function serve(options: { engine?: EngineOptions; app?: AppOptions; timeouts?: Timeouts } = {}): Promise<Live> {
  const engine = await Engine.create({ adminPassword: PASSWORD, nsx: { password: NSX_PASSWORD }, ...options.engine });
  engines.push(engine);
  const sim = await createListener(engine, options.app);
  const tls = await (tlsMaterial ??= loadOrGenerateTls());
  const http = await listen(sim.listener, 0, '127.0.0.1', undefined, options.timeouts);
  const https = await listen(sim.listener, 0, '127.0.0.1', { cert: tls.cert, key: tls.key }, options.timeouts);
  running.push(http, https);
  return { engine, sim, http, https };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json?: any;
}

interface Send {
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string;
  /** writes this many 1 MiB chunks after the headers (stops when the answer comes) */
  streamMiB?: number;

  tls?: boolean;
}

/**
 * One request over a real socket. Resolves with the answer as soon as it is complete, whatever
 * the client's own writing is doing then (a server may answer before the body is all sent).
 */
function send(live: Live, s: Send): Promise<Answer> {
  const port = s.tls ? live.https.port : live.http.port;
  const make = s.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = make({ host: '127.0.0.1', port, method: s.method ?? 'GET', path: s.path, headers: s.headers, rejectUnauthorized: false, agent: false });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    // after the answer the server may close while this client still writes: not a failure
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (s.body !== undefined) req.write(s.body);
    if (s.streamMiB) {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let left = s.streamMiB;
      const pump = () => {
        while (left > 0 && !answered && !req.destroyed) {
          left--;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (left === 0) req.end();
      };
      pump();
    } else if (s.headers?.['content-length'] === undefined || s.body !== undefined) req.end();
  });
}

const json = { 'content-type': 'application/json' };

async function login(live: Live): Promise<Record<string, string>> {
  const res = await send(live, { method: 'POST', path: '/login', headers: json, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  expect(res.status, res.text).toBe(200);
  const session = sessionHeaders(res.headers['set-cookie']);
  return { cookie: session.Cookie, 'x-csrftoken': session['X-CSRFToken'] };
}

const nsxBasic = { authorization: `Basic ${Buffer.from(`admin:${NSX_PASSWORD}`).toString('base64')}` };

describe('over-size bodies', () => {
  it('the API answers 413 in its error format with Connection: close, and the client reads it (declared length and chunked)', async () => {
    const live = await serve();
    const session = await login(live);
    const declared = await send(live, {
      method: 'POST',
      path: '/api/pool',
      headers: { ...session, ...json, 'content-length': String(33 * 1024 * 1024) },
      streamMiB: 33,
    });
    expect(declared.status).toBe(413);
    expect(declared.json).toEqual({ error: 'Request body too large' });
    expect(declared.headers.connection).toBe('close');
    // the server is fine afterwards
    expect((await send(live, { path: '/api/cluster/status' })).status).toBe(200);
  });

  it('a chunked body is counted as it comes (over HTTPS here) and refused the same way', async () => {
    const live = await serve({ app: { bodyLimit: 1024 * 1024 } });
    const session = await login(live);
    const chunked = await send(live, { tls: true, method: 'PUT', path: '/api/pool/x', headers: { ...session, ...json }, streamMiB: 4 });
    expect(chunked.status).toBe(413);
    expect(chunked.json).toEqual({ error: 'Request body too large' });
    expect(chunked.headers.connection).toBe('close');
  });

  it('the NSX stub answers 413 with its own error body', async () => {
    const live = await serve();
    const res = await send(live, {
      method: 'PATCH',
      path: '/policy/api/v1/infra/tier-1s/t1',
      headers: { ...nsxBasic, ...json },
      streamMiB: 3,
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ httpStatus: 'PAYLOAD_TOO_LARGE', error_message: 'Request body too large.' });
    expect(typeof res.json.error_code).toBe('number');
    expect(res.headers.connection).toBe('close');
  });

  it('the control plane answers 413 as {"error"}', async () => {
    const live = await serve();
    const res = await send(live, {
      method: 'PUT',
      path: '/_mock/snapshot',
      headers: { ...json, 'content-length': String(65 * 1024 * 1024) },
      streamMiB: 2,
    });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: 'Request body too large' });
    expect(res.headers.connection).toBe('close');
  });

  it('a body read ahead for a fault rule that is too large is the handler\'s 413 too', async () => {
    const live = await serve({ app: { bodyLimit: 1024 * 1024 } });
    const session = await login(live);
    const rule = await send(live, {
      method: 'POST',
      path: '/_mock/faults',
      headers: json,
      body: JSON.stringify({ match: { method: 'POST', path: '/api/pool', body: { name: 'x' } }, status: 500 }),
    });
    expect(rule.status).toBe(201);
    const res = await send(live, { method: 'POST', path: '/api/pool', headers: { ...session, ...json }, streamMiB: 3 });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: 'Request body too large' });
  });
});

describe('bodies and credentials', () => {
  /** headers and a first KiB of a body declared far larger: an answer can only come before the rest */
  const partial = (size: number) => ({ 'content-length': String(size) });
  const kib = 'x'.repeat(1024);

  it('an API call without credentials is refused before its body is read', async () => {
    const live = await serve();
    const res = await send(live, { method: 'POST', path: '/api/pool', headers: { ...json, ...partial(30 * 1024 * 1024) }, body: kib });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: 'Authentication credentials were not provided.' });
  });

  /**
   * Sends a request head and the first MiB of its body over a raw socket, reads the answer to
   * its end (the server's FIN), then sends more: the write must go through. A server that closed
   * with the body unread would have reset the connection, and a client still sending (most
   * clients send the whole body before they read) could lose the answer to that reset.
   */
  async function earlyAnswer(port: number, head: string): Promise<string> {
    const socket = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
    await new Promise((r) => socket.once('connect', r));
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const ended = new Promise((resolve, reject) => {
      socket.once('end', resolve);
      socket.once('error', reject);
    });
    socket.write(head);
    socket.write(Buffer.alloc(1024 * 1024, 0x20));
    await ended;
    await new Promise((r) => setImmediate(r));
    await new Promise<void>((resolve, reject) => socket.write(Buffer.alloc(64 * 1024, 0x20), (e) => (e ? reject(e) : resolve())));
    socket.destroy();
    return got;
  }

  it('an answer given before the body is read half-closes the connection and drops the rest, no reset', async () => {
    const live = await serve();
    const head = (method: string, path: string, length: number) =>
      `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
    expect(await earlyAnswer(live.http.port, head('POST', '/api/pool', 20 * 1024 * 1024))).toMatch(/^HTTP\/1\.1 401 /);
    expect(await earlyAnswer(live.http.port, head('PUT', '/policy/api/v1/infra/tier-1s/t1', 20 * 1024 * 1024))).toMatch(/^HTTP\/1\.1 403 /);
    expect(await earlyAnswer(live.http.port, head('POST', '/nothing/here', 20 * 1024 * 1024))).toMatch(/^HTTP\/1\.1 501 /);
    expect(await earlyAnswer(live.http.port, head('POST', '/login', 20 * 1024 * 1024))).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('nor is it read ahead for a fault rule that matches on bodies', async () => {
    const live = await serve();
    await send(live, {
      method: 'POST',
      path: '/_mock/faults',
      headers: json,
      body: JSON.stringify({ match: { path: '/api/pool', body: { name: 'x' } }, status: 500 }),
    });
    const res = await send(live, { method: 'POST', path: '/api/pool', headers: { ...json, ...partial(30 * 1024 * 1024) }, body: kib });
    expect(res.status).toBe(401);
  });

  it('an NSX call without credentials gets its 403 before its body is read', async () => {
    const live = await serve();
    const res = await send(live, { method: 'PATCH', path: '/policy/api/v1/infra/tier-1s/t1', headers: { ...json, ...partial(900 * 1024) }, body: kib });
    expect(res.status).toBe(403);
    expect(res.json.error_message).toContain('credentials were incorrect');
  });

  it('public routes take a small body only: /login and the NSX session create refuse 64 KiB and more', async () => {
    const live = await serve();
    const login = await send(live, { method: 'POST', path: '/login', headers: { ...json, ...partial(65 * 1024) }, body: kib });
    expect(login.status).toBe(413);
    expect(login.json).toEqual({ error: 'Request body too large' });
    const nsx = await send(live, {
      method: 'POST',
      path: '/api/session/create',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...partial(65 * 1024) },
      body: kib,
    });
    expect(nsx.status).toBe(413);
    // a real login still fits
    await login_ok(live);
  });

  async function login_ok(live: Live) {
    expect(Object.keys(await login(live))).toEqual(['cookie', 'x-csrftoken']);
  }
});

/** Resolves when the server closes the socket; the client keeps trickling until then. */
function closedWhileTrickling(socket: Socket, head: string, trickle: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve(got);
    });
    socket.write(head);
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(trickle);
    }, 40);
    setTimeout(() => reject(new Error('the server never closed the connection')), 8000).unref();
  });
}

describe('slow clients are cut off on both listeners', () => {
  const timeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600 };
  const open = (live: Live, secure: boolean): Promise<Socket> =>
    new Promise((resolve) => {
      if (secure) {
        const s = tlsConnect({ host: '127.0.0.1', port: live.https.port, rejectUnauthorized: false }, () => resolve(s));
      } else {
        const s = netConnect({ host: '127.0.0.1', port: live.http.port }, () => resolve(s));
      }
    });

  for (const secure of [false, true]) {
    const name = secure ? 'HTTPS' : 'HTTP';
    it(`${name}: headers trickled a line at a time`, async () => {
      const live = await serve({ timeouts });
      const got = await closedWhileTrickling(await open(live, secure), 'GET /api/cluster/status HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
      expect(got === '' || got.startsWith('HTTP/1.1 408')).toBe(true);
    });

    it(`${name}: a body trickled a byte at a time`, async () => {
      const live = await serve({ timeouts });
      const head = 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
      const got = await closedWhileTrickling(await open(live, secure), head, ' ');
      expect(got === '' || got.startsWith('HTTP/1.1 408')).toBe(true);
    });
  }

  it('HTTPS: a TLS handshake never finished', async () => {
    const live = await serve({ timeouts });
    const socket = netConnect({ host: '127.0.0.1', port: live.https.port });
    // a ClientHello record header, then nothing more of it
    await closedWhileTrickling(socket, '\x16\x03\x01', '');
  });
});

/** An in-process simulator (supertest), with control-plane options. */
async function inProcess(app: { mock?: MockOptions } = {}, engine: EngineOptions = {}) {
  const sim = await startSim({ adminPassword: 'secret123', nsx: { password: NSX_PASSWORD }, ...engine, mock: app.mock, login: false });
  const session = { ...(await sim.avisim.newClient()).sessionHeaders(), Host: TEST_HOST };
  return { engine: sim.engine, http: supertest(sim.app), session };
}

describe('sandboxes need credentials to be made when the control plane has a token', () => {
  const mock = { token: 'tok-1', maxSandboxes: 3 };

  it('strangers cannot fill --max-sandboxes; a logged-in client still gets its sandbox', async () => {
    const { http, session } = await inProcess({ mock });
    for (const id of ['x1', 'x2', 'x3', 'x4']) {
      const res = await http.get('/api/cluster/status').set('X-Mock-Sandbox', id);
      expect(res.status).toBe(401);
      expect(res.body.error).toContain(`No sandbox '${id}'`);
    }
    // wrong Basic credentials and a made-up token are no credentials either
    const basic = `Basic ${Buffer.from('admin:wrong').toString('base64')}`;
    expect((await http.get('/api/pool').set('X-Mock-Sandbox', 'x5').set('Authorization', basic)).status).toBe(401);
    expect((await http.get('/api/pool').set('X-Mock-Sandbox', 'x6').set('X-Mock-Token', 'tok-2')).status).toBe(401);
    expect((await http.get('/_mock/sandboxes').set('X-Mock-Token', 'tok-1')).body.count).toBe(0);

    const mine = await http.get('/api/pool').set(session).set('X-Mock-Sandbox', 'mine');
    expect(mine.status).toBe(200);
    expect((await http.get('/_mock/sandboxes').set('X-Mock-Token', 'tok-1')).body.results.map((s: any) => s.id)).toEqual(['mine']);
  });

  it('the token makes one (on a /_mock call or an API call); NSX credentials make one on NSX paths', async () => {
    const { http } = await inProcess({ mock });
    expect((await http.get('/_mock').set('X-Mock-Token', 'tok-1').set('X-Mock-Sandbox', 'by-control')).status).toBe(200);
    // the API call itself still needs its own credentials
    expect((await http.get('/api/pool').set('X-Mock-Token', 'tok-1').set('X-Mock-Sandbox', 'by-token')).status).toBe(401);
    const nsx = await http.get('/policy/api/v1/infra/tier-1s').set(nsxBasic).set('X-Mock-Sandbox', 'by-nsx');
    expect(nsx.status).toBe(200);
    const ids = (await http.get('/_mock/sandboxes').set('X-Mock-Token', 'tok-1')).body.results.map((s: any) => s.id).sort();
    expect(ids).toEqual(['by-control', 'by-nsx', 'by-token']);
  });

  it('a login with valid credentials in its body makes one (clients that log in inside their sandbox); a wrong one does not', async () => {
    const { http } = await inProcess({ mock });
    const wrong = await http.post('/login').set('X-Mock-Sandbox', 'guess').send({ username: 'admin', password: 'guess-123' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toContain("No sandbox 'guess'");
    const ok = await http.post('/login').set('X-Mock-Sandbox', 'by-login').send({ username: 'admin', password: 'secret123' });
    expect(ok.status).toBe(200);
    const form = await http
      .post('/login')
      .set('X-Mock-Sandbox', 'by-form')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('username=admin&password=secret123');
    expect(form.status).toBe(200);
    const ids = (await http.get('/_mock/sandboxes').set('X-Mock-Token', 'tok-1')).body.results.map((s: any) => s.id).sort();
    expect(ids).toEqual(['by-form', 'by-login']);
  });

  it('a login as a user made through /api/user makes one too: the same password check as /login', async () => {
    const { http, session } = await inProcess({ mock });
    const made = await http.post('/api/user').set(session).send({ name: 'api-made', username: 'api-made', password: 'Api-Made-Pw-1', is_superuser: true });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    // The password proves the caller, so the sandbox is made; the login inside it is the
    // sandbox's own (a fork of the scenario, which never held this user).
    const ok = await http.post('/login').set('X-Mock-Sandbox', 'by-api-user').send({ username: 'api-made', password: 'Api-Made-Pw-1' });
    expect(JSON.stringify(ok.body)).not.toContain('No sandbox');
    const wrong = await http.post('/login').set('X-Mock-Sandbox', 'by-api-user-wrong').send({ username: 'api-made', password: 'nope' });
    expect(wrong.status).toBe(401);
    const ids = (await http.get('/_mock/sandboxes').set('X-Mock-Token', 'tok-1')).body.results.map((s: any) => s.id);
    expect(ids).toEqual(['by-api-user']);
  });

  it('a sandbox that exists is used under the usual rules, credentials or not', async () => {
    const { http, session } = await inProcess({ mock });
    expect((await http.post('/api/pool').set(session).set('X-Mock-Sandbox', 's1').send({ name: 'only-in-s1' })).status).toBe(201);
    // public call: answered without credentials
    expect((await http.get('/api/cluster/status').set('X-Mock-Sandbox', 's1')).status).toBe(200);
    // the API's own refusal, not the sandbox one
    const denied = await http.get('/api/pool').set('X-Mock-Sandbox', 's1');
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({ error: 'Authentication credentials were not provided.' });
  });

  it('without a token (the control plane open to all) anyone may make one, as before', async () => {
    const { http } = await inProcess();
    expect((await http.get('/api/cluster/status').set('X-Mock-Sandbox', 'open')).status).toBe(200);
  });
});

describe('the journal scrubs secrets', () => {
  const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

  it('passwords, tokens, private keys and NSX session forms read <scrubbed>; the rest is kept', async () => {
    const { http, session } = await inProcess();
    await http.delete('/_mock/journal');
    expect((await http.post('/login').send({ username: 'admin', password: 'secret123' })).status).toBe(200);
    await http.post('/login').send({ username: 'admin', token: 'tok-abcdef-123456' });
    await http.put('/api/useraccount').set(session).send({ username: 'admin', old_password: 'secret123', password: 'new-pass-456' });
    await http
      .post('/api/sslkeyandcertificate')
      .set(session)
      .send({ name: 'web-cert', key: 'raw-key-material-xyz', key_passphrase: 'pass-phrase-789', certificate: { certificate: 'CERT' } });
    await http.post('/api/pool').set(session).send({ name: 'p1', description: `a pem ${PEM} and the password secret123 again` });
    await http.delete('/api/user-token?token=tok-abcdef-123456').set(session);
    await http
      .post('/api/session/create')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`j_username=admin&j_password=${encodeURIComponent(NSX_PASSWORD)}`);

    const journal = await http.get('/_mock/journal');
    expect(journal.status).toBe(200);
    for (const secret of ['secret123', 'tok-abcdef-123456', 'new-pass-456', 'raw-key-material-xyz', 'pass-phrase-789', 'MIIEvQIBADAN', NSX_PASSWORD]) {
      expect(journal.text).not.toContain(secret);
    }
    const byPath = (path: string) => journal.body.results.filter((e: any) => e.path === path).map((e: any) => e.body);
    expect(byPath('/login')).toEqual([
      { username: 'admin', password: '<scrubbed>' },
      { username: 'admin', token: '<scrubbed>' },
    ]);
    expect(byPath('/api/useraccount')[0]).toEqual({ username: 'admin', old_password: '<scrubbed>', password: '<scrubbed>' });
    expect(byPath('/api/sslkeyandcertificate')[0]).toMatchObject({ name: 'web-cert', key: '<scrubbed>', key_passphrase: '<scrubbed>', certificate: { certificate: 'CERT' } });
    expect(byPath('/api/pool')[0].description).toBe('a pem <scrubbed>\n and the password <scrubbed> again');
    expect(journal.body.results.find((e: any) => e.path === '/api/user-token').query).toBe('token=<scrubbed>');
    expect(byPath('/api/session/create')[0]).toEqual({ j_username: 'admin', j_password: '<scrubbed>' });
  });

  it('verify shows near misses scrubbed and cannot be used to guess a secret', async () => {
    const { http } = await inProcess();
    await http.delete('/_mock/journal');
    await http.post('/login').send({ username: 'admin', password: 'secret123' });
    const miss = await http.post('/_mock/verify').send({ method: 'PUT', path: '/login' });
    expect(miss.status).toBe(417);
    expect(miss.body.near_misses[0].request.body).toEqual({ username: 'admin', password: '<scrubbed>' });
    expect(miss.text).not.toContain('secret123');
    const guess = await http.post('/_mock/verify').send({ path: '/login', body: { password: 'secret123' } });
    expect(guess.body.verified).toBe(false);
    expect(guess.text).not.toContain('"secret123"}');
  });

  it('a fault rule still matches the body as sent, secrets included', async () => {
    const { http } = await inProcess();
    const rule = await http.post('/_mock/faults').send({ match: { path: '/login', body: { password: 'secret123' } }, status: 418, error: 'no tea' });
    expect(rule.status).toBe(201);
    expect((await http.post('/login').send({ username: 'admin', password: 'other-password' })).status).toBe(401);
    const hit = await http.post('/login').send({ username: 'admin', password: 'secret123' });
    expect(hit.status).toBe(418);
    expect(hit.body).toEqual({ error: 'no tea' });
  });
});

describe('the journal is bounded in bytes', () => {
  const entry = (i: number, body: unknown, bodyBytes: number) => ({
    method: 'POST',
    path: `/api/pool`,
    tenant: 'admin',
    arrived: 0,
    query: '',
    status: 201,
    duration_ms: 0,
    body: { i, ...(body as object) },
    bodyBytes,
  });

  it('a body over the per-entry bound is kept as a marker with a scrubbed preview', () => {
    const j = new Journal(10, { bytes: 10_000, entryBytes: 1000 });
    j.add(entry(1, { name: 'big', password: 'hunter2-hunter2', description: 'd'.repeat(2000) }, 2100));
    const [shown] = j.entries();
    expect(shown!.body).toMatchObject({ _truncated: true, bytes: 2100 });
    const preview = (shown!.body as any).preview as string;
    expect(preview.startsWith('{"i":1,"name":"big","password":"<scrubbed>","description":"ddd')).toBe(true);
    expect(preview.length).toBe(512);
  });

  it('past the total, the oldest bodies become markers; the entries stay and are still counted', () => {
    const j = new Journal(10, { bytes: 1000, entryBytes: 1000 });
    for (let i = 0; i < 5; i++) j.add(entry(i, { name: `p${i}` }, 400));
    const bodies = j.entries().map((e) => e.body as any);
    expect(bodies.map((b) => b._truncated === true)).toEqual([true, true, true, false, false]);
    expect(bodies[4]).toEqual({ i: 4, name: 'p4' });
    expect(j.verify({ method: 'POST', path: '/api/pool' }, { count: 5 }).verified).toBe(true);
  });

  it('over HTTP: a large body is shown truncated, a small one whole', async () => {
    const { http, session } = await inProcess({ mock: { journalEntryBytes: 1024 } });
    await http.delete('/_mock/journal');
    await http.post('/api/pool').set(session).send({ name: 'small' });
    const large = { name: 'large', description: 'x'.repeat(4000) };
    await http.post('/api/pool').set(session).send(large);
    const bodies = (await http.get('/_mock/journal?path=/api/pool')).body.results.map((e: any) => e.body);
    expect(bodies[0]).toEqual({ name: 'small' });
    expect(bodies[1]).toMatchObject({ _truncated: true, bytes: JSON.stringify(large).length });
    expect(bodies[1].preview).toMatch(/^\{"name":"large","description":"x+$/);
  });
});

describe('scenarios over the network', () => {
  /** the answer and whether anything of `file`'s content shows in it */
  async function attempt(http: ReturnType<typeof supertest>, body: unknown) {
    const res = await http.post('/_mock/scenario').send(body as object);
    return { status: res.status, error: String(res.body.error ?? ''), text: res.text };
  }

  it('are never loaded by path: absolute, relative, or as a name with separators', async () => {
    const { http } = await inProcess();
    const passwd = await attempt(http, { path: '/etc/passwd' });
    expect(passwd.status).toBe(400);
    expect(passwd.error).toContain('not loaded by path');
    expect(passwd.text).not.toContain('root:');
    expect((await attempt(http, { path: 'seeds/fresh-controller.yaml' })).status).toBe(400);
    for (const name of ['/etc/passwd', '../../../../etc/passwd', 'seeds/fresh-controller', '..', '.hidden', 'package.json', 'tsconfig']) {
      const res = await attempt(http, { name });
      expect(res.status, name).toBe(404);
      expect(res.error).toContain(`unknown scenario '${name}'`);
      expect(res.text).not.toContain('root:');
      expect(res.text).not.toContain('devDependencies');
      expect(res.text).not.toContain('compilerOptions');
    }
    expect((await http.get('/_mock/scenario')).body.name).toBe('fresh-controller');
  });

  it("inline text cannot reach a file through extends; its own mistakes are told in full", async () => {
    const { http } = await inProcess();
    for (const base of ['/etc/passwd', '../../../../../../etc/passwd', 'package.json']) {
      const res = await attempt(http, { yaml: `extends: ${base}\nname: x\n` });
      expect(res.status, base).toBe(400);
      expect(res.error).toContain(`uploaded.yaml: extends: unknown scenario '${base}'`);
      expect(res.text).not.toContain('root:');
      expect(res.text).not.toContain('devDependencies');
    }
    const bad = await attempt(http, { yaml: 'name: x\nobjects: [ {pool: {name: "p"} \n' });
    expect(bad.status).toBe(400);
    expect(bad.error).toContain('uploaded.yaml');
    expect(bad.error).toContain('is not valid YAML');
    // a built-in base is fine
    expect((await attempt(http, { yaml: 'extends: fresh-controller\nname: inline-ok\n' })).status).toBe(200);
  });

  it('a file of --scenario-dir loads by name; its errors never show its content', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'avisim-dir-'));
    await writeFile(join(dir, 'lab.yml'), 'extends: fresh-controller\nname: lab\n');
    await writeFile(join(dir, 'child.json'), JSON.stringify({ extends: 'lab', name: 'child' }));
    await writeFile(join(dir, 'broken.yaml'), 'name: broken\nsecret-line: [never closed\n');
    await writeFile(join(dir, 'creds.json'), JSON.stringify({ aws_secret_access_key: 'AKIA-not-for-you' }));
    await writeFile(join(dir, 'escape.yaml'), 'extends: /etc/passwd\n');
    const { http } = await inProcess({ mock: { scenarioDir: dir } });
    expect((await attempt(http, { name: 'lab' })).status).toBe(200);
    expect((await attempt(http, { name: 'lab.yml' })).status).toBe(200);
    const child = await attempt(http, { name: 'child' });
    expect(child.status, child.error).toBe(200);
    expect((await attempt(http, { yaml: 'extends: lab\nname: on-lab\n' })).status).toBe(200);
    for (const [name, content] of [
      ['broken', 'secret-line'],
      ['creds', 'aws_secret_access_key'],
      ['escape', 'root:'],
    ] as const) {
      const res = await attempt(http, { name });
      expect(res.status, name).toBe(400);
      expect(res.error).toContain('did not load');
      expect(res.text).not.toContain(content);
    }
    expect((await http.get('/_mock/scenario')).body.name).toBe('on-lab');
  });
});

describe('exposure by default', () => {
  it('the image keeps listening on every interface through its environment', async () => {
    const { readFile } = await import('node:fs/promises');
    const dockerfile = await readFile(new URL('../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^\s*AVISIM_HOST=0\.0\.0\.0\b/m);
  });
});

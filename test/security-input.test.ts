/**
 * Hostile input over HTTP: nothing a client sends may reach Object.prototype (and through it the
 * session check), nest deeper than the server can walk, or be taken for what it is not (JSON
 * sent as text or multipart, `X-Avi-Tenant: *` on a write, absurd user-token lifetimes).
 */
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { upsertTier1 } from '../server/nsxt/routes.js';
import { adminPassword, client, startSim, type Sim, serveEngine } from './helpers.js';

type Data = Record<string, any>;

/** Every key Object.prototype has now, to compare before and after an attempt. */
const prototypeKeys = () => Reflect.ownKeys(Object.prototype).map(String).sort();
const PRISTINE = prototypeKeys();

/** Deep JSON text: `{"a":{"a":...1...}}`, `depth` objects. */
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** Deep JSON text: `[[[...]]]`, `depth` lists. */
const deepList = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

afterEach(() => {
  // A failing test must not leave the process polluted for the tests after it.
  for (const key of prototypeKeys()) if (!PRISTINE.includes(key)) delete (Object.prototype as Data)[key];
});

let sim: Sim;
let api: ReturnType<typeof client>;
let pool: Data;

beforeAll(async () => {
  sim = await startSim();
  api = client(sim);
  pool = await api.create('pool', { name: 'target', servers: [{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 80 }] });
});

/** The app still refuses a caller without credentials, and Object.prototype holds nothing new. */
async function expectUntouched(): Promise<void> {
  expect(prototypeKeys()).toEqual(PRISTINE);
  expect(({} as Data)['x-avisim-public']).toBeUndefined();
  const anonymous = await request(sim.app).get('/api/pool');
  expect(anonymous.status).toBe(401);
  expect(anonymous.body).toEqual({ error: 'Authentication credentials were not provided.' });
  const write = await request(sim.app).post('/api/pool').send({ name: 'anonymous-write' });
  expect(write.status).toBe(401);
}

async function poolNow(): Promise<Data> {
  const res = await api.get(`/api/pool/${pool.uuid}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('json_patch never follows the prototype', () => {
  const vectors: Array<[string, Data[]]> = [
    ['add /__proto__/x-avisim-public', [{ op: 'add', path: '/__proto__/x-avisim-public', value: true }]],
    ['add /__proto__/authenticate', [{ op: 'add', path: '/__proto__/authenticate', value: 'x' }]],
    ['add /servers/0/__proto__/x-avisim-public', [{ op: 'add', path: '/servers/0/__proto__/x-avisim-public', value: true }]],
    ['replace /__proto__/toString', [{ op: 'replace', path: '/__proto__/toString', value: 1 }]],
    ['remove /__proto__/hasOwnProperty', [{ op: 'remove', path: '/__proto__/hasOwnProperty' }]],
    ['copy into /__proto__', [{ op: 'copy', from: '/name', path: '/__proto__/x-avisim-public' }]],
    ['copy the prototype itself', [{ op: 'copy', from: '/__proto__', path: '/description' }]],
    ['move out of /servers/0/__proto__', [{ op: 'move', from: '/servers/0/__proto__/valueOf', path: '/description' }]],
    ['add /constructor/prototype/x-avisim-public', [{ op: 'add', path: '/constructor/prototype/x-avisim-public', value: true }]],
    ['add /servers/0/constructor/prototype/authenticate', [{ op: 'add', path: '/servers/0/constructor/prototype/authenticate', value: 1 }]],
    ['test /__proto__', [{ op: 'test', path: '/__proto__', value: {} }]],
  ];

  it.each(vectors)('%s → 400 naming the path; nothing polluted, auth still required', async (_name, ops) => {
    const before = await poolNow();
    const res = await api.patch(`/api/pool/${pool.uuid}`, { json_patch: ops });
    expect(res.status, res.text).toBe(400);
    const named = String(ops[0]!.from ?? '').match(/__proto__|constructor/) ? ops[0]!.from : ops[0]!.path;
    expect(res.body.error).toContain(named);
    await expectUntouched();
    expect(await poolNow()).toEqual(before);
  });

  it('a pointer written with a \\u escape is refused the same way', async () => {
    const raw = '{"json_patch":[{"op":"add","path":"/\\u005f_proto__/x-avisim-public","value":true}]}';
    const res = await api.raw('patch', `/api/pool/${pool.uuid}`, raw);
    expect(res.status).toBe(400);
    await expectUntouched();
  });

  it('only follows indexes a list has: no sign, no leading zero, no inherited names', async () => {
    for (const path of ['/servers/length', '/servers/-1/port', '/servers/00/port', '/servers/1/port', '/servers//port']) {
      const res = await api.patch(`/api/pool/${pool.uuid}`, { json_patch: [{ op: 'replace', path, value: 81 }] });
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toMatch(/does not exist|bad json_patch index/);
    }
    const ok = await api.patch(`/api/pool/${pool.uuid}`, { json_patch: [{ op: 'replace', path: '/servers/0/port', value: 81 }] });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.servers[0].port).toBe(81);
  });
});

describe('no body may carry a __proto__ key', () => {
  it('POST with a top-level __proto__ → 400 naming it, nothing created', async () => {
    const raw = '{"name":"proto-pool","__proto__":{"x-avisim-public":true}}';
    const res = await api.raw('post', '/api/pool', raw);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Invalid data: field '__proto__' is not allowed" });
    expect((await api.get('/api/pool?name=proto-pool')).body.count).toBe(0);
    await expectUntouched();
  });

  it('PATCH add/replace/delete forms with __proto__ inside → 400, object unchanged', async () => {
    const before = await poolNow();
    for (const raw of [
      '{"replace":{"__proto__":{"x-avisim-public":true}}}',
      '{"add":{"servers":[{"__proto__":{"authenticate":1}}]}}',
      '{"delete":{"__proto__":{"toString":1}}}',
    ]) {
      const res = await api.raw('patch', `/api/pool/${pool.uuid}`, raw);
      expect(res.status, raw).toBe(400);
      expect(res.body.error, raw).toMatch(/^Invalid data: field '.*__proto__' is not allowed$/);
    }
    await expectUntouched();
    expect(await poolNow()).toEqual(before);
  });

  it('add/replace naming constructor or prototype assign nothing but own fields', async () => {
    const res = await api.patch(`/api/pool/${pool.uuid}`, {
      add: { constructor: { prototype: { 'x-avisim-public': true } } },
      replace: { prototype: { authenticate: 1 } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).not.toHaveProperty('constructor');
    expect(res.body).not.toHaveProperty('prototype');
    await expectUntouched();
  });

  it('a form body (urlencoded or multipart) with a __proto__ field → 400', async () => {
    const anon = request(sim.app);
    const form = await anon.post('/login').type('form').send('__proto__=x&username=admin&password=x');
    expect(form.status).toBe(400);
    expect(form.body).toEqual({ error: "Invalid data: field '__proto__' is not allowed" });
    const multipart = await anon.post('/login').field('__proto__', 'x').field('username', 'admin');
    expect(multipart.status).toBe(400);
    await expectUntouched();
  });

  it('nor may a scenario, even through a YAML merge key', async () => {
    const fresh = await startSim();
    const yaml = [
      'extends: fresh-controller',
      'objects:',
      '  - pool: &b { name: first, __proto__: { x-avisim-public: true } }',
      '  - pool: { <<: *b, name: merged }',
    ].join('\n');
    const res = await fresh.http.post('/_mock/scenario').send({ yaml });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/objects\[0\]\.pool\.__proto__: is not allowed/);
    expect((await client(fresh).get('/api/pool?name=merged')).body.count).toBe(0);
    await expectUntouched();
  });

  it('the control plane refuses it too', async () => {
    const verify = await sim.http.post('/_mock/verify').set('Content-Type', 'application/json').send('{"body":{"__proto__":{}}}');
    expect(verify.status).toBe(400);
    expect(verify.body.error).toMatch(/__proto__/);
    await expectUntouched();
  });
});

describe('lookups of client-named keys see own fields only', () => {
  it('the public flag of an operation is its own, never an inherited one', async () => {
    // Simulates a polluted prototype: the session check must not read it.
    (Object.prototype as Data)['x-avisim-public'] = true;
    try {
      const res = await request(sim.app).get('/api/pool');
      expect(res.status).toBe(401);
    } finally {
      delete (Object.prototype as Data)['x-avisim-public'];
    }
  });

  it('?search=(constructor,...) and ?sort=constructor match no inherited field', async () => {
    const res = await api.get('/api/pool?search=(constructor,native)');
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(0);
    expect((await api.get('/api/pool?isearch=(__proto__,object)')).body.count).toBe(0);
    expect((await api.get('/api/pool?sort=constructor,-__proto__')).status).toBe(200);
  });
});

describe('deep JSON is refused at parse time', () => {
  it('a json_patch value nested 10,000 deep → 400 in the API format, object unchanged', async () => {
    const before = await poolNow();
    const raw = `{"json_patch":[{"op":"add","path":"/description","value":${deepObject(10_000)}}]}`;
    const res = await api.raw('patch', `/api/pool/${pool.uuid}`, raw);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Invalid data: JSON nested deeper than 64 levels' });
    expect(await poolNow()).toEqual(before);
  });

  it('64 levels are accepted, 65 are not', async () => {
    // a 62-deep value under {"json_patch":[{...}]} reaches 65 levels
    const at = (depth: number) => `{"json_patch":[{"op":"add","path":"/markers","value":[${deepObject(depth)}]}]}`;
    const ok = await api.raw('patch', `/api/pool/${pool.uuid}`, at(60));
    expect(ok.status, ok.text).not.toBe(500);
    expect(ok.body.error ?? '').not.toMatch(/nested deeper/);
    const refused = await api.raw('patch', `/api/pool/${pool.uuid}`, at(61));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/nested deeper than 64 levels/);
  });

  it('json_patch cannot build a document deeper than a body may be', async () => {
    const before = await poolNow();
    // each copy of the whole object into itself nests it one level deeper
    const ops = Array.from({ length: 80 }, () => ({ op: 'copy', from: '', path: '/description' }));
    const res = await api.patch(`/api/pool/${pool.uuid}`, { json_patch: ops });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/would nest the object deeper than 64 levels/);
    expect(await poolNow()).toEqual(before);
  });

  it('a 5,000-deep body to /login without credentials → 400; the journal and verify still answer', async () => {
    const fresh = await startSim();
    await fresh.http.delete('/_mock/journal');
    for (const raw of [deepList(5_000), `{"username":"admin","password":${deepObject(5_000)}}`]) {
      const res = await request(fresh.app).post('/login').set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^Invalid data: JSON nested deeper than 64 levels$/);
    }
    const journal = await fresh.http.get('/_mock/journal?path=/login');
    expect(journal.status).toBe(200);
    expect(journal.body.results.map((e: Data) => e.status)).toEqual([400, 400]);
    const verify = await fresh.http.post('/_mock/verify').send({ path: '/login', status: 400, count: 2 });
    expect(verify.status).toBe(200);
    expect(verify.body.verified).toBe(true);
    const miss = await fresh.http.post('/_mock/verify').send({ path: '/login', body: { username: 'admin' }, count: 1 });
    expect(miss.status).toBe(417);
  });

  it('a body read ahead for a fault rule is kept safely too', async () => {
    const fresh = await startSim();
    const rule = await fresh.http.post('/_mock/faults').send({ match: { path: '/login', body: { username: 'x' } }, status: 503 });
    expect(rule.status).toBe(201);
    await fresh.http.delete('/_mock/journal');
    const res = await request(fresh.app).post('/login').set('Content-Type', 'application/json').send(deepObject(5_000));
    expect(res.status).toBe(400);
    expect((await fresh.http.get('/_mock/journal')).status).toBe(200);
    const verify = await fresh.http.post('/_mock/verify').send({ path: '/login', body: { a: { a: 1 } }, count: 0 });
    expect(verify.status).toBe(200);
  });

  it('the control plane refuses a deep body with its own 400', async () => {
    const res = await sim.http.post('/_mock/verify').set('Content-Type', 'application/json').send(deepObject(5_000));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'JSON nested deeper than 64 levels' });
  });

  it('a scenario nested deeper than a body may be is refused', async () => {
    const fresh = await startSim();
    const yaml = `extends: fresh-controller\nobjects:\n  - pool: { name: deep, description: x, markers: ${deepList(80)} }\n`;
    const res = await fresh.http.post('/_mock/scenario').send({ yaml });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/nested deeper than 64 levels/);
  });
});

describe('the NSX stub', () => {
  const PASSWORD = 'NsxPass1!NsxPass1!';
  const basic = () => `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

  it('refuses a deep body in its error format; the journal still answers', async () => {
    const engine = await Engine.create({ nsx: { password: PASSWORD } });
    upsertTier1(engine, 't1', { display_name: 'T1' });
    const app = (await serveEngine(engine)).app;
    const res = await request(app)
      .patch('/policy/api/v1/infra/tier-1s/t1/static-routes/r1')
      .set('Authorization', basic())
      .set('Content-Type', 'application/json')
      .send(deepObject(5_000));
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe(287);
    expect(res.body.error_message).toMatch(/nested deeper than 64 levels/);
    expect((await request(app).get('/_mock/journal')).status).toBe(200);
    engine.close();
  });

  it('search: field paths see own fields only; deep nesting is a 400, not a 500', async () => {
    const engine = await Engine.create({ nsx: { password: PASSWORD } });
    upsertTier1(engine, 't1', { display_name: 'T1' });
    const app = (await serveEngine(engine)).app;
    const search = (q: string) => request(app).get(`/policy/api/v1/search/query?query=${encodeURIComponent(q)}`).set('Authorization', basic());
    const inherited = await search('constructor:*');
    expect(inherited.status).toBe(200);
    expect(inherited.body.result_count).toBe(0);
    expect((await search('display_name:T1')).body.result_count).toBe(1);
    const deep = await search(`${'('.repeat(3000)}display_name:T1${')'.repeat(3000)}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error_message).toMatch(/nested deeper than 64 levels/);
    engine.close();
  });
});

describe('X-Avi-Tenant: * is for reads only', () => {
  it('POST, PUT, PATCH and DELETE with * → 403 and nothing written; GET still reads across tenants', async () => {
    const fresh = await startSim();
    const c = client(fresh);
    const mine = await c.create('pool', { name: 'star-target', description: 'before' });
    const star = (r: request.Test) => r.set('X-Avi-Tenant', '*');
    const attempts = [
      star(fresh.http.post('/api/pool').send({ name: 'star-new' })),
      star(fresh.http.put(`/api/pool/${mine.uuid}`).send({ ...mine, description: 'put' })),
      star(fresh.http.patch(`/api/pool/${mine.uuid}`).send({ replace: { description: 'patch' } })),
      star(fresh.http.delete(`/api/pool/${mine.uuid}`)),
      star(fresh.http.post('/api/macro').send({ model_name: 'Pool', data: { name: 'star-macro' } })),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: "Tenant '*' does not exist!" });
    }
    const all = await star(fresh.http.get('/api/pool'));
    expect(all.status).toBe(200);
    expect(all.body.results.map((p: Data) => [p.name, p.description])).toEqual([['star-target', 'before']]);
  });
});

describe('POST /api/user-token hours', () => {
  it.each([1e308, '1e308', 87_601, 0, -1, 'abc', '', true, {}, [5], Number.MAX_VALUE])('hours %j → 400, no token', async (hours) => {
    const fresh = await startSim();
    const res = await fresh.http.post('/api/user-token').send({ hours });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^Invalid data: field 'hours' /);
    expect((await fresh.http.get('/api/user-token')).body.count).toBe(0);
  });

  it.each([[2, 2], ['2', 2], [0.5, 0.5], [87_600, 87_600], [null, 24]])('hours %j → 201, expiring in %s hours', async (hours, expected) => {
    const fresh = await startSim();
    const before = Date.now();
    const res = await fresh.http.post('/api/user-token').send({ hours });
    expect(res.status, res.text).toBe(201);
    const lifetime = (Date.parse(res.body.expires_at) - before) / 3_600_000;
    expect(lifetime).toBeGreaterThanOrEqual(expected - 0.01);
    expect(lifetime).toBeLessThanOrEqual(expected + 0.01);
  });
});

describe('bodies are read by their media type', () => {
  it('JSON sent as text/plain → 415, nothing written', async () => {
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/xml']) {
      const res = await sim.http.post('/api/pool').set('Content-Type', type).send('{"name":"as-text"}');
      expect(res.status, type).toBe(415);
      expect(res.body).toEqual({ error: `Unsupported media type "${type}" in request.` });
    }
    expect((await api.get('/api/pool?name=as-text')).body.count).toBe(0);
  });

  it('JSON sent as multipart/form-data is no JSON: 400, nothing written', async () => {
    const noBoundary = await sim.http.post('/api/pool').set('Content-Type', 'multipart/form-data').send('{"name":"as-multipart"}');
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.body).toEqual({ error: 'Multipart form parse error - Invalid boundary in multipart: None' });
    const withBoundary = await sim.http.post('/api/pool').set('Content-Type', 'multipart/form-data; boundary=xyz').send('{"name":"as-multipart"}');
    expect(withBoundary.status).toBe(400);
    expect(withBoundary.body).toEqual({ error: "Invalid data: field 'name' is required" });
    expect((await api.get('/api/pool?name=as-multipart')).body.count).toBe(0);
  });

  it('login still works as real clients send it: JSON with a charset, urlencoded, multipart', async () => {
    const password = adminPassword(sim.engine);
    const json = await request(sim.app)
      .post('/login')
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ username: 'admin', password }));
    expect(json.status).toBe(200);
    const form = await request(sim.app).post('/login').type('form').send({ username: 'admin', password });
    expect(form.status).toBe(200);
    const multipart = await request(sim.app).post('/login').field('username', 'admin').field('password', password);
    expect(multipart.status).toBe(200);
    const wrong = await request(sim.app).post('/login').field('username', 'admin').field('password', 'nope');
    expect(wrong.status).toBe(401);
  });

  it('a body-less DELETE or GET needs no Content-Type', async () => {
    const doomed = await api.create('pool', { name: 'no-type' });
    const del = await sim.http.delete(`/api/pool/${doomed.uuid}`).unset('Content-Type');
    expect(del.status).toBe(204);
    expect((await sim.http.get('/api/pool').unset('Content-Type')).status).toBe(200);
  });
});

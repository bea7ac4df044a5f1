/**
 * Hostile input over HTTP: nothing a client sends may reach Object.prototype (and through it the
 * session check), nest deeper than the server can walk, or be taken for what it is not (JSON
 * sent as text or multipart, `X-Avi-Tenant: *` on a write, absurd user-token lifetimes).
 */
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { createApp } from '../server/http/app.js';
import { upsertTier1 } from '../server/nsxt/routes.js';
import { adminPassword, client, startSim, type Sim } from './helpers.js';

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

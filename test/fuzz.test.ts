/**
 * Property-based fuzzing of the API over real HTTP (fast-check): random valid and invalid bodies,
 * PATCH operations, query strings, path uuids and headers against a sample of types. Whatever
 * is sent, the server answers below 500, errors are JSON naming what is wrong, a refused write
 * changes nothing, Object.prototype is untouched and the server still serves and still asks
 * strangers for credentials.
 *
 * Bounded: FUZZ_RUNS runs per property (default 60). fast-check prints the seed and the
 * shrunk failing case on failure; FUZZ_SEED=<n> replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvisim, type StartedAvisim } from '../server/testing.js';
import { sessionHeaders } from './support/session.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const settings = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

type Data = Record<string, any>;

/** A body each sampled type accepts, so one broken field is the only thing wrong. */
const VALID: Record<string, () => Data> = {
  pool: () => ({ name: unique('pool'), servers: [{ ip: { addr: '10.9.0.1', type: 'V4' }, port: 80 }] }),
  healthmonitor: () => ({ name: unique('hm'), type: 'HEALTH_MONITOR_TCP' }),
  applicationpersistenceprofile: () => ({ name: unique('pp'), persistence_type: 'PERSISTENCE_TYPE_CLIENT_IP_ADDRESS' }),
  tenant: () => ({ name: unique('tenant') }),
  stringgroup: () => ({ name: unique('sg'), type: 'SG_TYPE_STRING' }),
  ipaddrgroup: () => ({ name: unique('ipg') }),
  vrfcontext: () => ({ name: unique('vrf') }),
};
const TYPES = Object.keys(VALID);

let n = 0;
const unique = (prefix: string) => `fuzz-${prefix}-${++n}`;

let sim: StartedAvisim;
let cookie = '';
let csrf = '';
const protoBefore = snapshotPrototypes();

function snapshotPrototypes(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}

interface Answer {
  status: number;
  text: string;
  json: any;
}

/** One request over HTTP with the admin session; `body` is sent as given (raw text), so it may be anything. */
async function send(method: string, path: string, body?: string, headers: Record<string, string> = {}, auth = true): Promise<Answer> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  if (auth) {
    h.Cookie = cookie;
    h['X-CSRFToken'] = csrf;
  }
  const res = await fetch(sim.url + path, { method, headers: h, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** The stored state of a type: how many objects, and each one's stamp. */
function stateOf(type: string): string {
  const recs = [...sim.engine.store.collection(type).values()];
  return `${recs.length}:${recs.map((r) => `${r.uuid}@${r.data._last_modified}`).sort().join(',')}`;
}

function expectHealthyAnswer(a: Answer, what: string): void {
  expect(a.status, `${what} → ${a.status} ${a.text.slice(0, 300)}`).toBeLessThan(500);
  if (a.status >= 400 && a.status !== 405) {
    expect(a.json, `${what}: error is JSON: ${a.text.slice(0, 300)}`).toBeTypeOf('object');
    expect(typeof a.json?.error, `${what}: error text: ${a.text.slice(0, 300)}`).toBe('string');
  }
}

beforeAll(async () => {
  sim = await startAvisim();
  const res = await fetch(`${sim.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: sim.username, password: sim.password }),
  });
  expect(res.status).toBe(200);
  const session = sessionHeaders(res.headers.getSetCookie());
  cookie = session.Cookie;
  csrf = session['X-CSRFToken'];
});

afterAll(async () => {
  // The server is still healthy and still guarded, and nothing leaked into shared prototypes.
  expect((await send('GET', '/api/cluster/runtime')).status).toBe(200);
  expect((await send('GET', '/api/pool', undefined, {}, false)).status).toBe(401);
  expect(snapshotPrototypes()).toBe(protoBefore);
  expect(({} as Data)['x-avisim-public']).toBeUndefined();
  await sim?.close();
});

/** Keys that reach prototypes when merged carelessly, beside ordinary ones. */
const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'servers', 'ip', 'addr', 'x-avisim-public', 'authenticate', 'tenant_ref', 'uuid'),
  fc.string({ maxLength: 12 }),
);

/** Any JSON value, with dangerous keys likely, as raw text (so `__proto__` is a real own key). */
const jsonText: fc.Arbitrary<string> = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant('null'),
      fc.boolean().map(String),
      fc.double().map((d) => (Number.isFinite(d) ? String(d) : '1e308')),
      fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
      fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
      fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    ),
  }))
  .value as fc.Arbitrary<string>;

/** A value of the wrong kind for a field, whatever coercion a controller applies to scalars. */
function wrongFor(kind: string, ruleType: string | undefined): unknown {
  if (kind === 'array' || ruleType === 'object' || kind === 'object') return 7;
  return { not: 'a scalar' };
}

describe('fuzz: bodies', () => {
  it('a valid body with one field of the wrong kind is refused naming that field, and writes nothing', async () => {
    const cases = TYPES.flatMap((type) =>
      [...sim.engine.catalog.shapeOf(type).fields.values()]
        .filter((f) => !f.readOnly && !f.introduced && f.name !== 'uuid' && f.name !== 'url')
        .map((f) => ({ type, field: f.name, wrong: wrongFor(f.kind, f.rule?.type) })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), async ({ type, field, wrong }) => {
        const before = stateOf(type);
        const a = await send('POST', `/api/${type}`, JSON.stringify({ ...VALID[type]!(), [field]: wrong }));
        expectHealthyAnswer(a, `POST ${type} ${field}`);
        expect(a.status, `${type}.${field}: ${a.text}`).toBe(400);
        expect(a.json.error).toContain(field);
        expect(stateOf(type)).toBe(before);
      }),
      settings,
    );
  });

  it('any JSON (or not JSON) to a create: below 500, a JSON error, nothing written on a refusal', async () => {
    const raw = fc.oneof(jsonText, fc.string({ maxLength: 40 }), fc.constantFrom('{', '[1,', '{"a":}', '\u0000', 'nul', '"'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TYPES), raw, async (type, body) => {
        const before = stateOf(type);
        const a = await send('POST', `/api/${type}`, body);
        expectHealthyAnswer(a, `POST ${type} ${body}`);
        if (a.status >= 300) expect(stateOf(type), `refused POST ${body} left a write`).toBe(before);
        else if (a.json?.uuid) await send('DELETE', `/api/${type}/${a.json.uuid}`);
      }),
      settings,
    );
  });

  it('any PATCH (add / replace / delete / json_patch, prototype paths included): below 500, nothing written on a refusal', async () => {
    const segment = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'servers', '0', '-', 'name', 'ip', 'x'), fc.string({ maxLength: 6 }));
    const pointer = fc.array(segment, { maxLength: 4 }).map((segs) => segs.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join(''));
    const jsonOp = fc
      .tuple(fc.constantFrom('add', 'replace', 'remove', 'copy', 'move', 'test', 'bogus'), pointer, pointer, jsonText)
      .map(([op, path, from, value]) => `{"op":${JSON.stringify(op)},"path":${JSON.stringify(path)},"from":${JSON.stringify(from)},"value":${value}}`);
    const body = fc.oneof(
      fc.array(jsonOp, { maxLength: 3 }).map((ops) => `{"json_patch":[${ops.join(',')}]}`),
      fc.tuple(fc.constantFrom('add', 'replace', 'delete'), jsonText).map(([k, v]) => `{${JSON.stringify(k)}:${v}}`),
      jsonText,
    );
    const created = await send('POST', '/api/pool', JSON.stringify(VALID.pool!()));
    expect(created.status).toBe(201);
    const uuid = created.json.uuid as string;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const before = stateOf('pool');
        const a = await send('PATCH', `/api/pool/${uuid}`, b);
        expectHealthyAnswer(a, `PATCH ${b}`);
        if (a.status >= 300) expect(stateOf('pool'), `refused PATCH ${b} left a write`).toBe(before);
        expect(snapshotPrototypes(), `PATCH ${b} reached a prototype`).toBe(protoBefore);
        expect((await send('GET', '/api/pool', undefined, {}, false)).status, `after PATCH ${b}`).toBe(401);
      }),
      settings,
    );
    await send('DELETE', `/api/pool/${uuid}`);
  });
});

describe('fuzz: paths, queries and headers', () => {
  it('any uuid in a path: below 500, and a JSON error', async () => {
    const id = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '..', '%2e%2e', '%00', 'a%2Fb', '%E0%A4%A', 'pool-'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TYPES), fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE'), id, async (type, method, raw) => {
        const before = stateOf(type);
        const seg = /%/.test(raw) ? raw : encodeURIComponent(raw);
        const a = await send(method, `/api/${type}/${seg}`, method === 'PUT' || method === 'PATCH' ? '{"replace":{"description":"x"},"name":"y"}' : undefined);
        expectHealthyAnswer(a, `${method} /api/${type}/${seg}`);
        expect(stateOf(type)).toBe(before);
      }),
      settings,
    );
  });

  it('any query string on a list: below 500', async () => {
    const part = fc.oneof(
      fc.constantFrom('name', 'name.contains', 'name.in', 'fields', 'sort', 'page', 'page_size', 'include_name', 'skip_default', 'refers_to', 'referred_by', 'cloud_ref.name', '__proto__', 'constructor', 'join_subresources', 'search', 'label_key'),
      fc.string({ maxLength: 10 }),
    );
    const query = fc.array(fc.tuple(part, fc.oneof(part, fc.string({ maxLength: 10 }), fc.integer().map(String))), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TYPES), query, async (type, q) => {
        const qs = new URLSearchParams(q).toString();
        const a = await send('GET', `/api/${type}?${qs}`);
        expectHealthyAnswer(a, `GET /api/${type}?${qs}`);
      }),
      settings,
    );
  });

  it('any tenant, version, content type or slug header on a create: below 500, nothing written on a refusal', async () => {
    const printable = fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());
    const headers = fc.record(
      {
        'X-Avi-Tenant': fc.oneof(fc.constantFrom('*', 'admin', '__proto__', 'constructor', 'nope'), printable),
        'X-Avi-Tenant-UUID': fc.oneof(fc.constantFrom('admin', '__proto__', 'tenant-x'), printable),
        'X-Avi-Version': fc.oneof(fc.constantFrom('30.2.1', '18.2.8', '99.9', '1', 'x.y.z', '30.2.1.9'), printable),
        'Content-Type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/xml'),
        Slug: fc.oneof(fc.constantFrom('__proto__', 'a/b', '..', 'pool-1'), printable),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TYPES), headers, async (type, h) => {
        const clean = Object.fromEntries(Object.entries(h).filter(([, v]) => v !== ''));
        const before = stateOf(type);
        const a = await send('POST', `/api/${type}`, JSON.stringify(VALID[type]!()), clean);
        expectHealthyAnswer(a, `POST ${type} ${JSON.stringify(clean)}`);
        if (a.status >= 300) expect(stateOf(type)).toBe(before);
        else if (a.json?.uuid) await send('DELETE', `/api/${type}/${encodeURIComponent(a.json.uuid)}`, undefined, clean['X-Avi-Tenant'] ? { 'X-Avi-Tenant': clean['X-Avi-Tenant'] } : {});
      }),
      settings,
    );
  });
});

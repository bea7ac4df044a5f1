/**
 * Every object type of openapi/avi.json (`x-avi-types`, read at run time so a new type is
 * covered without touching this file) must answer the whole generic life cycle:
 *   normal types:  POST → GET → PUT (the GET body back, one change) → PATCH replace → DELETE → 404
 *   singletons:    GET the collection path → PUT it back → PATCH replace
 * Bodies are generated from the schema by test/support/minimal-body.ts; required references
 * point at an existing object of the target type, created first when there is none.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocument } from '../server/core/catalog.js';
import { startSim, type Sim } from './helpers.js';
import { minimalBody } from './support/minimal-body.js';

type Json = Record<string, any>;

const doc = loadDocument();
const schemas = doc.components.schemas;
const allTypes = Object.entries(doc['x-avi-types']);
const normalTypes = allTypes.filter(([, t]) => !t.singleton).map(([type]) => type);
const singletonTypes = allTypes.filter(([, t]) => t.singleton).map(([type]) => type);

/**
 * Hand-written fields merged over the generated body, for required fields whose meaning the
 * schema cannot express. Keep this as short as possible; each entry says why it is needed.
 */
const BODY_OVERRIDES: Record<string, Json> = {
  // a certificate must be one: the controller makes a self-signed one (EC: the quickest key)
  sslkeyandcertificate: {
    certificate: { self_signed: true, subject: { common_name: 'all-types.example' } },
    key_params: { algorithm: 'SSL_KEY_ALGORITHM_EC' },
  },
};

/** How many objects deep a chain of required references may go before we give up. */
const MAX_REF_DEPTH = 6;

let sim: Sim;
let counter = 0;
const uniqueName = (type: string) => `all-types-${type}-${++counter}`;

const props = (type: string): Json => schemas[doc['x-avi-types'][type]!.schema]?.properties ?? {};
const isPlainString = (p: Json | undefined) => p?.type === 'string' && !p.enum && !p['x-avi-ref'] && !p.readOnly;

const describeRes = (res: { status: number; text: string }) => `${res.status} ${res.text.slice(0, 500)}`;

async function bodyFor(type: string, depth: number): Promise<Json> {
  const body = await minimalBody(doc, type, { name: uniqueName(type), refTo: (t) => refTo(t, depth + 1) });
  return { ...body, ...BODY_OVERRIDES[type] };
}

/** A ref to some object of `target`: the first one listed, or a new one made for the purpose. */
async function refTo(target: string, depth: number): Promise<string> {
  if (doc['x-avi-types'][target]!.singleton) {
    const res = await sim.http.get(`/api/${target}`);
    if (res.status !== 200) throw new Error(`singleton ${target} to refer to: GET ${describeRes(res)}`);
    return `/api/${target}/${res.body.uuid}`;
  }
  const list = await sim.http.get(`/api/${target}?page_size=1`);
  if (list.status !== 200) throw new Error(`listing ${target} to refer to: ${describeRes(list)}`);
  const first = list.body.results?.[0];
  if (first) return `/api/${target}/${first.uuid}`;
  if (depth > MAX_REF_DEPTH) throw new Error(`required references nest deeper than ${MAX_REF_DEPTH} at ${target}`);
  const created = await sim.http.post(`/api/${target}`).send(await bodyFor(target, depth));
  if (created.status !== 201) throw new Error(`creating a ${target} to refer to: ${describeRes(created)}`);
  return `/api/${target}/${created.body.uuid}`;
}

beforeAll(async () => {
  sim = await startSim({ seed: 1 });
});

describe('every non-singleton type has working POST/GET/PUT/PATCH/DELETE', () => {
  it('the document has types to test', () => {
    expect(normalTypes.length).toBeGreaterThan(100);
  });

  it.each(normalTypes)('%s', async (type) => {
    const info = doc['x-avi-types'][type]!;
    const p = props(type);
    const step = (what: string, res: { status: number; text: string }) => `${type}: ${what}: ${describeRes(res)}`;

    const body = await bodyFor(type, 0);
    const created = await sim.http.post(`/api/${type}`).send(body);
    expect(created.status, step('POST', created)).toBe(201);
    const uuid: string = created.body.uuid;
    expect(typeof uuid === 'string' && uuid.startsWith(`${info.uuidPrefix}-`), step('POST uuid prefix', created)).toBe(true);
    expect(typeof created.body.url, step('POST url', created)).toBe('string');
    // the create answer renders url (and refs) with `#name`, as the controller does
    expect(String(created.body.url).split('#')[0]!.endsWith(`/api/${type}/${uuid}`), step('POST url', created)).toBe(true);
    expect(created.body._last_modified, step('POST _last_modified', created)).toBeTruthy();
    if (typeof body.name === 'string') expect(created.body.name, step('POST name', created)).toBe(body.name);

    const got = await sim.http.get(`/api/${type}/${uuid}`);
    expect(got.status, step('GET', got)).toBe(200);
    expect(got.body.uuid, step('GET uuid', got)).toBe(uuid);

    // PUT what GET gave back, with one change when the type has a free string to change.
    const putBody: Json = { ...got.body };
    let changed: [string, string] | undefined;
    if (isPlainString(p.description)) changed = ['description', `put ${type}`];
    else if (isPlainString(p.name) && typeof got.body.name === 'string') changed = ['name', `${got.body.name}-put`];
    if (changed) putBody[changed[0]] = changed[1];
    const put = await sim.http.put(`/api/${type}/${uuid}`).send(putBody);
    expect(put.status, step('PUT', put)).toBe(200);
    expect(put.body.uuid, step('PUT uuid', put)).toBe(uuid);
    if (changed) expect(put.body[changed[0]], step(`PUT ${changed[0]}`, put)).toBe(changed[1]);

    const replace: Json = {};
    if (changed) replace[changed[0]] = `${changed[1]}-patched`;
    const patched = await sim.http.patch(`/api/${type}/${uuid}`).send({ replace });
    expect(patched.status, step('PATCH', patched)).toBe(200);
    expect(patched.body.uuid, step('PATCH uuid', patched)).toBe(uuid);
    if (changed) expect(patched.body[changed[0]], step(`PATCH ${changed[0]}`, patched)).toBe(replace[changed[0]]);

    const del = await sim.http.delete(`/api/${type}/${uuid}`);
    expect(del.status, step('DELETE', del)).toBe(204);

    const gone = await sim.http.get(`/api/${type}/${uuid}`);
    expect(gone.status, step('GET after DELETE', gone)).toBe(404);
  });
});

describe('every singleton type has working GET/PUT/PATCH on its collection path', () => {
  it('the document has singletons', () => {
    expect(singletonTypes.length).toBeGreaterThan(0);
  });

  it.each(singletonTypes)('%s', async (type) => {
    const step = (what: string, res: { status: number; text: string }) => `${type}: ${what}: ${describeRes(res)}`;

    const got = await sim.http.get(`/api/${type}`);
    expect(got.status, step('GET', got)).toBe(200);
    expect(typeof got.body.uuid, step('GET uuid', got)).toBe('string');
    expect(got.body._last_modified, step('GET _last_modified', got)).toBeTruthy();

    const put = await sim.http.put(`/api/${type}`).send(got.body);
    expect(put.status, step('PUT', put)).toBe(200);
    expect(put.body.uuid, step('PUT uuid', put)).toBe(got.body.uuid);

    // A replace of a field the object already holds (the first settable scalar), or none.
    const p = props(type);
    const field = Object.keys(put.body).find((k) => p[k] && !p[k].readOnly && p[k].type !== 'object' && !p[k].$ref && p[k].type !== 'array');
    const replace: Json = field ? { [field]: put.body[field] } : {};
    const patched = await sim.http.patch(`/api/${type}`).send({ replace });
    expect(patched.status, step('PATCH', patched)).toBe(200);
    expect(patched.body.uuid, step('PATCH uuid', patched)).toBe(got.body.uuid);
    if (field) expect(patched.body[field], step(`PATCH ${field}`, patched)).toEqual(replace[field]);
    expect(patched.body._last_modified, step('PATCH _last_modified', patched)).not.toBe(got.body._last_modified);
  });
});

describe('GET /_mock/coverage', () => {
  it('reports every CRUD operation of every type as served', async () => {
    const res = await sim.http.get('/_mock/coverage');
    expect(res.status).toBe(200);
    const status = new Map<string, string>(
      (res.body.operations as Array<{ operationId: string; status: string }>).map((o) => [o.operationId, o.status]),
    );
    const problems: string[] = [];
    for (const [type, t] of allTypes) {
      const kinds = t.singleton ? ['get', 'replace', 'patch'] : ['list', 'create', 'get', 'replace', 'patch', 'delete'];
      for (const kind of kinds) {
        const id = `${type}.${kind}`;
        const s = status.get(id);
        // `generic` is the spec-driven CRUD; `modelled` is a type-specific handler that replaced it.
        if (s !== 'generic' && s !== 'modelled') problems.push(`${id}: ${s ?? 'missing'}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

/**
 * The generic CRUD life cycle, type by type: what POST, GET, list, PUT, the four PATCH forms and
 * DELETE answer (contract sections 5 and 7), for the object types clients create most.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { client as hostClient, startSim, type Sim } from './helpers.js';

type Data = Record<string, any>;

/** A fixed Host header, so that urls and refs are stable across requests (supertest picks a new port each time). */
const HOST = 'ctl.test';
const client = (sim: Sim) => hostClient(sim, HOST);
const BASE = `http://${HOST}`;

function getPath(obj: Data, path: string[]): unknown {
  return path.reduce<any>((o, k) => (o === undefined ? undefined : o[k]), obj);
}

/** A deep copy of `obj` with `path` set to `value` (intermediate objects must exist). */
function withPath(obj: Data, path: string[], value: unknown): Data {
  const copy = structuredClone(obj);
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]!] = value;
  return copy;
}

interface TypeCase {
  type: string;
  model: string;
  tenantScoped: boolean;
  /** a minimal valid body (required fields from the schema) */
  body: (name: string) => Data;
  /** a field the schema gives a default, the default, and another valid value */
  defaultAt: string[];
  defaultValue: unknown;
  otherValue: unknown;
  /** a scalar field without a default and a value for it (PATCH replace) */
  scalar: [string, unknown];
  /** a list field and two distinct entries for it (PATCH add / delete) */
  list: [string, unknown, unknown];
}

const markers = (key: string, value: string) => ({ key, values: [value] });

const CASES: TypeCase[] = [
  {
    type: 'cloud', model: 'Cloud', tenantScoped: true,
    body: (name) => ({ name, vtype: 'CLOUD_NONE' }),
    defaultAt: ['mtu'], defaultValue: 1500, otherValue: 9000,
    scalar: ['obj_name_prefix', 'pfx'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'vrfcontext', model: 'VrfContext', tenantScoped: true,
    body: (name) => ({ name }),
    defaultAt: ['lldp_enable'], defaultValue: true, otherValue: false,
    scalar: ['description', 'patched'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'serviceenginegroup', model: 'ServiceEngineGroup', tenantScoped: true,
    body: (name) => ({ name }),
    defaultAt: ['algo'], defaultValue: 'PLACEMENT_ALGO_PACKED', otherValue: 'PLACEMENT_ALGO_DISTRIBUTED',
    scalar: ['description', 'patched'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'network', model: 'Network', tenantScoped: true,
    body: (name) => ({ name }),
    defaultAt: ['dhcp_enabled'], defaultValue: true, otherValue: false,
    scalar: ['synced_from_se', true],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'pool', model: 'Pool', tenantScoped: true,
    body: (name) => ({ name }),
    defaultAt: ['default_server_port'], defaultValue: 80, otherValue: 8080,
    scalar: ['description', 'patched'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'poolgroup', model: 'PoolGroup', tenantScoped: true,
    body: (name) => ({ name }),
    defaultAt: ['min_servers'], defaultValue: 0, otherValue: 5,
    scalar: ['description', 'patched'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'vsvip', model: 'VsVip', tenantScoped: true,
    body: (name) => ({ name }),
    defaultAt: ['east_west_placement'], defaultValue: false, otherValue: true,
    scalar: ['tier1_lr', 'tier1'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'virtualservice', model: 'VirtualService', tenantScoped: true,
    body: (name) => ({ name }),
    defaultAt: ['enabled'], defaultValue: true, otherValue: false,
    scalar: ['description', 'patched'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'healthmonitor', model: 'HealthMonitor', tenantScoped: true,
    body: (name) => ({ name, type: 'HEALTH_MONITOR_TCP' }),
    defaultAt: ['send_interval'], defaultValue: 10, otherValue: 30,
    scalar: ['description', 'patched'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    // ApplicationProfile has no top-level default: the nested http_profile has them.
    type: 'applicationprofile', model: 'ApplicationProfile', tenantScoped: true,
    body: (name) => ({ name, type: 'APPLICATION_PROFILE_TYPE_HTTP', http_profile: {} }),
    defaultAt: ['http_profile', 'keepalive_timeout'], defaultValue: 30000, otherValue: 5000,
    scalar: ['description', 'patched'],
    list: ['markers', markers('k1', 'a'), markers('k2', 'b')],
  },
  {
    type: 'tenant', model: 'Tenant', tenantScoped: false,
    body: (name) => ({ name }),
    defaultAt: ['local'], defaultValue: true, otherValue: false,
    scalar: ['description', 'patched'],
    list: ['attrs', { key: 'k1', value: 'a' }, { key: 'k2', value: 'b' }],
  },
];

describe.each(CASES)('$type CRUD', (c) => {
  let api: ReturnType<typeof client>;
  let n = 0;
  const coll = `/api/${c.type}`;

  beforeAll(async () => {
    api = client(await startSim());
  });

  /** Creates an object with a fresh name and answers the POST response body. */
  async function create(extra: Data = {}): Promise<Data> {
    const res = await api.post(coll, { ...c.body(`crud-${c.type}-${++n}`), ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function getOne(uuid: string): Promise<Data> {
    const res = await api.get(`${coll}/${uuid}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  it('POST answers 201 with Location = url#name, a prefixed uuid, a 16-digit _last_modified and schema defaults', async () => {
    const name = `crud-${c.type}-post`;
    const res = await api.post(coll, c.body(name));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const obj = res.body;
    expect(obj.uuid).toMatch(new RegExp(`^${c.type}-[0-9a-f-]{36}$`));
    expect(obj.name).toBe(name);
    expect(obj.url).toBe(`${BASE}/api/${c.type}/${obj.uuid}#${name}`);
    expect(res.headers.location).toBe(obj.url);
    expect(typeof obj._last_modified).toBe('string');
    expect(obj._last_modified).toMatch(/^\d{16}$/);
    if (c.tenantScoped) expect(obj.tenant_ref).toBe(`${BASE}/api/tenant/admin#admin`);
    else expect(obj).not.toHaveProperty('tenant_ref');
    expect(getPath(obj, c.defaultAt)).toEqual(c.defaultValue);
  });

  it('GET one answers 200 with the same object (refs without #name unless include_name)', async () => {
    const created = await create();
    const withNames = await api.get(`${coll}/${created.uuid}?include_name`);
    expect(withNames.status).toBe(200);
    expect(withNames.body).toEqual(created);
    const plain = await getOne(created.uuid);
    expect(plain.url).toBe(`${BASE}/api/${c.type}/${created.uuid}`);
    expect(plain._last_modified).toBe(created._last_modified);
    if (c.tenantScoped) expect(plain.tenant_ref).toBe(`${BASE}/api/tenant/admin`);
  });

  it('list counts the new object and returns it', async () => {
    const before = await api.get(`${coll}?page_size=200`);
    expect(before.status).toBe(200);
    const created = await create();
    const after = await api.get(`${coll}?page_size=200`);
    expect(after.status).toBe(200);
    expect(after.body.count).toBe(before.body.count + 1);
    expect(after.body.results).toHaveLength(after.body.count);
    const listed = after.body.results.find((r: Data) => r.uuid === created.uuid);
    expect(listed).toEqual(await getOne(created.uuid));
  });

  it('PUT replaces the whole object: an omitted field reverts to its default, _last_modified increases', async () => {
    const [optional, optionalValue] = c.scalar;
    const created = await create({ [optional]: optionalValue });
    expect(created[optional]).toEqual(optionalValue);
    const name = created.name as string;

    const set = await api.put(`${coll}/${created.uuid}`, withPath(c.body(name), c.defaultAt, c.otherValue));
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.uuid).toBe(created.uuid);
    expect(set.body.url).toBe(`${BASE}/api/${c.type}/${created.uuid}#${name}`);
    expect(getPath(set.body, c.defaultAt)).toEqual(c.otherValue);
    expect(set.body).not.toHaveProperty(optional); // omitted, no default: gone
    expect(BigInt(set.body._last_modified)).toBeGreaterThan(BigInt(created._last_modified));
    expect(getPath(await getOne(created.uuid), c.defaultAt)).toEqual(c.otherValue);

    const reverted = await api.put(`${coll}/${created.uuid}`, c.body(name));
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(200);
    expect(getPath(reverted.body, c.defaultAt)).toEqual(c.defaultValue);
    expect(reverted.body._last_modified).toMatch(/^\d{16}$/);
    expect(BigInt(reverted.body._last_modified)).toBeGreaterThan(BigInt(set.body._last_modified));
    const got = await getOne(created.uuid);
    expect(getPath(got, c.defaultAt)).toEqual(c.defaultValue);
    expect(got).not.toHaveProperty(optional);
    expect(got._last_modified).toBe(reverted.body._last_modified);
  });

  it('PATCH add appends to a list', async () => {
    const [field, first, second] = c.list;
    const created = await create({ [field]: [first] });
    const res = await api.patch(`${coll}/${created.uuid}`, { add: { [field]: [second] } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body[field]).toEqual([first, second]);
    expect(BigInt(res.body._last_modified)).toBeGreaterThan(BigInt(created._last_modified));
    expect((await getOne(created.uuid))[field]).toEqual([first, second]);
  });

  it('PATCH replace sets a field', async () => {
    const [field, value] = c.scalar;
    const created = await create();
    expect(created[field]).toBeUndefined();
    const res = await api.patch(`${coll}/${created.uuid}`, { replace: { [field]: value } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body[field]).toEqual(value);
    const got = await getOne(created.uuid);
    expect(got[field]).toEqual(value);
    expect(got.name).toBe(created.name);
  });

  it('PATCH delete removes the listed list entry', async () => {
    const [field, first, second] = c.list;
    const created = await create({ [field]: [first, second] });
    const res = await api.patch(`${coll}/${created.uuid}`, { delete: { [field]: [second] } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body[field]).toEqual([first]);
    expect((await getOne(created.uuid))[field]).toEqual([first]);
  });

  it('PATCH delete of a scalar resets it to its default', async () => {
    const [top] = c.defaultAt;
    const { name: _ignored, ...nonDefault } = withPath(c.body(''), c.defaultAt, c.otherValue);
    const created = await create(nonDefault);
    expect(getPath(created, c.defaultAt)).toEqual(c.otherValue);
    // For a nested default, deleting the enclosing object drops it (it has no default itself).
    const res = await api.patch(`${coll}/${created.uuid}`, { delete: { [top!]: getPath(created, [top!]) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const got = await getOne(created.uuid);
    if (c.defaultAt.length === 1) expect(got[top!]).toEqual(c.defaultValue);
    else expect(got[top!]).toBeUndefined();
  });

  it('PATCH json_patch applies RFC 6902 operations', async () => {
    const [field, value] = c.scalar;
    const created = await create();
    const res = await api.patch(`${coll}/${created.uuid}`, {
      json_patch: [
        { op: 'replace', path: '/' + c.defaultAt.join('/'), value: c.otherValue },
        { op: 'add', path: `/${field}`, value },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const got = await getOne(created.uuid);
    expect(getPath(got, c.defaultAt)).toEqual(c.otherValue);
    expect(got[field]).toEqual(value);
  });

  it('DELETE answers 204 with an empty body; afterwards GET is 404 "<Model> object not found!"', async () => {
    const created = await create();
    const before = (await api.get(coll)).body.count;
    const res = await api.del(`${coll}/${created.uuid}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const gone = await api.get(`${coll}/${created.uuid}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: `${c.model} object not found!` });
    expect((await api.get(coll)).body.count).toBe(before - 1);
    const again = await api.del(`${coll}/${created.uuid}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: `${c.model} object not found!` });
  });
});

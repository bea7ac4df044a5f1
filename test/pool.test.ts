/**
 * Pool fill-ins: `vrf_ref` → the cloud's `global` VRF; per server `hostname` = its
 * address, `ratio: 1`, `enabled: true`; never over a client value. And the pool's runtime.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { client, startSim, uuidOf, type Sim } from './helpers.js';

type Data = Record<string, any>;

let sim: Sim;
let api: ReturnType<typeof client>;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;
const nameOf = (ref: string) => ref.split('#')[1];
const server = (addr: string, extra: Data = {}) => ({ ip: { addr, type: 'V4' }, port: 8080, ...extra });

const post = (type: string, body: Data): Promise<Data> => api.create(type, body);

beforeAll(async () => {
  sim = await startSim({ seed: 5 });
  api = client(sim);
});

describe('Pool fill-ins', () => {
  it('fills vrf_ref and each server\'s hostname, ratio and enabled', async () => {
    const pool = await post('pool', { name: uniq('pool'), servers: [server('172.17.0.3'), server('172.17.0.4')] });
    expect(nameOf(pool.vrf_ref)).toBe('global');
    const vrf = (await api.get(`/api/vrfcontext/${uuidOf(pool.vrf_ref)}`)).body;
    expect(vrf.cloud_ref).toBe(pool.cloud_ref.split('#')[0]);
    expect(pool.servers).toEqual([
      expect.objectContaining({ ip: { addr: '172.17.0.3', type: 'V4' }, hostname: '172.17.0.3', ratio: 1, enabled: true }),
      expect.objectContaining({ ip: { addr: '172.17.0.4', type: 'V4' }, hostname: '172.17.0.4', ratio: 1, enabled: true }),
    ]);
    const got = (await api.get(`/api/pool/${pool.uuid}`)).body;
    expect(got.servers.map((s: Data) => s.hostname)).toEqual(['172.17.0.3', '172.17.0.4']);
  });

  it('keeps what the client sent', async () => {
    const pool = await post('pool', {
      name: uniq('pool'),
      vrf_ref: '/api/vrfcontext?name=management',
      servers: [server('10.0.0.1', { hostname: 'web-1', ratio: 3, enabled: false })],
      cloud_config_cksum: '77',
      service_metadata: '{"crud_hash_key": "x"}',
      created_by: 'ako-c1',
      markers: [{ key: 'clustername', values: ['c1'] }],
    });
    expect(nameOf(pool.vrf_ref)).toBe('management');
    expect(pool.servers[0]).toEqual(expect.objectContaining({ hostname: 'web-1', ratio: 3, enabled: false }));
    expect(pool.cloud_config_cksum).toBe('77');
    expect(pool.service_metadata).toBe('{"crud_hash_key": "x"}');
    expect(pool.created_by).toBe('ako-c1');
    expect(pool.markers).toEqual([{ key: 'clustername', values: ['c1'] }]);
  });

  it('fills server defaults on PATCH add too', async () => {
    const pool = await post('pool', { name: uniq('pool') });
    const res = await api.patch(`/api/pool/${pool.uuid}`, { add: { servers: [server('10.1.1.1')] } });
    expect(res.status).toBe(200);
    expect(res.body.servers).toEqual([expect.objectContaining({ hostname: '10.1.1.1', ratio: 1, enabled: true })]);
  });

  it('takes the global VRF of its own cloud', async () => {
    const cloud = await post('cloud', { name: uniq('cloud'), vtype: 'CLOUD_NONE' });
    // the cloud came with its own `global` VRF
    const vrfs = await api.get(`/api/vrfcontext?name=global&cloud_ref.uuid=${cloud.uuid}`);
    expect(vrfs.body.count).toBe(1);
    const vrf = vrfs.body.results[0];
    const pool = await post('pool', { name: uniq('pool'), cloud_ref: `/api/cloud/${cloud.uuid}` });
    expect(uuidOf(pool.vrf_ref)).toBe(vrf.uuid);
  });
});

describe('GET /api/pool/<uuid>/runtime/', () => {
  it('is up with an enabled server, down without one, disabled with the pool', async () => {
    const up = await post('pool', { name: uniq('pool'), servers: [server('10.2.0.1'), server('10.2.0.2', { enabled: false })] });
    let res = await api.get(`/api/pool/${up.uuid}/runtime/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({
      uuid: up.uuid,
      name: up.name,
      num_servers: 2,
      num_servers_enabled: 1,
      num_servers_up: 1,
      percent_servers_up_enabled: 100,
      percent_servers_up_total: 50,
    }));
    expect(res.body.oper_status.state).toBe('OPER_UP');

    const empty = await post('pool', { name: uniq('pool') });
    res = await api.get(`/api/pool/${empty.uuid}/runtime`);
    expect(res.status).toBe(200);
    expect(res.body.oper_status).toEqual(expect.objectContaining({ state: 'OPER_DOWN', reason: ['Pool has no servers'] }));

    const off = await post('pool', { name: uniq('pool'), servers: [server('10.2.0.3', { enabled: false })] });
    res = await api.get(`/api/pool/${off.uuid}/runtime/`);
    expect(res.body.oper_status).toEqual(expect.objectContaining({ state: 'OPER_DOWN', reason: ['All servers are disabled'] }));

    const disabled = await post('pool', { name: uniq('pool'), enabled: false, servers: [server('10.2.0.4')] });
    res = await api.get(`/api/pool/${disabled.uuid}/runtime/`);
    expect(res.body.oper_status.state).toBe('OPER_DISABLED');
  });

  it('answers 404 for an unknown pool', async () => {
    const res = await api.get('/api/pool/pool-00000000-0000-4000-8000-000000000000/runtime/');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Pool object not found!' });
  });

  it('join_subresources=runtime adds each pool\'s runtime to a listing', async () => {
    const name = uniq('joined');
    await post('pool', { name, servers: [server('10.3.0.1')] });
    const res = await api.get(`/api/pool?name=${name}&join_subresources=runtime`);
    expect(res.status).toBe(200);
    expect(res.body.results[0].runtime).toEqual(expect.objectContaining({ num_servers: 1, oper_status: expect.objectContaining({ state: 'OPER_UP' }) }));
    const plain = await api.get(`/api/pool?name=${name}`);
    expect(plain.body.results[0].runtime).toBeUndefined();
  });
});

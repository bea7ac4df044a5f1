/**
 * What clients read back: `skip_default=true` as the Terraform provider and the Go SDK read
 * (no sub-object left empty), and the fields a controller fills in itself (a virtual service's
 * `vip_runtime`, ticket keys, redis slot and version; a tenant's `config_settings`; the whole
 * system configuration; a cloud's licensing; the cluster's `node_info`; the fresh controller's
 * objects with their nested defaults).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { client, onlyOne, startSim, uuidOf, type Sim } from './helpers.js';

type Data = Record<string, any>;

let sim: Sim;
let api: ReturnType<typeof client>;
let n = 0;
const uniq = (prefix: string) => `readback-${prefix}-${++n}`;
const v4 = (addr: string) => ({ addr, type: 'V4' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  sim = await startSim({ seed: 12 });
  api = client(sim);
});

async function read(path: string): Promise<Data> {
  const res = await api.get(path);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** A virtual service as AKO makes one: a VsVip with an address, then the VS on it. */
async function akoVs(): Promise<Data> {
  const name = uniq('vs');
  const vsvip = await api.create('vsvip', { name, vip: [{ vip_id: '0', ip_address: v4(`10.77.${n}.10`) }] });
  return api.create('virtualservice', {
    name,
    vsvip_ref: vsvip.url,
    services: [{ port: 80 }],
    application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
  });
}

describe('skip_default=true leaves no empty sub-object', () => {
  it("drops a pool's fail_action whose only field is its default, for every way Terraform and the Go SDK read", async () => {
    const pool = await api.create('pool', {
      name: uniq('pool'),
      fail_action: { type: 'FAIL_ACTION_CLOSE_CONN' },
      servers: [{ ip: v4('10.78.0.1'), port: 8080 }],
    });
    expect(pool.fail_action).toEqual({ type: 'FAIL_ACTION_CLOSE_CONN' });
    const reads = [
      await read(`/api/pool/${pool.uuid}?skip_default=true`),
      await read(`/api/pool/${pool.uuid}?include_name=true&skip_default=true`),
      await onlyOne(api, `/api/pool?name=${pool.name}&skip_default=true`),
      await onlyOne(api, `/api/pool?name=${pool.name}&cloud_uuid=${uuidOf(pool.cloud_ref)}&include_name=true&skip_default=true`),
    ];
    for (const p of reads) {
      expect(p).not.toHaveProperty('fail_action');
      // a list keeps its items, each without its defaults
      expect(p.servers).toEqual([{ ip: v4('10.78.0.1'), port: 8080, hostname: '10.78.0.1' }]);
    }
    // without skip_default the sub-object is there as stored
    expect((await read(`/api/pool/${pool.uuid}`)).fail_action).toEqual({ type: 'FAIL_ACTION_CLOSE_CONN' });
  });

  it('drops sub-objects emptied at any depth, keeping what is left around them', async () => {
    const all = await api.create('virtualservice', {
      name: uniq('vs'),
      analytics_policy: { udf_log_throttle: 10, full_client_logs: { enabled: false }, metrics_realtime_update: { enabled: false, duration: 30 } },
    });
    expect(await read(`/api/virtualservice/${all.uuid}?skip_default=true`)).not.toHaveProperty('analytics_policy');
    const some = await api.create('virtualservice', {
      name: uniq('vs'),
      analytics_policy: { all_headers: true, full_client_logs: { enabled: false, throttle: 10 } },
    });
    expect((await read(`/api/virtualservice/${some.uuid}?skip_default=true`)).analytics_policy).toEqual({ all_headers: true });
  });

  it('drops what empties inside list items; items left with only defaults stay as {}; empty lists go', async () => {
    const profile = await api.create('snmptrapprofile', {
      name: uniq('snmp'),
      trap_servers: [
        { ip_addr: v4('10.79.0.1'), community: 'public', user: { auth_type: 'SNMP_V3_AUTH_MD5', priv_type: 'SNMP_V3_PRIV_DES' } },
        { ip_addr: v4('10.79.0.2'), port: 162, version: 'SNMP_VER2', user: {} },
      ],
    });
    const read1 = await read(`/api/snmptrapprofile/${profile.uuid}?skip_default=true`);
    expect(read1.trap_servers).toEqual([{ ip_addr: v4('10.79.0.1'), community: 'public' }, { ip_addr: v4('10.79.0.2') }]);

    const vsvip = await api.create('vsvip', {
      name: uniq('vip'),
      vip: [{ vip_id: '0', ip_address: v4('10.79.1.10') }],
      dns_info: [{ type: 'DNS_RECORD_A', algorithm: 'DNS_RECORD_RESPONSE_CONSISTENT_HASH' }],
      markers: [],
    });
    expect(vsvip.markers).toEqual([]);
    const read2 = await read(`/api/vsvip/${vsvip.uuid}?skip_default=true`);
    expect(read2.dns_info).toEqual([{}]);
    expect(read2).not.toHaveProperty('markers');
  });
});

/**
 * Contract: the life of an application under terraform-provider-avi, in the provider's order and
 * with its requests (its `avi/utils.go`, resources and acceptance tests):
 *
 * - data sources (tenant, cloud, VRF, SE group, profiles, certificate) are read by name with
 *   `skip_default=true` (and `cloud_ref.uuid` when the configuration names a cloud); their `id`
 *   is the `url` of that answer;
 * - `apply` creates the resources in dependency order (network, health monitor, persistence
 *   profile, vsvip, pool, virtual service, as the provider's example and acceptance tests): a
 *   lookup by name, a POST of the configuration, a read of `api/<type>/<uuid>?skip_default=true`
 *   whose `url` becomes the resource's id (and the ref its dependents send);
 * - `plan` refreshes each resource with the same read and compares it with the configuration
 *   (support/lifecycle.ts says how): zero drift means the next apply sends nothing;
 * - an apply that adopts existing objects (a fresh state) finds each by name and PUTs the same
 *   configuration to `api/<type>/<uuid>?skip_default=true`; it must change nothing read back;
 * - `destroy` deletes `api/<type>/<uuid>` in reverse dependency order; every delete must be
 *   accepted, and nothing the run made or caused may be left (no Service Engine, NIC or route).
 *
 * The Go SDK's own lifecycle (create with POST, read by name, delete in reverse) is the same
 * sequence of requests: the provider sends them through it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { drift, emptySubObjects, leftovers, nicsOn, bareRef, type Leftovers, withoutWriteStamps } from './support/lifecycle.js';
import { useTarget } from './support/target.js';
import type { ApiClient } from '../test/support/wire.js';

type Data = Record<string, any>;
const t = useTarget();
/** the provider's session: `avi_version` set to the controller's, tenant admin */
let tf: ApiClient;
let before: Leftovers;
/** ids (urls) of the data sources and resources */
const id: Record<string, string> = {};
const uuidOf = (url: string) => bareRef(url).split('/').pop()!;

interface Resource {
  key: string;
  type: string;
  config: () => Data;
  /** what was sent, the uuid, and the state after the last refresh */
  sent?: Data;
  uuid?: string;
  read?: Data;
}

const v4 = (addr: string) => ({ addr, type: 'V4' });

const resources: Resource[] = [
  {
    key: 'network',
    type: 'network',
    config: () => ({
      name: `${t.prefix}tf-net`,
      tenant_ref: id.tenant,
      cloud_ref: id.cloud,
      vrf_context_ref: id.vrf,
      dhcp_enabled: false,
      configured_subnets: [{ prefix: { ip_addr: v4('10.112.1.0'), mask: 24 }, static_ip_ranges: [{ type: 'STATIC_IPS_FOR_VIP', range: { begin: v4('10.112.1.100'), end: v4('10.112.1.109') } }] }],
    }),
  },
  {
    key: 'hm',
    type: 'healthmonitor',
    config: () => ({
      name: `${t.prefix}tf-hm`,
      tenant_ref: id.tenant,
      type: 'HEALTH_MONITOR_HTTP',
      send_interval: 5,
      receive_timeout: 4,
      http_monitor: { http_request: 'GET / HTTP/1.0', http_response_code: ['HTTP_2XX', 'HTTP_3XX'] },
    }),
  },
  {
    key: 'persistence',
    type: 'applicationpersistenceprofile',
    config: () => ({ name: `${t.prefix}tf-persistence`, tenant_ref: id.tenant, persistence_type: 'PERSISTENCE_TYPE_CLIENT_IP_ADDRESS' }),
  },
  {
    key: 'vsvip',
    type: 'vsvip',
    config: () => ({
      name: `${t.prefix}tf-vip`,
      tenant_ref: id.tenant,
      cloud_ref: id.cloud,
      vrf_context_ref: id.vrf,
      vip: [{ vip_id: '0', ip_address: v4('10.112.1.50'), enabled: true }],
    }),
  },
  {
    key: 'pool',
    type: 'pool',
    config: () => ({
      name: `${t.prefix}tf-pool`,
      tenant_ref: id.tenant,
      cloud_ref: id.cloud,
      vrf_ref: id.vrf,
      health_monitor_refs: [id.hm],
      application_persistence_profile_ref: id.persistence,
      lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN',
      default_server_port: 8080,
      servers: [{ ip: v4('10.114.1.66'), port: 8080 }],
      fail_action: { type: 'FAIL_ACTION_CLOSE_CONN' },
    }),
  },
  {
    key: 'vs',
    type: 'virtualservice',
    config: () => ({
      name: `${t.prefix}tf-vs`,
      tenant_ref: id.tenant,
      cloud_ref: id.cloud,
      vrf_context_ref: id.vrf,
      se_group_ref: id.seGroup,
      application_profile_ref: id.appProfile,
      network_profile_ref: id.networkProfile,
      analytics_profile_ref: id.analytics,
      ssl_key_and_certificate_refs: [id.cert],
      ssl_profile_ref: id.sslProfile,
      vsvip_ref: id.vsvip,
      pool_ref: id.pool,
      services: [{ port: 443, enable_ssl: true, port_range_end: 443 }],
      enabled: true,
      max_cps_per_client: 10,
    }),
  },
];

/** `GetObject` by name as the Go SDK builds it (with the cloud's uuid when the configuration names a cloud). */
function byName(type: string, config: Data): string {
  const cloud = typeof config.cloud_ref === 'string' && config.cloud_ref.includes('api/cloud/') ? `&cloud_ref.uuid=${uuidOf(config.cloud_ref)}` : '';
  return `/api/${type}?name=${encodeURIComponent(config.name)}${cloud}&skip_default=true`;
}

async function dataSource(key: string, type: string, name: string, cloud = false): Promise<void> {
  const res = await tf.get(byName(type, cloud ? { name, cloud_ref: id.cloud } : { name }));
  expect(res.status, `data ${type} ${name}: ${res.text}`).toBe(200);
  expect(res.body.count, `data ${type} ${name}`).toBe(1);
  id[key] = res.body.results[0].url;
}

const sameRef = (sent: string, read: string) => sent === read;

beforeAll(async () => {
  const version = (await t.admin.get('/api/initial-data')).body.version.Version;
  tf = t.admin.with({ 'X-Avi-Version': String(version), 'X-Avi-Tenant': 'admin' });
  before = await leftovers(t, t.admin);
});

describe('terraform apply, plan, destroy', () => {
  it('reads its data sources by name, each id the url of the answer', async () => {
    await dataSource('tenant', 'tenant', 'admin');
    await dataSource('cloud', 'cloud', 'Default-Cloud');
    await dataSource('vrf', 'vrfcontext', 'global', true);
    await dataSource('seGroup', 'serviceenginegroup', 'Default-Group', true);
    await dataSource('appProfile', 'applicationprofile', 'System-Secure-HTTP');
    await dataSource('networkProfile', 'networkprofile', 'System-TCP-Proxy');
    await dataSource('analytics', 'analyticsprofile', 'System-Analytics-Profile');
    await dataSource('cert', 'sslkeyandcertificate', 'System-Default-Cert');
    await dataSource('sslProfile', 'sslprofile', 'System-Standard');
    for (const url of Object.values(id)) expect(url).not.toContain('#');
  });

  it('applies: each resource looked up by name, created, and read back, in dependency order', async () => {
    for (const r of resources) {
      r.sent = r.config();
      const lookup = await tf.get(byName(r.type, r.sent));
      expect([r.type, lookup.status, lookup.body?.count]).toEqual([r.type, 200, 0]);
      const created = await tf.post(`/api/${r.type}`, r.sent);
      expect([r.type, created.status], created.text).toEqual([r.type, 201]);
      r.uuid = created.body.uuid;
      const read = await tf.get(`/api/${r.type}/${r.uuid}?skip_default=true`);
      expect([r.type, read.status]).toEqual([r.type, 200]);
      r.read = read.body;
      id[r.key] = read.body.url;
    }
  });

  for (const r of resources) {
    it(`plans with zero drift: the ${r.type} reads back as configured, with no empty sub-object and nothing extra`, async () => {
      const read = await tf.get(`/api/${r.type}/${r.uuid}?skip_default=true`);
      expect(read.status).toBe(200);
      expect(drift(r.type, r.sent!, read.body, { skipDefault: true, extras: true, sameRef })).toEqual([]);
      expect(emptySubObjects(read.body)).toEqual([]);
      r.read = read.body;
    });
  }

  it('reads the same with include_name as older providers did, refs carrying #name', async () => {
    for (const r of resources) {
      const read = await tf.get(`/api/${r.type}/${r.uuid}?include_name=true&skip_default=true`);
      expect(read.status).toBe(200);
      expect(drift(r.type, r.sent!, read.body, { skipDefault: true, extras: true, sameRef: (s, x) => s === bareRef(x) }), r.type).toEqual([]);
      expect(read.body.url, r.type).toMatch(new RegExp(`/${r.uuid}#`));
    }
  });

  it('re-applies unchanged: adopting each object by name and PUTting the same configuration changes nothing read back', async () => {
    for (const r of resources) {
      const found = await tf.get(byName(r.type, r.sent!));
      expect([r.type, found.body.count, found.body.results?.[0]?.uuid]).toEqual([r.type, 1, r.uuid]);
      const put = await tf.put(`/api/${r.type}/${r.uuid}?skip_default=true`, r.sent);
      expect([r.type, put.status], put.text).toEqual([r.type, 200]);
      const read = await tf.get(`/api/${r.type}/${r.uuid}?skip_default=true`);
      expect(withoutWriteStamps(read.body), r.type).toEqual(withoutWriteStamps(r.read!));
    }
  });

  it('destroys in reverse order: every delete accepted, nothing of the run left behind', async () => {
    const statuses: Array<[string, number]> = [];
    for (const r of [...resources].reverse()) {
      const res = await tf.del(`/api/${r.type}/${r.uuid}`);
      statuses.push([r.type, res.status]);
      if (res.status !== 204) console.log(`[terraform-lifecycle] DELETE ${r.type}: ${res.status} ${res.text}`);
    }
    expect.soft(statuses).toEqual([...resources].reverse().map((r) => [r.type, 204]));
    for (const r of resources) expect.soft([r.type, (await tf.get(`/api/${r.type}/${r.uuid}`)).status]).toEqual([r.type, 404]);
    expect.soft(await nicsOn(t.admin, [resources[0]!.uuid!])).toEqual([]);
    expect.soft(await leftovers(t, t.admin)).toEqual(before);
  });
});

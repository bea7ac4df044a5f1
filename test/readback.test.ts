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

describe('a virtual service as a controller shows it', () => {
  it('has vip_runtime per VIP, ticket keys, a redis slot and version 1, on create and on read', async () => {
    const vs = await akoVs();
    for (const v of [vs, await read(`/api/virtualservice/${vs.uuid}?include_name=true`)]) {
      expect(v.vip_runtime).toEqual([
        expect.objectContaining({ vip_id: '0', num_additional_se: 0, requested_resource: { num_se: 1, num_standby_se: 0 } }),
      ]);
      expect(v.version).toBe(1);
      expect(v.redis_port).toBeGreaterThan(5000);
      expect(v.redis_db).toBeGreaterThan(0);
      expect(v.marked_for_delete).toBe(false);
      expect(v.tls_ticket_key).toHaveLength(3);
      for (const key of v.tls_ticket_key) {
        expect(Object.keys(key).sort()).toEqual(['aes_key', 'hmac_key', 'name']);
        expect(key.name).toMatch(UUID);
        expect(Buffer.from(key.aes_key, 'base64')).toHaveLength(16);
        expect(Buffer.from(key.hmac_key, 'base64')).toHaveLength(16);
      }
      expect(new Set(v.tls_ticket_key.flatMap((k: Data) => [k.aes_key, k.hmac_key])).size).toBe(6);
    }
    // listed as AKO lists them, too
    const listed = await onlyOne(api, `/api/virtualservice/?name=${vs.name}&include_name=true&page_size=100`);
    expect(listed.vip_runtime[0].vip_id).toBe('0');
  });

  it('keeps its keys and redis slot across writes and counts them in version', async () => {
    const vs = await akoVs();
    const got = await read(`/api/virtualservice/${vs.uuid}?include_name=true`);
    // AKO PUTs back what it read, controller fields included
    const put = await api.put(`/api/virtualservice/${vs.uuid}`, { ...got, traffic_enabled: false });
    expect(put.status, put.text).toBe(200);
    expect(put.body.version).toBe(2);
    const patched = await api.patch(`/api/virtualservice/${vs.uuid}`, { replace: { services: [{ port: 80 }, { port: 443 }] } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.version).toBe(3);
    // a client that sends other values for them changes nothing
    const { _last_modified: _, ...body } = got;
    const forged = await api.put(`/api/virtualservice/${vs.uuid}`, { ...body, version: 99, redis_port: 1, tls_ticket_key: [] });
    expect(forged.status, forged.text).toBe(200);
    const after = await read(`/api/virtualservice/${vs.uuid}`);
    expect(after.version).toBe(4);
    for (const k of ['tls_ticket_key', 'redis_port', 'redis_db']) expect(after[k], k).toEqual(vs[k]);
  });

  it('makes the same ticket keys under the same seed, other keys under another', async () => {
    const keysUnder = async (seed: number) => {
      const other = await startSim({ seed });
      const vs = await client(other).create('virtualservice', { name: 'keys' });
      return vs.tls_ticket_key;
    };
    const a = await keysUnder(5);
    expect(await keysUnder(5)).toEqual(a);
    expect(await keysUnder(6)).not.toEqual(a);
  });
});

describe('tenants carry their config_settings', () => {
  it('fills them with their defaults on the admin tenant and on a new tenant, keeping what the client set', async () => {
    const expected = { tenant_vrf: false, se_in_provider_context: true, tenant_access_to_provider_se: true };
    expect((await read('/api/tenant/admin')).config_settings).toEqual(expected);
    const t = await api.create('tenant', { name: uniq('tenant') });
    expect(t.config_settings).toEqual(expected);
    // what the client sets is kept, the rest filled
    const own = await api.create('tenant', { name: uniq('tenant'), config_settings: { tenant_vrf: true, se_in_provider_context: false } });
    expect(own.config_settings).toEqual({ tenant_vrf: true, se_in_provider_context: false, tenant_access_to_provider_se: true });
  });
});

describe('the system configuration, in full', () => {
  it('has every sub-object with its defaults and the settings a controller installs with', async () => {
    const sc = await read('/api/systemconfiguration');
    expect(sc.dns_configuration).toEqual({ search_domain: '' });
    expect(sc.email_configuration).toEqual({
      smtp_type: 'SMTP_LOCAL_HOST',
      from_email: 'admin@avicontroller.net',
      mail_server_name: 'localhost',
      mail_server_port: 25,
    });
    expect(sc.global_tenant_config).toEqual({ tenant_vrf: false, se_in_provider_context: true, tenant_access_to_provider_se: true });
    expect(sc.portal_configuration).toEqual({
      allow_basic_authentication: false,
      api_force_timeout: 24,
      disable_remote_cli_shell: false,
      disable_swagger: false,
      enable_clickjacking_protection: true,
      enable_http: true,
      enable_https: true,
      minimum_password_length: 8,
      password_strength_check: true,
      redirect_to_https: true,
      use_uuid_from_input: false,
      // the portal's two certificates, System-Default-Portal-Cert and System-Default-Portal-Cert-EC256
      sslkeyandcertificate_refs: [
        expect.stringMatching(/\/api\/sslkeyandcertificate\/sslkeyandcertificate-/),
        expect.stringMatching(/\/api\/sslkeyandcertificate\/sslkeyandcertificate-/),
      ],
      sslprofile_ref: expect.stringMatching(/\/api\/sslprofile\/sslprofile-/),
    });
    expect(sc.ssh_ciphers).toEqual(['aes128-ctr', 'aes256-ctr']);
    expect(sc.ssh_hmacs).toEqual(['hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512']);
    expect(sc.ntp_configuration.ntp_servers).toHaveLength(4);
    expect(sc.linux_configuration).toEqual({});
    expect(sc.mgmt_ip_access_control).toEqual({});
    for (const k of ['docker_mode', 'fips_mode', 'enable_cors', 'common_criteria_mode', 'welcome_workflow_complete']) expect(sc[k], k).toBe(false);
    expect(sc.host_key_algorithm_exclude).toBe('');
    expect(sc.kex_algorithm_exclude).toBe('');
    expect(sc.default_license_tier).toBe('ENTERPRISE');
  });

  it('keeps its sub-objects when a PUT leaves them out (Terraform PUTs only what it manages)', async () => {
    const res = await api.put('/api/systemconfiguration?skip_default=true', { default_license_tier: 'ENTERPRISE', docker_mode: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body.docker_mode).toBe(true);
    expect(res.body.portal_configuration).toEqual(expect.objectContaining({ allow_basic_authentication: false, enable_https: true }));
    expect(res.body.email_configuration.smtp_type).toBe('SMTP_LOCAL_HOST');
    expect(res.body.global_tenant_config.tenant_vrf).toBe(false);
    expect(res.body.fips_mode).toBe(false);
  });
});

describe('clouds show their licensing', () => {
  it('the fresh Default-Cloud: defaults as a controller shows them, the licence of the system', async () => {
    const cloud = await onlyOne(api, '/api/cloud/?name=Default-Cloud&include_name=');
    expect(cloud).toEqual(
      expect.objectContaining({ vtype: 'CLOUD_NONE', dhcp_enabled: false, mtu: 1500, license_type: 'LIC_CORES', license_tier: 'ENTERPRISE' }),
    );
  });

  it("a new cloud inherits the system's licence tier while it has none of its own, and the cloud type's licence type", async () => {
    const linux = await api.create('cloud', { name: uniq('cloud'), vtype: 'CLOUD_LINUXSERVER' });
    expect(linux.license_type).toBe('LIC_SOCKETS');
    const own = await api.create('cloud', { name: uniq('cloud'), vtype: 'CLOUD_NONE', license_tier: 'BASIC', license_type: 'LIC_HOSTS' });
    const sandbox = await startSim();
    const other = client(sandbox);
    const fresh = await other.create('cloud', { name: 'inherits', vtype: 'CLOUD_NONE' });
    expect(fresh.license_tier).toBe('ENTERPRISE');
    const patched = await other.patch('/api/systemconfiguration', { replace: { default_license_tier: 'ESSENTIALS' } });
    expect(patched.status, patched.text).toBe(200);
    expect((await other.get(`/api/cloud/${fresh.uuid}`)).body.license_tier).toBe('ESSENTIALS');
    expect((await read(`/api/cloud/${own.uuid}`))).toEqual(expect.objectContaining({ license_tier: 'BASIC', license_type: 'LIC_HOSTS' }));
  });
});

describe('/api/cluster/runtime', () => {
  it('names the node that answers in node_info, beside cluster_state and node_states', async () => {
    const cluster = await read('/api/cluster');
    const runtime = await read('/api/cluster/runtime');
    expect(runtime.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    expect(runtime.node_states.map((s: Data) => s.name)).toEqual(['10.10.10.10']);
    expect(runtime.node_info).toEqual({ cluster_uuid: cluster.uuid, uuid: expect.stringMatching(UUID), name: '10.10.10.10', mgmt_ip: '10.10.10.10' });
    expect((await read('/api/cluster/runtime')).node_info).toEqual(runtime.node_info);
  });
});

describe("the fresh controller's objects carry their nested defaults", () => {
  it('System-TCP-Proxy has its TCP proxy settings, as a recorded controller shows them', async () => {
    const profile = await onlyOne(api, '/api/networkprofile?name=System-TCP-Proxy');
    expect(profile.profile.type).toBe('PROTOCOL_TYPE_TCP_PROXY');
    expect(profile.profile.tcp_proxy_profile).toEqual({
      automatic: true,
      ignore_time_wait: false,
      time_wait_delay: 2000,
      max_retransmissions: 8,
      max_syn_retransmissions: 8,
      receive_window: 64,
      nagles_algorithm: false,
      ip_dscp: 0,
      idle_connection_type: 'KEEP_ALIVE',
      idle_connection_timeout: 600,
      use_interface_mtu: true,
      cc_algo: 'CC_ALGO_NEW_RENO',
      aggressive_congestion_avoidance: false,
      slow_start_scaling_factor: 1,
      congestion_recovery_scaling_factor: 2,
      reassembly_queue_size: 0,
      keepalive_in_halfclose_state: true,
      auto_window_growth: true,
    });
    const udp = await onlyOne(api, '/api/networkprofile?name=System-UDP-Fast-Path');
    expect(udp.profile.udp_fast_path_profile).toEqual({ per_pkt_loadbalance: false, session_idle_timeout: 10, snat: true });
  });
});

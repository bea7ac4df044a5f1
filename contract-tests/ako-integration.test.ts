/**
 * Contract: what AKO's own integration tests send for Kubernetes LoadBalancer services, replayed
 * against the target and checked through AKO's eyes (its object cache, support/ako-cache.ts).
 *
 * The requests follow the recorded traffic of those tests (boot, then a service of one port and
 * one of three ports, each created, updated and deleted): the same methods, paths (with and
 * without the trailing `/`), query strings, tenant headers and fields, empty-string refs
 * included. Names are the run's (cluster `<prefix>cluster`, the run's networks and SE group in
 * Default-Cloud). Two places differ from the recording, where its test double answered what a
 * controller does not:
 * - after each update the recording sends the virtual service's POST again (the double's answers
 *   had not given AKO the virtual service to cache); a controller answers 409, and AKO then
 *   refreshes that virtual service by name, which is what this suite checks;
 * - the recording deletes no virtual service (for the same reason); AKO deletes the virtual
 *   service it has cached first, then the vsvip, the l4policyset and the pools, as here.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { akoCache, akoList, type AkoCache } from './support/ako-cache.js';
import { akoClient, akoEnv, expectCreated, inVipRange, type AkoEnv, type Data } from './support/ako.js';
import { useTarget } from './support/target.js';
import type { ApiClient } from '../test/support/wire.js';

const t = useTarget();
const CLOUD = 'Default-Cloud';
let env: AkoEnv;
let CLUSTER: string;
let USER: string;
/** AKO's pool of sessions, speaking for the admin tenant (writes) and for every tenant (cache) */
let ako: ApiClient[] = [];
let all: ApiClient[] = [];
/** the node network as AKO read it: uuid and first subnet, for the pools' placement networks */
let nodeNet: { uuid: string; addr: string; mask: number };

beforeAll(async () => {
  env = await akoEnv(t);
  CLUSTER = env.cluster('cluster');
  USER = `ako-${CLUSTER}`;
});

/** A checksum as AKO writes them: an unsigned 32-bit number in decimal. */
function cksum(...parts: unknown[]): string {
  return String(createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32BE(0));
}

/** The `service_metadata` AKO writes: its metadata object serialised with every field. */
function serviceMetadata(namespaceSvcName: string[] | null): string {
  return JSON.stringify({
    namespace_ingress_name: null,
    ingress_name: '',
    namespace: '',
    hostnames: null,
    namespace_svc_name: namespaceSvcName,
    crd_status: { type: '', value: '', status: '' },
    pool_ratio: 0,
    passthrough_parent_ref: '',
    passthrough_child_ref: '',
    gateway: '',
    httproute: '',
    httproute_rule_name: '',
    insecureedgetermallow: false,
    is_mci_ingress: false,
    fqdn_reuse_policy: '',
    host_namespace_ingress_name: null,
  });
}

const ok = (res: { status: number; text: string }, what: string, status = 200) => {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(status);
};

describe("AKO's boot", () => {
  it('logs in a pool of nine sessions, each with a session and CSRF token of its own', async () => {
    const sessions: ApiClient[] = [];
    for (let i = 0; i < 9; i++) sessions.push(await t.client());
    expect(new Set(sessions.map((s) => s.csrf)).size).toBe(9);
    ako = sessions.map((s) => akoClient(s, 'admin'));
    all = sessions.map((s) => akoClient(s, '*'));
  });

  it('reads the controller version, then its VRF by name within the cloud', async () => {
    const initial = await ako[0]!.get('/api/initial-data');
    ok(initial, 'initial-data');
    expect(String(initial.body.version.Version)).toMatch(/^\d+(\.\d+)+$/);
    const vrf = await ako[0]!.get(`/api/vrfcontext?cloud_ref.name=${CLOUD}&include_name=true&name=global`);
    ok(vrf, 'vrfcontext');
    expect(vrf.body.count).toBe(1);
    expect(vrf.body.results[0]).toMatchObject({ name: 'global', uuid: expect.stringMatching(/^vrfcontext-/) });
    expect(vrf.body.results[0].cloud_ref).toMatch(new RegExp(`#${CLOUD}$`));
  });

  it('loads its cache across tenants: every list is a well-formed page and none holds its cluster yet', async () => {
    // First with the empty user and prefix AKO starts with, then with its cluster's.
    for (const [user, prefix] of [['', ''], [USER, `${CLUSTER}--`]] as const) {
      const problems: string[] = [];
      const lists = [
        `/api/vsvip/?cloud_ref.name=${CLOUD}&include_name=true&name.contains=${prefix}&page_size=100`,
        `/api/sslkeyandcertificate/?created_by=${user}&include_name=true&page_size=100`,
        `/api/pkiprofile/?created_by=${user}&include_name=true&page_size=100`,
        `/api/applicationpersistenceprofile/?include_name=true&name.contains=${prefix}&page_size=100`,
        `/api/pool/?cloud_ref.name=${CLOUD}&created_by=${user}&include_name=true&page_size=100`,
        `/api/poolgroup/?cloud_ref.name=${CLOUD}&created_by=${user}&include_name=true&page_size=100`,
        `/api/stringgroup?include_name=true&label_key=created_by&label_value=${user}&page_size=100`,
        `/api/vsdatascriptset/?created_by=${user}&include_name=true`,
        `/api/l4policyset/?created_by=${user}&include_name=true&page_size=100`,
        `/api/httppolicyset/?created_by=${user}&include_name=true&page_size=100`,
        `/api/virtualservice/?cloud_ref.name=${CLOUD}&created_by=${user}&include_name=true&page_size=100`,
      ];
      const found = await Promise.all(lists.map((path, i) => akoList(all[i % all.length]!, path, problems)));
      expect(problems).toEqual([]);
      if (user) for (const [i, results] of found.entries()) expect(results, lists[i]).toEqual([]);
    }
  });

  it('checks its cloud, tenant, cluster, SE group and networks by name', async () => {
    const cloud = await ako[0]!.get(`/api/cloud/?include_name=&name=${CLOUD}`);
    ok(cloud, 'cloud');
    expect(cloud.body.count).toBe(1);
    const c = cloud.body.results[0];
    expect(c.vtype).toBe('CLOUD_NONE');
    // AKO reads the cloud's IPAM profile by the name after the ref's `#`, and its domain list.
    if (c.ipam_provider_ref !== undefined) {
      const name = String(c.ipam_provider_ref).split('#')[1];
      expect(name, 'ipam_provider_ref carries #name').toBeTruthy();
      const ipam = await ako[0]!.get(`/api/ipamdnsproviderprofile/?include_name=&name=${name}`);
      expect(ipam.body.count).toBe(1);
      ok(await ako[0]!.get(`/api/ipamdnsproviderprofiledomainlist?cloud_uuid=${c.uuid}`), 'domain list');
    }
    const cluster = await ako[0]!.get('/api/cluster');
    ok(cluster, 'cluster');
    expect(cluster.body).toMatchObject({ uuid: expect.any(String), name: expect.any(String) });
    const tenant = await ako[0]!.get('/api/tenant/?include_name=&name=admin');
    expect(tenant.body.count).toBe(1);
    expect(tenant.body.results[0].uuid).toBe('admin');
    const seg = await ako[0]!.get(`/api/serviceenginegroup/?cloud_ref.name=${CLOUD}&include_name=&name=${env.seGroup}`);
    expect(seg.body.count).toBe(1);
    expect(seg.body.results[0].cloud_ref).toMatch(new RegExp(`#${CLOUD}$`));
    for (const name of [env.vipNetwork, env.nodeNetwork]) {
      for (const includeName of ['true', '']) {
        const net = await ako[0]!.get(`/api/network/?cloud_ref.name=${CLOUD}&include_name=${includeName}&name=${name}`);
        expect(net.body.count, name).toBe(1);
        expect(net.body.results[0].configured_subnets.length).toBeGreaterThan(0);
      }
    }
    const node = (await ako[0]!.get(`/api/network/?cloud_ref.name=${CLOUD}&include_name=true&name=${env.nodeNetwork}`)).body.results[0];
    const prefix = node.configured_subnets[0].prefix;
    nodeNet = { uuid: node.uuid, addr: prefix.ip_addr.addr, mask: prefix.mask };
    const tenants = await ako[0]!.get('/api/tenant');
    expect(tenants.body.results.map((x: Data) => x.name)).toContain('admin');
  });

  it('puts its cluster label on the SE group by a PUT of the group as read, seen from every tenant', async () => {
    const read = await ako[0]!.get(`/api/serviceenginegroup/?cloud_ref.name=${CLOUD}&include_name=&name.in=${env.seGroup}&page_size=100`);
    expect(read.body.count).toBe(1);
    const seg = read.body.results[0];
    const put = await ako[0]!.put(`/api/serviceenginegroup/${seg.uuid}`, { ...seg, labels: [{ key: 'clustername', value: CLUSTER }] });
    ok(put, 'SE group PUT');
    for (const client of [ako[0]!, all[0]!]) {
      const again = await client.get(`/api/serviceenginegroup/?cloud_ref.name=${CLOUD}&include_name=&name=${env.seGroup}`);
      expect(again.body.results[0].labels).toEqual([{ key: 'clustername', value: CLUSTER }]);
    }
  });
});

interface Service {
  svc: string;
  ports: number[];
  /** the servers of each update, in order */
  updates: string[][];
}

function serviceSuite(what: string, s: Service): void {
  describe(what, () => {
    const ns = 'red-ns';
    const made: { vsvip?: Data; pools: Data[]; l4?: Data; vs?: Data } = { pools: [] };
    let NAME: string;
    let poolNames: string[];
    const sent: { vsvip?: Data; pools: Data[]; l4?: Data; vs?: Data } = { pools: [] };
    const marker = (key: string, value: string) => ({ key, values: [value] });
    const ownMarkers = () => [marker('clustername', CLUSTER), marker('Namespace', ns), marker('ServiceName', s.svc)];

    const vsvipBody = (): Data => ({
      cloud_ref: `/api/cloud?name=${CLOUD}`,
      east_west_placement: false,
      markers: [marker('clustername', CLUSTER)],
      name: NAME,
      tenant_ref: '/api/tenant/?name=admin',
      vip: [{ auto_allocate_ip: true, ipam_network_subnet: { network_ref: `/api/network/?name=${env.vipNetwork}` }, vip_id: '0' }],
      vrf_context_ref: '/api/vrfcontext?name=global',
      vsvip_cloud_config_cksum: cksum('vsvip', NAME),
    });
    const poolBody = (i: number, servers?: string[]): Data => {
      const port = s.ports[i]!;
      const body: Data = {
        cloud_ref: `/api/cloud?name=${CLOUD}`,
        created_by: USER,
        graceful_disable_timeout: 1,
        health_monitor_refs: ['/api/healthmonitor/?name=System-TCP'],
        markers: [...ownMarkers(), marker('Port', String(port))],
        name: poolNames[i],
        placement_networks: [{ network_ref: `/api/network/${nodeNet.uuid}`, subnet: { ip_addr: { addr: nodeNet.addr, type: 'V4' }, mask: nodeNet.mask } }],
        service_metadata: serviceMetadata(null),
        sni_enabled: false,
        tenant_ref: '/api/tenant/?name=admin',
        vrf_ref: '/api/vrfcontext?name=global',
      };
      if (servers) body.servers = servers.map((addr) => ({ enabled: false, external_uuid: `${addr}:${port}`, ip: { addr, type: 'V4' }, port }));
      body.cloud_config_cksum = cksum('pool', body);
      return body;
    };
    const l4Body = (): Data => ({
      created_by: USER,
      l4_connection_policy: {
        rules: s.ports.map((port, i) => ({
          action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: `/api/pool?name=${poolNames[i]}` } },
          index: i,
          match: { port: { match_criteria: 'IS_IN', ports: [port] }, protocol: { match_criteria: 'IS_IN', protocol: 'PROTOCOL_TCP' } },
          name: `/api/pool?name=${poolNames[i]}`,
        })),
      },
      markers: [...ownMarkers(), marker('Protocol', 'TCP')],
      name: NAME,
      tenant_ref: '/api/tenant/?name=admin',
    });
    const vsBody = (): Data => ({
      application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
      cloud_config_cksum: cksum('vs', NAME, s.ports),
      cloud_ref: `/api/cloud?name=${CLOUD}`,
      created_by: USER,
      error_page_profile_ref: '',
      l4_policies: [{ index: 0, l4_policy_set_ref: `/api/l4policyset/?name=${NAME}` }],
      markers: ownMarkers(),
      name: NAME,
      network_profile_ref: '/api/networkprofile/?name=System-TCP-Fast-Path',
      remove_listening_port_on_vs_down: true,
      se_group_ref: `/api/serviceenginegroup?name=${env.seGroup}`,
      service_metadata: serviceMetadata([`${ns}/${s.svc}`]),
      services: s.ports.map((port) => ({ enable_http2: false, enable_ssl: false, port, port_range_end: port })),
      tenant_ref: '/api/tenant/?name=admin',
      traffic_enabled: true,
      vrf_context_ref: '/api/vrfcontext?name=global',
      vsvip_ref: `/api/vsvip/?name=${NAME}`,
    });

    /** AKO's cache, narrowed to this service's objects */
    const view = async (): Promise<AkoCache> => {
      const c = await akoCache(all, CLOUD, CLUSTER);
      const mine = <T>(r: Record<string, T>) => Object.fromEntries(Object.entries(r).filter(([k]) => k === NAME || k.startsWith(`${NAME}-TCP-`)));
      return { vsvips: mine(c.vsvips), pools: mine(c.pools), l4: mine(c.l4), vses: mine(c.vses), problems: c.problems };
    };
    /** the cache AKO should hold for the service as last written */
    const expected = (): AkoCache => ({
      vsvips: {
        [NAME]: {
          uuid: made.vsvip!.uuid,
          lastModified: expect.any(String),
          vips: [made.vsvip!.vip[0].ip_address.addr],
          networkNames: [env.vipNetwork],
          cksum: sent.vsvip!.vsvip_cloud_config_cksum,
        },
      },
      pools: Object.fromEntries(
        made.pools.map((p, i) => [poolNames[i], { uuid: p.uuid, cksum: sent.pools[i]!.cloud_config_cksum, lastModified: p._last_modified, serviceMetadata: JSON.parse(sent.pools[i]!.service_metadata) }]),
      ),
      l4: { [NAME]: { uuid: made.l4!.uuid, lastModified: made.l4!._last_modified, markers: sent.l4!.markers, pools: poolNames, ports: s.ports, protocols: s.ports.map(() => 'TCP') } },
      vses: {
        [NAME]: {
          uuid: made.vs!.uuid,
          cksum: sent.vs!.cloud_config_cksum,
          lastModified: made.vs!._last_modified,
          serviceMetadata: JSON.parse(sent.vs!.service_metadata),
          vsvips: [NAME],
          l4: [NAME],
          pools: poolNames,
        },
      },
      problems: [],
    });
    /** what AKO keeps from a write's answer: name, uuid, _last_modified as strings, its checksum back */
    const cachedFromAnswer = (res: Data, body: Data, cksumField = 'cloud_config_cksum') => {
      expect(res.name).toBe(body.name);
      expect(typeof res.uuid).toBe('string');
      expect(typeof res._last_modified).toBe('string');
      expect(res._last_modified).not.toBe('');
      if (body[cksumField] !== undefined) expect(res[cksumField]).toBe(body[cksumField]);
    };

    beforeAll(() => {
      NAME = `${CLUSTER}--${ns}-${s.svc}`;
      poolNames = s.ports.map((p) => `${NAME}-TCP-${p}`);
    });

    it('creates the vsvip, pools, l4policyset and virtual service; each answer holds what AKO caches', async () => {
      sent.vsvip = vsvipBody();
      made.vsvip = expectCreated(await ako[0]!.post('/api/vsvip', sent.vsvip), 'vsvip');
      cachedFromAnswer(made.vsvip, sent.vsvip, 'vsvip_cloud_config_cksum');
      expect(made.vsvip.uuid).toMatch(/^vsvip-/);
      const vip = made.vsvip.vip[0];
      expect(vip.ip_address.type).toBe('V4');
      expect(inVipRange(vip.ip_address.addr), vip.ip_address.addr).toBe(true);

      for (const i of s.ports.keys()) {
        sent.pools[i] = poolBody(i);
        made.pools[i] = expectCreated(await ako[0]!.post('/api/pool/', sent.pools[i]), poolNames[i]!);
        cachedFromAnswer(made.pools[i]!, sent.pools[i]!);
        expect(made.pools[i]!.service_metadata).toBe(sent.pools[i]!.service_metadata);
      }
      sent.l4 = l4Body();
      made.l4 = expectCreated(await ako[0]!.post('/api/l4policyset/', sent.l4), 'l4policyset');
      cachedFromAnswer(made.l4, sent.l4);
      expect(made.l4.l4_connection_policy.rules.map((r: Data) => r.action.select_pool.pool_ref.split('#')[0].split('/').pop())).toEqual(made.pools.map((p) => p.uuid));

      sent.vs = vsBody();
      made.vs = expectCreated(await ako[0]!.post('/api/virtualservice/', sent.vs), 'virtualservice');
      cachedFromAnswer(made.vs, sent.vs);
      expect(made.vs.service_metadata).toBe(sent.vs.service_metadata);
      expect(made.vs.created_by).toBe(USER);
      // The empty ref means "not set": the answer leaves it out.
      expect(made.vs).not.toHaveProperty('error_page_profile_ref');
      expect(made.vs.vsvip_ref.split('#')[0].split('/').pop()).toBe(made.vsvip.uuid);
    });

    it('the cache AKO loads finds the service whole: VIP, vsvip, l4policyset, pools, checksums', async () => {
      expect(await view()).toEqual(expected());
    });

    it('updates by whole-object PUTs of pools and l4policyset; the virtual service sent again is a 409, and AKO finds it unchanged', async () => {
      for (const servers of s.updates) {
        for (const i of s.ports.keys()) {
          sent.pools[i] = poolBody(i, servers);
          const put = await ako[0]!.put(`/api/pool/${made.pools[i]!.uuid}`, sent.pools[i]);
          ok(put, `PUT ${poolNames[i]}`);
          cachedFromAnswer(put.body, sent.pools[i]!);
          expect(put.body.servers.map((x: Data) => [x.ip.addr, x.port, x.enabled, x.external_uuid])).toEqual(
            sent.pools[i]!.servers.map((x: Data) => [x.ip.addr, x.port, x.enabled, x.external_uuid]),
          );
          made.pools[i] = put.body;
        }
        sent.l4 = l4Body();
        const l4 = await ako[0]!.put(`/api/l4policyset/${made.l4!.uuid}`, sent.l4);
        ok(l4, 'PUT l4policyset');
        cachedFromAnswer(l4.body, sent.l4);
        made.l4 = l4.body;

        const again = await ako[0]!.post('/api/virtualservice/', vsBody());
        expect(again.status, again.text).toBe(409);
        // AKO's refresh of one virtual service after a conflict.
        const one = await ako[0]!.get(`/api/virtualservice?name=${NAME}&cloud_ref.name=${CLOUD}&created_by=${USER}`);
        ok(one, 'VS refresh');
        expect(one.body.count).toBe(1);
        const vs = one.body.results[0];
        expect([vs.uuid, vs.cloud_config_cksum, vs._last_modified]).toEqual([made.vs!.uuid, sent.vs!.cloud_config_cksum, made.vs!._last_modified]);
        expect(vs.vsvip_ref.split('/').pop()).toBe(made.vsvip!.uuid);
        expect(await view()).toEqual(expected());
      }
    });

    it("deletes in AKO's order; its cache and its one-object refreshes then find nothing of the service", async () => {
      const order: Array<[string, Data]> = [
        ['virtualservice', made.vs!],
        ['vsvip', made.vsvip!],
        ['l4policyset', made.l4!],
        ...[...made.pools].reverse().map((p): [string, Data] => ['pool', p]),
      ];
      for (const [type, obj] of order) ok(await ako[0]!.del(`/api/${type}/${obj.uuid}`), `DELETE ${type} ${obj.name}`, 204);
      expect(await view()).toEqual({ vsvips: {}, pools: {}, l4: {}, vses: {}, problems: [] });
      const vs = await ako[0]!.get(`/api/virtualservice?name=${NAME}&cloud_ref.name=${CLOUD}&created_by=${USER}`);
      expect(vs.body.count).toBe(0);
      const vsvip = await ako[0]!.get(`/api/vsvip?name=${NAME}&cloud_ref.name=${CLOUD}`);
      expect(vsvip.body.count).toBe(0);
      for (const name of poolNames) expect((await ako[0]!.get(`/api/pool?name=${name}&created_by=${USER}`)).body.count).toBe(0);
      expect((await ako[0]!.get(`/api/l4policyset?name=${NAME}&created_by=${USER}`)).body.count).toBe(0);
    });
  });
}

serviceSuite('an L4 service of one port', { svc: 'testsvc-1', ports: [8080], updates: [['10.114.1.11'], ['10.114.1.12', '10.114.1.13']] });
serviceSuite('an L4 service of three ports', { svc: 'testsvcmulti-1', ports: [8080, 8081, 8082], updates: [['10.114.1.11', '10.114.1.13', '10.114.1.15']] });

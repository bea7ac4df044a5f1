/**
 * The system objects a fresh controller ships (seeds/fresh-controller.yaml, listed with their
 * sources in seeds/README.md): each resolves by name, each is refused on delete, each is what
 * its type and fields make it, and clients' writes that name them are accepted — AKO's SCTP
 * pools and virtual services, TLS virtual services on the system SSL profiles and
 * certificates, HTTP/2, WAF, persistence and error pages.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { client, onlyOne, startSim, type Sim } from './helpers.js';

type Data = Record<string, any>;

/** Per type (as in `/api/<type>`), the system objects every fresh controller holds. */
const SYSTEM_OBJECTS: Record<string, string[]> = {
  stringgroup: ['System-Compressible-Content-Types', 'System-Cacheable-Resource-Types', 'System-Rewritable-Content-Types', 'System-Devices-Mobile'],
  applicationprofile: [
    'System-HTTP', 'System-Secure-HTTP', 'System-Secure-HTTP-VDI', 'System-L4-Application', 'System-SSL-Application', 'System-DNS',
    'System-Syslog',
  ],
  networkprofile: [
    'System-TCP-Proxy', 'System-TCP-Fast-Path', 'System-UDP-Fast-Path', 'System-UDP-Per-Pkt', 'System-UDP-No-SNAT', 'System-UDP-Fast-Path-VDI',
    'System-UDP-Proxy', 'System-SCTP-Proxy',
  ],
  healthmonitor: [
    'System-HTTP', 'System-HTTPS', 'System-TCP', 'System-UDP', 'System-Ping', 'System-DNS', 'System-SCTP', 'System-Xternal-Perl',
    'System-Xternal-Shell', 'System-Xternal-Python', 'System-PingAccessAgent', 'System-GSLB-Ping', 'System-GSLB-TCP', 'System-GSLB-UDP',
    'System-GSLB-HTTP', 'System-GSLB-HTTPS', 'System-HTTP2',
  ],
  applicationpersistenceprofile: [
    'System-Persistence-Client-IP', 'System-Persistence-Http-Cookie', 'System-Persistence-Custom-Http-Header', 'System-Persistence-App-Cookie',
    'System-Persistence-TLS',
  ],
  sslprofile: ['System-Standard', 'System-Standard-PFS', 'System-Standard-Portal'],
  sslkeyandcertificate: [
    'System-Default-Cert', 'System-Default-Cert-EC', 'System-Default-Portal-Cert', 'System-Default-Portal-Cert-EC256', 'System-Default-Root-CA',
    'System-Default-Secure-Channel-Cert',
  ],
  wafprofile: ['System-WAF-Profile'],
  wafpolicy: ['System-WAF-Policy', 'System-WAF-Policy-VDI'],
  wafapplicationsignatureprovider: ['System-WafApplicationSignatureProvider'],
  botmapping: ['System-Bot-Mapping'],
  botipreputationtypemapping: ['System-IPReputation-Type-Mapping'],
  botconfigconsolidator: ['System-Bot-Consolidator'],
  geodb: ['System-GeoDB'],
  errorpagebody: ['Custom-Error-Page'],
  errorpageprofile: ['Custom-Error-Page-Profile'],
  analyticsprofile: ['System-Analytics-Profile'],
};
const ALL = Object.entries(SYSTEM_OBJECTS).flatMap(([type, names]) => names.map((name) => [type, name] as const));

let sim: Sim;
let api: ReturnType<typeof client>;

const byName = (type: string, name: string): Promise<Data> => onlyOne(api, `/api/${type}?name=${encodeURIComponent(name)}&include_name`);
/** `#name` of a rendered ref */
const nameOf = (ref: string) => ref.split('#')[1];

beforeAll(async () => {
  sim = await startSim();
  api = client(sim);
});

describe('the system objects of a fresh controller', () => {
  it.each(ALL)('holds %s %s, once', async (type, name) => {
    const res = await api.get(`/api/${type}?name=${encodeURIComponent(name)}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.count).toBe(1);
    expect(res.body.results[0].name).toBe(name);
  });

  it('refuses to delete any of them', async () => {
    for (const [type, name] of ALL) {
      const { uuid } = await byName(type, name);
      const res = await api.del(`/api/${type}/${uuid}`);
      expect([res.status, res.body], `${type} ${name}`).toEqual([403, { error: 'Cannot delete system default object' }]);
    }
    // all still there
    for (const [type, name] of ALL) await byName(type, name);
  });

  it('holds them in every built-in scenario (each extends the fresh controller)', async () => {
    const other = client(await startSim({ scenario: 'nsxt-tkgi' }));
    for (const [type, name] of ALL) {
      expect((await other.get(`/api/${type}?name=${encodeURIComponent(name)}`)).body.count, `${type} ${name}`).toBe(1);
    }
  });
});

describe('what makes each what it is', () => {
  it('health monitors: their type and monitor block', async () => {
    const sctp = await byName('healthmonitor', 'System-SCTP');
    expect(sctp.type).toBe('HEALTH_MONITOR_SCTP');
    const http = await byName('healthmonitor', 'System-HTTP');
    expect(http).toMatchObject({
      type: 'HEALTH_MONITOR_HTTP',
      send_interval: 10,
      receive_timeout: 4,
      http_monitor: { http_request: 'HEAD / HTTP/1.0', http_response_code: ['HTTP_2XX', 'HTTP_3XX'] },
    });
    expect((await byName('healthmonitor', 'System-UDP')).udp_monitor.udp_request).toBe('EnterYourRequestDataHere');
    expect((await byName('healthmonitor', 'System-DNS')).dns_monitor.query_name).toBe('www.google.com');
    expect((await byName('healthmonitor', 'System-Xternal-Shell')).external_monitor.command_code).toMatch(/^#!\/bin\/bash/);
    const pa = await byName('healthmonitor', 'System-PingAccessAgent');
    expect(pa).toMatchObject({ type: 'HEALTH_MONITOR_HTTPS', monitor_port: 3000 });
    expect(nameOf(pa.https_monitor.ssl_attributes.ssl_profile_ref)).toBe('System-Standard');
    for (const [name, type] of [['System-GSLB-Ping', 'PING'], ['System-GSLB-TCP', 'TCP'], ['System-GSLB-UDP', 'UDP'], ['System-GSLB-HTTP', 'HTTP'], ['System-GSLB-HTTPS', 'HTTPS']]) {
      expect(await byName('healthmonitor', name!), name).toMatchObject({ type: `HEALTH_MONITOR_${type}`, is_federated: true });
    }
  });

  it('network profiles: their protocol', async () => {
    const profile = async (name: string) => (await byName('networkprofile', name)).profile;
    expect(await profile('System-SCTP-Proxy')).toMatchObject({ type: 'PROTOCOL_TYPE_SCTP_PROXY' });
    expect(await profile('System-UDP-Per-Pkt')).toMatchObject({ type: 'PROTOCOL_TYPE_UDP_FAST_PATH', udp_fast_path_profile: { per_pkt_loadbalance: true, snat: true } });
    expect(await profile('System-UDP-No-SNAT')).toMatchObject({ type: 'PROTOCOL_TYPE_UDP_FAST_PATH', udp_fast_path_profile: { snat: false } });
    expect(await profile('System-UDP-Fast-Path')).toMatchObject({ udp_fast_path_profile: { per_pkt_loadbalance: false, snat: true } });
  });

  it('persistence profiles: their persistence type', async () => {
    const types: Record<string, string> = {
      'System-Persistence-Client-IP': 'PERSISTENCE_TYPE_CLIENT_IP_ADDRESS',
      'System-Persistence-Http-Cookie': 'PERSISTENCE_TYPE_HTTP_COOKIE',
      'System-Persistence-Custom-Http-Header': 'PERSISTENCE_TYPE_CUSTOM_HTTP_HEADER',
      'System-Persistence-App-Cookie': 'PERSISTENCE_TYPE_APP_COOKIE',
      'System-Persistence-TLS': 'PERSISTENCE_TYPE_TLS',
    };
    for (const [name, type] of Object.entries(types)) expect((await byName('applicationpersistenceprofile', name)).persistence_type, name).toBe(type);
    expect((await byName('applicationpersistenceprofile', 'System-Persistence-Client-IP')).ip_persistence_profile.ip_persistent_timeout).toBe(5);
  });

  it('application profiles: HTTP ones compress and cache by the system string groups', async () => {
    const secure = await byName('applicationprofile', 'System-Secure-HTTP');
    expect(secure.http_profile).toMatchObject({ http_to_https: true, secure_cookie_enabled: true, hsts_enabled: true, connection_multiplexing_enabled: true });
    expect(nameOf(secure.http_profile.compression_profile.compressible_content_ref)).toBe('System-Compressible-Content-Types');
    expect(secure.http_profile.cache_config.mime_types_group_refs.map(nameOf)).toEqual(['System-Cacheable-Resource-Types']);
    const compressible = await byName('stringgroup', 'System-Compressible-Content-Types');
    expect(compressible.kv.map((kv: Data) => kv.key)).toEqual(expect.arrayContaining(['text/html', 'application/javascript']));
    expect((await byName('applicationprofile', 'System-Secure-HTTP-VDI')).app_service_type).toBe('APP_SERVICE_TYPE_L7_HORIZON');
  });

  it('SSL profiles and WAF: the portal profile is a system one, the WAF policies detect on System-WAF-Profile', async () => {
    expect((await byName('sslprofile', 'System-Standard-Portal')).type).toBe('SSL_PROFILE_TYPE_SYSTEM');
    expect((await byName('sslprofile', 'System-Standard')).type).toBe('SSL_PROFILE_TYPE_APPLICATION');
    for (const name of ['System-WAF-Policy', 'System-WAF-Policy-VDI']) {
      const policy = await byName('wafpolicy', name);
      expect(policy.mode).toBe('WAF_MODE_DETECTION_ONLY');
      expect(nameOf(policy.waf_profile_ref)).toBe('System-WAF-Profile');
    }
    expect((await byName('wafprofile', 'System-WAF-Profile')).config.client_request_max_body_size).toBe(32);
  });

  it('certificates: each a generated key and self-signed certificate of its type and subject', async () => {
    const RSA = 'SSL_KEY_ALGORITHM_RSA';
    const EC = 'SSL_KEY_ALGORITHM_EC';
    const expected: Record<string, [string, string, string]> = {
      'System-Default-Cert': ['SSL_CERTIFICATE_TYPE_VIRTUALSERVICE', 'System Default Cert', RSA],
      'System-Default-Cert-EC': ['SSL_CERTIFICATE_TYPE_VIRTUALSERVICE', 'System Default EC Cert', EC],
      'System-Default-Portal-Cert': ['SSL_CERTIFICATE_TYPE_SYSTEM', 'Default Portal Cert', RSA],
      'System-Default-Portal-Cert-EC256': ['SSL_CERTIFICATE_TYPE_SYSTEM', 'Default Portal EC Cert', EC],
      'System-Default-Root-CA': ['SSL_CERTIFICATE_TYPE_CA', 'Avi Controller Root CA', EC],
      'System-Default-Secure-Channel-Cert': ['SSL_CERTIFICATE_TYPE_SYSTEM', 'Avi Secure Channel', EC],
    };
    for (const [name, [type, cn, algorithm]] of Object.entries(expected)) {
      const cert = await onlyOne(api, `/api/sslkeyandcertificate?name=${name}&export_key=true`);
      expect(cert.type, name).toBe(type);
      expect(cert.certificate).toMatchObject({ self_signed: true, subject: { common_name: cn } });
      // made for ten years, as a controller makes them at installation
      const x509 = new X509Certificate(cert.certificate.certificate);
      expect(Math.round((Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000), name).toBe(3650);
      expect(x509.checkPrivateKey(createPrivateKey(cert.key)), name).toBe(true);
      expect(cert.key_params.algorithm, name).toBe(algorithm);
      // without export_key the key stays hidden
      expect((await byName('sslkeyandcertificate', name)).key).toBeUndefined();
    }
  });

  it('the system configuration: the portal serves the portal certificates and profile, the secure channel its certificate', async () => {
    const sc = (await api.get('/api/systemconfiguration?include_name')).body;
    expect(sc.portal_configuration.sslkeyandcertificate_refs.map(nameOf)).toEqual(['System-Default-Portal-Cert', 'System-Default-Portal-Cert-EC256']);
    expect(nameOf(sc.portal_configuration.sslprofile_ref)).toBe('System-Standard-Portal');
    expect(sc.secure_channel_configuration.sslkeyandcertificate_refs.map(nameOf)).toEqual(['System-Default-Secure-Channel-Cert']);
  });
});

describe('what clients make with them', () => {
  const markers = (svc: string) => [
    { key: 'clustername', values: ['cluster'] },
    { key: 'Namespace', values: ['default'] },
    { key: 'ServiceName', values: [svc] },
  ];

  it('an L4 service with SCTP and TCP ports, as AKO writes it: pools on System-SCTP and System-TCP, SCTP ports on System-SCTP-Proxy', async () => {
    await api.create('network', {
      name: 'sctp-vip-net',
      cloud_ref: '/api/cloud/?name=Default-Cloud',
      configured_subnets: [{
        prefix: { ip_addr: { addr: '10.201.0.0', type: 'V4' }, mask: 24 },
        static_ip_ranges: [{ range: { begin: { addr: '10.201.0.10', type: 'V4' }, end: { addr: '10.201.0.20', type: 'V4' } }, type: 'STATIC_IPS_FOR_VIP' }],
      }],
    });
    // AKO's pool body: the default monitor of the port's protocol, by name
    const pool = (protocol: string, port: number, hm: string) => ({
      name: `cluster--default-sctp-svc-${protocol}-${port}`,
      cloud_ref: '/api/cloud?name=Default-Cloud',
      tenant_ref: '/api/tenant/?name=admin',
      vrf_ref: '/api/vrfcontext?name=global',
      created_by: 'ako-cluster',
      graceful_disable_timeout: 1,
      health_monitor_refs: [`/api/healthmonitor/?name=${hm}`],
      markers: [...markers('sctp-svc'), { key: 'Port', values: [String(port)] }],
      servers: [{ ip: { addr: '10.202.0.5', type: 'V4' }, port: 9090, enabled: true, external_uuid: `10.202.0.5:9090` }],
      sni_enabled: false,
    });
    const sctpPool = await api.create('pool', pool('SCTP', 80, 'System-SCTP'));
    expect(nameOf(sctpPool.health_monitor_refs[0])).toBe('System-SCTP');
    const tcpPool = await api.create('pool', pool('TCP', 8080, 'System-TCP'));
    expect(nameOf(tcpPool.health_monitor_refs[0])).toBe('System-TCP');
    const rule = (protocol: string, port: number, index: number) => ({
      index,
      name: `/api/pool?name=cluster--default-sctp-svc-${protocol}-${port}`,
      action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: `/api/pool?name=cluster--default-sctp-svc-${protocol}-${port}` } },
      match: { port: { match_criteria: 'IS_IN', ports: [port] }, protocol: { match_criteria: 'IS_IN', protocol: `PROTOCOL_${protocol}` } },
    });
    await api.create('l4policyset', {
      name: 'cluster--default-sctp-svc',
      created_by: 'ako-cluster',
      tenant_ref: '/api/tenant/?name=admin',
      markers: [...markers('sctp-svc'), { key: 'Protocol', values: ['SCTP'] }],
      l4_connection_policy: { rules: [rule('SCTP', 80, 0), rule('TCP', 8080, 1)] },
    });
    await api.create('vsvip', {
      name: 'cluster--default-sctp-svc',
      cloud_ref: '/api/cloud?name=Default-Cloud',
      tenant_ref: '/api/tenant/?name=admin',
      vrf_context_ref: '/api/vrfcontext?name=global',
      vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=sctp-vip-net' } }],
    });
    // a mix of TCP and SCTP ports: the TCP profile for the VS, System-SCTP-Proxy on the SCTP port
    const vs = await api.create('virtualservice', {
      name: 'cluster--default-sctp-svc',
      cloud_ref: '/api/cloud?name=Default-Cloud',
      tenant_ref: '/api/tenant/?name=admin',
      created_by: 'ako-cluster',
      application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
      network_profile_ref: '/api/networkprofile/?name=System-TCP-Proxy',
      error_page_profile_ref: '',
      se_group_ref: '/api/serviceenginegroup?name=Default-Group',
      vrf_context_ref: '/api/vrfcontext?name=global',
      vsvip_ref: '/api/vsvip/?name=cluster--default-sctp-svc',
      l4_policies: [{ index: 0, l4_policy_set_ref: '/api/l4policyset/?name=cluster--default-sctp-svc' }],
      services: [
        { port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false, override_network_profile_ref: '/api/networkprofile/?name=System-SCTP-Proxy' },
        { port: 8080, port_range_end: 8080, enable_ssl: false, enable_http2: false },
      ],
      traffic_enabled: true,
    });
    expect(nameOf(vs.services[0].override_network_profile_ref)).toBe('System-SCTP-Proxy');
    expect(nameOf(vs.network_profile_ref)).toBe('System-TCP-Proxy');
    // an SCTP-only service: the VS itself on System-SCTP-Proxy
    const only = await api.create('virtualservice', {
      name: 'sctp-only',
      application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
      network_profile_ref: '/api/networkprofile/?name=System-SCTP-Proxy',
      pool_ref: `/api/pool/${sctpPool.uuid}`,
      services: [{ port: 3868 }],
    });
    expect(nameOf(only.network_profile_ref)).toBe('System-SCTP-Proxy');
  });

  it('TLS virtual services on the system SSL profiles and certificates, with WAF, persistence and error pages', async () => {
    const pool = await api.create('pool', {
      name: 'web-pool',
      health_monitor_refs: ['/api/healthmonitor/?name=System-HTTPS'],
      application_persistence_profile_ref: '/api/applicationpersistenceprofile/?name=System-Persistence-Http-Cookie',
      ssl_profile_ref: '/api/sslprofile/?name=System-Standard',
      servers: [{ ip: { addr: '10.203.0.5', type: 'V4' }, port: 443 }],
    });
    expect(nameOf(pool.application_persistence_profile_ref)).toBe('System-Persistence-Http-Cookie');
    const portalLike = await api.create('virtualservice', {
      name: 'tls-portal-profile',
      services: [{ port: 443, enable_ssl: true }],
      application_profile_ref: '/api/applicationprofile/?name=System-Secure-HTTP',
      ssl_profile_ref: '/api/sslprofile/?name=System-Standard-Portal',
      ssl_key_and_certificate_refs: ['/api/sslkeyandcertificate/?name=System-Default-Cert', '/api/sslkeyandcertificate/?name=System-Default-Cert-EC'],
      waf_policy_ref: '/api/wafpolicy/?name=System-WAF-Policy',
      error_page_profile_ref: '/api/errorpageprofile/?name=Custom-Error-Page-Profile',
      pool_ref: `/api/pool/${pool.uuid}`,
    });
    expect(nameOf(portalLike.ssl_profile_ref)).toBe('System-Standard-Portal');
    expect(portalLike.ssl_key_and_certificate_refs.map(nameOf)).toEqual(['System-Default-Cert', 'System-Default-Cert-EC']);
    expect(nameOf(portalLike.waf_policy_ref)).toBe('System-WAF-Policy');
    expect(nameOf(portalLike.error_page_profile_ref)).toBe('Custom-Error-Page-Profile');
    // a Horizon (VDI) service on the VDI profiles
    const vdi = await api.create('virtualservice', {
      name: 'horizon',
      services: [{ port: 443, enable_ssl: true }],
      application_profile_ref: '/api/applicationprofile/?name=System-Secure-HTTP-VDI',
      waf_policy_ref: '/api/wafpolicy/?name=System-WAF-Policy-VDI',
      ssl_key_and_certificate_refs: ['/api/sslkeyandcertificate/?name=System-Default-Cert'],
    });
    expect(nameOf(vdi.application_profile_ref)).toBe('System-Secure-HTTP-VDI');
  });

  it('an HTTP/2 service whose pool is watched by System-HTTP2', async () => {
    const pool = await api.create('pool', { name: 'h2-pool', health_monitor_refs: ['/api/healthmonitor/?name=System-HTTP2'], servers: [{ ip: { addr: '10.204.0.5', type: 'V4' }, port: 8443 }] });
    expect(nameOf(pool.health_monitor_refs[0])).toBe('System-HTTP2');
    const vs = await api.create('virtualservice', {
      name: 'h2',
      services: [{ port: 443, enable_ssl: true, enable_http2: true }],
      ssl_key_and_certificate_refs: ['/api/sslkeyandcertificate/?name=System-Default-Cert-EC'],
      pool_ref: `/api/pool/${pool.uuid}`,
    });
    expect(vs.services[0].enable_http2).toBe(true);
  });

  it('profiles of their own built on the system ones (as the Terraform and Ansible examples write them)', async () => {
    const app = await api.create('applicationprofile', {
      name: 'my-http',
      type: 'APPLICATION_PROFILE_TYPE_HTTP',
      http_profile: {
        compression_profile: {
          compression: true,
          type: 'AUTO_COMPRESSION',
          remove_accept_encoding_header: true,
          compressible_content_ref: '/api/stringgroup/?name=System-Compressible-Content-Types',
        },
        cache_config: { enabled: true, mime_types_group_refs: ['/api/stringgroup/?name=System-Cacheable-Resource-Types'] },
      },
    });
    expect(nameOf(app.http_profile.compression_profile.compressible_content_ref)).toBe('System-Compressible-Content-Types');
    const waf = await api.create('wafpolicy', { name: 'my-waf', mode: 'WAF_MODE_ENFORCEMENT', waf_profile_ref: '/api/wafprofile/?name=System-WAF-Profile' });
    expect(nameOf(waf.waf_profile_ref)).toBe('System-WAF-Profile');
    const syslog = await api.create('virtualservice', {
      name: 'syslog',
      services: [{ port: 514 }],
      application_profile_ref: '/api/applicationprofile/?name=System-Syslog',
      network_profile_ref: '/api/networkprofile/?name=System-UDP-No-SNAT',
    });
    expect(nameOf(syslog.network_profile_ref)).toBe('System-UDP-No-SNAT');
    const tlsPersist = await api.create('pool', { name: 'tls-persist', application_persistence_profile_ref: '/api/applicationpersistenceprofile/?name=System-Persistence-TLS' });
    expect(nameOf(tlsPersist.application_persistence_profile_ref)).toBe('System-Persistence-TLS');
  });
});

describe('the certificates are made once per process', () => {
  it('a second controller loaded in the same process holds the same certificates and keys', async () => {
    const other = client(await startSim());
    for (const name of SYSTEM_OBJECTS.sslkeyandcertificate!) {
      const path = `/api/sslkeyandcertificate?name=${name}&export_key=true`;
      const [a, b] = [await onlyOne(api, path), await onlyOne(other, path)];
      expect(b.certificate.certificate, name).toBe(a.certificate.certificate);
      expect(b.key, name).toBe(a.key);
    }
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'avisim-system-'));
  const scenario = (file: string, certs: Data[]) => {
    const at = path.join(dir, file);
    writeFileSync(at, dump({ extends: 'fresh-controller', objects: certs.map((c) => ({ sslkeyandcertificate: c })) }));
    return at;
  };
  const selfSigned = (name: string, subject: Data) => ({ name, certificate: { self_signed: true, subject }, key_params: { algorithm: 'SSL_KEY_ALGORITHM_EC' } });

  it("so does every engine that loads a scenario's own certificate, however often the file is read", async () => {
    const file = scenario('lab.yaml', [selfSigned('lab-a', { common_name: 'a.lab' }), selfSigned('lab-b', { common_name: 'b.lab' })]);
    const [one, two] = [client(await startSim({ scenario: file })), client(await startSim({ scenario: file }))];
    for (const name of ['lab-a', 'lab-b']) {
      const path = `/api/sslkeyandcertificate?name=${name}&export_key=true`;
      const [a, b] = [await onlyOne(one, path), await onlyOne(two, path)];
      expect(a.certificate.subject.common_name).toBe(`${name.slice(-1)}.lab`);
      expect(b.certificate.certificate).toBe(a.certificate.certificate);
      expect(b.key).toBe(a.key);
    }
    // a different object (another subject) gets material of its own
    const other = client(await startSim({ scenario: scenario('other.yaml', [selfSigned('lab-a', { common_name: 'other.lab' })]) }));
    const c = await onlyOne(other, '/api/sslkeyandcertificate?name=lab-a&export_key=true');
    expect(c.certificate.subject.common_name).toBe('other.lab');
    expect(c.key).not.toBe((await onlyOne(one, '/api/sslkeyandcertificate?name=lab-a&export_key=true')).key);
  });

  it('names the first object in the file that cannot be made, whichever fails first', async () => {
    const file = scenario('bad.yaml', [
      selfSigned('fine', { common_name: 'fine.lab' }),
      selfSigned('no-cn-1', { organization: 'x' }),
      selfSigned('no-cn-2', { organization: 'y' }),
    ]);
    await expect(Engine.create({ scenario: file })).rejects.toThrow(/objects\[1\] sslkeyandcertificate 'no-cn-1'.*common_name' is required/);
  });
});

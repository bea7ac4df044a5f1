/**
 * Actions over HTTP: virtual service scale-out/in, migrate and switchover move its placement
 * (and, on an NSX-T cloud, the next hops of its VIP's /32 route); SE switchover and
 * forcedelete; alert tests refused without the servers to send to; a self-signed certificate
 * renewed; a WAF policy moved to another CRS rule set.
 */
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { bodyWith, client, startSim, TEST_HOST, type Sim } from './helpers.js';
import { listStaticRoutes } from '../server/nsxt/routes.js';

type Data = Record<string, any>;

const T1 = 'The-Tier-1';
const v4 = (addr: string) => ({ addr, type: 'V4' });

let sim: Sim;
let api: ReturnType<typeof client>;
let cloud: Data;
let net: Data;
let seg: Data;
let n = 0;
const uniq = (p: string) => `${p}-${++n}`;

const get = (url: string) => bodyWith(api.get(url));
const post = (type: string, body: Data) => api.create(type, body);
const action = (url: string, body: Data = {}) => bodyWith(api.post(url, body));

const hops = () => listStaticRoutes(sim.engine, T1).flatMap((r: Data) => r.next_hops.map((h: Data) => h.ip_address));
async function sesOf(vs: Data): Promise<string[]> {
  return (await get(`/api/virtualservice/${vs.uuid}/runtime/`)).vip_summary[0].service_engine.map((e: Data) => e.uuid);
}
async function ipOf(se: string): Promise<string> {
  return (await get(`/api/serviceengine/${se}`)).data_vnics[0].vnic_networks[0].ip.ip_addr.addr;
}

async function makeVs(): Promise<Data> {
  const vsvip = await post('vsvip', {
    name: uniq('vsvip'),
    cloud_ref: `/api/cloud/${cloud.uuid}`,
    vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: `/api/network/${net.uuid}` } }],
  });
  return post('virtualservice', {
    name: uniq('vs'),
    cloud_ref: `/api/cloud/${cloud.uuid}`,
    se_group_ref: `/api/serviceenginegroup/${seg.uuid}`,
    vsvip_ref: `/api/vsvip/${vsvip.uuid}`,
    services: [{ port: 80 }],
  });
}

beforeEach(async () => {
  sim = await startSim({ seed: 13 });
  api = client(sim);
  const { username, password } = sim.engine.nsx;
  const t1 = await request(sim.app).patch(`/policy/api/v1/infra/tier-1s/${T1}`).set('Host', TEST_HOST)
    .set('Authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`).send({ display_name: T1 });
  expect(t1.status, t1.text).toBe(200);
  cloud = await post('cloud', {
    name: 'nsx-t',
    vtype: 'CLOUD_NSXT',
    nsxt_configuration: {
      nsxt_url: 'nsx.lab.local',
      data_network_config: {
        tz_type: 'OVERLAY',
        transport_zone: '/infra/sites/default/enforcement-points/default/transport-zones/overlay-tz',
        tier1_segment_config: { segment_config_mode: 'TIER1_SEGMENT_MANUAL', manual: { tier1_lrs: [{ tier1_lr_id: `/infra/tier-1s/${T1}`, segment_id: '/infra/segments/data' }] } },
      },
    },
  });
  net = await post('network', {
    name: 'vip-net',
    cloud_ref: `/api/cloud/${cloud.uuid}`,
    configured_subnets: [{
      prefix: { ip_addr: v4('10.146.102.0'), mask: 24 },
      static_ip_ranges: [
        { range: { begin: v4('10.146.102.100'), end: v4('10.146.102.120') }, type: 'STATIC_IPS_FOR_VIP' },
        { range: { begin: v4('10.146.102.200'), end: v4('10.146.102.210') }, type: 'STATIC_IPS_FOR_SE' },
      ],
    }],
  });
  seg = await post('serviceenginegroup', { name: 'seg', cloud_ref: `/api/cloud/${cloud.uuid}`, max_vs_per_se: 1, max_scaleout_per_vs: 2 });
});

describe('virtual service scale-out and scale-in', () => {
  it('scaleout adds an SE and the NSX route gains its next hop; scalein takes it away again', async () => {
    const vs = await makeVs();
    const [first] = await sesOf(vs);
    expect(hops()).toEqual([await ipOf(first!)]);

    const out = await action(`/api/virtualservice/${vs.uuid}/scaleout`, { vip_id: '0' });
    expect(out.status).toBe('ACCEPTED');
    const two = await sesOf(vs);
    expect(two).toHaveLength(2);
    expect(two[0]).toBe(first);
    expect(out.se_list.map((e: Data) => e.se_uuid)).toEqual(two);
    expect(hops()).toEqual([await ipOf(two[0]!), await ipOf(two[1]!)]);
    expect((await get(`/api/virtualservice/${vs.uuid}`)).vip_runtime[0].num_additional_se).toBe(1);
    // the group allows two per VS
    const over = await api.post(`/api/virtualservice/${vs.uuid}/scaleout`, { vip_id: '0' });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatch(/maximum of 2/);
    // a later write of the VS keeps the scale-out
    await bodyWith(api.put(`/api/virtualservice/${vs.uuid}`, await get(`/api/virtualservice/${vs.uuid}`)));
    expect(await sesOf(vs)).toEqual(two);

    await action(`/api/virtualservice/${vs.uuid}/scalein`, { vip_id: '0' });
    expect(await sesOf(vs)).toEqual([first]);
    expect(hops()).toEqual([await ipOf(first!)]);
    const below = await api.post(`/api/virtualservice/${vs.uuid}/scalein`, { vip_id: '0' });
    expect(below.status).toBe(400);
    expect((await sim.http.get('/_mock/nsxt/check')).body.ok).toBe(true);
  });

  it('refuses a body without vip_id or with an unknown one, and an SE of another group', async () => {
    const vs = await makeVs();
    const missing = await api.post(`/api/virtualservice/${vs.uuid}/scaleout`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("Invalid data: field 'vip_id' is required");
    expect((await api.post(`/api/virtualservice/${vs.uuid}/scaleout`, { vip_id: '7' })).status).toBe(400);
    const other = await post('serviceengine', { name: 'elsewhere', cloud_ref: `/api/cloud/${cloud.uuid}` });
    const wrong = await api.post(`/api/virtualservice/${vs.uuid}/scaleout`, { vip_id: '0', to_se_ref: `/api/serviceengine/${other.uuid}` });
    expect(wrong.status).toBe(400);
    expect(await sesOf(vs)).toHaveLength(1);
  });

  it('migrate moves the VS to another SE, switchover makes another SE primary', async () => {
    const vs = await makeVs();
    const [first] = await sesOf(vs);
    await action(`/api/virtualservice/${vs.uuid}/migrate`, { vip_id: '0' });
    const [moved] = await sesOf(vs);
    expect(moved).not.toBe(first);
    expect(hops()).toEqual([await ipOf(moved!)]);
    const single = await api.post(`/api/virtualservice/${vs.uuid}/switchover`, { vip_id: '0' });
    expect(single.status).toBe(400);
    await action(`/api/virtualservice/${vs.uuid}/scaleout`, { vip_id: '0' });
    const [a, b] = await sesOf(vs);
    await action(`/api/virtualservice/${vs.uuid}/switchover`, { vip_id: '0' });
    expect(await sesOf(vs)).toEqual([b, a]);
    // SE switchover: the primary hands over to the other SE
    await action(`/api/serviceengine/${b}/switchover`);
    expect(await sesOf(vs)).toEqual([a, b]);
  });

  it('SE forcedelete removes the SE and places its virtual service again', async () => {
    const vs = await makeVs();
    const [first] = await sesOf(vs);
    expect((await action(`/api/serviceengine/${first}/reboot`)).status).toBe('ACCEPTED');
    expect(await sesOf(vs)).toEqual([first]);
    await action(`/api/serviceengine/${first}/forcedelete`);
    expect((await api.get(`/api/serviceengine/${first}`)).status).toBe(404);
    const [now] = await sesOf(vs);
    expect(now).toBeDefined();
    expect(now).not.toBe(first);
    expect(hops()).toEqual([await ipOf(now!)]);
  });
});

describe('alert tests', () => {
  it('a syslog test needs syslog servers, an SNMP trap test trap servers, an e-mail test e-mail set up', async () => {
    const bare = await post('alertsyslogconfig', { name: uniq('syslog') });
    const refused = await api.post(`/api/alertsyslogconfig/${bare.uuid}/testsyslog`, { text: 'hello' });
    expect(refused.status).toBe(400);
    const withServer = await post('alertsyslogconfig', { name: uniq('syslog'), syslog_servers: [{ syslog_server: '10.0.0.5', udp: true }] });
    expect(await action(`/api/alertsyslogconfig/${withServer.uuid}/testsyslog`, { text: 'hello' })).toMatchObject({ status: 'ACCEPTED' });
    expect((await api.post(`/api/alertsyslogconfig/${withServer.uuid}/testsyslog`, {})).body.error).toBe("Invalid data: field 'text' is required");

    const trap = await post('snmptrapprofile', { name: uniq('trap') });
    expect((await api.post(`/api/snmptrapprofile/${trap.uuid}/testsnmptrap`, { text: 't' })).status).toBe(400);

    const mail = await post('alertemailconfig', { name: uniq('mail'), to_emails: 'ops@example.com' });
    expect(await action(`/api/alertemailconfig/${mail.uuid}/testemail`, { subject: 's', text: 't' })).toMatchObject({ status: 'ACCEPTED' });
    await bodyWith(api.patch('/api/systemconfiguration', { replace: { email_configuration: { smtp_type: 'SMTP_NONE' } } }));
    expect((await api.post(`/api/alertemailconfig/${mail.uuid}/testemail`, { subject: 's', text: 't' })).status).toBe(400);
  });
});

describe('certificate renewal and WAF CRS updates', () => {
  it('renew issues the self-signed certificate again with a new key, the same subject and validity length', async () => {
    const cert = await post('sslkeyandcertificate', {
      name: uniq('cert'),
      certificate: { self_signed: true, subject: { common_name: 'app.example' }, days_until_expire: 30 },
      key_params: { algorithm: 'SSL_KEY_ALGORITHM_EC' },
    });
    const before = await get(`/api/sslkeyandcertificate/${cert.uuid}?export_key=true`);
    const renewed = await action(`/api/sslkeyandcertificate/${cert.uuid}/renew`);
    expect(renewed.uuid).toBe(cert.uuid);
    const after = await get(`/api/sslkeyandcertificate/${cert.uuid}?export_key=true`);
    expect(after.certificate.subject.common_name).toBe('app.example');
    expect(after.certificate.certificate).not.toBe(before.certificate.certificate);
    expect(after.certificate.serial_number).not.toBe(before.certificate.serial_number);
    expect(after.key).not.toBe(before.key);
    expect(after.certificate.days_until_expire).toBe(30);
    expect(after.certificate.self_signed).toBe(true);
  });

  it('update-crs-rules moves the policy to the named CRS (commit false: shown, not stored)', async () => {
    const crs = await post('wafcrs', { name: 'CRS-2024-1', version: 'CRS-2024-1', release_date: '2024-01-01', integrity: 'x', description: 'rules' });
    const profile = (await get('/api/wafprofile?page_size=1')).results[0];
    const policy = await post('wafpolicy', { name: uniq('waf'), mode: 'WAF_MODE_DETECTION_ONLY', waf_profile_ref: `/api/wafprofile/${profile.uuid}` });
    const preview = await bodyWith(api.put(`/api/wafpolicy/${policy.uuid}/update-crs-rules`, { waf_crs_ref: `/api/wafcrs/${crs.uuid}`, commit: false }));
    expect(preview.waf_crs_ref).toBe(`http://avi.test/api/wafcrs/${crs.uuid}`);
    expect((await get(`/api/wafpolicy/${policy.uuid}`)).waf_crs_ref).not.toBe(preview.waf_crs_ref);
    await bodyWith(api.put(`/api/wafpolicy/${policy.uuid}/update-crs-rules`, { waf_crs_ref: `/api/wafcrs/${crs.uuid}` }));
    expect((await get(`/api/wafpolicy/${policy.uuid}`)).waf_crs_ref).toBe(`http://avi.test/api/wafcrs/${crs.uuid}`);
  });
});

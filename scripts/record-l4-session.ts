/**
 * Writes contract-tests/recordings/l4-service.yaml: an L4 service's whole life as AKO drives it
 * (boot reads, a VIP network, pool, VsVip with an allocated address, virtual service, an update,
 * then everything deleted again), recorded through `avisim record` in front of an avisim. The
 * recording is replayed against every contract target by contract-tests/recordings.test.ts, so
 * a change in what avisim answers for this session shows up there.
 *
 *   npx tsx scripts/record-l4-session.ts        # then review and commit the file
 *
 * The session cleans up after itself and uses a /24 of its own (10.199.77.0/24), so it can be
 * replayed on a shared controller. Default-Cloud has no orchestrator: no Service Engine is
 * deployed for the VIP (the virtual service reads as down), and nothing blocks the network's delete.
 */
import path from 'node:path';
import { startRecordProxy } from '../server/record/proxy.js';
import { AvisimClient, startAvisim } from '../server/testing.js';

const out = path.resolve(import.meta.dirname, '..', 'contract-tests', 'recordings', 'l4-service.yaml');
const PASSWORD = 'Recording-Admin-Pw-1';
const P = 'recorded-l4-';
const v4 = (addr: string) => ({ addr, type: 'V4' });

const upstream = await startAvisim({ https: true, seed: 1, adminPassword: PASSWORD });
const proxy = await startRecordProxy({ upstream: upstream.url, out, insecure: true, name: 'l4-service', debounceMs: 50 });
const avi = new AvisimClient(proxy.url, { 'X-Avi-Version': '22.1.3', 'X-Avi-Tenant': 'admin' });

async function expect(status: number, res: Promise<{ status: number; text: string; body: any }>) {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  return r.body;
}

try {
  await avi.login('admin', PASSWORD);
  await expect(200, avi.get('/api/initial-data'));
  await expect(200, avi.get('/api/cluster/runtime'));
  await expect(200, avi.get('/api/cloud?name=Default-Cloud'));
  const network = await expect(201, avi.post('/api/network', {
    name: `${P}vip-net`,
    cloud_ref: '/api/cloud/?name=Default-Cloud',
    configured_subnets: [{ prefix: { ip_addr: v4('10.199.77.0'), mask: 24 }, static_ip_ranges: [{ range: { begin: v4('10.199.77.10'), end: v4('10.199.77.20') }, type: 'STATIC_IPS_FOR_VIP' }] }],
  }));
  const pool = await expect(201, avi.post('/api/pool', { name: `${P}pool`, servers: [{ ip: v4('10.199.78.1'), port: 8080 }], created_by: 'ako-recorded' }));
  await expect(409, avi.post('/api/pool', { name: `${P}pool` }));
  const vsvip = await expect(201, avi.post('/api/vsvip', {
    name: `${P}vip`,
    vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: network.url, subnet: { ip_addr: v4('10.199.77.0'), mask: 24 } } }],
  }));
  const vs = await expect(201, avi.post('/api/virtualservice', {
    name: `${P}vs`,
    vsvip_ref: vsvip.url,
    pool_ref: pool.url,
    services: [{ port: 80 }],
    application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
  }));
  await expect(200, avi.get(`/api/virtualservice/${vs.uuid}?include_name`));
  await expect(200, avi.get(`/api/virtualservice-inventory?name=${P}vs`));
  const current = await expect(200, avi.get(`/api/pool/${pool.uuid}`));
  await expect(200, avi.put(`/api/pool/${pool.uuid}`, { ...current, servers: [...current.servers, { ip: v4('10.199.78.2'), port: 8080 }] }));
  await expect(200, avi.patch(`/api/virtualservice/${vs.uuid}`, { replace: { services: [{ port: 80 }, { port: 443 }] } }));
  await expect(403, avi.delete(`/api/pool/${pool.uuid}`));
  await expect(204, avi.delete(`/api/virtualservice/${vs.uuid}`));
  await expect(204, avi.delete(`/api/vsvip/${vsvip.uuid}`));
  await expect(204, avi.delete(`/api/pool/${pool.uuid}`));
  await expect(204, avi.delete(`/api/network/${network.uuid}`));
  await expect(404, avi.get(`/api/pool/${pool.uuid}`));
  await expect(200, avi.post('/logout'));
} finally {
  avi.close();
  await proxy.close();
  await upstream.close();
}
console.log(`wrote ${path.relative(process.cwd(), out)} (${proxy.recorder.exchanges.length} exchanges)`);

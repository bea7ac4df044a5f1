import { describe, expect, it, beforeAll } from 'vitest';
import { startSim, uuidOf, type Sim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});

const names = async (type: string) =>
  (await sim.http.get(`/api/${type}?page_size=200`)).body.results.map((o: any) => o.name);

describe('a fresh controller (the default scenario)', () => {
  it('has the admin tenant with the literal uuid admin', async () => {
    const res = await sim.http.get('/api/tenant/admin');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('admin');
    expect(res.body.url).toBe('http://avi.test/api/tenant/admin');
  });

  it('has the admin user as user-1', async () => {
    const res = await sim.http.get('/api/user/user-1');
    expect(res.body.username).toBe('admin');
  });

  it('has Default-Cloud of vtype CLOUD_NONE with its global and management VRFs and Default-Group', async () => {
    const cloud = (await sim.http.get('/api/cloud?name=Default-Cloud')).body.results[0];
    expect(cloud.vtype).toBe('CLOUD_NONE');
    const vrfs = (await sim.http.get(`/api/vrfcontext?cloud_uuid=${cloud.uuid}`)).body.results;
    expect(vrfs.map((v: any) => v.name)).toEqual(['global', 'management']);
    expect(vrfs.every((v: any) => v.system_default === true)).toBe(true);
    const seg = (await sim.http.get('/api/serviceenginegroup?name=Default-Group')).body.results[0];
    expect(uuidOf(seg.cloud_ref)).toBe(cloud.uuid);
  });

  it('has the System-* profiles, health monitors, certificates and parser', async () => {
    expect(await names('applicationprofile')).toEqual(
      expect.arrayContaining(['System-HTTP', 'System-Secure-HTTP', 'System-L4-Application', 'System-SSL-Application', 'System-DNS', 'System-Syslog']),
    );
    expect(await names('networkprofile')).toEqual(
      expect.arrayContaining(['System-TCP-Proxy', 'System-TCP-Fast-Path', 'System-UDP-Fast-Path', 'System-SCTP-Proxy']),
    );
    expect(await names('healthmonitor')).toEqual(
      expect.arrayContaining(['System-HTTP', 'System-HTTPS', 'System-TCP', 'System-UDP', 'System-Ping', 'System-DNS']),
    );
    expect(await names('sslprofile')).toEqual(expect.arrayContaining(['System-Standard', 'System-Standard-PFS']));
    expect(await names('sslkeyandcertificate')).toEqual([
      'System-Default-Cert',
      'System-Default-Cert-EC',
      'System-Default-Portal-Cert',
      'System-Default-Portal-Cert-EC256',
      'System-Default-Root-CA',
      'System-Default-Secure-Channel-Cert',
    ]);
    expect(await names('analyticsprofile')).toEqual(['System-Analytics-Profile']);
    expect(await names('protocolparser')).toEqual(['Default-TLS']);
  });

  it('has the systemconfiguration singleton with a default license tier', async () => {
    const res = await sim.http.get('/api/systemconfiguration');
    expect(res.status).toBe(200);
    expect(res.body.uuid).toBe('default');
    expect(res.body.default_license_tier).toBe('ENTERPRISE');
    expect(res.body.portal_configuration.allow_basic_authentication).toBe(false);
  });

  it('stores objects in the shape a real controller returns (compare AKO fixtures)', async () => {
    // Shape facts from recorded controller responses: refs are URLs, _last_modified a 16-digit
    // string, tenant_ref on every tenant-scoped object, defaults filled.
    const seg = (await sim.http.get('/api/serviceenginegroup?name=Default-Group&include_name')).body.results[0];
    expect(seg.tenant_ref).toBe('http://avi.test/api/tenant/admin#admin');
    expect(seg.cloud_ref).toMatch(/^http:\/\/avi\.test\/api\/cloud\/cloud-[0-9a-f-]{36}#Default-Cloud$/);
    expect(seg._last_modified).toMatch(/^\d{16}$/);
    expect(seg.max_vs_per_se).toBe(10);
    expect(seg.ha_mode).toBe('HA_MODE_SHARED');
  });

  it('refuses to delete system default objects', async () => {
    const vrf = (await sim.http.get('/api/vrfcontext?name=global')).body.results[0];
    const res = await sim.http.delete(`/api/vrfcontext/${vrf.uuid}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'Cannot delete system default object' });
  });

  it('gives the same uuids for the same seed', async () => {
    const a = await startSim({ seed: 7 });
    const b = await startSim({ seed: 7 });
    const c = await startSim({ seed: 8 });
    expect(a.engine.store.snapshot()).toEqual(b.engine.store.snapshot());
    expect(a.engine.store.snapshot()).not.toEqual(c.engine.store.snapshot());
    const pa = await a.http.post('/api/pool').send({ name: 'p' });
    const pb = await b.http.post('/api/pool').send({ name: 'p' });
    expect(pa.body).toEqual(pb.body);
    expect(pa.body.uuid).toMatch(/^pool-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

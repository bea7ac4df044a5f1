/**
 * Licensing: /api/licenseusage (what the Python SDK's usage-meter tests read), /api/licensing,
 * the license ledger and the licensing status. Consumption follows placement: placing a virtual
 * service deploys an SE (Default-Cloud is on vCenter here), whose vCPUs become consumed service
 * cores in the tier of its group, cloud or system; capacity is the stored licenses' (or the
 * evaluation license's without any).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { client, startSim as startAnySim, type Sim, type SimOptions } from './helpers.js';

const SCENARIOS = path.join(import.meta.dirname, 'fixtures', 'scenarios');
const startSim = (options: SimOptions = {}) => startAnySim({ scenario: path.join(SCENARIOS, 'vcenter-cloud.yaml'), seed: 3, ...options });

type Data = Record<string, any>;
const v4 = (addr: string) => ({ addr, type: 'V4' });

let sim: Sim;
let api: ReturnType<typeof client>;

async function post(type: string, body: Data): Promise<Data> {
  const res = await api.post(`/api/${type}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function get(url: string): Promise<Data> {
  const res = await api.get(url);
  expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

let n = 0;
/** A virtual service placed in a new SE group (an SE is deployed for it). */
async function placeVs(group: Data = {}): Promise<{ vs: Data; seg: Data }> {
  n++;
  const vip = await post('vsvip', { name: `vip-${n}`, vip: [{ vip_id: '0', ip_address: v4(`10.10.0.${10 + n}`) }] });
  const seg = await post('serviceenginegroup', { name: `seg-${n}`, ...group });
  const pool = await post('pool', { name: `pool-${n}`, servers: [{ ip: v4('192.168.1.1'), port: 80 }] });
  const vs = await post('virtualservice', {
    name: `vs-${n}`,
    services: [{ port: 80 }],
    se_group_ref: `/api/serviceenginegroup/${seg.uuid}`,
    vsvip_ref: `/api/vsvip/${vip.uuid}`,
    pool_ref: `/api/pool/${pool.uuid}`,
  });
  return { vs, seg };
}

beforeEach(async () => {
  sim = await startSim();
  api = client(sim);
});

describe('GET /api/licenseusage', () => {
  it('licensed_cores (the evaluation capacity) and consumed cores that follow placement', async () => {
    const fresh = await get('/api/licenseusage');
    expect(fresh).toMatchObject({ licensed_cores: 20, licensed_service_cores: 20, num_se_vcpus: 0, consumed_service_cores: 0 });
    expect(fresh.pertier).toEqual({ ENTERPRISE: expect.objectContaining({ licensed_cores: 20, num_se_vcpus: 0, pertenant: {} }) });

    const { vs } = await placeVs({ vcpus_per_se: 2 });
    const placed = await get('/api/licenseusage');
    expect(placed).toMatchObject({ num_se_vcpus: 2, consumed_service_cores: 2, used_service_cores: 2, reserved_service_cores: 0 });
    expect(placed.pertier.ENTERPRISE.pertenant).toEqual({ admin: { consumed_service_cores: 2, reserved_service_cores: 0, used_service_cores: 2, num_se_vcpus: 2 } });
    expect((await get('/api/licenseusage?filter_pertenant=true')).pertier.ENTERPRISE.pertenant).toBeUndefined();

    // deleting the VS leaves its SE until deprovisioning; deleting the SE gives the cores back
    expect((await api.del(`/api/virtualservice/${vs.uuid}`)).status).toBe(204);
    const se = (await get('/api/serviceengine')).results[0];
    expect((await api.del(`/api/serviceengine/${se.uuid}`)).status).toBe(204);
    expect((await get('/api/licenseusage')).num_se_vcpus).toBe(0);
  });

  it('an SE counts in its group\'s tier, else the system\'s default_license_tier', async () => {
    await placeVs();
    await placeVs({ license_tier: 'ENTERPRISE_WITH_CLOUD_SERVICES', vcpus_per_se: 3 });
    const usage = await get('/api/licenseusage');
    expect(usage.num_se_vcpus).toBe(1);
    expect(usage.pertier.ENTERPRISE_WITH_CLOUD_SERVICES).toMatchObject({ num_se_vcpus: 3, licensed_cores: 0 });
  });
});

describe('the scenario\'s license tier and licenses', () => {
  beforeEach(async () => {
    sim = await startSim({ scenario: path.join(SCENARIOS, 'vcenter-essentials.yaml') });
    api = client(sim);
  });

  it('capacity per tier from the stored license; consumption in the ESSENTIALS tier', async () => {
    expect((await get('/api/systemconfiguration')).default_license_tier).toBe('ESSENTIALS');
    await placeVs({ vcpus_per_se: 2 });
    const usage = await get('/api/licenseusage');
    expect(usage).toMatchObject({ licensed_cores: 8, num_se_vcpus: 2 });
    expect(usage.pertier.ENTERPRISE).toMatchObject({ licensed_cores: 4, num_se_vcpus: 0 });
    const lic = await get('/api/licensing');
    expect(lic.name).toBe('lab-license');
    expect(lic.license_tier).toEqual(['ENTERPRISE', 'ESSENTIALS']);
    const ledger = (await get('/api/licensing/ledger/details')).results[0];
    expect(ledger.tier_usages).toEqual([
      { tier: 'ENTERPRISE', usage: { available: 4, consumed: 0, escrow: 0, remaining: 4 } },
      { tier: 'ESSENTIALS', usage: { available: 8, consumed: 2, escrow: 0, remaining: 6 } },
    ]);
    const se = (await get('/api/serviceengine')).results[0];
    expect(ledger.se_infos).toEqual([expect.objectContaining({ uuid: se.uuid, service_cores: 2, tier: 'ESSENTIALS', tenant_uuid: 'admin' })]);
  });
});

describe('/api/licensing and its sub-resources', () => {
  it('without a stored license: the evaluation license of the default tier', async () => {
    const lic = await get('/api/licensing');
    expect(lic).toMatchObject({ license_tier: ['ENTERPRISE'], service_cores: 20, license_tiers: [{ tier_type: 'ENTERPRISE', service_cores: 20, cores: 20 }] });
    expect(lic.licenses[0]).toMatchObject({ license_type: 'Eval', tier_type: 'ENTERPRISE' });
  });

  it('status: SaaS licensing on for ENTERPRISE_WITH_CLOUD_SERVICES; one object, read by its uuid, never deleted', async () => {
    const status = await get('/api/licensing/status');
    expect(status.count).toBe(1);
    expect(status.results[0]).toMatchObject({ uuid: 'default', saas_status: { enabled: false, connected: false } });
    const sys = await get('/api/systemconfiguration');
    expect((await api.put('/api/systemconfiguration', { ...sys, default_license_tier: 'ENTERPRISE_WITH_CLOUD_SERVICES' })).status).toBe(200);
    expect((await get('/api/licensing/status/default')).saas_status.enabled).toBe(true);
    expect((await api.get('/api/licensing/status/other')).status).toBe(404);
    expect((await api.patch('/api/licensing/status/default', { replace: { tenant_uuid: 'x' } })).body.tenant_uuid).toBe('admin');
    const del = await api.del('/api/licensing/ledger/details/default');
    expect(del.status).toBe(403);
    expect(del.body.error).toBe('Cannot delete system default object');
    expect((await api.post('/api/licensing/ledger/details', {})).status).toBe(200);
  });

  it('every licensing operation of the document is modelled, and answers validate against its schemas', async () => {
    const ops = ((await get('/_mock/coverage')).operations as Data[]).filter((o) => /^\/api\/licens(eusage|ing)/.test(o.path));
    expect(ops.length).toBe(14);
    expect(ops.filter((o) => o.status !== 'modelled')).toEqual([]);

    await placeVs();
    const doc = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'openapi', 'avi.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    ajv.addSchema(doc, 'avi');
    const check = (schema: string, body: unknown) => {
      const validate = ajv.getSchema(`avi#/components/schemas/${schema}`)!;
      expect(validate(body), `${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    check('LicenseStatusApiResponse', await get('/api/licensing/status'));
    check('LicenseStatus', await get('/api/licensing/status/default'));
    check('LicenseLedgerDetailsApiResponse', await get('/api/licensing/ledger/details'));
    check('LicenseLedgerDetails', await get('/api/licensing/ledger/details/default'));
    check('ControllerLicense', await get('/api/licensing'));
  });
});

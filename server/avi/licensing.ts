/**
 * Licensing as a controller reports it, derived from what is stored: every Service Engine
 * consumes its vCPUs as service cores in its license tier (its SE group's `license_tier`, else
 * its cloud's, else the system's `default_license_tier`), and the licensed capacity per tier is
 * that of the stored controller licenses (`license` objects: `license_tiers`, else `licenses`,
 * else their own `service_cores`). Placement creates and deletes SEs, so consumption follows it.
 *
 * [inferred] One vCPU is one service core in every tier; an SE's vCPUs are its
 * `resources.num_vcpus`, else its group's `vcpus_per_se` (1 by default). A controller with no
 * stored license has an evaluation capacity of EVALUATION_CORES in its default tier. Nothing is
 * held in escrow (no reservations are simulated).
 */
import type { Data, Rec } from '../core/store.js';
import { tenantOf } from '../core/store.js';
import type { ObjectService } from './objects.js';
import { isObject } from './shape-ops.js';

export const EVALUATION_CORES = 20;
/** The customer an evaluation license names [inferred]. */
const EVALUATION_CUSTOMER = 'Evaluation';
const DEFAULT_TIER = 'ENTERPRISE';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export interface SeLicense {
  se: Rec;
  cores: number;
  tier: string;
  tenant: string;
}

export interface TierUsage {
  licensed: number;
  consumed: number;
  /** tenant uuid → cores its SEs consume */
  tenants: Map<string, number>;
}

export interface Usage {
  defaultTier: string;
  tiers: Map<string, TierUsage>;
  ses: SeLicense[];
  /** the stored controller licenses, oldest first */
  licenses: Rec[];
}

export function defaultTier(svc: ObjectService): string {
  for (const rec of svc.store.collection('systemconfiguration').values()) {
    const tier = str(rec.data.default_license_tier);
    if (tier) return tier;
  }
  return DEFAULT_TIER;
}

/** An SE's vCPUs: its own resources, else what its group gives each SE. */
export function seCores(svc: ObjectService, se: Rec): number {
  const own = isObject(se.data.resources) ? num(se.data.resources.num_vcpus) : undefined;
  if (own !== undefined && own > 0) return own;
  const group = str(se.data.se_group_ref) ? svc.store.get('serviceenginegroup', se.data.se_group_ref as string) : undefined;
  const perSe = num(group?.data.vcpus_per_se);
  return perSe !== undefined && perSe > 0 ? perSe : 1;
}

function tierOfSe(svc: ObjectService, se: Rec, fallback: string): string {
  const group = str(se.data.se_group_ref) ? svc.store.get('serviceenginegroup', se.data.se_group_ref as string) : undefined;
  const cloudUuid = str(se.data.cloud_ref) ?? str(group?.data.cloud_ref);
  const cloud = cloudUuid ? svc.store.get('cloud', cloudUuid) : undefined;
  return str(group?.data.license_tier) ?? str(cloud?.data.license_tier) ?? fallback;
}

/** Licensed service cores per tier from the stored licenses; the evaluation capacity without any. */
function licensedPerTier(licenses: Rec[], fallbackTier: string): Map<string, number> {
  const out = new Map<string, number>();
  const add = (tier: string, cores: number) => out.set(tier, (out.get(tier) ?? 0) + cores);
  for (const lic of licenses) {
    const d = lic.data;
    const cumulative = Array.isArray(d.license_tiers) ? d.license_tiers.filter(isObject) : [];
    const single = Array.isArray(d.licenses) ? d.licenses.filter(isObject) : [];
    if (cumulative.length) {
      for (const c of cumulative) add(str(c.tier_type) ?? fallbackTier, num(c.service_cores) ?? num(c.cores) ?? 0);
    } else if (single.length) {
      for (const s of single) add(str(s.tier_type) ?? fallbackTier, num(s.service_cores) ?? num(s.cores) ?? 0);
    } else {
      const tiers = Array.isArray(d.license_tier) ? d.license_tier.filter((t): t is string => typeof t === 'string') : [];
      add(tiers[0] ?? fallbackTier, num(d.service_cores) ?? num(d.cores) ?? 0);
    }
  }
  if (licenses.length === 0) out.set(fallbackTier, EVALUATION_CORES);
  return out;
}

export function usage(svc: ObjectService): Usage {
  const tier0 = defaultTier(svc);
  const licenses = [...svc.store.collection('license').values()];
  const tiers = new Map<string, TierUsage>();
  const tierOf = (name: string) => {
    let t = tiers.get(name);
    if (!t) tiers.set(name, (t = { licensed: 0, consumed: 0, tenants: new Map() }));
    return t;
  };
  for (const [name, cores] of licensedPerTier(licenses, tier0)) tierOf(name).licensed = cores;
  tierOf(tier0);
  const ses: SeLicense[] = [];
  for (const se of svc.store.collection('serviceengine').values()) {
    const entry: SeLicense = { se, cores: seCores(svc, se), tier: tierOfSe(svc, se, tier0), tenant: tenantOf(se.data) || 'admin' };
    ses.push(entry);
    const t = tierOf(entry.tier);
    t.consumed += entry.cores;
    t.tenants.set(entry.tenant, (t.tenants.get(entry.tenant) ?? 0) + entry.cores);
  }
  return { defaultTier: tier0, tiers, ses, licenses };
}

function usageFigures(t: TierUsage): Data {
  return {
    licensed_cores: t.licensed,
    licensed_service_cores: t.licensed,
    consumed_service_cores: t.consumed,
    reserved_service_cores: 0,
    used_service_cores: t.consumed,
    num_se_vcpus: t.consumed,
  };
}

/**
 * `GET /api/licenseusage`: the default tier's figures at the top, then `pertier`, each with
 * `pertenant` unless `filter_pertenant` is set (the fields of the Go SDK's LicenseUsageInfo).
 */
export function licenseUsage(svc: ObjectService, filterPerTenant: boolean): Data {
  const u = usage(svc);
  const pertier: Data = {};
  for (const [tier, t] of [...u.tiers].sort(([a], [b]) => a.localeCompare(b))) {
    const entry = usageFigures(t);
    if (!filterPerTenant) {
      const pertenant: Data = {};
      for (const [tenant, cores] of t.tenants) {
        pertenant[tenant] = { consumed_service_cores: cores, reserved_service_cores: 0, used_service_cores: cores, num_se_vcpus: cores };
      }
      entry.pertenant = pertenant;
    }
    pertier[tier] = entry;
  }
  return { ...usageFigures(u.tiers.get(u.defaultTier)!), pertier };
}

/**
 * `GET /api/licensing`: the controller's license (ControllerLicense) as stored, or the
 * evaluation license a controller without one runs on, with the capacity per tier.
 */
export function licensing(svc: ObjectService, render: (rec: Rec) => Data, nowMicros: number): Data {
  const u = usage(svc);
  const tiers = [...u.tiers].filter(([, t]) => t.licensed > 0).sort(([a], [b]) => a.localeCompare(b));
  const license_tiers = tiers.map(([tier, t]) => ({ tier_type: tier, service_cores: t.licensed, cores: Math.ceil(t.licensed) }));
  const stored = u.licenses[0];
  if (stored) return { ...render(stored), license_tiers, license_tier: tiers.map(([tier]) => tier) };
  const evalCores = u.tiers.get(u.defaultTier)!.licensed;
  const start = new Date(nowMicros / 1000);
  const until = new Date(start.getTime() + 30 * 86400_000);
  const day = (d: Date) => d.toISOString().slice(0, 19);
  return {
    name: 'Evaluation',
    customer_name: EVALUATION_CUSTOMER,
    initialized: true,
    license_tier: [u.defaultTier],
    license_tiers,
    service_cores: evalCores,
    cores: evalCores,
    max_ses: 0,
    sockets: 0,
    burst_cores: 0,
    start_on: day(start),
    valid_until: day(until),
    licenses: [{
      license_id: 'Eval',
      license_name: 'Eval',
      customer_name: EVALUATION_CUSTOMER,
      license_type: 'Eval',
      tier_type: u.defaultTier,
      service_cores: evalCores,
      cores: evalCores,
      start_on: day(start),
      valid_until: day(until),
    }],
  };
}

/** The license ledger (LicenseLedgerDetails): what each SE consumes, and each tier's balance. */
export function ledger(svc: ObjectService, lastUpdatedMicros: number): Data {
  const u = usage(svc);
  return {
    uuid: LEDGER_UUID,
    se_infos: u.ses.map((s) => ({
      uuid: s.se.uuid,
      service_cores: s.cores,
      tier: s.tier,
      tenant_uuid: s.tenant,
      last_updated: Number(s.se.data._last_modified) || lastUpdatedMicros,
    })),
    escrow_infos: [],
    tier_usages: [...u.tiers].sort(([a], [b]) => a.localeCompare(b)).map(([tier, t]) => ({
      tier,
      usage: { available: t.licensed, consumed: t.consumed, escrow: 0, remaining: Math.max(0, t.licensed - t.consumed) },
    })),
  };
}

/** The one ledger and the one status a controller keeps [uuids inferred]. */
export const LEDGER_UUID = 'default';
export const STATUS_UUID = 'default';

/**
 * `/api/licensing/status` (LicenseStatus): SaaS licensing is on for the
 * ENTERPRISE_WITH_CLOUD_SERVICES tier; the simulator is never connected to the portal.
 */
export function licenseStatus(svc: ObjectService): Data {
  const saas = defaultTier(svc) === 'ENTERPRISE_WITH_CLOUD_SERVICES';
  return {
    uuid: STATUS_UUID,
    tenant_uuid: 'admin',
    saas_status: {
      enabled: saas,
      connected: false,
      expired: false,
      reserve_service_units: 0,
      message: saas ? 'Controller is not registered with the Cloud Services portal' : 'SaaS licensing is not enabled',
    },
  };
}

/**
 * Cloud: what a controller makes with every cloud (contract §5, §13): its own `global` and
 * `management` VRF contexts and its own `Default-Group` SE group, made in the cloud's tenant
 * when the cloud is created, as system defaults (they cannot be deleted on their own). Deleting
 * the cloud takes them along; it is refused while anything else refers to the cloud or to them
 * (a network in the `global` VRF, a virtual service on `Default-Group`) [inferred].
 *
 * What a cloud shows for its licensing when it has none of its own: the schema says the cloud's
 * `license_tier` "by default inherits the value from system configuration" (its
 * `default_license_tier`), and that without a `license_type` the cloud type's default license
 * enforcement applies: recorded controllers show `LIC_CORES` for no-orchestrator, vCenter,
 * NSX-T, AWS and Azure clouds; `LIC_SOCKETS` for Linux server clouds is the schema's word.
 * Both are inherited on read, so a later change of the system's tier shows at once.
 */
import type { TypeBehaviour } from '../behaviour.js';
import type { ObjectService } from '../objects.js';
import { type Data, type Rec, tenantOf } from '../../core/store.js';
import { isNewer, type Version } from '../versions.js';

/** The objects every cloud has from its creation: type, name and the fields a controller sets. */
export const CLOUD_DEFAULTS: ReadonlyArray<{ type: string; name: string; fields: Data }> = [
  { type: 'vrfcontext', name: 'global', fields: { system_default: true } },
  { type: 'vrfcontext', name: 'management', fields: { system_default: true } },
  { type: 'serviceenginegroup', name: 'Default-Group', fields: {} },
];

/**
 * Does the controller deploy Service Engines on this cloud itself? Every cloud type but
 * No-Orchestrator (`CLOUD_NONE`), whose SEs are deployed by hand.
 */
export function hasOrchestrator(cloud: Rec | undefined): boolean {
  return cloud !== undefined && typeof cloud.data.vtype === 'string' && cloud.data.vtype !== 'CLOUD_NONE';
}

/** The cloud's own object of `type` named `name` (in the cloud's tenant), if it exists. */
export function cloudDefault(svc: ObjectService, cloud: Rec, type: string, name: string): Rec | undefined {
  for (const rec of svc.store.byName(type, tenantOf(cloud.data) || 'admin', name)) {
    if (rec.data.cloud_ref === cloud.uuid) return rec;
  }
  return undefined;
}

/** false when the client's API version predates the field */
function known(svc: ObjectService, field: string, version: Version | undefined): boolean {
  const introduced = svc.catalog.shapeOf('cloud').fields.get(field)?.introduced;
  return !version || !introduced || !isNewer(introduced, version);
}

function systemTier(svc: ObjectService): unknown {
  for (const rec of svc.store.collection('systemconfiguration').values()) return rec.data.default_license_tier;
  return undefined;
}

export function cloudBehaviour(): TypeBehaviour {
  return {
    afterWrite(rec, previous, svc) {
      if (previous) return;
      const ctx = { tenant: tenantOf(rec.data) || 'admin', base: '' };
      for (const d of CLOUD_DEFAULTS) {
        if (cloudDefault(svc, rec, d.type, d.name)) continue;
        svc.create(d.type, { name: d.name, cloud_ref: rec.uuid, ...d.fields }, ctx, { protected: true });
      }
    },
    dependents(rec, svc) {
      const out: Rec[] = [];
      for (const d of CLOUD_DEFAULTS) {
        const dep = cloudDefault(svc, rec, d.type, d.name);
        if (dep) out.push(dep);
      }
      return out;
    },
    renderExtras(rec, out, svc, ctx) {
      if (out.license_type === undefined && known(svc, 'license_type', ctx.version)) {
        out.license_type = rec.data.vtype === 'CLOUD_LINUXSERVER' ? 'LIC_SOCKETS' : 'LIC_CORES';
      }
      const tier = systemTier(svc);
      if (out.license_tier === undefined && typeof tier === 'string' && known(svc, 'license_tier', ctx.version)) out.license_tier = tier;
    },
  };
}

/**
 * Cloud: what a cloud shows for its licensing when it has none of its own. The schema says the
 * cloud's `license_tier` "by default inherits the value from system configuration" (its
 * `default_license_tier`), and that without a `license_type` the cloud type's default license
 * enforcement applies: recorded controllers show `LIC_CORES` for no-orchestrator, vCenter,
 * NSX-T, AWS and Azure clouds; `LIC_SOCKETS` for Linux server clouds is the schema's word.
 * Both are inherited on read, so a later change of the system's tier shows at once.
 * (A TypeBehaviour, server/avi/behaviour.ts; typed by what it uses, so that this module does not
 * import the object service that imports it.)
 */
import type { Catalog } from '../../spec/catalog.js';
import type { Data, Rec, Store } from '../../store/store.js';
import { isNewer, type Version } from '../versions.js';

export function cloudBehaviour(svc: { store: Store; catalog: Catalog }) {
  /** false when the client's API version predates the field */
  const known = (field: string, version: Version | undefined) => {
    const introduced = svc.catalog.shapeOf('cloud').fields.get(field)?.introduced;
    return !version || !introduced || !isNewer(introduced, version);
  };
  const systemTier = (): unknown => {
    for (const rec of svc.store.collection('systemconfiguration').values()) return rec.data.default_license_tier;
    return undefined;
  };
  return {
    renderExtras(rec: Rec, out: Data, _svc: unknown, ctx: { version?: Version }) {
      if (out.license_type === undefined && known('license_type', ctx.version)) {
        out.license_type = rec.data.vtype === 'CLOUD_LINUXSERVER' ? 'LIC_SOCKETS' : 'LIC_CORES';
      }
      const tier = systemTier();
      if (out.license_tier === undefined && typeof tier === 'string' && known('license_tier', ctx.version)) out.license_tier = tier;
    },
  };
}

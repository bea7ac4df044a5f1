/**
 * Which `PERMISSION_*` resource of a role governs each API type. Most types are governed by the
 * permission named after them (`pool` → `PERMISSION_POOL`); the others are listed below. The
 * controller's API reference names the permission of a few of them ("API permission: ..."), and
 * those are marked so; the rest follow the area of the product the type belongs to [inferred].
 * A test checks that every type of the document resolves to a permission the Role schema knows.
 */
import type { AviDocument } from '../core/catalog.js';

/** NO_ACCESS < READ_ACCESS < WRITE_ACCESS. */
export type Level = 0 | 1 | 2;
export const NO_ACCESS: Level = 0;
export const READ: Level = 1;
export const WRITE: Level = 2;

const LEVELS = new Map<unknown, Level>([
  ['NO_ACCESS', NO_ACCESS],
  ['READ_ACCESS', READ],
  ['WRITE_ACCESS', WRITE],
]);

/** A privilege's `type` as a level (unknown values grant nothing). */
export function levelOf(type: unknown): Level {
  return LEVELS.get(type) ?? NO_ACCESS;
}

/** A role's privileges (its stored data), the highest level per permission. */
export function privilegesOf(role: { data: Record<string, unknown> }): Map<string, Level> {
  const out = new Map<string, Level>();
  const list = Array.isArray(role.data.privileges) ? role.data.privileges : [];
  for (const p of list) {
    if (typeof p !== 'object' || p === null || typeof p.resource !== 'string') continue;
    out.set(p.resource, Math.max(out.get(p.resource) ?? NO_ACCESS, levelOf(p.type)) as Level);
  }
  return out;
}

const EXCEPTIONS = new Map<string, string>([
  // named by the controller's API reference
  ['vsvip', 'PERMISSION_VIRTUALSERVICE'],
  ['cluster', 'PERMISSION_CONTROLLER'],
  ['controllerproperties', 'PERMISSION_CONTROLLER'],
  ['seproperties', 'PERMISSION_CONTROLLER'],
  ['serverautoscalepolicy', 'PERMISSION_AUTOSCALE'],
  ['cloudconnectoruser', 'PERMISSION_USER_CREDENTIAL'],
  ['tenantsystemconfiguration', 'PERMISSION_TENANT_SYSTEM_CONFIGURATION'],
  // [inferred] from the product area each type belongs to
  ['application', 'PERMISSION_VIRTUALSERVICE'],
  ['dynamicdnsrecord', 'PERMISSION_VIRTUALSERVICE'],
  ['autoscalelaunchconfig', 'PERMISSION_AUTOSCALE'],
  ['alertobjectlist', 'PERMISSION_ALERT'],
  ['alertscriptconfig', 'PERMISSION_ACTIONGROUPCONFIG'],
  ['albservicesfiledownload', 'PERMISSION_ALBSERVICESCONFIG'],
  ['albservicesfileupload', 'PERMISSION_ALBSERVICESCONFIG'],
  ['albservicesjob', 'PERMISSION_ALBSERVICESCONFIG'],
  ['customerportalinfo', 'PERMISSION_ALBSERVICESCONFIG'],
  ['portalfileupload', 'PERMISSION_ALBSERVICESCONFIG'],
  ['controllerportalregistration', 'PERMISSION_ALBSERVICESREG'],
  ['availabilityzone', 'PERMISSION_CLOUD'],
  ['cloudproperties', 'PERMISSION_CLOUD'],
  ['cloudruntime', 'PERMISSION_CLOUD'],
  ['vcenterserver', 'PERMISSION_CLOUD'],
  ['vimgrclusterruntime', 'PERMISSION_CLOUD'],
  ['vimgrcontrollerruntime', 'PERMISSION_CLOUD'],
  ['vimgrdcruntime', 'PERMISSION_CLOUD'],
  ['vimgrhostruntime', 'PERMISSION_CLOUD'],
  ['vimgrnwruntime', 'PERMISSION_CLOUD'],
  ['vimgrsevmruntime', 'PERMISSION_CLOUD'],
  ['vimgrvcenterdatacenters', 'PERMISSION_CLOUD'],
  ['vimgrvcenternetworks', 'PERMISSION_CLOUD'],
  ['vimgrvcenterruntime', 'PERMISSION_CLOUD'],
  ['vimgrvmruntime', 'PERMISSION_CLOUD'],
  ['networkruntime', 'PERMISSION_NETWORK'],
  ['nsxtsegmentruntime', 'PERMISSION_NETWORK'],
  ['apiclifsruntime', 'PERMISSION_SERVICEENGINE'],
  ['serviceenginepolicy', 'PERMISSION_SERVICEENGINEGROUP'],
  ['botconfigconsolidator', 'PERMISSION_BOTDETECTIONPOLICY'],
  ['botipreputationtypemapping', 'PERMISSION_BOTDETECTIONPOLICY'],
  ['botmapping', 'PERMISSION_BOTDETECTIONPOLICY'],
  ['icapprofile', 'PERMISSION_ICAP'],
  ['fileobject', 'PERMISSION_FILE_OBJECT'],
  ['securitymanagerdata', 'PERMISSION_WAFPOLICY'],
  ['wafapplicationsignatureprovider', 'PERMISSION_WAFPOLICY'],
  ['vsgs', 'PERMISSION_GSLBSERVICE'],
  ['useraccountprofile', 'PERMISSION_USER'],
  ['useractivity', 'PERMISSION_USER'],
  ['objectaccesspolicy', 'PERMISSION_ROLE'],
  ['backup', 'PERMISSION_CONTROLLER'],
  ['backupconfiguration', 'PERMISSION_CONTROLLER'],
  ['scheduler', 'PERMISSION_CONTROLLER'],
  ['clusterclouddetails', 'PERMISSION_CONTROLLER'],
  ['federationcheckpoint', 'PERMISSION_CONTROLLER'],
  ['inventoryfaultconfig', 'PERMISSION_CONTROLLER'],
  ['jobs', 'PERMISSION_CONTROLLER'],
  ['webhook', 'PERMISSION_CONTROLLER'],
  ['systemlimits', 'PERMISSION_SYSTEMCONFIGURATION'],
  ['license', 'PERMISSION_LICENSING'],
  ['siteversion', 'PERMISSION_CONTROLLERSITE'],
  ['statediffoperation', 'PERMISSION_UPGRADE'],
  ['upgradestatusinfo', 'PERMISSION_UPGRADE'],
  ['upgradestatussummary', 'PERMISSION_UPGRADE'],
  ['debugcontroller', 'PERMISSION_INTERNAL'],
  ['debugserviceengine', 'PERMISSION_INTERNAL'],
  ['debugvirtualservice', 'PERMISSION_INTERNAL'],
  ['logcontroller', 'PERMISSION_INTERNAL'],
  ['memorybalancernotifier', 'PERMISSION_INTERNAL'],
  ['scpoolserverstateinfo', 'PERMISSION_INTERNAL'],
  ['scvsstateinfo', 'PERMISSION_INTERNAL'],
  ['securechannelavailablelocalips', 'PERMISSION_INTERNAL'],
  ['securechannelmapping', 'PERMISSION_INTERNAL'],
  ['securechanneltoken', 'PERMISSION_INTERNAL'],
  ['webapput', 'PERMISSION_INTERNAL'],
  // non-object paths of the document
  ['ipamdnsproviderprofiledomainlist', 'PERMISSION_IPAMDNSPROVIDERPROFILE'],
  // the controller's own files (uploads, HSM packages, scripts) [inferred: system files are the controller's]
  ['fileservice', 'PERMISSION_CONTROLLER'],
  ['licenseusage', 'PERMISSION_LICENSING'],
]);

/** How a 403 names a resource: `PERMISSION_CONTROLLER` reads "System" on a controller. */
const LABELS = new Map<string, string>([['PERMISSION_CONTROLLER', 'System']]);

export class PermissionTable {
  /** every `PERMISSION_*` value of the Role schema */
  readonly known: ReadonlySet<string>;
  private readonly labels = new Map<string, string>(LABELS);

  constructor(doc: AviDocument) {
    const resource = doc.components.schemas.Permission?.properties?.resource;
    this.known = new Set<string>(Array.isArray(resource?.enum) ? resource.enum : []);
    // A permission named after a type reads as that type's model (`Pool`, `VirtualService`).
    for (const [type, t] of Object.entries(doc['x-avi-types'])) {
      const p = `PERMISSION_${type.toUpperCase()}`;
      if (this.known.has(p) && !this.labels.has(p)) this.labels.set(p, t.model);
    }
  }

  /**
   * The permission governing a path's type (`pool`, `virtualservice-inventory`,
   * `ipamdnsproviderprofiledomainlist`); undefined when none does.
   */
  ofType(type: string): string | undefined {
    const base = type.endsWith('-inventory') ? type.slice(0, -'-inventory'.length) : type;
    const named = `PERMISSION_${base.toUpperCase()}`;
    return EXCEPTIONS.get(base) ?? (this.known.has(named) ? named : undefined);
  }

  /** The resource's name in a refusal: the model it is named after, else its words. */
  label(permission: string): string {
    return this.labels.get(permission) ?? permission.replace(/^PERMISSION_/, '').toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
  }
}

/**
 * VirtualService: the fill-ins a controller does on every write (contract §8), the read-only
 * `vh_child_vs_uuid` of SNI/EVH parents, and placement on Service Engines (server/avi/placement.ts).
 * Only what the client did not send is filled; client-owned fields (`cloud_config_cksum`,
 * `service_metadata`, `markers`, `created_by`, `vsvip_cloud_config_cksum`) pass through verbatim.
 *
 * Beside the schema's fields, recorded controllers show fields of their own on every virtual
 * service, which clients read and send back (and which the write path drops again):
 * - made at create and kept by every later write: `tls_ticket_key` (three keys, each a uuid
 *   `name` and a 16-byte `aes_key` and `hmac_key` in base64), `redis_port` and `redis_db` (where
 *   its runtime state lives);
 * - `version`, counting the writes (1 after the create);
 * - derived on read: `vip_runtime` (per VIP its id, the SEs placed, `requested_resource`) and
 *   `marked_for_delete`.
 */
import type { TypeBehaviour } from '../behaviour.js';
import type { ObjectService } from '../objects.js';
import { isObject } from '../shape-ops.js';
import { tenantOf, type Data } from '../../core/store.js';
import { placementOf, vhChildren, vipRuntime } from '../placement.js';
import type { Ids } from '../../core/ids.js';
import { nsxtLinkOf } from '../../links/avi-nsxt.js';

/** The uuid of a default object by name: the object's tenant then admin, on its own cloud. */
export function defaultRef(svc: ObjectService, data: Data, type: string, name: string): string | undefined {
  const cloud = typeof data.cloud_ref === 'string' ? data.cloud_ref : undefined;
  const rec = svc.lookupByName(type, name, { tenant: tenantOf(data) || 'admin', cloud });
  if (!rec) return undefined;
  // cloud-scoped defaults (the `global` VRF, `Default-Group`) are per cloud: never another's
  if (svc.info(type).cloudScoped && cloud !== undefined && rec.data.cloud_ref !== cloud) return undefined;
  return rec.uuid;
}

function fill(svc: ObjectService, data: Data, field: string, type: string, name: string): void {
  if (data[field] !== undefined) return;
  const uuid = defaultRef(svc, data, type, name);
  if (uuid !== undefined) data[field] = uuid;
}

/** Three session ticket keys, random (reproducible under a seed: they come from the ids). */
function ticketKeys(ids: Ids): Data[] {
  const key = () => Buffer.from(ids.uuid4().replace(/-/g, ''), 'hex').toString('base64');
  return [0, 1, 2].map(() => ({ aes_key: key(), hmac_key: key(), name: ids.uuid4() }));
}

/**
 * Where the VS's runtime state lives, picked from its uuid so it never changes [inferred:
 * recorded controllers show ports 5022–5026 and databases 2–14; the ranges are a guess].
 */
function redisOf(uuid: string): { redis_port: number; redis_db: number } {
  const n = parseInt(uuid.replace(/[^0-9a-f]/g, '').slice(-8), 16) || 0;
  return { redis_port: 5001 + (n % 32), redis_db: 1 + ((n >>> 5) % 15) };
}

/** The controller's own fields: kept from the stored object, made on create. */
function controllerFields(svc: ObjectService, data: Data, previous: Data | undefined): void {
  const prev = previous ?? {};
  data.tls_ticket_key = Array.isArray(prev.tls_ticket_key) ? prev.tls_ticket_key : ticketKeys(svc.ids);
  const redis = redisOf(String(data.uuid));
  data.redis_port = typeof prev.redis_port === 'number' ? prev.redis_port : redis.redis_port;
  data.redis_db = typeof prev.redis_db === 'number' ? prev.redis_db : redis.redis_db;
  data.version = (typeof prev.version === 'number' ? prev.version : 0) + 1;
}

export function virtualserviceBehaviour(svc: ObjectService): TypeBehaviour {
  const placement = placementOf(svc);
  return {
    beforeWrite({ data, existing }) {
      fill(svc, data, 'se_group_ref', 'serviceenginegroup', 'Default-Group');
      fill(svc, data, 'application_profile_ref', 'applicationprofile', 'System-HTTP');
      fill(svc, data, 'network_profile_ref', 'networkprofile', 'System-TCP-Proxy');
      fill(svc, data, 'analytics_profile_ref', 'analyticsprofile', 'System-Analytics-Profile');
      if (data.vrf_context_ref === undefined) {
        // the VRF of the VS's VsVip when it has one, else the cloud's `global`
        const vsvip = typeof data.vsvip_ref === 'string' ? svc.store.get('vsvip', data.vsvip_ref) : undefined;
        const vrf = vsvip?.data.vrf_context_ref;
        if (typeof vrf === 'string' && svc.store.get('vrfcontext', vrf)) data.vrf_context_ref = vrf;
        else fill(svc, data, 'vrf_context_ref', 'vrfcontext', 'global');
      }
      // cloud_type is the cloud's, whatever the schema default put there [inferred]
      const cloud = typeof data.cloud_ref === 'string' ? svc.store.get('cloud', data.cloud_ref) : undefined;
      if (typeof cloud?.data.vtype === 'string') data.cloud_type = cloud.data.vtype;
      if (Array.isArray(data.services)) {
        const services = (data.services as unknown[]).map((s) => {
          if (!isObject(s)) return s;
          const out = { ...s };
          if (out.port_range_end === undefined && out.port !== undefined) out.port_range_end = out.port;
          if (out.enable_http2 === undefined) out.enable_http2 = false;
          return out;
        });
        data.services = services;
        if (services.some((s) => isObject(s) && s.enable_ssl === true)) {
          fill(svc, data, 'ssl_profile_ref', 'sslprofile', 'System-Standard-PFS');
        }
      }
      controllerFields(svc, data, existing?.data);
    },
    afterWrite(rec) {
      placement.place(rec);
      // NSX-T clouds: the VIP routes follow the placement just made (server/links/avi-nsxt.ts)
      nsxtLinkOf(svc.store)?.afterPlacement();
    },
    renderExtras(rec, out, _svc, ctx, includeName) {
      const children = vhChildren(svc, rec);
      if (children.length) out.vh_child_vs_uuid = children.map((c) => c.uuid);
      out.marked_for_delete = false;
      const runtime = vipRuntime(svc, rec, ctx, includeName);
      if (runtime.length) out.vip_runtime = runtime;
    },
  };
}

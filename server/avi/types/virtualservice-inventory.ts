/**
 * The virtual service inventory: each virtual service the tenant sees as its configuration
 * summary (`config`, refs rendered), runtime (oper_status, vip_summary), pools and pool groups.
 * Computed on read from stored objects and the placement (server/avi/placement.ts); nothing
 * here writes.
 */
import type { Data, Rec } from '../../core/store.js';
import { errors } from '../errors.js';
import type { ObjectService } from '../objects.js';
import type { Ctx } from '../context.js';
import { poolsOf, vsRuntime } from '../runtime.js';
import { readView, renderRead, selectPage } from '../query.js';
import type { TypeResources } from '../resources.js';

/** Fields of the VS that the inventory's `config` (VsInventoryConfig) carries. */
const CONFIG_FIELDS = [
  'uuid', 'name', 'tenant_ref', 'cloud_ref', 'se_group_ref', 'pool_ref', 'vsvip_ref', 'vrf_context_ref',
  'enabled', 'type', 'services', 'vh_domain_name', 'east_west_placement', 'fqdn', 'dns_info',
];

/** VsInventory: config (refs rendered), runtime (oper_status, vip_summary), pools, poolgroups. */
function inventory(svc: ObjectService, vs: Rec, ctx: Ctx, includeName: boolean): Data {
  const rendered = svc.render(vs, ctx, includeName);
  const config: Data = {};
  for (const k of CONFIG_FIELDS) if (rendered[k] !== undefined) config[k] = rendered[k];
  config.url = rendered.url;
  const vsvip = typeof vs.data.vsvip_ref === 'string' ? svc.store.get('vsvip', vs.data.vsvip_ref) : undefined;
  const vips = vsvip ? svc.render(vsvip, ctx, includeName).vip : rendered.vip;
  if (Array.isArray(vips)) config.vip = vips;
  const runtime = vsRuntime(svc, vs, ctx, includeName);
  const poolgroups = [...vs.refs].filter((k) => k.startsWith('poolgroup/')).map((k) => k.slice('poolgroup/'.length));
  const out: Data = {
    uuid: vs.uuid,
    url: `${ctx.base}/api/virtualservice-inventory/${vs.uuid}`,
    config,
    runtime,
    pools: poolsOf(svc, vs).map((p) => ({ ref: svc.renderRef(ctx.base, 'pool', p.uuid, includeName) })),
    poolgroups: poolgroups.map((u) => ({ ref: svc.renderRef(ctx.base, 'poolgroup', u, includeName) })),
  };
  const profile = typeof vs.data.application_profile_ref === 'string'
    ? svc.store.get('applicationprofile', vs.data.application_profile_ref)
    : undefined;
  if (typeof profile?.data.type === 'string') out.app_profile_type = profile.data.type;
  return out;
}

export const virtualserviceInventoryResources: TypeResources = {
  // Every virtual service the tenant sees, with the collection's filters and paging (the VS page
  // is selected, then each entry is turned into its inventory).
  list: ({ svc, query, rawQuery, ctx, includeName }) => {
    const listed = selectPage(svc, 'virtualservice', query, rawQuery, ctx);
    const body: Data = { count: listed.count, results: listed.records.map((vs) => inventory(svc, vs, ctx, includeName)) };
    if (listed.next) body.next = listed.next.replace('/api/virtualservice?', '/api/virtualservice-inventory?');
    return body;
  },
  get: ({ svc, uuid, query, ctx, includeName }) => {
    const vs = svc.store.get('virtualservice', uuid);
    // objects stored through the generic inventory CRUD (no controller has any) stay readable
    if (!vs && svc.store.get('virtualservice-inventory', uuid)) {
      return JSON.parse(renderRead(svc, svc.getOne('virtualservice-inventory', uuid, ctx), ctx, readView(query)));
    }
    if (!vs || !svc.visible(vs, ctx)) throw errors.objectNotFound('VirtualService');
    return inventory(svc, vs, ctx, includeName);
  },
};

/**
 * Runtime state a controller reports for what is configured: virtual service, pool and SE group
 * runtime, and the virtual service inventory. (Handlers keyed by the document's operationIds.)
 * Everything is computed on read from stored objects and the SE placement
 * (server/avi/placement.ts); nothing here writes.
 */
import type { Context } from 'openapi-backend';
import type { Engine } from '../engine.js';
import { flagParam, selectPage } from '../avi/query.js';
import { poolRuntime, poolsOf, segRuntime, vsRuntime } from '../avi/placement.js';
import type { Ctx } from '../avi/objects.js';
import type { Data, Rec } from '../core/store.js';
import { errors } from '../avi/errors.js';
import { genericHandler } from './generic.js';
import { sendJson, type ApiHandler } from './api.js';

const uuidParam = (c: Context) => String(c.request.params.uuid ?? '');

/** Fields of the VS that the inventory's `config` (VsInventoryConfig) carries. */
const CONFIG_FIELDS = [
  'uuid', 'name', 'tenant_ref', 'cloud_ref', 'se_group_ref', 'pool_ref', 'vsvip_ref', 'vrf_context_ref',
  'enabled', 'type', 'services', 'vh_domain_name', 'east_west_placement', 'fqdn', 'dns_info',
];

export function runtimeHandlers(engine: Engine): Record<string, ApiHandler> {
  const svc = engine.objects;

  /** VsInventory: config (refs rendered), runtime (oper_status, vip_summary), pools, poolgroups. */
  function inventory(vs: Rec, ctx: Ctx, includeName: boolean): Data {
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

  /** `GET /api/<type>/<uuid>/runtime/`: the object's identity (url, and uuid/name when asked) and its runtime. */
  function runtimeOf(type: string, identity: boolean, body: (rec: Rec, ctx: Ctx, includeName: boolean) => Data): ApiHandler {
    return (c, call, res) => {
      const rec = svc.getOne(type, uuidParam(c), call.ctx);
      const includeName = flagParam(call.query, 'include_name');
      const url = svc.renderRef(call.ctx.base, type, rec.uuid, includeName);
      const head = identity ? { uuid: rec.uuid, name: svc.nameOf(rec), url } : { url };
      sendJson(res, 200, { ...head, ...body(rec, call.ctx, includeName) });
    };
  }

  return {
    'GET /api/virtualservice/{uuid}/runtime/': runtimeOf('virtualservice', true, (vs, ctx, names) => vsRuntime(svc, vs, ctx, names)),
    'GET /api/pool/{uuid}/runtime/': runtimeOf('pool', true, (pool) => poolRuntime(svc, pool)),
    'GET /api/serviceenginegroup/{uuid}/runtime/': runtimeOf('serviceenginegroup', false, (group, ctx, names) => segRuntime(svc, group, ctx, names)),
    // The inventory of every virtual service the tenant sees, with the collection's filters and
    // paging (the VS page is selected, then each entry is turned into its inventory).
    'virtualservice-inventory.list': (_c, call, res) => {
      const listed = selectPage(svc, 'virtualservice', call.query, call.rawQuery, call.ctx);
      const includeName = flagParam(call.query, 'include_name');
      const results = listed.records.map((vs) => inventory(vs, call.ctx, includeName));
      const body: Data = { count: listed.count, results };
      if (listed.next) body.next = listed.next.replace('/api/virtualservice?', '/api/virtualservice-inventory?');
      sendJson(res, 200, body);
    },
    'virtualservice-inventory.get': (c, call, res) => {
      const uuid = uuidParam(c);
      // objects stored through the generic inventory CRUD (no controller has any) stay readable
      const vs = svc.store.get('virtualservice', uuid);
      if (!vs && svc.store.get('virtualservice-inventory', uuid)) {
        return genericHandler(engine, 'virtualservice-inventory', 'get', c, call, res);
      }
      if (!vs || !svc.visible(vs, call.ctx)) throw errors.objectNotFound('VirtualService');
      sendJson(res, 200, inventory(vs, call.ctx, flagParam(call.query, 'include_name')));
    },
  };
}

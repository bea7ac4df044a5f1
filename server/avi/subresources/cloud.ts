/**
 * Cloud sub-resources: its status and health (a simulated cloud is always reachable: placement
 * ready, no failures [inferred]), its hosts (the vCenter host runtime objects stored for it) and
 * where its SE groups place virtual services. `POST /api/cloud/list` answers the clouds the
 * tenant sees.
 */
import type { Data, Rec } from '../../core/store.js';
import { segRuntime } from '../placement.js';
import { accepted, identity, recOf, ref } from './common.js';
import type { SubCall, TypeSubresources } from './types.js';

function when(rec: Rec): string | undefined {
  const lm = Number(rec.data._last_modified);
  return Number.isFinite(lm) && lm > 0 ? new Date(Math.floor(lm / 1000)).toISOString() : undefined;
}

export function cloudStatus(cloud: Rec): Data {
  return { cc_id: cloud.uuid, state: 'CLOUD_STATE_PLACEMENT_READY', reason: 'Cloud is ready for placement' };
}

function health(call: SubCall): Data {
  const cloud = recOf(call);
  const out: Data = { cc_id: cloud.uuid, vtype: cloud.data.vtype ?? 'CLOUD_NONE', num_fails: 0 };
  const t = when(cloud);
  if (t) out.last_ok = t;
  return out;
}

function ofCloud(call: SubCall, type: string, cloud: Rec): Rec[] {
  return [...call.svc.store.collection(type).values()].filter((r) => r.data.cloud_ref === cloud.uuid && call.svc.visible(r, call.ctx));
}

function hosts(call: SubCall): Data {
  const cloud = recOf(call);
  const list = ofCloud(call, 'vimgrhostruntime', cloud).map((h) => ({ ...identity(call, h), host_ref: ref(call, 'vimgrhostruntime', h.uuid) }));
  return { ...identity(call, cloud), count: list.length, results: list };
}

function placementSummary(call: SubCall): Data {
  const cloud = recOf(call);
  let numSe = 0;
  let numVs = 0;
  const groups = ofCloud(call, 'serviceenginegroup', cloud).map((g) => {
    const rt = segRuntime(call.svc, g, call.ctx, call.includeName);
    numSe += Number(rt.num_se);
    numVs += Number(rt.num_vs);
    return { se_group_ref: ref(call, 'serviceenginegroup', g.uuid), name: call.svc.nameOf(g), num_se: rt.num_se, num_vs: rt.num_vs, max_se: rt.max_se };
  });
  return { ...identity(call, cloud), num_se: numSe, num_vs: numVs, se_groups: groups };
}

function ineligible(call: SubCall): Data {
  const cloud = recOf(call);
  const ses = ofCloud(call, 'serviceengine', cloud).filter((se) => se.data.enable_state === 'SE_STATE_DISABLED');
  return { ...identity(call, cloud), ineligible_se_list: ses.map((se) => ({ se_ref: ref(call, 'serviceengine', se.uuid), se_name: call.svc.nameOf(se), reason: 'Service Engine is disabled' })) };
}

function list(call: SubCall): Data {
  accepted(call);
  const results = [...call.svc.store.collection('cloud').values()].filter((c) => call.svc.visible(c, call.ctx)).map((c) => ({ ...identity(call, c), vtype: c.data.vtype ?? 'CLOUD_NONE', status: cloudStatus(c) }));
  return { count: results.length, results };
}

export const cloudSubresources: TypeSubresources = {
  get: {
    status: (call) => cloudStatus(recOf(call)),
    health,
    hosts,
    'placement/summary': placementSummary,
    'placement/ineligible': ineligible,
  },
  schemas: { status: 'CloudStatus', health: 'CloudHealth' },
  actions: { list },
};

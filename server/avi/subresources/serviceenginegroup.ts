/**
 * SE group placement views: its SEs, what each hosts, and which could take no more (disabled, or
 * at `max_vs_per_se`) [inferred shape, from the group runtime].
 */
import type { Data } from '../../core/store.js';
import { segRuntime } from '../placement.js';
import { identity, recOf } from './common.js';
import type { SubCall, TypeSubresources } from './types.js';

function ineligibleOf(runtime: Data): Data[] {
  const max = Number(runtime.max_vs_per_se);
  const out: Data[] = [];
  for (const e of runtime.se_list as Data[]) {
    const state = (e.oper_status as Data).state;
    if (state === 'OPER_DISABLED') out.push({ se_ref: e.se_ref, se_name: e.name, reason: 'Service Engine is disabled' });
    else if (Number(e.num_vs) >= max) out.push({ se_ref: e.se_ref, se_name: e.name, reason: `Service Engine hosts max_vs_per_se (${max}) virtual services` });
  }
  return out;
}

function placement(call: SubCall): Data {
  const group = recOf(call);
  const runtime = segRuntime(call.svc, group, call.ctx, call.includeName);
  const { uuid: _u, name: _n, ...rest } = runtime;
  return { ...identity(call, group), ...rest, ineligible_se_list: ineligibleOf(runtime) };
}

export const serviceenginegroupSubresources: TypeSubresources = {
  get: {
    'placement/detail': placement,
    'placement/summary': placement,
    'placement/ineligible': (call) => {
      const group = recOf(call);
      return { ...identity(call, group), ineligible_se_list: ineligibleOf(segRuntime(call.svc, group, call.ctx, call.includeName)) };
    },
  },
};

/**
 * Pool: the controller's fill-ins: `vrf_ref` → the cloud's `global` VRF, and per
 * server `hostname` = its address, `ratio: 1`, `enabled: true` when the client left them out.
 */
import type { TypeBehaviour, ObjectService } from '../objects.js';
import { isObject } from '../../core/json.js';
import { defaultRef } from './virtualservice.js';
import { runtimeView, type TypeResources } from '../resources.js';
import { poolRuntime } from '../runtime.js';

export function poolBehaviour(svc: ObjectService): TypeBehaviour {
  return {
    beforeWrite({ data }) {
      if (data.vrf_ref === undefined) {
        const vrf = defaultRef(svc, data, 'vrfcontext', 'global');
        if (vrf !== undefined) data.vrf_ref = vrf;
      }
      if (Array.isArray(data.servers)) {
        data.servers = data.servers.map((s) => {
          if (!isObject(s)) return s;
          const out = { ...s };
          if (out.hostname === undefined && isObject(out.ip) && typeof out.ip.addr === 'string') out.hostname = out.ip.addr;
          if (out.ratio === undefined) out.ratio = 1;
          if (out.enabled === undefined) out.enabled = true;
          return out;
        });
      }
    },
  };
}

/** A pool's sub-resources: its runtime (servers up as their health is not simulated). */
export const poolResources: TypeResources = {
  views: {
    runtime: runtimeView('pool', true, (pool, c) => poolRuntime(c.svc, pool)),
  },
};

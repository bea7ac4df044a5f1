/**
 * The scenario's `nsxt:` section applied to a fresh engine: its Tier-1s and their static routes
 * are created through the same write path as a PATCH from a client (so a bad one fails with the
 * NSX error, located in the file).
 *
 *   nsxt:
 *     credentials: { username: admin, password: VMware1!VMware1! }
 *     tier1s:
 *       - id: tanzu-cl1
 *         tier0_path: /infra/tier-0s/t0
 *         static_routes:
 *           - { id: default, network: 0.0.0.0/0, next_hops: [{ ip_address: 10.0.0.1, admin_distance: 1 }] }
 */
import type { Engine } from '../engine.js';
import { ScenarioError } from './format.js';
import { NsxError } from '../nsxt/errors.js';
import { upsertStaticRoute, upsertTier1 } from '../nsxt/routes.js';

export function applyNsxScenario(engine: Engine): void {
  const file = engine.scenario.file;
  for (const [i, t1] of (engine.scenario.nsxt?.tier1s ?? []).entries()) {
    const { id, static_routes, ...body } = t1;
    const where = `nsxt.tier1s[${i}] '${id}'`;
    try {
      upsertTier1(engine, id, body, { user: 'admin' });
    } catch (e) {
      throw new ScenarioError(file, where, describe(e));
    }
    for (const [j, route] of (static_routes ?? []).entries()) {
      const { id: routeId, ...routeBody } = route;
      try {
        upsertStaticRoute(engine, id, routeId, routeBody, { user: 'admin' });
      } catch (e) {
        throw new ScenarioError(file, `${where}: static_routes[${j}] '${routeId}'`, describe(e));
      }
    }
  }
}

/** `field 'network': 400 255 Field level validation errors: {...}`: the field first when NSX names one. */
function describe(e: unknown): string {
  if (!(e instanceof NsxError)) return (e as Error).message;
  const text = `${e.status} ${e.code} ${e.message}`;
  const field =
    /^Field level validation errors: \{(?:required property )?([\w.[\]]+)/.exec(e.message)?.[1] ??
    /property (\S+) is unrecognized/.exec(e.message)?.[1];
  return field ? `field '${field}': ${text}` : text;
}

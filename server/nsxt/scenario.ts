/**
 * The scenario's `nsxt:` section applied to a fresh engine: its Tier-1s are created through the
 * same write path as a PATCH from a client (so a bad one fails with the NSX error).
 *
 *   nsxt:
 *     credentials: { username: admin, password: VMware1!VMware1! }
 *     tier1s:
 *       - { id: tanzu-cl1, display_name: tanzu-cl1, tier0_path: /infra/tier-0s/t0 }
 */
import type { Engine } from '../engine.js';
import { NsxError } from './errors.js';
import { upsertTier1 } from './routes.js';

export function applyNsxScenario(engine: Engine): void {
  for (const t1 of engine.scenario.nsxt?.tier1s ?? []) {
    const { id, ...body } = t1;
    try {
      upsertTier1(engine, id, body, { user: 'admin' });
    } catch (e) {
      const why = e instanceof NsxError ? `${e.status} ${e.code} ${e.message}` : (e as Error).message;
      throw new Error(`${engine.scenario.file}: nsxt.tier1s ${id}: ${why}`);
    }
  }
}

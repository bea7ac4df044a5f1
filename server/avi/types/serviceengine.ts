/**
 * ServiceEngine: what the controller does with the SEs it deploys itself beyond placing virtual
 * services on them (server/avi/placement.ts).
 *
 * - Data NICs never block a delete: a network (or VRF) an SE has a data NIC on can be deleted;
 *   the SE drops the NICs that refer to it, as the port goes with the network [inferred]. Its
 *   other refs (SE group, cloud, management NIC) still block, as any referrer's do.
 * - Deprovisioning: on a cloud with an orchestrator, an SE the controller created
 *   (`controller_created`) that hosts no virtual service is deleted once its group's
 *   `se_deprovision_delay` (minutes, default 120) has passed; 0 means never (the schema: the
 *   administrator cleans up). Time is the wall clock: a timer per idle SE, armed when it becomes
 *   idle and cancelled when a virtual service is placed on it again; the delay read at that moment
 *   applies, except that a delay set to 0 meanwhile keeps the SE. After a restart or reset the
 *   delay of an idle SE starts again [inferred]. SEs of a No-Orchestrator cloud were deployed by
 *   hand and are never deleted by the controller.
 */
import type { TypeBehaviour } from '../behaviour.js';
import type { ObjectService } from '../objects.js';
import { forEachRef, isObject } from '../shape-ops.js';
import { refKey, tenantOf, type Rec } from '../../core/store.js';
import { hasOrchestrator } from './cloud.js';

const DEFAULT_DEPROVISION_DELAY_MIN = 120;

/** The `type/uuid` keys an SE refers to, data NICs left out. */
function refsOutsideDataNics(svc: ObjectService, se: Rec): Set<string> {
  const { data_vnics: _nics, ...rest } = se.data;
  const keys = new Set<string>();
  forEachRef(rest, svc.catalog.shapeOf('serviceengine'), (uuid, type) => keys.add(refKey(type, uuid)));
  return keys;
}

/** Does this data NIC refer to any of `keys`? */
function nicRefersTo(svc: ObjectService, nic: unknown, keys: Set<string>): boolean {
  let hit = false;
  forEachRef({ data_vnics: [nic] }, svc.catalog.shapeOf('serviceengine'), (uuid, type) => {
    if (keys.has(refKey(type, uuid))) hit = true;
  });
  return hit;
}

export function serviceengineBehaviour(): TypeBehaviour {
  return {
    releaseRefs(se, targets, svc) {
      const keys = new Set(targets.map((t) => refKey(t.type, t.uuid)));
      const outside = refsOutsideDataNics(svc, se);
      if ([...keys].some((k) => outside.has(k))) return undefined;
      return () => {
        const nics = Array.isArray(se.data.data_vnics) ? se.data.data_vnics : [];
        svc.rewrite(se, { ...se.data, data_vnics: nics.filter((nic) => !(isObject(nic) && nicRefersTo(svc, nic, keys))) });
      };
    },
  };
}

/** Deletes idle controller-created SEs after their group's `se_deprovision_delay` (see above). */
export class SeDeprovisioner {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private disposed = false;

  constructor(
    private readonly svc: ObjectService,
    /** does the SE host any virtual service now? */
    private readonly hosts: (seUuid: string) => boolean,
  ) {}

  /** The SE hosts nothing any more: its delay starts, when the controller deletes such SEs. */
  idle(seUuid: string): void {
    if (this.disposed || this.timers.has(seUuid)) return;
    const delay = this.delayOf(seUuid);
    if (delay === undefined) return;
    // neither the timer nor the process keeps a dropped engine (a deleted sandbox) alive
    const self = new WeakRef(this);
    const timer = setTimeout(() => self.deref()?.expire(seUuid), delay * 60_000);
    (timer as { unref?: () => void }).unref?.();
    this.timers.set(seUuid, timer);
  }

  /** The SE hosts something again, or is gone: no deletion pending. */
  busy(seUuid: string): void {
    const timer = this.timers.get(seUuid);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(seUuid);
  }

  /** Every pending deletion cancelled (a restore: placement arms them again from the state). */
  reset(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** The engine is closing: nothing may fire any more. */
  dispose(): void {
    this.reset();
    this.disposed = true;
  }

  /** Minutes until the controller deletes this SE when idle, or undefined when it never does. */
  private delayOf(seUuid: string): number | undefined {
    const se = this.svc.store.get('serviceengine', seUuid);
    if (!se || se.data.controller_created !== true) return undefined;
    const cloud = typeof se.data.cloud_ref === 'string' ? this.svc.store.get('cloud', se.data.cloud_ref) : undefined;
    if (!hasOrchestrator(cloud)) return undefined;
    const group = typeof se.data.se_group_ref === 'string' ? this.svc.store.get('serviceenginegroup', se.data.se_group_ref) : undefined;
    const delay = group?.data.se_deprovision_delay;
    const minutes = typeof delay === 'number' && Number.isInteger(delay) && delay >= 0 ? delay : DEFAULT_DEPROVISION_DELAY_MIN;
    return minutes === 0 ? undefined : minutes;
  }

  private expire(seUuid: string): void {
    this.timers.delete(seUuid);
    const se = this.svc.store.get('serviceengine', seUuid);
    if (this.disposed || !se || this.hosts(seUuid) || this.delayOf(seUuid) === undefined) return;
    try {
      this.svc.remove('serviceengine', seUuid, { tenant: tenantOf(se.data) || 'admin', base: '' });
    } catch {
      // something the user made refers to it: it stays, as an SE in use would
    }
  }
}

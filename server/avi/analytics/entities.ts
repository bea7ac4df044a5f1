/**
 * The subjects of analytics queries and what their state says: which virtual services, pools,
 * Service Engines and controller nodes a caller sees, whether an entity has data (a virtual
 * service carries traffic only while it is up; a pool only behind such a virtual service), the
 * pool servers whose traffic a metric sums, and the figures a controller derives from its
 * configuration (service cores, SEs, active virtual services, backend servers).
 */
import type { Rec } from '../../core/store.js';
import { tenantRefOf } from '../../core/store.js';
import type { ObjectService } from '../objects.js';
import type { Ctx } from '../context.js';
import { poolRuntime, poolsOf, vsOperStatus } from '../runtime.js';
import { isObject } from '../../core/json.js';
import { usage, type Usage } from '../licensing.js';

export type EntityType = 'virtualservice' | 'pool' | 'serviceengine' | 'controller';
export const ENTITY_TYPES: ReadonlySet<string> = new Set(['virtualservice', 'pool', 'serviceengine', 'controller']);

/** A controller node as the cluster reports it. */
export interface ControllerNode {
  uuid: string;
  name: string;
}

/** What a query reads besides its parameters. */
export interface AnalyticsState {
  svc: ObjectService;
  ctx: Ctx;
  /** the engine's seed (0 without one): synthetic series depend on it */
  seed: number | string;
  nowSeconds: number;
  /** the cluster's nodes, the leader first */
  nodes: ControllerNode[];
  /** the cluster object's uuid, also accepted as the controller entity */
  clusterUuid?: string;
}

export interface Entity {
  type: EntityType;
  uuid: string;
  rec?: Rec;
  tenant: string;
}

export interface Server {
  /** `ip:port`, the controller's server id */
  id: string;
  ip: string;
  pool: string;
}

const MODEL: Record<EntityType, string> = {
  virtualservice: 'VirtualService',
  pool: 'Pool',
  serviceengine: 'ServiceEngine',
  controller: 'Controller',
};

export const METRIC_ENTITY: Record<EntityType, string> = {
  virtualservice: 'VSERVER_METRICS_ENTITY',
  pool: 'VSERVER_METRICS_ENTITY',
  serviceengine: 'SE_METRICS_ENTITY',
  controller: 'CONTROLLER_METRICS_ENTITY',
};

export function modelOf(type: EntityType): string {
  return MODEL[type];
}

/** Entities of a type the caller sees; `uuids` narrows them (undefined or `*`: all). */
export function entitiesOf(state: AnalyticsState, type: EntityType, uuids?: string[]): Entity[] {
  const wanted = uuids && !uuids.includes('*') ? new Set(uuids) : undefined;
  if (type === 'controller') {
    return state.nodes
      .filter((n) => !wanted || wanted.has(n.uuid) || (state.clusterUuid !== undefined && wanted.has(state.clusterUuid)))
      .map((n) => ({ type, uuid: n.uuid, tenant: 'admin' }));
  }
  const out: Entity[] = [];
  const add = (rec: Rec) => {
    if (state.svc.visible(rec, state.ctx)) out.push({ type, uuid: rec.uuid, rec, tenant: tenantRefOf(rec.data) || 'admin' });
  };
  if (wanted) {
    for (const uuid of wanted) {
      const rec = state.svc.store.get(type, uuid);
      if (rec) add(rec);
    }
  } else for (const rec of state.svc.store.collection(type).values()) add(rec);
  return out;
}

/** The type holding an entity uuid (a controller node, a VS, a pool or an SE). */
export function typeOfUuid(state: AnalyticsState, uuid: string): EntityType | undefined {
  if (state.nodes.some((n) => n.uuid === uuid) || uuid === state.clusterUuid) return 'controller';
  for (const type of ['virtualservice', 'pool', 'serviceengine'] as const) if (state.svc.store.get(type, uuid)) return type;
  return undefined;
}

function vsUp(svc: ObjectService, vs: Rec): boolean {
  return vsOperStatus(svc, vs).state === 'OPER_UP';
}

/** Whether an entity carries traffic now: metrics of one that does not are missing data. */
export function hasData(svc: ObjectService, e: Entity): boolean {
  if (!e.rec) return true;
  if (e.type === 'virtualservice') return vsUp(svc, e.rec);
  if (e.type === 'pool') {
    if ((poolRuntime(svc, e.rec).oper_status as { state: string }).state !== 'OPER_UP') return false;
    for (const vs of svc.store.collection('virtualservice').values()) {
      if (poolsOf(svc, vs).some((p) => p.uuid === e.uuid) && vsUp(svc, vs)) return true;
    }
    return false;
  }
  return true;
}

/** The enabled servers of enabled pools, as `ip:port` ids. */
function serversOfPools(pools: Rec[]): Server[] {
  const out: Server[] = [];
  for (const pool of pools) {
    if (pool.data.enabled === false) continue;
    const servers = Array.isArray(pool.data.servers) ? pool.data.servers.filter(isObject) : [];
    for (const s of servers) {
      if (s.enabled === false || !isObject(s.ip) || typeof s.ip.addr !== 'string') continue;
      const port = typeof s.port === 'number' ? s.port : typeof pool.data.default_server_port === 'number' ? pool.data.default_server_port : 80;
      out.push({ id: `${s.ip.addr}:${port}`, ip: s.ip.addr, pool: pool.uuid });
    }
  }
  return out;
}

/**
 * The servers behind an entity whose traffic a server-side metric sums: a pool's, or those of
 * every pool of a virtual service (`poolUuid` narrows to one); `objId` (`ip:port`, or an
 * address alone) to one server.
 */
export function serversOf(svc: ObjectService, e: Entity, poolUuid?: string, objId?: string): Server[] {
  if (!e.rec) return [];
  let pools = e.type === 'pool' ? [e.rec] : e.type === 'virtualservice' ? poolsOf(svc, e.rec) : [];
  if (poolUuid) pools = pools.filter((p) => p.uuid === poolUuid);
  const servers = serversOfPools(pools);
  if (!objId) return servers;
  const id = objId.trim().replace(/\s+/, ':');
  return servers.filter((s) => s.id === id || s.ip === id);
}

/** Configuration figures the controller's own tables report (controller_stats, segroup_stats). */
export class ControllerFigures {
  private u?: Usage;
  constructor(private readonly svc: ObjectService) {}

  private get usage(): Usage {
    return (this.u ??= usage(this.svc));
  }

  /** The value of a state-derived metric, or undefined when the metric is not one. */
  value(metric: string, objId?: string): number | undefined {
    const [table, measure = ''] = metric.split('.', 2) as [string, string?];
    const m = measure.replace(/^(avg|max|min)_/, '');
    if (table === 'controller_stats') return this.controllerStat(m);
    if (table === 'segroup_stats' && objId) return this.groupStat(m, objId);
    return undefined;
  }

  private consumed(): number {
    let n = 0;
    for (const t of this.usage.tiers.values()) n += t.consumed;
    return n;
  }

  private licensed(): number {
    let n = 0;
    for (const t of this.usage.tiers.values()) n += t.licensed;
    return n;
  }

  private controllerStat(m: string): number | undefined {
    switch (m) {
      case 'num_service_cores':
      case 'num_se_cores':
        return this.consumed();
      case 'num_ses':
        return this.usage.ses.length;
      case 'num_sockets':
        return 0;
      case 'num_active_vs': {
        let n = 0;
        for (const vs of this.svc.store.collection('virtualservice').values()) if (vsUp(this.svc, vs)) n++;
        return n;
      }
      case 'num_backend_servers':
        return serversOfPools([...this.svc.store.collection('pool').values()]).length;
      case 'num_service_cores_lic_usage':
      case 'se_cores_lic_usage': {
        const licensed = this.licensed();
        return licensed > 0 ? (100 * this.consumed()) / licensed : 0;
      }
      default:
        // other license gauges (SEs, sockets, servers, throughput) have no licensed limit here
        return /_lic_usage$/.test(m) ? 0 : undefined;
    }
  }

  private groupStat(m: string, group: string): number | undefined {
    const ses = this.usage.ses.filter((s) => s.se.data.se_group_ref === group);
    if (m === 'license_usage') return ses.reduce((n, s) => n + s.cores, 0);
    if (/^num_ses?$/.test(m)) return ses.length;
    return undefined;
  }
}

/**
 * Realized state (contract §6): `GET /policy/api/v1/infra/realized-state/realized-entities?intent_path=P`
 * answers one GenericPolicyRealizedResource per intent object. A route is IN_PROGRESS until
 * `engine.nsx.realizationDelayMs` has passed since its last change, then REALIZED (immediately
 * by default); `engine.nsx.forcedState` pins a path to another state (fault injection, e.g.
 * ERROR). `state` is always present. Ids of the realized objects are stable per intent path.
 */
import { createHash } from 'node:crypto';
import type { Engine } from '../engine.js';
import type { Data } from '../core/store.js';
import { ROUTE_TYPE, TIER1_TYPE } from './routes.js';
import { globRegex } from '../mock/pattern.js';

/** A stable uuid for a name (the logical router / realized route behind a policy path). */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A state forced on this path, by exact path or by a glob (`/infra/tier-1s/t1/static-routes/*`). */
export function forcedStateOf(engine: Engine, path: string): string | undefined {
  const forced = engine.nsx.forcedState;
  if (forced.size === 0) return undefined;
  const exact = forced.get(path);
  if (exact) return exact;
  for (const [pattern, state] of forced) if (pattern.includes('*') && globRegex(pattern).test(path)) return state;
  return undefined;
}

export function realizationState(engine: Engine, path: string): string {
  const forced = forcedStateOf(engine, path);
  if (forced) return forced;
  const delay = engine.nsx.realizationDelayMs;
  const changed = engine.nsx.changedAt.get(path);
  if (delay > 0 && changed !== undefined && Date.now() - changed < delay) return 'IN_PROGRESS';
  return 'REALIZED';
}

/** The realized entities of an intent path (none when nothing is there) [empty list inferred]. */
export function realizedEntities(engine: Engine, intentPath: string): Data[] {
  const path = intentPath.replace(/\/+$/, '');
  const route = engine.store.get(ROUTE_TYPE, path)?.data;
  const tier1 = route ? undefined : engine.store.get(TIER1_TYPE, path)?.data;
  const obj = route ?? tier1;
  if (!obj) return [];
  const t1Id = route ? String(route.parent_path).split('/').pop()! : String(obj.id);
  const routerUuid = stableUuid(`logical-router:/infra/tier-1s/${t1Id}`);
  const realizedId = route ? `${t1Id}-${String(route.id)}` : t1Id;
  const kind = route ? 'tier-1-static-routes' : 'tier-1s';
  const specific = route ? stableUuid(`static-route:${path}`) : routerUuid;
  const state = route ? realizationState(engine, path) : forcedStateOf(engine, path) ?? 'REALIZED';
  const modified = obj._last_modified_time as number;
  return [
    {
      extended_attributes: [{ data_type: 'STRING', multivalue: false, values: [routerUuid], key: 'logical-router-id' }],
      intent_paths: [path],
      resource_type: 'GenericPolicyRealizedResource',
      entity_type: route ? 'RealizedStaticRoute' : 'RealizedLogicalRouter',
      id: realizedId,
      display_name: realizedId,
      path: `/infra/realized-state/enforcement-points/default/${kind}/${realizedId}`,
      relative_path: realizedId,
      parent_path: '/infra/realized-state/enforcement-points/default',
      unique_id: stableUuid(`realized:${path}`),
      intent_reference: [path],
      realization_specific_identifier: specific,
      realization_api: route
        ? `/api/v1/logical-routers/${routerUuid}/routing/static-routes/${specific}`
        : `/api/v1/logical-routers/${routerUuid}`,
      state,
      alarms: [],
      runtime_status: 'UNINITIALIZED',
      _create_user: 'system',
      _create_time: obj._create_time,
      _last_modified_user: 'system',
      _last_modified_time: modified,
      _system_owned: false,
      _protection: 'NOT_PROTECTED',
      _revision: obj._revision,
    },
  ];
}

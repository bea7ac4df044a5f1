/**
 * Metrics queries: `GET /api/analytics/metrics/<entity>[/<uuid>]` (MetricsQueryResponse, or a
 * list of them) and `POST /api/analytics/metrics/collection` (series keyed by request id, then
 * entity uuid, as the SDKs and exporters read them). Each metric is a series with a header
 * (name, units, description, statistics) and one point per step of the window.
 *
 * Values: what the configuration determines is reported as it is now at every point
 * (controller_stats service cores, SEs, active virtual services, backend servers; segroup_stats
 * license usage per SE group); the rest is a smooth synthetic series (series.ts), server-side
 * tables summed (or averaged) over the enabled pool servers behind the entity. An entity that
 * carries no traffic (a virtual service that is not up) has no data: padded with null points
 * (`pad_missing_data`, on by default) or left empty.
 */
import { errors } from '../errors.js';
import { metricInfo, serverSide, tableOf } from './catalog.js';
import {
  ControllerFigures, entitiesOf, hasData, METRIC_ENTITY, modelOf, serversOf, typeOfUuid,
  type AnalyticsState, type Entity, type EntityType,
} from './entities.js';
import { boolParam, isoTime, MAX_POINTS, round, smooth, statistics, windowOf, type Point, type Window } from './series.js';

type Json = Record<string, unknown>;
/** Reads one parameter of a request (query text, or a JSON field of a collection request). */
export type Param = (name: string) => unknown;

const MAX_METRICS = 64;
const MAX_REQUESTS = 64;
const METRIC_ID = /^[A-Za-z0-9_.]{1,128}$/;

export interface MetricsRequest {
  metricIds: string[];
  window: Window;
  pad: boolean;
  objId?: string;
  poolUuid?: string;
  id?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function metricIds(v: unknown): string[] {
  const raw = typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(',') : '';
  const ids = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (ids.length === 0) throw errors.invalid("Invalid data: field 'metric_id' is required");
  if (ids.length > MAX_METRICS) throw errors.invalid(`Invalid data: field 'metric_id' names more than ${MAX_METRICS} metrics`);
  const bad = ids.find((id) => !METRIC_ID.test(id));
  if (bad !== undefined) throw errors.invalid(`Invalid data: field 'metric_id' has an invalid metric '${bad.slice(0, 128)}'`);
  return ids;
}

export function parseRequest(p: Param, nowSeconds: number): MetricsRequest {
  return {
    metricIds: metricIds(p('metric_id')),
    window: windowOf({ step: p('step'), limit: p('limit'), start: p('start'), stop: p('stop') }, nowSeconds),
    pad: boolParam(p('pad_missing_data'), true),
    objId: text(p('obj_id')) ?? text(p('server')),
    poolUuid: text(p('pool_uuid')),
    id: text(p('id')),
  };
}

/** A series' values: a function of time, or nothing when the entity has no data for it. */
type Values = ((t: number) => number) | undefined;

function valuesOf(state: AnalyticsState, figures: ControllerFigures, e: Entity, metric: string, req: MetricsRequest, objId?: string): Values {
  const info = metricInfo(metric);
  if (e.type === 'controller') {
    const v = figures.value(metric, objId);
    return v === undefined ? smooth(`${state.seed}|${e.uuid}|${metric}|${objId ?? ''}`, info.base) : () => v;
  }
  if (!hasData(state.svc, e)) return undefined;
  if (e.type === 'pool' || (e.type === 'virtualservice' && (serverSide(metric) || objId !== undefined))) {
    const servers = serversOf(state.svc, e, req.poolUuid, objId);
    if (servers.length === 0) return undefined;
    const fns = servers.map((s) => smooth(`${state.seed}|${s.pool}|${s.id}|${metric}`, info.base / (info.additive ? 2 : 1)));
    return (t) => {
      let sum = 0;
      for (const f of fns) sum += f(t);
      return info.additive ? sum : sum / fns.length;
    };
  }
  return smooth(`${state.seed}|${e.uuid}|${metric}`, info.base);
}

function points(values: Values, w: Window, pad: boolean, integer: boolean, percent: boolean): Point[] {
  if (!values) return pad ? w.times.map((t) => ({ timestamp: isoTime(t), value: 0, is_null: true })) : [];
  return w.times.map((t) => {
    let v = values(t);
    if (percent) v = Math.min(100, v);
    return { timestamp: isoTime(t), value: integer ? Math.round(v) : round(v) };
  });
}

/** The obj_ids a metric is reported for: the one asked, or each SE group for segroup_stats. */
function objIdsFor(state: AnalyticsState, e: Entity, metric: string, req: MetricsRequest): Array<string | undefined> {
  if (req.objId !== undefined) return [req.objId];
  if (e.type === 'controller' && tableOf(metric) === 'segroup_stats') {
    const groups = [...state.svc.store.collection('serviceenginegroup').values()].filter((g) => state.svc.visible(g, state.ctx));
    return groups.map((g) => g.uuid);
  }
  return [undefined];
}

function seriesOf(state: AnalyticsState, figures: ControllerFigures, e: Entity, req: MetricsRequest): Json[] {
  const out: Json[] = [];
  for (const metric of req.metricIds) {
    const info = metricInfo(metric);
    for (const objId of objIdsFor(state, e, metric, req)) {
      const data = points(valuesOf(state, figures, e, metric, req, objId), req.window, req.pad, info.integer, info.units === 'PERCENT');
      const header: Json = {
        name: metric,
        entity_uuid: e.uuid,
        tenant_uuid: e.tenant,
        metric_description: info.metric_description,
        units: info.units,
        statistics: statistics(data),
      };
      if (objId !== undefined) {
        header.obj_id = objId;
        header.obj_id_type = e.type === 'controller' ? 'METRICS_OBJ_ID_TYPE_CLUSTER' : 'METRICS_OBJ_ID_TYPE_SERVER';
      }
      if (req.poolUuid) header.pool_uuid = req.poolUuid;
      out.push({ header, data });
    }
  }
  return out;
}

/** Refuses a query whose answer would exceed the point budget. */
function checkBudget(entities: number, req: MetricsRequest, spent = 0): number {
  const total = spent + entities * req.metricIds.length * Math.max(1, req.window.times.length);
  if (total > MAX_POINTS) throw errors.invalid(`Invalid data: the query asks for more than ${MAX_POINTS} data points`);
  return total;
}

function response(state: AnalyticsState, figures: ControllerFigures, e: Entity, req: MetricsRequest): Json {
  const times = req.window.times;
  const stop = times.length ? times[times.length - 1]! : Math.floor(state.nowSeconds / req.window.step) * req.window.step;
  const out: Json = {
    entity_uuid: e.uuid,
    metric_entity: METRIC_ENTITY[e.type],
    metric_id: req.metricIds.join(','),
    step: req.window.step,
    limit: times.length,
    start: isoTime(times.length ? times[0]! : stop),
    stop: isoTime(stop),
    series: seriesOf(state, figures, e, req),
  };
  if (req.id !== undefined) out.id = req.id;
  return out;
}

/** `GET /api/analytics/metrics/<entity>/<uuid>`: one entity's MetricsQueryResponse; 404 when unseen. */
export function metricsOfEntity(state: AnalyticsState, type: EntityType, uuid: string, p: Param): Json {
  const [e] = entitiesOf(state, type, [uuid]);
  if (!e) throw errors.objectNotFound(modelOf(type));
  const req = parseRequest(p, state.nowSeconds);
  checkBudget(1, req);
  return response(state, new ControllerFigures(state.svc), e, req);
}

/** `GET /api/analytics/metrics/<entity>/`: every entity the caller sees (or `entity_uuid`'s), as `{count, results}`. */
export function metricsList(state: AnalyticsState, type: EntityType, p: Param): Json {
  const req = parseRequest(p, state.nowSeconds);
  const filter = text(p('entity_uuid'))?.split(',').map((s) => s.trim());
  const entities = entitiesOf(state, type, filter);
  checkBudget(entities.length, req);
  const figures = new ControllerFigures(state.svc);
  const results = entities.map((e) => response(state, figures, e, req));
  return { count: results.length, results };
}

const ENTITY_OF_METRIC_ENTITY: Record<string, EntityType> = {
  VSERVER_METRICS_ENTITY: 'virtualservice',
  SE_METRICS_ENTITY: 'serviceengine',
  CONTROLLER_METRICS_ENTITY: 'controller',
};

/** Which kind of entity a collection request is about: its metric_entity, its entity's uuid, or its metrics' table. */
function entityTypeOf(state: AnalyticsState, r: Json, metrics: string[], uuids: string[]): EntityType {
  const named = typeof r.metric_entity === 'string' && Object.hasOwn(ENTITY_OF_METRIC_ENTITY, r.metric_entity) ? ENTITY_OF_METRIC_ENTITY[r.metric_entity] : undefined;
  if (named) return text(r.pool_uuid) && named === 'virtualservice' && uuids.includes('*') ? 'pool' : named;
  for (const uuid of uuids) {
    const t = uuid === '*' ? undefined : typeOfUuid(state, uuid);
    if (t) return t;
  }
  const table = tableOf(metrics[0] ?? '');
  if (/^se_/.test(table)) return 'serviceengine';
  if (table === 'controller_stats' || table === 'segroup_stats') return 'controller';
  return 'virtualservice';
}

/**
 * `POST /api/analytics/metrics/collection`: `{metric_requests: [MetricsQuery]}`, the query's
 * parameters as defaults of every request. Answers `{series: {<id>: {<entity_uuid>: [series]}}}`;
 * a request without `id` is keyed by its metric_id [inferred]; unknown entities are left out.
 */
export function metricsCollection(state: AnalyticsState, body: unknown, query: Param): Json {
  const requests = body !== null && typeof body === 'object' && Array.isArray((body as Json).metric_requests) ? ((body as Json).metric_requests as unknown[]) : undefined;
  if (!requests) throw errors.invalid("Invalid data: field 'metric_requests' is required");
  if (requests.length > MAX_REQUESTS) throw errors.invalid(`Invalid data: field 'metric_requests' holds more than ${MAX_REQUESTS} requests`);
  const series: Record<string, Record<string, Json[]>> = Object.create(null);
  const figures = new ControllerFigures(state.svc);
  let spent = 0;
  for (const raw of requests) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw errors.invalid("Invalid data: field 'metric_requests' must hold objects");
    const r = raw as Json;
    const p: Param = (name) => (Object.hasOwn(r, name) && r[name] !== null ? r[name] : query(name));
    const req = parseRequest(p, state.nowSeconds);
    const uuids = (text(r.entity_uuid) ?? '*').split(',').map((s) => s.trim()).filter(Boolean);
    const type = entityTypeOf(state, r, req.metricIds, uuids);
    const entities = entitiesOf(state, type, uuids).filter((e) => req.pad || hasData(state.svc, e));
    spent = checkBudget(entities.length, req, spent);
    const key = req.id ?? req.metricIds.join(',');
    const byEntity = (series[key] ??= Object.create(null) as Record<string, Json[]>);
    for (const e of entities) (byEntity[e.uuid] ??= []).push(...seriesOf(state, figures, e, req));
  }
  return { series };
}

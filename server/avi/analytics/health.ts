/**
 * Health scores and anomalies of virtual services, pools and Service Engines.
 *
 * Health follows the object's state [inferred: scores and reason texts]: an entity that is up
 * scores a smooth performance score in the 90s with no penalties; one that is down or disabled
 * has no score (null points, value 0) and its oper status reasons as the reason. The simulator
 * detects no anomalies: anomaly queries answer their series without points.
 */
import type { Rec } from '../../core/store.js';
import { errors } from '../errors.js';
import { poolRuntime, vsOperStatus, type OperStatus } from '../placement.js';
import type { ObjectService } from '../objects.js';
import { entitiesOf, METRIC_ENTITY, modelOf, type AnalyticsState, type Entity, type EntityType } from './entities.js';
import { metricInfo } from './catalog.js';
import type { Param } from './metrics.js';
import { isoTime, MAX_POINTS, statistics, unit, windowOf, type Point, type Window } from './series.js';

type Json = Record<string, unknown>;

const HS_TYPES: Record<string, string> = {
  HEALTH_SCORE: 'health_score',
  HEALTH_PERFORMANCE_SCORE: 'performance_score',
  HEALTH_ANOMALY_SCORE: 'anomaly_penalty',
  HEALTH_RESOURCES_SCORE: 'resources_penalty',
  HEALTH_SECURITY_SCORE: 'security_penalty',
};

function operOf(svc: ObjectService, type: EntityType, rec: Rec | undefined): OperStatus {
  if (!rec) return { state: 'OPER_UP' };
  if (type === 'virtualservice') return vsOperStatus(svc, rec);
  if (type === 'pool') return poolRuntime(svc, rec).oper_status as OperStatus;
  return { state: rec.data.enable_state === 'SE_STATE_DISABLED' ? 'OPER_DISABLED' : 'OPER_UP' };
}

/** A performance score between 90 and 100, moving slowly with time. */
function performance(subject: string, t: number): number {
  const phase = 2 * Math.PI * unit(subject, 'hs');
  return Math.round(95 + 4 * Math.sin((2 * Math.PI * t) / 86400 + phase));
}

function healthPoints(state: AnalyticsState, e: Entity, w: Window, hsType: string): Array<Point & Json> {
  const oper = operOf(state.svc, e.type, e.rec);
  const subject = `${state.seed}|${e.uuid}`;
  if (oper.state !== 'OPER_UP') {
    const reason = oper.reason?.length ? oper.reason.join('; ') : oper.state === 'OPER_DISABLED' ? 'Disabled' : 'Down';
    return w.times.map((t) => ({ timestamp: isoTime(t), value: 0, is_null: true, reason }));
  }
  return w.times.map((t) => {
    const perf = performance(subject, t);
    const value = hsType === 'HEALTH_SCORE' || hsType === 'HEALTH_PERFORMANCE_SCORE' ? perf : 0;
    return {
      timestamp: isoTime(t),
      value,
      performance_value: perf,
      anomaly_penalty: 0,
      resources_penalty: 0,
      security_penalty: 0,
      reason: 'No penalties: the health score is the performance score',
    };
  });
}

function healthResponse(state: AnalyticsState, e: Entity, w: Window, hsType: string): Json {
  const data = healthPoints(state, e, w, hsType);
  const stop = w.times.length ? w.times[w.times.length - 1]! : state.nowSeconds;
  return {
    entity_uuid: e.uuid,
    metric_entity: METRIC_ENTITY[e.type],
    step: w.step,
    start: isoTime(w.times[0] ?? stop),
    stop: isoTime(stop),
    series: [{
      header: {
        name: `healthscore.${HS_TYPES[hsType]}`,
        entity_uuid: e.uuid,
        hs_type: hsType,
        units: 'HEALTH',
        statistics: statistics(data),
      },
      data,
    }],
  };
}

function checkBudget(points: number): void {
  if (points > MAX_POINTS) throw errors.invalid(`Invalid data: the query asks for more than ${MAX_POINTS} data points`);
}

function hsTypeOf(p: Param): string {
  const v = p('hs_type');
  if (v === undefined || v === null || v === '') return 'HEALTH_SCORE';
  if (typeof v === 'string' && Object.hasOwn(HS_TYPES, v)) return v;
  throw errors.invalid(`Invalid data: field 'hs_type' must be one of ${Object.keys(HS_TYPES).join(', ')}`);
}

/** `GET /api/analytics/healthscore/<entity>[/<uuid>]` (HealthScoreQueryResponse, or a list of them). */
export function healthScore(state: AnalyticsState, type: EntityType, uuid: string | undefined, p: Param): Json {
  const w = windowOf({ step: p('step'), limit: p('limit'), start: p('start'), stop: p('stop') }, state.nowSeconds);
  const hsType = hsTypeOf(p);
  if (uuid !== undefined) {
    const [e] = entitiesOf(state, type, [uuid]);
    if (!e) throw errors.objectNotFound(modelOf(type));
    return healthResponse(state, e, w, hsType);
  }
  const filter = typeof p('entity_uuid') === 'string' ? String(p('entity_uuid')).split(',').map((s) => s.trim()) : undefined;
  const entities = entitiesOf(state, type, filter);
  checkBudget(entities.length * w.times.length);
  const results = entities.map((e) => healthResponse(state, e, w, hsType));
  return { count: results.length, results };
}

function anomalyResponse(state: AnalyticsState, e: Entity, w: Window, metrics: string[]): Json {
  const stop = w.times.length ? w.times[w.times.length - 1]! : state.nowSeconds;
  return {
    metric_id: metrics.join(','),
    step: w.step,
    start: isoTime(w.times[0] ?? stop),
    stop: isoTime(stop),
    series: metrics.map((m) => {
      const info = metricInfo(m);
      return {
        header: { name: m, entity_uuid: e.uuid, units: info.units, metric_description: info.metric_description, statistics: statistics([]) },
        data: [],
      };
    }),
  };
}

/** `GET /api/analytics/anomaly/<entity>[/<uuid>]` (AnomalyzerQueryResponse, or a list): no anomalies. */
export function anomalies(state: AnalyticsState, type: EntityType, uuid: string | undefined, p: Param): Json {
  const w = windowOf({ step: p('step'), limit: p('limit'), start: p('start'), stop: p('stop') }, state.nowSeconds);
  const raw = p('metric_id');
  const metrics = typeof raw === 'string' ? [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => /^[A-Za-z0-9_.]{1,128}$/.test(s)))].slice(0, 64) : [];
  if (uuid !== undefined) {
    const [e] = entitiesOf(state, type, [uuid]);
    if (!e) throw errors.objectNotFound(modelOf(type));
    return anomalyResponse(state, e, w, metrics);
  }
  const results = entitiesOf(state, type).map((e) => anomalyResponse(state, e, w, metrics));
  return { count: results.length, results };
}

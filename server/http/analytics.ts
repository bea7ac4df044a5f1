/**
 * The analytics operations (metrics, health scores, anomalies), keyed by the document's
 * operationIds. The answers are built by server/avi/analytics/ from the engine's state; this file
 * only reads the request (query, body, path uuid) and writes the JSON.
 */
import type { Engine } from '../engine.js';
import type { AnalyticsState, ControllerNode, EntityType } from '../avi/analytics/entities.js';
import { metricsCollection, metricsList, metricsOfEntity, type Param } from '../avi/analytics/metrics.js';
import { anomalies, healthScore } from '../avi/analytics/health.js';
import { answerJson, uuidParam, type CallView, type Handler } from './answer.js';

function paramsOf(call: CallView): Param {
  return (name) => call.query.get(name) ?? undefined;
}

/** The cluster's uuid and its nodes, the leader first (the controller entities). */
export type ControllerNodes = () => { clusterUuid?: string; nodes: ControllerNode[] };

export function analyticsHandlers(engine: Engine, controllerNodes: ControllerNodes): Record<string, Handler> {
  const state = (call: CallView): AnalyticsState => ({
    svc: engine.objects,
    ctx: call.ctx,
    seed: engine.options.seed ?? 0,
    nowSeconds: Math.floor(engine.ids.nowMicros() / 1e6),
    ...controllerNodes(),
  });
  const handlers: Record<string, Handler> = {
    'POST /api/analytics/metrics/collection/': (_c, call, res) => answerJson(res, 200, metricsCollection(state(call), call.body, paramsOf(call))),
  };
  const types: EntityType[] = ['virtualservice', 'pool', 'serviceengine', 'controller'];
  for (const type of types) {
    handlers[`GET /api/analytics/metrics/${type}/`] = (_c, call, res) => answerJson(res, 200, metricsList(state(call), type, paramsOf(call)));
    handlers[`GET /api/analytics/metrics/${type}/{uuid}`] = (c, call, res) =>
      answerJson(res, 200, metricsOfEntity(state(call), type, uuidParam(c), paramsOf(call)));
    if (type === 'controller') continue;
    handlers[`GET /api/analytics/healthscore/${type}/`] = (_c, call, res) => answerJson(res, 200, healthScore(state(call), type, undefined, paramsOf(call)));
    handlers[`GET /api/analytics/healthscore/${type}/{uuid}`] = (c, call, res) =>
      answerJson(res, 200, healthScore(state(call), type, uuidParam(c), paramsOf(call)));
    handlers[`GET /api/analytics/anomaly/${type}/`] = (_c, call, res) => answerJson(res, 200, anomalies(state(call), type, undefined, paramsOf(call)));
    handlers[`GET /api/analytics/anomaly/${type}/{uuid}`] = (c, call, res) =>
      answerJson(res, 200, anomalies(state(call), type, uuidParam(c), paramsOf(call)));
  }
  return handlers;
}

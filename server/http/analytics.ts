/**
 * The analytics operations (metrics, health scores, anomalies), keyed by the document's
 * operationIds. The answers are built by server/avi/analytics/ from the engine's state; this file
 * only reads the request (query, body, path uuid) and writes the JSON.
 */
import type { AnalyticsState, EntityType } from '../avi/analytics/entities.js';
import { metricsCollection, metricsList, metricsOfEntity, type Param } from '../avi/analytics/metrics.js';
import { anomalies, healthScore } from '../avi/analytics/health.js';
import type { ApiCall, ApiHandler } from './call.js';
import { sendJson } from './respond.js';
import { controllerNodes } from './system.js';

const paramsOf = (call: ApiCall): Param => (name) => call.query.get(name) ?? undefined;
const uuidOf = (call: ApiCall): string => call.params.uuid ?? '';

function stateOf(call: ApiCall): AnalyticsState {
  const { engine } = call;
  return {
    svc: engine.objects,
    ctx: call.ctx,
    seed: engine.options.seed ?? 0,
    nowSeconds: Math.floor(engine.ids.nowMicros() / 1e6),
    ...controllerNodes(engine),
  };
}

function build(): Record<string, ApiHandler> {
  const handlers: Record<string, ApiHandler> = {
    'POST /api/analytics/metrics/collection/': (call, res) => sendJson(res, 200, metricsCollection(stateOf(call), call.body, paramsOf(call))),
  };
  const types: EntityType[] = ['virtualservice', 'pool', 'serviceengine', 'controller'];
  for (const type of types) {
    handlers[`GET /api/analytics/metrics/${type}/`] = (call, res) => sendJson(res, 200, metricsList(stateOf(call), type, paramsOf(call)));
    handlers[`GET /api/analytics/metrics/${type}/{uuid}`] = (call, res) => sendJson(res, 200, metricsOfEntity(stateOf(call), type, uuidOf(call), paramsOf(call)));
    if (type === 'controller') continue;
    handlers[`GET /api/analytics/healthscore/${type}/`] = (call, res) => sendJson(res, 200, healthScore(stateOf(call), type, undefined, paramsOf(call)));
    handlers[`GET /api/analytics/healthscore/${type}/{uuid}`] = (call, res) => sendJson(res, 200, healthScore(stateOf(call), type, uuidOf(call), paramsOf(call)));
    handlers[`GET /api/analytics/anomaly/${type}/`] = (call, res) => sendJson(res, 200, anomalies(stateOf(call), type, undefined, paramsOf(call)));
    handlers[`GET /api/analytics/anomaly/${type}/{uuid}`] = (call, res) => sendJson(res, 200, anomalies(stateOf(call), type, uuidOf(call), paramsOf(call)));
  }
  return handlers;
}

export const analyticsHandlers: Readonly<Record<string, ApiHandler>> = build();

/**
 * The analytics operations (metrics, health scores, anomalies), keyed by the document's
 * operationIds. The answers are built by server/avi/analytics/ from the engine's state; this file
 * only reads the request (query, body, path uuid) and writes the JSON.
 */
import type { Context } from 'openapi-backend';
import type { Engine } from '../engine.js';
import type { AnalyticsState, EntityType } from '../avi/analytics/entities.js';
import { metricsCollection, metricsList, metricsOfEntity, type Param } from '../avi/analytics/metrics.js';
import { anomalies, healthScore } from '../avi/analytics/health.js';
import { controllerNodes } from './system.js';
import { sendJson, type ApiCall, type ApiHandler } from './api.js';

const uuidParam = (c: Context) => String(c.request.params.uuid ?? '');

function paramsOf(call: ApiCall): Param {
  return (name) => call.query.get(name) ?? undefined;
}

export function analyticsHandlers(engine: Engine): Record<string, ApiHandler> {
  const state = (call: ApiCall): AnalyticsState => ({
    svc: engine.objects,
    ctx: call.ctx,
    seed: engine.options.seed ?? 0,
    nowSeconds: Math.floor(engine.ids.nowMicros() / 1e6),
    ...controllerNodes(engine),
  });
  const handlers: Record<string, ApiHandler> = {
    'POST /api/analytics/metrics/collection/': (_c, call, res) => sendJson(res, 200, metricsCollection(state(call), call.body, paramsOf(call))),
  };
  const types: EntityType[] = ['virtualservice', 'pool', 'serviceengine', 'controller'];
  for (const type of types) {
    handlers[`GET /api/analytics/metrics/${type}/`] = (_c, call, res) => sendJson(res, 200, metricsList(state(call), type, paramsOf(call)));
    handlers[`GET /api/analytics/metrics/${type}/{uuid}`] = (c, call, res) =>
      sendJson(res, 200, metricsOfEntity(state(call), type, uuidParam(c), paramsOf(call)));
    if (type === 'controller') continue;
    handlers[`GET /api/analytics/healthscore/${type}/`] = (_c, call, res) => sendJson(res, 200, healthScore(state(call), type, undefined, paramsOf(call)));
    handlers[`GET /api/analytics/healthscore/${type}/{uuid}`] = (c, call, res) =>
      sendJson(res, 200, healthScore(state(call), type, uuidParam(c), paramsOf(call)));
    handlers[`GET /api/analytics/anomaly/${type}/`] = (_c, call, res) => sendJson(res, 200, anomalies(state(call), type, undefined, paramsOf(call)));
    handlers[`GET /api/analytics/anomaly/${type}/{uuid}`] = (c, call, res) =>
      sendJson(res, 200, anomalies(state(call), type, uuidParam(c), paramsOf(call)));
  }
  return handlers;
}

/**
 * Runtime state a controller reports for what is configured: virtual service, pool and SE group
 * runtime, and the virtual service inventory. (Handlers keyed by the document's operationIds.)
 */
import type { Engine } from '../engine.js';
import type { ApiHandler } from './api.js';

export function runtimeHandlers(_engine: Engine): Record<string, ApiHandler> {
  return {};
}

/**
 * The macro API: an object and its inline children created (or deleted) in one request, all
 * or nothing.
 */
import type { Engine } from '../engine.js';
import type { ApiHandler } from './api.js';

export function macroHandlers(_engine: Engine): Record<string, ApiHandler> {
  return {};
}

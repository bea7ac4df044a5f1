/**
 * GET /_mock/coverage: every operation of the document with what the simulator does with it:
 * `modelled` (behaviour written for it), `generic` (spec-driven CRUD), `not_implemented` (501).
 */
import type { OpenAPIBackend } from 'openapi-backend';
import type { Engine } from '../engine.js';
import { GENERIC_KINDS } from './generic.js';

export type CoverageStatus = 'modelled' | 'generic' | 'not_implemented';

export function coverage(engine: Engine, api: OpenAPIBackend) {
  const operations: Array<{ method: string; path: string; operationId: string; status: CoverageStatus }> = [];
  const totals: Record<CoverageStatus, number> = { modelled: 0, generic: 0, not_implemented: 0 };
  for (const op of api.getOperations()) {
    const id = op.operationId ?? '';
    const dot = id.lastIndexOf('.');
    const type = dot < 0 ? '' : id.slice(0, dot);
    let status: CoverageStatus = 'not_implemented';
    if (api.handlers[id]) status = 'modelled';
    else if (dot > 0 && GENERIC_KINDS.has(id.slice(dot + 1)) && engine.catalog.typeInfo(type)) status = 'generic';
    totals[status]++;
    operations.push({ method: op.method.toUpperCase(), path: op.path, operationId: id, status });
  }
  return { totals, operations };
}

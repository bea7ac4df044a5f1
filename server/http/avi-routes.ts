/**
 * The Avi API's route table, built once from the API document: every operation of the document
 * (method and path template) with what serves it, decided here rather than per request:
 * - a handler of the pipeline's own, by operationId (login, system, macro: server/http/);
 * - a type's declaration (server/avi/resources.ts, registered in server/avi/types/index.ts):
 *   `/api/<type>/{uuid}/<name>` → the type's view (GET) or action (POST) `<name>`, and the
 *   type's own `list`/`get`;
 * - the generic CRUD of every type of the catalog (server/http/generic.ts);
 * - else 501: the document has it, the simulator does not model it.
 * The same table answers /_mock/coverage.
 */
import type { AviDocument, Catalog } from '../core/catalog.js';
import { resourceIn, type Resource, type TypeResources } from '../avi/resources.js';
import { typeResources } from '../avi/types/index.js';
import { parseSubPath, stateResource } from '../avi/subresources/index.js';
import { RouteTable } from './routing.js';
import { GENERIC_KINDS } from './generic.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export type Target =
  | { kind: 'handler'; operationId: string }
  | { kind: 'resource'; resource: Resource }
  | { kind: 'generic'; type: string; op: string }
  | { kind: 'none' };

export interface AviRoute {
  operationId: string;
  /** answered without credentials (the operation's own `x-avisim-public`) */
  public: boolean;
  target: Target;
}

/** `/api/<type>/{uuid}/<name>[/]` → type and name. */
const SUB_RESOURCE = /^\/api\/([^/{}]+)\/\{uuid\}\/(.+?)\/?$/;

/**
 * `handled`: the operationIds the pipeline has handlers for; `resources`: the types'
 * declarations by type (server/avi/types/index.ts).
 */
export function aviRoutes(
  doc: AviDocument,
  catalog: Catalog,
  handled: ReadonlySet<string>,
  resources: Readonly<Record<string, TypeResources>> = typeResources,
): RouteTable<AviRoute> {
  const table = new RouteTable<AviRoute>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m] as Record<string, unknown> | undefined;
      if (!op) continue;
      const operationId = String(op.operationId ?? `${m.toUpperCase()} ${path}`);
      const open = Object.hasOwn(op, 'x-avisim-public') && op['x-avisim-public'] === true;
      table.add(m, path, { operationId, public: open, target: targetOf(m, path, operationId, catalog, handled, resources, requestSchemaOf(op)) });
    }
  }
  return table;
}

function targetOf(
  method: string,
  path: string,
  operationId: string,
  catalog: Catalog,
  handled: ReadonlySet<string>,
  resources: Readonly<Record<string, TypeResources>>,
  bodySchema: string | undefined,
): Target {
  if (handled.has(operationId)) return { kind: 'handler', operationId };
  const sub = SUB_RESOURCE.exec(path);
  if (sub) {
    const declared = Object.hasOwn(resources, sub[1]!) ? resources[sub[1]!] : undefined;
    const resource = method === 'get' ? resourceIn(declared?.views, sub[2]!) : method === 'post' ? resourceIn(declared?.actions, sub[2]!) : undefined;
    if (resource) return { kind: 'resource', resource };
  }
  // every other sub-resource and action of an object type: answered from state
  // (server/avi/subresources/), never left at 501
  const other = parseSubPath(path);
  if (other && catalog.typeInfo(other.type)) return { kind: 'resource', resource: stateResource(other.type, other.sub, other.object, method, bodySchema) };
  const dot = operationId.lastIndexOf('.');
  const type = dot < 0 ? '' : operationId.slice(0, dot);
  const op = operationId.slice(dot + 1);
  const own = Object.hasOwn(resources, type) ? resources[type] : undefined;
  if (op === 'list' && own?.list) return { kind: 'resource', resource: own.list };
  if (op === 'get' && own?.get) return { kind: 'resource', resource: own.get };
  if (dot > 0 && GENERIC_KINDS.has(op) && catalog.typeInfo(type)) return { kind: 'generic', type, op };
  return { kind: 'none' };
}

/** The component name of an operation's JSON request schema, when it has one. */
function requestSchemaOf(op: Record<string, unknown>): string | undefined {
  const ref = (op as { requestBody?: { content?: Record<string, { schema?: { $ref?: unknown } }> } }).requestBody?.content?.['application/json']?.schema?.$ref;
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
}

export type CoverageStatus = 'modelled' | 'generic' | 'not_implemented';

/**
 * GET /_mock/coverage: every operation of the document with what the simulator does with it:
 * `modelled` (behaviour written for it), `generic` (spec-driven CRUD), `not_implemented` (501).
 */
export function coverage(table: RouteTable<AviRoute>) {
  const operations: Array<{ method: string; path: string; operationId: string; status: CoverageStatus }> = [];
  const totals: Record<CoverageStatus, number> = { modelled: 0, generic: 0, not_implemented: 0 };
  for (const { method, template, route } of table.routes()) {
    const kind = route.target.kind;
    const status: CoverageStatus = kind === 'generic' ? 'generic' : kind === 'none' ? 'not_implemented' : 'modelled';
    totals[status]++;
    operations.push({ method, path: template, operationId: route.operationId, status });
  }
  return { totals, operations };
}

/**
 * The test-control plane under /_mock (JSON in, JSON out; errors as `{"error": "..."}`), as a
 * route table: one line per call, each a function of the scope its `X-Mock-Sandbox` header
 * names (the main engine without it). The work is the scope's and its parts' (server/mock/
 * scope.ts, scopes.ts, journal.ts, faults.ts, conditions.ts); the table only reads the request
 * and answers. `GET /_mock` lists every call the table holds; each is in openapi/mock.json and
 * in the README.
 */
import { readFile } from 'node:fs/promises';
import { AviError } from '../avi/errors.js';
import { parseClientJson, UnsafeJson } from '../core/json-safety.js';
import { isObject } from '../core/json.js';
import { readWholeBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendEmpty, sendJson } from '../http/respond.js';
import { RouteTable } from '../http/routing.js';
import { projectFile } from '../core/paths.js';
import type { Snapshot } from '../core/store.js';
import { MockError } from './errors.js';
import { addFault } from './conditions.js';
import { loadInto, scenarioFromBody } from './scenario-load.js';
import { parsePattern } from './pattern.js';
import type { Scope, Scopes } from './scopes.js';
import { inspectViews } from './inspect.js';
import { isUiPath, serveUi } from './ui.js';

export const MOCK_PREFIX = '/_mock';

/** What a control call is given. */
export interface ControlCall {
  scope: Scope;
  scopes: Scopes;
  body: unknown;
  query: URLSearchParams;
  /** the path's `{param}` segments, percent-decoded */
  params: Record<string, string>;
  /** the Avi API's operations and what serves them */
  coverage: () => unknown;
}

/** A 200 with `body`, another status, or `undefined` for a 204. */
export type ControlAnswer = { status?: number; body: unknown } | undefined;

interface ControlRoute {
  run: (c: ControlCall) => ControlAnswer | Promise<ControlAnswer>;
  /** left out of `GET /_mock`'s list (the index itself, second methods of a call) */
  unlisted?: boolean;
}

const ok = (body: unknown): ControlAnswer => ({ body });
const listed = (run: ControlRoute['run']): ControlRoute => ({ run });
const unlisted = (run: ControlRoute['run']): ControlRoute => ({ run, unlisted: true });

const loadScenario = async ({ scope, scopes, body }: ControlCall): Promise<ControlAnswer> => {
  if (scope.id) throw new MockError(400, 'A scenario is loaded for the whole simulator: call without X-Mock-Sandbox');
  const scenario = await scenarioFromBody(body, scopes.options.scenarioDir);
  await loadInto(scope.engine, scenario);
  scopes.dropAll();
  await scope.reset();
  return ok({ loaded: scenario.name, file: scenario.file });
};

const importSnapshot = async ({ scope: { engine }, body }: ControlCall): Promise<ControlAnswer> => {
  const snapshot = checkSnapshot(body, engine.catalog.typeInfo.bind(engine.catalog));
  const before = engine.store.snapshot();
  try {
    engine.store.restore(snapshot);
  } catch (e) {
    engine.store.restore(before);
    throw new MockError(400, `Snapshot not imported: ${(e as Error).message}`);
  }
  await engine.commit();
  return ok({ imported: snapshot.objects.length });
};

const P = MOCK_PREFIX;
export const controlRoutes = new RouteTable<ControlRoute>()
  .add('GET', P, unlisted(({ scope }) => ok({ endpoints: endpoints(), scope: scope.id ?? 'main', openapi: `${P}/openapi.json` })))
  .add('POST', `${P}/reset`, listed(async ({ scope }) => {
    await scope.reset();
    return ok({ reset: scope.id ?? 'main', scenario: scope.engine.scenario.name });
  }))
  .add('GET', `${P}/scenario`, listed(({ scope: { engine } }) => ok({ name: engine.scenario.name, file: engine.scenario.file, controller: engine.scenario.controller })))
  .add('POST', `${P}/scenario`, listed(loadScenario))
  .add('PUT', `${P}/scenario`, unlisted(loadScenario))
  .add('GET', `${P}/snapshot`, listed(({ scope }) => ok(scope.engine.store.snapshot())))
  .add('PUT', `${P}/snapshot`, listed(importSnapshot))
  .add('POST', `${P}/snapshot`, unlisted(importSnapshot))
  .add('GET', `${P}/journal`, listed(({ scope, query }) => {
    const pattern = parsePattern(patternFromQuery(query), 'journal filter');
    const limit = query.has('limit') ? Number(query.get('limit')) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new MockError(400, 'limit must be a whole number');
    const results = scope.journal.list(pattern, limit);
    return ok({ count: results.length, dropped: scope.journal.dropped, results });
  }))
  .add('DELETE', `${P}/journal`, listed(({ scope }) => void scope.journal.clear()))
  .add('POST', `${P}/verify`, listed(({ scope, body }) => {
    if (!isObject(body)) throw new MockError(400, 'verify needs a JSON object: {method?, path?, status?, tenant?, body?, count? | at_least? / at_most?}');
    const { count, at_least, at_most, ...rest } = body;
    const result = scope.journal.verify(parsePattern(rest, 'verify'), { count, at_least, at_most } as never);
    return { status: result.verified ? 200 : 417, body: result };
  }))
  .add('GET', `${P}/faults`, listed(({ scope: { faults, engine } }) => ok({
    count: faults.size,
    results: faults.list(),
    nsx: { realization_delay_ms: engine.nsx.realizationDelayMs, forced_states: Object.fromEntries(engine.nsx.forcedState) },
  })))
  .add('POST', `${P}/faults`, listed(({ scope, body }) => addFault(scope, body)))
  .add('DELETE', `${P}/faults`, listed(({ scope }) => {
    scope.faults.clear();
    scope.engine.clearNsxFaults();
    return undefined;
  }))
  .add('DELETE', `${P}/faults/{id}`, listed(({ scope, params }) => {
    if (!scope.faults.remove(params.id!)) throw new MockError(404, `No fault rule '${params.id}'`);
    return undefined;
  }))
  .add('GET', `${P}/sandboxes`, listed(async ({ scopes }) => {
    const list = await scopes.list();
    return ok({ count: list.length, results: list.map((s) => ({ id: s.id, created: s.created })) });
  }))
  .add('DELETE', `${P}/sandboxes`, listed(({ scopes }) => void scopes.dropAll()))
  .add('DELETE', `${P}/sandboxes/{id}`, listed(({ scopes, params }) => {
    if (!scopes.drop(params.id!)) throw new MockError(404, `No sandbox '${params.id}'`);
    return undefined;
  }))
  .add('GET', `${P}/coverage`, listed(({ coverage }) => ok(coverage())))
  .add('GET', `${P}/nsxt/check`, listed(({ scope }) => ok(scope.engine.nsxtLink.check())))
  .add('GET', `${P}/objects`, listed(({ scope, query }) => inspectViews.types(scope, query)))
  .add('GET', `${P}/objects/{type}`, listed(({ scope, query, params }) => inspectViews.list(scope, query, params.type!)))
  .add('GET', `${P}/objects/{type}/{uuid}`, listed(({ scope, params }) => inspectViews.object(scope, params.type!, params.uuid!)))
  .add('GET', `${P}/topology`, listed(({ scope, query }) => inspectViews.topology(scope, query)))
  .add('GET', `${P}/journal/{seq}`, listed(({ scope, params }) => inspectViews.journalEntry(scope, params.seq!)))
  .add('GET', `${P}/scenarios`, listed(({ scope }) => inspectViews.scenarios(scope)))
  .add('GET', `${P}/openapi.json`, listed(async () => ok(JSON.parse(await readFile(projectFile('openapi', 'mock.json'), 'utf8')))));

/** `GET /_mock`'s list: `GET|POST /_mock/scenario`, one line per path, in the table's order. */
function endpoints(): string[] {
  const byPath = new Map<string, string[]>();
  for (const { method, template, route } of controlRoutes.routes()) {
    if (route.unlisted) continue;
    byPath.set(template, [...(byPath.get(template) ?? []), method]);
  }
  return [...byPath].map(([path, methods]) => `${methods.join('|')} ${path}`);
}

export class ControlPlane {
  constructor(
    private readonly scopes: Scopes,
    private readonly coverage: () => unknown,
  ) {}

  async handle(x: Exchange): Promise<void> {
    const { req, res } = x;
    try {
      if (isUiPath(x.path)) return await serveUi(x, this.scopes);
      if (!this.scopes.hasToken(req)) {
        throw new MockError(401, 'The test-control plane needs its token: send X-Mock-Token (or Authorization: Bearer)');
      }
      const body = await readJson(x);
      const scope = await this.scopes.of(x);
      const { route, params } = controlRoutes.match(x.method, x.path);
      if (!route) {
        const path = x.path.replace(/\/$/, '');
        throw new MockError(404, `No test-control call ${x.method} ${path}: GET ${MOCK_PREFIX} lists them`, { endpoints: endpoints() });
      }
      const out = await route.run({ scope, scopes: this.scopes, body, query: new URLSearchParams(x.rawQuery), params, coverage: this.coverage });
      if (out === undefined) return sendEmpty(res);
      sendJson(res, out.status ?? 200, out.body);
    } catch (e) {
      if (e instanceof MockError) return sendJson(res, e.status, { error: e.message, ...e.extra });
      if (e instanceof AviError) return sendJson(res, e.status, { error: e.message });
      sendJson(res, 500, { error: `Internal error: ${(e as Error)?.message ?? String(e)}` });
    }
  }
}
function patternFromQuery(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['method', 'path', 'tenant', 'status']) {
    const v = query.get(key);
    if (v !== null) out[key] = v;
  }
  return out;
}

/** A snapshot as GET /_mock/snapshot gives it; anything else is refused before it touches state. */
function checkSnapshot(body: unknown, typeInfo: (type: string) => unknown): Snapshot {
  if (!isObject(body) || body.format !== 'avisim-state' || body.version !== 1 || !Array.isArray(body.objects)) {
    throw new MockError(400, 'Not a snapshot: expected {"format": "avisim-state", "version": 1, "clock": N, "objects": [...]} as GET /_mock/snapshot gives');
  }
  for (const [i, o] of body.objects.entries()) {
    if (!isObject(o) || typeof o.type !== 'string' || !isObject(o.data) || typeof o.data.uuid !== 'string') {
      throw new MockError(400, `Snapshot objects[${i}] must be {"type", "data": {"uuid", ...}}`);
    }
    if (!o.type.startsWith('nsxt.') && !typeInfo(o.type)) throw new MockError(400, `Snapshot objects[${i}]: unknown type '${o.type}'`);
  }
  const clock = Number(body.clock ?? 0);
  return { format: 'avisim-state', version: 1, clock: Number.isFinite(clock) ? clock : 0, objects: body.objects as Snapshot['objects'] };
}

async function readJson(x: Exchange): Promise<unknown> {
  const raw = await readWholeBody(x, 64 * 1024 * 1024, () => new MockError(413, 'Request body too large'));
  if (!raw.length) return undefined;
  try {
    return parseClientJson(raw);
  } catch (e) {
    if (e instanceof UnsafeJson) throw new MockError(400, e.message);
    throw new MockError(400, `Bad JSON: ${(e as Error).message}`);
  }
}

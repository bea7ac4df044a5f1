/**
 * The test-control plane under /_mock (JSON in, JSON out; errors as `{"error": "..."}`). A call
 * acts on the scope its `X-Mock-Sandbox` header names, the main engine without it. Every call
 * is listed in openapi/mock.json and in the README.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAPIBackend } from 'openapi-backend';
import { AviError } from '../avi/errors.js';
import { parseClientJson, UnsafeJson } from '../core/json-safety.js';
import { isObject } from '../avi/shape-ops.js';
import { splitUrl } from '../http/api.js';
import { readWholeBody } from '../http/body.js';
import { coverage } from '../http/coverage.js';
import { decodeSegment } from '../http/routing.js';
import { linkNsxt } from '../links/avi-nsxt.js';
import { projectFile } from '../core/paths.js';
import type { Snapshot } from '../core/store.js';
import { MockError } from './errors.js';
import { addFault } from './conditions.js';
import { loadInto, scenarioFromBody } from './scenario-load.js';
import { parsePattern } from './pattern.js';
import type { Scope, Scopes } from './scopes.js';
import { inspect, INSPECT_ENDPOINTS } from './inspect.js';
import { isUiPath, serveUi } from './ui.js';

export const MOCK_PREFIX = '/_mock';

export function isMockPath(url: string | undefined): boolean {
  return !!url && /^\/+_mock(\/|\?|$)/.test(url);
}

export class ControlPlane {
  constructor(
    private readonly scopes: Scopes,
    private readonly backend: () => OpenAPIBackend,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (isUiPath(req.url)) return await serveUi(req, res, this.scopes);
      this.checkToken(req);
      const url = splitUrl(req.url);
      const path = url.path.replace(/\/$/, '') || '/';
      const query = new URLSearchParams(url.rawQuery);
      const method = (req.method ?? 'GET').toUpperCase();
      const body = await readJson(req, res);
      const scope = await this.scopes.of(req);
      const out = await this.route(method, path.slice(MOCK_PREFIX.length) || '/', query, body, scope);
      if (out === undefined) {
        res.writeHead(204).end();
        return;
      }
      send(res, out.status ?? 200, out.body);
    } catch (e) {
      if (e instanceof MockError || e instanceof AviError) return send(res, e.status, { error: e.message });
      send(res, 500, { error: `Internal error: ${(e as Error)?.message ?? String(e)}` });
    }
  }

  private checkToken(req: IncomingMessage): void {
    if (!this.scopes.hasToken(req)) {
      throw new MockError(401, 'The test-control plane needs its token: send X-Mock-Token (or Authorization: Bearer)');
    }
  }

  private async route(method: string, path: string, query: URLSearchParams, body: unknown, scope: Scope): Promise<{ status?: number; body: unknown } | undefined> {
    const engine = scope.engine;
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /':
        return { body: { endpoints: ENDPOINTS, scope: scope.id ?? 'main', openapi: `${MOCK_PREFIX}/openapi.json` } };
      case 'GET /openapi.json':
        return { body: JSON.parse(await readFile(projectFile('openapi', 'mock.json'), 'utf8')) };
      case 'POST /reset':
        await this.scopes.reset(scope);
        return { body: { reset: scope.id ?? 'main', scenario: engine.scenario.name } };
      case 'GET /scenario':
        return { body: { name: engine.scenario.name, file: engine.scenario.file, controller: engine.scenario.controller } };
      case 'POST /scenario':
      case 'PUT /scenario': {
        if (scope.id) throw new MockError(400, 'A scenario is loaded for the whole simulator: call without X-Mock-Sandbox');
        const scenario = await scenarioFromBody(body, this.scopes.options.scenarioDir);
        await loadInto(engine, scenario);
        this.scopes.dropAll();
        await this.scopes.reset(scope);
        return { body: { loaded: scenario.name, file: scenario.file } };
      }
      case 'GET /snapshot':
        return { body: engine.store.snapshot() };
      case 'POST /snapshot':
      case 'PUT /snapshot': {
        const snapshot = checkSnapshot(body, engine.catalog.typeInfo.bind(engine.catalog));
        const before = engine.store.snapshot();
        try {
          engine.store.restore(snapshot);
        } catch (e) {
          engine.store.restore(before);
          throw new MockError(400, `Snapshot not imported: ${(e as Error).message}`);
        }
        await engine.commit();
        return { body: { imported: snapshot.objects.length } };
      }
      case 'GET /journal': {
        const pattern = parsePattern(patternFromQuery(query), 'journal filter');
        const limit = query.has('limit') ? Number(query.get('limit')) : undefined;
        if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new MockError(400, 'limit must be a whole number');
        const results = scope.journal.list(pattern, limit);
        return { body: { count: results.length, dropped: scope.journal.dropped, results } };
      }
      case 'DELETE /journal':
        scope.journal.clear();
        return undefined;
      case 'POST /verify': {
        if (!isObject(body)) throw new MockError(400, 'verify needs a JSON object: {method?, path?, status?, tenant?, body?, count? | at_least? / at_most?}');
        const { count, at_least, at_most, ...rest } = body;
        const result = scope.journal.verify(parsePattern(rest, 'verify'), { count, at_least, at_most } as never);
        return { status: result.verified ? 200 : 417, body: result };
      }
      case 'GET /faults':
        return {
          body: {
            count: scope.faults.size,
            results: scope.faults.list(),
            nsx: { realization_delay_ms: engine.nsx.realizationDelayMs, forced_states: Object.fromEntries(engine.nsx.forcedState) },
          },
        };
      case 'POST /faults':
        return addFault(scope, body);
      case 'DELETE /faults':
        scope.faults.clear();
        engine.clearNsxFaults();
        return undefined;
      case 'GET /sandboxes': {
        const list = await this.scopes.list();
        return { body: { count: list.length, results: list.map((s) => ({ id: s.id, created: s.created })) } };
      }
      case 'DELETE /sandboxes':
        this.scopes.dropAll();
        return undefined;
      case 'GET /coverage':
        return { body: coverage(engine, this.backend()) };
      case 'GET /nsxt/check':
        return { body: linkNsxt(engine).check() };
    }
    if (method === 'DELETE' && path.startsWith('/faults/')) {
      if (!scope.faults.remove(decodeSegment(path.slice(8)))) throw new MockError(404, `No fault rule '${path.slice(8)}'`);
      return undefined;
    }
    if (method === 'DELETE' && path.startsWith('/sandboxes/')) {
      const id = decodeSegment(path.slice(11));
      if (!this.scopes.drop(id)) throw new MockError(404, `No sandbox '${id}'`);
      return undefined;
    }
    const read = inspect(method, path, query, scope);
    if (read) return read;
    throw new MockError(404, `No test-control call ${method} ${MOCK_PREFIX}${path === '/' ? '' : path}: GET ${MOCK_PREFIX} lists them`);
  }
}

const ENDPOINTS = [
  'POST /_mock/reset',
  'GET|POST /_mock/scenario',
  'GET|PUT /_mock/snapshot',
  'GET|DELETE /_mock/journal',
  'POST /_mock/verify',
  'GET|POST|DELETE /_mock/faults',
  'DELETE /_mock/faults/{id}',
  'GET|DELETE /_mock/sandboxes',
  'DELETE /_mock/sandboxes/{id}',
  'GET /_mock/coverage',
  'GET /_mock/nsxt/check',
  'GET /_mock/openapi.json',
  ...INSPECT_ENDPOINTS,
];

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

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const raw = await readWholeBody(req, res, 64 * 1024 * 1024, () => new MockError(413, 'Request body too large'));
  if (!raw.length) return undefined;
  try {
    return parseClientJson(raw);
  } catch (e) {
    if (e instanceof UnsafeJson) throw new MockError(400, e.message);
    throw new MockError(400, `Bad JSON: ${(e as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

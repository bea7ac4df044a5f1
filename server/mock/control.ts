/**
 * The test-control plane under /_mock (JSON in, JSON out; errors as `{"error": "..."}`). A call
 * acts on the scope its `X-Mock-Sandbox` header names, the main engine without it. Every call
 * is listed in openapi/mock.json and in the README.
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAPIBackend } from 'openapi-backend';
import { AviError } from '../avi/errors.js';
import { isObject } from '../avi/shape-ops.js';
import { coverage } from '../http/coverage.js';
import { linkNsxt } from '../nsxt/linked.js';
import { projectFile } from '../paths.js';
import { loadScenario } from '../scenario.js';
import type { Snapshot } from '../store/store.js';
import { MockError } from './errors.js';
import { PRESET_KINDS } from './faults.js';
import { parsePattern } from './pattern.js';
import type { Scope, Scopes } from './scopes.js';

export const MOCK_PREFIX = '/_mock';

export function isMockPath(url: string | undefined): boolean {
  return !!url && /^\/+_mock(\/|\?|$)/.test(url);
}

/** Events a fault can be besides a rule: they change the controller's state once, now. */
const EVENTS = ['leader_change', 'session_expiry', 'nsx_realization_delay', 'nsx_realization_error'] as const;

export class ControlPlane {
  constructor(
    private readonly scopes: Scopes,
    private readonly backend: () => OpenAPIBackend,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      this.checkToken(req);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/').replace(/\/$/, '') || '/';
      const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
      const method = (req.method ?? 'GET').toUpperCase();
      const body = await readJson(req);
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
    const token = this.scopes.options.token;
    if (!token) return;
    const auth = req.headers.authorization;
    const given = (req.headers['x-mock-token'] as string | undefined) ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
    const a = Buffer.from(given ?? '');
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
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
        const scenario = await this.scenarioOf(body);
        try {
          await engine.load(scenario);
        } catch (e) {
          // the scenario's objects are refused as a client's writes would be: nothing changed
          throw new MockError(400, (e as Error).message);
        }
        this.scopes.dropAll();
        scope.journal.clear();
        scope.faults.clear();
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
        return this.addFault(body, scope);
      case 'DELETE /faults':
        scope.faults.clear();
        engine.nsx.forcedState.clear();
        engine.nsx.realizationDelayMs = engine.options.nsx?.realizationDelayMs ?? 0;
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
      if (!scope.faults.remove(decodeURIComponent(path.slice(8)))) throw new MockError(404, `No fault rule '${path.slice(8)}'`);
      return undefined;
    }
    if (method === 'DELETE' && path.startsWith('/sandboxes/')) {
      const id = decodeURIComponent(path.slice(11));
      if (!this.scopes.drop(id)) throw new MockError(404, `No sandbox '${id}'`);
      return undefined;
    }
    throw new MockError(404, `No test-control call ${method} ${MOCK_PREFIX}${path === '/' ? '' : path}: GET ${MOCK_PREFIX} lists them`);
  }

  private addFault(body: unknown, scope: Scope): { status: number; body: unknown } {
    if (!isObject(body)) throw new MockError(400, 'a fault needs a JSON object: a rule {match, status, error, delay_ms, drop, times, probability} or {kind}');
    const engine = scope.engine;
    const kind = body.kind;
    if (typeof kind === 'string' && (EVENTS as readonly string[]).includes(kind)) {
      switch (kind as (typeof EVENTS)[number]) {
        case 'leader_change':
          engine.changeLeader();
          return { status: 200, body: { kind, applied: true, leader_changes: engine.leader.changes } };
        case 'session_expiry': {
          const expired = engine.frontDoor.expireAll() + engine.nsx.sessions.size;
          engine.nsx.sessions.clear();
          return { status: 200, body: { kind, applied: true, sessions_expired: expired } };
        }
        case 'nsx_realization_delay': {
          const ms = Number(body.delay_ms);
          if (!Number.isInteger(ms) || ms < 0) throw new MockError(400, 'nsx_realization_delay needs delay_ms, a whole number >= 0');
          engine.nsx.realizationDelayMs = ms;
          return { status: 200, body: { kind, applied: true, delay_ms: ms } };
        }
        case 'nsx_realization_error': {
          const path = body.path === undefined ? '/infra/**' : String(body.path);
          const state = body.state === undefined ? 'ERROR' : String(body.state);
          if (!path.startsWith('/infra/')) throw new MockError(400, "nsx_realization_error: path is an intent path (glob), e.g. '/infra/tier-1s/*/static-routes/*'");
          engine.nsx.forcedState.set(path, state);
          return { status: 200, body: { kind, applied: true, path, state } };
        }
      }
    }
    if (kind !== undefined && !PRESET_KINDS.includes(String(kind))) {
      throw new MockError(400, `fault rule: unknown kind '${String(kind)}' (known: ${[...PRESET_KINDS, ...EVENTS].join(', ')})`);
    }
    return { status: 201, body: scope.faults.add(body) };
  }

  private async scenarioOf(body: unknown) {
    if (!isObject(body)) throw new MockError(400, 'load a scenario with {"name": "<built-in>"} or {"path": "<file on the server>"}');
    let file: string;
    if (typeof body.name === 'string') {
      file = projectFile('seeds', `${body.name}.yaml`);
      if (!/^[\w.-]+$/.test(body.name) || !existsSync(file)) throw new MockError(404, `No built-in scenario '${body.name}'`);
    } else if (typeof body.path === 'string') {
      file = body.path;
      if (!existsSync(file)) throw new MockError(404, `No scenario file '${file}'`);
    } else throw new MockError(400, 'load a scenario with {"name": "<built-in>"} or {"path": "<file on the server>"}');
    try {
      return await loadScenario(file);
    } catch (e) {
      throw new MockError(400, (e as Error).message);
    }
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

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024 * 1024) throw new MockError(413, 'Request body too large');
    chunks.push(c as Buffer);
  }
  if (!size) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new MockError(400, `Bad JSON: ${(e as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

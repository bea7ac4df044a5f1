/**
 * Test helpers: a fresh simulator per test file or per test, served by `startAvisim` on a real
 * 127.0.0.1 port and driven through supertest like any HTTP client. A simulator started inside
 * a test (or its `beforeEach`) is closed when that test ends, any other when the file ends.
 */
import request from 'supertest';
import { afterAll, expect, onTestFinished } from 'vitest';
import { Engine, type EngineOptions } from '../server/engine.js';
import { startAvisim, type StartAvisimOptions, type StartedAvisim } from '../server/testing.js';

/** Host header every test request carries, so rendered refs and urls are stable. */
export const TEST_HOST = 'avi.test';

export interface Sim {
  engine: Engine;
  /** the server's base URL (`http://127.0.0.1:<port>`), for `request(sim.app)` */
  app: string;
  /** logged in as admin (unless `login: false`) */
  http: ReturnType<typeof request.agent>;
  avisim: StartedAvisim;
  /** the server, then the engine (also done for you when the test or file ends) */
  close(): Promise<void>;
}

export interface SimOptions extends EngineOptions {
  /** log the agent in as admin (default true): it then carries the session cookie and CSRF token */
  login?: boolean;
  /** the test-control plane's settings */
  mock?: StartAvisimOptions['mock'];
}

const fileScoped: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(fileScoped.splice(0).map((close) => close()));
});

/** A fresh engine served; closing the Sim closes both. */
export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const { login = true, mock, ...engineOptions } = options;
  const engine = await Engine.create(engineOptions);
  try {
    return await serveEngine(engine, { login, mock, closeEngine: true });
  } catch (e) {
    await engine.close();
    throw e;
  }
}

/**
 * An engine the test prepared itself (e.g. NSX objects put in before any request), served.
 * Not logged in unless asked; closing the Sim closes the server and leaves the engine open.
 */
export async function serveEngine(
  engine: Engine,
  options: { login?: boolean; mock?: SimOptions['mock']; closeEngine?: boolean; bodyLimit?: number } = {},
): Promise<Sim> {
  const avisim = await startAvisim({ engine, mock: options.mock, bodyLimit: options.bodyLimit });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await avisim.close();
      if (options.closeEngine) await engine.close();
    })());
  try {
    onTestFinished(close);
  } catch {
    // started outside a test (beforeAll, describe): lives as long as the file
    fileScoped.push(close);
  }
  const sim: Sim = { engine, app: avisim.url, http: request.agent(avisim.url).set('Host', TEST_HOST), avisim, close };
  return options.login ? anotherSession(sim) : sim;
}

/**
 * The same simulator with an agent logged in as `username` (admin by default) in a session of
 * its own (as a second client, e.g. another cluster's AKO, would be).
 */
export async function anotherSession(sim: Sim, username?: string, password?: string): Promise<Sim> {
  const session = await sim.avisim.newClient({ username, password });
  const http = request.agent(sim.app).set('Host', TEST_HOST).set(session.sessionHeaders());
  return { ...sim, http };
}

export function adminPassword(engine: Engine): string {
  return engine.credentials.find((c) => c.username === 'admin')!.password;
}

/** The uuid at the end of a rendered ref or url. */
export function uuidOf(ref: string): string {
  return ref.split('#')[0]!.split('/').pop()!;
}

/** JSON requests with a fixed Host header, so urls and refs are stable across requests. */
export function client(sim: Sim, host = TEST_HOST) {
  const h = sim.http;
  return {
    get: (path: string) => h.get(path).set('Host', host),
    post: (path: string, body: unknown) => h.post(path).set('Host', host).send(body as object),
    put: (path: string, body: unknown) => h.put(path).set('Host', host).send(body as object),
    patch: (path: string, body: unknown) => h.patch(path).set('Host', host).send(body as object),
    del: (path: string) => h.delete(path).set('Host', host),
    /** POST that must answer 201; the created object */
    create: async (type: string, body: unknown): Promise<Record<string, any>> => {
      const res = await h.post(`/api/${type}`).set('Host', host).send(body as object);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    },
    /** a body sent as-is, e.g. text that is not JSON */
    raw: (method: 'post' | 'put' | 'patch', path: string, text: string) =>
      h[method](path).set('Host', host).set('Content-Type', 'application/json').send(text),
  };
}

/** The body of an answer that must have `status` (200 by default); the answer's text names a failure. */
export async function bodyWith(res: PromiseLike<{ status: number; body: any; text: string }>, status = 200): Promise<Record<string, any>> {
  const r = await res;
  expect(r.status, r.text).toBe(status);
  return r.body;
}

/** GET a list that must hold exactly one object; that object. */
export async function onlyOne(api: ReturnType<typeof client>, path: string): Promise<any> {
  const res = await api.get(path);
  expect(res.status, res.text).toBe(200);
  expect(res.body.count, path).toBe(1);
  return res.body.results[0];
}

/** A network's subnets and static ranges, as `a.b.c.d/m` and `first-last TYPE` lines. */
export function subnetsOf(net: any): Array<{ subnet: string; ranges: string[] }> {
  return net.configured_subnets.map((s: any) => ({
    subnet: `${s.prefix.ip_addr.addr}/${s.prefix.mask}`,
    ranges: (s.static_ip_ranges ?? []).map((r: any) => `${r.range.begin.addr}-${r.range.end.addr} ${r.type}`),
  }));
}

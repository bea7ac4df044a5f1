/**
 * Test helpers: a fresh simulator (engine + express app) per test file or per test, driven
 * through supertest like any HTTP client.
 */
import request from 'supertest';
import { expect } from 'vitest';
import type { Express } from 'express';
import { Engine, type EngineOptions } from '../server/engine.js';
import { createApp } from '../server/http/app.js';

/** Host header every test request carries, so rendered refs and urls are stable. */
export const TEST_HOST = 'avi.test';

export interface Sim {
  engine: Engine;
  app: Express;
  http: ReturnType<typeof request.agent>;
}

export interface SimOptions extends EngineOptions {
  /** log the agent in as admin (default true): it then carries the session cookie and CSRF token */
  login?: boolean;
}

export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const { login = true, ...engineOptions } = options;
  const engine = await Engine.create(engineOptions);
  const app = await createApp(engine);
  const sim: Sim = { engine, app, http: request.agent(app).set('Host', TEST_HOST) };
  return login ? anotherSession(sim) : sim;
}

/**
 * The same simulator with an agent logged in as admin in a session of its own (as a second
 * client, e.g. another cluster's AKO, would be).
 */
export async function anotherSession(sim: Sim): Promise<Sim> {
  const res = await request(sim.app).post('/login').send({ username: 'admin', password: adminPassword(sim.engine) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  const setCookie = res.headers['set-cookie'] as unknown as string[];
  const cookies = setCookie.map((c) => c.split(';')[0]).join('; ');
  const http = request.agent(sim.app).set('Host', TEST_HOST).set('Cookie', cookies).set('X-CSRFToken', csrfOf(setCookie));
  return { ...sim, http };
}

export function adminPassword(engine: Engine): string {
  return engine.credentials.find((c) => c.username === 'admin')!.password;
}

/** The csrftoken cookie's value among Set-Cookie headers. */
export function csrfOf(setCookie: string[]): string {
  const c = setCookie.find((x) => x.startsWith('csrftoken='));
  if (!c) throw new Error('no csrftoken cookie');
  return c.slice('csrftoken='.length).split(';')[0]!;
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

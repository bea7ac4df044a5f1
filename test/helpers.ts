/**
 * Test helpers: a fresh simulator (engine + express app) per test file or per test, driven
 * through supertest like any HTTP client.
 */
import request from 'supertest';
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

export async function startSim(options: EngineOptions = {}): Promise<Sim> {
  const engine = await Engine.create(options);
  const app = await createApp(engine);
  return { engine, app, http: request.agent(app).set('Host', TEST_HOST) };
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
    /** a body sent as-is, e.g. text that is not JSON */
    raw: (method: 'post' | 'put' | 'patch', path: string, text: string) =>
      h[method](path).set('Host', host).set('Content-Type', 'application/json').send(text),
  };
}

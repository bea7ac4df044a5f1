/**
 * Test helpers: a fresh simulator (engine + express app) per test file or per test, driven
 * through supertest like any HTTP client.
 */
import request from 'supertest';
import type { Express } from 'express';
import { Engine, type EngineOptions } from '../server/engine.js';
import { createApp } from '../server/http/app.js';

export interface Sim {
  engine: Engine;
  app: Express;
  http: ReturnType<typeof request>;
}

export async function startSim(options: EngineOptions = {}): Promise<Sim> {
  const engine = await Engine.create(options);
  const app = await createApp(engine);
  return { engine, app, http: request(app) };
}

/** supertest's host is 127.0.0.1:<random port>; refs are rendered with it. */
export function uuidOf(ref: string): string {
  return ref.split('#')[0]!.split('/').pop()!;
}

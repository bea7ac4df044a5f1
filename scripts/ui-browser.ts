/**
 * A listening avisim and a headless Chromium on its inspector, for the inspector's scripts
 * (screenshots, load figures). The page is built first into a folder of its own.
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Engine } from '../server/engine.js';
import { createListener } from '../server/http/app.js';
import { uiDir } from '../server/mock/ui.js';
import { buildUi } from './build-ui.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function prepareUi(): Promise<void> {
  uiDir.path = (await buildUi(await mkdtemp(path.join(tmpdir(), 'avisim-ui-')))).outdir;
}

export async function serve(scenario: string) {
  const engine = await Engine.create({ scenario });
  const { listener } = await createListener(engine);
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { engine, base, close: () => new Promise((resolve) => server.close(resolve)) };
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

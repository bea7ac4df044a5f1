/**
 * The inspector in a real browser: headless Chromium (Debian's `chromium`) driven by
 * playwright-core against a listening avisim with a control-plane token, on nsxt-tkgi. There is
 * no skipping: without the browser this fails and says how to install it (.ci/run does).
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { createListener } from '../server/http/app.js';
import { uiDir } from '../server/mock/ui.js';
import { buildUi } from '../scripts/build-ui.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/ui-browser.js';
import { adminPassword, csrfOf } from './helpers.js';

const TOKEN = 'ui-test-token';
const K8S = 'tkgi-cluster-1-antrea-k8s-api';

let server: Server;
let base: string;
let browser: Browser;
let page: Page;
let engine: Engine;
const saved = uiDir.path;
/** set when there is no browser: every test then fails with it (a skipped check would hide it) */
let missing: Error | undefined;

/** A test that fails, not skips, without the browser. */
function check(name: string, fn: () => Promise<void>) {
  it(name, async () => {
    if (missing) throw missing;
    await fn();
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    missing = new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; .ci/run installs it`);
    return;
  }
  // the page as the sources stand, built where no other run looks
  uiDir.path = (await buildUi(await mkdtemp(path.join(tmpdir(), 'avisim-ui-')))).outdir;
  engine = await Engine.create({ scenario: 'nsxt-tkgi' });
  const { listener } = await createListener(engine, { mock: { token: TOKEN } });
  server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 60_000);

afterAll(async () => {
  uiDir.path = saved;
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** An API client logged in as admin, as any client of the simulator. */
async function api() {
  const login = await request(base).post('/login').send({ username: 'admin', password: adminPassword(engine) }).expect(200);
  const setCookie = login.headers['set-cookie'] as unknown as string[];
  const cookies = setCookie.map((c) => c.split(';')[0]).join('; ');
  return (method: 'get' | 'post', p: string, body?: object) => {
    const r = request(base)[method](p).set('Cookie', cookies).set('X-CSRFToken', csrfOf(setCookie));
    return body ? r.send(body) : r;
  };
}

describe('the inspector in Chromium', () => {
  check('opens with the token and lists Default-Cloud among the clouds', async () => {
    await page.goto(`${base}/_mock/ui/?token=${TOKEN}`);
    // the token leaves the address bar once the page has it
    expect(page.url()).not.toContain(TOKEN);
    await page.click('[data-type=cloud]');
    await page.getByTestId('object-list').getByText('Default-Cloud', { exact: true }).click();
    const object = page.getByTestId('object');
    await object.getByText('"CLOUD_NONE"').waitFor();
    expect(await object.textContent()).toContain('Default-Cloud');
  });

  check('draws the topology: the K8s API VS leads to its pool servers and its Tier-1 /32 route', async () => {
    await page.click('[data-testid=tab-topology]');
    await page.waitForSelector('#graph[data-nodes]');
    expect(Number(await page.getAttribute('#graph', 'data-nodes'))).toBeGreaterThan(20);
    await page.fill('[data-testid=topology-find]', 'k8s-api');
    await page.press('[data-testid=topology-find]', 'Enter');
    const side = page.getByTestId('topology-side');
    await side.getByText(`VS ${K8S}`).first().waitFor();
    const text = (await side.textContent()) ?? '';
    expect(text).toContain('vip route 10.146.101.10/32 via 10.146.101.254');
    for (const server of ['10.146.41.2:8443', '10.146.41.3:8443', '10.146.41.4:8443']) expect(text).toContain(`server ${server} up`);
    expect(text).toContain('VsVip tkgi-cluster-1-antrea-k8s-api 10.146.101.10');
  });

  check('shows a virtual service created through the API', async () => {
    const call = await api();
    await call('post', '/api/virtualservice', {
      name: 'made-in-the-browser-test',
      vip: [{ vip_id: '0', ip_address: { addr: '10.9.9.9', type: 'V4' } }],
      services: [{ port: 80 }],
    }).expect(201);
    await page.click('[data-testid=tab-objects]');
    await page.click('[data-type=virtualservice]');
    await page.getByTestId('object-list').getByText('made-in-the-browser-test').waitFor();
  });

  check('shows a request a fault rule failed in the journal, with the rule that answered it', async () => {
    await request(base)
      .post('/_mock/faults')
      .set('X-Mock-Token', TOKEN)
      .send({ match: { method: 'POST', path: '/api/pool' }, status: 503, error: 'injected by the test', times: 1 })
      .expect(201);
    const call = await api();
    await call('post', '/api/pool', { name: 'refused' }).expect(503);
    await page.click('[data-testid=tab-requests]');
    const row = page.locator('[data-testid=journal] tr[data-status="503"]', { hasText: '/api/pool' });
    await row.waitFor();
    await row.click();
    const detail = page.getByTestId('request-detail');
    await detail.getByText('answered by fault rule', { exact: false }).waitFor();
    expect(await detail.textContent()).toContain('injected by the test');
  });
});

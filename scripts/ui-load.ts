/**
 * How long the inspector takes to load with many objects: a snapshot of N extra pools
 * (10 000 by default) is imported, then the page is opened on the pool list N times in a fresh
 * browser context (nothing cached) and the time until the first page of the list shows is
 * taken; prints the median and the worst.
 *   npm run ui:load [-- <objects> <runs>]
 */
import { launch, prepareUi, serve } from './ui-browser.js';

const objects = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 7);

await prepareUi();
const sim = await serve('fresh-controller');
const snapshot = sim.engine.store.snapshot();
const cloud = snapshot.objects.find((o) => o.type === 'cloud')!.data.uuid;
for (let i = 0; i < objects; i++) {
  const id = String(i).padStart(5, '0');
  snapshot.objects.push({ type: 'pool', data: { uuid: `pool-load-${id}`, name: `load-pool-${id}`, tenant_ref: 'admin', cloud_ref: cloud, servers: [{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 80 }] } });
}
const imported = await fetch(`${sim.base}/_mock/snapshot`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(snapshot) });
if (!imported.ok) throw new Error(`snapshot import: ${imported.status} ${await imported.text()}`);
const total = (await (await fetch(`${sim.base}/_mock/objects`)).json()).total as number;

const browser = await launch();
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(`${sim.base}/_mock/ui/#objects/pool`);
  await page.getByTestId('object-list').getByText('load-pool-00000').waitFor();
  await page.locator('[data-type=pool]').waitFor();
  times.push(Date.now() - started);
  await context.close();
}
await browser.close();
await sim.close();
times.sort((a, b) => a - b);
console.log(`${total} objects: the inspector shows the pool list in ${times[Math.floor(times.length / 2)]} ms (median of ${runs}; worst ${times.at(-1)} ms)`);

/**
 * The topology picture of every built-in scenario, as the inspector draws it, into
 * docs/img/topology-<scenario>.png (shown in the README).
 *   npm run ui:screenshots
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinScenarios } from '../server/scenario/load.js';
import { launch, prepareUi, serve } from './ui-browser.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'img');

await prepareUi();
const browser = await launch();
for (const name of builtinScenarios()) {
  const sim = await serve(name);
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  await page.goto(`${sim.base}/_mock/ui/#topology`);
  await page.waitForSelector('#graph[data-nodes]');
  const file = path.join(out, `topology-${name}.png`);
  await page.locator('#graph').screenshot({ path: file });
  console.log(`${path.relative(process.cwd(), file)}: ${await page.getAttribute('#graph', 'data-nodes')} nodes`);
  await page.close();
  await sim.close();
}
await browser.close();

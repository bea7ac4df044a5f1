#!/usr/bin/env node
/**
 * `avisim`: serves a simulated Avi controller. Every flag has an environment variable twin so
 * the same settings work in a container.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Engine } from './engine.js';
import { createListener } from './http/app.js';

const HELP = `avisim: a simulated VMware Avi controller

Usage: avisim [options]

  --port <n>          HTTP port (env AVISIM_PORT, default 8080; 0 picks a free one)
  --host <addr>       address to listen on (env AVISIM_HOST, default 0.0.0.0)
  --scenario <file>   scenario to serve (env AVISIM_SCENARIO, default seeds/fresh-controller.yaml)
  --seed <n>          reproducible uuids and timestamps (env AVISIM_SEED)
  --state-file <f>    persist state to this JSON file and restore it at start (env AVISIM_STATE_FILE)
  -h, --help          this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      'state-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const port = Number(values.port ?? env.AVISIM_PORT ?? 8080);
  const host = values.host ?? env.AVISIM_HOST ?? '0.0.0.0';
  const seedText = values.seed ?? env.AVISIM_SEED;
  const started = performance.now();
  const engine = await Engine.create({
    scenario: values.scenario ?? env.AVISIM_SCENARIO,
    seed: seedText !== undefined ? Number(seedText) : undefined,
    stateFile: values['state-file'] ?? env.AVISIM_STATE_FILE,
  });
  const { listener } = await createListener(engine);
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const ms = (performance.now() - started).toFixed(0);
  console.log(`avisim ${engine.scenario.controller.version} ready in ${ms} ms (scenario ${engine.scenario.name})`);
  console.log(`  Avi API:   http://${shown}:${actualPort}/api/`);
  console.log(`  coverage:  http://${shown}:${actualPort}/_mock/coverage`);
  console.log(`  user:      admin (every request acts as admin until login and sessions are enabled)`);
  if (engine.persistence) console.log(`  state:     ${engine.persistence.file}`);

  const stop = async () => {
    server.close();
    await engine.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

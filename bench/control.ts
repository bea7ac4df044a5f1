/**
 * `npm run bench:control`: what the test-control plane costs, printed as figures.
 *
 *   1. making a sandbox (a fork of the scenario's baseline) with 1k and with 100k pools in the
 *      baseline, its first read, and its first write to the pool type (which copies that type's
 *      index once); reset of the main state, same sizes. In process, median of many runs.
 *   2. GET by name req/s against the CLI with the request journal on (default) and off
 *      (--journal-size 0), interleaved, and in a sandbox (X-Mock-Sandbox) vs the main state.
 *
 * Knobs (env): BENCH_DURATION (s, default 5), BENCH_CONNECTIONS (10), BENCH_SCALE (100000).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../server/engine.js';
import { ADMIN_TENANT } from '../server/core/admin.js';
import { compare, type LoadOptions, type LoadRequest } from './load.js';
import { poolBody, poolName } from './pools.js';
import { BENCH_PASSWORD, distFile, startServer, type Server } from './procs.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const SCALE = num('BENCH_SCALE', 100_000);
const LOAD: LoadOptions = { connections: num('BENCH_CONNECTIONS', 10), pipelining: 1, duration: num('BENCH_DURATION', 5), warmup: 1 };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'avisim-bench-control-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n < 1 ? n.toFixed(3) : n.toFixed(1)} ms`;

/** A scenario: the fresh controller plus `pools` pools, so they are in the baseline. */
function scenarioWith(pools: number): string {
  const file = path.join(tmp, `pools-${pools}.yaml`);
  const lines = [`# ${pools} pools on top of the fresh controller`, 'name: bench', 'extends: fresh-controller', 'objects:'];
  for (let i = 0; i < pools; i++) lines.push(`  - pool: ${JSON.stringify(poolBody(i))}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function inProcess(pools: number): Promise<string[]> {
  log(`in process: baseline with ${pools} pools (loading the scenario through the write path)`);
  const engine = await Engine.create({ scenario: scenarioWith(pools), adminPassword: BENCH_PASSWORD });
  const ctx = { tenant: ADMIN_TENANT, base: '' };
  const fork: number[] = [];
  const firstRead: number[] = [];
  const firstWrite: number[] = [];
  const reset: number[] = [];
  const runs = pools > 10_000 ? 21 : 201;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const sb = await engine.fork(`s${i}`);
    fork.push(performance.now() - t);
    t = performance.now();
    if (![...sb.store.byName('pool', ADMIN_TENANT, poolName(i % pools))].length) throw new Error('pool missing in sandbox');
    firstRead.push(performance.now() - t);
    t = performance.now();
    sb.objects.create('pool', { name: `sandbox-only-${i}` }, ctx);
    firstWrite.push(performance.now() - t);
    engine.objects.create('pool', { name: `main-${i}` }, ctx);
    t = performance.now();
    await engine.reset();
    reset.push(performance.now() - t);
  }
  return [
    `| ${pools} | ${ms(median(fork))} | ${ms(median(firstRead))} | ${ms(median(firstWrite))} | ${ms(median(reset))} |`,
  ];
}

function getByName(count: number, headers: Record<string, string> = {}): LoadRequest[] {
  let i = 0;
  return [{ method: 'GET', path: `/api/pool?name=${poolName(0)}`, headers, setupRequest: (r) => ({ ...r, path: `/api/pool?name=${poolName(i++ % count)}` }) }];
}

async function login(server: Server): Promise<Record<string, string>> {
  const res = await fetch(`${server.base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: BENCH_PASSWORD }) });
  const pairs = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return { Cookie: pairs.join('; ') };
}

async function overHttp(): Promise<string[]> {
  const scenario = scenarioWith(1000);
  const args = ['--port', '{port}', '--https-port', 'off', '--host', '127.0.0.1', '--password', BENCH_PASSWORD, '--scenario', scenario];
  const on = await startServer('journal on', distFile('server/cli.js'), args);
  const off = await startServer('journal off', distFile('server/cli.js'), [...args, '--journal-size', '0']);
  try {
    const [hOn, hOff] = [await login(on), await login(off)];
    log(`GET by name: journal on vs off vs a sandbox (${LOAD.duration}s each, interleaved)`);
    const [mOn, mOff, mSandbox] = await compare(
      [
        { base: on.base, requests: getByName(1000, hOn) },
        { base: off.base, requests: getByName(1000, hOff) },
        { base: on.base, requests: getByName(1000, { ...hOn, 'X-Mock-Sandbox': 'bench' }) },
      ],
      LOAD,
    );
    return [
      `| journal on (default) | ${mOn!.rps.toFixed(0)} | ${mOn!.failures} |`,
      `| journal off | ${mOff!.rps.toFixed(0)} | ${mOff!.failures} |`,
      `| in a sandbox, journal on | ${mSandbox!.rps.toFixed(0)} | ${mSandbox!.failures} |`,
      '',
      `journal cost: ${(100 - (mOn!.rps / mOff!.rps) * 100).toFixed(1)}% of GET-by-name throughput; sandbox vs main: ${((mSandbox!.rps / mOn!.rps) * 100).toFixed(0)}%`,
    ];
  } finally {
    await on.stop();
    await off.stop();
  }
}

const out = ['| pools in baseline | make a sandbox | its first read | its first write (copies the pool index) | reset |', '|---|---|---|---|---|'];
out.push(...(await inProcess(1000)));
out.push(...(await inProcess(SCALE)));
out.push('', '| GET by name (1k pools) | req/s | failures |', '|---|---|---|');
out.push(...(await overHttp()));
console.log(out.join('\n'));

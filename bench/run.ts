/**
 * `npm run bench`: the design's performance targets, measured in one run on this machine and
 * printed as ratios to bare servers doing the same work (docs: design.md, "Performance targets").
 *
 *   1. req/s of GET by name, list of 100, PUT (full body) and POST (unique names) against the
 *      avisim CLI in memory, and PUT/POST again with --state-file (group commit);
 *   2. the same requests against a bare node:http server holding the same pool JSON in a Map;
 *   3. time-to-ready (spawn → first 200 on GET /api/pool?page_size=1) of the CLI vs a bare
 *      express app, median of several starts;
 *   4. idle RSS after start, and GET-by-name req/s with 1k vs 100k pools in the store.
 *
 * Every server runs alone in a child process; the load generator (autocannon) runs here, and
 * servers compared with each other are measured interleaved (A, B, A, B) so that background load
 * hits both. Every figure printed is measured in this run. Knobs (env): BENCH_DURATION (s, default 5),
 * BENCH_WARMUP (s, 1), BENCH_CONNECTIONS (10), BENCH_STARTS (5), BENCH_POOLS (1000),
 * BENCH_SCALE (100000).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compare, type LoadOptions, type LoadRequest, type Measurement } from './load.js';
import { poolBody, poolName } from './pools.js';
import { CookieJar } from '../server/testing.js';
import { BENCH_PASSWORD, distFile, rssMB, startServer, type Server } from './procs.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);

const LOAD: LoadOptions = {
  connections: num('BENCH_CONNECTIONS', 10),
  pipelining: 1,
  duration: num('BENCH_DURATION', 5),
  warmup: num('BENCH_WARMUP', 1),
};
const STARTS = num('BENCH_STARTS', 5);
const POOLS = num('BENCH_POOLS', 1000);
const SCALE = num('BENCH_SCALE', 100_000);

const CLI = distFile('server/cli.js');
const BASELINE = distFile('bench/baseline-server.js');
const EXPRESS = distFile('bench/express-server.js');
const POPULATED = distFile('bench/populated-server.js');

/**
 * avisim's command line in every phase: plain HTTP only (the baselines speak no TLS), and the
 * request log at `warn` (5xx only), as the baselines log nothing: what the per-request log line
 * costs is measured on its own (logCost) and printed as a row of its own.
 */
const AVISIM_ARGS = ['--port', '{port}', '--https-port', 'off', '--host', '127.0.0.1', '--password', BENCH_PASSWORD, '--log-level', 'warn'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'avisim-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** Problems seen along the way (failed requests, bad answers): printed at the end, exit 1. */
const problems: string[] = [];

const log = (msg: string) => process.stderr.write(`· ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

type Pool = Record<string, unknown>;

/** Session headers (cookie + CSRF token) per avisim base URL; the baselines need none. */
const sessions = new Map<string, Record<string, string>>();

/** Logs in to an avisim like an SDK does; every later call and load request carries the session. */
async function login(server: Server): Promise<Server> {
  const res = await fetch(`${server.base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: BENCH_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`${server.name}: login answered ${res.status}: ${await res.text()}`);
  const jar = new CookieJar();
  jar.store(res.headers.getSetCookie());
  sessions.set(server.base, { Cookie: jar.header(server.base), 'X-CSRFToken': jar.get('csrftoken')! });
  return server;
}

async function call(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(base + p, {
    method,
    headers: { ...sessions.get(base), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function expectStatus(what: string, got: { status: number; json: unknown }, want: number): void {
  if (got.status !== want) {
    throw new Error(`${what}: expected ${want}, got ${got.status}: ${JSON.stringify(got.json).slice(0, 400)}`);
  }
}

/** POSTs `count` pools named bench-pool-0.. through the API, `parallel` at a time. */
async function populate(base: string, count: number, parallel = 10): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      expectStatus(`POST pool ${i}`, await call(base, 'POST', '/api/pool', poolBody(i)), 201);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

async function allPools(base: string): Promise<Pool[]> {
  const got = await call(base, 'GET', `/api/pool?page_size=${POOLS + 1000}`);
  expectStatus('GET all pools', got, 200);
  return got.json.results as Pool[];
}

// ---- the request mixes ----------------------------------------------------------------------

let rng = 0x2545f491;
const random = (n: number) => {
  rng ^= rng << 13;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  return (rng >>> 0) % n;
};

function getByName(count: number): LoadRequest[] {
  return [{ method: 'GET', path: `/api/pool?name=${poolName(0)}`, setupRequest: (r) => ({ ...r, path: `/api/pool?name=${poolName(random(count))}` }) }];
}

/**
 * GET by name over POOLS names spread evenly across a store of `count` pools: both stores serve
 * the same number of distinct objects, so the comparison isolates the size of the store.
 */
function getByNameSpread(count: number): LoadRequest[] {
  const step = Math.max(1, Math.floor(count / POOLS));
  return [{ method: 'GET', path: `/api/pool?name=${poolName(0)}`, setupRequest: (r) => ({ ...r, path: `/api/pool?name=${poolName(random(POOLS) * step)}` }) }];
}

const LIST_100: LoadRequest[] = [{ method: 'GET', path: '/api/pool?page_size=100' }];

/** Full-body PUTs cycling over the pools: the object as read, less `url` and `_last_modified`. */
function putFull(pools: Pool[]): LoadRequest[] {
  const reqs = pools.map((p) => {
    const { url: _url, _last_modified: _lm, ...body } = p;
    return { path: `/api/pool/${String(p.uuid)}`, body: JSON.stringify(body) };
  });
  let i = 0;
  return [{ method: 'PUT', ...reqs[0]!, setupRequest: (r) => ({ ...r, ...reqs[i++ % reqs.length]! }) }];
}

/** POSTs of new pools; every request a name never used before on any server in this run. */
let postCounter = 0;
function postUnique(): LoadRequest[] {
  const body = () => {
    const n = postCounter++;
    return JSON.stringify({ ...poolBody(n), name: `bench-post-${n}` });
  };
  return [{ method: 'POST', path: '/api/pool', body: body(), setupRequest: (r) => ({ ...r, body: body() }) }];
}

/** The same work against each server, interleaved (see compare); one Measurement per server. */
async function load(what: string, targets: Array<[Server, LoadRequest[]]>): Promise<Measurement[]> {
  const names = targets.map(([s]) => s.name).join(' vs ');
  log(`${what}: ${names} (${LOAD.warmup}s warm-up + ${LOAD.duration}s each, interleaved)`);
  const withSession = (base: string, requests: LoadRequest[]) => {
    const headers = sessions.get(base);
    return headers ? requests.map((r) => ({ ...r, headers: { ...r.headers, ...headers } })) : requests;
  };
  const ms = await compare(targets.map(([s, requests]) => ({ base: s.base, requests: withSession(s.base, requests) })), LOAD);
  for (const [i, m] of ms.entries()) {
    if (m.failures > 0) problems.push(`${what} on ${targets[i]![0].name}: ${m.failures} failed requests (${m.failureDetail})`);
  }
  return ms;
}

// ---- the phases ------------------------------------------------------------------------------

interface Startup {
  readyMs: number;
  rssMB: number;
}

async function startOnce(name: string, script: string, args: string[]): Promise<Startup> {
  const s = await startServer(name, script, args);
  await sleep(500); // let start-up garbage and timers settle before reading the idle RSS
  const rss = await rssMB(s.child.pid!);
  await s.stop();
  return { readyMs: s.readyMs, rssMB: rss };
}

async function timeToReady(): Promise<{ avisim: Startup[]; express: Startup[] }> {
  const avisimArgs = [...AVISIM_ARGS];
  const expressArgs = ['{port}'];
  log(`time-to-ready: 1 unmeasured + ${STARTS} measured starts each, alternating`);
  await startOnce('avisim', CLI, avisimArgs); // warms the file cache for both
  await startOnce('express', EXPRESS, expressArgs);
  const avisim: Startup[] = [];
  const express: Startup[] = [];
  for (let i = 0; i < STARTS; i++) {
    avisim.push(await startOnce('avisim', CLI, avisimArgs));
    express.push(await startOnce('express', EXPRESS, expressArgs));
  }
  return { avisim, express };
}

interface Throughput {
  getByName: Measurement;
  list100: Measurement;
  put: Measurement;
  post: Measurement;
}

async function sanity(server: Server, pools: Pool[]): Promise<void> {
  const name = poolName(POOLS - 1);
  const byName = await call(server.base, 'GET', `/api/pool?name=${name}`);
  expectStatus(`${server.name} GET by name`, byName, 200);
  if (byName.json.count !== 1 || byName.json.results?.[0]?.name !== name) {
    throw new Error(`${server.name} GET by name did not find ${name}: ${JSON.stringify(byName.json).slice(0, 300)}`);
  }
  const list = await call(server.base, 'GET', '/api/pool?page_size=100');
  expectStatus(`${server.name} list`, list, 200);
  if (list.json.results?.length !== Math.min(100, pools.length) || list.json.count !== pools.length) {
    throw new Error(`${server.name} list of 100 answered ${list.json.results?.length} of ${list.json.count} results`);
  }
}

async function inMemory(): Promise<{ avisim: Throughput; baseline: Throughput; pools: number }> {
  const avisim = await login(await startServer('avisim', CLI, AVISIM_ARGS));
  log(`avisim (in memory) ready in ${avisim.readyMs.toFixed(0)} ms; creating ${POOLS} pools through the API`);
  await populate(avisim.base, POOLS);
  const pools = await allPools(avisim.base);
  const poolsFile = path.join(tmp, 'pools.json');
  writeFileSync(poolsFile, JSON.stringify(pools));
  const baseline = await startServer('baseline', BASELINE, ['{port}', poolsFile]);
  try {
    await sanity(avisim, pools);
    await sanity(baseline, pools);
    // Reads first, while both stores hold exactly the same pools; then PUT (same size); POST last.
    const a = {} as Throughput;
    const b = {} as Throughput;
    [a.getByName, b.getByName] = await load('GET by name', [[avisim, getByName(pools.length)], [baseline, getByName(pools.length)]]);
    [a.list100, b.list100] = await load('list of 100', [[avisim, LIST_100], [baseline, LIST_100]]);
    [a.put, b.put] = await load('PUT', [[avisim, putFull(pools)], [baseline, putFull(pools)]]);
    [a.post, b.post] = await load('POST', [[avisim, postUnique()], [baseline, postUnique()]]);
    return { avisim: a, baseline: b, pools: pools.length };
  } finally {
    await avisim.stop();
    await baseline.stop();
  }
}

interface Persisted {
  put: Measurement;
  post: Measurement;
  /** the bare server measured alongside (it keeps nothing on disk) */
  basePut: Measurement;
  basePost: Measurement;
  fileMB: number;
  savedPools: number;
}

async function withStateFile(): Promise<Persisted> {
  const file = path.join(tmp, 'state.json');
  const avisim = await login(await startServer('avisim --state-file', CLI, [...AVISIM_ARGS, '--state-file', file]));
  let baseline: Server | undefined;
  let stopped = false;
  try {
    log(`avisim (state file) ready in ${avisim.readyMs.toFixed(0)} ms; creating ${POOLS} pools through the API`);
    await populate(avisim.base, POOLS);
    const pools = await allPools(avisim.base);
    const poolsFile = path.join(tmp, 'pools-persisted.json');
    writeFileSync(poolsFile, JSON.stringify(pools));
    baseline = await startServer('baseline', BASELINE, ['{port}', poolsFile]);
    const [put, basePut] = await load('PUT', [[avisim, putFull(pools)], [baseline, putFull(pools)]]);
    const [post, basePost] = await load('POST', [[avisim, postUnique()], [baseline, postUnique()]]);
    const live = await call(avisim.base, 'GET', '/api/pool?page_size=1');
    await avisim.stop(); // SIGTERM: the CLI commits before exiting
    stopped = true;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { objects: Array<{ type: string }> };
    const savedPools = saved.objects.filter((o) => o.type === 'pool').length;
    if (savedPools !== live.json.count) {
      problems.push(`state file holds ${savedPools} pools, the server reported ${live.json.count}`);
    }
    return { put: put!, post: post!, basePut: basePut!, basePost: basePost!, fileMB: statSync(file).size / 1e6, savedPools };
  } finally {
    if (!stopped) await avisim.stop();
    await baseline?.stop();
  }
}

interface Scale {
  small: Measurement;
  large: Measurement;
  smallRssMB: number;
  largeRssMB: number;
  largeReadyMs: number;
}

/** GET by name with POOLS vs SCALE pools in the store; both servers up, measured interleaved. */
async function atScale(): Promise<Scale> {
  log(`lookups at scale: avisim with ${POOLS} and with ${SCALE} pools, made in-process`);
  const servers: Server[] = [];
  try {
    for (const count of [POOLS, SCALE]) {
      const server = await login(await startServer(`avisim ${count} pools`, POPULATED, ['{port}', String(count)], { timeoutMs: 180_000 }));
      servers.push(server);
      const last = await call(server.base, 'GET', `/api/pool?name=${poolName(count - 1)}`);
      if (last.json.count !== 1) throw new Error(`${server.name}: ${poolName(count - 1)} not found`);
    }
    const [small, large] = servers as [Server, Server];
    const smallRssMB = await rssMB(small.child.pid!);
    const largeRssMB = await rssMB(large.child.pid!);
    const [s, l] = await load('GET by name at scale', [[small, getByNameSpread(POOLS)], [large, getByNameSpread(SCALE)]]);
    return { small: s!, large: l!, smallRssMB, largeRssMB, largeReadyMs: large.readyMs };
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** GET by name on two fresh avisims, one logging every request (the default) and one not. */
async function logCost(): Promise<{ on: Measurement; off: Measurement }> {
  const on = await login(await startServer('avisim, request log on', CLI, AVISIM_ARGS.filter((a, i, all) => a !== '--log-level' && all[i - 1] !== '--log-level')));
  const off = await login(await startServer('avisim, request log off', CLI, AVISIM_ARGS));
  try {
    for (const server of [on, off]) await populate(server.base, 10);
    const [m1, m2] = await load('GET by name, request log on vs off', [[on, getByName(10)], [off, getByName(10)]]);
    return { on: m1!, off: m2! };
  } finally {
    await on.stop();
    await off.stop();
  }
}

// ---- the report --------------------------------------------------------------------------

const fmtRps = (m: Measurement) => Math.round(m.rps).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? 'yes' : 'NO';
}

async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const cpus = os.cpus();
  log(`node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}; load: ${LOAD.connections} connections, pipelining ${LOAD.pipelining}, ${LOAD.duration}s (+${LOAD.warmup}s warm-up)`);

  const ready = await timeToReady();
  const mem = await inMemory();
  const persisted = await withStateFile();
  const scale = await atScale();
  const logging = await logCost();

  const a = mem.avisim;
  const b = mem.baseline;
  const readyA = median(ready.avisim.map((s) => s.readyMs));
  const readyE = median(ready.express.map((s) => s.readyMs));
  const rssA = median(ready.avisim.map((s) => s.rssMB));
  const rssE = median(ready.express.map((s) => s.rssMB));
  const scaleRatio = scale.large.rps / scale.small.rps;

  type Row = [string, string, string, string, string, boolean | undefined];
  const rpsRow = (name: string, am: Measurement, bm: Measurement, target?: number): Row => {
    const ratio = am.rps / bm.rps;
    return [name, fmtRps(am), fmtRps(bm), pct(ratio), target ? `>= ${pct(target)}` : '-', target ? ratio >= target : undefined];
  };
  const rows: Row[] = [
    rpsRow(`GET by name (${mem.pools} pools)`, a.getByName, b.getByName, 0.4),
    rpsRow('list of 100', a.list100, b.list100),
    rpsRow('PUT full body, in memory', a.put, b.put),
    rpsRow('POST, in memory', a.post, b.post, 0.3),
    rpsRow('PUT full body, --state-file', persisted.put, persisted.basePut),
    rpsRow('POST, --state-file', persisted.post, persisted.basePost, 0.2),
    ['time-to-ready, median ms', readyA.toFixed(0), readyE.toFixed(0), `${(readyA / readyE).toFixed(2)}x`, '<= 2.00x', readyA / readyE <= 2],
    ['idle RSS after start, MB', rssA.toFixed(1), rssE.toFixed(1), `${(rssA / rssE).toFixed(2)}x`, '<= 120 MB', rssA <= 120],
    [`GET by name, ${SCALE} vs ${POOLS} pools`, fmtRps(scale.large), fmtRps(scale.small), pct(scaleRatio), 'no slowdown (>= 90%)', scaleRatio >= 0.9],
    ['GET by name, request log on vs off', fmtRps(logging.on), fmtRps(logging.off), pct(logging.on.rps / logging.off.rps), '-', undefined],
  ];

  const out: string[] = [];
  out.push('');
  out.push(`avisim bench: node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), ${LOAD.connections} connections, pipelining ${LOAD.pipelining}, ${LOAD.duration}s per run after ${LOAD.warmup}s warm-up`);
  out.push('baseline = bare node:http + Map with the same pool JSON (bench/baseline-server.ts); for time-to-ready and RSS, a bare express app (bench/express-server.ts)');
  out.push('');
  out.push(table([
    ['scenario', 'avisim', 'baseline', 'ratio', 'target', 'met'],
    ...rows.map(([n, x, y, r, t, ok]) => [n, x, y, r, t, verdict(ok)]),
  ]));
  out.push('');
  out.push('req/s = 2xx responses per second. Latency p50 / p99 (ms), avisim | baseline:');
  const lat = (m: Measurement) => `${m.p50ms} / ${m.p99ms}`;
  out.push(table([
    ['scenario', 'avisim', 'baseline'],
    ['GET by name', lat(a.getByName), lat(b.getByName)],
    ['list of 100', lat(a.list100), lat(b.list100)],
    ['PUT, in memory', lat(a.put), lat(b.put)],
    ['POST, in memory', lat(a.post), lat(b.post)],
    ['PUT, --state-file', lat(persisted.put), lat(persisted.basePut)],
    ['POST, --state-file', lat(persisted.post), lat(persisted.basePost)],
  ]));
  out.push('');
  out.push(`time-to-ready starts (ms): avisim ${ready.avisim.map((s) => s.readyMs.toFixed(0)).join(', ')}; express ${ready.express.map((s) => s.readyMs.toFixed(0)).join(', ')}`);
  out.push(`state file after the --state-file runs: ${persisted.fileMB.toFixed(1)} MB, ${persisted.savedPools} pools`);
  out.push(`store of ${SCALE} pools: ready in ${(scale.largeReadyMs / 1000).toFixed(1)} s (made in-process), RSS ${scale.largeRssMB.toFixed(0)} MB; ${POOLS} pools: RSS ${scale.smallRssMB.toFixed(0)} MB`);
  out.push(`bench took ${((performance.now() - began) / 1000).toFixed(0)} s; 1-min load average before it: ${loadBefore.toFixed(2)}`);
  if (loadBefore > 0.5) {
    out.push(`NOTE: the machine was busy before the bench started (load ${loadBefore.toFixed(2)} on ${cpus.length} CPUs): absolute figures are low and ratios noisy; rerun on an idle machine to compare runs.`);
  }
  if (problems.length) {
    out.push('');
    out.push('PROBLEMS (figures above may not be valid):');
    for (const p of problems) out.push(`  - ${p}`);
    process.exitCode = 1;
  }
  console.log(out.join('\n'));
}

main().catch((e) => {
  console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});

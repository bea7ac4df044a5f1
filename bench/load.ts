/**
 * The load generator: autocannon, driven in-process with the same parameters for every server.
 * Each measurement is a short warm-up run (discarded) followed by the measured runs.
 */
import { createRequire } from 'node:module';

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** called before every request (autocannon rebuilds it): vary the path or body here */
  setupRequest?: (req: LoadRequest) => LoadRequest;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
}

type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadOptions {
  connections: number;
  pipelining: number;
  /** seconds measured per server (split into interleaved slices by `compare`) */
  duration: number;
  /** seconds of discarded warm-up before the measured run */
  warmup: number;
}

export interface Measurement {
  /** successful (2xx) responses per second over the measured slices */
  rps: number;
  /** median of the slices' p50, worst of their p99 */
  p50ms: number;
  p99ms: number;
  /** anything but a 2xx answer: non-2xx statuses, socket errors, timeouts */
  failures: number;
  failureDetail: string;
}

function run(base: string, requests: LoadRequest[], opts: LoadOptions, duration: number): Promise<AutocannonResult> {
  return autocannon({
    url: base,
    connections: opts.connections,
    pipelining: opts.pipelining,
    duration,
    requests: requests.map((r) => ({
      ...r,
      headers: r.method === 'GET' ? { ...r.headers } : { 'content-type': 'application/json', ...r.headers },
    })),
  });
}

export interface Target {
  base: string;
  requests: LoadRequest[];
}

/**
 * Measures several servers on the same work, interleaved: each gets its warm-up, then the
 * measured time is cut into `rounds` slices run A, B, A, B... so that a burst of other activity
 * on the machine lands on all of them rather than on whichever ran at that moment.
 */
export async function compare(targets: Target[], opts: LoadOptions, rounds = 2): Promise<Measurement[]> {
  for (const t of targets) if (opts.warmup > 0) await run(t.base, t.requests, opts, opts.warmup);
  const slices: AutocannonResult[][] = targets.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, t] of targets.entries()) slices[i]!.push(await run(t.base, t.requests, opts, opts.duration / rounds));
  }
  return slices.map(summarise);
}

function summarise(results: AutocannonResult[]): Measurement {
  const sum = (f: (r: AutocannonResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const failed = new Map<string, number>();
  for (const r of results) {
    for (const [code, s] of Object.entries(r.statusCodeStats)) {
      if (!code.startsWith('2')) failed.set(code, (failed.get(code) ?? 0) + s.count);
    }
  }
  const detail = [...failed].map(([code, n]) => `${n}×${code}`);
  const errors = sum((r) => r.errors);
  const timeouts = sum((r) => r.timeouts);
  if (errors) detail.push(`${errors} errors`);
  if (timeouts) detail.push(`${timeouts} timeouts`);
  const p50s = results.map((r) => r.latency.p50).sort((a, b) => a - b);
  return {
    rps: sum((r) => r['2xx']) / sum((r) => r.duration),
    p50ms: p50s[p50s.length >> 1]!,
    p99ms: Math.max(...results.map((r) => r.latency.p99)),
    failures: sum((r) => r.non2xx + r.errors + r.timeouts),
    failureDetail: detail.join(', '),
  };
}

/**
 * Child processes for the bench: every server under test runs alone in its own process, the load
 * generator stays in the parent. Children are killed when the bench exits, however it exits, and
 * a server that does not answer in time fails the run with its own output attached.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { killAll, spawnNode } from '../test/support/cli.js';

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A file of the compiled project (dist/...), from a path relative to the project root. */
export function distFile(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/** A port nobody listens on right now (bound and released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  base: string;
  /** ms from spawn to the first successful answer of the readiness probe */
  readyMs: number;
  stop(): Promise<void>;
}

/**
 * Path polled to decide a server is ready. avisim answers it only once the whole document is
 * loaded and routed, without a session (it is the first call every SDK makes).
 */
export const READY_PATH = '/api/initial-data';
/** The password the bench starts avisim with (it logs in like a client). */
export const BENCH_PASSWORD = 'bench-admin-pw';

/** One GET; resolves with the status, rejects when the connection fails. */
function probe(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('probe timed out')));
    req.end();
  });
}

/**
 * Spawns `node <script> ...args` (args may use `{port}`) on a free port and polls READY_PATH
 * until it answers 200. Throws with the child's output when it exits or does not get ready.
 */
export async function startServer(
  name: string,
  script: string,
  args: string[],
  opts: { timeoutMs?: number; pollMs?: number; nodeArgs?: string[] } = {},
): Promise<Server> {
  const port = await freePort();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pollMs = opts.pollMs ?? 2;
  const started = performance.now();
  const server = spawnNode(script, args.map((a) => a.replaceAll('{port}', String(port))), { nodeArgs: opts.nodeArgs });
  const child = server.child;

  const fail = (why: string): never => {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${why}\n--- its output ---\n${server.output().trim() || '(none)'}`);
  };

  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      fail(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    const status = await probe(port, READY_PATH).catch(() => undefined); // refused: not listening yet
    if (status === 200) break;
    if (status !== undefined) fail(`GET ${READY_PATH} answered ${status}`);
    if (performance.now() - started > timeoutMs) fail(`no answer on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const readyMs = performance.now() - started;

  return {
    name,
    child,
    port,
    base: `http://127.0.0.1:${port}`,
    readyMs,
    stop: () => server.stop(),
  };
}

/** Resident set size of a process in MB, from /proc (Linux), or ps elsewhere. */
export async function rssMB(pid: number): Promise<number> {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall through to ps
  }
  const { execFileSync } = await import('node:child_process');
  const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim());
  if (!Number.isFinite(kb) || kb <= 0) throw new Error(`cannot read the RSS of process ${pid}`);
  return kb / 1024;
}

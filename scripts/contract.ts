/**
 * `npm run contract [-- <vitest options>]`: the contract suites against a controller.
 *
 * With AVISIM_TARGET set, vitest runs contract-tests/ against that URL (credentials and the
 * other settings from the environment: see contract-tests/README.md). Without it, an avisim is
 * started first as a process of its own (the fresh-controller scenario plus a second local user,
 * free ports on 127.0.0.1, a known password, the NSX-T stub on a port of its own), the suites
 * run against its HTTPS URL exactly as they would against a real controller, and it is stopped
 * afterwards. Exits with vitest's status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractScenarioFile, SECOND_USER } from '../contract-tests/support/scenario.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

interface Started {
  child: ChildProcess;
  https: string;
  nsx: string;
  password: string;
}

/** Starts `avisim` (from source, through tsx) and reads its URLs from what it prints. */
async function startAvisim(): Promise<Started> {
  const password = `Contract-${randomBytes(6).toString('hex')}`;
  // The CLI reads AVISIM_* as settings of its own: start it from a clean slate.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AVISIM_')));
  const args = ['--import', 'tsx', join(ROOT, 'server', 'cli.ts'), '--host', '127.0.0.1', '--port', '0', '--https-port', '0', '--nsx-port', '0'];
  args.push('--password', password, '--nsx-password', password, '--scenario', contractScenarioFile());
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const urls = await new Promise<{ https: string; nsx: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`avisim did not start within 60 s:\n${out}${err}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const secure = /Avi API:\s+(https:\/\/\S+?)\/api\//.exec(out);
      const nsx = /NSX API:\s+(https:\/\/\S+?)\/policy\/api\/v1\//.exec(out);
      if (secure && nsx && /NSX user:/.test(out)) {
        clearTimeout(timer);
        resolve({ https: secure[1]!, nsx: nsx[1]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`avisim exited (${code}) before it was ready:\n${out}${err}`));
    });
  });
  child.stdout!.resume();
  return { child, ...urls, password };
}

/** Polls `GET /api/cluster/status` until it answers 200 (30 s at most). */
async function waitReady(base: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await new Promise<number>((resolve) => {
      const get = base.startsWith('https:') ? https.get : http.get;
      const req = get(`${base}/api/cluster/status`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${base}/api/cluster/status did not answer 200 within 30 s (last: ${status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function runVitest(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [VITEST, 'run', '--config', join(ROOT, 'vitest.contract.config.ts'), ...process.argv.slice(2)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main(): Promise<number> {
  if (process.env.AVISIM_TARGET) {
    console.log(`contract suites against ${process.env.AVISIM_TARGET}`);
    return runVitest(process.env);
  }
  const avisim = await startAvisim();
  try {
    await waitReady(avisim.https);
    console.log(`contract suites against an avisim started for them: ${avisim.https} (NSX-T ${avisim.nsx})`);
    return await runVitest({
      ...process.env,
      AVISIM_TARGET: avisim.https,
      AVISIM_USERNAME: 'admin',
      AVISIM_PASSWORD: avisim.password,
      AVISIM_NSX_TARGET: avisim.nsx,
      AVISIM_INSECURE: '1',
      AVISIM_SECOND_USERNAME: SECOND_USER.username,
      AVISIM_SECOND_PASSWORD: SECOND_USER.password,
    });
  } finally {
    await stop(avisim.child);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);

/**
 * avisim as a process of its own, the way the contract runner and the project's own check of
 * it start one: `server/cli.ts` through tsx, on free 127.0.0.1 ports (plain HTTP, HTTPS, and the
 * NSX-T stub on an HTTPS port of its own), the contract scenario, one password for the Avi
 * admin and the NSX manager. Its URLs are read from what it prints at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractScenarioFile } from './scenario.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface AvisimProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  http: string;
  /** `https://127.0.0.1:<port>` */
  https: string;
  /** the NSX-T stub's own port, `https://127.0.0.1:<port>` */
  nsx: string;
  password: string;
  stop(): Promise<void>;
}

export async function startAvisimProcess(): Promise<AvisimProcess> {
  const password = `Contract-${randomBytes(6).toString('hex')}`;
  // The CLI reads AVISIM_* as settings of its own: start it from a clean slate.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AVISIM_')));
  const args = ['--import', 'tsx', join(ROOT, 'server', 'cli.ts'), '--host', '127.0.0.1', '--port', '0', '--https-port', '0', '--nsx-port', '0'];
  args.push('--password', password, '--nsx-password', password, '--scenario', contractScenarioFile());
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const urls = await new Promise<{ http: string; https: string; nsx: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`avisim did not start within 60 s:\n${out}${err}`)), 60_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`avisim exited (${code}) before it was ready:\n${out}${err}`));
      });
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const plain = /Avi API:\s+(http:\/\/\S+?)\/api\//.exec(out);
        const secure = /Avi API:\s+(https:\/\/\S+?)\/api\//.exec(out);
        const nsx = /NSX API:\s+(https:\/\/\S+?)\/policy\/api\/v1\//.exec(out);
        if (plain && secure && nsx && /NSX user:/.test(out)) {
          clearTimeout(timer);
          resolve({ http: plain[1]!, https: secure[1]!, nsx: nsx[1]! });
        }
      });
    });
    child.removeAllListeners('exit');
    await waitReady(urls.https);
    return { child, ...urls, password, stop: () => stopProcess(child) };
  } catch (e) {
    await stopProcess(child);
    throw e;
  }
}

/** Polls `GET /api/cluster/status` until it answers 200 (30 s at most). */
export async function waitReady(base: string): Promise<void> {
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

/** SIGTERM (avisim finishes what is in flight), SIGKILL after 5 s. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

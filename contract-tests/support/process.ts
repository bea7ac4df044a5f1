/**
 * avisim as a process of its own, the way the contract runner and the project's own check of
 * it start one: `server/cli.ts` through tsx, on free 127.0.0.1 ports (plain HTTP, HTTPS, and the
 * NSX-T stub on an HTTPS port of its own), the contract scenario, one password for the Avi
 * admin and the NSX manager. Its URLs are read from what it prints at start.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { ROOT, spawnCli } from '../../test/support/cli.js';
import { contractScenarioFile } from './scenario.js';

export { ROOT };

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
  const args = ['--host', '127.0.0.1', '--port', '0', '--https-port', '0', '--nsx-port', '0'];
  args.push('--password', password, '--nsx-password', password, '--scenario', contractScenarioFile());
  const avisim = spawnCli(args, { dropEnv: /^AVISIM_/ });
  try {
    const out = (await avisim.waitFor(/NSX user:/, 60_000)).input;
    const urls = {
      http: /Avi API:\s+(http:\/\/\S+?)\/api\//.exec(out)![1]!,
      https: /Avi API:\s+(https:\/\/\S+?)\/api\//.exec(out)![1]!,
      nsx: /NSX API:\s+(https:\/\/\S+?)\/policy\/api\/v1\//.exec(out)![1]!,
    };
    await waitReady(urls.https);
    return { child: avisim.child, ...urls, password, stop: () => avisim.stop() };
  } catch (e) {
    await avisim.stop();
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

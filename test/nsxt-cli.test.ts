/**
 * `avisim --nsx-port`: the NSX-T manager stub on an HTTPS port of its own (same certificate as
 * the Avi HTTPS listener), its URL and credentials printed in the banner, flags and env twins.
 */
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, spawnCli } from './support/cli.js';

afterEach(killAll);

async function startCli(args: string[], env: Record<string, string> = {}): Promise<string> {
  const avisim = spawnCli(['--port', '0', '--https-port', '0', '--host', '127.0.0.1', ...args], { env });
  return (await avisim.waitFor(/NSX user:.*\n/)).input;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type?: string; body: any; cert: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, headers }, (res) => {
      const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, type: res.headers['content-type'], body: text ? JSON.parse(text) : undefined, cert });
      });
    });
    req.on('error', reject);
  });
}

const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

describe('avisim --nsx-port', () => {
  it('serves the NSX stub alone on its own HTTPS port, with the Avi certificate, and prints URL and credentials', async () => {
    const out = await startCli(['--nsx-port', '0', '--nsx-password', 'Nsx-Secret-1', '--scenario', 'seeds/routable-pods-nsxt.yaml']);
    const nsx = /NSX API:\s+(https:\/\/\S+)\/policy\/api\/v1\//.exec(out)![1]!;
    const avi = /Avi API:\s+(https:\/\/\S+)\/api\//.exec(out)![1]!;
    expect(out).toMatch(/NSX user:\s+admin\s+password: Nsx-Secret-1/);
    const t1 = await get(`${nsx}/policy/api/v1/infra/tier-1s/tanzu-cl1`, basic('admin', 'Nsx-Secret-1'));
    expect(t1.status).toBe(200);
    expect(t1.body.id).toBe('tanzu-cl1');
    const other = await get(`${avi}/api/v1/node/version`, basic('admin', 'Nsx-Secret-1'));
    expect(other.body.node_version).toBe('4.2.0.0.0.1');
    expect(other.cert).toBe(t1.cert);
    // only the NSX stub on that port: the Avi API is not there
    const notAvi = await get(`${nsx}/api/cloud`);
    expect(notAvi.status).toBe(404);
    expect(notAvi.type).toMatch(/^application\/json/);
    expect(Number.isInteger(notAvi.body.error_code)).toBe(true);
  });

  it('takes its settings from the environment', async () => {
    const out = await startCli([], { AVISIM_NSX_PORT: '0', AVISIM_NSX_USER: 'nsxadmin', AVISIM_NSX_PASSWORD: 'Env-Pw-1', AVISIM_NSX_REALIZATION_DELAY: '5000' });
    expect(out).toMatch(/NSX user:\s+nsxadmin\s+password: Env-Pw-1/);
    expect(out).toMatch(/NSX realization delay: 5000 ms/);
    const nsx = /NSX API:\s+(https:\/\/\S+)\/policy\/api\/v1\//.exec(out)![1]!;
    expect((await get(`${nsx}/api/v1/reverse-proxy/node/health`, basic('nsxadmin', 'Env-Pw-1'))).body).toEqual({ healthy: true });
    expect((await get(`${nsx}/api/v1/reverse-proxy/node/health`, basic('admin', 'Env-Pw-1'))).status).toBe(403);
  });

  it('refuses a bad port or delay', async () => {
    await expect(startCli(['--nsx-port', 'x'])).rejects.toThrow(/--nsx-port/);
    await expect(startCli(['--nsx-realization-delay', '-1'])).rejects.toThrow(/--nsx-realization-delay/);
  });
});

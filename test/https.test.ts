/**
 * The HTTPS listener as a client meets it: a real process, reached with node:https skipping
 * certificate verification (as every Avi SDK does against a real controller's self-signed
 * certificate), next to the plain HTTP listener on the same state.
 */
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, spawnCli } from './support/cli.js';
import { fetchLogin, sessionHeaders, TEST_PASSWORD, type SessionHeaders } from './support/session.js';

afterEach(killAll);

function run(args: string[], env: Record<string, string> = {}) {
  return spawnCli(['--password', TEST_PASSWORD, ...args], { env });
}

interface Started {
  child: ChildProcess;
  output: string;
  https: { base: string; note: string; fingerprint: string };
  http?: string;
}

/** Starts `avisim` and resolves once its banner (ending with the user line) is printed. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const avisim = run(args, env);
  const out = (await avisim.waitFor(/user:.*\n/)).input;
  const https = /Avi API:\s+(https:\/\/\S+)\/api\/\s+\((.*), SHA-256 ([0-9A-F:]+)\)/.exec(out);
  if (!https) throw new Error(`no HTTPS line:\n${out}`);
  const http = /Avi API:\s+(http:\/\/\S+)\/api\//.exec(out);
  return { child: avisim.child, output: out, https: { base: https[1]!, note: https[2]!, fingerprint: https[3]! }, http: http?.[1] };
}

/** Runs `avisim` expecting it to stop by itself; resolves with its exit code and output. */
async function runToExit(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const avisim = run(args, env);
  const code = await avisim.exited;
  return { code, output: avisim.output() };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  cert: X509Certificate;
}

/** One HTTPS request on a fresh connection, certificate verification off. */
function httpsCall(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, rejectUnauthorized: false, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const raw = (res.socket as TLSSocket).getPeerCertificate().raw;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: text && res.headers['content-type']?.includes('json') ? JSON.parse(text) : text,
          cert: new X509Certificate(raw),
        });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** POST /login over HTTPS; the session's cookie and CSRF headers. */
async function httpsLogin(base: string): Promise<SessionHeaders> {
  const res = await httpsCall(`${base}/login`, 'POST', { username: 'admin', password: TEST_PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return sessionHeaders(res.headers['set-cookie'] as string[]);
}

describe('the avisim command over HTTPS', () => {
  it('serves the Avi API over HTTPS with a self-signed certificate made at start, next to plain HTTP', async () => {
    const { https, http } = await startCli(['--port', '0', '--https-port', '0', '--host', '127.0.0.1']);
    expect(https.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(https.note).toBe('self-signed');

    const session = await httpsLogin(https.base);
    const cloud = await httpsCall(`${https.base}/api/cloud?name=Default-Cloud`, 'GET', undefined, session);
    expect(cloud.status).toBe(200);
    expect(cloud.body.count).toBe(1);

    const created = await httpsCall(`${https.base}/api/pool`, 'POST', { name: 'over-tls' }, session);
    expect(created.status).toBe(201);
    expect(created.body.url.startsWith(`${https.base}/api/pool/`)).toBe(true);
    expect(String(created.headers.location).startsWith(`${https.base}/api/pool/`)).toBe(true);

    // The certificate: self-signed, for this machine, the one whose fingerprint was printed.
    const cert = cloud.cert;
    // (checkIssued would also want keyCertSign, which a server certificate does not carry)
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=avisim');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.fingerprint256).toBe(https.fingerprint);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(365);
    expect(days).toBeLessThan(400);

    // Plain HTTP serves the same state, with its own scheme in urls.
    expect(http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const viaHttp = (await (await fetch(`${http}/api/pool?name=over-tls`, { headers: await fetchLogin(http!) })).json()) as any;
    expect(viaHttp.count).toBe(1);
    expect(viaHttp.results[0].url.startsWith(`${http}/api/pool/`)).toBe(true);
  });

  it('serves the certificate given with --tls-cert/--tls-key (or AVISIM_TLS_CERT/AVISIM_TLS_KEY)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'avisim-tls-'));
    const pems = await generate([{ name: 'commonName', value: 'given-by-test' }], { keyType: 'ec', algorithm: 'sha256' });
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(certFile, pems.cert);
    writeFileSync(keyFile, pems.private);
    const expected = new X509Certificate(pems.cert).fingerprint256;

    const byFlags = await startCli(['--port', 'off', '--https-port', '0', '--host', '127.0.0.1', '--tls-cert', certFile, '--tls-key', keyFile]);
    expect(byFlags.http).toBeUndefined();
    expect(byFlags.https.note).toBe(`certificate ${certFile}`);
    expect(byFlags.https.fingerprint).toBe(expected);
    const reply = await httpsCall(`${byFlags.https.base}/api/cloud?name=Default-Cloud`, 'GET', undefined, await httpsLogin(byFlags.https.base));
    expect(reply.status).toBe(200);
    expect(reply.cert.fingerprint256).toBe(expected);
    expect(reply.cert.subject).toBe('CN=given-by-test');

    const byEnv = await startCli(['--host', '127.0.0.1'], {
      AVISIM_PORT: 'off',
      AVISIM_HTTPS_PORT: '0',
      AVISIM_TLS_CERT: certFile,
      AVISIM_TLS_KEY: keyFile,
    });
    expect((await httpsCall(`${byEnv.https.base}/api/cloud`)).cert.fingerprint256).toBe(expected);
  });

  it('refuses to start with both listeners off, or half a certificate pair', async () => {
    const off = await runToExit(['--port', 'off', '--https-port', 'off']);
    expect(off.code).not.toBe(0);
    expect(off.output).toMatch(/both listeners are off/);

    const half = await runToExit(['--port', 'off', '--https-port', '0', '--tls-cert', 'cert.pem']);
    expect(half.code).not.toBe(0);
    expect(half.output).toMatch(/--tls-cert and --tls-key go together/);

    const missing = await runToExit(['--port', 'off', '--https-port', '0', '--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem']);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(/cannot read TLS (certificate|key) \/nonexistent\//);
  });

  it('lists the HTTPS flags and their environment variables in --help', async () => {
    const { code, output } = await runToExit(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--https-port', '--tls-cert', '--tls-key']) expect(output).toContain(flag);
    for (const env of ['AVISIM_HTTPS_PORT', 'AVISIM_TLS_CERT', 'AVISIM_TLS_KEY']) expect(output).toContain(env);
  });
});

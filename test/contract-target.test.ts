/**
 * The contract suites pointed at a controller outside the test process, through `npm run
 * contract`'s runner with AVISIM_TARGET set, twice at once against one avisim started as a
 * process of its own:
 * - at its HTTPS URL: it has the test-control plane, so every file works in a sandbox of its
 *   own (the files run side by side) and only the check that needs a fake clock skips;
 * - through a proxy that answers 404 for /_mock/* (a stand-in for a real controller): the
 *   checks that need the control plane skip, each with a printed reason, and the rest pass.
 * Neither run may leave an object behind, in the sandboxes or in the state a real controller
 * would keep.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrGenerateTls } from '../server/http/tls.js';
import { startAvisim } from '../server/testing.js';
import { spawnNode } from './support/cli.js';
import { ROOT, startAvisimProcess, type AvisimProcess } from '../contract-tests/support/process.js';
import { contractScenarioFile, SECOND_USER } from '../contract-tests/support/scenario.js';
import { settingsFromEnv, Target } from '../contract-tests/support/target.js';

const FAKE_CLOCK = 're-logs in after the idle timeout and retries';
const NSX_DELAY = 'IN_PROGRESS for the delay, then REALIZED; the create completes after a few polls';
const NSX_ERROR = 'a route that never realizes fails the create after 10 s of polling (fault injection)';

interface Run {
  code: number | null;
  out: string;
  report: {
    success: boolean;
    numTotalTests: number;
    numPassedTests: number;
    numFailedTests: number;
    testResults: Array<{ name: string; status: string; message: string; assertionResults: Array<{ title: string; fullName: string; status: string }> }>;
  };
}

let avisim: AvisimProcess;
let proxy: { url: string; mockHeaders: string[]; controlCalls: string[]; close(): Promise<void> };
let dir: string;
let runs: { avisim: Run; real: Run };
let before: string[];

/** The contract runner (scripts/contract.ts) with `env` on top of a clean environment. */
function runContract(name: string, env: Record<string, string>, extra: string[]): Promise<Run> {
  const reportFile = join(dir, `${name}.json`);
  const args = ['--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...extra];
  const contract = spawnNode(join(ROOT, 'scripts', 'contract.ts'), args, { nodeArgs: ['--import', 'tsx'], cwd: ROOT, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, dropEnv: /^(AVISIM_|VITEST|TEST$)/ });
  return contract.exited.then((code) => {
    const out = contract.output();
    try {
      return { code, out, report: JSON.parse(readFileSync(reportFile, 'utf8')) };
    } catch (e) {
      throw new Error(`${name}: no report (exit ${code}): ${(e as Error).message}\n${out}`);
    }
  });
}

/**
 * An HTTPS front for avisim's HTTPS port that has no /_mock (as a real controller has none).
 * Upstream is HTTPS too, so the answers carry https:// refs, as a controller's always do
 * (clients such as the Ansible modules only recognise refs in that form).
 */
async function startProxy(upstream: string): Promise<typeof proxy> {
  const target = new URL(upstream);
  const mockHeaders: string[] = [];
  const controlCalls: string[] = [];
  const tls = await loadOrGenerateTls({ hostnames: ['127.0.0.1'] });
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req: IncomingMessage, res: ServerResponse) => {
    const named = Object.keys(req.headers).filter((h) => h.startsWith('x-mock-'));
    if (named.length) mockHeaders.push(`${req.method} ${req.url} ${named.join(',')}`);
    if (/^\/+_mock(\/|\?|$)/.test(req.url ?? '')) {
      controlCalls.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>');
      return;
    }
    const up = https.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, rejectUnauthorized: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mockHeaders,
    controlCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What the main state holds, by type/uuid (GET /_mock/snapshot on avisim itself). */
async function mainObjects(): Promise<string[]> {
  const res = await fetch(`${avisim.http}/_mock/snapshot`);
  const body = (await res.json()) as { objects: Array<{ type: string; data: { uuid: string } }> };
  return body.objects.map((o) => `${o.type}/${o.data.uuid}`).sort();
}

const contractFiles = () => readdirSync(join(ROOT, 'contract-tests')).filter((f) => f.endsWith('.test.ts')).sort();
const filesIn = (run: Run) => run.report.testResults.map((r) => r.name.split('/').pop()!).sort();
const skippedIn = (run: Run) =>
  run.report.testResults.flatMap((r) => r.assertionResults.filter((a) => a.status === 'skipped' || a.status === 'pending').map((a) => a.title)).sort();
const printedSkips = (run: Run) => run.out.split('\n').filter((l) => l.startsWith('[contract] skipped: '));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'avisim-contract-target-'));
  avisim = await startAvisimProcess();
  proxy = await startProxy(avisim.https);
  before = await mainObjects();
  const common = {
    AVISIM_USERNAME: 'admin',
    AVISIM_PASSWORD: avisim.password,
    AVISIM_INSECURE: '1',
    AVISIM_SECOND_USERNAME: SECOND_USER.username,
    AVISIM_SECOND_PASSWORD: SECOND_USER.password,
  };
  // Both at once: sandboxes keep the first run's files apart from each other and from the
  // second run, which works in the state a real controller would keep.
  const [onAvisim, onReal] = await Promise.all([
    runContract('avisim', { ...common, AVISIM_TARGET: avisim.https, AVISIM_NSX_TARGET: avisim.nsx }, ['--fileParallelism', '--maxWorkers=3']),
    runContract('real', { ...common, AVISIM_TARGET: proxy.url }, []),
  ]);
  runs = { avisim: onAvisim, real: onReal };
}, 240_000);

afterAll(async () => {
  await proxy?.close();
  await avisim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the contract suites against AVISIM_TARGET', () => {
  it('pass against a second avisim, every file in its own sandbox; only the fake-clock check skips (and the plain-HTTP replay: the target is one URL)', async () => {
    const run = runs.avisim;
    expect(run.code, run.out).toBe(0);
    expect(run.report.success, run.out).toBe(true);
    expect(filesIn(run)).toEqual(contractFiles());
    for (const file of run.report.testResults) expect(file.status, `${file.name}: ${file.message}`).toBe('passed');
    expect(run.report.numFailedTests).toBe(0);
    expect(skippedIn(run)).toEqual([FAKE_CLOCK]);
    expect(run.report.numPassedTests).toBe(run.report.numTotalTests - 1);
    expect(run.report.numPassedTests).toBeGreaterThan(50);
    expect(printedSkips(run).sort()).toEqual([
      expect.stringMatching(/^\[contract\] skipped: Python SDK ApiSession over http — the target is one URL \(https:/),
      expect.stringMatching(new RegExp(`^\\[contract\\] skipped: ${FAKE_CLOCK} — needs avisim in the test process: .*fake clock`)),
    ]);
    // Every sandbox was dropped again.
    const sandboxes = (await (await fetch(`${avisim.http}/_mock/sandboxes`)).json()) as { count: number };
    expect(sandboxes.count).toBe(0);
  });

  it('pass against a target without a control plane, the checks that need it skipped with printed reasons', () => {
    const run = runs.real;
    expect(run.code, run.out).toBe(0);
    expect(run.report.success, run.out).toBe(true);
    expect(filesIn(run)).toEqual(contractFiles());
    expect(run.report.numFailedTests).toBe(0);
    const expected = [FAKE_CLOCK, NSX_DELAY, NSX_ERROR].sort();
    expect(skippedIn(run)).toEqual(expected);
    expect(run.report.numPassedTests).toBe(run.report.numTotalTests - expected.length);
    expect(run.report.numPassedTests).toBeGreaterThan(50);
    const printed = printedSkips(run);
    // One line per skipped test, saying why...
    for (const title of expected) expect(printed.filter((l) => l.startsWith(`[contract] skipped: ${title} — `)), title).toHaveLength(1);
    expect(printed.filter((l) => l.includes(NSX_DELAY) || l.includes(NSX_ERROR)).every((l) => l.includes('needs the test-control plane (/_mock)'))).toBe(true);
    // ...and one per check left out of a test that ran.
    const checks = printed.filter((l) => l.includes(' › '));
    expect(checks.some((l) => l.includes('the whole state is byte-identical (GET /_mock/snapshot) — needs the test-control plane'))).toBe(true);
    expect(checks.some((l) => l.includes('the journal shows the same calls and answers — needs the test-control plane'))).toBe(true);
    expect(checks.some((l) => l.includes('realized at the first poll') && l.includes('holds for avisim only'))).toBe(true);
    // Each file asked once whether there is a control plane, and sent no X-Mock-* header.
    expect(proxy.controlCalls.sort()).toEqual(contractFiles().map(() => 'GET /_mock/coverage'));
    expect(proxy.mockHeaders).toEqual([]);
  });

  it('leave the state a real controller keeps as they found it', async () => {
    expect(await mainObjects()).toEqual(before);
  });
});

describe('the target settings', () => {
  it('default the NSX-T manager and its credentials to the Avi ones; an unset target is the in-process one', () => {
    const s = settingsFromEnv({ AVISIM_TARGET: 'https://ctrl.example:443/', AVISIM_PASSWORD: 'pw', AVISIM_INSECURE: '1' });
    expect(s).toMatchObject({
      url: 'https://ctrl.example:443',
      nsxUrl: 'https://ctrl.example:443',
      avi: { username: 'admin', password: 'pw' },
      nsx: { username: 'admin', password: 'pw' },
      insecure: true,
    });
    expect(s.second).toBeUndefined();
    expect(s.mockToken).toBeUndefined();
    const nsx = settingsFromEnv({ AVISIM_TARGET: 'https://a', AVISIM_USERNAME: 'u', AVISIM_PASSWORD: 'p', AVISIM_NSX_TARGET: 'https://n/', AVISIM_NSX_USERNAME: 'nu', AVISIM_NSX_PASSWORD: 'np', AVISIM_MOCK_TOKEN: 'tok' });
    expect(nsx).toMatchObject({ nsxUrl: 'https://n', avi: { username: 'u' }, nsx: { username: 'nu', password: 'np' }, insecure: false, mockToken: 'tok' });
    expect(() => settingsFromEnv({ AVISIM_TARGET: 'https://a' })).toThrow(/AVISIM_PASSWORD/);
    expect(settingsFromEnv({}).url).toBeUndefined();
  });

  it('find a token-guarded control plane only with AVISIM_MOCK_TOKEN', async () => {
    const server = await startAvisim({ scenario: contractScenarioFile(), adminPassword: 'Token-Test-Pw-1', mock: { token: 'the-token' } });
    const { url, engine } = server;
    const settings = (mockToken?: string) => ({ url, nsxUrl: url, avi: { username: 'admin', password: 'Token-Test-Pw-1' }, nsx: { username: 'admin', password: 'x' }, insecure: false, mockToken });
    try {
      const withToken = new Target(settings('the-token'));
      await withToken.init();
      expect([withToken.hasControlPlane, withToken.isAvisim]).toEqual([true, true]);
      expect(withToken.sandbox).toMatch(/^avisim-contract-[0-9a-f]{6}-/);
      const made = await withToken.admin.post('/api/pool', { name: `${withToken.prefix}p` });
      expect(made.status).toBe(201);
      // Made in the file's sandbox (the main state never sees it), deleted by the clean-up (which
      // checks through the token-guarded snapshot that nothing is left), and the sandbox dropped.
      expect((await withToken.admin.get(`/api/pool/${made.body.uuid}`)).status).toBe(200);
      expect(engine.store.collection('pool').size).toBe(0);
      await withToken.finish();
      const sandboxes = await fetch(`${url}/_mock/sandboxes`, { headers: { 'X-Mock-Token': 'the-token' } });
      expect(((await sandboxes.json()) as { count: number }).count).toBe(0);

      const without = new Target(settings());
      await without.init();
      expect([without.hasControlPlane, without.isAvisim, without.sandbox]).toEqual([false, false, undefined]);
      await without.finish();
    } finally {
      await server.close();
    }
  });
});

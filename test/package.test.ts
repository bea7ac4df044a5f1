/**
 * The package as a user installs it: into a scratch project of its own, from a path (as
 * `npm i --install-links <checkout>`) and from git (npm clones this repository and builds it
 * through the `prepare` script), each then type-checked by the consumer's own `tsc` and run by
 * its own vitest with one suite on `avisim/msw` and one on `avisim/testing`; and what `npm pack`
 * puts in the tarball. Slow (npm installs and two builds): one consumer serves every step.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLOW = 15 * 60_000;
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** The consumer's toolchain at the versions of this project's own install, so npm's cache has them. */
const versionOf = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;
const TOOLCHAIN = ['msw', 'typescript', 'vitest', '@types/node'].map((n) => `${n}@${versionOf(n)}`);

const CONSUMER_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'avisim-consumer', private: true, type: 'module' }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    include: ['*.test.ts'],
  }),
  // the client under test talks to https://avi.example through fetch; avisim/msw answers in-process
  'msw.test.ts': `
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAvisimHandlers } from 'avisim/msw';

const avi = await createAvisimHandlers({ baseUrl: 'https://avi.example', adminPassword: 'secret' });
const server = setupServer(...avi.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

it('logs in and reads the default cloud through msw', async () => {
  const login = await fetch('https://avi.example/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'secret' }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const clouds = await fetch('https://avi.example/api/cloud?name=Default-Cloud', { headers: { cookie } });
  expect(((await clouds.json()) as { count: number }).count).toBe(1);
});
`,
  'testing.test.ts': `
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAvisim, type StartedAvisim } from 'avisim/testing';

let avi: StartedAvisim;
beforeAll(async () => {
  avi = await startAvisim({ seed: 7 });
});
afterAll(() => avi.close());

it('creates a pool over HTTP', async () => {
  const created = await avi.client.post('/api/pool', { name: 'web' });
  expect(created.status).toBe(201);
  expect(avi.url).toMatch(/^http:\\/\\/127\\.0\\.0\\.1:\\d+$/);
});
`,
};

let consumer: string;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, CI: 'true' } });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${e.status}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const npmInstall = (...specs: string[]) => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], consumer);

/** The consumer's own tsc and vitest over its two suites. */
function checkConsumer(): void {
  run(process.execPath, [path.join(consumer, 'node_modules/typescript/bin/tsc'), '-p', consumer], consumer);
  const colored = run(process.execPath, [path.join(consumer, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter', 'verbose'], consumer);
  const out = colored.replace(/\u001b\[[0-9;]*m/g, '');
  expect(out).toContain('logs in and reads the default cloud through msw');
  expect(out).toContain('creates a pool over HTTP');
  expect(out).toMatch(/Tests\s+2 passed/);
}

/** The installed avisim: a real copy whose msw is the consumer's (a peer, never a second one). */
function checkInstalledCopy(): string {
  const installed = path.join(consumer, 'node_modules', 'avisim');
  expect(lstatSync(installed).isSymbolicLink()).toBe(false);
  expect(existsSync(path.join(installed, 'node_modules', 'msw'))).toBe(false);
  const fromAvisim = createRequire(path.join(installed, 'dist/server/msw.js')).resolve('msw');
  expect(fromAvisim.startsWith(path.join(consumer, 'node_modules', 'msw') + path.sep)).toBe(true);
  return installed;
}

beforeAll(() => {
  consumer = mkdtempSync(path.join(tmpdir(), 'avisim-consumer-'));
  for (const [name, text] of Object.entries(CONSUMER_FILES)) writeFileSync(path.join(consumer, name), text);
  // from a path: --install-links packs the checkout (its prepare step builds) and installs that
  npmInstall('--install-links', ...TOOLCHAIN, ROOT);
}, SLOW);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
}, SLOW);

describe('the package', () => {
  it('installs from a path: type-checks and runs both entry points', () => {
    checkInstalledCopy();
    checkConsumer();
  }, SLOW);

  it('installs from git: the clone is built by its prepare step', () => {
    const head = run('git', ['rev-parse', 'HEAD'], ROOT).trim();
    npmInstall(`git+file://${ROOT}#${head}`);
    const installed = checkInstalledCopy();
    expect(JSON.parse(readFileSync(path.join(consumer, 'package.json'), 'utf8')).dependencies.avisim).toMatch(/^git\+file:/);
    expect(existsSync(path.join(installed, 'dist/server/cli.js'))).toBe(true);
    checkConsumer();
  }, SLOW);

  it('packs the built server, its types, the spec, the seeds and the license; no bench, no source maps', () => {
    const [packed] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT));
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'openapi/avi.json', 'seeds/fresh-controller.yaml', 'dist/ui/index.html']) expect(files).toContain(f);
    for (const target of Object.values(pkg.exports) as (string | Record<string, string>)[]) {
      for (const file of typeof target === 'string' ? [target] : Object.values(target)) expect(files).toContain(file.replace(/^\.\//, ''));
    }
    expect(files).toContain(pkg.bin.avisim);
    expect(files.filter((f) => f.startsWith('dist/bench') || f.endsWith('.map') || /^(server|test|scripts|bench)\//.test(f))).toEqual([]);
    // What is shipped points at no source map either (its sources are not shipped).
    const installed = path.join(consumer, 'node_modules', 'avisim', 'dist', 'server');
    const js = (readdirSync(installed, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(20);
    expect(js.filter((f) => readFileSync(path.join(installed, f), 'utf8').includes('sourceMappingURL'))).toEqual([]);
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(pkg.peerDependencies.msw).toBeDefined();
    expect(pkg.dependencies.msw).toBeUndefined();
  });
});

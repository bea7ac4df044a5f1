/**
 * How `avisim replay` ends when it cannot do what was asked, and how it reports a mismatch:
 * no exchanges (2), an unreachable target (2, "could not run"), an HTTPS target whose
 * self-signed certificate is not trusted (2, suggesting --insecure), output into a pipe closed
 * early (ends quietly), a refused write (the target's body shown), and a body mismatch (headed
 * by the paths that differ).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../server/record/commands.js';
import { startAvisim, type StartedAvisim } from '../server/testing.js';

const PASSWORD = 'Replay-exits-pw-3141';
const dir = mkdtempSync(path.join(tmpdir(), 'avisim-replay-exits-'));
let plain: StartedAvisim;
let secure: StartedAvisim;

beforeAll(async () => {
  [plain, secure] = await Promise.all([startAvisim({ adminPassword: PASSWORD }), startAvisim({ https: true, adminPassword: PASSWORD })]);
});
afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
});

function scenario(name: string, exchanges: unknown[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, dump({ name: 'replay-exits', exchanges }));
  return file;
}

const login = { session: 1, request: { method: 'POST', path: '/login', body: { username: 'admin', password: '<scrubbed>' } }, response: { status: 200 } };
const version = { request: { method: 'GET', path: '/api/initial-data' }, response: { status: 200 } };

async function replayCli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runReplay([...args, '--password', PASSWORD], (t) => (out += t), (t) => (err += t));
  return { status, out, err };
}

describe('avisim replay exit paths', () => {
  it('a file without exchanges is an error (2), whatever the target', async () => {
    const r = await replayCli(scenario('empty.yaml', []), '--target', plain.url);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/empty\.yaml has no exchanges to replay/);
    expect(r.out).toBe('');
  });

  it('an unreachable target is "could not run" (2), not a mismatch', async () => {
    // a port that was free a moment ago: nothing listens there
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = s.address() as { port: number };
        s.close(() => resolve(p));
      });
    });
    const r = await replayCli(scenario('two.yaml', [version, version]), '--target', `http://127.0.0.1:${port}`);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/could not run: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(r.out).toBe('');
  });

  it('an HTTPS target with a self-signed certificate suggests --insecure (2); with it the replay runs', async () => {
    const file = scenario('tls.yaml', [version]);
    const r = await replayCli(file, '--target', secure.url);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/could not run: the target's certificate is not trusted \(\w+.*\).*--insecure/);
    const ok = await replayCli(file, '--target', secure.url, '--insecure');
    expect(ok.err).toBe('');
    expect(ok.out).toMatch(/^✗ 1 GET \/api\/initial-data: \$ differs \(status 200 as recorded\)$/m);
  });

  it('a 409 shows the target’s body, which says why', async () => {
    const c = plain.client;
    expect((await c.post('/api/pool', { name: 'taken' })).status).toBe(201);
    const create = { session: 1, request: { method: 'POST', path: '/api/pool', body: { name: 'taken' } }, response: { status: 201, body: { name: 'taken' } } };
    const r = await replayCli(scenario('conflict.yaml', [login, create]), '--target', plain.url);
    expect(r.status).toBe(1);
    expect(r.out).toContain(
      '✗ 2 POST /api/pool: status 409, recorded 201\n    the target answered: {"error":"Pool with this Name, Tenant ref and Cloud ref already exists."}\n',
    );
  });

  it('a body mismatch is headed by the paths that differ, not by two equal statuses', async () => {
    const list = {
      session: 1,
      request: { method: 'GET', path: '/api/tenant?name=admin&fields=name' },
      response: { status: 200, body: { count: 1, results: [{ name: 'admin-renamed' }] } },
    };
    const r = await replayCli(scenario('mismatch.yaml', [login, list]), '--target', plain.url);
    expect(r.status).toBe(1);
    const lines = r.out.split('\n');
    const head = lines.findIndex((l) => l.startsWith('✗ 2 '));
    expect(lines[head]).toMatch(/^✗ 2 GET \/api\/tenant\?name=admin&fields=name: \$\.results\[0\]\.name(, \S+)* differs? \(status 200 as recorded\)$/);
    expect(lines[head]).not.toMatch(/expected 200 got 200/);
    expect(lines.slice(head + 1)).toContain('    $.results[0].name: expected "admin-renamed" got "admin"');
  });

  it('output into a pipe closed early ends quietly', async () => {
    const file = scenario('many.yaml', Array.from({ length: 400 }, () => version));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'replay', file, '--target', plain.url], {
      cwd: path.resolve(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    // the reader takes the first line and goes away, as `| head -1` does
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});

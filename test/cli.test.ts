/**
 * The program as a user starts it: a real process listening on a port, reached with a plain
 * HTTP client (fetch), printing where it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Starts `avisim` from source and resolves with its printed API URL. */
function startCli(args: string[]): Promise<{ child: ChildProcess; apiUrl: string; output: () => string }> {
  // The HTTPS listener (default 8443) takes a free port too, so processes started at once don't
  // collide; the first "Avi API:" line stays the plain HTTP one.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--https-port', '0', ...args], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      // The banner ends with the user line; wait for all of it (it may arrive in pieces).
      const m = /Avi API:\s+(\S+)[\s\S]*user:.*\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, apiUrl: m[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

describe('the avisim command', () => {
  it('prints its URL and user, and serves the Avi API over plain HTTP', async () => {
    const { apiUrl, output } = await startCli(['--port', '0', '--host', '127.0.0.1']);
    expect(output()).toMatch(/user:\s+admin/);
    const res = await fetch(`${apiUrl}cloud?name=Default-Cloud`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.count).toBe(1);
    const created = await fetch(`${apiUrl}pool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-cli' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/\/api\/pool\/pool-[0-9a-f-]{36}#from-cli$/);
  });

  it('keeps state across a graceful restart with --state-file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-cli-')), 'state.json');
    const first = await startCli(['--port', '0', '--host', '127.0.0.1', '--state-file', file]);
    const created = await fetch(`${first.apiUrl}pool`, { method: 'POST', body: JSON.stringify({ name: 'kept' }) });
    expect(created.status).toBe(201);
    const exited = new Promise((r) => first.child.on('exit', r));
    first.child.kill('SIGTERM');
    await exited;
    const second = await startCli(['--port', '0', '--host', '127.0.0.1']);
    // Without the file a new process starts fresh ...
    expect(((await (await fetch(`${second.apiUrl}pool?name=kept`)).json()) as any).count).toBe(0);
    // ... with it, the pool is back (the env variable works like the flag).
    const third = await startCliEnv({ AVISIM_STATE_FILE: file });
    expect(((await (await fetch(`${third.apiUrl}pool?name=kept`)).json()) as any).count).toBe(1);
  });

  it('lists every flag and its environment variable in --help', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--help'], {
      cwd: path.resolve(import.meta.dirname, '..'),
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.on('exit', r));
    for (const flag of ['--port', '--host', '--scenario', '--seed', '--state-file']) expect(out).toContain(flag);
    for (const env of ['AVISIM_PORT', 'AVISIM_HOST', 'AVISIM_SCENARIO', 'AVISIM_SEED', 'AVISIM_STATE_FILE']) expect(out).toContain(env);
  });
});

async function startCliEnv(env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await startCli(['--port', '0', '--host', '127.0.0.1']);
  } finally {
    process.env = saved;
  }
}

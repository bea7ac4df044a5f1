/**
 * The program as a user starts it: a real process listening on a port, reached with a plain
 * HTTP client (fetch), printing where it serves.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, spawnCli } from './support/cli.js';
import { fetchLogin, TEST_PASSWORD } from './support/session.js';

afterEach(killAll);

/** Starts `avisim` from source and resolves with its printed API URL. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; apiUrl: string; output: () => string }> {
  // The HTTPS listener (default 8443) takes a free port too, so processes started at once don't
  // collide; the first "Avi API:" line stays the plain HTTP one.
  const avisim = spawnCli(['--https-port', '0', '--password', TEST_PASSWORD, ...args]);
  // The banner ends with the user line; wait for all of it (it may arrive in pieces).
  const m = await avisim.waitFor(/Avi API:\s+(\S+)[\s\S]*user:.*\n/);
  return { child: avisim.child, apiUrl: m[1]!, output: avisim.output };
}

describe('the avisim command', () => {
  it('prints its URL and credentials, and serves the Avi API over plain HTTP to a logged-in client', async () => {
    const { apiUrl, output } = await startCli(['--port', '0', '--host', '127.0.0.1']);
    expect(output()).toMatch(new RegExp(`user:\\s+admin\\s+password: ${TEST_PASSWORD}`));
    const base = apiUrl.replace(/\/api\/$/, '');
    expect((await fetch(`${apiUrl}cloud?name=Default-Cloud`)).status).toBe(401);
    const session = await fetchLogin(base);
    const res = await fetch(`${apiUrl}cloud?name=Default-Cloud`, { headers: session });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.count).toBe(1);
    const created = await fetch(`${apiUrl}pool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...session },
      body: JSON.stringify({ name: 'from-cli' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/\/api\/pool\/pool-[0-9a-f-]{36}#from-cli$/);
    // Outside the API: the control plane, and 501 for what nothing serves.
    const coverage = (await (await fetch(`${base}/_mock/coverage`)).json()) as any;
    expect(coverage.totals.generic).toBeGreaterThan(900);
    const nothing = await fetch(`${base}/nothing/here`);
    expect(nothing.status).toBe(501);
    expect(await nothing.json()).toEqual({ error: 'not implemented by the fake: GET /nothing/here' });
  });

  it('guards the control plane with --mock-token, and turns it off with AVISIM_MOCK=off', async () => {
    const guarded = await startCli(['--port', '0', '--host', '127.0.0.1', '--mock-token', 'tok-1']);
    const base = guarded.apiUrl.replace(/\/api\/$/, '');
    expect(guarded.output()).toContain('needs X-Mock-Token');
    expect((await fetch(`${base}/_mock/reset`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/_mock/reset`, { method: 'POST', headers: { 'X-Mock-Token': 'tok-1' } })).status).toBe(200);

    const saved = process.env;
    process.env = { ...saved, AVISIM_MOCK: 'off' };
    try {
      const off = await startCli(['--port', '0', '--host', '127.0.0.1']);
      const offBase = off.apiUrl.replace(/\/api\/$/, '');
      expect(off.output()).toContain('control:   off');
      expect((await fetch(`${offBase}/_mock/reset`, { method: 'POST' })).status).toBe(501);
    } finally {
      process.env = saved;
    }
  });

  it('generates and prints an admin password when none is given', async () => {
    const child = spawnCli(['--port', '0', '--https-port', 'off', '--host', '127.0.0.1'], { env: { AVISIM_PASSWORD: '' } });
    const out = (await child.waitFor(/user:.*\n/)).input;
    const password = /password: (\S+)/.exec(out)![1]!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const base = /Avi API:\s+(\S+)\/api\//.exec(out)![1]!;
    await expect(fetchLogin(base, password)).resolves.toHaveProperty('X-CSRFToken');
  });

  it('keeps state across a graceful restart with --state-file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-cli-')), 'state.json');
    const first = await startCli(['--port', '0', '--host', '127.0.0.1', '--state-file', file]);
    const firstBase = first.apiUrl.replace(/\/api\/$/, '');
    const created = await fetch(`${first.apiUrl}pool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await fetchLogin(firstBase)) },
      body: JSON.stringify({ name: 'kept' }),
    });
    expect(created.status).toBe(201);
    const exited = new Promise((r) => first.child.on('exit', r));
    first.child.kill('SIGTERM');
    await exited;
    const count = async (apiUrl: string) => {
      const headers = await fetchLogin(apiUrl.replace(/\/api\/$/, ''));
      return ((await (await fetch(`${apiUrl}pool?name=kept`, { headers })).json()) as any).count;
    };
    const second = await startCli(['--port', '0', '--host', '127.0.0.1']);
    // Without the file a new process starts fresh ...
    expect(await count(second.apiUrl)).toBe(0);
    // ... with it, the pool is back (the env variable works like the flag).
    const third = await startCliEnv({ AVISIM_STATE_FILE: file });
    expect(await count(third.apiUrl)).toBe(1);
  });

  it('lists every flag and its environment variable in --help', async () => {
    const child = spawnCli(['--help']);
    await child.exited;
    const out = child.output();
    for (const flag of ['--port', '--host', '--scenario', '--seed', '--state-file', '--password', '--idle-timeout']) expect(out).toContain(flag);
    for (const env of ['AVISIM_PORT', 'AVISIM_HOST', 'AVISIM_SCENARIO', 'AVISIM_SEED', 'AVISIM_STATE_FILE', 'AVISIM_PASSWORD', 'AVISIM_IDLE_TIMEOUT']) expect(out).toContain(env);
    for (const flag of ['--scenario-dir', '--headers-timeout', '--request-timeout', '--journal-bytes']) expect(out).toContain(flag);
    for (const env of ['AVISIM_SCENARIO_DIR', 'AVISIM_HEADERS_TIMEOUT', 'AVISIM_REQUEST_TIMEOUT', 'AVISIM_JOURNAL_BYTES']) expect(out).toContain(env);
    expect(out).toContain('default 127.0.0.1');
  });
});

describe('what the command exposes', () => {
  /** Resolves when the server closes a connection that sent half a request head. */
  const cutOff = (base: string) =>
    new Promise<void>((resolve) => {
      const u = new URL(base);
      const s = connect({ host: u.hostname, port: Number(u.port) }, () => s.write('GET /api/cluster/status HTTP/1.1\r\nHost: x\r\n'));
      s.on('error', () => {});
      s.resume(); // reads the 408, then sees the close
      s.on('close', () => resolve());
    });

  it('listens on 127.0.0.1 by default; cuts off slow clients after --headers-timeout; loads --scenario-dir scenarios by name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'avisim-cli-dir-'));
    writeFileSync(path.join(dir, 'lab.yaml'), 'extends: fresh-controller\nname: lab\n');
    const { apiUrl, output } = await startCli(['--port', '0', '--headers-timeout', '300', '--request-timeout', '600', '--scenario-dir', dir]);
    expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(output()).not.toContain('open to every client');
    const base = apiUrl.replace(/\/api\/$/, '');
    await cutOff(base);
    const loaded = await fetch(`${base}/_mock/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'lab' }) });
    expect(loaded.status).toBe(200);
    const byPath = await fetch(`${base}/_mock/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: path.join(dir, 'lab.yaml') }) });
    expect(byPath.status).toBe(400);
  });

  it('the environment twins: AVISIM_HOST=0.0.0.0 (said to be open), AVISIM_HEADERS_TIMEOUT, AVISIM_SCENARIO_DIR', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'avisim-cli-dir-'));
    writeFileSync(path.join(dir, 'env-lab.yaml'), 'extends: fresh-controller\nname: env-lab\n');
    const saved = process.env;
    process.env = { ...saved, AVISIM_HOST: '0.0.0.0', AVISIM_HEADERS_TIMEOUT: '300', AVISIM_REQUEST_TIMEOUT: '600', AVISIM_SCENARIO_DIR: dir };
    try {
      const { apiUrl, output } = await startCli(['--port', '0']);
      expect(output()).toContain('open to every client that can reach this port');
      const base = apiUrl.replace(/\/api\/$/, '');
      await cutOff(base);
      const loaded = await fetch(`${base}/_mock/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'env-lab' }) });
      expect(loaded.status).toBe(200);
    } finally {
      process.env = saved;
    }
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

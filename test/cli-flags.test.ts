/**
 * The command's settings checking themselves (--seed, --basic-auth, the config file), its
 * --version, and the console line it writes for each request.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInvocation, type Settings } from '../server/cli/args.js';
import { Engine } from '../server/engine.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

interface Running {
  base: string;
  /** everything printed so far, stdout and stderr */
  output: () => string;
  /** resolves once the output matches */
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
}

function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--https-port', 'off', '--host', '127.0.0.1', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not printed: ${pattern}\n${out}`)), 25_000);
      const check = () => {
        const m = pattern.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else waiters.push(check);
      };
      check();
    });
  return waitFor(/Avi API:\s+(http:\/\/\S+)\/api\/[\s\S]*NSX user:.*\n/).then((m) => ({ base: m[1]!, output: () => out, waitFor }));
}

const basic = (password: string) => ({ Authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });

function settings(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = mkdtempSync(path.join(tmpdir(), 'avisim-cwd-'))): Settings {
  const asked = readInvocation(argv, env, cwd);
  if (asked.action !== 'serve') throw new Error(`not a serving invocation: ${asked.action}`);
  return asked.settings;
}

describe('avisim --version', () => {
  it('prints the package version and the controller version it emulates, each named', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`avisim ${pkg.version}  (package version)`);
    expect(run.stdout).toContain('Avi controller 30.2.1  (emulated API version, scenario fresh-controller)');
    const other = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', '-v', '--scenario', 'nsxt-tkgi'], { cwd: ROOT, encoding: 'utf8' });
    expect(other.stdout).toContain('Avi controller 22.1.4  (emulated API version, scenario nsxt-tkgi)');
  });
});

describe('the console', () => {
  it('writes one JSON line per request, with sandbox and timing, and no secret from the query', async () => {
    const cli = await startCli(['--log-format', 'json', '--mock-token', 'control-secret-1']);
    await fetch(`${cli.base}/api/user-token?token=very-secret-token-1`, { method: 'DELETE' });
    await fetch(`${cli.base}/_mock/reset`, { method: 'POST', headers: { 'X-Mock-Token': 'control-secret-1', 'X-Mock-Sandbox': 'team-a' } });
    const [line] = await cli.waitFor(/^\{.*"\/_mock\/reset".*\}$/m);
    const reset = JSON.parse(line);
    expect(reset).toMatchObject({ level: 30, method: 'POST', path: '/_mock/reset', status: 200, sandbox: 'team-a' });
    expect(typeof reset.ms).toBe('number');
    expect(new Date(reset.time).getTime()).not.toBeNaN();
    const first = JSON.parse((await cli.waitFor(/^\{.*"\/api\/user-token.*\}$/m))[0]);
    expect(first).toMatchObject({ method: 'DELETE', path: '/api/user-token?token=<scrubbed>', status: 401 });
    expect(cli.output()).not.toContain('very-secret-token-1');
    expect(cli.output()).not.toContain('control-secret-1');
  });

  it('writes readable lines with --log-format pretty, and only failures at --log-level warn', async () => {
    const cli = await startCli(['--log-format', 'pretty', '--log-level', 'warn']);
    expect((await fetch(`${cli.base}/api/cloud`)).status).toBe(401);
    expect((await fetch(`${cli.base}/nothing/here`)).status).toBe(501);
    const [line] = await cli.waitFor(/^.*\/nothing\/here.*$/m);
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} GET \/nothing\/here 501 [\d.]+ ms$/);
    // Lines are written in the order requests finish: the 401 before it (info) was not logged.
    expect(cli.output()).not.toContain('/api/cloud');
  });

  it('refuses a log level or format it does not know', () => {
    expect(() => settings(['--log-level', 'verbose'])).toThrow('--log-level / AVISIM_LOG_LEVEL must be one of silent, error, warn, info, debug, got "verbose"');
    expect(() => settings(['--log-format', 'xml'])).toThrow('must be one of auto, pretty, json');
  });
});

describe('--seed', () => {
  it('takes a whole number as it is and any other text as text', () => {
    expect(settings(['--seed', '42']).engine.seed).toBe(42);
    expect(settings(['--seed', '4294967295']).engine.seed).toBe(4294967295);
    for (const text of ['abc', '042', '-1', '1.5', '1e3', '4294967296', ' 7', 'NaN']) expect(settings([`--seed=${text}`]).engine.seed).toBe(text);
    expect(settings([], { AVISIM_SEED: 'from-env' }).engine.seed).toBe('from-env');
    expect(() => settings(['--seed', ''])).toThrow('--seed / AVISIM_SEED must be a whole number 0-4294967295 or a non-empty text, got ""');
  });

  it('gives different texts different sequences, and the same text the same one', async () => {
    const cloudUuid = async (seed: number | string) => {
      const engine = await Engine.create({ seed });
      return [...engine.store.collection('cloud').values()].find((r) => r.data.name === 'Default-Cloud')!.uuid;
    };
    const [a, again, b, n] = await Promise.all([cloudUuid('alpha'), cloudUuid('alpha'), cloudUuid('beta'), cloudUuid(0)]);
    expect(again).toBe(a);
    expect(b).not.toBe(a);
    expect(n).not.toBe(a);
    expect(new Set([a, b, n]).size).toBe(3);
  });
});

describe('--basic-auth and the config file', () => {
  it('--basic-auth accepts Basic credentials from the start, after a reset and in a sandbox', async () => {
    const cli = await startCli(['--basic-auth', '--password', 'basic-pw-1']);
    expect((await fetch(`${cli.base}/api/cloud`, { headers: basic('basic-pw-1') })).status).toBe(200);
    expect((await fetch(`${cli.base}/api/cloud`, { headers: basic('wrong-password') })).status).toBe(401);
    expect((await fetch(`${cli.base}/_mock/reset`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${cli.base}/api/cloud`, { headers: basic('basic-pw-1') })).status).toBe(200);
    expect((await fetch(`${cli.base}/api/cloud`, { headers: { ...basic('basic-pw-1'), 'X-Mock-Sandbox': 'sb-1' } })).status).toBe(200);
    expect(cli.output()).toContain('or HTTP Basic (--basic-auth)');
  });

  it('serves with the settings of --config, flags winning over it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'avisim-config-'));
    const file = path.join(dir, 'ci.yaml');
    writeFileSync(file, 'basic-auth: true\npassword: from-file\nlog-format: json\nmock: false\n');
    const cli = await startCli(['--config', file, '--password', 'from-flag']);
    expect(cli.output()).toContain(`config:    ${file}`);
    expect(cli.output()).toContain('control:   off (--mock off)');
    expect((await fetch(`${cli.base}/api/cloud`, { headers: basic('from-flag') })).status).toBe(200);
    expect((await fetch(`${cli.base}/api/cloud`, { headers: basic('from-file') })).status).toBe(401);
    await cli.waitFor(/^\{.*"\/api\/cloud".*"status":401.*\}$/m);
  });

  it('reads avisim.config.yaml from the working directory; flags, then the environment, win over it', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'avisim-cwd-'));
    writeFileSync(path.join(cwd, 'avisim.config.yaml'), 'seed: ci-run\nport: 9090\nhttps-port: off\nbasic-auth: on\nidle-timeout: 5\n');
    const fromFile = settings([], {}, cwd);
    expect(fromFile).toMatchObject({ httpPort: 9090, httpsPort: undefined, configFile: path.join(cwd, 'avisim.config.yaml') });
    expect(fromFile.engine).toMatchObject({ seed: 'ci-run', basicAuth: true, idleTimeoutMinutes: 5 });
    expect(settings([], { AVISIM_PORT: '7070' }, cwd).httpPort).toBe(7070);
    expect(settings(['--port', '6060'], { AVISIM_PORT: '7070' }, cwd).httpPort).toBe(6060);
    expect(settings(['--seed', '3'], {}, cwd).engine.seed).toBe(3);
  });

  it('names the file and the key of a setting it cannot take', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'avisim-cwd-'));
    const file = path.join(cwd, 'avisim.config.yaml');
    writeFileSync(file, 'prot: 8080\n');
    expect(() => settings([], {}, cwd)).toThrow(`config ${file}: unknown key "prot" (the keys are the flags' names: port, https-port,`);
    writeFileSync(file, '__proto__: { port: 1 }\n');
    expect(() => settings([], {}, cwd)).toThrow('unknown key "__proto__"');
    writeFileSync(file, 'port: [1, 2]\n');
    expect(() => settings([], {}, cwd)).toThrow(`config ${file}: port must be a text, a number or true/false, got [1,2]`);
    writeFileSync(file, 'port: 70000\n');
    expect(() => settings([], {}, cwd)).toThrow('--port / AVISIM_PORT must be a port number (0-65535, 0 picks a free one) or "off", got "70000"');
    writeFileSync(file, '- port\n');
    expect(() => settings([], {}, cwd)).toThrow('must be a mapping of flag names to values');
    expect(() => settings(['--config', 'missing.yaml'], {}, cwd)).toThrow('--config / AVISIM_CONFIG: missing.yaml does not exist');
  });
});

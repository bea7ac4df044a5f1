/**
 * The banner's URLs as a client outside a container (or behind a proxy) reaches them:
 * AVISIM_PUBLIC_URL and AVISIM_PUBLIC_PORTS, unit by unit, then printed by the real program.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publicBase, publicOwnPort, publicSettings, toPublic } from '../server/http/public-urls.js';

const LOCAL = [
  { base: 'http://localhost:8080', note: '' },
  { base: 'https://localhost:8443', note: '  (self-signed)' },
];
const copy = () => LOCAL.map((l) => ({ ...l }));

describe('publicSettings / toPublic', () => {
  it('without settings keeps the local addresses', () => {
    const lines = copy();
    toPublic(lines, {});
    expect(lines).toEqual(LOCAL);
    expect(publicOwnPort('https://localhost:8444', publicSettings({}))).toBe('https://localhost:8444');
  });

  it('maps ports as -p publishes them, with or without a host address', () => {
    const lines = copy();
    toPublic(lines, { AVISIM_PUBLIC_PORTS: '18080:8080, 127.0.0.1:18443:8443/tcp' });
    expect(lines).toEqual([
      { base: 'http://localhost:18080', note: '' },
      { base: 'https://127.0.0.1:18443', note: '  (self-signed)' },
    ]);
    const settings = publicSettings({ AVISIM_PUBLIC_PORTS: '0.0.0.0:9000:8080,[::1]:9443:8443,[::]:9444:8444' });
    expect(publicBase('http://localhost:8080', settings)).toBe('http://localhost:9000');
    expect(publicBase('https://localhost:8443', settings)).toBe('https://[::1]:9443');
    expect(publicOwnPort('https://localhost:8444', settings)).toBe('https://localhost:9444');
  });

  it('drops listeners the mapping leaves unpublished, but never all of them', () => {
    const lines = copy();
    toPublic(lines, { AVISIM_PUBLIC_PORTS: '9443:8443' });
    expect(lines).toEqual([{ base: 'https://localhost:9443', note: '  (self-signed)' }]);
    const none = copy();
    toPublic(none, { AVISIM_PUBLIC_PORTS: '9999:9999' });
    expect(none).toEqual(LOCAL);
  });

  it('a public URL stands for the listener of its scheme; mapped ports fill in the rest', () => {
    const lines = copy();
    toPublic(lines, { AVISIM_PUBLIC_URL: 'https://avi.lab:9443/' });
    expect(lines).toEqual([{ base: 'https://avi.lab:9443', note: '  (self-signed)' }]);

    const both = copy();
    toPublic(both, { AVISIM_PUBLIC_URL: 'https://avi.lab/sim/', AVISIM_PUBLIC_PORTS: '18080:8080' });
    expect(both.map((l) => l.base)).toEqual(['http://localhost:18080', 'https://avi.lab/sim']);
    // The NSX manager's own port is not what a public URL names.
    expect(publicOwnPort('https://localhost:8444', publicSettings({ AVISIM_PUBLIC_URL: 'https://avi.lab' }))).toBe('https://localhost:8444');
  });

  it('refuses what it cannot use, naming the setting', () => {
    for (const [env, message] of [
      [{ AVISIM_PUBLIC_URL: 'avi.lab:8443' }, /AVISIM_PUBLIC_URL: "avi.lab:8443" must be http/],
      [{ AVISIM_PUBLIC_URL: 'not a url' }, /AVISIM_PUBLIC_URL: "not a url" is not a URL/],
      [{ AVISIM_PUBLIC_URL: 'ftp://avi.lab' }, /must be http:\/\/ or https:\/\//],
      [{ AVISIM_PUBLIC_URL: 'https://u:p@avi.lab' }, /without credentials, query or fragment/],
      [{ AVISIM_PUBLIC_URL: 'https://a.lab,https://b.lab' }, /two https URLs/],
      [{ AVISIM_PUBLIC_PORTS: '8443' }, /AVISIM_PUBLIC_PORTS: "8443" is not a port mapping/],
      [{ AVISIM_PUBLIC_PORTS: '70000:8443' }, /"70000:8443" is not a port mapping/],
      [{ AVISIM_PUBLIC_PORTS: '18443:8443/udp' }, /not a port mapping/],
    ] as const) {
      expect(() => publicSettings(env)).toThrow(message);
    }
  });
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Runs the program until its banner is complete (or it exits), and returns what it printed. */
function banner(env: Record<string, string>): Promise<{ out: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--https-port', '0', '--password', 'public-urls-1'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/NSX user:.*\n/.test(out)) {
        clearTimeout(timer);
        resolve({ out, code: null });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}

describe('the banner', () => {
  it('prints AVISIM_PUBLIC_URL for the API, the control plane and the NSX stub', async () => {
    const { out } = await banner({ AVISIM_PUBLIC_URL: 'https://avi.lab:9443' });
    expect(out).toMatch(/^ {2}Avi API: {3}https:\/\/avi\.lab:9443\/api\/ {2}\(self-signed/m);
    expect(out).not.toMatch(/Avi API:\s+http:\/\//);
    expect(out).toContain('  control:   https://avi.lab:9443/_mock');
    expect(out).toContain('  NSX API:   https://avi.lab:9443/policy/api/v1/');
  });

  it('a bad setting stops the start with a message that names it', async () => {
    const { out, code } = await banner({ AVISIM_PUBLIC_PORTS: '8443' });
    expect(code).toBe(1);
    expect(out).toContain('AVISIM_PUBLIC_PORTS: "8443" is not a port mapping');
  });
});

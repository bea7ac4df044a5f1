/**
 * `avisim validate`: a scenario is checked without serving it, and each problem is reported at
 * the file, line and column where it was written, with its field path. Exit status 0 valid,
 * 1 invalid, 2 could not run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runValidate } from '../server/check/command.js';

const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'avisim-validate-'));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function validate(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runValidate(args, (t) => (out += t), (t) => (err += t));
  return { status, out, err };
}

/** The `file:line:column: severity: path: message` lines. */
const lines = (out: string) => out.split('\n').filter((l) => /^[^\s:]+:\d+:\d+: /.test(l));

describe('avisim validate', () => {
  it('passes every scenario shipped (warnings of the built-in ones are theirs, not shown for files extending them)', async () => {
    const r = await validate('seeds/nsxt-tkgi.yaml', 'seeds/vcenter-vrf-az1.yaml', 'test/fixtures/two-users.yaml', 'routable-pods-nsxt');
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(lines(r.out)).toEqual([]);
    expect(r.out).toContain('seeds/nsxt-tkgi.yaml: valid\n');
  });

  it('names the line, column and field path of an enum value inside an object, and of every such object', async () => {
    const f = file(
      'enum.yaml',
      [
        'extends: fresh-controller',
        'objects:',
        '  - pool:',
        '      name: web',
        '      lb_algorithm: LB_ALGORITHM_FASTEST',
        '  - pool:',
        '      name: api',
        '      servers:',
        '        - ip: { addr: 10.0.0.1, type: V4 }',
        '          port: eighty',
        '',
      ].join('\n'),
    );
    const r = await validate(f);
    expect(r.status).toBe(1);
    const found = lines(r.out);
    expect(found[0]).toMatch(/^\S*enum\.yaml:5:7: error: objects\[0\]\.pool\.lb_algorithm: Invalid data: field 'lb_algorithm' /);
    expect(found[1]).toMatch(/^\S*enum\.yaml:10:11: error: objects\[1\]\.pool\.servers\[0\]\.port: Invalid data: field 'servers\[0\]\.port' /);
    expect(r.out).toMatch(/enum\.yaml: invalid \(2 errors\)\n$/);
  });

  it('reports a ref that names nothing where the ref was written', async () => {
    const f = file('ref.yaml', ['extends: fresh-controller', 'objects:', '  - pool:', '      name: web', '      health_monitor_refs: [/api/healthmonitor?name=System-Ping, /api/healthmonitor?name=no-such-monitor]', ''].join('\n'));
    const r = await validate(f);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual([expect.stringMatching(/^\S*ref\.yaml:5:66: error: objects\[0\]\.pool\.health_monitor_refs\[1\]: field 'health_monitor_refs\[1\]': HealthMonitor object not found!$/)]);
  });

  it('reports a misspelt key of the structure at the key', async () => {
    const f = file('key.yaml', ['name: lab', 'controller:', '  version: 22.1.4', '  licence_tier: ENTERPRISE', ''].join('\n'));
    const r = await validate(f);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual([expect.stringMatching(/^\S*key\.yaml:4:3: error: controller\.licence_tier: unknown key 'licence_tier'/)]);
  });

  it('reports a YAML syntax error at the parser’s place', async () => {
    const f = file('syntax.yaml', ['objects:', '  - pool:', '      name: web', '     bad: [', ''].join('\n'));
    const r = await validate(f);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual([expect.stringMatching(/^\S*syntax\.yaml:\d+:\d+: error: is not valid YAML: /)]);
    expect(lines(r.out)[0]).not.toMatch(/syntax\.yaml:1:1:/);
  });

  it('places problems in JSON files too, and in the file that is extended', async () => {
    const base = file('base.json', JSON.stringify({ objects: [{ vsvip: { name: 'v', vip: [{ vip_id: '1', ip_address: { addr: '10.0.0.300', type: 'V4' } }] } }] }, null, 2));
    const top = file('top.yaml', 'extends: base.json\n');
    const r = await validate(top);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual([expect.stringMatching(/^\S*base\.json:10:15: error: objects\[0\]\.vsvip\.vip\[0\]\.ip_address\.addr: .*not a valid IPv4 address/)]);
  });

  it('warns about a field the schema does not have (the controller drops it) and stays valid', async () => {
    const f = file('unknown.yaml', ['extends: fresh-controller', 'objects:', '  - pool:', '      name: web', '      lb_algoritm: LB_ALGORITHM_ROUND_ROBIN', ''].join('\n'));
    const r = await validate(f);
    expect(r.status).toBe(0);
    expect(lines(r.out)).toEqual([expect.stringMatching(/^\S*unknown\.yaml:5:7: warning: objects\[0\]\.pool\.lb_algoritm: not a field of pool/)]);
  });

  it('exits 2 when it cannot run: no such file, no file given, an unknown option', async () => {
    expect((await validate(path.join(dir, 'missing.yaml'))).status).toBe(2);
    expect((await validate()).status).toBe(2);
    expect((await validate('--bogus', 'x.yaml')).status).toBe(2);
  });

  it('is the CLI’s validate command, its exit status the process’s', () => {
    const f = file('cli.yaml', ['objects:', '  - pool: { name: web, lb_algorithm: NOPE }', ''].join('\n'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'validate', f], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/cli\.yaml:2:24: error: objects\[0\]\.pool\.lb_algorithm: /);
  });
});

/**
 * `avisim --scenario <name>` / `AVISIM_SCENARIO`: a built-in scenario picked by name on the
 * command line, and an unknown name refused with the built-in names listed.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, spawnCli } from './support/cli.js';
import { fetchLogin, TEST_PASSWORD } from './support/session.js';

afterEach(killAll);

/** Runs `avisim` from source; resolves with its output once the banner is out, or when it exits. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ out: string; code?: number | null }> {
  const avisim = spawnCli(['--port', '0', '--https-port', 'off', '--host', '127.0.0.1', '--password', TEST_PASSWORD, ...args], { env });
  const banner = avisim.waitFor(/user:.*\n/).then((m) => ({ out: m.input }));
  const exit = avisim.exited.then((code) => ({ out: avisim.output(), code }));
  return Promise.race([banner, exit]);
}

const apiBase = (out: string) => /Avi API:\s+(http:\/\/\S+)\/api\//.exec(out)![1]!;

describe('avisim --scenario', () => {
  it('serves a built-in scenario given by name', async () => {
    const { out } = await run(['--scenario', 'nsxt-tkgi']);
    expect(out).toMatch(/avisim \S+ ready in \d+ ms: Avi controller 22\.1\.4 \(scenario nsxt-tkgi\)/);
    const base = apiBase(out);
    const headers = await fetchLogin(base);
    const clouds = (await (await fetch(`${base}/api/cloud?name=nsx-t-lhr`, { headers })).json()) as any;
    expect(clouds.results.map((c: any) => c.vtype)).toEqual(['CLOUD_NSXT']);
  });

  it('takes the name from AVISIM_SCENARIO too', async () => {
    const { out } = await run([], { AVISIM_SCENARIO: 'vcenter-vrf-az1' });
    expect(out).toMatch(/avisim \S+ ready in \d+ ms: Avi controller 20\.1\.2 \(scenario vcenter-vrf-az1\)/);
    const base = apiBase(out);
    const vrfs = (await (await fetch(`${base}/api/vrfcontext?name=VRF_AZ1`, { headers: await fetchLogin(base) })).json()) as any;
    expect(vrfs.count).toBe(1);
  });

  it('refuses an unknown name, listing the built-in scenarios, and lists them in --help', async () => {
    const { out, code } = await run(['--scenario', 'tkgm-shared']);
    expect(code).toBe(1);
    expect(out).toMatch(/unknown scenario 'tkgm-shared': not a built-in scenario \(fresh-controller, nsxt-tkgi, routable-pods-nsxt, tkgm-shared-se-group, vcenter-vrf-az1\)/);
    const help = await run(['--help']);
    expect(help.out).toMatch(/--scenario <name>[\s\S]*built-in: fresh-controller, nsxt-tkgi, routable-pods-nsxt, tkgm-shared-se-group, vcenter-vrf-az1/);
  });
});

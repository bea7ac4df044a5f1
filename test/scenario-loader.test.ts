/**
 * Loading scenario files: `extends` (objects replaced in place, controller facts and nsxt merged
 * key by key, faults and exchanges kept raw), objects referring to each other in a cycle, the
 * place an error names (file, object index, type, name, field), unknown keys, and finding a
 * scenario by built-in name or by path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Engine } from '../server/engine.js';
import { builtinScenarios, loadScenario, resolveScenario } from '../server/scenario/load.js';
import { startSim, uuidOf } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');

/** Writes scenario files into a fresh directory; returns their paths by name. */
function files(docs: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'avisim-scenario-'));
  const out: Record<string, string> = {};
  for (const [name, doc] of Object.entries(docs)) {
    out[name] = path.join(dir, name);
    writeFileSync(out[name], typeof doc === 'string' ? doc : dump(doc));
  }
  return out;
}

const failure = async (scenario: string): Promise<string> => {
  const err = await Engine.create({ scenario }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err, 'the scenario should have been refused').toBeInstanceOf(Error);
  return err!.message;
};

describe('extends', () => {
  it('lays the file over a built-in: same type and name replaces in place, so the base\'s refs by name follow it', async () => {
    const f = files({
      'lab.yaml': {
        extends: 'fresh-controller',
        objects: [
          { cloud: { name: 'Default-Cloud', vtype: 'CLOUD_VCENTER', _system: true } },
          { network: { name: 'vip', cloud_ref: '/api/cloud/?name=Default-Cloud' } },
        ],
      },
    });
    const scenario = await loadScenario(f['lab.yaml']!);
    const base = await loadScenario(resolveScenario('fresh-controller'));
    const at = (s: typeof base) => s.objects.findIndex((o) => o.type === 'cloud');
    expect(at(scenario)).toBe(at(base));
    expect(scenario.objects).toHaveLength(base.objects.length + 1);
    expect(scenario.name).toBe('lab');

    const sim = await startSim({ scenario: f['lab.yaml'] });
    const clouds = (await sim.http.get('/api/cloud')).body.results;
    expect(clouds.map((c: any) => [c.name, c.vtype])).toEqual([['Default-Cloud', 'CLOUD_VCENTER']]);
    // fresh-controller's global VRF and Default-Group name Default-Cloud: they are in the new one
    const vrf = (await sim.http.get('/api/vrfcontext?name=global')).body.results[0];
    expect(uuidOf(vrf.cloud_ref)).toBe(clouds[0].uuid);
    const seg = (await sim.http.get('/api/serviceenginegroup?name=Default-Group')).body.results[0];
    expect(uuidOf(seg.cloud_ref)).toBe(clouds[0].uuid);
    // the replaced object keeps what the file says (protected here) and the base's others stay
    expect((await sim.http.delete(`/api/cloud/${clouds[0].uuid}`)).status).toBe(403);
    expect((await sim.http.get('/api/applicationprofile?name=System-HTTP')).body.count).toBe(1);
  });

  it('chains relative paths; controller facts and nsxt merge key by key (the later file wins); faults and exchanges add up', async () => {
    const f = files({
      'base.yaml': {
        extends: 'fresh-controller',
        controller: { version: '22.1.3', cluster: { nodes: [{ ip: '10.0.0.1' }] } },
        nsxt: { credentials: { username: 'nsx', password: 'Base-Pw-1' }, tier1s: [{ id: 'base-t1' }] },
        faults: [{ match: { path: '/api/pool' }, status: 500 }],
        exchanges: [{ request: { method: 'GET', path: '/api/initial-data' }, response: { status: 200 } }],
      },
      'child.yaml': {
        extends: './base.yaml',
        controller: { license_tier: 'ESSENTIALS' },
        nsxt: { tier1s: [{ id: 'child-t1' }] },
        faults: [{ match: { path: '/api/tenant' }, delay_ms: 10 }],
      },
    });
    const s = await loadScenario(f['child.yaml']!);
    expect(s.files.map((x) => path.basename(x))).toEqual(['fresh-controller.yaml', 'base.yaml', 'child.yaml']);
    expect(s.controller).toMatchObject({ version: '22.1.3', build: 9046, license_tier: 'ESSENTIALS' });
    expect(s.controller.cluster!.nodes).toEqual([{ name: '10.0.0.1', ip: '10.0.0.1' }]);
    expect(s.controller.credentials).toEqual([{ username: 'admin' }]);
    expect(s.nsxt).toEqual({ credentials: { username: 'nsx', password: 'Base-Pw-1' }, tier1s: [{ id: 'child-t1' }] });
    expect(s.faults).toEqual([{ match: { path: '/api/pool' }, status: 500 }, { match: { path: '/api/tenant' }, delay_ms: 10 }]);
    // both in force once served
    expect((await (await startSim({ scenario: f['child.yaml'] })).http.get('/_mock/faults')).body.count).toBe(2);
    expect(s.exchanges).toEqual([{ request: { method: 'GET', path: '/api/initial-data' }, response: { status: 200 } }]);

    const sim = await startSim({ scenario: f['child.yaml'] });
    expect((await sim.http.get('/api/initial-data')).body.version.Version).toBe('22.1.3');
    expect((await sim.http.get('/api/systemconfiguration')).body.default_license_tier).toBe('ESSENTIALS');
    expect((await sim.http.get('/api/cluster/runtime')).body.node_states[0].name).toBe('10.0.0.1');
    expect(sim.engine.nsx).toMatchObject({ username: 'nsx', password: 'Base-Pw-1' });
  });

  it('takes a build written as text of digits, as a recording keeps it', async () => {
    const f = files({ 'rec.yaml': { extends: 'fresh-controller', controller: { version: '22.1.3', build: '9046' } } });
    expect((await loadScenario(f['rec.yaml']!)).controller.build).toBe(9046);
    const g = files({ 'bad.yaml': { controller: { build: '9046b' } } });
    await expect(loadScenario(g['bad.yaml']!)).rejects.toThrow(`${g['bad.yaml']}: controller.build: must be a whole number, got "9046b"`);
  });

  it('refuses a cycle and an unknown base, naming the file and the key', async () => {
    const f = files({ 'a.yaml': { extends: './b.yaml' }, 'b.yaml': { extends: './a.yaml' } });
    await expect(loadScenario(f['a.yaml']!)).rejects.toThrow(/b\.yaml: extends: .*a\.yaml -> .*b\.yaml -> .*a\.yaml is a cycle/);
    const g = files({ 'c.yaml': { extends: 'no-such-base' } });
    await expect(loadScenario(g['c.yaml']!)).rejects.toThrow(/c\.yaml: extends: unknown scenario 'no-such-base': not a built-in scenario \(.*fresh-controller.*\)/);
  });
});

describe('objects that refer to each other', () => {
  it('are created in a cycle as an operator would: the cloud first, its IPAM profile once the network exists', async () => {
    const f = files({
      'cycle.yaml': {
        objects: [
          { tenant: { uuid: 'admin', name: 'admin' } },
          // no cloud_ref: the default cloud, which must exist first, though written later
          { serviceenginegroup: { name: 'seg-a' } },
          { cloud: { name: 'Default-Cloud', vtype: 'CLOUD_NONE', ipam_provider_ref: '/api/ipamdnsproviderprofile/?name=ipam', _system: true } },
          {
            ipamdnsproviderprofile: {
              name: 'ipam',
              type: 'IPAMDNS_TYPE_INTERNAL',
              internal_profile: { usable_networks: [{ nw_ref: '/api/network/?name=vip' }] },
            },
          },
          { network: { name: 'vip', cloud_ref: '/api/cloud/?name=Default-Cloud' } },
        ],
      },
    });
    const sim = await startSim({ scenario: f['cycle.yaml'] });
    const cloud = (await sim.http.get('/api/cloud?name=Default-Cloud&include_name')).body.results[0];
    expect(cloud.ipam_provider_ref).toMatch(/#ipam$/);
    const seg = (await sim.http.get('/api/serviceenginegroup?name=seg-a')).body.results[0];
    expect(uuidOf(seg.cloud_ref)).toBe(cloud.uuid);
    const net = (await sim.http.get('/api/network?name=vip')).body.results[0];
    expect(uuidOf(net.cloud_ref)).toBe(cloud.uuid);
  });

  it('still fails, on the right field, when a ref in the cycle names nothing', async () => {
    const f = files({
      'typo.yaml': {
        extends: 'fresh-controller',
        objects: [{ cloud: { name: 'c2', vtype: 'CLOUD_NONE', dns_provider_ref: '/api/ipamdnsproviderprofile/?name=dsn' } }],
      },
    });
    const message = await failure(f['typo.yaml']!);
    expect(message).toBe(`${f['typo.yaml']}: objects[0] cloud 'c2': field 'dns_provider_ref': IpamDnsProviderProfile object not found!`);
  });
});

describe('errors name the file, the object and the field', () => {
  it("an Avi validation error: objects[i] <type> '<name>': field '<field>': the controller's text", async () => {
    const f = files({
      'x.yaml': {
        extends: 'fresh-controller',
        objects: [
          { pool: { name: 'ok' } },
          { healthmonitor: { name: 'hm', type: 'HEALTH_MONITOR_TCP' } },
          { pool: { name: 'api' } },
          { pool: { name: 'web', lb_algorithm: 'LB_ALGORITHM_RANDOMLY' } },
        ],
      },
    });
    const message = await failure(f['x.yaml']!);
    expect(message).toMatch(
      new RegExp(`^${f['x.yaml']}: objects\\[3\\] pool 'web': field 'lb_algorithm': Invalid data: field 'lb_algorithm' value "LB_ALGORITHM_RANDOMLY" is not one of `),
    );
  });

  it('a file inside the working directory is named by its relative path', async () => {
    const message = await failure(path.join(root, 'test/fixtures/scenarios/bad-pool.yaml'));
    expect(message).toMatch(/^test\/fixtures\/scenarios\/bad-pool\.yaml: objects\[1\] pool 'web': field 'lb_algorithm': /);
  });

  it('a ref to nothing: the field holding it, even deep in a list', async () => {
    const f = files({
      'refs.yaml': {
        extends: 'fresh-controller',
        objects: [
          { pool: { name: 'p1', health_monitor_refs: ['/api/healthmonitor/?name=System-TCP', '/api/healthmonitor/?name=System-TPC'] } },
        ],
      },
    });
    expect(await failure(f['refs.yaml']!)).toBe(`${f['refs.yaml']}: objects[0] pool 'p1': field 'health_monitor_refs[1]': HealthMonitor object not found!`);
    const g = files({
      'vip.yaml': {
        extends: 'fresh-controller',
        objects: [{ vsvip: { name: 'v', vip: [{ vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=gone' } }] } }],
      },
    });
    expect(await failure(g['vip.yaml']!)).toBe(`${g['vip.yaml']}: objects[0] vsvip 'v': field 'vip[0].ipam_network_subnet.network_ref': Network object not found!`);
  });

  it('an error in an object of the base names the base file and its index there', async () => {
    const f = files({
      'base.yaml': { objects: [{ tenant: { uuid: 'admin', name: 'admin' } }, { pool: { name: 'p', default_server_port: 70000 } }] },
      'top.yaml': { extends: './base.yaml', objects: [{ pool: { name: 'q' } }] },
    });
    expect(await failure(f['top.yaml']!)).toMatch(new RegExp(`^${f['base.yaml']}: objects\\[1\\] pool 'p': field 'default_server_port': Invalid data: field 'default_server_port' value 70000 is outside the allowed range 1-65535`));
  });

  it('an unknown object type, a duplicate name, a bad license tier', async () => {
    const f = files({
      'type.yaml': { extends: 'fresh-controller', objects: [{ pol: { name: 'x' } }] },
      'dup.yaml': { extends: 'fresh-controller', objects: [{ pool: { name: 'x' } }, { pool: { name: 'x' } }] },
      'tier.yaml': { extends: 'fresh-controller', controller: { license_tier: 'PLATINUM' } },
    });
    expect(await failure(f['type.yaml']!)).toBe(`${f['type.yaml']}: objects[0] pol 'x': unknown object type 'pol'`);
    expect(await failure(f['dup.yaml']!)).toBe(`${f['dup.yaml']}: objects[1] pool 'x': Pool with this Name, Tenant ref and Cloud ref already exists.`);
    expect(await failure(f['tier.yaml']!)).toMatch(
      new RegExp(`^${f['tier.yaml']}: controller\\.license_tier: Invalid data: field 'default_license_tier' value "PLATINUM" is not one of `),
    );
  });

  it('NSX Tier-1s and static routes fail with the NSX error, the route and the field named', async () => {
    const f = files({
      'nsx.yaml': {
        extends: 'fresh-controller',
        nsxt: {
          tier1s: [
            { id: 't1', static_routes: [{ id: 'ok', network: '10.0.0.0/24', next_hops: [{ ip_address: '10.1.1.1' }] }] },
            { id: 't2', static_routes: [{ id: 'r1', network: '10.0.0.0/24', next_hops: [{ ip_address: '10.1.1.1' }] }, { id: 'r2', network: '10.0.0.0/33', next_hops: [] }] },
          ],
        },
      },
      'prop.yaml': { extends: 'fresh-controller', nsxt: { tier1s: [{ id: 't1', tier0: '/infra/tier-0s/x' }] } },
    });
    expect(await failure(f['nsx.yaml']!)).toBe(
      `${f['nsx.yaml']}: nsxt.tier1s[1] 't2': static_routes[1] 'r2': field 'network': 400 255 Field level validation errors: {network: invalid CIDR 10.0.0.0/33}`,
    );
    expect(await failure(f['prop.yaml']!)).toBe(
      `${f['prop.yaml']}: nsxt.tier1s[0] 't1': field 'tier0': 400 287 Json de-serialization error: property tier0 is unrecognized.`,
    );
  });

  it('unknown keys, at the top and inside the sections, are named', async () => {
    const f = files({
      'top.yaml': { name: 'x', object: [] },
      'nsx.yaml': { nsxt: { tier1: [] } },
      'node.yaml': { controller: { cluster: { nodes: [{ ip: '10.0.0.1', role: 'leader' }] } } },
      'broken.yaml': 'objects: [ {pool: }\n',
    });
    await expect(loadScenario(f['top.yaml']!)).rejects.toThrow(`${f['top.yaml']}: unknown key 'object' (allowed: name, description, extends, controller, objects, nsxt, faults, exchanges)`);
    await expect(loadScenario(f['nsx.yaml']!)).rejects.toThrow(`${f['nsx.yaml']}: nsxt: unknown key 'tier1' (allowed: credentials, tier1s)`);
    await expect(loadScenario(f['node.yaml']!)).rejects.toThrow(`${f['node.yaml']}: controller.cluster.nodes[0]: unknown key 'role' (allowed: name, ip)`);
    await expect(loadScenario(f['broken.yaml']!)).rejects.toThrow(new RegExp(`^${f['broken.yaml']}: is not valid YAML: `));
  });
});

describe('NSX static routes in a scenario', () => {
  it('are created on their Tier-1 through the NSX write path (defaults filled)', async () => {
    const f = files({
      'routes.yaml': {
        extends: 'fresh-controller',
        nsxt: {
          credentials: { username: 'admin', password: 'Nsx-Pw-1' },
          tier1s: [
            {
              id: 't1',
              static_routes: [
                { id: 'default', network: '0.0.0.0/0', next_hops: [{ ip_address: '10.1.1.1', admin_distance: 2 }] },
                { id: 'pods', network: '100.96.1.0/24', next_hops: [{ ip_address: '10.114.1.57' }], display_name: 'pods via node' },
              ],
            },
          ],
        },
      },
    });
    const sim = await startSim({ scenario: f['routes.yaml'] });
    const auth = `Basic ${Buffer.from('admin:Nsx-Pw-1').toString('base64')}`;
    const res = await sim.http.get('/policy/api/v1/infra/tier-1s/t1/static-routes').set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => [r.id, r.network, r.next_hops, r.display_name, r.path])).toEqual([
      ['default', '0.0.0.0/0', [{ ip_address: '10.1.1.1', admin_distance: 2 }], 'default', '/infra/tier-1s/t1/static-routes/default'],
      ['pods', '100.96.1.0/24', [{ ip_address: '10.114.1.57', admin_distance: 1 }], 'pods via node', '/infra/tier-1s/t1/static-routes/pods'],
    ]);
  });
});

describe('the controller cluster', () => {
  it('a three-node cluster that lost a node: leader first, the others followers, the last one inactive', async () => {
    const f = files({
      'ha.yaml': {
        extends: 'fresh-controller',
        controller: {
          cluster: { name: 'lab-cluster', state: 'CLUSTER_UP_HA_COMPROMISED', nodes: [{ ip: '10.0.0.11' }, { name: 'ctl-2', ip: '10.0.0.12' }, { ip: '10.0.0.13' }] },
        },
      },
    });
    const sim = await startSim({ scenario: f['ha.yaml'] });
    const rt = (await sim.http.get('/api/cluster/runtime')).body;
    expect(rt.cluster_state.state).toBe('CLUSTER_UP_HA_COMPROMISED');
    expect(rt.node_states.map((n: any) => [n.name, n.role, n.state])).toEqual([
      ['10.0.0.11', 'CLUSTER_LEADER', 'CLUSTER_ACTIVE'],
      ['ctl-2', 'CLUSTER_FOLLOWER', 'CLUSTER_ACTIVE'],
      ['10.0.0.13', 'CLUSTER_FOLLOWER', 'CLUSTER_INACTIVE'],
    ]);
    const cluster = (await sim.http.get('/api/cluster')).body;
    expect(cluster.name).toBe('lab-cluster');
    expect(cluster.uuid).toMatch(/^cluster-[0-9a-f-]{36}$/);
    expect(cluster.nodes.map((n: any) => n.ip)).toEqual([
      { addr: '10.0.0.11', type: 'V4' },
      { addr: '10.0.0.12', type: 'V4' },
      { addr: '10.0.0.13', type: 'V4' },
    ]);
  });

  it('a three-node cluster is up with HA by default; a cluster can be down', async () => {
    const f = files({
      'three.yaml': { extends: 'fresh-controller', controller: { cluster: { nodes: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }] } } },
      'down.yaml': { extends: 'fresh-controller', controller: { cluster: { state: 'CLUSTER_DOWN', nodes: [{ ip: '10.0.0.1' }] } } },
    });
    const three = await startSim({ scenario: f['three.yaml'] });
    expect((await three.http.get('/api/cluster/runtime')).body.cluster_state.state).toBe('CLUSTER_UP_HA_ACTIVE');
    const down = await startSim({ scenario: f['down.yaml'] });
    const rt = (await down.http.get('/api/cluster/runtime')).body;
    expect(rt.cluster_state).toEqual({ state: 'CLUSTER_DOWN' });
    expect(rt.node_states).toEqual([{ name: '10.0.0.1', role: 'CLUSTER_LEADER', state: 'CLUSTER_INACTIVE' }]);
  });

  it('the older way, a cluster object among the objects, still works; both ways at once is refused', async () => {
    const sim = await startSim({ scenario: 'test/fixtures/two-users.yaml' });
    expect((await sim.http.get('/api/cluster/runtime')).body.node_states[0]).toMatchObject({ name: '10.10.10.10', role: 'CLUSTER_LEADER' });
    const f = files({
      'both.yaml': { extends: 'fresh-controller', objects: [{ cluster: { name: 'c', nodes: [{ name: '10.0.0.9' }] } }] },
    });
    expect(await failure(f['both.yaml']!)).toBe(`${f['both.yaml']}: objects[0] cluster 'c': the cluster is given twice, here and as controller.cluster: keep controller.cluster`);
  });
});

describe('resolveScenario', () => {
  it('maps a built-in name to seeds/<name>.yaml and anything else to a path', () => {
    expect(builtinScenarios()).toEqual(expect.arrayContaining(['fresh-controller', 'routable-pods-nsxt']));
    expect(resolveScenario('routable-pods-nsxt')).toBe(path.join(root, 'seeds', 'routable-pods-nsxt.yaml'));
    expect(resolveScenario('seeds/routable-pods-nsxt.yaml', root)).toBe(path.join(root, 'seeds', 'routable-pods-nsxt.yaml'));
    expect(resolveScenario('two-users.yaml', path.join(root, 'test/fixtures'))).toBe(path.join(root, 'test/fixtures/two-users.yaml'));
  });

  it('fails on an unknown name, listing the built-in ones', () => {
    let message = '';
    try {
      resolveScenario('routable-pods');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^unknown scenario 'routable-pods': not a built-in scenario \(/);
    for (const name of builtinScenarios()) expect(message).toContain(name);
  });

  it('is what Engine.create uses for its scenario option', async () => {
    const engine = await Engine.create({ scenario: 'routable-pods-nsxt' });
    expect(engine.scenario.file).toBe(path.join(root, 'seeds', 'routable-pods-nsxt.yaml'));
    await expect(Engine.create({ scenario: 'nope' })).rejects.toThrow(/unknown scenario 'nope'.*fresh-controller/);
  });
});

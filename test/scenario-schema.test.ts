/**
 * openapi/scenario.schema.json describes the scenario format: every scenario shipped validates
 * against it, and documents it rejects are rejected by the loader too, with the place named.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { load as parseYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { checkScenario } from '../server/check/scenario.js';
import { loadScenario } from '../server/scenario/load.js';
import { buildScenarioSchema, formatSchema } from '../scripts/openapi/scenario-schema.js';

const root = path.resolve(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(path.join(root, 'openapi/scenario.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);

const yamlFiles = (dir: string) =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));

describe('openapi/scenario.schema.json', () => {
  const shipped = [...yamlFiles('seeds'), ...yamlFiles('test/fixtures')];

  it('covers every scenario shipped (the built-in ones and the test fixtures)', () => {
    expect(shipped).toEqual(expect.arrayContaining(['seeds/fresh-controller.yaml', 'seeds/nsxt-tkgi.yaml', 'test/fixtures/two-users.yaml']));
  });

  it.each(shipped)('%s validates', (file) => {
    const ok = validate(parseYaml(readFileSync(path.join(root, file), 'utf8')));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(ok).toBe(true);
  });

  // Each bad document, the schema's complaint (instance path) and the loader's (its message); for
  // what only applying the objects finds, `avisim validate`'s (path and message).
  const bad: Array<{ what: string; doc: unknown; schemaPath: string; loader: RegExp; applied?: boolean }> = [
    { what: 'a misspelt top-level key', doc: { objets: [] }, schemaPath: '', loader: /: unknown key 'objets' \(allowed: name, description, extends, controller, objects/ },
    {
      what: 'an object entry holding two types',
      doc: { objects: [{ pool: { name: 'a' }, vsvip: { name: 'b' } }] },
      schemaPath: '/objects/0',
      loader: /: objects\[0\]: must be a single '<type>: \{fields\}' mapping/,
    },
    {
      what: 'an unknown cluster state',
      doc: { controller: { cluster: { state: 'CLUSTER_UP', nodes: [{ ip: '10.0.0.1' }] } } },
      schemaPath: '/controller/cluster/state',
      loader: /: controller\.cluster\.state: must be one of CLUSTER_UP_NO_HA, .*got "CLUSTER_UP"/,
    },
    {
      what: 'a two-node cluster',
      doc: { controller: { cluster: { nodes: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] } } },
      schemaPath: '/controller/cluster/nodes',
      loader: /: controller\.cluster\.nodes: a controller cluster has one or three nodes, got 2/,
    },
    {
      what: 'a version that is not dotted integers',
      doc: { controller: { version: 'latest' } },
      schemaPath: '/controller/version',
      loader: /: controller\.version: must be dotted integers like 22\.1\.3, got "latest"/,
    },
    {
      what: 'an unknown controller fact',
      doc: { controller: { licence_tier: 'ENTERPRISE' } },
      schemaPath: '/controller',
      loader: /: controller: unknown key 'licence_tier'/,
    },
    {
      what: 'a static route without an id',
      doc: { nsxt: { tier1s: [{ id: 't1', static_routes: [{ network: '10.0.0.0/24', next_hops: [{ ip_address: '10.1.1.1' }] }] }] } },
      schemaPath: '/nsxt/tier1s/0/static_routes/0',
      loader: /: nsxt\.tier1s\[0\] 't1': static_routes\[0\]\.id: must be an id/,
    },
    { what: 'faults given as a mapping', doc: { faults: { status: 500 } }, schemaPath: '/faults', loader: /: faults: must be a list of mappings/ },
    {
      what: 'an enum value inside an object',
      doc: { objects: [{ pool: { name: 'web', lb_algorithm: 'LB_ALGORITHM_FASTEST' } }] },
      schemaPath: '/objects/0/pool/lb_algorithm',
      loader: /^objects\[0\]\.pool\.lb_algorithm: Invalid data: field 'lb_algorithm' /,
      applied: true,
    },
    {
      what: 'a wrong type in a nested object',
      doc: { objects: [{ pool: { name: 'web', servers: [{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 'eighty' }] } }] },
      schemaPath: '/objects/0/pool/servers/0/port',
      loader: /^objects\[0\]\.pool\.servers\[0\]\.port: Invalid data: field 'servers\[0\]\.port' must be an integer/,
      applied: true,
    },
    {
      what: 'an object of an unknown type',
      doc: { objects: [{ poool: { name: 'web' } }] },
      schemaPath: '/objects/0',
      loader: /^objects\[0\]: unknown object type 'poool'/,
      applied: true,
    },
    { what: 'an exchange that is not a mapping', doc: { exchanges: ['GET /api/pool'] }, schemaPath: '/exchanges/0', loader: /: exchanges\[0\]: must be a mapping/ },
  ];

  it('describes each object type by its Avi schema, and is what scripts/generate-scenario-schema.ts makes', () => {
    expect(schema.$defs.object.properties.pool.allOf[0].$ref).toBe('#/$defs/avi.Pool');
    expect(schema.$defs['avi.Pool'].properties.lb_algorithm.enum).toContain('LB_ALGORITHM_ROUND_ROBIN');
    const avi = JSON.parse(readFileSync(path.join(root, 'openapi/avi.json'), 'utf8'));
    expect(formatSchema(buildScenarioSchema(avi, schema))).toBe(readFileSync(path.join(root, 'openapi/scenario.schema.json'), 'utf8'));
  });

  it.each(bad)('rejects $what, and so does the loader', async ({ doc, schemaPath, loader, applied }) => {
    expect(validate(doc)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain(schemaPath);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avisim-schema-')), 'bad.json');
    writeFileSync(file, JSON.stringify(doc));
    if (applied) {
      const { findings, ok } = await checkScenario(file);
      expect(ok).toBe(false);
      expect(findings.filter((f) => f.severity === 'error').map((f) => `${f.path}: ${f.message}`)).toEqual([expect.stringMatching(loader)]);
      return;
    }
    await expect(loadScenario(file)).rejects.toThrow(loader);
    await expect(loadScenario(file)).rejects.toThrow(/bad\.json: /);
  });
});

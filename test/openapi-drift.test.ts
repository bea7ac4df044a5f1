/**
 * The committed openapi/avi.json must be exactly what the generator makes from the reference
 * swagger + fixtures, and the parsing of a few real definitions is pinned here so that a
 * generator change that alters them is noticed.
 *
 * The reference data lives outside the repo (../shared/reference); without it these tests skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { generateDocument } from '../scripts/openapi/generate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const swaggerDir = resolve(repoRoot, '..', 'shared/reference/avi-swagger-30.2.1');
const fixturesDir = resolve(repoRoot, '..', 'shared/reference/ako-fixtures');
const committedPath = resolve(repoRoot, 'openapi/avi.json');
const referencePresent = existsSync(swaggerDir);

const skipReason = `reference swagger not found at ${swaggerDir}; OpenAPI drift tests skipped`;
if (!referencePresent) console.log(skipReason);

type Json = Record<string, any>;

describe.skipIf(!referencePresent)(referencePresent ? 'openapi/avi.json' : `openapi/avi.json (skipped: ${skipReason})`, () => {
  let generated: Json;
  let committed: Json;
  let schemas: Json;

  beforeAll(() => {
    generated = generateDocument(swaggerDir, existsSync(fixturesDir) ? fixturesDir : undefined) as Json;
    committed = JSON.parse(readFileSync(committedPath, 'utf8'));
    schemas = generated.components.schemas;
  });

  it('is what the generator produces (regenerate with npm run openapi:generate)', () => {
    expect(generated).toEqual(committed);
  });

  it('serialises byte-identically to the committed file', () => {
    expect(JSON.stringify(generated, null, 1) + '\n').toBe(readFileSync(committedPath, 'utf8'));
  });

  it('has the document header', () => {
    expect(generated.openapi).toBe('3.1.0');
    expect(generated.info).toEqual({ title: 'avisim: Avi controller API', version: '30.2.1' });
    expect(generated['x-avi-version']).toBe('30.2.1');
  });

  it('lists normal and singleton types', () => {
    const types = generated['x-avi-types'];
    expect(types.pool).toEqual({ model: 'Pool', schema: 'Pool', uuidPrefix: 'pool', singleton: false });
    expect(types.virtualservice).toEqual({ model: 'VirtualService', schema: 'VirtualService', uuidPrefix: 'virtualservice', singleton: false });
    expect(types.systemconfiguration).toEqual({
      model: 'SystemConfiguration',
      schema: 'SystemConfiguration',
      uuidPrefix: 'systemconfiguration',
      singleton: true,
    });
    // CloudProperties.json also declares /controllerproperties as a collection; its own file wins.
    expect(types.controllerproperties.singleton).toBe(true);
    expect(types.seproperties.singleton).toBe(true);
    expect(types.vsvip.model).toBe('VsVip');
    expect(types.httppolicyset.model).toBe('HTTPPolicySet');
    expect(types.statediffoperation.model).toBe('StatediffOperation');
    expect(Object.keys(types)).toEqual(Object.keys(types).sort());
  });

  it('parses Pool.lb_algorithm enum and default', () => {
    const p = schemas.Pool.properties.lb_algorithm;
    expect(p.type).toBe('string');
    expect(p.enum).toContain('LB_ALGORITHM_ROUND_ROBIN');
    expect(p.enum).toHaveLength(11);
    expect(p.default).toBe('LB_ALGORITHM_LEAST_CONNECTIONS');
  });

  it('parses Pool.default_server_port range and default', () => {
    expect(schemas.Pool.properties.default_server_port).toMatchObject({ type: 'integer', format: 'int32', minimum: 1, maximum: 65535, default: 80 });
  });

  it('parses special values into anyOf', () => {
    expect(schemas.Pool.properties.connection_ramp_duration.anyOf).toEqual([{ minimum: 1, maximum: 300 }, { enum: [0] }]);
  });

  it('parses references, versions and units', () => {
    expect(schemas.Pool.properties.cloud_ref['x-avi-ref']).toBe('Cloud');
    expect(schemas.Pool.properties.markers['x-avi-introduced']).toBe('20.1.5');
    expect(schemas.Pool.properties.markers.items).toEqual({ $ref: '#/components/schemas/RoleFilterMatchLabel' });
    expect(schemas.Pool.properties.connection_ramp_duration['x-avi-unit']).toBe('MIN');
  });

  it('keeps readOnly', () => {
    expect(schemas.Pool.properties.url.readOnly).toBe(true);
    expect(schemas.Pool.properties.name.readOnly).toBeUndefined();
  });

  it('parses "Maximum of N items" into maxItems', () => {
    expect(schemas.Pool.properties.servers).toMatchObject({ type: 'array', maxItems: 5000 });
  });

  it('takes a false default from the fixtures where the swagger has none', () => {
    expect(schemas.Pool.properties.lookup_server_by_name.default).toBe(false);
    const withoutFixtures = generateDocument(swaggerDir) as Json;
    expect(withoutFixtures.components.schemas.Pool.properties.lookup_server_by_name.default).toBeUndefined();
  });

  it('takes a false default from a "Special default" sentence', () => {
    expect(schemas.PKIProfile.properties.ignore_peer_chain.default).toBe(false);
  });

  it('uses only fact keywords in schemas (no description, title or example text)', () => {
    const keywords = new Set<string>();
    const visit = (schema: Json): void => {
      for (const key of Object.keys(schema)) keywords.add(key);
      for (const sub of Object.values<Json>(schema.properties ?? {})) visit(sub);
      for (const sub of schema.anyOf ?? []) visit(sub);
      if (schema.items) visit(schema.items);
      if (schema.additionalProperties) visit(schema.additionalProperties);
    };
    for (const schema of Object.values<Json>(schemas)) visit(schema);
    const allowed = ['$ref', 'type', 'format', 'items', 'properties', 'required', 'additionalProperties', 'enum', 'minimum', 'maximum',
      'anyOf', 'minItems', 'maxItems', 'default', 'readOnly', 'x-avi-ref', 'x-avi-introduced', 'x-avi-deprecated', 'x-avi-unit'];
    expect([...keywords].filter((k) => !allowed.includes(k))).toEqual([]);
  });

  it('builds typed CRUD paths and keeps other swagger paths', () => {
    const paths = generated.paths;
    expect(paths['/api/pool'].get.operationId).toBe('pool.list');
    expect(paths['/api/pool'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PoolApiResponse' });
    expect(paths['/api/pool'].post.operationId).toBe('pool.create');
    expect(paths['/api/pool/{uuid}'].patch.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AviPatch' });
    expect(paths['/api/pool/{uuid}'].delete.responses).toEqual({ '204': { description: 'No Content' } });
    expect(Object.keys(paths['/api/systemconfiguration']).sort()).toEqual(['get', 'patch', 'put']);
    expect(paths['/api/controllerproperties/{uuid}']).toBeUndefined();
    expect(paths['/api/pool/{uuid}/runtime/'].get).toMatchObject({ operationId: 'GET /api/pool/{uuid}/runtime/', 'x-avisim-generic': false });
  });

  it('compiles Pool and VirtualService with ajv 2020', () => {
    // logger: false silences ajv's warnings about Avi's non-standard formats (uint32, ...).
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    const started = performance.now();
    ajv.addSchema(committed, 'avi');
    const validateVs = ajv.getSchema('avi#/components/schemas/VirtualService');
    console.log(`ajv: VirtualService validator compiled in ${Math.round(performance.now() - started)} ms`);
    const validatePool = ajv.getSchema('avi#/components/schemas/Pool');
    expect(validateVs).toBeTypeOf('function');
    expect(validatePool).toBeTypeOf('function');
    expect(validatePool!({ name: 'p', default_server_port: 8080 })).toBe(true);
    expect(validatePool!({ name: 'p', default_server_port: 0 })).toBe(false);
    expect(validatePool!({ name: 'p', lb_algorithm: 'LB_ALGORITHM_NOPE' })).toBe(false);
    expect(validateVs!({ name: 'vs', services: [{ port: 80 }] })).toBe(true);
  });
});

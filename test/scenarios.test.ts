/**
 * Every built-in scenario: it says which environment it reproduces, loads, and serves a client
 * through avisim/testing (`startAvisim({scenario: <name>})`) with the version its file gives.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { builtinScenarios, resolveScenario } from '../server/scenario/load.js';
import { startAvisim } from '../server/testing.js';

const names = builtinScenarios();

describe('the built-in scenarios', () => {
  it('are the fresh controller and one per environment of the field notes', () => {
    expect(names).toEqual(['fresh-controller', 'nsxt-tkgi', 'routable-pods-nsxt', 'tkgm-shared-se-group', 'vcenter-vrf-az1']);
  });

  it.each(names)('%s opens with a comment block, is named after its file and extends fresh-controller', (name) => {
    const text = readFileSync(resolveScenario(name), 'utf8');
    expect(text.split('\n').slice(0, 3).every((line) => line.startsWith('#'))).toBe(true);
    const doc = parseYaml(text) as Record<string, unknown>;
    expect(doc.name).toBe(name);
    expect(typeof doc.description).toBe('string');
    if (name !== 'fresh-controller') expect(doc.extends).toBe('fresh-controller');
    else expect(doc.extends).toBeUndefined();
  });

  it.each(names)('%s serves a logged-in client with the version it sets', async (name) => {
    const file = resolveScenario(name);
    const doc = parseYaml(readFileSync(file, 'utf8')) as { controller?: { version?: string } };
    const base = parseYaml(readFileSync(resolveScenario('fresh-controller'), 'utf8')) as { controller: { version: string } };
    const avisim = await startAvisim({ scenario: name, seed: 3 });
    try {
      expect(avisim.engine.scenario.file).toBe(path.resolve(file));
      const res = await avisim.client.get('/api/initial-data');
      expect(res.status).toBe(200);
      expect(res.body.version.Version).toBe(String(doc.controller?.version ?? base.controller.version));
      expect((await avisim.client.get('/api/cluster/runtime')).body.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    } finally {
      await avisim.close();
    }
  });
});

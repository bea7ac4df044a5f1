/**
 * `POST /_mock/scenario`: which scenarios a network client may load, and what it is told when
 * one fails.
 * - `{"name"}`: a built-in scenario, or one of the folder the operator gave at start
 *   (`--scenario-dir`: `<dir>/<name>.yaml|.yml|.json`);
 * - `{"yaml"}`: the scenario's text itself.
 * Never a path: the control plane would otherwise open any file the process can read. `extends`,
 * in the text or in those files, names a scenario the same way.
 *
 * A failure in the client's own text is told in full. One in a file of the server is told by
 * the file's name only, and the whole message goes to the simulator's log: an answer never
 * carries a server file's content (a YAML error quotes lines, a structure error names keys).
 */
import path from 'node:path';
import { isObject } from '../avi/shape-ops.js';
import type { Engine } from '../engine.js';
import { loadScenario, resolveScenarioName, ScenarioError, type Scenario } from '../scenario/load.js';
import { checkScenarioFaults } from './conditions.js';
import { MockError } from './errors.js';

/** What a scenario sent as text is called (in errors, and as its name when it gives none). */
export const UPLOADED = 'uploaded.yaml';

const USAGE =
  'load a scenario with {"name": "<built-in, or a scenario of the --scenario-dir folder>"} or {"yaml": "<scenario text>"}';

/** The scenario a control call asks for, read and checked (nothing applied yet). */
export async function scenarioFromBody(body: unknown, dir: string | undefined): Promise<Scenario> {
  if (!isObject(body)) throw new MockError(400, USAGE);
  const byName = (name: string) => resolveScenarioName(name, dir);
  let scenario: Scenario;
  if (typeof body.yaml === 'string') {
    scenario = await loadScenario(UPLOADED, { text: body.yaml, resolve: byName }).catch((e: unknown) => {
      throw told(e);
    });
  } else if (typeof body.name === 'string') {
    let file: string;
    try {
      file = byName(body.name);
    } catch (e) {
      throw new MockError(404, (e as Error).message);
    }
    scenario = await loadScenario(file, { resolve: byName }).catch((e: unknown) => {
      throw told(e);
    });
  } else if (body.path !== undefined) {
    throw new MockError(400, `Scenarios are not loaded by path over the network: ${USAGE}`);
  } else throw new MockError(400, USAGE);
  try {
    checkScenarioFaults(scenario);
  } catch (e) {
    throw told(e, scenario);
  }
  return scenario;
}

/** Serves `scenario` from now on; a refusal changes nothing. */
export async function loadInto(engine: Engine, scenario: Scenario): Promise<void> {
  try {
    await engine.load(scenario);
  } catch (e) {
    // the scenario's objects are refused as a client's writes would be: nothing changed
    throw told(e, scenario);
  }
}

/** The failure as the client may see it. */
function told(e: unknown, scenario?: Scenario): MockError {
  const message = (e as Error)?.message ?? String(e);
  const file = e instanceof ScenarioError ? e.file : scenario?.file;
  if (file === UPLOADED) return new MockError(400, message);
  console.error(`avisim: a scenario loaded through /_mock/scenario failed: ${message}`);
  return new MockError(
    400,
    `Scenario file '${path.basename(file ?? '?')}' did not load; the simulator's log says why (an answer does not show a server file's content)`,
  );
}

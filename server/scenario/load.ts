/**
 * A scenario is a YAML (or JSON) file describing a controller: its facts, the objects it holds,
 * the NSX-T Tier-1s beside it, and fault rules and recorded exchanges for the control plane.
 * Objects are created through the same write path as API calls (so a bad scenario fails with the
 * errors a client would get, located in the file), with refs by name and in any order.
 *
 *   name: my-lab
 *   extends: fresh-controller          # a built-in name, or a path relative to this file
 *   controller: { version: 22.1.4, cluster: { nodes: [{ ip: 10.0.0.5 }] } }
 *   objects:
 *     - network: { name: vip-net, configured_subnets: [...] }
 *
 * `extends`: the base's objects come first; an object here with the same type, tenant, cloud and name
 * (uuid for objects without a name, like the singletons) replaces the base's in its place, so the
 * base's refs by name still resolve; controller facts and `nsxt` are merged key by key, this file
 * winning; faults and exchanges are the base's followed by this file's.
 *
 * The structure is checked by server/scenario/format.ts; objects, cluster and license tier are
 * applied by server/scenario/apply.ts, the NSX section by server/scenario/nsxt.ts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { projectFile } from '../core/paths.js';
import { parseRefInput } from '../avi/refs.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, protoKeyPath } from '../core/json-safety.js';
import type { ObjectService } from '../avi/objects.js';
import { applyScenarioObjects, prepareScenarioObjects } from './apply.js';
import { cassetteScenario, isCassette } from '../record/cassette.js';
import {
  ScenarioError,
  displayPath,
  parseScenarioDocument,
  type ControllerFacts,
  type NsxScenario,
  type ScenarioDocument,
  type ScenarioObject,
} from './format.js';

export {
  ScenarioError,
  CLUSTER_STATES,
  type ClusterFacts,
  type ClusterNode,
  type ClusterState,
  type ControllerFacts,
  type NsxScenario,
  type ScenarioObject,
  type StaticRouteSpec,
  type Tier1Spec,
} from './format.js';

const SEEDS_DIR = projectFile('seeds');
export const DEFAULT_SCENARIO = 'fresh-controller';
export const defaultScenarioPath = path.join(SEEDS_DIR, `${DEFAULT_SCENARIO}.yaml`);
/** The version a controller reports when no scenario in the chain says otherwise. */
const DEFAULT_VERSION = '30.2.1';

export interface ScenarioInit {
  file: string;
  name: string;
  description?: string;
  controller: ControllerFacts;
  objects: ScenarioObject[];
  nsxt?: NsxScenario;
  faults?: Record<string, unknown>[];
  exchanges?: Record<string, unknown>[];
  /** the files read, the base of the chain first */
  files?: string[];
}

export class Scenario {
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  readonly controller: ControllerFacts;
  readonly objects: ScenarioObject[];
  readonly nsxt?: NsxScenario;
  /** fault rules, kept as written: the control plane validates and applies them */
  readonly faults: Record<string, unknown>[];
  /** recorded `{request, response}` pairs, kept as written for replay and assertions */
  readonly exchanges: Record<string, unknown>[];
  readonly files: string[];

  constructor(init: ScenarioInit) {
    this.file = init.file;
    this.name = init.name;
    this.description = init.description;
    this.controller = init.controller;
    this.objects = init.objects;
    this.nsxt = init.nsxt;
    this.faults = init.faults ?? [];
    this.exchanges = init.exchanges ?? [];
    this.files = init.files ?? [init.file];
  }

  /** Makes what objects ask the controller to generate (self-signed certificates), once. */
  prepare(): Promise<void> {
    return prepareScenarioObjects(this);
  }

  /** Creates the objects, the cluster and the license tier through the API write path. */
  apply(svc: ObjectService): void {
    applyScenarioObjects(this, svc);
  }
}

/** The built-in scenarios: the names of the YAML files shipped in seeds/. */
export function builtinScenarios(): string[] {
  return readdirSync(SEEDS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * A built-in scenario's name → its file in seeds/; anything else is a path (relative to `from`,
 * the working directory by default). Fails, listing the built-in names, when neither exists.
 */
export function resolveScenario(nameOrPath: string, from = process.cwd()): string {
  const names = builtinScenarios();
  if (names.includes(nameOrPath)) return path.join(SEEDS_DIR, `${nameOrPath}.yaml`);
  const file = path.resolve(from, nameOrPath);
  if (nameOrPath && existsSync(file)) return file;
  throw new Error(`unknown scenario '${nameOrPath}': not a built-in scenario (${names.join(', ')}) nor an existing file`);
}

/**
 * A scenario named over the network: a built-in one, or `<dir>/<name>.yaml|.yml|.json` in the
 * folder the operator gave at start (`--scenario-dir`), never a path. Fails, listing the names
 * that would do, for anything else.
 */
export function resolveScenarioName(name: string, dir?: string): string {
  const names = builtinScenarios();
  if (names.includes(name)) return path.join(SEEDS_DIR, `${name}.yaml`);
  // a plain name: no separator, no `..`, not hidden (the extension may be given)
  const plain = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name) && !name.includes('..');
  if (dir && plain) {
    const candidates = /\.(ya?ml|json)$/.test(name) ? [name] : [`${name}.yaml`, `${name}.yml`, `${name}.json`];
    for (const c of candidates) {
      const file = path.join(dir, c);
      if (existsSync(file) && statSync(file).isFile()) return file;
    }
  }
  const folder = dir ? `, nor a scenario of the scenario folder (${folderScenarios(dir).join(', ') || 'none'})` : '';
  throw new Error(`unknown scenario '${name}': not a built-in scenario (${names.join(', ')})${folder}`);
}

/** The names the scenario folder offers. */
export function folderScenarios(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.(ya?ml|json)$/.test(f))
      .map((f) => f.replace(/\.(ya?ml|json)$/, ''))
      .sort();
  } catch {
    return [];
  }
}

export interface LoadOptions {
  /** the first file's text, given rather than read (a scenario sent inline) */
  text?: string;
  /** how `extends` finds a base: `resolveScenario` (a built-in name, or a path relative to the file) by default */
  resolve?: (given: string, from: string) => string;
}

/** Reads a scenario file and everything it extends, merged into one Scenario. */
export async function loadScenario(file: string, options: LoadOptions = {}): Promise<Scenario> {
  const chain = await readChain(options.text === undefined ? path.resolve(file) : file, [], options);
  const doc = chain[chain.length - 1]!;
  let controller: Partial<ControllerFacts> = {};
  let nsxt: Partial<NsxScenario> | undefined;
  let objects: ScenarioObject[] = [];
  const faults: Record<string, unknown>[] = [];
  const exchanges: Record<string, unknown>[] = [];
  for (const d of chain) {
    controller = { ...controller, ...d.controller };
    if (d.nsxt) nsxt = { ...nsxt, ...d.nsxt };
    objects = overlay(objects, d.objects);
    faults.push(...d.faults);
    exchanges.push(...d.exchanges);
  }
  return new Scenario({
    file: doc.file,
    name: doc.name ?? path.basename(doc.file).replace(/\.(ya?ml|json)$/, ''),
    description: doc.description,
    controller: { ...controller, version: controller.version ?? DEFAULT_VERSION },
    objects,
    nsxt: nsxt && { ...nsxt, tier1s: nsxt.tier1s ?? [] },
    faults,
    exchanges,
    files: chain.map((d) => d.file),
  });
}

/** The file and the files it extends, the base first. */
async function readChain(file: string, seen: string[], options: LoadOptions): Promise<ScenarioDocument[]> {
  if (seen.includes(file)) {
    throw new ScenarioError(seen[seen.length - 1]!, 'extends', `${[...seen, file].map(displayPath).join(' -> ')} is a cycle`);
  }
  const given = seen.length === 0 ? options.text : undefined;
  const doc = parseScenarioDocument(file, await readDocument(file, given));
  if (doc.extends === undefined) return [doc];
  let baseFile: string;
  try {
    baseFile = (options.resolve ?? resolveScenario)(doc.extends, path.dirname(file));
  } catch (e) {
    throw new ScenarioError(file, 'extends', (e as Error).message);
  }
  return [...(await readChain(baseFile, [...seen, file], options)), doc];
}

async function readDocument(file: string, given?: string): Promise<unknown> {
  let text: string;
  try {
    text = given ?? (await readFile(file, 'utf8'));
  } catch (e) {
    throw new ScenarioError(file, '', `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { filename: file });
  } catch (e) {
    throw new ScenarioError(file, '', `is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  // Its objects are walked and copied as client bodies are: held to the same rules.
  if (nestsDeeperThan(doc)) throw new ScenarioError(file, '', `is nested deeper than ${MAX_JSON_DEPTH} levels`);
  // a vcrpy cassette is taken as it is: a fresh controller and its interactions as exchanges
  if (isCassette(doc)) {
    try {
      doc = cassetteScenario(doc, file);
    } catch (e) {
      // the message names the file already
      throw new ScenarioError(file, '', (e as Error).message.slice(`${file}: `.length));
    }
  }
  const protoKey = protoKeyPath(doc);
  if (protoKey !== undefined) throw new ScenarioError(file, protoKey, 'is not allowed');
  return doc;
}

/**
 * The base's objects with this file's laid over them: one with a base object's identity replaces
 * it in place, the others append. Only base objects are replaced: two objects of one file with the
 * same name are both created, and the second fails as a client's second POST would.
 */
function overlay(base: ScenarioObject[], mine: ScenarioObject[]): ScenarioObject[] {
  const out = [...base];
  const at = new Map(base.map((o, i) => [identity(o), i]));
  at.delete(undefined);
  for (const o of mine) {
    const key = identity(o);
    const i = key === undefined ? undefined : at.get(key);
    if (i !== undefined) {
      out[i] = o;
      at.delete(key);
    } else out.push(o);
  }
  return out;
}

/**
 * type + tenant + cloud + name (or uuid for unnamed objects such as the singletons); undefined:
 * no identity. The cloud counts because names are unique per cloud: each cloud has its own
 * `global` VRF and `Default-Group` (no `cloud_ref` means Default-Cloud, as when created).
 */
function identity(o: ScenarioObject): string | undefined {
  const b = o.body;
  const name = (v: unknown, fallback: string) => {
    const ref = typeof v === 'string' ? parseRefInput(v) : undefined;
    return ref ? (ref.name ?? ref.uuid ?? '') : fallback;
  };
  const scope = `${o.type}\u0000${name(b.tenant_ref, 'admin')}\u0000${name(b.cloud_ref, 'Default-Cloud')}`;
  if (typeof b.name === 'string') return `${scope}\u0000name\u0000${b.name}`;
  if (typeof b.uuid === 'string') return `${scope}\u0000uuid\u0000${b.uuid}`;
  return undefined;
}

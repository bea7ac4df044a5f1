/**
 * A scenario is a YAML (or JSON) file describing a controller: its facts and the objects it
 * holds. Objects are created through the same write path as API calls (so a bad scenario fails
 * with the errors a client would get), with refs by name and in any order: an object whose refs
 * do not resolve yet is retried after the others.
 *
 *   controller: { version: 30.2.1 }
 *   objects:
 *     - cloud: { name: Default-Cloud, vtype: CLOUD_NONE, _system: true }
 *     - vrfcontext: { name: global, cloud_ref: /api/cloud/?name=Default-Cloud }
 *
 * `_system: true` marks a system-default object (it cannot be deleted); `uuid` fixes the uuid.
 */
import { readFile } from 'node:fs/promises';
import { projectFile } from './paths.js';
import { load as parseYaml } from 'js-yaml';
import { AviError } from './avi/errors.js';
import { ADMIN_TENANT, type ObjectService } from './avi/objects.js';
import { isObject } from './avi/shape-ops.js';

export const defaultScenarioPath = projectFile('seeds', 'fresh-controller.yaml');

export interface ScenarioObject {
  type: string;
  body: Record<string, unknown>;
  system: boolean;
}

export interface ControllerFacts {
  version: string;
  [key: string]: unknown;
}

/** The `nsxt:` section: the NSX-T manager stub's credentials and Tier-1 gateways. */
export interface NsxScenario {
  credentials?: { username?: string; password?: string };
  tier1s: Array<{ id: string; [field: string]: unknown }>;
}

export class Scenario {
  constructor(
    readonly file: string,
    readonly name: string,
    readonly controller: ControllerFacts,
    readonly objects: ScenarioObject[],
    readonly nsxt?: NsxScenario,
  ) {}

  /** Creates every object; refs may point forward, so unresolved ones are retried. */
  apply(svc: ObjectService): void {
    let pending = this.objects;
    while (pending.length) {
      const retry: ScenarioObject[] = [];
      let lastError: unknown;
      for (const o of pending) {
        try {
          svc.create(o.type, o.body, { tenant: ADMIN_TENANT, base: '' }, { protected: o.system });
        } catch (e) {
          if (!(e instanceof AviError && e.status === 400 && e.message.endsWith('object not found!'))) {
            throw new Error(`${this.file}: ${o.type} ${String(o.body.name ?? '')}: ${(e as Error).message}`);
          }
          retry.push(o);
          lastError = e;
        }
      }
      if (retry.length === pending.length) {
        const o = retry[0]!;
        throw new Error(`${this.file}: ${o.type} ${String(o.body.name ?? '')}: ${(lastError as Error).message}`);
      }
      pending = retry;
    }
  }
}

export async function loadScenario(file: string): Promise<Scenario> {
  const text = await readFile(file, 'utf8');
  const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (!isObject(doc)) throw new Error(`${file}: a scenario must be a mapping`);
  const controller = { version: '30.2.1', ...(isObject(doc.controller) ? doc.controller : {}) } as ControllerFacts;
  controller.version = String(controller.version);
  const objects: ScenarioObject[] = [];
  const list = doc.objects ?? [];
  if (!Array.isArray(list)) throw new Error(`${file}: 'objects' must be a list`);
  for (const [i, item] of list.entries()) {
    const entries = isObject(item) ? Object.entries(item) : [];
    if (entries.length !== 1 || !isObject(entries[0]![1])) {
      throw new Error(`${file}: objects[${i}] must be a single '<type>: {fields}' mapping`);
    }
    const [type, raw] = entries[0]! as [string, Record<string, unknown>];
    const { _system, ...body } = raw;
    objects.push({ type, body, system: _system === true });
  }
  return new Scenario(file, String(doc.name ?? file), controller, objects, nsxtSection(file, doc.nsxt));
}

function nsxtSection(file: string, raw: unknown): NsxScenario | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new Error(`${file}: 'nsxt' must be a mapping`);
  let credentials: NsxScenario['credentials'];
  if (raw.credentials !== undefined) {
    const c = raw.credentials;
    if (!isObject(c)) throw new Error(`${file}: nsxt.credentials must be a mapping {username, password}`);
    credentials = {
      username: c.username === undefined ? undefined : String(c.username),
      password: c.password === undefined ? undefined : String(c.password),
    };
  }
  const list = raw.tier1s ?? [];
  if (!Array.isArray(list)) throw new Error(`${file}: nsxt.tier1s must be a list`);
  const tier1s = list.map((t, i) => {
    if (!isObject(t) || typeof t.id !== 'string' || !t.id) throw new Error(`${file}: nsxt.tier1s[${i}] must be a mapping with an id`);
    return t as NsxScenario['tier1s'][number];
  });
  return { credentials, tier1s };
}

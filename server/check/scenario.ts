/**
 * Checks a scenario file without serving it, and says where each problem was written:
 * 1. the file (and every file it extends) parses and has the scenario structure;
 * 2. every object is of a known type and its fields hold what the type's Avi schema allows
 *    (every object is checked, so one run lists all such mistakes); a field the schema does not
 *    know is a warning, as the write path drops it;
 * 3. the whole scenario is applied to a scratch controller in memory, through the same write
 *    path a served one uses: refs that name nothing, duplicate names and what a type's own
 *    rules refuse surface there (the first such problem stops it, as it stops a start).
 * Each finding names the file, the line and column, and the field path.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { AviError } from '../avi/errors.js';
import { ObjectService } from '../avi/objects.js';
import { cleanInput, isObject } from '../avi/shape-ops.js';
import { createBehaviours } from '../avi/types/index.js';
import { validate } from '../avi/validate.js';
import { randomIds } from '../core/ids.js';
import { projectFile } from '../core/paths.js';
import { loadScenario, resolveScenario, ScenarioError, type Scenario } from '../scenario/load.js';
import { displayPath, type ScenarioObject } from '../scenario/format.js';
import { Catalog, loadDocument, type Shape } from '../core/catalog.js';
import { Store } from '../core/store.js';
import { lineStartsOf, placeAt, Positions, type Segment } from './positions.js';

const SEEDS_DIR = projectFile('seeds');

export interface Finding {
  severity: 'error' | 'warning';
  /** as the user would type it */
  file: string;
  line: number;
  column: number;
  /** `objects[3].pool.servers[0].port`, empty for the whole file */
  path: string;
  message: string;
}

export interface CheckResult {
  /** the scenario's file, resolved */
  file: string;
  findings: Finding[];
  ok: boolean;
}

/** The file cannot be checked at all (it does not exist, cannot be read). */
export class CannotCheck extends Error {}

/** Checks one scenario, a file's path or a built-in scenario's name. */
export async function checkScenario(given: string): Promise<CheckResult> {
  let file: string;
  try {
    file = resolveScenario(given);
  } catch (e) {
    throw new CannotCheck((e as Error).message);
  }
  try {
    await readFile(file, 'utf8');
  } catch (e) {
    throw new CannotCheck(`${given}: cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const places = new PlaceFinder();
  const findings: Finding[] = [];
  const done = () => ({ file, findings, ok: !findings.some((f) => f.severity === 'error') });

  let scenario: Scenario;
  try {
    scenario = await loadScenario(file);
  } catch (e) {
    findings.push(await places.ofError(e, file));
    return done();
  }
  const catalog = new Catalog(loadDocument());
  // the built-in scenarios' own objects are checked, but their warnings are not the user's to fix
  const builtin = scenario.files.filter((f) => f !== file && dirname(f) === SEEDS_DIR);
  for (const o of scenario.objects) {
    const found = await checkObject(o, catalog, places);
    findings.push(...found.filter((f) => f.severity === 'error' || !builtin.includes(o.source.file)));
  }
  if (!done().ok) return done();

  const svc = new ObjectService(catalog, new Store(catalog), randomIds(), createBehaviours);
  try {
    await scenario.prepare();
    scenario.apply(svc);
  } catch (e) {
    findings.push(await places.ofError(e, file));
  }
  return done();
}

/** An object's type and fields against its schema: the first invalid field, and every unknown one. */
async function checkObject(o: ScenarioObject, catalog: Catalog, places: PlaceFinder): Promise<Finding[]> {
  const at: Segment[] = ['objects', o.source.index, o.type];
  const file = o.source.file;
  if (!catalog.typeInfo(o.type)) return [await places.finding('error', file, at.slice(0, 2), `unknown object type '${o.type}'`)];
  const shape = catalog.shapeOf(o.type);
  const out: Finding[] = [];
  for (const path of unknownFields(o.body, shape, [])) {
    out.push(await places.finding('warning', file, [...at, ...path], `not a field of ${o.type} in the API schema: the controller drops it`));
  }
  try {
    validate(cleanInput(o.body, shape), shape);
  } catch (e) {
    if (!(e instanceof AviError)) throw e;
    const field = /field '([^']+)'/.exec(e.message)?.[1];
    out.push(await places.finding('error', file, [...at, ...(field ? parsePath(field) : [])], e.message));
  }
  return out;
}

/** Paths of the fields (at any depth) that the shape does not have. */
function unknownFields(body: Record<string, unknown>, shape: Shape, path: Segment[], depth = 0): Segment[][] {
  const out: Segment[][] = [];
  if (depth > 64) return out;
  for (const [key, v] of Object.entries(body)) {
    const f = shape.fields.get(key);
    if (!f) {
      out.push([...path, key]);
      continue;
    }
    if (!f.child) continue;
    if (f.kind === 'object' && isObject(v)) out.push(...unknownFields(v, f.child, [...path, key], depth + 1));
    else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (isObject(item)) out.push(...unknownFields(item, f.child!, [...path, key, i], depth + 1));
      });
    }
  }
  return out;
}

/** `servers[0].ip.addr` → ['servers', 0, 'ip', 'addr']. */
export function parsePath(text: string): Segment[] {
  const out: Segment[] = [];
  for (const m of text.matchAll(/([^.[\]\s]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

function showPath(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * A ScenarioError's place (`objects[3] pool 'web'`, `nsxt.tier1s[0] 't1': static_routes[0].id`)
 * and the field its problem names, as one path: names in quotes are labels, not steps.
 */
export function pathOfError(where: string, problem: string): Segment[] {
  const path = parsePath(where.replace(/'(?:[^'\\]|\\.)*'/g, ' ').replace(/:/g, ' '));
  const field = /^(?:field '([^']+)'|.*?Invalid data: field '([^']+)')/.exec(problem);
  if (field) path.push(...parsePath(field[1] ?? field[2]!));
  const unknown = /^unknown key '([^']+)'/.exec(problem);
  if (unknown) path.push(unknown[1]!);
  return path;
}

/** Places of paths in the files of a scenario, each file read and parsed once. */
class PlaceFinder {
  private readonly files = new Map<string, Promise<Positions | undefined>>();

  private positions(file: string): Promise<Positions | undefined> {
    let p = this.files.get(file);
    if (!p) {
      p = readFile(file, 'utf8').then(
        (text) => {
          try {
            return new Positions(text);
          } catch {
            return undefined;
          }
        },
        () => undefined,
      );
      this.files.set(file, p);
    }
    return p;
  }

  async finding(severity: Finding['severity'], file: string, path: Segment[], message: string): Promise<Finding> {
    const place = (await this.positions(file))?.placeOf(path) ?? { line: 1, column: 1 };
    return { severity, file: displayPath(file), ...place, path: showPath(path), message };
  }

  /** A load or apply failure as a finding; a syntax error keeps the parser's own place. */
  async ofError(e: unknown, fallbackFile: string): Promise<Finding> {
    if (!(e instanceof ScenarioError)) {
      return { severity: 'error', file: displayPath(fallbackFile), line: 1, column: 1, path: '', message: (e as Error).message ?? String(e) };
    }
    if (e.where === '' && /^is not valid (YAML|JSON)/.test(e.problem)) {
      return { severity: 'error', file: displayPath(e.file), ...(await syntaxPlace(e.file)), path: '', message: firstLine(e.problem) };
    }
    // the path shows where; the problem is the message
    return this.finding('error', e.file, pathOfError(e.where, e.problem), e.problem);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

/** Where the parser stopped in a file that does not parse. */
async function syntaxPlace(file: string): Promise<{ line: number; column: number }> {
  const text = await readFile(file, 'utf8');
  try {
    if (file.endsWith('.json')) JSON.parse(text);
    else parseYaml(text);
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    if (mark) return { line: mark.line + 1, column: mark.column + 1 };
    const at = /position (\d+)/.exec((e as Error).message);
    if (at) return placeAt(lineStartsOf(text), Number(at[1]));
  }
  return { line: 1, column: 1 };
}

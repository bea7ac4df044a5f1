/**
 * The layers of server/ stay one-way: the import graph (type-only imports included) of the
 * model side has no cycle, each layer imports only the layers under it, nothing there imports
 * the engine that composes them, and no source file outgrows 450 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', 'server');
const MAX_LINES = 450;

/** Every .ts file under server/, as a path relative to it with `/` separators. */
function sources(dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (entry.name.endsWith('.ts')) out.push(path.relative(ROOT, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/** The server files a file imports (static and type-only imports and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)).replace(/\.js$/, '.ts');
    out.push(target);
  }
  return out;
}

const files = sources();
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
/** The NSX stub's HTTP binding sits in nsxt/ but belongs to the request side (with http/, mock/). */
const REQUEST_SIDE = new Set(['nsxt/index.ts']);
const isModel = (file: string) => ALLOWED[layerOf(file)] !== undefined && !REQUEST_SIDE.has(file);

/** What each model layer may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  core: [],
  avi: ['core'],
  nsxt: ['core'],
  links: ['core', 'avi', 'nsxt'],
  scenario: ['core', 'avi', 'nsxt'],
};

describe('server layers', () => {
  it('each model layer imports only the layers under it, and none imports the engine', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      if (!isModel(file)) continue;
      const allowed = ALLOWED[layerOf(file)]!;
      for (const t of targets) {
        const layer = layerOf(t);
        if (layer !== layerOf(file) && !allowed.includes(layer)) wrong.push(`${file} -> ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the model side and the engine have no import cycle', () => {
    // http/ and mock/ are the request side; the engine and everything it composes are checked
    const nodes = files.filter((f) => isModel(f) || f === 'engine.ts');
    const inScope = new Set(nodes);
    const cycles: string[][] = [];
    // Tarjan's strongly connected components, iteratively (no recursion over the graph)
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    for (const start of nodes) {
      if (index.has(start)) continue;
      const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
      index.set(start, counter);
      low.set(start, counter++);
      stack.push(start);
      onStack.add(start);
      while (work.length) {
        const frame = work[work.length - 1]!;
        const targets = (graph.get(frame.node) ?? []).filter((t) => inScope.has(t));
        if (frame.next < targets.length) {
          const t = targets[frame.next++]!;
          if (!index.has(t)) {
            index.set(t, counter);
            low.set(t, counter++);
            stack.push(t);
            onStack.add(t);
            work.push({ node: t, next: 0 });
          } else if (onStack.has(t)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(t)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) === index.get(frame.node)) {
          const scc: string[] = [];
          let n: string;
          do {
            n = stack.pop()!;
            onStack.delete(n);
            scc.push(n);
          } while (n !== frame.node);
          const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
          if (scc.length > 1 || selfLoop) cycles.push(scc.sort());
        }
      }
    }
    expect(cycles).toEqual([]);
  });

  it(`no source file under server/ is over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ f, lines: readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});

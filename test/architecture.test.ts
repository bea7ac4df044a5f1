/**
 * The shape of server/ kept true by the suite: no import cycle (type-only imports count), no
 * source file a reader cannot take in one sitting, and the layers importing only downwards
 * (docs/architecture.md draws them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import madge from 'madge';

const MAX_LINES = 450;

/** What each model layer may import; anything else under server/ is above it. */
const LAYERS: Record<string, string[]> = {
  core: ['core'],
  avi: ['core', 'avi'],
  nsxt: ['core', 'nsxt'],
  links: ['core', 'avi', 'nsxt', 'links'],
  scenario: ['core', 'avi', 'nsxt', 'scenario', 'formats'],
  formats: ['core', 'formats'],
};
/** The NSX stub's HTTP binding sits in nsxt/ but is on the request side, with http/ and mock/. */
const REQUEST_SIDE = new Set(['nsxt/http.ts', 'nsxt/lists.ts']);
/** The recording formats (exchanges, vcrpy cassettes, the scrubber), read by the scenario loader too. */
const FORMATS = new Set(['record/exchange.ts', 'record/cassette.ts', 'record/scrub.ts']);

const graph = await madge('server', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
const deps = graph.obj();
const layerOf = (file: string) =>
  REQUEST_SIDE.has(file) ? 'request' : FORMATS.has(file) ? 'formats' : file.includes('/') ? file.slice(0, file.indexOf('/')) : file;

describe('server/ architecture', () => {
  it('has no import cycle, type-only imports included', () => {
    expect(graph.circular()).toEqual([]);
  });

  it('sees every source file (the graph is not empty by mistake)', () => {
    expect(Object.keys(deps)).toEqual(expect.arrayContaining(['engine.ts', 'core/store.ts', 'avi/objects.ts', 'http/app.ts']));
  });

  it(`keeps every source file at ${MAX_LINES} lines or fewer`, () => {
    const long = Object.keys(deps)
      .map((file) => ({ file, lines: readFileSync(`server/${file}`, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('imports only downwards: core, then avi and nsxt, then links and scenario; none of them the engine', () => {
    const wrong: string[] = [];
    for (const [file, imports] of Object.entries(deps)) {
      const allowed = LAYERS[layerOf(file)];
      if (!allowed) continue;
      for (const target of imports) if (!allowed.includes(layerOf(target))) wrong.push(`${file} -> ${target}`);
    }
    expect(wrong).toEqual([]);
  });
});

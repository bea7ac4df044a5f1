/**
 * CLI: writes avisim's OpenAPI document from the Avi swagger files.
 *
 *   npm run openapi:generate -- --from <swagger dir> [--fixtures <dir>] [--out openapi/avi.json]
 *
 * Prints a one-line summary, a note per definition conflict, and the result of a self-check
 * (every $ref resolves; x-avi-ref names that are not a known type are listed, not fatal).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDocument, findUnknownAviRefs, findUnresolvedRefs } from './openapi/generate.js';

function main(): number {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      fixtures: { type: 'string' },
      out: { type: 'string', default: 'openapi/avi.json' },
    },
  });
  if (!values.from) {
    console.error('usage: npm run openapi:generate -- --from <swagger dir> [--fixtures <dir>] [--out openapi/avi.json]');
    return 2;
  }

  const started = performance.now();
  const { document, report } = buildDocument(resolve(values.from), values.fixtures ? resolve(values.fixtures) : undefined);
  const out = resolve(values.out!);
  mkdirSync(dirname(out), { recursive: true });
  const text = JSON.stringify(document, null, 1) + '\n';
  writeFileSync(out, text);
  const ms = Math.round(performance.now() - started);

  const types = Object.keys(document['x-avi-types']).length;
  const schemas = Object.keys(document.components.schemas).length;
  const paths = Object.keys(document.paths).length;
  const fixtures = values.fixtures ? `, ${report.fixtureDefaults} defaults from ${report.fixtureObjects} fixture objects` : '';
  console.log(`${values.out}: ${types} types, ${schemas} schemas, ${paths} paths${fixtures}, ${text.length} bytes, ${ms} ms`);

  for (const c of report.conflicts) {
    console.log(`note: definition ${c.name} differs across ${c.files.length} files; using ${c.chosen}.json`);
  }
  return selfCheck(document);
}

/** Broken $refs fail the run; unknown x-avi-ref names are only reported (the swagger has some). */
function selfCheck(document: Record<string, any>): number {
  const unresolved = findUnresolvedRefs(document);
  const unknown = findUnknownAviRefs(document);
  if (unknown.size > 0) {
    const list = [...unknown.entries()].map(([name, n]) => `${name}(${n})`).join(', ');
    console.log(`check: ${unknown.size} x-avi-ref names are not types: ${list}`);
  }
  if (unresolved.length > 0) {
    console.error(`check: ${unresolved.length} unresolved $ref: ${unresolved.slice(0, 10).join(', ')}`);
    return 1;
  }
  console.log('check: all $ref resolve');
  return 0;
}

process.exitCode = main();

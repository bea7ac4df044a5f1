/**
 * Writes the per-type object schemas of openapi/scenario.schema.json from openapi/avi.json
 * (run after the API document changes): `npx tsx scripts/generate-scenario-schema.ts`.
 * test/scenario-schema.test.ts fails when the committed file is not what this makes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildScenarioSchema, formatSchema } from './openapi/scenario-schema.js';

const root = path.resolve(import.meta.dirname, '..');
const file = path.join(root, 'openapi/scenario.schema.json');
const avi = JSON.parse(readFileSync(path.join(root, 'openapi/avi.json'), 'utf8'));
const schema = buildScenarioSchema(avi, JSON.parse(readFileSync(file, 'utf8')));
writeFileSync(file, formatSchema(schema));
console.log(`wrote ${path.relative(process.cwd(), file)}: ${Object.keys(schema.$defs).length} definitions`);

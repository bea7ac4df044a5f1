/**
 * A recording as a scenario file: a comment header, `name`, `extends` (the scenario the
 * recording starts from), `controller`, `objects` (final state) and `exchanges` (in order).
 * Written to a temporary file and renamed, so a reader never sees half a file.
 */
import { rename, writeFile } from 'node:fs/promises';
import { dump } from 'js-yaml';
import type { Exchange } from './exchange.js';
import type { Recorder } from './recorder.js';

export interface ScenarioWriteOptions {
  name: string;
  /** the scenario the recorded controller is assumed to have started from */
  base: string;
  /** when the recording started */
  started: Date;
}

export interface RecordedScenario {
  name: string;
  extends: string;
  controller?: { version: string; build?: number | string };
  objects: Array<Record<string, Record<string, unknown>>>;
  exchanges: Exchange[];
}

export function scenarioDocument(recorder: Recorder, options: ScenarioWriteOptions): RecordedScenario {
  const doc: RecordedScenario = {
    name: options.name,
    extends: options.base,
    ...(recorder.controller && { controller: { ...recorder.controller } }),
    objects: recorder.objects.list().map((o) => ({ [o.type]: o.body })),
    exchanges: recorder.exchanges,
  };
  // The by-value pass last: a secret first seen late (a token issued after a request that
  // already carried it) is still caught everywhere.
  return recorder.scrubber.deep(doc);
}

export function scenarioYaml(recorder: Recorder, options: ScenarioWriteOptions): string {
  const doc = scenarioDocument(recorder, options);
  const header = [
    `# Recorded with \`avisim record\`, started ${options.started.toISOString()}: ${doc.exchanges.length} exchanges,`,
    `# ${doc.objects.length} objects in their last state seen${doc.controller ? `, controller ${doc.controller.version}` : ''}.`,
    '# Passwords, tokens, cookies, CSRF tokens, credentials and private keys read <scrubbed>.',
    '# Base URLs are left out: refs read /api/<type>/<uuid>#<name>.',
    '# Replay against a controller or avisim: avisim replay <this file> --target <url> --username <u> --password <p>',
    ...(recorder.objects.dropped.length
      ? ['# Refs left out (their targets never showed, by uuid or by name; the controller fills them in again on load):', ...recorder.objects.dropped.map((d) => `#   ${d}`)]
      : []),
    '',
  ].join('\n');
  return header + dump(doc, { lineWidth: -1, noRefs: true, skipInvalid: true });
}

export async function writeScenarioFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

/**
 * The config file: a YAML mapping whose keys are the flags' names (`port: 0`, `basic-auth: true`,
 * `scenario: my.yaml`), for images and CI jobs that would rather ship a file than a command
 * line. Values are scalars and are read by the same rules as the flag's text; `true`/`false`
 * stand for on/off. Paths in it are relative to the working directory, as on the command line.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

export const CONFIG_FILE = 'avisim.config.yaml';

/** The file's settings by flag name, as text; throws naming the file and the key on anything else. */
export function readConfig(file: string, known: readonly string[]): Map<string, string> {
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'), { filename: file });
  } catch (e) {
    throw new Error(`config ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const settings = new Map<string, string>();
  if (doc === undefined || doc === null) return settings; // an empty file sets nothing
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`config ${file}: must be a mapping of flag names to values`);
  for (const [key, value] of Object.entries(doc)) {
    if (!known.includes(key)) {
      throw new Error(`config ${file}: unknown key "${key}" (the keys are the flags' names: ${known.join(', ')})`);
    }
    settings.set(key, scalarText(value, file, key));
  }
  return settings;
}

function scalarText(value: unknown, file: string, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new Error(`config ${file}: ${key} must be a text, a number or true/false, got ${value === null ? 'nothing' : JSON.stringify(value) ?? typeof value}`);
}

/** `avisim --version`: this package's version, and the controller version a scenario emulates. */
import { readFileSync } from 'node:fs';
import { projectFile } from '../core/paths.js';
import { DEFAULT_SCENARIO, loadScenario, resolveScenario } from '../scenario/load.js';

export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(projectFile('package.json'), 'utf8'));
  const version = pkg && typeof pkg === 'object' && Object.hasOwn(pkg, 'version') ? (pkg as { version: unknown }).version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

export async function versionText(scenario: string | undefined): Promise<string> {
  const loaded = await loadScenario(resolveScenario(scenario || DEFAULT_SCENARIO));
  return [
    `avisim ${packageVersion()}  (package version)`,
    `Avi controller ${loaded.controller.version}  (emulated API version, scenario ${loaded.name})`,
    '',
  ].join('\n');
}

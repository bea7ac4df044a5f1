/**
 * The controller the contract suites expect of avisim: the fresh-controller scenario as shipped,
 * plus a second local user (Application-Admin in admin) who can log in (real controllers have one made by their admin; the
 * suites that keep two users apart need it). Written once per content to the temp directory, so
 * the in-process target and the `npm run contract` runner start the same controller.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

export const SECOND_USER = { username: 'ops', password: 'Ops-Contract-Pw-1' };

const FRESH = fileURLToPath(new URL('../../seeds/fresh-controller.yaml', import.meta.url));

/** The path of the scenario file (fresh controller + the second user). */
export function contractScenarioFile(): string {
  const scenario = yaml.load(readFileSync(FRESH, 'utf8')) as { name: string; controller: { credentials?: unknown[] }; objects: unknown[] };
  scenario.name = 'fresh-controller+ops';
  scenario.controller.credentials = [...(scenario.controller.credentials ?? []), { username: SECOND_USER.username, password: SECOND_USER.password }];
  scenario.objects = [
    ...scenario.objects,
    {
      user: {
        name: SECOND_USER.username,
        username: SECOND_USER.username,
        full_name: 'Operations',
        is_superuser: false,
        local: true,
        default_tenant_ref: '/api/tenant/admin',
        // roles are enforced: the suites have it write pools in admin
        access: [{ role_ref: '/api/role/?name=Application-Admin', tenant_ref: '/api/tenant/admin' }],
      },
    },
  ];
  const text = yaml.dump(scenario, { lineWidth: -1 });
  const file = join(tmpdir(), `avisim-contract-scenario-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.yaml`);
  if (!existsSync(file)) {
    // Written aside and renamed, so a reader never sees half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}

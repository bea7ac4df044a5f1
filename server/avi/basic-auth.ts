/**
 * HTTP Basic on the API is the controller's own switch,
 * `systemconfiguration.portal_configuration.allow_basic_authentication`; `--basic-auth` sets it
 * through the normal write path when the engine is built, so the scenario's baseline (what a
 * reset, a scenario load or a sandbox starts from) already has it on.
 */
import type { ObjectService } from './objects.js';
import type { Store } from '../core/store.js';
import { isObject } from '../core/json.js';
import { ADMIN_TENANT } from '../core/admin.js';

export function allowBasicAuthentication(objects: ObjectService, store: Store): void {
  for (const rec of store.collection('systemconfiguration').values()) {
    const portal = isObject(rec.data.portal_configuration) ? rec.data.portal_configuration : {};
    const replace = { portal_configuration: { ...portal, allow_basic_authentication: true } };
    objects.patch('systemconfiguration', rec.uuid, { replace }, { tenant: ADMIN_TENANT, base: '' });
  }
}

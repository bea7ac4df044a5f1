/**
 * The registry of per-type behaviour, one module per type named after it. Behaviours are made
 * per ObjectService (per engine), so any index they keep is per simulated controller.
 */
import type { Behaviours } from '../behaviour.js';
import type { ObjectService } from '../objects.js';
import type { Data } from '../../core/store.js';
import { cloudBehaviour } from './cloud.js';
import { fileobjectBehaviour } from './fileobject.js';
import { poolBehaviour } from './pool.js';
import { serviceengineBehaviour } from './serviceengine.js';
import { selfSignedBody, sslkeyandcertificateBehaviour } from './sslkeyandcertificate.js';
import { systemconfigurationBehaviour } from './systemconfiguration.js';
import { tenantBehaviour } from './tenant.js';
import { userBehaviour } from './user.js';
import { virtualserviceBehaviour } from './virtualservice.js';
import { vrfcontextBehaviour } from './vrfcontext.js';
import { vsvipBehaviour } from './vsvip.js';
import { wafapplicationsignatureproviderBehaviour } from './wafapplicationsignatureprovider.js';

export function createBehaviours(svc: ObjectService): Behaviours {
  return {
    cloud: cloudBehaviour(),
    pool: poolBehaviour(svc),
    serviceengine: serviceengineBehaviour(),
    sslkeyandcertificate: sslkeyandcertificateBehaviour(svc),
    systemconfiguration: systemconfigurationBehaviour,
    tenant: tenantBehaviour,
    virtualservice: virtualserviceBehaviour(svc),
    vsvip: vsvipBehaviour(svc),
    vrfcontext: vrfcontextBehaviour(),
    user: userBehaviour(),
    fileobject: fileobjectBehaviour(),
    wafapplicationsignatureprovider: wafapplicationsignatureproviderBehaviour(),
  };
}

/**
 * What a type makes into a new object's body from the body alone, before the write (the part of
 * its `prepareBody` that needs no controller state): a scenario's objects get it made before
 * the engine that applies them is built.
 */
export const bodyMakers: Readonly<Record<string, (body: Data) => Promise<Data>>> = Object.freeze(
  Object.assign(Object.create(null), { sslkeyandcertificate: selfSignedBody }),
);

/**
 * The registry of per-type behaviour, one module per type named after it. Behaviours are made
 * per ObjectService (per engine), so any index they keep is per simulated controller.
 */
import type { Behaviours, ObjectService } from '../objects.js';
import type { TypeResources } from '../resources.js';
import type { Data } from '../../core/store.js';
import { cloudBehaviour } from './cloud.js';
import { fileobjectBehaviour } from './fileobject.js';
import { poolBehaviour, poolResources } from './pool.js';
import { serviceenginegroupResources } from './serviceenginegroup.js';
import { serviceengineBehaviour } from './serviceengine.js';
import { selfSignedBody, sslkeyandcertificateBehaviour } from './sslkeyandcertificate.js';
import { systemconfigurationBehaviour } from './systemconfiguration.js';
import { tenantBehaviour } from './tenant.js';
import { userBehaviour } from './user.js';
import { virtualserviceBehaviour, virtualserviceResources } from './virtualservice.js';
import { virtualserviceInventoryResources } from './virtualservice-inventory.js';
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

/**
 * Each type's sub-resources, actions and own reads (server/avi/resources.ts), by type: the API
 * routes `/api/<type>/{uuid}/<name>` to them.
 */
export const typeResources: Readonly<Record<string, TypeResources>> = Object.freeze(
  Object.assign(Object.create(null), {
    pool: poolResources,
    serviceenginegroup: serviceenginegroupResources,
    virtualservice: virtualserviceResources,
    'virtualservice-inventory': virtualserviceInventoryResources,
  }),
);

/**
 * The registry of per-type behaviour, one module per type named after it. Behaviours are made
 * per ObjectService (per engine), so any index they keep is per simulated controller.
 */
import type { Behaviours } from '../behaviour.js';
import type { ObjectService } from '../objects.js';
import { poolBehaviour } from './pool.js';
import { userBehaviour } from './user.js';
import { virtualserviceBehaviour } from './virtualservice.js';
import { vrfcontextBehaviour } from './vrfcontext.js';
import { vsvipBehaviour } from './vsvip.js';

export function createBehaviours(svc: ObjectService): Behaviours {
  return {
    pool: poolBehaviour(svc),
    virtualservice: virtualserviceBehaviour(svc),
    vsvip: vsvipBehaviour(svc),
    vrfcontext: vrfcontextBehaviour(),
    user: userBehaviour(),
  };
}

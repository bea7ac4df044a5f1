/**
 * The NSX-T Policy API stub (Tier-1s and their static routes), served from the same store as
 * the Avi API so that linked behaviour (an Avi VIP on an NSX-T cloud → a Tier-1 /32 route) is a
 * store-level reaction.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';

export interface Nsx {
  /** true for the paths the stub serves (/policy/api/v1/..., /api/session/create, /api/v1/...) */
  handles(url: string | undefined): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createNsx(_engine: Engine): Nsx {
  return {
    handles: () => false,
    handle: async () => {},
  };
}

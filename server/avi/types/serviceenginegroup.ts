/**
 * Service Engine groups: their runtime (the SEs placed in the group and what they host), from
 * the placement (server/avi/placement.ts). The runtime names the group by url only, as a
 * controller's does.
 */
import { runtimeView, type TypeResources } from '../resources.js';
import { segRuntime } from '../runtime.js';

export const serviceenginegroupResources: TypeResources = {
  views: {
    runtime: runtimeView('serviceenginegroup', false, (group, c) => segRuntime(c.svc, group, c.ctx, c.includeName)),
  },
};

/**
 * VrfContext: static-route checks beyond the schema. The schema already requires
 * `route_id`, `prefix` and `next_hop` and allows one label; here: route ids unique within the VRF,
 * addresses that parse and match their `type`, masks in range, next hops of the prefix's family.
 * PATCH add/replace/delete (keyed by route_id) and full PUTs come through the generic path, so
 * every form of write meets the same checks. Texts are [inferred].
 */
import type { TypeBehaviour } from '../objects.js';
import { errors } from '../errors.js';
import { familyOf } from '../ipv4.js';
import { isObject } from '../../core/json.js';

export function vrfcontextBehaviour(): TypeBehaviour {
  return {
    beforeWrite({ data }) {
      if (!Array.isArray(data.static_routes)) return;
      const seen = new Set<string>();
      data.static_routes.forEach((route, i) => {
        if (!isObject(route)) return;
        const at = `static_routes[${i}]`;
        const id = String(route.route_id);
        if (seen.has(id)) throw errors.duplicateRouteId(id);
        seen.add(id);
        const prefix = isObject(route.prefix) ? route.prefix : {};
        const ip = isObject(prefix.ip_addr) ? prefix.ip_addr : {};
        const family = checkAddress(ip, `${at}.prefix.ip_addr`);
        const max = family === 'V4' ? 32 : 128;
        const mask = prefix.mask;
        if (typeof mask !== 'number' || mask < 0 || mask > max) throw errors.badRouteMask(`${at}.prefix.mask`, mask, max);
        const hop = isObject(route.next_hop) ? route.next_hop : {};
        if (checkAddress(hop, `${at}.next_hop`) !== family) throw errors.routeFamilyMismatch(`${at}.next_hop`);
      });
    },
  };
}

/** An IpAddr of a route must be V4 or V6 and its `addr` an address of that family. */
function checkAddress(ip: Record<string, unknown>, at: string): 'V4' | 'V6' {
  const type = ip.type === 'V6' ? 'V6' : 'V4';
  if (ip.type !== 'V4' && ip.type !== 'V6') throw errors.badRouteAddress(`${at}.addr`, ip.addr, 'IPv4 or IPv6');
  if (familyOf(ip.addr) !== type) throw errors.badRouteAddress(`${at}.addr`, ip.addr, type === 'V4' ? 'IPv4' : 'IPv6');
  return type;
}

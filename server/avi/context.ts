/**
 * What a request brings to the object model besides its body: the tenant it acts in, the host
 * it used, the API version it speaks. Kept apart from the write path so that the type hooks and
 * the HTTP side can name it without depending on each other.
 */
import type { Version } from './versions.js';

/** `X-Avi-Tenant: *`: a read across every tenant the caller may read. */
export const ALL_TENANTS = '*';

export interface Ctx {
  /** tenant uuid, or `*` (reads across tenants) */
  tenant: string;
  /** scheme and host the client used, e.g. `https://10.0.0.1`; refs and urls are rendered with it */
  base: string;
  /** `X-Avi-Version` when sent: newer fields are refused in bodies and left out of answers */
  version?: Version;
  /** the request's query, for answers that depend on a parameter (a certificate's `export_key`) */
  query?: URLSearchParams;
  /** with tenant `*`: the tenants the caller may read (all when absent) */
  readable?: ReadonlySet<string>;
}

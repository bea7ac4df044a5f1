/**
 * One request as the pipeline carries it, made once when it arrives and handed along: the URL
 * split (path with repeated slashes collapsed, raw query), the method, the tenant it names,
 * which API it is for, and, once read, its body (raw and parsed). The journal, fault rules and
 * handlers all read these fields instead of parsing the request again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Which API a request is for, decided from its path once. */
export type Destination = 'mock' | 'nsx' | 'api' | 'other';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** upper case */
  readonly method: string;
  /** repeated slashes collapsed, without the query */
  readonly path: string;
  readonly rawQuery: string;
  readonly destination: Destination;
  /** `X-Avi-Tenant` and `X-Avi-Tenant-UUID` as sent (empty when absent) */
  readonly tenantName: string;
  readonly tenantUuid: string;
  /** `https://host` or `http://host`: the base of the refs the answers carry */
  readonly base: string;
  /** the body's bytes once read (ahead of the handler for a fault rule, or by the handler) */
  raw?: Buffer;
  /** the body as its handler parsed it (or as read ahead), for the journal */
  body?: unknown;
  /** the body went over a limit: every later read refuses at once */
  overSize?: boolean;
  /** the route the API matched, kept so that the table is walked once */
  route?: unknown;
}

const NSX_PATH = /^\/(policy\/api(\/|$)|api\/session\/create\/?$|api\/v1\/)/;
const API_PATH = /^\/(api(\/|$)|login\/?$|logout\/?$)/;
const MOCK_PATH = /^\/_mock(\/|$)/;

export function exchangeOf(req: IncomingMessage, res: ServerResponse): Exchange {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/');
  return {
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    destination: destinationOf(path),
    tenantName: header(req, 'x-avi-tenant'),
    tenantUuid: header(req, 'x-avi-tenant-uuid'),
    base: `${(req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`,
  };
}

/** The API a path belongs to (the NSX stub's paths come before the Avi API's `/api`). */
export function destinationOf(path: string): Destination {
  if (MOCK_PATH.test(path)) return 'mock';
  if (NSX_PATH.test(path)) return 'nsx';
  if (API_PATH.test(path)) return 'api';
  return 'other';
}

/** The tenant a request names (`admin` when none), as the journal and fault rules match it. */
export function namedTenant(x: Exchange): string {
  return x.tenantName || x.tenantUuid || 'admin';
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
}

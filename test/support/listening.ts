/**
 * What the wire clients of the contract suites share: a cookie jar like the one Python
 * `requests` keeps, Set-Cookie parsing, and the request/response shapes of a raw exchange.
 */
import type { IncomingHttpHeaders } from 'node:http';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
}

/**
 * The cookies of one client, for one host (tests talk to one simulator). Like Python
 * `requests.Session.cookies`: every cookie a response sets is kept; one whose Max-Age is 0 or
 * whose Expires is past is removed; Secure ones are sent over https only.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** Takes the Set-Cookie headers of a response. */
  store(setCookies: readonly string[] | undefined): void {
    for (const line of setCookies ?? []) {
      const parsed = parseSetCookie(line);
      if (!parsed) continue;
      const key = `${parsed.cookie.path}\u0000${parsed.cookie.name}`;
      if (parsed.expired) this.cookies.delete(key);
      else this.cookies.set(key, parsed.cookie);
    }
  }

  /** `name=value` pairs to send to `url`. */
  pairsFor(url: string): [string, string][] {
    const u = new URL(url);
    const out: [string, string][] = [];
    for (const c of this.cookies.values()) {
      if (c.secure && u.protocol !== 'https:') continue;
      if (!(u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))) continue;
      out.push([c.name, c.value]);
    }
    return out;
  }

  get(name: string): string | undefined {
    for (const c of this.cookies.values()) if (c.name === name) return c.value;
    return undefined;
  }

  names(): string[] {
    return [...this.cookies.values()].map((c) => c.name).sort();
  }

  clear(): void {
    this.cookies.clear();
  }
}

export function parseSetCookie(line: string): { cookie: StoredCookie; expired: boolean } | undefined {
  const [first, ...attrs] = line.split(';');
  const eq = first!.indexOf('=');
  if (eq <= 0) return undefined;
  const cookie: StoredCookie = { name: first!.slice(0, eq).trim(), value: first!.slice(eq + 1).trim(), path: '/', secure: false };
  let expired = false;
  for (const attr of attrs) {
    const [k, v = ''] = attr.split('=').map((s) => s.trim()) as [string, string?];
    const key = k.toLowerCase();
    if (key === 'path' && v.startsWith('/')) cookie.path = v;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'max-age' && Number(v) <= 0) expired = true;
    else if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
  }
  return { cookie, expired };
}

/** The value of cookie `name` among Set-Cookie headers (undefined when not set). */
export function setCookieValue(setCookies: readonly string[], name: string): string | undefined {
  for (const line of setCookies) {
    const parsed = parseSetCookie(line);
    if (parsed?.cookie.name === name) return parsed.cookie.value;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The wire client

export interface WireRequest {
  method: string;
  /** absolute URL, sent as given (doubled slashes and all) */
  url: string;
  headers?: Record<string, string>;
  /** `name=value` pairs sent in the Cookie header after the jar's, as a client adds them per request */
  cookies?: [string, string][];
  body?: string | Buffer;
}

export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Set-Cookie headers (empty when none) */
  setCookies: string[];
  text: string;
  /** the body parsed as JSON when it is JSON, else undefined */
  body: any;
}

/**
 * A client's cookies for one host, as an HTTP client library keeps them: the test helpers'
 * clients (server/testing.ts) and the replay (server/record/replay.ts) share it.
 */
export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
}

/**
 * The cookies of one client for one host, kept as Python `requests.Session.cookies` keeps them:
 * every cookie a response sets is kept (per path and name); one whose Max-Age is 0 or less or
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

  /** `name=value` pairs to send to `url` (every cookie kept without one). */
  pairsFor(url?: string): [string, string][] {
    const u = url === undefined ? undefined : new URL(url);
    const out: [string, string][] = [];
    for (const c of this.cookies.values()) {
      if (u && c.secure && u.protocol !== 'https:') continue;
      if (u && !(u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))) continue;
      out.push([c.name, c.value]);
    }
    return out;
  }

  /** The Cookie header to send to `url`, or of every cookie kept ('' when none applies). */
  header(url?: string): string {
    return this.pairsFor(url)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
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

/** One Set-Cookie header: the cookie, and whether it tells the client to drop it. */
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

/**
 * The pieces of HTTP credentials every door reads the same way: cookies, `Authorization:
 * <scheme> <base64 user:pass>`, and a comparison of secrets that takes the same time whatever
 * the guess. The Avi front door, the NSX stub and the test-control plane's token all use these.
 */
import { timingSafeEqual } from 'node:crypto';

/** `name=value; name2=value2` → all values per name (clients may send a name twice). */
export function parseCookies(header: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep it as sent
    }
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

/** Every value of cookie `name` in a Cookie header, in order. */
export function cookieValues(header: string | undefined, name: string): string[] {
  return parseCookies(header).get(name) ?? [];
}

export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * `Authorization: <scheme> <base64 user:pass>` for one of `schemes` (Basic; the NSX manager also
 * takes Remote), or undefined when the header is absent, of another scheme or holds no colon.
 */
export function basicCredentials(header: string | undefined, schemes: readonly string[] = ['Basic']): BasicCredentials | undefined {
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (!m || !schemes.some((s) => s.toLowerCase() === m[1]!.toLowerCase())) return undefined;
  const text = Buffer.from(m[2]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Whether two secrets are equal, in a time that depends on their lengths only. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Keeps secrets out of a recorded scenario. Two layers:
 * - by shape: fields whose name says secret (password, passphrase, secret, private key, token,
 *   session id, CSRF, cookie, authorization; a virtual service's TLS ticket `aes_key`/`hmac_key`), the `key` of an sslkeyandcertificate, PEM private
 *   keys anywhere, the same names in form bodies and query strings, and credentials in headers;
 * - by value: every secret seen that way (and every cookie, CSRF token and credential seen in
 *   headers) is remembered, and any later occurrence of it anywhere in the file is replaced too,
 *   so a token echoed in a query string or a password repeated in a free-text field is caught.
 */
import { isObject } from '../core/json.js';

export const SCRUBBED = '<scrubbed>';

const SECRET_KEY = /password|passwd|passphrase|secret|private_?key|(aes|hmac)_key|token|session_?id|csrf|cookie|authorization/i;
/** names that only point at or describe a secret (`session_cookie_name`, `secret_ref`) */
const DESCRIBES_SECRET = /(_name|_ref|_refs|_uuid|_type)$/i;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/** shorter remembered values are too likely to be ordinary words ("admin") to replace blindly */
const MIN_REMEMBERED = 8;
/**
 * Nesting past this is not walked: it stands as TOO_DEEP in the copy. API objects nest about a
 * dozen levels; a hostile body nested thousands deep must not exhaust the stack.
 */
const MAX_DEPTH = 100;
export const TOO_DEEP = '<nested too deep>';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !DESCRIBES_SECRET.test(key);
}

export class Scrubber {
  private readonly known = new Set<string>();

  /** A secret seen somewhere the shape rules do not reach (a cookie, a header). */
  remember(value: string | undefined): void {
    if (value && value !== SCRUBBED && value.length >= MIN_REMEMBERED) this.known.add(value);
  }

  /**
   * A copy of a JSON value with secret fields replaced. `type` is the Avi object type the
   * value is (or lists), for type-specific fields such as sslkeyandcertificate's `key`.
   */
  json(value: unknown, type?: string): unknown {
    return this.walk(value, type, true, 0);
  }

  private walk(value: unknown, type: string | undefined, top: boolean, depth: number): unknown {
    if (Array.isArray(value)) return depth >= MAX_DEPTH ? TOO_DEEP : value.map((v) => this.walk(v, type, top, depth + 1));
    if (isObject(value)) {
      if (depth >= MAX_DEPTH) return TOO_DEEP;
      const listing = top && Array.isArray(value.results);
      // built as entries: a key such as `__proto__` stays an own field of the copy
      const out = Object.entries(value).map(([k, v]): [string, unknown] => {
        const secret = isSecretKey(k) || (top && !listing && k === 'key' && type === 'sslkeyandcertificate');
        if (secret && typeof v === 'string' && v !== '') {
          this.remember(v);
          return [k, SCRUBBED];
        }
        // a list answer's results are objects of the same type, still at "top" for `key`
        return [k, this.walk(v, type, listing && k === 'results', depth + 1)];
      });
      return Object.fromEntries(out);
    }
    return typeof value === 'string' ? this.text(value) : value;
  }

  /** Free text: PEM private keys and remembered secrets replaced. */
  text(value: string): string {
    let out = value.replace(PEM_PRIVATE_KEY, SCRUBBED);
    for (const secret of this.known) if (out.includes(secret)) out = out.split(secret).join(SCRUBBED);
    return out;
  }

  /** `a=1&password=x`: values of secret names replaced, the rest kept as sent. */
  form(text: string): string {
    return text
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        const name = decodeForm(pair.slice(0, eq));
        if (!isSecretKey(name)) return pair;
        this.remember(decodeForm(pair.slice(eq + 1)));
        return `${pair.slice(0, eq)}=${SCRUBBED}`;
      })
      .join('&');
  }

  /** A request path: secret query parameters replaced. */
  path(path: string): string {
    const q = path.indexOf('?');
    return q < 0 ? this.text(path) : this.text(path.slice(0, q + 1) + this.form(path.slice(q + 1)));
  }

  /**
   * A header value to keep in the file: `Authorization` keeps its scheme only (so a replay knows
   * to send credentials of its own). Other headers are kept as sent, less remembered secrets.
   */
  header(name: string, value: string): string {
    if (name.toLowerCase() === 'authorization') {
      const [scheme, credentials] = value.split(/\s+/, 2);
      this.rememberCredentials(credentials);
      return credentials === undefined ? SCRUBBED : `${scheme} ${SCRUBBED}`;
    }
    return this.text(value);
  }

  /** Secrets carried by headers that are not kept: cookies, CSRF and XSRF tokens, credentials. */
  rememberHeaders(headers: Record<string, string | string[] | undefined>): void {
    for (const [name, raw] of Object.entries(headers)) {
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const lower = name.toLowerCase();
      for (const value of values) {
        if (lower === 'cookie') for (const c of value.split(';')) this.remember(cookieValue(c));
        else if (lower === 'set-cookie') this.remember(cookieValue(value.split(';')[0]!));
        else if (lower === 'authorization') this.rememberCredentials(value.split(/\s+/, 2)[1]);
        else if (isSecretKey(lower)) this.remember(value);
      }
    }
  }

  private rememberCredentials(credentials: string | undefined): void {
    if (!credentials) return;
    this.remember(credentials);
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) this.remember(decoded.slice(colon + 1));
  }

  /** Every string in a finished document passed through `text` (the by-value layer). */
  deep<T>(value: T, depth = 0): T {
    if ((Array.isArray(value) || isObject(value)) && depth >= MAX_DEPTH) return TOO_DEEP as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v, depth + 1)) as T;
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v, depth + 1)])) as T;
    return (typeof value === 'string' ? this.text(value) : value) as T;
  }
}

function cookieValue(pair: string): string | undefined {
  const eq = pair.indexOf('=');
  return eq < 0 ? undefined : pair.slice(eq + 1).trim();
}

function decodeForm(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

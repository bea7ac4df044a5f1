/**
 * One request and its answer as a scenario file keeps them, and the small helpers both the
 * recorder and the replayer need: which headers matter, how bodies are read, how a base URL is
 * recognised inside text.
 */
import { parseClientJson } from '../core/json-safety.js';

export interface RecordedRequest {
  method: string;
  /** path and query, as the client sent them */
  path: string;
  headers?: Record<string, string>;
  /** parsed JSON when the body was JSON, else its text */
  body?: unknown;
}

export interface RecordedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface Exchange {
  /**
   * Which client session sent it (1, 2, ... in order of first use; a number, never the cookie),
   * absent when the request carried no session: a replay keeps one cookie jar per session.
   */
  session?: number;
  request: RecordedRequest;
  response: RecordedResponse;
}

/** Request headers that change what a controller answers. */
export const REQUEST_HEADERS = ['X-Avi-Version', 'X-Avi-Tenant', 'X-Avi-Tenant-UUID', 'Content-Type', 'Slug', 'Authorization'];
export const RESPONSE_HEADERS = ['Content-Type', 'Location'];

/** Headers of a node message reduced to the ones named, in their canonical spelling. */
export function pickHeaders(
  headers: Record<string, string | string[] | undefined>,
  names: readonly string[],
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = headers[name.toLowerCase()];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A header of a recorded message, whatever its case. */
export function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** JSON parsed when it is JSON (by content type, or by looks when none is given), else the text. */
export function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  const looksJson = /^\s*[[{"]/.test(text);
  if (/json/i.test(contentType ?? '') || (!contentType && looksJson)) {
    // a body nested too deep to walk, or with a `__proto__` key, is kept as text
    try {
      return parseClientJson(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** A recorded body as the text to send again. */
export function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/**
 * The spellings of a base URL that can appear in text: scheme, host and port (the default port
 * written out or not), and the other scheme for the same host and port (a controller behind a
 * TLS terminator renders `http://`).
 */
export function originVariants(base: string): string[] {
  const u = new URL(base);
  const defaultPort = u.protocol === 'https:' ? '443' : '80';
  const port = u.port || defaultPort;
  const out = new Set<string>();
  for (const scheme of ['https', 'http']) {
    // (an IPv6 hostname comes bracketed already)
    out.add(`${scheme}://${u.hostname}:${port}`);
    if ((scheme === 'https' && port === '443') || (scheme === 'http' && port === '80')) out.add(`${scheme}://${u.hostname}`);
  }
  // longest first, so `http://h:8080` is replaced before a shorter spelling could cut into it
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the given origins (whole, not a prefix of a longer host:port). */
export function replaceOrigins(text: string, origins: readonly string[], by: string): string {
  if (!origins.length || !text.includes('://')) return text;
  const pattern = new RegExp(`(?:${origins.map(escapeRegExp).join('|')})(?![0-9A-Za-z.:_-])`, 'g');
  return text.replace(pattern, by);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The path without its query and with repeated slashes collapsed, as a controller routes it. */
export function routePath(path: string): string {
  const q = path.search(/[?#]/);
  return (q < 0 ? path : path.slice(0, q)).replace(/\/{2,}/g, '/');
}

/** Paths of the NSX-T manager API (Policy, session, management plane), not Avi's. */
export function isNsxPath(path: string): boolean {
  const p = routePath(path);
  return p.startsWith('/policy/') || p.startsWith('/api/v1/') || p === '/api/session/create' || p === '/api/session/destroy';
}

export function isLoginPath(path: string): boolean {
  return /^\/login\/?$/.test(routePath(path));
}

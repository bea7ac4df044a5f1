/**
 * Turns proxied traffic into what a scenario file keeps: each exchange with only the headers
 * that matter, bodies parsed, base URLs taken out (refs become `/api/pool/pool-…#name`, so the
 * file names neither the controller nor the proxy), secrets scrubbed; plus the objects' final
 * state and the controller version the answers showed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isObject } from '../core/json.js';
import {
  type Exchange,
  headerOf,
  parseBody,
  pickHeaders,
  replaceOrigins,
  REQUEST_HEADERS,
  RESPONSE_HEADERS,
  routePath,
} from './exchange.js';
import { ObjectTracker } from './objects.js';
import { Scrubber } from './scrub.js';

export interface RawExchange {
  method: string;
  /** the request target as the client sent it */
  path: string;
  requestHeaders: IncomingHttpHeaders;
  /** as the client sent it */
  requestBody: string;
  status: number;
  /** as the controller sent them */
  responseHeaders: IncomingHttpHeaders;
  /** as the controller sent it */
  responseBody: string;
  /** spellings of the base URLs (proxy's and controller's) to take out of bodies and headers */
  origins: readonly string[];
}

export interface ControllerSeen {
  version: string;
  build?: number | string;
}

const SESSION_COOKIES = new Set(['sessionid', 'avi-sessionid', 'jsessionid']);

export class Recorder {
  readonly exchanges: Exchange[] = [];
  readonly objects = new ObjectTracker();
  readonly scrubber = new Scrubber();
  controller?: ControllerSeen;
  /** session cookie value → its number in the file */
  private readonly sessions = new Map<string, number>();

  record(raw: RawExchange): Exchange {
    const s = this.scrubber;
    s.rememberHeaders(raw.requestHeaders);
    s.rememberHeaders(pickSecretResponseHeaders(raw.responseHeaders));
    const type = /^\/api\/([A-Za-z0-9_-]+)/.exec(routePath(raw.path))?.[1];

    const requestHeaders = pickHeaders(raw.requestHeaders, REQUEST_HEADERS);
    if (requestHeaders) for (const k of Object.keys(requestHeaders)) requestHeaders[k] = s.header(k, requestHeaders[k]!);
    const requestType = headerOf(requestHeaders, 'Content-Type');
    const requestText = replaceOrigins(raw.requestBody, raw.origins, '');
    let requestBody: unknown;
    if (/x-www-form-urlencoded/i.test(requestType ?? '')) requestBody = requestText ? s.form(requestText) : undefined;
    else requestBody = s.json(parseBody(requestText, requestType), type);

    const responseHeaders = pickHeaders(raw.responseHeaders, RESPONSE_HEADERS);
    if (responseHeaders?.Location) responseHeaders.Location = s.text(replaceOrigins(responseHeaders.Location, raw.origins, ''));
    const parsed = parseBody(replaceOrigins(raw.responseBody, raw.origins, ''), headerOf(responseHeaders, 'Content-Type'));
    const responseBody = s.json(parsed, type);

    this.noteVersion(raw.status, responseBody);
    this.objects.observe(raw.method, raw.path, raw.status, responseBody);

    const exchange: Exchange = {
      request: {
        method: raw.method,
        path: s.path(raw.path),
        ...(requestHeaders && { headers: requestHeaders }),
        ...(requestBody !== undefined && { body: requestBody }),
      },
      response: {
        status: raw.status,
        ...(responseHeaders && { headers: responseHeaders }),
        ...(responseBody !== undefined && { body: responseBody }),
      },
    };
    const session = this.sessionOf(raw);
    const recorded = session === undefined ? exchange : { session, ...exchange };
    this.exchanges.push(recorded);
    return recorded;
  }

  /**
   * The session a request belongs to: the one its answer opens (a login), else the one its
   * cookie names. Numbered by first sight so the file holds no cookie.
   */
  private sessionOf(raw: RawExchange): number | undefined {
    const opened = cookiesOf(raw.responseHeaders['set-cookie'] ?? [], true);
    const sent = cookiesOf((raw.requestHeaders.cookie ?? '').split(';'), false);
    const id = opened[0] ?? sent.find((v) => this.sessions.has(v)) ?? sent[0];
    if (id === undefined) return undefined;
    let n = this.sessions.get(id);
    if (n === undefined) this.sessions.set(id, (n = this.sessions.size + 1));
    return n;
  }

  /** The controller version from a login, initial-data or cluster/version answer. */
  private noteVersion(status: number, body: unknown): void {
    if (status !== 200 || !isObject(body)) return;
    const v = isObject(body.version) ? body.version : typeof body.Version === 'string' ? body : undefined;
    if (v && typeof v.Version === 'string' && v.Version) {
      this.controller = { version: v.Version, ...(typeof v.build === 'number' || typeof v.build === 'string' ? { build: v.build } : {}) };
    }
  }
}

/** Session cookie values: from Set-Cookie lines (`fromSetCookie`) or `name=value` pairs. */
function cookiesOf(lines: string[], fromSetCookie: boolean): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const pair = fromSetCookie ? line.split(';')[0]! : line;
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim().toLowerCase();
    const value = pair.slice(eq + 1).trim();
    if (SESSION_COOKIES.has(name) && value) out.push(value);
  }
  return out;
}

function pickSecretResponseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  return { 'set-cookie': headers['set-cookie'], 'x-xsrf-token': headers['x-xsrf-token'] as string | undefined };
}

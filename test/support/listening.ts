/**
 * A simulator on real sockets, as SDK clients meet it: an Engine behind an HTTPS listener (a
 * self-signed certificate made at start, as on a real controller) and a plain HTTP one, both on
 * 127.0.0.1 with ephemeral ports, sharing one state. Plus a small wire client: node:https with
 * certificate verification off (every Avi SDK skips it) on a keep-alive agent, and a cookie jar
 * like the one Python `requests` keeps. No supertest here: what is tested is what goes over TCP.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Engine, type EngineOptions } from '../../server/engine.js';
import { createListener } from '../../server/http/app.js';
import { loadOrGenerateTls } from '../../server/http/tls.js';
import { TEST_PASSWORD } from './session.js';

export interface ListeningOptions extends Omit<EngineOptions, 'adminPassword'> {
  /** the admin password (default: TEST_PASSWORD) */
  password?: string;
}

/** A request as the server received it (method, raw url, headers), in arrival order. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface Listening {
  engine: Engine;
  /** `https://127.0.0.1:<port>` */
  httpsBase: string;
  /** `http://127.0.0.1:<port>` */
  httpBase: string;
  /** the admin password */
  password: string;
  /** every request both listeners received, oldest first */
  received: Received[];
  close(): Promise<void>;
}

export async function startListening(options: ListeningOptions = {}): Promise<Listening> {
  const { password = TEST_PASSWORD, ...engineOptions } = options;
  const engine = await Engine.create({ ...engineOptions, adminPassword: password });
  const { listener } = await createListener(engine);
  const received: Received[] = [];
  const recording = (req: IncomingMessage, res: ServerResponse) => {
    received.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } });
    listener(req, res);
  };
  const tls = await loadOrGenerateTls({ hostnames: ['127.0.0.1'] });
  const secure = https.createServer({ cert: tls.cert, key: tls.key }, recording);
  const plain = http.createServer(recording);
  const [httpsPort, httpPort] = await Promise.all([listen(secure), listen(plain)]);
  return {
    engine,
    httpsBase: `https://127.0.0.1:${httpsPort}`,
    httpBase: `http://127.0.0.1:${httpPort}`,
    password,
    received,
    async close() {
      await Promise.all([stop(secure), stop(plain)]);
      await engine.close();
    },
  };
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function stop(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// ---------------------------------------------------------------------------------------------
// Cookies

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

export interface WireClientOptions {
  /** keep cookies in (and send them from) this jar; none by default */
  jar?: CookieJar;
}

/** One client's connections: a keep-alive agent for http and one for https (no verification). */
export class WireClient {
  readonly jar?: CookieJar;
  private readonly httpsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  private readonly httpAgent = new http.Agent({ keepAlive: true });

  constructor(options: WireClientOptions = {}) {
    this.jar = options.jar;
  }

  send(req: WireRequest): Promise<WireResponse> {
    const secure = req.url.startsWith('https:');
    const u = new URL(req.url);
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    const pairs = [...(this.jar?.pairsFor(req.url) ?? []), ...(req.cookies ?? [])];
    if (pairs.length) headers.Cookie = pairs.map(([k, v]) => `${k}=${v}`).join('; ');
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    // The raw path: `new URL` would keep `//api` but may re-encode; send what the client wrote.
    const path = req.url.slice(req.url.indexOf('/', u.protocol.length + 2));
    const options: https.RequestOptions = {
      method: req.method,
      host: u.hostname,
      port: u.port,
      path,
      headers,
      agent: secure ? this.httpsAgent : this.httpAgent,
    };
    return new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const setCookies = res.headers['set-cookie'] ?? [];
          this.jar?.store(setCookies);
          let body: unknown;
          if (text && /json/.test(res.headers['content-type'] ?? '')) body = JSON.parse(text);
          resolve({ status: res.statusCode!, headers: res.headers, setCookies, text, body });
        });
      };
      const r = secure ? https.request(options, onResponse) : http.request(options, onResponse);
      r.on('error', reject);
      r.end(req.body);
    });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }
}

/** Logs in with a JSON body on a fresh client; the session's cookie pairs and CSRF token. */
export async function wireLogin(
  client: WireClient,
  base: string,
  username: string,
  password: string,
): Promise<{ res: WireResponse; cookies: [string, string][]; csrf: string; sessionId: string }> {
  const res = await client.send({
    method: 'POST',
    url: `${base}/login`,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${res.text}`);
  const cookies = res.setCookies.map((line) => parseSetCookie(line)!.cookie).map((c): [string, string] => [c.name, c.value]);
  return {
    res,
    cookies,
    csrf: setCookieValue(res.setCookies, 'csrftoken')!,
    sessionId: setCookieValue(res.setCookies, res.body.session_cookie_name)!,
  };
}

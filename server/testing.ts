/**
 * `avisim/testing`: a simulated controller for a vitest or jest suite. `startAvisim()` serves a
 * fresh Engine on 127.0.0.1 (an ephemeral port, plain HTTP or HTTPS with a self-signed
 * certificate made at start), the same listener and sockets as the `avisim` command, and hands
 * back its URLs, the admin credentials, a logged-in client and `reset()`.
 *
 * The client is built on node:http/node:https rather than global `fetch`: Node's fetch cannot be
 * told to accept the self-signed certificate without undici's Agent (not a dependency), and
 * every Avi SDK skips verification against a controller anyway.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { nanoid } from 'nanoid';
import { Engine } from './engine.js';
import { createListener } from './http/app.js';
import { listen, type Listening } from './http/listen.js';
import { loadOrGenerateTls } from './http/tls.js';
import { ADMIN_USER } from './core/admin.js';
import type { MockOptions } from './mock/scopes.js';
import { CookieJar, parseSetCookie, setCookieValue } from './core/cookie-jar.js';

export { CookieJar, parseSetCookie, setCookieValue };

export interface StartAvisimOptions {
  /** a built-in scenario's name (e.g. `nsxt-tkgi`) or a scenario file's path; fresh-controller by default */
  scenario?: string;
  /** reproducible uuids and timestamps */
  seed?: number;
  /** the admin password (default: the scenario's, else generated: read it from the result) */
  adminPassword?: string;
  /**
   * serve this engine (from `avisim`) instead of a new one; `scenario`, `seed` and
   * `adminPassword` are then the engine's, and `close()` leaves the engine to its owner
   */
  engine?: Engine;
  /** serve HTTPS (self-signed certificate) instead of plain HTTP */
  https?: boolean;
  /** with `https`: plain HTTP as well, on a port of its own (`urls.http`) */
  httpPort?: boolean;
  /** the NSX-T stub alone on an HTTPS port of its own (`urls.nsx`), as `avisim --nsx-port` serves it */
  nsxPort?: boolean;
  /** the test-control plane (`/_mock`): on by default; off, guarded by a token, or with limits */
  mock?: MockOptions;
  /** the largest request body the API takes, bytes (as `avisim --body-limit`) */
  bodyLimit?: number;
}

export interface AvisimResponse<T = any> {
  status: number;
  headers: IncomingHttpHeaders;
  /** the body parsed when it is JSON, else the text ('' when none) */
  body: T;
  text: string;
}

export interface RequestOptions {
  /** extra headers for this request (e.g. `X-Avi-Version`, `X-Avi-Tenant`) */
  headers?: Record<string, string>;
}

export interface ClientOptions {
  username?: string;
  password?: string;
  /** headers sent on every request */
  headers?: Record<string, string>;
}

export interface StartedAvisim {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** `${url}/api` */
  apiUrl: string;
  /** every port served: `http` and/or `https` (the Avi API), `nsx` (with `nsxPort`) */
  urls: { http?: string; https?: string; nsx?: string };
  username: string;
  password: string;
  engine: Engine;
  /** logged in as admin */
  client: AvisimClient;
  /** the certificate served (PEM) and its SHA-256 fingerprint, with `https: true` or `nsxPort: true` */
  tls?: { cert: string; fingerprint: string };
  /** another client, logged in (admin by default) */
  newClient(options?: ClientOptions): Promise<AvisimClient>;
  /**
   * A client logged in and working in a sandbox of its own (`X-Mock-Sandbox`): a private copy
   * of the scenario's state, made on first use, that no other client sees.
   */
  sandbox(id?: string, options?: ClientOptions): Promise<AvisimClient>;
  /** every object back as the scenario made it; sessions stay valid (the uuid sequence goes on) */
  reset(): Promise<void>;
  /** closes the clients, then the server (requests in flight get a second), then the engine it made */
  close(): Promise<void>;
}

export async function startAvisim(options: StartAvisimOptions = {}): Promise<StartedAvisim> {
  const ownEngine = options.engine === undefined;
  const engine = options.engine ?? (await Engine.create({ scenario: options.scenario, seed: options.seed, adminPassword: options.adminPassword }));
  const tls = options.https || options.nsxPort ? await loadOrGenerateTls({ hostnames: ['127.0.0.1'] }) : undefined;
  const pem = tls && { cert: tls.cert, key: tls.key };
  const { listener, nsxListener, scopes } = await createListener(engine, { mock: options.mock, bodyLimit: options.bodyLimit });
  const servers: Listening[] = [];
  const urls: StartedAvisim['urls'] = {};
  const serve = async (scheme: 'http' | 'https' | 'nsx', secure: boolean) => {
    const server = await listen(scheme === 'nsx' ? nsxListener : listener, 0, '127.0.0.1', secure ? pem : undefined);
    servers.push(server);
    urls[scheme] = `${secure ? 'https' : 'http'}://127.0.0.1:${server.port}`;
  };
  const stop = async (graceMs: number) => {
    // Idle keep-alive connections of any client end at once, busy ones after the grace.
    await Promise.all(servers.map((s) => s.close(graceMs)));
    if (ownEngine) await engine.close();
  };
  const admin = engine.credentials.find((c) => c.username === ADMIN_USER)!;
  const clients: AvisimClient[] = [];
  let url: string;
  const newClient = async (clientOptions: ClientOptions = {}) => {
    const client = new AvisimClient(url, clientOptions.headers);
    clients.push(client);
    const username = clientOptions.username ?? admin.username;
    const password = clientOptions.password ?? engine.credentials.find((c) => c.username === username)?.password ?? '';
    await client.login(username, password);
    return client;
  };
  let client: AvisimClient;
  try {
    await serve(options.https ? 'https' : 'http', options.https === true);
    if (options.https && options.httpPort) await serve('http', false);
    if (options.nsxPort) await serve('nsx', true);
    url = options.https ? urls.https! : urls.http!;
    client = await newClient();
  } catch (e) {
    for (const c of clients) c.close();
    await stop(0);
    throw e;
  }
  let closed: Promise<void> | undefined;
  return {
    url,
    apiUrl: `${url}/api`,
    urls,
    username: admin.username,
    password: admin.password,
    engine,
    client,
    tls: tls && { cert: tls.cert, fingerprint: tls.fingerprint },
    newClient,
    sandbox: (id = `sandbox-${nanoid(10)}`, clientOptions: ClientOptions = {}) =>
      newClient({ ...clientOptions, headers: { ...clientOptions.headers, 'X-Mock-Sandbox': id } }),
    reset: () => scopes.reset(),
    close: () =>
      (closed ??= (async () => {
        for (const c of clients) c.close();
        await stop(1000);
      })()),
  };
}

/**
 * A small Avi client: logs in with POST /login, keeps the cookies the controller sets and sends
 * them back, with `X-CSRFToken` on writes, as the SDKs do. Paths are relative to the server
 * (`/api/pool`) or absolute URLs (an object's `url`).
 */
export class AvisimClient {
  /** the session's cookies */
  readonly cookies = new CookieJar();
  private readonly agent: http.Agent;

  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {
    this.agent = baseUrl.startsWith('https:')
      ? new https.Agent({ keepAlive: true, rejectUnauthorized: false })
      : new http.Agent({ keepAlive: true });
  }

  /** Logs in (again); throws unless the controller answers 200. */
  async login(username: string, password: string): Promise<AvisimResponse> {
    const res = await this.request('POST', '/login', { username, password });
    if (res.status !== 200) throw new Error(`avisim: login as ${username} failed: ${res.status} ${res.text}`);
    return res;
  }

  /** The CSRF token of the current session. */
  get csrfToken(): string | undefined {
    return this.cookies.get('csrftoken');
  }

  /**
   * The session as request headers (`Cookie`, `X-CSRFToken`), for another HTTP client to
   * work in it.
   */
  sessionHeaders(): { Cookie: string; 'X-CSRFToken': string } {
    const csrf = this.csrfToken;
    if (csrf === undefined) throw new Error('avisim: this client holds no session (no csrftoken cookie)');
    return { Cookie: this.cookies.header(this.baseUrl), 'X-CSRFToken': csrf };
  }

  get<T = any>(path: string, options?: RequestOptions): Promise<AvisimResponse<T>> {
    return this.request('GET', path, undefined, options);
  }
  post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<AvisimResponse<T>> {
    return this.request('POST', path, body, options);
  }
  put<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<AvisimResponse<T>> {
    return this.request('PUT', path, body, options);
  }
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<AvisimResponse<T>> {
    return this.request('PATCH', path, body, options);
  }
  delete<T = any>(path: string, options?: RequestOptions): Promise<AvisimResponse<T>> {
    return this.request('DELETE', path, undefined, options);
  }

  request<T = any>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<AvisimResponse<T>> {
    const target = new URL(path, this.baseUrl);
    const headers: Record<string, string> = { Accept: 'application/json', ...this.defaultHeaders };
    const cookie = this.cookies.header(target.href);
    if (cookie) headers.Cookie = cookie;
    const csrf = this.cookies.get('csrftoken');
    if (csrf && method !== 'GET' && method !== 'HEAD') headers['X-CSRFToken'] = csrf;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    Object.assign(headers, options.headers);
    const send = target.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(target, { method, headers, agent: this.agent }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          this.cookies.store(res.headers['set-cookie']);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          if (text && /json/.test(res.headers['content-type'] ?? '')) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed as T, text });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Drops its connections. */
  close(): void {
    this.agent.destroy();
  }
}


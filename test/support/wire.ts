/**
 * The wire client every contract suite talks through: node:http/node:https on keep-alive agents,
 * the raw path sent as written (`//api/pool` stays doubled), cookies from an optional jar plus
 * per-request pairs, and a log of every request as it went out (method, raw path, headers), so
 * a suite can check what a replayed client sent without looking inside the server.
 *
 * Certificate verification follows the target: off for avisim's self-signed certificate and when
 * `AVISIM_INSECURE=1`, on otherwise. Headers the target needs on every request (a sandbox id)
 * are added by the owner through `defaults`.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { CookieJar, parseSetCookie, setCookieValue } from '../../server/testing.js';

export { CookieJar, parseSetCookie, setCookieValue };

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

/** A request as it left the client: headers with lower-case names, Cookie included. */
export interface SentRequest {
  method: string;
  /** the raw path and query, e.g. `//api/initial-data` */
  url: string;
  headers: Record<string, string>;
  status?: number;
}

export interface WireOptions {
  /** verify the server's certificate (default false) */
  verify?: boolean;
  jar?: CookieJar;
  /** headers added to every request (the request's own win) */
  defaults?: Record<string, string>;
  /** called with every answered request (the cleanup registry listens here) */
  observe?: (req: WireRequest, res: WireResponse) => void;
}

export class Wire {
  readonly jar?: CookieJar;
  readonly sent: SentRequest[] = [];
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent = new http.Agent({ keepAlive: true });

  constructor(private readonly options: WireOptions = {}) {
    this.jar = options.jar;
    this.httpsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: options.verify === true });
  }

  send(req: WireRequest): Promise<WireResponse> {
    const u = new URL(req.url);
    const secure = u.protocol === 'https:';
    const headers: OutgoingHttpHeaders = { ...(this.options.defaults ?? {}), ...(req.headers ?? {}) };
    const pairs = [...(this.jar?.pairsFor(req.url) ?? []), ...(req.cookies ?? [])];
    if (pairs.length) headers.Cookie = pairs.map(([k, v]) => `${k}=${v}`).join('; ');
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const path = req.url.slice(req.url.indexOf('/', u.protocol.length + 2));
    const record: SentRequest = {
      method: req.method,
      url: path,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
    };
    this.sent.push(record);
    const options: https.RequestOptions = {
      method: req.method,
      host: u.hostname,
      port: u.port,
      path,
      headers,
      agent: secure ? this.httpsAgent : this.httpAgent,
    };
    return new Promise<WireResponse>((resolve, reject) => {
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const setCookies = res.headers['set-cookie'] ?? [];
          this.jar?.store(setCookies);
          let body: unknown;
          if (text && /json/.test(res.headers['content-type'] ?? '')) {
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
          }
          record.status = res.statusCode!;
          resolve({ status: res.statusCode!, headers: res.headers, setCookies, text, body });
        });
      };
      const r = secure ? https.request(options, onResponse) : http.request(options, onResponse);
      r.on('error', reject);
      r.end(req.body);
    }).then((res) => {
      this.options.observe?.(req, res);
      return res;
    });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }
}

export interface ApiResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: any;
  text: string;
  setCookies: string[];
}

/**
 * An Avi API client on one session, as the SDKs keep one: logs in with JSON, keeps the cookies,
 * sends `X-CSRFToken` on every call, plus fixed headers (version, tenant) of its own.
 */
export class ApiClient {
  constructor(
    readonly base: string,
    readonly wire: Wire,
    private readonly headers: Record<string, string> = {},
  ) {
    if (!wire.jar) throw new Error('an ApiClient needs a Wire with a cookie jar');
  }

  get csrf(): string | undefined {
    return this.wire.jar!.get('csrftoken');
  }

  async login(username: string, password: string): Promise<ApiResponse> {
    const res = await this.wire.send({
      method: 'POST',
      url: `${this.base}/login`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login as ${username} at ${this.base} failed: ${res.status} ${res.text}`);
    return res;
  }

  /** The same session with other fixed headers (e.g. another tenant). */
  with(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.base, this.wire, { ...this.headers, ...headers });
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const h: Record<string, string> = { Accept: 'application/json', ...this.headers, ...headers };
    if (this.csrf) h['X-CSRFToken'] = this.csrf;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const url = /^https?:/.test(path) ? path : `${this.base}${path}`;
    return this.wire.send({ method, url, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', path, body ?? {}, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PUT', path, body, headers);
  patch = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PATCH', path, body, headers);
  del = (path: string, headers?: Record<string, string>) => this.request('DELETE', path, undefined, headers);

  close(): void {
    this.wire.close();
  }
}

/** Logs in with a JSON body on `wire`; the session's cookie pairs, CSRF token and session id. */
export async function wireLogin(
  wire: Wire,
  base: string,
  username: string,
  password: string,
): Promise<{ res: WireResponse; cookies: [string, string][]; csrf: string; sessionId: string }> {
  const res = await wire.send({
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

/** The session cookies (`sessionid`, `avi-sessionid`) an answer sets, if any. */
export function sessionCookiesSet(res: WireResponse): string[] {
  return res.setCookies.filter((line) => /^(avi-)?sessionid=[^;]/.test(line));
}

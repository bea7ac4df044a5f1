/**
 * `avisim/msw`: the simulator in-process, as msw request handlers. A client under test keeps
 * talking to `https://avi.example/api/...` (or any base URL) with `fetch`, axios or node:http;
 * msw intercepts the request and these handlers answer it from an Engine, with no listening
 * server and no socket.
 *
 * Nothing is routed here. Each msw `Request` is written as HTTP/1.1 bytes into an in-memory
 * duplex stream handed to a node:http server that never listens (`server.emit('connection')`,
 * as server/http/listen.ts does for TLS connections). Node's own parser turns it into the real
 * `IncomingMessage`/`ServerResponse` pair and calls the same request listener the CLI serves
 * (`createListener(engine).listener`): the API, the NSX-T stub, /_mock and the 501s alike. The
 * bytes written back are read into a Fetch `Response`, every header kept (one `Set-Cookie` per
 * cookie, as a controller sends them).
 */
import { createServer, type Server } from 'node:http';
import { Duplex } from 'node:stream';
import { http, type RequestHandler } from 'msw';
import { Engine } from './engine.js';
import { createListener } from './http/app.js';
import { ADMIN_USER } from './core/admin.js';

export const DEFAULT_BASE_URL = 'https://avi.example';

export interface AvisimHandlersOptions {
  /** the origin the client under test talks to (default `https://avi.example`); an https one
   * makes the simulator answer as over TLS: `https://...` refs and urls, Secure cookies */
  baseUrl?: string;
  /** serve this engine; else one is created from `scenario`, `seed` and `adminPassword` */
  engine?: Engine;
  /** scenario file (YAML or JSON); the fresh-controller scenario by default */
  scenario?: string;
  /** reproducible uuids and timestamps */
  seed?: number;
  /** the admin password (default: the scenario's, else generated: read it from the result) */
  adminPassword?: string;
}

export interface AvisimHandlers {
  /** for `setupServer(...handlers)` / `server.use(...handlers)`: everything under `${baseUrl}/*` */
  handlers: RequestHandler[];
  engine: Engine;
  /** the normalised base URL (no trailing slash) */
  baseUrl: string;
  /** `admin` */
  username: string;
  /** the admin password */
  password: string;
  /** one request in, one response out, without msw (e.g. as a client's custom `fetch`) */
  fetch: (request: Request) => Promise<Response>;
  /** every object back as the scenario made it, journal and fault rules emptied; sessions stay valid */
  reset(): Promise<void>;
}

export async function createAvisimHandlers(options: AvisimHandlersOptions = {}): Promise<AvisimHandlers> {
  const baseUrl = originOf(options.baseUrl ?? DEFAULT_BASE_URL);
  const engine =
    options.engine ?? (await Engine.create({ scenario: options.scenario, seed: options.seed, adminPassword: options.adminPassword }));
  const { fetch, scopes } = await inProcess(engine, { encrypted: baseUrl.startsWith('https:') });
  const admin = engine.credentials.find((c) => c.username === ADMIN_USER)!;
  return {
    handlers: [http.all(`${baseUrl}/*`, ({ request }) => fetch(request))],
    engine,
    baseUrl,
    username: admin.username,
    password: admin.password,
    fetch,
    reset: () => scopes.reset(),
  };
}

/**
 * Answers Fetch requests from `engine` through its node:http request listener, in memory.
 * `encrypted`: requests look as if they came over TLS (`req.socket.encrypted`).
 */
async function inProcess(engine: Engine, options: { encrypted: boolean }) {
  const { listener, scopes } = await createListener(engine);
  // Never listens: connections are handed to it one per request.
  const server = createServer(listener);
  return { scopes, fetch: (request: Request) => exchange(server, request, options.encrypted) };
}

/** The origin of a base URL; a path beyond `/` is refused (the API lives at the root). */
function originOf(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`avisim/msw: baseUrl must be an absolute http(s) URL, got "${baseUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`avisim/msw: baseUrl must be http or https, got "${baseUrl}"`);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`avisim/msw: baseUrl must be an origin such as https://avi.example (the API is at /api), got "${baseUrl}"`);
  }
  return url.origin;
}

/** Request headers not forwarded: the adapter frames the message itself. */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'expect', 'upgrade', 'te']);

async function exchange(server: Server, request: Request, encrypted: boolean): Promise<Response> {
  const url = new URL(request.url);
  const body = request.body === null ? Buffer.alloc(0) : Buffer.from(await request.arrayBuffer());
  const head = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  request.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) head.push(`${name}: ${value}`);
  });
  if (body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(request.method)) head.push(`Content-Length: ${body.length}`);
  head.push('Connection: close', '', '');
  const socket = new InMemorySocket(encrypted);
  const answered = socket.answered();
  server.emit('connection', socket);
  socket.push(Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), body]));
  let raw: Buffer;
  try {
    raw = await answered;
  } finally {
    socket.destroy();
  }
  return parseResponse(raw, request.method);
}

/**
 * One connection's worth of socket: what is pushed is the request, what the server writes is
 * collected until it ends its side (it does after the response, the request said
 * `Connection: close`) or drops the connection.
 */
class InMemorySocket extends Duplex {
  private readonly written: Buffer[] = [];
  private done?: (raw: Buffer) => void;
  private failed?: (e: Error) => void;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly remoteFamily = 'IPv4';
  readonly localAddress = '127.0.0.1';
  readonly localPort: number;

  constructor(readonly encrypted: boolean) {
    super({ allowHalfOpen: true });
    this.localPort = encrypted ? 443 : 80;
    this.on('close', () => this.settle());
  }

  answered(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.done = resolve;
      this.failed = reject;
    });
  }

  // Socket-like surface the HTTP server may use.
  setTimeout(_ms: number, _cb?: () => void) { return this; }
  setNoDelay(_noDelay?: boolean) { return this; }
  setKeepAlive(_enable?: boolean, _delay?: number) { return this; }
  ref() { return this; }
  unref() { return this; }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.written.push(chunk);
    cb();
  }

  override _final(cb: (e?: Error | null) => void): void {
    cb();
    this.settle();
  }

  private settle(): void {
    const done = this.done;
    const failed = this.failed;
    this.done = this.failed = undefined;
    if (!done || !failed) return;
    if (this.written.length) done(Buffer.concat(this.written));
    else failed(new Error('avisim: the connection closed without a response'));
  }
}

/** An HTTP/1.1 response as written by node:http, as a Fetch `Response`. */
function parseResponse(raw: Buffer, method: string): Response {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('avisim: incomplete HTTP response');
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine ?? '');
  if (!m) throw new Error(`avisim: bad HTTP status line "${statusLine}"`);
  const status = Number(m[1]);
  const headers = new Headers();
  let chunked = false;
  let length: number | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding') {
      chunked = /(^|,)\s*chunked\s*$/i.test(value);
      continue;
    }
    if (lower === 'connection' || lower === 'keep-alive') continue;
    if (lower === 'content-length') length = Number(value);
    // append, not set: each Set-Cookie stays its own header (Headers.getSetCookie()).
    headers.append(name, value);
  }
  let body = raw.subarray(end + 4);
  if (chunked) body = dechunk(body);
  else if (length !== undefined && Number.isFinite(length)) body = body.subarray(0, length);
  const noBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
  return new Response(noBody ? null : new Uint8Array(body), { status, statusText: m[2] ?? '', headers });
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

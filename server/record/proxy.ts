/**
 * The recording proxy: a client talks to it as to the controller. Each request goes to the
 * upstream unchanged but for `Host`, `Referer`/`Origin` and the proxy's base URL in the body;
 * each answer comes back with the upstream's base URL (in the body and `Location`) turned into
 * the proxy's, so the client keeps talking to the proxy, and cookies made usable on the
 * proxy's host. Every exchange is recorded; the scenario file is rewritten shortly after each
 * one (and at close), so a crash loses little.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import { listen, type Listening } from '../http/listen.js';
import { sendJson } from '../http/respond.js';
import { loadOrGenerateTls } from '../http/tls.js';
import { originVariants, replaceOrigins } from './exchange.js';
import { Recorder } from './recorder.js';
import { scenarioYaml, writeScenarioFile } from './scenario-writer.js';

export interface RecordProxyOptions {
  /** the controller's base URL, e.g. `https://10.0.0.5` */
  upstream: string;
  /** the scenario file to write */
  out: string;
  /** default 0 (a free port) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** listen over HTTPS with a self-signed certificate made at start */
  https?: boolean;
  /** do not verify the upstream's certificate (controllers serve self-signed ones) */
  insecure?: boolean;
  /** the scenario the recording is assumed to start from (`extends:`), default fresh-controller */
  base?: string;
  /** the scenario's `name`, default the file's base name */
  name?: string;
  /** how long after an exchange the file is rewritten, default 200 ms */
  debounceMs?: number;
  /** told one line per exchange */
  log?: (line: string) => void;
}

export interface RecordProxy {
  /** the base URL clients use instead of the controller's */
  url: string;
  port: number;
  recorder: Recorder;
  /** writes the scenario file now */
  flush(): Promise<void>;
  /** stops accepting, lets requests in flight finish, writes the file */
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  // the proxy has the whole body before it forwards: nothing to wait for upstream
  'expect',
]);

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startRecordProxy(options: RecordProxyOptions): Promise<RecordProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new Error(`--upstream must be an http:// or https:// URL, got "${options.upstream}"`);
  }
  const upstreamBase = upstream.origin;
  const upstreamOrigins = originVariants(upstreamBase);
  const secure = upstream.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, rejectUnauthorized: !options.insecure }) : new http.Agent({ keepAlive: true });
  const host = options.host ?? '127.0.0.1';
  const scheme = options.https ? 'https' : 'http';
  const recorder = new Recorder();
  const started = new Date();
  const name = options.name ?? (options.out.split(/[\\/]/).pop() ?? options.out).replace(/\.(ya?ml|json)$/i, '');
  const base = options.base ?? 'fresh-controller';

  // Writes one at a time, the latest state each time.
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing
      .catch(() => {})
      .then(() => writeScenarioFile(options.out, scenarioYaml(recorder, { name, base, started })));
    return writing;
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => void flush().catch((e) => options.log?.(`cannot write ${options.out}: ${(e as Error).message}`)), options.debounceMs ?? 200);
  };

  let port = 0;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((e) => {
      if (!res.headersSent) sendError(res, 500, `avisim record: ${(e as Error).message}`);
      else res.destroy();
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestBody = await readAll(req);
    const proxyBase = `${scheme}://${req.headers.host ?? `${host}:${port}`}`;
    const proxyOrigins = originVariants(proxyBase);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';

    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_BY_HOP.has(k) || k === 'host' || k === 'accept-encoding') continue;
      headers[k] = k === 'referer' || k === 'origin' ? replaceOrigins(String(v), proxyOrigins, upstreamBase) : v;
    }
    headers.host = upstream.host;
    // identity, so the answer's base URLs can be rewritten
    headers['accept-encoding'] = 'identity';
    const textual = isText(req.headers['content-type']);
    const sent = textual && requestBody.length ? Buffer.from(replaceOrigins(requestBody.toString('utf8'), proxyOrigins, upstreamBase)) : requestBody;
    if (sent.length || req.headers['content-length'] !== undefined) headers['content-length'] = String(sent.length);

    let answer: Upstream;
    try {
      answer = await forward(secure, agent, upstream, method, path, headers, sent);
    } catch (e) {
      options.log?.(`✗ ${method} ${path}: upstream ${upstreamBase} did not answer (${(e as Error).message})`);
      sendError(res, 502, `avisim record: upstream ${upstreamBase} did not answer: ${(e as Error).message}`);
      return;
    }

    const out: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(answer.headers)) {
      if (v === undefined || HOP_BY_HOP.has(k)) continue;
      if (k === 'location') out[k] = replaceOrigins(String(v), upstreamOrigins, proxyBase);
      else if (k === 'set-cookie') out[k] = (v as string[]).map((c) => cookieForProxy(c, options.https === true));
      else out[k] = v;
    }
    const encoded = answer.headers['content-encoding'] !== undefined && answer.headers['content-encoding'] !== 'identity';
    const rewritable = !encoded && isText(answer.headers['content-type']);
    const upstreamText = rewritable ? answer.body.toString('utf8') : '';
    const body = rewritable ? Buffer.from(replaceOrigins(upstreamText, upstreamOrigins, proxyBase)) : answer.body;
    // a HEAD answer's length is the length of what a GET would get
    out['content-length'] = method === 'HEAD' ? (answer.headers['content-length'] ?? '0') : String(body.length);
    res.writeHead(answer.status, out);
    res.end(body);

    recorder.record({
      method,
      path,
      requestHeaders: req.headers,
      requestBody: textual ? requestBody.toString('utf8') : requestBody.length ? `<${requestBody.length} bytes>` : '',
      status: answer.status,
      responseHeaders: answer.headers,
      responseBody: rewritable ? upstreamText : answer.body.length ? `<${answer.body.length} bytes>` : '',
      origins: [...proxyOrigins, ...upstreamOrigins],
    });
    options.log?.(`${recorder.exchanges.length} ${method} ${path} ${answer.status}`);
    schedule();
  };

  const tls = options.https ? await loadOrGenerateTls({ hostnames: [host] }) : undefined;
  let server: Listening;
  try {
    server = await listen(listener, options.port ?? 0, host, tls && { cert: tls.cert, key: tls.key });
  } catch (e) {
    agent.destroy();
    throw e;
  }
  port = server.port;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  // The file exists from the start: an empty recording is a valid scenario too.
  await flush();
  let closed: Promise<void> | undefined;
  return {
    url: `${scheme}://${shown}:${port}`,
    port,
    recorder,
    flush,
    close: () =>
      (closed ??= (async () => {
        await server.close(2000);
        agent.destroy();
        await flush();
      })()),
  };
}

function forward(
  secure: boolean,
  agent: http.Agent,
  upstream: URL,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body: Buffer,
): Promise<Upstream> {
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
        port: upstream.port || undefined,
        method,
        // node refuses raw spaces in a request target (old Go SDKs send them): percent-encode
        path: path.replace(/[^\u0021-\u00ff]/g, (c) => encodeURIComponent(c)),
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body.length ? body : undefined);
  });
}

/** A Set-Cookie line the client will send back to the proxy: no `Domain`, no `Secure` over plain HTTP. */
export function cookieForProxy(line: string, proxyIsHttps: boolean): string {
  return line
    .split(';')
    .filter((part, i) => {
      if (i === 0) return true;
      const attr = part.trim().toLowerCase();
      if (attr.startsWith('domain=')) return false;
      return !(attr === 'secure' && !proxyIsHttps);
    })
    .join(';');
}

function isText(contentType: string | undefined): boolean {
  return !contentType || /json|text|xml|x-www-form-urlencoded|javascript|yaml/i.test(contentType);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

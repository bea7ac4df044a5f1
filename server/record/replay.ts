/**
 * Replays a recorded scenario's exchanges, in order, against a controller (real or avisim) and
 * says, exchange by exchange, whether the live answers match the recorded ones.
 *
 * It acts as the recorded client did: one cookie jar per recorded session, `X-CSRFToken` on
 * writes and `Referer` as the SDKs send them, the NSX session's `X-XSRF-TOKEN` back on writes.
 * Where the recording logged in successfully, the scrubbed credentials are replaced by the
 * live ones; `Authorization: Basic <scrubbed>` is rebuilt from them too. Any other scrubbed
 * field of a JSON body (a certificate's private key) cannot be sent again and is left out, as
 * if the client had not sent it. Recorded uuids and
 * `_last_modified` stamps in paths, headers and bodies are replaced by the live values paired
 * with them so far (LiveValues), and host-less refs get the target's base URL back.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { load as parseYaml } from 'js-yaml';
import { isObject } from '../core/json.js';
import { cassetteExchanges, isCassette } from './cassette.js';
import { compareResponses, UuidLabels, type Difference } from './compare.js';
import {
  bodyText,
  type Exchange,
  headerOf,
  isLoginPath,
  isNsxPath,
  parseBody,
  pickHeaders,
  type RecordedResponse,
  RESPONSE_HEADERS,
  routePath,
} from './exchange.js';
import { LiveValues } from './live-values.js';
import { SCRUBBED } from './scrub.js';
import { ADMIN_USER } from '../core/admin.js';
import { CookieJar } from '../core/cookie-jar.js';

export interface ReplayOptions {
  /** base URL of the controller to replay against */
  target: string;
  /** Avi credentials for recorded logins (username defaults to the recorded one) */
  username?: string;
  password?: string;
  /** NSX manager credentials for recorded NSX sessions and Basic auth (default: the Avi ones;
   * a Basic user name is scrubbed with the rest, so it defaults to admin) */
  nsxUsername?: string;
  nsxPassword?: string;
  /** do not verify the target's certificate */
  insecure?: boolean;
  /** told each result as it comes */
  onResult?: (result: ExchangeResult) => void;
  /** per request, default 30 s */
  timeoutMs?: number;
  /** sent on every request besides the recorded ones (e.g. `X-Mock-Sandbox` to replay in a sandbox) */
  headers?: Record<string, string>;
}

export interface ExchangeResult {
  /** 1-based, in recording order */
  index: number;
  method: string;
  /** the recorded path */
  path: string;
  expectedStatus: number;
  /** undefined when the request failed to get any answer */
  status?: number;
  match: boolean;
  differences: Difference[];
  error?: string;
  /** the target's answer body when its status is not the recorded one (a 409 says why) */
  body?: unknown;
}

/**
 * The replay cannot go on: the target cannot be reached, or its certificate is not trusted.
 * Nothing it would report says anything about the recording.
 */
export class ReplayCannotRun extends Error {}

/** Connection failures: the target is not there (or stopped answering). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
/** Certificate checks that fail for the self-signed (or privately issued) certificates controllers serve. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

/** A send failure that ends the replay, or undefined when it is the exchange's own. */
function cannotRun(e: unknown, target: URL): ReplayCannotRun | undefined {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (UNTRUSTED.has(code)) {
    return new ReplayCannotRun(
      `the target's certificate is not trusted (${code}${code.includes('SELF_SIGNED') ? ': self-signed' : ''}); ` +
        'controllers and avisim serve self-signed ones: --insecure replays without checking it',
    );
  }
  if (UNREACHABLE.has(code)) return new ReplayCannotRun(`cannot reach ${target.origin}: ${code} (${(e as Error).message})`);
  return undefined;
}

export interface ReplayResult {
  results: ExchangeResult[];
  matched: number;
  total: number;
  ok: boolean;
}

/** The `exchanges:` of a scenario file, or a vcrpy cassette's interactions (YAML or JSON). */
export async function loadExchanges(file: string): Promise<Exchange[]> {
  const text = await readFile(file, 'utf8');
  const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (isCassette(doc)) return cassetteExchanges(doc, file);
  if (!isObject(doc)) throw new Error(`${file}: a scenario must be a mapping`);
  const list = doc.exchanges ?? [];
  if (!Array.isArray(list)) throw new Error(`${file}: 'exchanges' must be a list`);
  return list.map((e, i) => {
    const where = `${file}: exchanges[${i}]`;
    if (!isObject(e) || !isObject(e.request) || !isObject(e.response)) throw new Error(`${where} must have a request and a response`);
    if (typeof e.request.method !== 'string' || typeof e.request.path !== 'string') throw new Error(`${where}.request needs a method and a path`);
    if (typeof e.response.status !== 'number') throw new Error(`${where}.response needs a numeric status`);
    return e as unknown as Exchange;
  });
}

interface Jar {
  cookies: CookieJar;
  /** the NSX session's token, sent back on writes */
  xsrf?: string;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** a host-less rendered ref or url (`/api/pool/pool-…#p1`): the target's base URL goes back on */
const BARE_REF = /^\/api\/[A-Za-z0-9_-]+\/[^/?#\s]+\/?(#.*)?$/;

export async function replay(exchanges: Exchange[], options: ReplayOptions): Promise<ReplayResult> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`--target must be an http:// or https:// URL, got "${options.target}"`);
  const secure = target.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, rejectUnauthorized: !options.insecure }) : new http.Agent({ keepAlive: true });
  const logsIn = (isLogin: (path: string) => boolean) => exchanges.some((e) => restoresCredentials(e) && isLogin(e.request.path));
  if (logsIn(isLoginPath) && !options.password) {
    throw new Error('the recording logs in: give the password to log in with (--password or AVISIM_PASSWORD)');
  }
  if (logsIn((p) => routePath(p) === '/api/session/create') && !(options.nsxPassword ?? options.password)) {
    throw new Error('the recording opens an NSX session: give the NSX password (--nsx-password or AVISIM_NSX_PASSWORD)');
  }
  const values = new LiveValues();
  const labels = new UuidLabels(values);
  const jars = new Map<number, Jar>();
  const results: ExchangeResult[] = [];
  try {
    for (const [i, exchange] of exchanges.entries()) {
      const jar = exchange.session === undefined ? { cookies: new CookieJar() } : jarOf(jars, exchange.session);
      const result: ExchangeResult = {
        index: i + 1,
        method: exchange.request.method,
        path: exchange.request.path,
        expectedStatus: exchange.response.status,
        match: false,
        differences: [],
      };
      try {
        const live = await send(agent, target, buildRequest(exchange, jar, values, target, options), options.timeoutMs ?? 30_000);
        keepCookies(jar, live.headers);
        const answer: RecordedResponse = {
          status: live.status,
          headers: pickHeaders(live.headers, RESPONSE_HEADERS),
          body: parseBody(live.text, live.headers['content-type']),
        };
        result.status = live.status;
        result.differences = compareResponses(exchange.response, answer, values, labels);
        result.match = result.differences.length === 0;
        if (live.status !== exchange.response.status && answer.body !== undefined) result.body = answer.body;
      } catch (e) {
        const fatal = cannotRun(e, target);
        if (fatal) throw fatal;
        result.error = (e as Error).message;
      }
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    agent.destroy();
  }
  const matched = results.filter((r) => r.match).length;
  return { results, matched, total: results.length, ok: matched === results.length };
}

function jarOf(jars: Map<number, Jar>, session: number): Jar {
  let jar = jars.get(session);
  if (!jar) jars.set(session, (jar = { cookies: new CookieJar() }));
  return jar;
}

interface LiveRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A recorded login (Avi or NSX) that succeeded: the live credentials go in its place. */
function restoresCredentials(e: Exchange): boolean {
  return e.request.method.toUpperCase() === 'POST' && e.response.status >= 200 && e.response.status < 300;
}

function buildRequest(exchange: Exchange, jar: Jar, values: LiveValues, target: URL, options: ReplayOptions): LiveRequest {
  const { request } = exchange;
  const method = request.method.toUpperCase();
  const nsx = isNsxPath(request.path);
  const user = nsx ? (options.nsxUsername ?? options.username) : options.username;
  // Basic credentials are scrubbed whole, user name included: admin unless told otherwise
  const basicUser = user ?? ADMIN_USER;
  const password = nsx ? (options.nsxPassword ?? options.password) : options.password;
  const headers: Record<string, string> = { Accept: 'application/json', Referer: target.origin };
  for (const [k, v] of Object.entries(request.headers ?? {})) {
    if (k.toLowerCase() === 'authorization') {
      const scheme = v.split(/\s+/)[0]!;
      // Basic (and NSX's Remote) can be rebuilt from the live credentials; others cannot.
      if (/^(basic|remote)$/i.test(scheme) && password !== undefined) {
        headers.Authorization = `${scheme} ${Buffer.from(`${basicUser}:${password}`).toString('base64')}`;
      }
    } else {
      headers[k] = values.rewriteText(v);
    }
  }
  Object.assign(headers, options.headers);
  const cookie = jar.cookies.header();
  if (cookie) headers.Cookie = cookie;
  const csrf = jar.cookies.get('csrftoken');
  if (!READS.has(method)) {
    if (csrf) headers['X-CSRFToken'] = csrf;
    if (jar.xsrf) headers['X-XSRF-TOKEN'] = jar.xsrf;
  }

  let body = request.body;
  const login = restoresCredentials(exchange) && (isLoginPath(request.path) || routePath(request.path) === '/api/session/create');
  if (login) body = withCredentials(body, user, password);
  else if (body !== undefined && typeof body !== 'string') body = withOrigin(values.rewriteBody(withoutScrubbed(body)), target.origin);
  else if (typeof body === 'string') body = values.rewriteText(body);
  const text = bodyText(body);
  if (text !== undefined) headers['Content-Length'] = String(Buffer.byteLength(text));
  if (text !== undefined && headerOf(headers, 'Content-Type') === undefined) {
    headers['Content-Type'] = typeof body === 'string' ? 'text/plain' : 'application/json';
  }
  return { method, path: values.rewriteText(request.path), headers, body: text };
}

/** A login body (JSON, or a form as Python and NSX clients send) with the live credentials. */
function withCredentials(body: unknown, user: string | undefined, password: string | undefined): unknown {
  if (isObject(body)) {
    const out = { ...body };
    if (user !== undefined && 'username' in out) out.username = user;
    if (password !== undefined && out.password === SCRUBBED) out.password = password;
    return out;
  }
  if (typeof body === 'string') {
    return body
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        const value = eq < 0 ? '' : pair.slice(eq + 1);
        if ((name === 'username' || name === 'j_username') && user !== undefined) return `${name}=${encodeURIComponent(user)}`;
        if ((name === 'password' || name === 'j_password') && value === SCRUBBED && password !== undefined) {
          return `${name}=${encodeURIComponent(password)}`;
        }
        return pair;
      })
      .join('&');
  }
  return body;
}

/** A JSON body without the fields whose value the recording scrubbed. */
function withoutScrubbed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutScrubbed);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== SCRUBBED).map(([k, v]) => [k, withoutScrubbed(v)]));
}

function withOrigin(value: unknown, origin: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withOrigin(v, origin));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withOrigin(v, origin)]));
  return typeof value === 'string' && BARE_REF.test(value) ? origin + value : value;
}

function keepCookies(jar: Jar, headers: IncomingHttpHeaders): void {
  jar.cookies.store(headers['set-cookie']);
  const xsrf = headers['x-xsrf-token'];
  if (typeof xsrf === 'string' && xsrf) jar.xsrf = xsrf;
}

function send(
  agent: http.Agent,
  target: URL,
  req: LiveRequest,
  timeoutMs: number,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const r = request(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || undefined,
        method: req.method,
        path: req.path.replace(/[^\u0021-\u00ff]/g, (c) => encodeURIComponent(c)),
        headers: req.headers,
        agent,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/**
 * `✓ 12 POST /api/pool 201`, or `✗ …` headed by what differs: the status (with the target's
 * answer, which says why it refused), else the first differing paths; then each difference
 * (at most `max` paths).
 */
export function formatResult(r: ExchangeResult, max = 8): string {
  const head = `${r.match ? '✓' : '✗'} ${r.index} ${r.method} ${shorten(r.path)}`;
  if (r.error) return `${head}: ${r.error}`;
  if (r.match) return `${head} ${r.status}`;
  const shown = r.differences.filter((d) => d.path !== 'status');
  const lines: string[] = [];
  if (r.status !== r.expectedStatus) {
    lines.push(`${head}: status ${r.status}, recorded ${r.expectedStatus}`);
    if (r.body !== undefined) lines.push(`    the target answered: ${show(r.body, 400)}`);
  } else {
    const paths = shown.slice(0, 3).map((d) => d.path);
    const more = shown.length > paths.length ? ` and ${shown.length - paths.length} more` : '';
    lines.push(`${head}: ${paths.join(', ')}${more} differ${shown.length === 1 ? 's' : ''} (status ${r.status} as recorded)`);
  }
  for (const d of shown.slice(0, max)) lines.push(`    ${d.path}: expected ${show(d.expected)} got ${show(d.actual)}`);
  if (shown.length > max) lines.push(`    … and ${shown.length - max} more`);
  return lines.join('\n');
}

export function formatSummary(result: ReplayResult): string {
  const pct = result.total ? ((100 * result.matched) / result.total).toFixed(1).replace(/\.0$/, '') : '100';
  return `${result.matched}/${result.total} exchanges match (${pct}%)`;
}

function shorten(path: string): string {
  return path.length > 100 ? `${path.slice(0, 99)}…` : path;
}

function show(v: unknown, width = 120): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * vcrpy cassettes (what the Avi Python SDK's and many Ansible and pytest suites' recordings
 * are) read as exchanges, so `avisim replay` and the scenario loader take them as they are:
 *
 *   interactions:
 *     - request:  { method, uri, body, headers: { Name: [values] } }
 *       response: { status: { code, message }, headers: { Name: [values] }, body: { string } }
 *
 * (YAML, or JSON with the same keys.) What the replay needs is made from it: the path without
 * the recorded controller's origin (also taken off refs inside request bodies, so they point at
 * the target), the headers that change an answer, bodies parsed by their media type, and the
 * login's password marked scrubbed so the replay logs in with the target's credentials
 * (cassettes usually hold a filtered or a real one; neither is the target's). A request that
 * carried a session cookie, and a login, belong to the client's one session (one cookie jar),
 * as a vcrpy-recorded client keeps one; requests without a cookie are sent without one.
 */
import { isObject } from '../avi/shape-ops.js';
import {
  type Exchange,
  headerOf,
  isLoginPath,
  originVariants,
  parseBody,
  REQUEST_HEADERS,
  RESPONSE_HEADERS,
  replaceOrigins,
  routePath,
} from './exchange.js';
import { SCRUBBED } from './scrub.js';

type Obj = Record<string, unknown>;

/** A document shaped like a vcrpy cassette (a mapping with a list of `interactions`). */
export function isCassette(doc: unknown): doc is { interactions: unknown[] } {
  return isObject(doc) && Array.isArray(doc.interactions) && !('exchanges' in doc) && !('objects' in doc);
}

/** The cassette's interactions as exchanges; `where` names the file in errors. */
export function cassetteExchanges(doc: { interactions: unknown[] }, where: string): Exchange[] {
  return doc.interactions.map((interaction, i) => {
    const at = `${where}: interactions[${i}]`;
    if (!isObject(interaction) || !isObject(interaction.request) || !isObject(interaction.response)) {
      throw new Error(`${at} must have a request and a response`);
    }
    return exchangeOf(interaction.request, interaction.response, at);
  });
}

function exchangeOf(request: Obj, response: Obj, at: string): Exchange {
  if (typeof request.method !== 'string' || typeof request.uri !== 'string') throw new Error(`${at}.request needs a method and a uri`);
  let uri: URL;
  try {
    uri = new URL(request.uri);
  } catch {
    throw new Error(`${at}.request.uri is not a URL: ${JSON.stringify(request.uri)}`);
  }
  const status = isObject(response.status) ? response.status.code : undefined;
  if (typeof status !== 'number' || !Number.isInteger(status)) throw new Error(`${at}.response needs status.code, a number`);
  const origins = originVariants(uri.origin);
  const requestHeaders = headersOf(request.headers, REQUEST_HEADERS);
  const path = `${uri.pathname}${uri.search}`;
  let body = parseBody(replaceOrigins(text(request.body), origins, ''), headerOf(requestHeaders, 'Content-Type'));
  const login = isLoginPath(path) || routePath(path) === '/api/session/create';
  if (login) body = withScrubbedPassword(body);
  const responseHeaders = headersOf(response.headers, RESPONSE_HEADERS);
  const responseBody = parseBody(text(isObject(response.body) ? response.body.string : response.body), headerOf(responseHeaders, 'Content-Type'));
  const cookie = headerOf(headersOf(request.headers, ['Cookie']), 'Cookie');
  return {
    ...(cookie || login ? { session: 1 } : {}),
    request: { method: request.method.toUpperCase(), path, ...(requestHeaders ? { headers: requestHeaders } : {}), ...(body !== undefined ? { body } : {}) },
    response: { status, ...(responseHeaders ? { headers: responseHeaders } : {}), ...(responseBody !== undefined ? { body: responseBody } : {}) },
  };
}

/** A body as text: vcrpy keeps it as a string, null, or bytes (`!!binary` in YAML, read as a Uint8Array). */
function text(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return '';
}

/** vcrpy's `{Name: [values]}` (or `{Name: value}`) reduced to the headers named, one value each. */
function headersOf(raw: unknown, names: readonly string[]): Record<string, string> | undefined {
  if (!isObject(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const name of names) {
    const key = Object.keys(raw).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) continue;
    const v = raw[key];
    const values = (Array.isArray(v) ? v : [v]).filter((x): x is string | number => typeof x === 'string' || typeof x === 'number');
    if (values.length) out[name] = values.join(', ');
  }
  return Object.keys(out).length ? out : undefined;
}

/** A login body (JSON or form) with its password marked for the replay to fill in. */
function withScrubbedPassword(body: unknown): unknown {
  if (isObject(body)) return 'password' in body ? { ...body, password: SCRUBBED } : body;
  if (typeof body !== 'string') return body;
  return body
    .split('&')
    .map((pair) => (/^(password|j_password)=/.test(pair) ? `${pair.slice(0, pair.indexOf('='))}=${SCRUBBED}` : pair))
    .join('&');
}

/**
 * A cassette as a scenario document: the fresh controller it was most likely recorded against
 * (a cassette says nothing about the controller's state) and its interactions as exchanges.
 */
export function cassetteScenario(doc: { interactions: unknown[] }, file: string): Obj {
  return { extends: 'fresh-controller', exchanges: cassetteExchanges(doc, file) };
}

/**
 * The web inspector's files at /_mock/ui/ (built by `npm run build` into dist/ui/), behind the
 * control plane's guard. With a token, the page is opened once as `/_mock/ui/?token=<token>`:
 * the answer sets a cookie (HttpOnly, SameSite=Strict, path /_mock/ui) that lets the page's own
 * files load afterwards, and the page keeps the token to send as X-Mock-Token on its /_mock
 * calls. The cookie opens only these static files, never a control call: a cookie rides along on
 * requests other sites make, a header does not.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { cookieValues, safeEqual } from '../core/http-auth.js';
import type { Exchange } from '../http/exchange.js';
import { projectFile } from '../core/paths.js';
import type { Scopes } from './scopes.js';

export const UI_PATH = '/_mock/ui';
const COOKIE = 'avisim_mock_token';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** The folder the built page is served from (a test may build it elsewhere). */
export const uiDir = { path: projectFile('dist', 'ui') };

export function isUiPath(path: string): boolean {
  return path === UI_PATH || path.startsWith(`${UI_PATH}/`);
}

const same = (given: string | undefined, token: string): boolean => given !== undefined && safeEqual(given, token);

export async function serveUi(x: Exchange, scopes: Scopes): Promise<void> {
  const { req, res, path, rawQuery, method } = x;
  if (method !== 'GET' && method !== 'HEAD') return text(res, 405, 'The inspector only serves its files (GET)');
  const token = scopes.options.token;
  const given = new URLSearchParams(rawQuery).get('token') ?? undefined;
  const headers: Record<string, string> = { ...HEADERS };
  if (token && !scopes.hasToken(req) && !same(cookieValues(req.headers.cookie, COOKIE)[0], token)) {
    if (!same(given, token)) {
      return text(res, 401, `The inspector needs the test-control token: open ${UI_PATH}/?token=<token> once`);
    }
  }
  if (token && same(given, token)) {
    headers['Set-Cookie'] = `${COOKIE}=${encodeURIComponent(token)}; Path=${UI_PATH}; HttpOnly; SameSite=Strict`;
  }
  if (path === UI_PATH) {
    res.writeHead(308, { ...headers, Location: `${UI_PATH}/${rawQuery ? `?${rawQuery}` : ''}` }).end();
    return;
  }
  const name = path.slice(UI_PATH.length + 1) || 'index.html';
  const files = await readdir(uiDir.path).catch(() => undefined);
  if (!files?.includes('index.html')) return text(res, 503, 'The inspector is not built: run `npm run build`');
  // one plain file name of the folder's own listing: nothing else can be reached
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || !files.includes(name)) return text(res, 404, `No inspector file '${name}'`);
  const ext = name.slice(name.lastIndexOf('.'));
  const body = await readFile(`${uiDir.path}/${name}`);
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Content-Length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

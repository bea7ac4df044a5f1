/**
 * The web inspector's files at /_mock/ui/ (built by `npm run build` into dist/ui/), behind the
 * control plane's guard. With a token, the page is opened once as `/_mock/ui/?token=<token>`:
 * the answer sets a cookie (HttpOnly, SameSite=Strict, path /_mock/ui) that lets the page's own
 * files load afterwards, and the page keeps the token to send as X-Mock-Token on its /_mock
 * calls. The cookie opens only these static files, never a control call: a cookie rides along on
 * requests other sites make, a header does not.
 */
import { timingSafeEqual } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { splitUrl } from '../http/api.js';
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

export function isUiPath(url: string | undefined): boolean {
  const path = splitUrl(url).path;
  return path === UI_PATH || path.startsWith(`${UI_PATH}/`);
}

function same(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === COOKIE) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export async function serveUi(req: IncomingMessage, res: ServerResponse, scopes: Scopes): Promise<void> {
  const { path, rawQuery } = splitUrl(req.url);
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return text(res, 405, 'The inspector only serves its files (GET)');
  const token = scopes.options.token;
  const given = new URLSearchParams(rawQuery).get('token') ?? undefined;
  const headers: Record<string, string> = { ...HEADERS };
  if (token && !scopes.hasToken(req) && !same(cookieOf(req), token)) {
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

/** `GET /`: a page naming the simulator with a link to the inspector (a controller serves its UI there). */
export function sendRootPage(res: ServerResponse): void {
  const html =
    '<!doctype html><meta charset="utf-8"><title>avisim</title>' +
    `<p>avisim, a simulated Avi controller. API under <code>/api</code>; <a href="${UI_PATH}/">the inspector</a> at <code>${UI_PATH}/</code>.</p>\n`;
  res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

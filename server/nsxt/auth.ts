/**
 * NSX manager auth, with credentials of its own (model.nsx), separate from Avi's:
 * - `Authorization: Basic <base64 user:pass>` on every request (the cloud provider's default);
 * - `Authorization: Remote <base64 user:pass>` (remote auth: same check) [inferred];
 * - `csp-auth-token: <token>` (VMC): any non-empty token is accepted, since no CSP exists to
 *   check it against [inferred];
 * - a session from `POST /api/session/create` (form j_username, j_password): the `JSESSIONID`
 *   cookie authenticates, and writes through it must carry the session's `X-XSRF-TOKEN`
 *   (missing or wrong → 403 error_code 98). Terraform sends Basic and the session together: a
 *   request with a valid Authorization header needs no XSRF token.
 * Bad or missing credentials → 403 with the NSX manager's body. Sessions idle out after 30 min [inferred].
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { NsxModel } from './state.js';
import { nsxErrors } from './errors.js';
import { basicCredentials, cookieValues, safeEqual } from '../core/http-auth.js';

export const SESSION_IDLE_MS = 30 * 60 * 1000;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Who made the request (the user name for `_last_modified_user`); throws the NSX 403. */
export function authenticateNsx(model: NsxModel, req: IncomingMessage): string {
  const auth = req.headers.authorization;
  if (auth) {
    const given = basicCredentials(auth, ['Basic', 'Remote']);
    if (!given || !checkPassword(model, given.username, given.password)) throw nsxErrors.badCredentials();
    return given.username;
  }
  const csp = req.headers['csp-auth-token'];
  if (typeof csp === 'string' && csp.trim()) return model.nsx.username;
  const sids = cookieValues(req.headers.cookie, 'JSESSIONID');
  if (sids.length) {
    const now = Date.now();
    for (const sid of sids) {
      const s = model.nsx.sessions.get(sid);
      if (s && now - s.lastUsed > SESSION_IDLE_MS) model.nsx.sessions.delete(sid);
    }
    // a client that kept an old JSESSIONID beside a new one sends both: the live one counts
    const live = sids.map((sid) => model.nsx.sessions.get(sid)).find((s) => s !== undefined);
    const write = !READ_METHODS.has((req.method ?? 'GET').toUpperCase());
    if (!live) {
      // an expired session: a write that carried an XSRF token is told the token is stale
      if (write && req.headers['x-xsrf-token']) throw nsxErrors.badXsrf();
      throw nsxErrors.badCredentials();
    }
    if (write && req.headers['x-xsrf-token'] !== live.xsrf) throw nsxErrors.badXsrf();
    live.lastUsed = now;
    return live.user;
  }
  throw nsxErrors.badCredentials();
}

/**
 * Whether the request carries NSX credentials that check out: Basic/Remote, or a live session.
 * A CSP token proves nothing here (any one is accepted as a login).
 */
export function hasNsxCredentials(model: NsxModel, req: IncomingMessage): boolean {
  if (req.headers.authorization) {
    try {
      authenticateNsx(model, req);
      return true;
    } catch {
      return false;
    }
  }
  const now = Date.now();
  return cookieValues(req.headers.cookie, 'JSESSIONID').some((sid) => {
    const s = model.nsx.sessions.get(sid);
    return s !== undefined && now - s.lastUsed <= SESSION_IDLE_MS;
  });
}

export function checkPassword(model: NsxModel, user: string, password: string): boolean {
  return user === model.nsx.username && safeEqual(password, model.nsx.password);
}

/** `POST /api/session/create`: a new session for a form body; the cookie and XSRF token. */
export function createSession(model: NsxModel, form: URLSearchParams): { id: string; xsrf: string; user: string } {
  const user = form.get('j_username') ?? '';
  const password = form.get('j_password') ?? '';
  if (!checkPassword(model, user, password)) throw nsxErrors.badCredentials();
  const id = randomBytes(24).toString('hex').toUpperCase();
  const xsrf = randomBytes(24).toString('base64url');
  model.nsx.sessions.set(id, { user, xsrf, lastUsed: Date.now() });
  return { id, xsrf, user };
}

/**
 * The front door: who is calling (session cookie, HTTP Basic), the CSRF rule on writes, and the
 * login, logout and user-token endpoints. Clients re-login only on 401, so every refusal here
 * is a 401, as on a controller.
 */
import type { IncomingMessage } from 'node:http';
import type { Engine } from '../engine.js';
import { AviError, errors } from '../avi/errors.js';
import { ADMIN_TENANT } from '../core/admin.js';
import { isObject } from '../core/json.js';
import type { Session } from '../avi/sessions.js';
import { basicCredentials, parseCookies } from '../core/http-auth.js';
import { accessibleTenants, grantsOf } from '../avi/roles.js';
import { passwordMatches, storedPassword, userRecord } from '../avi/types/user.js';
import { versionInfo } from './system.js';
import type { ApiCall, ApiHandler, Principal } from './call.js';
import { sendEmpty, sendJson } from './respond.js';

export const SESSION_COOKIE = 'avi-sessionid';
const SESSION_COOKIES = [SESSION_COOKIE, 'sessionid'];
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The caller of a request. `publicOperation`: answered without credentials (login, initial
 * data, cluster status) — a valid session is still recognised there.
 */
export function authenticate(engine: Engine, req: IncomingMessage, publicOperation: boolean): Principal {
  const fd = engine.frontDoor;
  const cookies = parseCookies(req.headers.cookie);
  // A client may carry the session cookie twice (both names, or stale copies): any live one counts.
  for (const name of SESSION_COOKIES) {
    for (const id of cookies.get(name) ?? []) {
      const session = fd.use(id);
      if (session) {
        if (!publicOperation && WRITES.has(req.method ?? 'GET')) checkCsrf(req, session);
        return { username: session.username, via: 'session', session };
      }
    }
  }
  const basic = basicCredentials(req.headers.authorization);
  if (basic && basicAllowed(engine)) {
    if (passwordOk(engine, basic.username, basic.password)) return { username: basic.username, via: 'basic' };
    if (!publicOperation) throw errors.invalidCredentials();
  }
  if (publicOperation) return { username: '', via: 'anonymous' };
  throw errors.notAuthenticated();
}

/**
 * A login name's password: the user object's (set through /api/user or /api/useraccount) when it
 * has one, else the scenario's credential for that name.
 */
export function passwordOk(engine: Engine, username: string, password: string): boolean {
  const stored = storedPassword(userRecord(engine.store, username));
  return stored ? passwordMatches(stored, password) : engine.frontDoor.checkPassword(username, password);
}

function checkCsrf(req: IncomingMessage, session: Session): void {
  const sent = req.headers['x-csrftoken'];
  const token = Array.isArray(sent) ? sent[0] : sent;
  if (token !== session.csrf) throw errors.csrf();
}

/** `systemconfiguration.portal_configuration.allow_basic_authentication` */
function basicAllowed(engine: Engine): boolean {
  for (const rec of engine.store.collection('systemconfiguration').values()) {
    const portal = rec.data.portal_configuration;
    return isObject(portal) && portal.allow_basic_authentication === true;
  }
  return false;
}

function cookieHeader(name: string, value: string, secure: boolean, httpOnly: boolean, maxAge?: number): string {
  const parts = [`${name}=${value}`, 'Path=/', 'SameSite=Lax'];
  if (httpOnly) parts.push('HttpOnly');
  if (secure) parts.push('Secure');
  if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
  return parts.join('; ');
}

const isHttps = (call: ApiCall) => call.ctx.base.startsWith('https:');

function stringField(body: unknown, name: string): string | undefined {
  if (!isObject(body) || !Object.hasOwn(body, name)) return undefined;
  const v = body[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The user a login body (`username` with `password` or a user `token`) proves to be, or
 * undefined: what POST /login accepts, and what makes a sandbox for a login sent into it.
 */
export function loginOf(engine: Engine, body: unknown): string | undefined {
  const username = stringField(body, 'username');
  const password = stringField(body, 'password');
  const token = stringField(body, 'token');
  if (username === undefined) return undefined;
  const ok = (password !== undefined && passwordOk(engine, username, password)) || (token !== undefined && engine.frontDoor.checkToken(username, token));
  return ok ? username : undefined;
}

/** The user as /login shows it: these fields only, the default tenant as a plain url. */
function loginUser(engine: Engine, username: string, call: ApiCall): Record<string, unknown> {
  const data = userRecord(engine.store, username)?.data ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const tenant = typeof data.default_tenant_ref === 'string' ? data.default_tenant_ref : ADMIN_TENANT;
  return {
    is_superuser: grantsOf(engine.store, username).superuser,
    default_tenant_ref: engine.objects.renderRef(call.ctx.base, 'tenant', tenant, false),
    name: text(data.name) || username,
    username,
    full_name: text(data.full_name),
    email: text(data.email),
    local: data.local !== false,
    uuid: text(data.uuid) || `user-${username}`,
    ui_property: text(data.ui_property),
  };
}

/** The controller's login answer: who logged in, to which tenants, and the controller itself. */
function loginAnswer(engine: Engine, username: string, call: ApiCall): Record<string, unknown> {
  const tenants = accessibleTenants(engine.store, username).map((t) => ({
    url: engine.objects.renderRef(call.ctx.base, 'tenant', t.uuid, false),
    uuid: t.uuid,
    name: engine.objects.nameOf(t),
    local: t.data.local !== false,
  }));
  let systemConfig: Record<string, unknown> = {};
  for (const rec of engine.store.collection('systemconfiguration').values()) systemConfig = engine.objects.render(rec, call.ctx, false);
  return {
    user_initialized: true,
    version: versionInfo(engine),
    user: loginUser(engine, username, call),
    tenants,
    system_config: systemConfig,
    controller: { api_idle_timeout: engine.idleTimeoutMinutes() },
    session_cookie_name: SESSION_COOKIE,
  };
}

/** Handlers by operationId; each serves the engine of its call. */
export const frontDoorHandlers: Readonly<Record<string, ApiHandler>> = {
  'session.login': (call, res) => {
    const { engine } = call;
    const username = loginOf(engine, call.body);
    if (username === undefined) throw errors.invalidCredentials();
    const fd = engine.frontDoor;
    const session = fd.open(username);
    const secure = isHttps(call);
    res.setHeader('Set-Cookie', [
      cookieHeader('csrftoken', session.csrf, secure, false),
      cookieHeader('sessionid', session.id, secure, true),
      cookieHeader(SESSION_COOKIE, session.id, secure, true),
    ]);
    sendJson(res, 200, loginAnswer(engine, username!, call));
  },

  'session.logout': (call, res) => {
    const { engine } = call;
    if (call.principal.session) engine.frontDoor.close(call.principal.session.id);
    const secure = isHttps(call);
    res.setHeader('Set-Cookie', [
      cookieHeader('csrftoken', '', secure, false, 0),
      cookieHeader('sessionid', '', secure, true, 0),
      cookieHeader(SESSION_COOKIE, '', secure, true, 0),
    ]);
    sendJson(res, 200, {});
  },

  // The caller's own account (any logged-in user): name, email and, given the old one, password.
  'useraccount.get': (call, res) => {
    const { engine } = call;
    const rec = userRecord(engine.store, call.principal.username);
    if (!rec) throw errors.objectNotFound('User');
    sendJson(res, 200, engine.objects.render(rec, call.ctx, true));
  },

  'useraccount.update': async (call, res) => {
    const { engine } = call;
    const username = call.principal.username;
    const rec = userRecord(engine.store, username);
    if (!rec) throw errors.objectNotFound('User');
    if (!isObject(call.body)) throw errors.invalid('Invalid data: request body must be a JSON object');
    const body = call.body;
    const replace: Record<string, unknown> = {};
    const password = stringField(body, 'password');
    const old = stringField(body, 'old_password');
    if (old !== undefined && !passwordOk(engine, username, old)) throw errors.wrongOldPassword();
    if (password !== undefined && password !== '') {
      if (old === undefined) throw errors.oldPasswordRequired();
      replace.password = password;
    }
    for (const k of ['full_name', 'email']) if (body[k] !== undefined && body[k] !== null) replace[k] = body[k];
    const ctx = { tenant: ADMIN_TENANT, base: call.ctx.base };
    const updated = Object.keys(replace).length ? engine.objects.patch('user', rec.uuid, { replace }, ctx) : rec;
    await engine.commit();
    sendJson(res, 200, engine.objects.render(updated, call.ctx, true));
  },

  'userToken.create': (call, res) => {
    const { engine } = call;
    const t = engine.frontDoor.issueToken(call.principal.username, tokenHours(call.body));
    sendJson(res, 201, tokenView(t));
  },

  'userToken.list': (call, res) => {
    const { engine } = call;
    const results = engine.frontDoor.tokensOf(call.principal.username).map(tokenView);
    sendJson(res, 200, { count: results.length, results });
  },

  'userToken.delete': (call, res) => {
    const { engine } = call;
    const token = call.query.get('token') ?? undefined;
    const uuid = call.query.get('uuid') ?? undefined;
    if (!engine.frontDoor.revokeToken(call.principal.username, { token, uuid })) throw errors.objectNotFound('UserToken');
    sendEmpty(res);
  },

  'userToken.deleteOne': (call, res) => {
    const { engine } = call;
    const uuid = call.params.uuid ?? '';
    if (!engine.frontDoor.revokeToken(call.principal.username, { uuid })) throw errors.objectNotFound('UserToken');
    sendEmpty(res);
  },
};

/**
 * Longest lifetime a user token may ask for [inferred: ten years; the document gives no bound,
 * and a lifetime past the calendar's end cannot be written as `expires_at`].
 */
const MAX_TOKEN_HOURS = 87_600;

/** `hours` of a user-token request (24 when absent): a number, or a number written as text. */
function tokenHours(body: unknown): number {
  const raw = isObject(body) && Object.hasOwn(body, 'hours') ? body.hours : undefined;
  if (raw === undefined || raw === null) return 24;
  const hours = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : NaN;
  if (Number.isNaN(hours)) throw new AviError(400, "Invalid data: field 'hours' must be a number");
  if (!(hours > 0 && hours <= MAX_TOKEN_HOURS)) {
    throw new AviError(400, `Invalid data: field 'hours' must be more than 0 and at most ${MAX_TOKEN_HOURS}`);
  }
  return hours;
}

function tokenView(t: { token: string; uuid: string; expiresAt: number }) {
  return { token: t.token, uuid: t.uuid, expires_at: new Date(t.expiresAt).toISOString() };
}


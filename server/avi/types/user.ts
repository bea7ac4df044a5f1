/**
 * User: passwords are kept only as a salted hash (PBKDF2-SHA256, in Django's text form, as the
 * controller's own user database is Django's) and never shown: not in answers, not in a PATCH's
 * starting point. A write without a password keeps the stored one, since clients cannot read it
 * back to send it again. A role that grants anything on the controller, roles, tenants or users
 * cannot be given in a tenant other than admin (the controller's 400); in all tenants it can.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Data, Rec, Store } from '../../core/store.js';
import { errors } from '../errors.js';
import { NO_ACCESS, privilegesOf } from '../permissions.js';
import { isObject } from '../shape-ops.js';

/** Fields never shown in a user's answers. */
const SECRETS = ['password', 'unix_crypt_password', 'recovery_token'];

/** Permissions no role given in a non-admin tenant may grant. */
const ADMIN_ONLY = ['PERMISSION_CONTROLLER', 'PERMISSION_ROLE', 'PERMISSION_TENANT', 'PERMISSION_USER'];

const ALGORITHM = 'pbkdf2_sha256';
const ITERATIONS = 20_000;

export function hashPassword(password: string): string {
  const salt = randomBytes(12).toString('base64url');
  const hash = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256').toString('base64');
  return `${ALGORITHM}$${ITERATIONS}$${salt}$${hash}`;
}

/** Whether `password` is the one `stored` was made from. */
export function passwordMatches(stored: string, password: string): boolean {
  const [algorithm, rounds, salt, hash] = stored.split('$');
  const iterations = Number(rounds);
  if (algorithm !== ALGORITHM || !salt || !hash || !Number.isSafeInteger(iterations) || iterations < 1 || iterations > 1_000_000) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = pbkdf2Sync(password, salt, iterations, expected.length || 32, 'sha256');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The user object a login name belongs to. */
export function userRecord(store: Store, username: string): Rec | undefined {
  for (const rec of store.byName('user', '', username)) {
    if (rec.data.username === undefined || rec.data.username === username) return rec;
  }
  for (const rec of store.collection('user').values()) if (rec.data.username === username) return rec;
  return undefined;
}

/** The password hash stored on a user object, if it has one. */
export function storedPassword(user: Rec | undefined): string | undefined {
  const p = user?.data.password;
  return typeof p === 'string' && p.startsWith(`${ALGORITHM}$`) ? p : undefined;
}

export function userBehaviour() {
  return {
    normalizeInput(data: Data, existing: Rec | undefined): void {
      if (typeof data.password === 'string' && data.password !== '') data.password = hashPassword(data.password);
      else if (data.password === undefined || data.password === '') {
        const kept = storedPassword(existing);
        if (kept) data.password = kept;
        else delete data.password;
      }
    },

    beforeWrite(w: { svc: { store: Store }; data: Data }): void {
      const access = Array.isArray(w.data.access) ? w.data.access : [];
      for (const entry of access) {
        if (!isObject(entry) || entry.all_tenants === true || typeof entry.role_ref !== 'string') continue;
        if (entry.tenant_ref === undefined || entry.tenant_ref === 'admin') continue;
        const role = w.svc.store.get('role', entry.role_ref);
        if (!role) continue;
        const privileges = privilegesOf(role);
        if (ADMIN_ONLY.some((p) => (privileges.get(p) ?? NO_ACCESS) > NO_ACCESS)) {
          throw errors.roleOutsideAdmin(String(role.data.name ?? role.uuid));
        }
      }
    },

    renderExtras(_rec: Rec, out: Data): void {
      for (const k of SECRETS) delete out[k];
    },
  };
}

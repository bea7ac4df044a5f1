/**
 * Users for the role and account suites: made through the API as admin, each logged in with an
 * agent of its own (cookies and CSRF token), so every request runs as that user.
 */
import request from 'supertest';
import { expect } from 'vitest';
import { anotherSession, TEST_HOST, type Sim } from '../helpers.js';

export interface Access {
  role: string;
  /** tenant name; leave out with `all` */
  tenant?: string;
  all?: boolean;
}

/** POST /api/user as admin: a local user with a password and the given roles. */
export async function createUser(admin: Sim, username: string, password: string, access: Access[] = [], extra: Record<string, unknown> = {}) {
  const res = await admin.http.post('/api/user').send({
    name: username,
    username,
    password,
    local: true,
    access: access.map((a) => ({
      role_ref: `/api/role/?name=${a.role}`,
      ...(a.all ? { all_tenants: true } : { tenant_ref: `/api/tenant/?name=${a.tenant ?? 'admin'}` }),
    })),
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** POST /login; the answer as it came. */
export function login(sim: Sim, username: string, password: string) {
  return request(sim.app).post('/login').set('Host', TEST_HOST).send({ username, password });
}

/** The simulator with an agent logged in as `username`. */
export function loginAs(sim: Sim, username: string, password: string): Promise<Sim> {
  return anotherSession(sim, username, password);
}

/** The 403 a controller answers when a role does not allow a request. */
export function refusal(user: string, action: 'read' | 'write', resource: string, tenant: string) {
  return { error: `User '${user}' is not authorized to ${action} on resource ${resource} in tenant ${tenant}` };
}

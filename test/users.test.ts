/**
 * User accounts: users made through /api/user log in with their password; no answer shows a
 * password; PUT /api/useraccount changes the caller's own account, and a changed password is the
 * only one that works from the next login on.
 */
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminPassword, startSim, type Sim } from './helpers.js';
import { createUser, login, loginAs } from './support/users.js';

let admin: Sim;
beforeEach(async () => {
  admin = await startSim();
});

const SECRETS = ['password', 'unix_crypt_password', 'recovery_token'];
const noSecrets = (user: Record<string, unknown>) => SECRETS.filter((k) => k in user);

describe('users made through the API', () => {
  it('log in with their password, and only with it', async () => {
    const made = await createUser(admin, 'alice', 'Alice-pw-1', [{ role: 'Application-Operator', tenant: 'admin' }], { unix_crypt_password: 'x' });
    expect(noSecrets(made)).toEqual([]);
    expect((await login(admin, 'alice', 'Alice-pw-1')).status).toBe(200);
    const wrong = await login(admin, 'alice', 'alice');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'Invalid credentials' });
  });

  it('never show a password: one object, the list, fields, or a login', async () => {
    const made = await createUser(admin, 'bob', 'Bob-pw-1');
    const one = await admin.http.get(`/api/user/${made.uuid}`);
    expect(noSecrets(one.body)).toEqual([]);
    const list = await admin.http.get('/api/user?page_size=100');
    for (const u of list.body.results) expect(noSecrets(u)).toEqual([]);
    expect(noSecrets((await admin.http.get(`/api/user/${made.uuid}?fields=password,name`)).body)).toEqual([]);
    expect(JSON.stringify((await login(admin, 'bob', 'Bob-pw-1')).body)).not.toMatch(/Bob-pw-1|pbkdf2/);
    // stored as a hash, never as sent
    expect(JSON.stringify(admin.engine.store.get('user', made.uuid)!.data)).not.toContain('Bob-pw-1');
  });

  it('keep their password through a PUT or PATCH that does not give one, and change it when one does', async () => {
    const made = await createUser(admin, 'carol', 'Carol-pw-1');
    const got = (await admin.http.get(`/api/user/${made.uuid}`)).body;
    expect((await admin.http.put(`/api/user/${made.uuid}`).send({ ...got, full_name: 'Carol' })).status).toBe(200);
    expect((await admin.http.patch(`/api/user/${made.uuid}`).send({ replace: { email: 'c@example.com' } })).status).toBe(200);
    expect((await login(admin, 'carol', 'Carol-pw-1')).status).toBe(200);
    expect((await admin.http.patch(`/api/user/${made.uuid}`).send({ replace: { password: 'Carol-pw-2' } })).status).toBe(200);
    expect((await login(admin, 'carol', 'Carol-pw-1')).status).toBe(401);
    expect((await login(admin, 'carol', 'Carol-pw-2')).status).toBe(200);
  });

  it('log in with HTTP Basic too when it is allowed', async () => {
    await createUser(admin, 'dave', 'Dave-pw-1', [{ role: 'Application-Operator', tenant: 'admin' }]);
    expect((await admin.http.patch('/api/systemconfiguration').send({ replace: { portal_configuration: { allow_basic_authentication: true } } })).status).toBe(200);
    expect((await request(admin.app).get('/api/pool').auth('dave', 'Dave-pw-1')).status).toBe(200);
    expect((await request(admin.app).get('/api/pool').auth('dave', 'nope')).status).toBe(401);
  });
});

describe('PUT /api/useraccount', () => {
  it('changes the caller\'s own password, name and email; the new password works from the next login', async () => {
    await createUser(admin, 'erin', 'Erin-pw-1', [{ role: 'Application-Operator', tenant: 'admin' }]);
    const erin = await loginAs(admin, 'erin', 'Erin-pw-1');
    const res = await erin.http.put('/api/useraccount').send({ old_password: 'Erin-pw-1', password: 'Erin-pw-2', full_name: 'Erin E', email: 'erin@example.com' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ username: 'erin', full_name: 'Erin E', email: 'erin@example.com' });
    expect(noSecrets(res.body)).toEqual([]);
    expect((await login(admin, 'erin', 'Erin-pw-1')).status).toBe(401);
    const next = await login(admin, 'erin', 'Erin-pw-2');
    expect(next.status).toBe(200);
    expect(next.body.user).toMatchObject({ full_name: 'Erin E', email: 'erin@example.com' });
    // the session it was changed in goes on
    expect((await erin.http.get('/api/useraccount')).status).toBe(200);
  });

  it('answers 400 for a wrong old password and changes nothing', async () => {
    await createUser(admin, 'frank', 'Frank-pw-1');
    const frank = await loginAs(admin, 'frank', 'Frank-pw-1');
    const res = await frank.http.put('/api/useraccount').send({ old_password: 'wrong', password: 'Frank-pw-2', full_name: 'F' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Old password is incorrect' });
    const missing = await frank.http.put('/api/useraccount').send({ password: 'Frank-pw-2' });
    expect(missing.status).toBe(400);
    expect((await login(admin, 'frank', 'Frank-pw-2')).status).toBe(401);
    expect((await login(admin, 'frank', 'Frank-pw-1')).status).toBe(200);
    expect((await admin.http.get('/api/user?name=frank')).body.results[0].full_name).toBeUndefined();
  });

  it('changes nothing else of the account (no superuser, no roles)', async () => {
    const made = await createUser(admin, 'gina', 'Gina-pw-1');
    const gina = await loginAs(admin, 'gina', 'Gina-pw-1');
    const res = await gina.http.put('/api/useraccount').send({
      old_password: 'Gina-pw-1', password: 'Gina-pw-1', is_superuser: true, username: 'admin',
      access: [{ role_ref: '/api/role/?name=System-Admin', all_tenants: true }],
    });
    expect(res.status).toBe(200);
    const stored = admin.engine.store.get('user', made.uuid)!.data;
    expect(stored.username).toBe('gina');
    expect(stored.is_superuser).not.toBe(true);
    expect(stored.access).toEqual([]);
    expect((await gina.http.get('/api/pool')).status).toBe(403);
  });

  it('changes the admin password: the new one works, the one it started with no longer does', async () => {
    const old = adminPassword(admin.engine);
    const res = await admin.http.put('/api/useraccount').send({ old_password: old, password: 'New-Admin-pw-1' });
    expect(res.status, res.text).toBe(200);
    expect((await login(admin, 'admin', old)).status).toBe(401);
    expect((await login(admin, 'admin', 'New-Admin-pw-1')).status).toBe(200);
  });
});

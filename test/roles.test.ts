/**
 * Roles are enforced (issue: a read-only user created a pool in admin, changed the system
 * configuration and made a superuser): per-resource privileges bound to tenants by the user's
 * access entries, checked on every /api operation, with the controller's 403.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './helpers.js';
import { createUser, login, loginAs, refusal } from './support/users.js';
import { PermissionTable } from '../server/avi/permissions.js';
import { permissionOfPath } from '../server/avi/roles.js';

let admin: Sim;
const uuidOf = (body: any) => body.uuid as string;

async function role(name: string, privileges: Array<[string, string]>) {
  const res = await admin.http.post('/api/role').send({ name, privileges: privileges.map(([resource, type]) => ({ resource, type })) });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const count = async (as: Sim, path: string, tenant: string) => {
  const res = await as.http.get(path).set('X-Avi-Tenant', tenant);
  expect(res.status, res.text).toBe(200);
  return res.body.count as number;
};

beforeAll(async () => {
  admin = await startSim();
  for (const name of ['ta', 'tb']) expect((await admin.http.post('/api/tenant').send({ name })).status).toBe(201);
});

describe('a read-only user in one tenant', () => {
  let ro: Sim;
  beforeAll(async () => {
    await createUser(admin, 'ro', 'Ro-pass-1', [{ role: 'Tenant-Admin-Read-Only', tenant: 'ta' }]);
    ro = await loginAs(admin, 'ro', 'Ro-pass-1');
  });

  it('logs in to the tenants it has access to', async () => {
    expect((await login(admin, 'ro', 'Ro-pass-1')).body.tenants.map((t: any) => t.name)).toEqual(['ta']);
  });

  it('reads in its tenant', async () => {
    expect(await count(ro, '/api/pool', 'ta')).toBe(0);
    expect((await ro.http.get('/api/cloud').set('X-Avi-Tenant', 'ta')).status).toBe(200);
  });

  it('cannot create a pool in admin or in its own tenant, and nothing is written', async () => {
    const inAdmin = await ro.http.post('/api/pool').send({ name: 'ro-pool' });
    expect(inAdmin.status).toBe(403);
    expect(inAdmin.body).toEqual(refusal('ro', 'write', 'Pool', 'admin'));
    const inTa = await ro.http.post('/api/pool').set('X-Avi-Tenant', 'ta').send({ name: 'ro-pool' });
    expect(inTa.body).toEqual(refusal('ro', 'write', 'Pool', 'ta'));
    expect([...admin.engine.store.collection('pool').values()]).toHaveLength(0);
  });

  it('cannot read in a tenant it has no access to', async () => {
    const res = await ro.http.get('/api/pool').set('X-Avi-Tenant', 'tb');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(refusal('ro', 'read', 'Pool', 'tb'));
    expect((await ro.http.get('/api/pool')).body).toEqual(refusal('ro', 'read', 'Pool', 'admin'));
  });

  it('cannot change the system configuration, nor read it', async () => {
    const before = (await admin.http.get('/api/systemconfiguration')).body;
    const put = await ro.http.put('/api/systemconfiguration').set('X-Avi-Tenant', 'ta').send({ ...before, portal_configuration: { allow_basic_authentication: true } });
    expect(put.status).toBe(403);
    expect(put.body).toEqual(refusal('ro', 'write', 'SystemConfiguration', 'ta'));
    expect((await ro.http.get('/api/systemconfiguration').set('X-Avi-Tenant', 'ta')).status).toBe(403);
    expect((await admin.http.get('/api/systemconfiguration')).body).toEqual(before);
  });

  it('cannot create users, let alone a superuser', async () => {
    const res = await ro.http.post('/api/user').set('X-Avi-Tenant', 'ta').send({ name: 'evil', username: 'evil', password: 'x', is_superuser: true });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(refusal('ro', 'write', 'User', 'ta'));
    expect((await login(admin, 'evil', 'x')).status).toBe(401);
  });

  it('reads the cluster state clients need at boot, but not the cluster object ("System")', async () => {
    expect((await ro.http.get('/api/cluster/runtime').set('X-Avi-Tenant', 'ta')).status).toBe(200);
    expect((await ro.http.get('/api/cluster/version').set('X-Avi-Tenant', 'ta')).status).toBe(200);
    expect((await ro.http.get('/api/initial-data').set('X-Avi-Tenant', 'ta')).status).toBe(200);
    const cluster = await ro.http.get('/api/cluster').set('X-Avi-Tenant', 'ta');
    expect(cluster.status).toBe(403);
    expect(cluster.body).toEqual(refusal('ro', 'read', 'System', 'ta'));
  });

  it('keeps its own tokens and session whatever its roles', async () => {
    const made = await ro.http.post('/api/user-token').send({ hours: 1 });
    expect(made.status).toBe(201);
    expect((await ro.http.get('/api/user-token')).body.count).toBe(1);
    expect((await ro.http.get('/api/useraccount')).body.username).toBe('ro');
  });
});

describe('a tenant admin', () => {
  let ta: Sim;
  beforeAll(async () => {
    await createUser(admin, 'tadmin', 'Ta-pass-1', [{ role: 'Tenant-Admin', tenant: 'ta' }]);
    ta = await loginAs(admin, 'tadmin', 'Ta-pass-1');
  });

  it('writes in its tenant, not in admin, nor into admin through tenant_ref', async () => {
    const ok = await ta.http.post('/api/pool').set('X-Avi-Tenant', 'ta').send({ name: 'ta-pool' });
    expect(ok.status, ok.text).toBe(201);
    const viaRef = await ta.http.post('/api/pool').set('X-Avi-Tenant', 'ta').send({ name: 'moved', tenant_ref: '/api/tenant/admin' });
    expect(viaRef.status).toBe(403);
    expect(viaRef.body).toEqual(refusal('tadmin', 'write', 'Pool', 'admin'));
    const patch = await ta.http.patch(`/api/pool/${uuidOf(ok.body)}`).set('X-Avi-Tenant', 'ta').send({ replace: { tenant_ref: '/api/tenant/?name=tb' } });
    expect(patch.body).toEqual(refusal('tadmin', 'write', 'Pool', 'tb'));
    const jsonPatch = await ta.http.patch(`/api/pool/${uuidOf(ok.body)}`).set('X-Avi-Tenant', 'ta').send({ json_patch: [{ op: 'replace', path: '/tenant_ref', value: '/api/tenant/admin' }] });
    expect(jsonPatch.status).toBe(403);
    expect((await ta.http.post('/api/pool').send({ name: 'admin-pool' })).status).toBe(403);
    expect([...admin.engine.store.collection('pool').values()].map((p) => p.data.tenant_ref)).toEqual([expect.not.stringMatching(/^admin$/)]);
  });

  it('reads across tenants only where it may (X-Avi-Tenant: *)', async () => {
    expect((await admin.http.post('/api/pool').set('X-Avi-Tenant', 'tb').send({ name: 'tb-pool' })).status).toBe(201);
    expect((await admin.http.post('/api/pool').send({ name: 'admin-pool' })).status).toBe(201);
    expect(await count(admin, '/api/pool', '*')).toBe(3);
    const mine = await ta.http.get('/api/pool').set('X-Avi-Tenant', '*');
    expect(mine.status).toBe(200);
    expect(mine.body.results.map((p: any) => p.name)).toEqual(['ta-pool']);
    const other = [...admin.engine.store.collection('pool').values()].find((p) => p.data.name === 'tb-pool')!;
    expect((await ta.http.get(`/api/pool/${other.uuid}`).set('X-Avi-Tenant', '*')).status).toBe(404);
  });

  it('cannot manage users, roles or tenants, nor the controller', async () => {
    expect((await ta.http.post('/api/tenant').set('X-Avi-Tenant', 'ta').send({ name: 'mine' })).body).toEqual(refusal('tadmin', 'write', 'Tenant', 'ta'));
    expect((await ta.http.post('/api/role').set('X-Avi-Tenant', 'ta').send({ name: 'r' })).body).toEqual(refusal('tadmin', 'write', 'Role', 'ta'));
    expect((await ta.http.patch('/api/controllerproperties').set('X-Avi-Tenant', 'ta').send({ replace: { api_idle_timeout: 1 } })).body).toEqual(
      refusal('tadmin', 'write', 'System', 'ta'),
    );
  });
});

describe('granting', () => {
  let desk: Sim;
  beforeAll(async () => {
    await role('pool-reader', [['PERMISSION_POOL', 'READ_ACCESS']]);
    await role('helpdesk', [['PERMISSION_USER', 'WRITE_ACCESS'], ['PERMISSION_ROLE', 'READ_ACCESS'], ['PERMISSION_POOL', 'WRITE_ACCESS']]);
    await createUser(admin, 'desk', 'Desk-pass-1', [{ role: 'helpdesk', all: true }]);
    desk = await loginAs(admin, 'desk', 'Desk-pass-1');
  });

  it('gives what it holds itself', async () => {
    const res = await desk.http.post('/api/user').send({
      name: 'reader', username: 'reader', password: 'Reader-1',
      access: [{ role_ref: '/api/role/?name=pool-reader', tenant_ref: '/api/tenant/?name=ta' }],
    });
    expect(res.status, res.text).toBe(201);
    const reader = await loginAs(admin, 'reader', 'Reader-1');
    expect(await count(reader, '/api/pool', 'ta')).toBe(await count(admin, '/api/pool', 'ta'));
    expect((await reader.http.post('/api/pool').set('X-Avi-Tenant', 'ta').send({ name: 'r' })).status).toBe(403);
  });

  it('cannot make a superuser, give a role beyond its own, or touch a superuser', async () => {
    const superuser = await desk.http.post('/api/user').send({ name: 's1', username: 's1', password: 'x', is_superuser: true });
    expect(superuser.status).toBe(403);
    expect(superuser.body).toEqual(refusal('desk', 'write', 'User', 'admin'));
    const beyond = await desk.http.post('/api/user').send({
      name: 's2', username: 's2', password: 'x',
      access: [{ role_ref: '/api/role/?name=System-Admin', tenant_ref: '/api/tenant/admin' }],
    });
    expect(beyond.status).toBe(403);
    expect(beyond.body).toEqual(refusal('desk', 'write', 'System', 'admin'));
    const admins = await desk.http.put('/api/user/user-1').send({ name: 'admin', username: 'admin', password: 'taken-over', is_superuser: true });
    expect(admins.status).toBe(403);
    const patched = await desk.http.patch('/api/user/user-1').send({ replace: { password: 'taken-over' } });
    expect(patched.status).toBe(403);
    expect((await login(admin, 'admin', 'taken-over')).status).toBe(401);
    const reader = [...admin.engine.store.collection('user').values()].find((u) => u.data.name === 'reader')!;
    const escalate = await desk.http.patch(`/api/user/${reader.uuid}`).send({ replace: { is_superuser: true } });
    expect(escalate.status).toBe(403);
    const viaJsonPatch = await desk.http.patch(`/api/user/${reader.uuid}`).send({ json_patch: [{ op: 'add', path: '/access/-', value: { role_ref: '/api/role/?name=System-Admin', all_tenants: true } }] });
    expect(viaJsonPatch.status).toBe(403);
    const names = [...admin.engine.store.collection('user').values()].map((u) => u.data.name);
    expect(names).not.toContain('s1');
    expect(names).not.toContain('s2');
  });

  it('changes no part of an access entry it cannot see whole (json_patch inside an entry)', async () => {
    const reader = [...admin.engine.store.collection('user').values()].find((u) => u.data.name === 'reader')!;
    const res = await desk.http.patch(`/api/user/${reader.uuid}`).send({ json_patch: [{ op: 'replace', path: '/access/0/role_ref', value: '/api/role/?name=System-Admin' }] });
    expect(res.status).toBe(403);
    expect(admin.engine.store.get('user', reader.uuid)!.data.access).toEqual(reader.data.access);
  });

  it('puts into a role only what it holds in every tenant', async () => {
    await role('rolesmith', [['PERMISSION_ROLE', 'WRITE_ACCESS'], ['PERMISSION_POOL', 'WRITE_ACCESS']]);
    await createUser(admin, 'smith', 'Smith-pass-1', [{ role: 'rolesmith', all: true }, { role: 'System-Admin-Read-Only', tenant: 'admin' }]);
    const smith = await loginAs(admin, 'smith', 'Smith-pass-1');
    const ok = await smith.http.post('/api/role').send({ name: 'pool-writer', privileges: [{ resource: 'PERMISSION_POOL', type: 'WRITE_ACCESS' }] });
    expect(ok.status, ok.text).toBe(201);
    const beyond = await smith.http.post('/api/role').send({ name: 'r2', privileges: [{ resource: 'PERMISSION_CONTROLLER', type: 'READ_ACCESS' }] });
    expect(beyond.status).toBe(403);
    expect(beyond.body).toEqual(refusal('smith', 'read', 'System', '*'));
    const raised = await smith.http.patch(`/api/role/${uuidOf(ok.body)}`).send({ replace: { privileges: [{ resource: 'PERMISSION_USER', type: 'WRITE_ACCESS' }] } });
    expect(raised.body).toEqual(refusal('smith', 'write', 'User', '*'));
    const inside = await smith.http.patch(`/api/role/${uuidOf(ok.body)}`).send({ json_patch: [{ op: 'replace', path: '/privileges/0/resource', value: 'PERMISSION_USER' }] });
    expect(inside.status).toBe(403);
    const stored = admin.engine.store.get('role', uuidOf(ok.body))!.data.privileges;
    expect(stored).toEqual([expect.objectContaining({ resource: 'PERMISSION_POOL', type: 'WRITE_ACCESS' })]);
  });

  it('refuses, for anyone, a role with controller, role, tenant or user access outside admin', async () => {
    const res = await admin.http.post('/api/user').send({
      name: 'bad', username: 'bad', password: 'x',
      access: [{ role_ref: '/api/role/?name=helpdesk', tenant_ref: '/api/tenant/?name=ta' }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Cannot use Role helpdesk with access to Controller, Role, Tenant or User in non-admin tenant' });
    const everywhere = await admin.http.post('/api/user').send({ name: 'ok', username: 'ok', password: 'x', access: [{ role_ref: '/api/role/?name=helpdesk', all_tenants: true }] });
    expect(everywhere.status).toBe(201);
  });

  it('follows a role changed after login (no stale privileges)', async () => {
    const reader = await loginAs(admin, 'reader', 'Reader-1');
    expect((await reader.http.get('/api/pool').set('X-Avi-Tenant', 'ta')).status).toBe(200);
    const r = (await admin.http.get('/api/role?name=pool-reader')).body.results[0];
    expect((await admin.http.patch(`/api/role/${r.uuid}`).send({ replace: { privileges: [{ resource: 'PERMISSION_POOL', type: 'NO_ACCESS' }] } })).status).toBe(200);
    expect((await reader.http.get('/api/pool').set('X-Avi-Tenant', 'ta')).status).toBe(403);
  });
});

describe('operations beyond CRUD', () => {
  let pools: Sim;
  beforeAll(async () => {
    await role('pools-only', [['PERMISSION_POOL', 'WRITE_ACCESS']]);
    await createUser(admin, 'pools', 'Pools-pass-1', [{ role: 'pools-only', tenant: 'ta' }]);
    pools = await loginAs(admin, 'pools', 'Pools-pass-1');
  });

  it('macro: every object it creates needs write, children included', async () => {
    const vs = await pools.http.post('/api/macro').set('X-Avi-Tenant', 'ta').send({
      model_name: 'VirtualService',
      data: { name: 'm-vs', services: [{ port: 80 }], pool_ref_data: { name: 'm-pool' } },
    });
    expect(vs.status).toBe(403);
    expect(vs.body).toEqual(refusal('pools', 'write', 'VirtualService', 'ta'));
    const child = await pools.http.post('/api/macro').set('X-Avi-Tenant', 'ta').send({
      model_name: 'Pool',
      data: { name: 'm-pool', analytics_profile_ref_data: { name: 'm-ap' } },
    });
    expect(child.body).toEqual(refusal('pools', 'write', 'AnalyticsProfile', 'ta'));
    const ok = await pools.http.post('/api/macro').set('X-Avi-Tenant', 'ta').send({ model_name: 'Pool', data: { name: 'm-pool' } });
    expect(ok.status, ok.text).toBe(200);
    expect([...admin.engine.store.collection('virtualservice').values()]).toHaveLength(0);
  });

  it('runtime and inventory read as the object they belong to', async () => {
    const vs = await admin.http.post('/api/virtualservice').set('X-Avi-Tenant', 'ta').send({ name: 'rt-vs', services: [{ port: 80 }] });
    expect(vs.status, vs.text).toBe(201);
    const rt = await pools.http.get(`/api/virtualservice/${uuidOf(vs.body)}/runtime/`).set('X-Avi-Tenant', 'ta');
    expect(rt.body).toEqual(refusal('pools', 'read', 'VirtualService', 'ta'));
    expect((await pools.http.get('/api/virtualservice-inventory').set('X-Avi-Tenant', 'ta')).status).toBe(403);
    expect((await pools.http.get('/api/ipamdnsproviderprofiledomainlist').set('X-Avi-Tenant', 'ta')).body).toEqual(
      refusal('pools', 'read', 'IpamDnsProviderProfile', 'ta'),
    );
    const pool = await pools.http.post('/api/pool').set('X-Avi-Tenant', 'ta').send({ name: 'rt-pool' });
    expect((await pools.http.get(`/api/pool/${uuidOf(pool.body)}/runtime/`).set('X-Avi-Tenant', 'ta')).status).toBe(200);
  });
});

describe('a user without access to any tenant', () => {
  it('logs in (its session, tokens and account are its own) but may read nothing', async () => {
    await createUser(admin, 'nobody', 'Nobody-1');
    const res = await login(admin, 'nobody', 'Nobody-1');
    expect(res.status).toBe(200);
    expect(res.body.tenants).toEqual([]);
    const nobody = await loginAs(admin, 'nobody', 'Nobody-1');
    expect((await nobody.http.get('/api/tenant')).body).toEqual(refusal('nobody', 'read', 'Tenant', 'admin'));
    expect((await nobody.http.get('/api/pool').set('X-Avi-Tenant', '*')).body).toEqual(refusal('nobody', 'read', 'Pool', '*'));
    expect((await nobody.http.post('/api/user-token').send({})).status).toBe(201);
    expect((await nobody.http.post('/logout')).status).toBe(200);
  });
});

describe('the permission table', () => {
  const doc = () => admin.engine.catalog.doc;

  it('maps every type of the document to a permission the Role schema knows', () => {
    const table = new PermissionTable(doc());
    expect(table.known.size).toBeGreaterThan(90);
    const unmapped = Object.keys(doc()['x-avi-types']).filter((t) => !table.known.has(table.ofType(t) ?? ''));
    expect(unmapped).toEqual([]);
  });

  it('governs every operation of the document: by its path, or open to any logged-in user', () => {
    const table = new PermissionTable(doc());
    const open = /^(session\.|userToken\.|useraccount\.|system\.initialData$|cluster\.(runtime|status|version)$|macro\.)/;
    const ungoverned: string[] = [];
    for (const [path, item] of Object.entries(doc().paths)) {
      for (const op of Object.values(item as Record<string, any>)) {
        if (!op?.operationId || open.test(op.operationId)) continue;
        const segment = path.split('/')[2]!;
        const governed = segment === 'analytics' ? permissionOfPath(admin.engine, path) : table.ofType(segment);
        if (!governed || !table.known.has(governed)) ungoverned.push(`${op.operationId} ${path}`);
      }
    }
    expect(ungoverned).toEqual([]);
  });

  it('has the system roles of a fresh controller, naming only known permissions', async () => {
    const table = new PermissionTable(doc());
    const roles = (await admin.http.get('/api/role?page_size=100')).body.results;
    const names = roles.map((r: any) => r.name);
    expect(names).toEqual(expect.arrayContaining([
      'System-Admin', 'Application-Admin', 'Application-Operator', 'Tenant-Admin', 'Security-Admin', 'WAF-Admin',
      'System-Admin-Read-Only', 'Tenant-Admin-Read-Only', 'Security-Admin-Read-Only', 'WAF-Admin-Read-Only',
    ]));
    for (const r of roles) for (const p of r.privileges ?? []) expect(table.known.has(p.resource), `${r.name} ${p.resource}`).toBe(true);
    const sysAdmin = roles.find((r: any) => r.name === 'System-Admin');
    expect(sysAdmin.privileges.filter((p: any) => p.type === 'WRITE_ACCESS')).toHaveLength(table.known.size);
    for (const ro of roles.filter((r: any) => r.name.endsWith('-Read-Only'))) {
      expect(ro.privileges.every((p: any) => p.type === 'READ_ACCESS'), ro.name).toBe(true);
    }
    // a system role cannot be deleted
    expect((await admin.http.delete(`/api/role/${sysAdmin.uuid}`)).status).toBe(403);
  });
});

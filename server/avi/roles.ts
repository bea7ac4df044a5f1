/**
 * Authorization: what the caller of a request may do, in the controller's model. A user is a
 * superuser (everything, everywhere) or holds `access` entries, each a role in one tenant or in
 * all tenants (`all_tenants`); a role grants per-resource privileges (`NO_ACCESS`,
 * `READ_ACCESS`, `WRITE_ACCESS` on a `PERMISSION_*`). In a tenant, a user has the highest level
 * any of its roles there (or in all tenants) gives. Reads need READ or WRITE, writes need WRITE,
 * in the request's tenant, and in any tenant a write names in `tenant_ref`.
 *
 * `authorize` is one step of the request pipeline, after the session and the tenant are known.
 * A superuser costs one name lookup. A user's privileges are resolved once per version of its
 * user object and of the roles it holds (stored data is replaced on write, so its identity is
 * the version).
 */
import type { Engine } from '../engine.js';
import type { Data, Rec, Store } from '../core/store.js';
import type { Catalog, Shape } from '../core/catalog.js';
import { errors } from './errors.js';
import { isObject } from './shape-ops.js';
import { ADMIN_TENANT, ALL_TENANTS, type Ctx } from './objects.js';
import { levelOf, NO_ACCESS, PermissionTable, privilegesOf, READ, WRITE, type Level } from './permissions.js';
import { userRecord } from './types/user.js';

/** What the step reads of a request (the API's call object has these). */
export interface AuthorizationRequest {
  method: string;
  path: string;
  body: unknown;
  ctx: Ctx;
  principal: { username: string; via: string };
}

/** A user's privileges as resolved from its access entries. */
export interface Grants {
  superuser: boolean;
  /** the level `all_tenants` entries give, per permission */
  everywhere: Map<string, Level>;
  /** per tenant uuid: the level its own entries give, per permission */
  perTenant: Map<string, Map<string, Level>>;
}

const SUPERUSER: Grants = { superuser: true, everywhere: new Map(), perTenant: new Map() };
const NOTHING: Grants = { superuser: false, everywhere: new Map(), perTenant: new Map() };

/** Operations any logged-in user may call: their own session, tokens and account, the version. */
const OPEN = new Set([
  'session.login',
  'session.logout',
  'userToken.list',
  'userToken.create',
  'userToken.delete',
  'userToken.deleteOne',
  'useraccount.get',
  'useraccount.update',
  'system.initialData',
  'cluster.runtime',
  'cluster.status',
  'cluster.version',
]);
const MACRO = new Set(['macro.create', 'macro.delete']);

/** How many objects of a macro body are looked at before refusing it as too large to check. */
const MAX_MACRO_NODES = 20_000;

interface Resolved {
  grants: Grants;
  /** the stored data of the roles the grants came from (undefined: the role did not exist) */
  roles: Map<string, Data | undefined>;
}

/**
 * Resolved grants per stored version of a user (stored data is replaced on every write, never
 * changed in place). A memo, not state: an entry goes with its version, and is checked against
 * the current version of each of its roles before use.
 */
const resolved = new WeakMap<Data, Resolved>();
const tables = new WeakMap<Catalog, PermissionTable>();

export function permissionTable(catalog: Catalog): PermissionTable {
  let t = tables.get(catalog);
  if (!t) tables.set(catalog, (t = new PermissionTable(catalog.doc)));
  return t;
}

/** The grants of a login name: its user object's, all for the built-in admin without one. */
export function grantsOf(store: Store, username: string): Grants {
  const user = userRecord(store, username);
  if (!user) return username === 'admin' ? SUPERUSER : NOTHING;
  if (user.data.is_superuser === true) return SUPERUSER;
  const hit = resolved.get(user.data);
  if (hit && current(store, hit)) return hit.grants;
  const fresh = resolve(store, user);
  resolved.set(user.data, fresh);
  return fresh.grants;
}

/** Whether every role a resolution used is still the version it read. */
function current(store: Store, r: Resolved): boolean {
  for (const [uuid, data] of r.roles) if (store.get('role', uuid)?.data !== data) return false;
  return true;
}

function resolve(store: Store, user: Rec): Resolved {
  const grants: Grants = { superuser: false, everywhere: new Map(), perTenant: new Map() };
  const roles = new Map<string, Data | undefined>();
  const access = Array.isArray(user.data.access) ? user.data.access : [];
  for (const entry of access) {
    if (!isObject(entry) || typeof entry.role_ref !== 'string') continue;
    const role = store.get('role', entry.role_ref);
    roles.set(entry.role_ref, role?.data);
    if (!role) continue;
    let into: Map<string, Level>;
    if (entry.all_tenants === true) into = grants.everywhere;
    else if (typeof entry.tenant_ref === 'string') {
      into = grants.perTenant.get(entry.tenant_ref) ?? new Map();
      grants.perTenant.set(entry.tenant_ref, into);
    } else continue;
    for (const [permission, level] of privilegesOf(role)) into.set(permission, Math.max(into.get(permission) ?? NO_ACCESS, level) as Level);
  }
  return { grants, roles };
}

/** The level `grants` give on `permission` in `tenant`. */
export function levelIn(grants: Grants, permission: string, tenant: string): Level {
  if (grants.superuser) return WRITE;
  const here = grants.perTenant.get(tenant)?.get(permission) ?? NO_ACCESS;
  return Math.max(here, grants.everywhere.get(permission) ?? NO_ACCESS) as Level;
}

/** Tenants a user has access to: every tenant for a superuser or an `all_tenants` entry. */
export function accessibleTenants(store: Store, username: string): Rec[] {
  const grants = grantsOf(store, username);
  const all = [...store.collection('tenant').values()];
  if (grants.superuser || grants.everywhere.size > 0) return all;
  return all.filter((t) => grants.perTenant.has(t.uuid));
}

/**
 * The authorization step: returns when the caller may make this request, else throws the
 * controller's 403. For a read across tenants (`X-Avi-Tenant: *`) it narrows `ctx` to the
 * tenants the caller may read.
 */
export function authorize(engine: Engine, call: AuthorizationRequest, operationId: string | undefined): void {
  if (call.principal.via === 'anonymous' || operationId === undefined || OPEN.has(operationId)) return;
  const grants = grantsOf(engine.store, call.principal.username);
  if (grants.superuser) return;
  const check = new Check(engine, grants, call);
  if (MACRO.has(operationId)) return check.macro();
  const permission = permissionOfPath(engine, call.path);
  const write = call.method !== 'GET' && call.method !== 'HEAD' && !call.path.startsWith('/api/analytics/');
  if (!write) return check.read(permission);
  check.write(permission, call.body, true);
  const type = call.path.split('/')[2];
  if (type === 'user') check.grantsGiven(call.body, call.method, call.path);
  if (type === 'role') check.privilegesGiven(call.body);
}

/** The permission governing an operation's path (`/api/<type>...`; analytics by their subject). */
export function permissionOfPath(engine: Engine, path: string): string {
  const parts = path.split('/');
  const table = permissionTable(engine.catalog);
  if (parts[2] === 'analytics') {
    const subject = parts[4] ?? '';
    return subject === 'controller' ? 'PERMISSION_CONTROLLER' : (table.ofType(subject) ?? 'PERMISSION_VIRTUALSERVICE');
  }
  // every path of the document has one (tested); anything else is nobody's but a superuser's
  return table.ofType(parts[2] ?? '') ?? 'PERMISSION_INTERNAL';
}

class Check {
  private readonly table: PermissionTable;

  constructor(
    private readonly engine: Engine,
    private readonly grants: Grants,
    private readonly call: AuthorizationRequest,
  ) {
    this.table = permissionTable(engine.catalog);
  }

  read(permission: string): void {
    const { ctx } = this.call;
    if (ctx.tenant !== ALL_TENANTS) return this.need(permission, READ, ctx.tenant);
    if ((this.grants.everywhere.get(permission) ?? NO_ACCESS) >= READ) return;
    const readable = new Set<string>();
    for (const [tenant, levels] of this.grants.perTenant) if ((levels.get(permission) ?? NO_ACCESS) >= READ) readable.add(tenant);
    if (readable.size === 0) throw this.refusal(permission, READ, ALL_TENANTS);
    ctx.readable = readable;
  }

  /** WRITE in the request's tenant and, for an object body, in the tenant it names. */
  write(permission: string, body: unknown, patchable: boolean): void {
    const tenant = this.call.ctx.tenant === ALL_TENANTS ? ADMIN_TENANT : this.call.ctx.tenant;
    this.need(permission, WRITE, tenant);
    for (const named of tenantRefsOf(body, patchable)) {
      const uuid = this.engine.objects.tryResolve('tenant', named, { tenant: ADMIN_TENANT });
      if (uuid !== undefined) this.need(permission, WRITE, uuid);
    }
  }

  /** Every object a macro creates or deletes, children included, needs WRITE. */
  macro(): void {
    const objects = macroObjects(this.engine.catalog, this.call.body);
    if (objects === undefined) throw this.refusal('PERMISSION_VIRTUALSERVICE', WRITE, this.call.ctx.tenant);
    for (const { type, data } of objects) this.write(permissionOfPath(this.engine, `/api/${type}`), data, false);
  }

  /**
   * A user write may not hand out more than the caller holds: no superusers, no role that
   * grants more in a tenant than the caller has there, and no change to a superuser's account.
   */
  grantsGiven(body: unknown, method: string, path: string): void {
    const uuid = path.split('/')[3];
    const target = uuid ? this.engine.store.get('user', uuid) : undefined;
    if (target?.data.is_superuser === true) throw this.refusal('PERMISSION_USER', WRITE, ADMIN_TENANT);
    if (method === 'DELETE') return;
    const { superuser, access } = userFieldsOf(body);
    if (superuser || access === undefined) throw this.refusal('PERMISSION_USER', WRITE, ADMIN_TENANT);
    for (const entry of access) this.entryWithin(entry);
  }

  /**
   * A role, once made, can be given in any tenant: a non-superuser may only put into one what
   * it holds in all tenants.
   */
  privilegesGiven(body: unknown): void {
    const privileges = listFieldOf(body, 'privileges');
    if (privileges === undefined) throw this.refusal('PERMISSION_ROLE', WRITE, ADMIN_TENANT);
    for (const p of privileges) {
      if (typeof p.resource !== 'string') continue;
      const level = levelOf(p.type);
      if ((this.grants.everywhere.get(p.resource) ?? NO_ACCESS) < level) throw this.refusal(p.resource, level, ALL_TENANTS);
    }
  }

  private entryWithin(entry: Record<string, unknown>): void {
    const svc = this.engine.objects;
    const scope = { tenant: this.call.ctx.tenant === ALL_TENANTS ? ADMIN_TENANT : this.call.ctx.tenant };
    const roleUuid = typeof entry.role_ref === 'string' ? svc.tryResolve('role', entry.role_ref, scope) : undefined;
    const role = roleUuid ? this.engine.store.get('role', roleUuid) : undefined;
    if (!role) return; // the write itself answers for a role that does not exist
    const everywhere = entry.all_tenants === true;
    const tenant = everywhere ? undefined : typeof entry.tenant_ref === 'string' ? svc.tryResolve('tenant', entry.tenant_ref, { tenant: ADMIN_TENANT }) : undefined;
    if (!everywhere && tenant === undefined) return;
    for (const [permission, level] of privilegesOf(role)) {
      const held = everywhere ? (this.grants.everywhere.get(permission) ?? NO_ACCESS) : levelIn(this.grants, permission, tenant!);
      if (held < level) throw this.refusal(permission, level, everywhere ? ALL_TENANTS : tenant!);
    }
  }

  private need(permission: string, level: Level, tenant: string): void {
    if (levelIn(this.grants, permission, tenant) < level) throw this.refusal(permission, level, tenant);
  }

  private refusal(permission: string, level: Level, tenant: string) {
    const name = tenant === ALL_TENANTS ? ALL_TENANTS : String(this.engine.store.get('tenant', tenant)?.data.name ?? tenant);
    return errors.notAuthorized(this.call.principal.username, level === WRITE ? 'write' : 'read', this.table.label(permission), name);
  }
}

/** `tenant_ref`s a write body names: at its top, in a PATCH's add/replace or json_patch. */
function tenantRefsOf(body: unknown, patchable: boolean): string[] {
  if (!isObject(body)) return [];
  const out: string[] = [];
  const take = (v: unknown) => typeof v === 'string' && v !== '' && out.push(v);
  take(body.tenant_ref);
  if (patchable) {
    for (const k of ['add', 'replace']) if (isObject(body[k])) take((body[k] as Record<string, unknown>).tenant_ref);
    for (const op of jsonPatchOps(body)) if (op.path === '/tenant_ref') take(op.value);
  }
  return out;
}

function jsonPatchOps(body: Record<string, unknown>): Record<string, unknown>[] {
  const ops = body.json_patch;
  return Array.isArray(ops) ? ops.filter(isObject) : [];
}

/** What a user write says about `is_superuser` and `access`, in any of the write forms. */
function userFieldsOf(body: unknown): { superuser: boolean; access: Record<string, unknown>[] | undefined } {
  const superuser = [body, ...writeParts(body)].some((part) => isObject(part) && (part.is_superuser === true || part.is_superuser === 'true'))
    || (isObject(body) && jsonPatchOps(body).some((op) => op.path === '/is_superuser' && (op.value === true || op.value === 'true')));
  return { superuser, access: listFieldOf(body, 'access') };
}

/** A PATCH's add/replace parts. */
function writeParts(body: unknown): Record<string, unknown>[] {
  return isObject(body) ? [body.add, body.replace].filter(isObject) : [];
}

/**
 * The entries a write puts into the list field `name`: the body's, a PATCH's, json_patch's.
 * Undefined when a json_patch operation changes part of an entry (`/access/0/role_ref`): what
 * that entry becomes cannot be told without the stored object, so it is not allowed.
 */
function listFieldOf(body: unknown, name: string): Record<string, unknown>[] | undefined {
  if (!isObject(body)) return [];
  const out: Record<string, unknown>[] = [];
  for (const part of [body, ...writeParts(body)]) {
    const list = part[name];
    if (Array.isArray(list)) out.push(...list.filter(isObject));
  }
  for (const op of jsonPatchOps(body)) {
    if (typeof op.path !== 'string' || (op.path !== `/${name}` && !op.path.startsWith(`/${name}/`))) continue;
    if (op.op === 'remove') continue;
    if (op.op !== 'add' && op.op !== 'replace') return undefined;
    const whole = op.path === `/${name}`;
    if (!whole && !/^\/[^/]+\/(\d+|-)$/.test(op.path)) return undefined;
    const values = whole && Array.isArray(op.value) ? op.value : [op.value];
    if (!values.every(isObject)) return undefined;
    out.push(...values);
  }
  return out;
}

/**
 * The objects of a macro body: the top object and every inline child (`<x>_ref_data`,
 * `<x>_refs_data` at any depth), with their types. Undefined when the body is too large to
 * check; an empty list when it names no known model (the macro itself answers that).
 */
export function macroObjects(catalog: Catalog, body: unknown): Array<{ type: string; data: Record<string, unknown> }> | undefined {
  if (!isObject(body) || typeof body.model_name !== 'string' || !isObject(body.data)) return [];
  const top = catalog.typeOfModel(body.model_name);
  if (!top) return [];
  const found = [{ type: top.type, data: body.data }];
  const stack: Array<{ data: Record<string, unknown>; shape: Shape }> = [{ data: body.data, shape: catalog.shapeOf(top.type) }];
  let budget = MAX_MACRO_NODES;
  while (stack.length) {
    if (--budget < 0) return undefined;
    const { data, shape } = stack.pop()!;
    for (const [key, value] of Object.entries(data)) {
      const target = key.endsWith('_ref_data') || key.endsWith('_refs_data') ? key.slice(0, -'_data'.length) : undefined;
      const field = target ? shape.fields.get(target) : undefined;
      const child = field?.ref ? catalog.typeInfo(field.ref) : undefined;
      const items = (Array.isArray(value) ? value : [value]).filter(isObject);
      if (child) {
        for (const item of items) {
          found.push({ type: child.type, data: item });
          stack.push({ data: item, shape: catalog.shapeOf(child.type) });
        }
        continue;
      }
      const nested = shape.fields.get(key)?.child;
      if (nested) for (const item of items) stack.push({ data: item, shape: nested });
    }
  }
  return found;
}

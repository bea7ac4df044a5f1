/**
 * A scenario's Avi side applied to a fresh engine, through the same write path as API calls:
 * its objects (refs by name may point forward: an object whose refs do not resolve yet is
 * retried after the others), the cluster object from `controller.cluster`, and the license tier
 * from `controller.license_tier`.
 *
 * An object the controller made by itself before the scenario came to it (a cloud's `global` and
 * `management` VRFs and `Default-Group`, made with the cloud) is the one the scenario describes
 * when type, tenant, cloud and name match: the scenario's body updates it rather than clashing.
 *
 * A failure names where the object was written and, when the controller's text does not, the
 * field at fault: `seeds/x.yaml: objects[3] pool 'web': field 'lb_algorithm': Invalid data: ...`.
 */
import { isIPv6 } from 'node:net';
import { AviError } from '../avi/errors.js';
import { ADMIN_TENANT, type ObjectService } from '../avi/objects.js';
import { isObject } from '../avi/shape-ops.js';
import { bodyMakers } from '../avi/types/index.js';
import type { Shape } from '../core/catalog.js';
import type { Data } from '../core/store.js';
import { ScenarioError, type ClusterFacts, type ScenarioObject } from './format.js';
import type { Scenario } from './load.js';

type Obj = Record<string, unknown>;

const CTX = { tenant: ADMIN_TENANT, base: '' };

export function applyScenarioObjects(scenario: Scenario, svc: ObjectService): void {
  const { cluster, license_tier } = scenario.controller;
  for (const o of scenario.objects) {
    if (!svc.catalog.typeInfo(o.type)) throw located(o, `unknown object type '${o.type}'`);
    if (cluster && o.type === 'cluster') {
      throw located(o, 'the cluster is given twice, here and as controller.cluster: keep controller.cluster');
    }
  }
  createObjects(scenario.objects, new Writer(svc));
  // after the objects: the cluster object lives in the admin tenant they create
  if (cluster) createCluster(scenario, cluster, svc);
  if (license_tier !== undefined) setLicenseTier(scenario, license_tier, svc);
}

/**
 * What the controller would make for objects that ask (a self-signed certificate and its key
 * for `certificate.self_signed: true` without a PEM), made before the objects are applied and
 * kept in them; nothing is made for objects that do not ask. It needs no engine, so loading
 * starts it before the engine is built (the key generation runs in the thread pool meanwhile).
 * All of a scenario's objects are made at once, and what was made is kept for the process:
 * every engine that loads the same object again (tests start many; a reset or sandbox reuses
 * its own scenario anyway) takes the same material instead of generating new keys. The first
 * object in file order that cannot be made is the error.
 */
export async function prepareScenarioObjects(scenario: Scenario): Promise<void> {
  const results = await Promise.allSettled(scenario.objects.map(madeOnce));
  results.forEach((r, i) => {
    const o = scenario.objects[i]!;
    if (r.status === 'rejected') throw located(o, r.reason instanceof Error ? r.reason.message : String(r.reason));
    o.body = r.value;
  });
}

/** Made bodies (those that differ from what the scenario wrote), by type and body, oldest first. */
const made = new Map<string, Promise<Obj>>();
/** Enough for every built-in scenario many times over; scenarios loaded at run time cannot grow it without bound. */
const MADE_LIMIT = 256;

function madeOnce(o: ScenarioObject): Promise<Obj> {
  const make = bodyMakers[o.type];
  if (!make) return Promise.resolve(o.body);
  const key = `${o.type}\u0000${JSON.stringify(o.body)}`;
  const cached = made.get(key);
  if (cached) return cached;
  const pending = make(o.body).then(
    (body) => {
      // only what was made is worth keeping; a failure is tried again on the next load
      if (body === o.body) made.delete(key);
      return body;
    },
    (e: unknown) => {
      made.delete(key);
      throw e;
    },
  );
  made.set(key, pending);
  if (made.size > MADE_LIMIT) made.delete(made.keys().next().value!);
  return pending;
}

/**
 * Creates every object in file order, retrying those whose refs do not resolve yet. When a
 * whole pass makes no progress the rest refer to each other in a cycle (a cloud naming its IPAM
 * profile, whose usable network is in that cloud): the first of them is created without the
 * fields holding unresolved refs, as an operator would create the cloud before its profile, and
 * gets its whole body (a full PUT) once everything else exists. A ref that names nothing at all
 * fails there, with its field.
 */
function createObjects(objects: ScenarioObject[], writer: Writer): void {
  const { svc } = writer;
  const deferred: Array<{ o: ScenarioObject; uuid: string }> = [];
  let pending = objects;
  while (pending.length) {
    const retry: ScenarioObject[] = [];
    for (const o of pending) {
      if (waitsForDefaultCloud(o, pending, svc)) {
        retry.push(o);
        continue;
      }
      try {
        writer.write(o, o.body);
      } catch (e) {
        if (!isRefNotFound(e)) throw locatedError(o, e, svc);
        retry.push(o);
      }
    }
    if (retry.length === pending.length) {
      const broken = breakCycle(retry, writer);
      deferred.push(broken);
      pending = retry.filter((o) => o !== broken.o);
    } else pending = retry;
  }
  for (const { o, uuid } of deferred) {
    try {
      svc.replace(o.type, uuid, o.body, CTX);
    } catch (e) {
      throw locatedError(o, e, svc);
    }
  }
}

/**
 * An object that leaves `cloud_ref` to the default must wait for a Default-Cloud the scenario
 * has yet to create: created now it would have no cloud at all.
 */
function waitsForDefaultCloud(o: ScenarioObject, pending: ScenarioObject[], svc: ObjectService): boolean {
  if (o.body.cloud_ref !== undefined || !svc.info(o.type).cloudScoped || svc.defaultCloud() !== undefined) return false;
  return pending.some((p) => p !== o && p.type === 'cloud' && p.body.name === 'Default-Cloud');
}

/** The first stuck object that can be created without its unresolved refs (else the first one's error). */
function breakCycle(stuck: ScenarioObject[], writer: Writer): { o: ScenarioObject; uuid: string } {
  const { svc } = writer;
  for (const o of stuck) {
    if (waitsForDefaultCloud(o, stuck, svc)) continue;
    const uuid = createWithoutMissingRefs(o, writer);
    if (uuid) return { o, uuid };
  }
  const first = stuck[0]!;
  let error: unknown = new Error('refers to objects that refer back to it');
  try {
    writer.write(first, first.body);
  } catch (e) {
    error = e;
  }
  throw locatedError(first, error, svc);
}

/**
 * Creates the object without the top-level fields whose refs do not resolve yet; its uuid, or
 * undefined when it cannot be (its cloud or tenant is missing, or a dropped field is required).
 */
function createWithoutMissingRefs(o: ScenarioObject, writer: Writer): string | undefined {
  const { svc } = writer;
  const body = { ...o.body };
  for (;;) {
    try {
      return writer.write(o, body);
    } catch (e) {
      const field = isRefNotFound(e) ? unresolvedRef(svc, { ...o, body }) : undefined;
      const top = field?.split(/[.[]/)[0];
      if (!top || !(top in body) || top === 'cloud_ref' || top === 'tenant_ref') return undefined;
      delete body[top];
    }
  }
}

/**
 * Writes scenario objects: a create, or a full PUT of the object the controller made by itself
 * under the same type, tenant, cloud and name (one the scenario has not written yet; a second
 * object of the scenario with the same identity is created, and clashes as a second POST would).
 */
class Writer {
  /** uuids of the objects the scenario wrote */
  private readonly written = new Set<string>();

  constructor(readonly svc: ObjectService) {}

  /** The object's uuid once written. */
  write(o: ScenarioObject, body: Data): string {
    const made = this.madeByController(o, body);
    let uuid: string;
    if (!made) uuid = this.svc.create(o.type, body, CTX, { protected: o.system }).uuid;
    else if (typeof body.uuid === 'string' && body.uuid !== made.uuid) uuid = this.takeUuid(o, body, made);
    else uuid = this.svc.replace(o.type, made.uuid, body, CTX).uuid;
    this.written.add(uuid);
    return uuid;
  }

  private madeByController(o: ScenarioObject, body: Data) {
    if (typeof body.name !== 'string') return undefined;
    const info = this.svc.info(o.type);
    const tenantRef = typeof body.tenant_ref === 'string' ? body.tenant_ref : undefined;
    const tenant = tenantRef ? this.svc.tryResolve('tenant', tenantRef, { tenant: ADMIN_TENANT }) : ADMIN_TENANT;
    if (tenant === undefined) return undefined;
    let cloud: string | undefined;
    if (info.cloudScoped) {
      cloud = typeof body.cloud_ref === 'string' ? this.svc.tryResolve('cloud', body.cloud_ref, { tenant }) : this.svc.defaultCloud();
      if (cloud === undefined) return undefined;
    }
    for (const rec of this.svc.store.byName(o.type, info.tenantScoped ? tenant : '', body.name)) {
      if (this.written.has(rec.uuid) || (info.cloudScoped && rec.data.cloud_ref !== cloud)) continue;
      return rec;
    }
    return undefined;
  }

  /**
   * The scenario fixes the uuid of an object the controller made: made again under that uuid,
   * which only works before anything refers to it.
   */
  private takeUuid(o: ScenarioObject, body: Data, made: { type: string; uuid: string }): string {
    if ([...this.svc.store.referrers(made.type, made.uuid)].length > 0) {
      throw located(o, `uuid '${String(body.uuid)}': the controller made this object already (uuid '${made.uuid}') and others refer to it; give the uuid before what refers to it`);
    }
    const rec = this.svc.store.get(made.type, made.uuid)!;
    this.svc.store.remove(rec);
    return this.svc.create(o.type, body, CTX, { protected: o.system || rec.protected }).uuid;
  }
}

function isRefNotFound(e: unknown): e is AviError {
  return e instanceof AviError && e.status === 400 && e.message.endsWith('object not found!');
}

/** `objects[3] pool 'web'` in the file the object was written in. */
function located(o: ScenarioObject, problem: string): ScenarioError {
  const name = typeof o.body.name === 'string' ? ` '${o.body.name}'` : '';
  return new ScenarioError(o.source.file, `objects[${o.source.index}] ${o.type}${name}`, problem);
}

/** The object's write failure, with the field named (found again for unresolved refs). */
function locatedError(o: ScenarioObject, e: unknown, svc: ObjectService): ScenarioError {
  const message = e instanceof Error ? e.message : String(e);
  const field = isRefNotFound(e) ? unresolvedRef(svc, o) : /field '([^']+)'/.exec(message)?.[1];
  return located(o, field ? `field '${field}': ${message}` : message);
}

/** The path of the first ref in the object that names nothing (or undefined when all resolve). */
function unresolvedRef(svc: ObjectService, o: ScenarioObject): string | undefined {
  const tenantRef = typeof o.body.tenant_ref === 'string' ? o.body.tenant_ref : undefined;
  if (tenantRef && !svc.tryResolve('tenant', tenantRef, { tenant: ADMIN_TENANT })) return 'tenant_ref';
  const tenant = tenantRef ? svc.tryResolve('tenant', tenantRef, { tenant: ADMIN_TENANT })! : ADMIN_TENANT;
  const cloudRef = typeof o.body.cloud_ref === 'string' ? o.body.cloud_ref : undefined;
  const cloud = cloudRef ? svc.tryResolve('cloud', cloudRef, { tenant }) : svc.defaultCloud();
  if (cloudRef && !cloud) return 'cloud_ref';
  const scope = { tenant, cloud: svc.info(o.type).cloudScoped ? cloud : undefined };
  const isMissing = (value: string, type: string) => svc.catalog.typeInfo(type) !== undefined && !svc.tryResolve(type, value, scope);
  return findRef(o.body, svc.catalog.shapeOf(o.type), '', isMissing);
}

function findRef(obj: Obj, shape: Shape, path: string, isMissing: (value: string, type: string) => boolean): string | undefined {
  for (const f of shape.fields.values()) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    const at = path ? `${path}.${f.name}` : f.name;
    if (f.ref) {
      if (typeof v === 'string' && isMissing(v, f.ref)) return at;
      if (Array.isArray(v)) {
        const i = v.findIndex((x) => typeof x === 'string' && isMissing(x, f.ref!));
        if (i >= 0) return `${at}[${i}]`;
      }
      continue;
    }
    if (!f.child?.hasRefs) continue;
    if (f.kind === 'object' && isObject(v)) {
      const hit = findRef(v, f.child, at, isMissing);
      if (hit) return hit;
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) {
        const hit = isObject(item) ? findRef(item, f.child, `${at}[${i}]`, isMissing) : undefined;
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

/** The cluster object `/api/cluster` serves: the leader first, nodes named by address by default. */
function createCluster(scenario: Scenario, cluster: ClusterFacts, svc: ObjectService): void {
  const body = {
    name: cluster.name ?? 'cluster-0-1',
    nodes: cluster.nodes.map((n) => ({ name: n.name, ip: { addr: n.ip, type: isIPv6(n.ip) ? 'V6' : 'V4' } })),
  };
  try {
    svc.create('cluster', body, CTX, { protected: true });
  } catch (e) {
    throw new ScenarioError(scenario.file, 'controller.cluster', (e as Error).message);
  }
}

/** `controller.license_tier` → systemconfiguration.default_license_tier, as a PATCH would set it. */
function setLicenseTier(scenario: Scenario, tier: string, svc: ObjectService): void {
  try {
    const existing = svc.store.collection('systemconfiguration').values().next().value;
    if (existing) svc.patch('systemconfiguration', existing.uuid, { replace: { default_license_tier: tier } }, CTX);
    else svc.create('systemconfiguration', { uuid: 'default', default_license_tier: tier }, CTX, { protected: true });
  } catch (e) {
    throw new ScenarioError(scenario.file, 'controller.license_tier', (e as Error).message);
  }
}

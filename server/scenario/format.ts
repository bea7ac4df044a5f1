/**
 * The structure of one scenario file, checked before anything is created: which keys exist, what
 * each holds, and where a mistake is. Values the API write path checks anyway (object fields,
 * NSX route fields, the license tier's enum) are left to it, so a scenario gets the very errors
 * a client would; this module only refuses what the write path would never see (a misspelt
 * top-level key, a cluster node without an address, a Tier-1 without an id).
 *
 * Every error is a ScenarioError naming the file and the place: `<file>: controller.cluster.nodes[1].ip: ...`.
 * The format is described for users in seeds/README.md and as JSON Schema in
 * openapi/scenario.schema.json; keep the three in step.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { isObject } from '../avi/shape-ops.js';

type Obj = Record<string, unknown>;

export const TOP_LEVEL_KEYS = ['name', 'description', 'extends', 'controller', 'objects', 'nsxt', 'faults', 'exchanges'] as const;
const CONTROLLER_KEYS = ['version', 'build', 'cluster', 'license_tier', 'credentials'];
const CLUSTER_KEYS = ['name', 'state', 'nodes'];
const NODE_KEYS = ['name', 'ip'];
const NSXT_KEYS = ['credentials', 'tier1s'];

/**
 * Cluster states a scenario may set. The first three are the ones AKO accepts at boot; the
 * others make it exit, which is what a scenario reproducing a broken controller wants.
 */
export const CLUSTER_STATES = ['CLUSTER_UP_NO_HA', 'CLUSTER_UP_HA_ACTIVE', 'CLUSTER_UP_HA_COMPROMISED', 'CLUSTER_DOWN'] as const;
export type ClusterState = (typeof CLUSTER_STATES)[number];

export interface ClusterNode {
  /** the node's name; a controller names its nodes by address, so it defaults to `ip` */
  name: string;
  ip: string;
}

export interface ClusterFacts {
  /** the cluster object's name (`cluster-0-1` when not given) */
  name?: string;
  state: ClusterState;
  /** the leader first */
  nodes: ClusterNode[];
}

export interface Credential {
  username: string;
  password?: string;
}

export interface ControllerFacts {
  version: string;
  build?: number;
  cluster?: ClusterFacts;
  /** becomes systemconfiguration.default_license_tier */
  license_tier?: string;
  credentials?: Credential[];
}

export interface StaticRouteSpec {
  id: string;
  [field: string]: unknown;
}

export interface Tier1Spec {
  id: string;
  static_routes?: StaticRouteSpec[];
  [field: string]: unknown;
}

/** The `nsxt:` section: the NSX-T manager stub's credentials and Tier-1 gateways with their routes. */
export interface NsxScenario {
  credentials?: { username?: string; password?: string };
  tier1s: Tier1Spec[];
}

export interface ScenarioObject {
  type: string;
  body: Obj;
  /** `_system: true`: a system-default object, which cannot be deleted */
  system: boolean;
  /** where it was written, for errors: the file and its index in that file's `objects` */
  source: { file: string; index: number };
}

/** One file as written, checked but not yet merged with what it extends. */
export interface ScenarioDocument {
  file: string;
  name?: string;
  description?: string;
  extends?: string;
  /** only the facts this file gives (merging fills the rest from the base) */
  controller: Partial<ControllerFacts>;
  objects: ScenarioObject[];
  nsxt?: Partial<NsxScenario>;
  faults: Obj[];
  exchanges: Obj[];
}

/** A bad scenario: the message names the file, the place in it and the problem. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${displayPath(file)}: ${where ? `${where}: ` : ''}${problem}`);
  }
}

/** A path as a user would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Checks the structure of a parsed file (YAML or JSON) and returns it typed. */
export function parseScenarioDocument(file: string, doc: unknown): ScenarioDocument {
  const fail = (where: string, problem: string): never => {
    throw new ScenarioError(file, where, problem);
  };
  if (!isObject(doc)) fail('', 'a scenario must be a mapping of keys (name, controller, objects, ...)');
  const top = doc as Obj;
  unknownKeys(top, TOP_LEVEL_KEYS, '', fail);
  return {
    file,
    name: optionalString(top.name, 'name', fail),
    description: optionalString(top.description, 'description', fail),
    extends: optionalString(top.extends, 'extends', fail),
    controller: controllerSection(top.controller, fail),
    objects: objectsSection(file, top.objects, fail),
    nsxt: nsxtSection(top.nsxt, fail),
    faults: listOfMappings(top.faults, 'faults', fail),
    exchanges: listOfMappings(top.exchanges, 'exchanges', fail),
  };
}

type Fail = (where: string, problem: string) => never;

function unknownKeys(obj: Obj, allowed: readonly string[], where: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(where, `unknown key '${key}' (allowed: ${allowed.join(', ')})`);
  }
}

function optionalString(v: unknown, where: string, fail: Fail): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') fail(where, `must be a non-empty string, got ${show(v)}`);
  return v as string;
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

function controllerSection(raw: unknown, fail: Fail): Partial<ControllerFacts> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) return fail('controller', 'must be a mapping (version, build, cluster, license_tier, credentials)');
  unknownKeys(raw, CONTROLLER_KEYS, 'controller', fail);
  const out: Partial<ControllerFacts> = {};
  if (raw.version !== undefined) {
    // YAML reads `20.1` as a number; a controller version is text of dotted integers (AKO parses
    // each part as an integer and exits otherwise).
    const version = typeof raw.version === 'number' ? String(raw.version) : raw.version;
    if (typeof version !== 'string' || !/^\d+(\.\d+){1,3}$/.test(version)) {
      fail('controller.version', `must be dotted integers like 22.1.3, got ${show(raw.version)}`);
    }
    out.version = version as string;
  }
  if (raw.build !== undefined) {
    // a recording keeps the build as the controller sent it, number or text of digits
    const build = typeof raw.build === 'string' && /^\d+$/.test(raw.build) ? Number(raw.build) : raw.build;
    if (typeof build !== 'number' || !Number.isInteger(build) || build < 0) {
      fail('controller.build', `must be a whole number, got ${show(raw.build)}`);
    }
    out.build = build as number;
  }
  if (raw.cluster !== undefined) out.cluster = clusterSection(raw.cluster, fail);
  if (raw.license_tier !== undefined) {
    // the enum is the systemconfiguration schema's: the write path checks it
    out.license_tier = optionalString(raw.license_tier, 'controller.license_tier', fail);
  }
  if (raw.credentials !== undefined) out.credentials = credentialsSection(raw.credentials, fail);
  return out;
}

function clusterSection(raw: unknown, fail: Fail): ClusterFacts {
  const where = 'controller.cluster';
  if (!isObject(raw)) return fail(where, 'must be a mapping {name, state, nodes: [{name, ip}]}');
  unknownKeys(raw, CLUSTER_KEYS, where, fail);
  if (!Array.isArray(raw.nodes) || raw.nodes.length === 0) fail(`${where}.nodes`, 'must be a list of one or three nodes {name, ip}');
  const nodes = (raw.nodes as unknown[]).map((n, i): ClusterNode => {
    const at = `${where}.nodes[${i}]`;
    if (!isObject(n)) return fail(at, 'must be a mapping {name, ip}');
    unknownKeys(n, NODE_KEYS, at, fail);
    if (typeof n.ip !== 'string' || isIP(n.ip) === 0) fail(`${at}.ip`, `must be an IP address, got ${show(n.ip)}`);
    const name = optionalString(n.name, `${at}.name`, fail) ?? (n.ip as string);
    return { name, ip: n.ip as string };
  });
  // A controller cluster has one node (no HA) or three.
  if (nodes.length !== 1 && nodes.length !== 3) fail(`${where}.nodes`, `a controller cluster has one or three nodes, got ${nodes.length}`);
  const state = raw.state ?? (nodes.length === 1 ? 'CLUSTER_UP_NO_HA' : 'CLUSTER_UP_HA_ACTIVE');
  if (!CLUSTER_STATES.includes(state as ClusterState)) fail(`${where}.state`, `must be one of ${CLUSTER_STATES.join(', ')}, got ${show(state)}`);
  const ha = state === 'CLUSTER_UP_HA_ACTIVE' || state === 'CLUSTER_UP_HA_COMPROMISED';
  if (state === 'CLUSTER_UP_NO_HA' && nodes.length !== 1) fail(`${where}.state`, `${state} is the state of a one-node cluster, this one has ${nodes.length}`);
  if (ha && nodes.length !== 3) fail(`${where}.state`, `${state} is the state of a three-node cluster, this one has one node`);
  return { name: optionalString(raw.name, `${where}.name`, fail), state: state as ClusterState, nodes };
}

function credentialsSection(raw: unknown, fail: Fail): Credential[] {
  if (!Array.isArray(raw)) return fail('controller.credentials', 'must be a list of {username, password}');
  return raw.map((c, i) => {
    const at = `controller.credentials[${i}]`;
    if (!isObject(c)) return fail(at, 'must be a mapping {username, password}');
    unknownKeys(c, ['username', 'password'], at, fail);
    const username = optionalString(c.username, `${at}.username`, fail);
    if (username === undefined) fail(`${at}.username`, 'is required');
    // a password of digits only reads as a number in YAML; it is still a password
    const password = c.password === undefined || c.password === null ? undefined : String(c.password);
    return { username: username as string, password };
  });
}

function objectsSection(file: string, raw: unknown, fail: Fail): ScenarioObject[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return fail('objects', "must be a list of '<type>: {fields}' mappings");
  return raw.map((item, index) => {
    const entries = isObject(item) ? Object.entries(item) : [];
    if (entries.length !== 1 || !isObject(entries[0]![1])) {
      return fail(`objects[${index}]`, "must be a single '<type>: {fields}' mapping");
    }
    const [type, fields] = entries[0] as [string, Obj];
    const { _system, ...body } = fields;
    if (_system !== undefined && typeof _system !== 'boolean') {
      fail(`objects[${index}] ${type}${typeof body.name === 'string' ? ` '${body.name}'` : ''}`, `field '_system' must be true or false, got ${show(_system)}`);
    }
    return { type, body, system: _system === true, source: { file, index } };
  });
}

function nsxtSection(raw: unknown, fail: Fail): Partial<NsxScenario> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) return fail('nsxt', 'must be a mapping (credentials, tier1s)');
  unknownKeys(raw, NSXT_KEYS, 'nsxt', fail);
  const out: Partial<NsxScenario> = {};
  if (raw.credentials !== undefined) {
    const c = raw.credentials;
    if (!isObject(c)) return fail('nsxt.credentials', 'must be a mapping {username, password}');
    unknownKeys(c, ['username', 'password'], 'nsxt.credentials', fail);
    out.credentials = {
      username: c.username === undefined ? undefined : String(c.username),
      password: c.password === undefined ? undefined : String(c.password),
    };
  }
  if (raw.tier1s !== undefined) {
    if (!Array.isArray(raw.tier1s)) return fail('nsxt.tier1s', 'must be a list of Tier-1 gateways {id, ...}');
    const seen = new Set<string>();
    out.tier1s = raw.tier1s.map((t, i) => {
      const at = `nsxt.tier1s[${i}]`;
      const tier1 = tier1Spec(t, at, fail);
      if (seen.has(tier1.id)) fail(at, `id '${tier1.id}' is given twice`);
      seen.add(tier1.id);
      return tier1;
    });
  }
  return out;
}

/** A policy id: the last segment of a path, so no `/`. */
function policyId(v: unknown, where: string, fail: Fail): string {
  if (typeof v !== 'string' || v === '' || v.includes('/')) fail(where, `must be an id (text without '/'), got ${show(v)}`);
  return v as string;
}

function tier1Spec(raw: unknown, at: string, fail: Fail): Tier1Spec {
  if (!isObject(raw)) return fail(at, 'must be a mapping with an id');
  const id = policyId(raw.id, `${at}.id`, fail);
  const { static_routes, ...rest } = raw;
  const tier1: Tier1Spec = { ...rest, id };
  if (static_routes === undefined || static_routes === null) return tier1;
  const where = `${at} '${id}': static_routes`;
  if (!Array.isArray(static_routes)) return fail(where, 'must be a list of routes {id, network, next_hops}');
  const seen = new Set<string>();
  tier1.static_routes = static_routes.map((r, j) => {
    if (!isObject(r)) return fail(`${where}[${j}]`, 'must be a mapping {id, network, next_hops}');
    const routeId = policyId(r.id, `${where}[${j}].id`, fail);
    if (seen.has(routeId)) fail(`${where}[${j}]`, `id '${routeId}' is given twice`);
    seen.add(routeId);
    return { ...r, id: routeId };
  });
  return tier1;
}

function listOfMappings(raw: unknown, where: string, fail: Fail): Obj[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return fail(where, 'must be a list of mappings');
  return raw.map((item, i) => (isObject(item) ? item : fail(`${where}[${i}]`, `must be a mapping, got ${show(item)}`)));
}

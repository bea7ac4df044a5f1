/**
 * One simulated controller, composed: the catalog of types, the store, the Avi object service
 * with its per-type behaviour and its SE placement, the NSX-T model, the link between the two,
 * the front door's sessions and, when a state file is given, persistence. Placement and the
 * link hear the store's committed writes in phases the store orders (server/core/changes.ts). Everything per-instance hangs off an Engine (no module
 * state), so several can live in one process (tests, sandboxes, in-process mode).
 */
import { Catalog, loadDocument, type AviDocument } from './core/catalog.js';
import { Store } from './core/store.js';
import { Persistence } from './core/persistence.js';
import { UndoLog } from './core/undo.js';
import { ObjectService } from './avi/objects.js';
import { createBehaviours } from './avi/types/index.js';
import { randomIds, seededIds, type Ids, type Seed } from './core/ids.js';
import { loadScenario, resolveScenario, DEFAULT_SCENARIO, type Scenario } from './scenario/load.js';
import { FrontDoor, type Credential } from './avi/sessions.js';
import { nanoid } from 'nanoid';
import { nsxStateOf, type NsxOptions, type NsxState } from './nsxt/state.js';
import { applyNsxScenario } from './scenario/nsxt.js';
import { NsxtLink } from './links/avi-nsxt.js';
import { Placement } from './avi/placement.js';
import { ADMIN_TENANT, ADMIN_USER } from './core/admin.js';
import { allowBasicAuthentication } from './avi/basic-auth.js';

export interface EngineOptions {
  /** a built-in scenario's name (seeds/<name>.yaml) or a scenario file's path; fresh-controller by default */
  scenario?: string;
  /** makes uuids, timestamps and allocations reproducible: a whole number or any text */
  seed?: Seed;
  /** persist through lowdb to this file; an existing file is restored instead of seeding */
  stateFile?: string;
  /** the admin password; else the scenario's, else a random one (printed at start) */
  adminPassword?: string;
  /** session idle timeout (minutes), written to controllerproperties.api_idle_timeout at start */
  idleTimeoutMinutes?: number;
  /** HTTP Basic on the API from the start (the scenario's systemconfiguration otherwise decides) */
  basicAuth?: boolean;
  /** journal size that triggers a snapshot (tests make it small) */
  compactAfterBytes?: number;
  document?: AviDocument;
  /** the NSX-T manager stub: its credentials and realization delay */
  nsx?: NsxOptions;
}

/** What a sandbox shares with the engine it is forked from. */
interface Parts {
  catalog: Catalog;
  store: Store;
  ids: Ids;
}

export class Engine {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly objects: ObjectService;
  readonly ids: Ids;
  readonly persistence?: Persistence;
  /** the loaded scenario's state, frozen: what a reset returns to and a sandbox starts from */
  private baselineStore?: Store;
  /** the sandbox id when this engine is one */
  sandbox?: string;
  scenario!: Scenario;
  frontDoor!: FrontDoor;
  /** who can log in; the admin password is printed at start */
  credentials: Credential[] = [];
  /** the NSX-T manager stub's credentials and realization clock (its objects are in the store) */
  nsx!: NsxState;
  /** Avi VIPs on NSX-T clouds keep their Tier-1 routes (composed once the scenario is applied) */
  nsxtLink!: NsxtLink;
  /** when this controller "booted" (cluster up_since), µs */
  readonly startedMicros: number;
  /** the cluster leader: how many leader changes happened, and since when the current one leads */
  leader: { changes: number; sinceMicros: number };

  private constructor(
    readonly options: EngineOptions,
    parts?: Parts,
  ) {
    this.catalog = parts?.catalog ?? new Catalog(options.document ?? loadDocument());
    this.store = parts?.store ?? new Store(this.catalog);
    this.ids = parts?.ids ?? idsFor(options.seed);
    this.objects = new ObjectService(this.catalog, this.store, this.ids, createBehaviours, (svc) => new Placement(svc));
    if (options.stateFile && !parts) this.persistence = new Persistence(options.stateFile, this.store, options.compactAfterBytes);
    this.startedMicros = this.ids.nowMicros();
    this.leader = { changes: 0, sinceMicros: this.startedMicros };
  }

  /** Another node takes the lead (a one-node cluster restarts): clients watching it see it. */
  changeLeader(): void {
    this.leader = { changes: this.leader.changes + 1, sinceMicros: Math.max(this.ids.nowMicros(), this.leader.sinceMicros + 1_000_000) };
  }

  static async create(options: EngineOptions = {}, parts?: Omit<Parts, 'store'> & { scenario: Scenario }): Promise<Engine> {
    const scenario = parts?.scenario ?? (await loadScenario(resolveScenario(options.scenario || DEFAULT_SCENARIO)));
    // What the scenario asks the controller to generate (keys) is made in the thread pool while
    // the API document is read and the engine built; unused when a state file is restored.
    const prepared = scenario.prepare();
    prepared.catch(() => undefined);
    const engine = new Engine(options, parts && { ...parts, store: new Store(parts.catalog) });
    engine.scenario = scenario;
    engine.credentials = credentialsOf(engine.scenario.controller.credentials, options.adminPassword);
    engine.nsx = nsxStateOf(engine.scenario.nsxt?.credentials, options.nsx);
    engine.frontDoor = new FrontDoor(engine.credentials, () => engine.idleTimeoutMinutes());
    const restored = engine.persistence ? await engine.persistence.load() : false;
    if (!restored) await prepared;
    if (!restored) engine.scenario.apply(engine.objects);
    if (!restored) applyNsxScenario(engine, engine.scenario);
    if (options.idleTimeoutMinutes !== undefined) engine.setIdleTimeout(options.idleTimeoutMinutes);
    if (options.basicAuth) allowBasicAuthentication(engine.objects, engine.store);
    // Avi VIPs on NSX-T clouds keep their Tier-1 routes for every engine, served or in-process.
    engine.nsxtLink = new NsxtLink(engine.objects, engine);
    // The scenario as loaded becomes the frozen baseline, at no copying cost; a restored state
    // file is not the scenario, so its baseline is built from the scenario when first needed.
    if (!restored) engine.baselineStore = engine.store.freeze();
    if (!restored) await engine.persistence?.compact();
    else await engine.commit();
    return engine;
  }

  /** The loaded scenario's state (built aside on first use when the state came from a file). */
  async baseline(): Promise<Store> {
    if (!this.baselineStore) {
      const scratch = await this.scratch(this.scenario, this.admin().password);
      this.baselineStore ??= scratch.baselineStore!;
    }
    return this.baselineStore;
  }

  /**
   * `scenario` applied in an engine of its own (in memory, same catalog, the uuids a fresh
   * start would give): its frozen baseline, built without touching this engine's state.
   */
  private scratch(scenario: Scenario, adminPassword: string): Promise<Engine> {
    return Engine.create({ ...this.options, stateFile: undefined, adminPassword }, { catalog: this.catalog, ids: idsFor(this.options.seed), scenario });
  }

  /** Realization back as configured: no forced states, the configured delay. */
  clearNsxFaults(): void {
    this.nsx.forcedState.clear();
    this.nsx.realizationDelayMs = Math.max(0, this.options.nsx?.realizationDelayMs ?? 0);
  }

  /**
   * Every object back as the scenario made it, NSX realization state included. Sessions stay
   * valid and the uuid sequence goes on; persistence writes the reset state.
   */
  async reset(): Promise<void> {
    this.store.rebase(await this.baseline());
    this.nsx.changedAt.clear();
    this.clearNsxFaults();
    await this.commit();
  }

  /**
   * Serves another scenario from now on: its objects, controller facts and users. Sessions of
   * users it still has stay valid; the admin password stays unless the scenario sets one.
   */
  async load(scenario: Scenario): Promise<void> {
    const adminPassword = this.options.adminPassword ?? scenarioPassword(scenario, ADMIN_USER) ?? this.admin().password;
    const scratch = await this.scratch(scenario, adminPassword);
    this.scenario = scenario;
    this.credentials = scratch.credentials;
    this.frontDoor.setCredentials(this.credentials);
    this.nsx.username = scratch.nsx.username;
    this.nsx.password = this.options.nsx?.password || scenario.nsxt?.credentials?.password || this.nsx.password;
    this.baselineStore = scratch.baselineStore!;
    await this.reset();
  }

  /**
   * A sandbox: a copy of the baseline that only its callers see, made in constant time (the
   * store is a fork). It shares the catalog, who can log in and the sessions with this engine.
   */
  async fork(id: string): Promise<Engine> {
    const base = await this.baseline();
    // A seeded sandbox draws from its own stream, so its uuids never meet the baseline's.
    const ids = idsFor(sandboxSeed(this.options.seed, id));
    const child = new Engine(this.options, { catalog: this.catalog, store: base.fork(), ids });
    child.sandbox = id;
    child.scenario = this.scenario;
    child.credentials = this.credentials;
    child.frontDoor = this.frontDoor;
    child.nsx = { ...this.nsx, changedAt: new Map(), forcedState: new Map() };
    child.baselineStore = base;
    child.leader = { ...this.leader };
    child.nsxtLink = new NsxtLink(child.objects, child);
    return child;
  }

  private admin(): Credential {
    return this.credentials.find((c) => c.username === ADMIN_USER)!;
  }

  /** `controllerproperties.api_idle_timeout`, in minutes (0: sessions never expire). */
  idleTimeoutMinutes(): number {
    for (const rec of this.store.collection('controllerproperties').values()) {
      const v = rec.data.api_idle_timeout;
      if (typeof v === 'number') return v;
    }
    return 15;
  }

  /** Sets the idle timeout through the normal write path, as a client's PATCH would. */
  setIdleTimeout(minutes: number): void {
    for (const rec of this.store.collection('controllerproperties').values()) {
      this.objects.patch('controllerproperties', rec.uuid, { replace: { api_idle_timeout: minutes } }, { tenant: ADMIN_TENANT, base: '' });
    }
  }

  /** Makes everything durable and releases the state file (graceful shutdown). */
  async close(): Promise<void> {
    this.objects.placement.dispose(); // no SE deprovisioning fires after this
    await this.persistence?.close();
  }

  /** Resolves when every change made so far is durable (at once when in memory). */
  commit(): Promise<void> {
    return this.persistence ? this.persistence.commit() : Promise.resolve();
  }

  /**
   * One write, all or nothing: runs `work` (synchronous, so no other request interleaves), then
   * waits until its changes are durable, and resolves with what `work` returned. When `work`
   * throws (a hook after the store took the object, an answer that cannot be rendered) or the
   * commit fails, every store change `work` made is taken back, and that made durable, before
   * the error goes on: no error answer leaves a write behind, and no write is answered with one.
   * `work` should build the whole answer, so nothing that can fail is left after the commit.
   */
  async transact<T>(work: () => T): Promise<T> {
    const log = new UndoLog(this.store);
    let result: T;
    try {
      result = work();
    } catch (e) {
      await this.takeBack(log);
      throw e;
    }
    log.end();
    try {
      await this.commit();
    } catch (e) {
      await this.takeBack(log);
      throw e;
    }
    return result;
  }

  private async takeBack(log: UndoLog): Promise<void> {
    const changed = log.changed;
    log.undo();
    // Best effort: when the disk still fails, what it holds is older than the failed write.
    if (changed) await this.commit().catch(() => undefined);
  }
}

/** Scenario credentials, with the admin password from the options or else generated. */
function credentialsOf(fromScenario: unknown, adminPassword: string | undefined): Credential[] {
  const list: Credential[] = [];
  for (const c of Array.isArray(fromScenario) ? fromScenario : []) {
    if (c && typeof c.username === 'string') list.push({ username: c.username, password: String(c.password ?? '') });
  }
  let admin = list.find((c) => c.username === ADMIN_USER);
  if (!admin) list.unshift((admin = { username: ADMIN_USER, password: '' }));
  if (adminPassword !== undefined) admin.password = adminPassword;
  if (!admin.password) admin.password = nanoid(16);
  for (const c of list) if (!c.password) c.password = nanoid(16);
  return list;
}

/** Reproducible ids under a seed, random ones without. */
function idsFor(seed: Seed | undefined): Ids {
  return seed !== undefined ? seededIds(seed) : randomIds();
}

function scenarioPassword(scenario: Scenario, username: string): string | undefined {
  const list = scenario.controller.credentials;
  const entry = Array.isArray(list) ? list.find((c) => c?.username === username) : undefined;
  return entry?.password ? String(entry.password) : undefined;
}

function sandboxSeed(seed: Seed | undefined, id: string): Seed | undefined {
  if (seed === undefined) return undefined;
  // A text seed's sandbox draws from the text and the sandbox id together.
  return typeof seed === 'number' ? seed ^ streamOf(id) : `${seed}\u0000sandbox\u0000${id}`;
}

/** FNV-1a of a sandbox id, never 0 (so a sandbox's stream differs from the main one). */
function streamOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) || 1;
}

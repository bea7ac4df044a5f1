/**
 * One simulated controller: the catalog of types, the store, the object service and, when a
 * state file is given, persistence. Everything per-instance hangs off an Engine (no module
 * state), so several can live in one process (tests, sandboxes, in-process mode).
 */
import { Catalog, loadDocument, type AviDocument } from './spec/catalog.js';
import { Store } from './store/store.js';
import { Persistence } from './store/persistence.js';
import { ObjectService } from './avi/objects.js';
import { randomIds, seededIds, type Ids } from './ids.js';
import { loadScenario, resolveScenario, DEFAULT_SCENARIO, type Scenario } from './scenario.js';
import { FrontDoor, type Credential } from './avi/sessions.js';
import { nanoid } from 'nanoid';
import { nsxStateOf, type NsxOptions, type NsxState } from './nsxt/state.js';
import { applyNsxScenario } from './nsxt/scenario.js';
import { linkNsxt } from './nsxt/linked.js';

export interface EngineOptions {
  /** a built-in scenario's name (seeds/<name>.yaml) or a scenario file's path; fresh-controller by default */
  scenario?: string;
  /** makes uuids, timestamps and allocations reproducible */
  seed?: number;
  /** persist through lowdb to this file; an existing file is restored instead of seeding */
  stateFile?: string;
  /** the admin password; else the scenario's, else a random one (printed at start) */
  adminPassword?: string;
  /** session idle timeout (minutes), written to controllerproperties.api_idle_timeout at start */
  idleTimeoutMinutes?: number;
  /** journal size that triggers a snapshot (tests make it small) */
  compactAfterBytes?: number;
  document?: AviDocument;
  /** the NSX-T manager stub: its credentials and realization delay */
  nsx?: NsxOptions;
}

export class Engine {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly objects: ObjectService;
  readonly ids: Ids;
  readonly persistence?: Persistence;
  scenario!: Scenario;
  frontDoor!: FrontDoor;
  /** who can log in; the admin password is printed at start */
  credentials: Credential[] = [];
  /** the NSX-T manager stub's credentials and realization clock (its objects are in the store) */
  nsx!: NsxState;
  /** when this controller "booted" (cluster up_since), µs */
  readonly startedMicros: number;

  private constructor(readonly options: EngineOptions) {
    const doc = options.document ?? loadDocument();
    this.catalog = new Catalog(doc);
    this.store = new Store(this.catalog);
    this.ids = options.seed !== undefined ? seededIds(options.seed) : randomIds();
    this.objects = new ObjectService(this.catalog, this.store, this.ids);
    if (options.stateFile) this.persistence = new Persistence(options.stateFile, this.store, options.compactAfterBytes);
    this.startedMicros = this.ids.nowMicros();
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine(options);
    engine.scenario = await loadScenario(resolveScenario(options.scenario || DEFAULT_SCENARIO));
    engine.credentials = credentialsOf(engine.scenario.controller.credentials, options.adminPassword);
    engine.nsx = nsxStateOf(engine.scenario.nsxt?.credentials, options.nsx);
    engine.frontDoor = new FrontDoor(engine.credentials, () => engine.idleTimeoutMinutes());
    const restored = engine.persistence ? await engine.persistence.load() : false;
    if (!restored) engine.scenario.apply(engine.objects);
    if (!restored) applyNsxScenario(engine);
    if (options.idleTimeoutMinutes !== undefined) engine.setIdleTimeout(options.idleTimeoutMinutes);
    // Avi VIPs on NSX-T clouds keep their Tier-1 routes for every engine, served or in-process.
    linkNsxt(engine);
    if (!restored) await engine.persistence?.compact();
    else await engine.commit();
    return engine;
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
      this.objects.patch('controllerproperties', rec.uuid, { replace: { api_idle_timeout: minutes } }, { tenant: 'admin', base: '' });
    }
  }

  /** Makes everything durable and releases the state file (graceful shutdown). */
  async close(): Promise<void> {
    await this.persistence?.close();
  }

  /** Resolves when every change made so far is durable (at once when in memory). */
  commit(): Promise<void> {
    return this.persistence ? this.persistence.commit() : Promise.resolve();
  }
}

/** Scenario credentials, with the admin password from the options or else generated. */
function credentialsOf(fromScenario: unknown, adminPassword: string | undefined): Credential[] {
  const list: Credential[] = [];
  for (const c of Array.isArray(fromScenario) ? fromScenario : []) {
    if (c && typeof c.username === 'string') list.push({ username: c.username, password: String(c.password ?? '') });
  }
  let admin = list.find((c) => c.username === 'admin');
  if (!admin) list.unshift((admin = { username: 'admin', password: '' }));
  if (adminPassword !== undefined) admin.password = adminPassword;
  if (!admin.password) admin.password = nanoid(16);
  for (const c of list) if (!c.password) c.password = nanoid(16);
  return list;
}

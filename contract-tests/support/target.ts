/**
 * The controller a contract suite runs against.
 *
 * - `AVISIM_TARGET` unset (as in `npm test`): an avisim started in this process for the test
 *   file, on 127.0.0.1: HTTPS and plain HTTP for the Avi API, the NSX-T stub on an HTTPS port of
 *   its own (as `avisim --nsx-port` serves it).
 * - `AVISIM_TARGET=<base URL>`: that controller, with `AVISIM_USERNAME` / `AVISIM_PASSWORD`;
 *   the NSX-T manager at `AVISIM_NSX_TARGET` with `AVISIM_NSX_USERNAME` / `AVISIM_NSX_PASSWORD`
 *   (each defaulting to the Avi one); `AVISIM_INSECURE=1` accepts a self-signed certificate;
 *   `AVISIM_MOCK_TOKEN` is sent to a control plane that needs one; `AVISIM_SECOND_USERNAME` /
 *   `AVISIM_SECOND_PASSWORD` name a second local user for the checks that keep two users apart.
 *
 * The target has the test-control plane when `GET /_mock/coverage` answers 200: it is then an
 * avisim, and each test file works in a sandbox of its own (`X-Mock-Sandbox`), so files can run
 * side by side. A real controller has none: checks that need it skip, each with a printed line
 * saying what and why.
 *
 * Every object a suite creates over the API is deleted again when its file ends (a registry fed
 * by every client the target hands out); with a control plane the file then checks that the
 * state holds exactly the objects it held before the file began.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { afterAll, beforeAll, expect, type TestContext } from 'vitest';
import { Engine } from '../../server/engine.js';
import { startAvisim, type StartedAvisim } from '../../server/testing.js';
import { contractScenarioFile, SECOND_USER } from './scenario.js';
import { ApiClient, CookieJar, Wire, type WireRequest, type WireResponse } from '../../test/support/wire.js';

export const IN_PROCESS_PASSWORD = 'Contract-Admin-Pw-1';

export interface Credentials {
  username: string;
  password: string;
}

export interface TargetSettings {
  /** the Avi base URL; undefined: start avisim in this process */
  url?: string;
  nsxUrl?: string;
  avi: Credentials;
  nsx: Credentials;
  second?: Credentials;
  /** accept certificates that do not verify */
  insecure: boolean;
  mockToken?: string;
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): TargetSettings {
  const url = env.AVISIM_TARGET ? trimSlash(env.AVISIM_TARGET) : undefined;
  if (!url) return { avi: { username: 'admin', password: IN_PROCESS_PASSWORD }, nsx: { username: 'admin', password: IN_PROCESS_PASSWORD }, second: SECOND_USER, insecure: true };
  const avi = { username: env.AVISIM_USERNAME || 'admin', password: env.AVISIM_PASSWORD ?? '' };
  if (!avi.password) throw new Error('AVISIM_TARGET is set: give the password of its admin user in AVISIM_PASSWORD');
  return {
    url,
    nsxUrl: env.AVISIM_NSX_TARGET ? trimSlash(env.AVISIM_NSX_TARGET) : url,
    avi,
    nsx: { username: env.AVISIM_NSX_USERNAME || avi.username, password: env.AVISIM_NSX_PASSWORD || avi.password },
    second: env.AVISIM_SECOND_USERNAME ? { username: env.AVISIM_SECOND_USERNAME, password: env.AVISIM_SECOND_PASSWORD ?? '' } : undefined,
    insecure: env.AVISIM_INSECURE === '1' || env.AVISIM_INSECURE === 'true',
    mockToken: env.AVISIM_MOCK_TOKEN || undefined,
  };
}

export interface InProcess {
  engine: Engine;
  avisim: StartedAvisim;
  httpsUrl: string;
  httpUrl: string;
  /** the NSX-T stub's own HTTPS port */
  nsxUrl: string;
  close(): Promise<void>;
}

/**
 * An avisim in this process (`startAvisim`, ephemeral 127.0.0.1 ports): the Avi API over HTTPS
 * and plain HTTP, the NSX-T stub on an HTTPS port of its own, one password for both.
 */
export async function startInProcess(options: { password?: string; scenario?: string } = {}): Promise<InProcess> {
  const password = options.password ?? IN_PROCESS_PASSWORD;
  const engine = await Engine.create({ scenario: options.scenario ?? contractScenarioFile(), adminPassword: password, nsx: { password } });
  let avisim: StartedAvisim;
  try {
    avisim = await startAvisim({ engine, https: true, httpPort: true, nsxPort: true });
  } catch (e) {
    await engine.close();
    throw e;
  }
  return {
    engine,
    avisim,
    httpsUrl: avisim.urls.https!,
    httpUrl: avisim.urls.http!,
    nsxUrl: avisim.urls.nsx!,
    async close() {
      await avisim.close();
      await engine.close();
    },
  };
}

/** A line every skip prints, so a run against a real controller says what it did not check. */
export function printSkip(what: string, why: string): void {
  console.log(`[contract] skipped: ${what} — ${why}`);
}

const CONTROL_PLANE = 'needs the test-control plane (/_mock), which this target does not serve';

type Step = { what: string; run: () => Promise<'done' | 'retry'> };

interface MockAnswer {
  status: number;
  body: any;
  text: string;
}

export class Target {
  readonly settings: TargetSettings;
  kind!: 'in-process' | 'url';
  /** the Avi base URL (HTTPS in process) */
  url!: string;
  /** every Avi base URL the target serves: HTTPS and HTTP in process, the one given otherwise */
  bases!: string[];
  nsxUrl!: string;
  hasControlPlane = false;
  /** true in process and wherever the control plane answers */
  isAvisim = false;
  /** the sandbox this file's requests name (URL targets with a control plane) */
  sandbox?: string;
  /** unique per test file and run: every name a suite gives starts with it */
  readonly prefix: string;
  /** the in-process simulator (undefined for a URL target) */
  inProcess?: InProcess;
  /** logged in as the admin user, for setup and reads */
  admin!: ApiClient;

  private readonly wires: Wire[] = [];
  private readonly steps: Step[] = [];
  private readonly nsxSeen = new Set<string>();
  private baseline?: Set<string>;
  private controlWire?: Wire;
  private nsxWire?: Wire;

  constructor(settings: TargetSettings = settingsFromEnv()) {
    this.settings = settings;
    this.prefix = `avisim-contract-${randomBytes(3).toString('hex')}-`;
  }

  /**
   * The schemes the Avi API is served on, known before the target starts (for `describe` per
   * scheme): HTTPS and HTTP in process, the given URL's otherwise.
   */
  get schemes(): Array<'https' | 'http'> {
    if (!this.settings.url) return ['https', 'http'];
    return [this.settings.url.startsWith('https:') ? 'https' : 'http'];
  }

  /** The Avi base URL for `scheme` (one of `schemes`). */
  base(scheme: 'https' | 'http'): string {
    const found = this.bases.find((b) => b.startsWith(`${scheme}:`));
    if (!found) throw new Error(`this target serves no ${scheme} URL`);
    return found;
  }

  get username(): string {
    return this.settings.avi.username;
  }
  get password(): string {
    return this.settings.avi.password;
  }
  get nsxCredentials(): Credentials {
    return this.settings.nsx;
  }
  get second(): Credentials | undefined {
    return this.settings.second;
  }

  async init(): Promise<void> {
    if (this.settings.url) {
      this.kind = 'url';
      this.url = this.settings.url;
      this.bases = [this.url];
      this.nsxUrl = this.settings.nsxUrl ?? this.url;
      const probe = await this.mock('GET', '/coverage');
      // JSON too: a controller's web UI may answer any unknown path with 200 and its HTML page.
      this.hasControlPlane = probe.status === 200 && typeof probe.body === 'object' && probe.body !== null;
      this.isAvisim = this.hasControlPlane;
      if (probe.status === 401) console.log('[contract] GET /_mock/coverage answered 401: this avisim needs AVISIM_MOCK_TOKEN; running as against a real controller');
      if (this.hasControlPlane) this.sandbox = `${this.prefix}${fileTag()}`.slice(0, 128);
    } else {
      this.kind = 'in-process';
      this.inProcess = await startInProcess({ password: this.password });
      this.url = this.inProcess.httpsUrl;
      this.bases = [this.inProcess.httpsUrl, this.inProcess.httpUrl];
      this.nsxUrl = this.inProcess.nsxUrl;
      this.hasControlPlane = true;
      this.isAvisim = true;
    }
    this.admin = await this.client();
    if (this.hasControlPlane) this.baseline = keysOf(await this.snapshot());
  }

  /** Headers every request to the target carries (the sandbox id, when there is one). */
  get headers(): Record<string, string> {
    return this.sandbox ? { 'X-Mock-Sandbox': this.sandbox } : {};
  }

  /**
   * A wire client on this target: the target's headers on every request, and everything it
   * creates registered for deletion when the file ends. `user` is who it logs in as (whose
   * session can delete what it made, e.g. user tokens).
   */
  wire(options: { jar?: CookieJar; user?: string } = {}): Wire {
    const user = options.user ?? this.username;
    const w = new Wire({ verify: !this.settings.insecure && this.kind === 'url', jar: options.jar, defaults: this.headers, observe: (req, res) => this.observe(req, res, user) });
    this.wires.push(w);
    return w;
  }

  /** An API client logged in (as admin unless told), with fixed headers of its own. */
  async client(options: { username?: string; password?: string; headers?: Record<string, string>; base?: string } = {}): Promise<ApiClient> {
    const username = options.username ?? this.username;
    const password = options.password ?? (username === this.username ? this.password : this.second?.username === username ? this.second.password : '');
    const c = new ApiClient(options.base ?? this.url, this.wire({ jar: new CookieJar(), user: username }), options.headers);
    await c.login(username, password);
    return c;
  }

  /** A request to the NSX-T manager with Basic auth, as the route controller sends them. */
  nsx(method: string, path: string, body?: unknown): Promise<WireResponse> {
    this.nsxWire ??= this.wire();
    const { username, password } = this.settings.nsx;
    const headers: Record<string, string> = { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return this.nsxWire.send({ method, url: `${this.nsxUrl}${path}`, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  /** A test-control plane call (`path` after /_mock), in this file's sandbox. */
  async mock(method: string, path: string, body?: unknown): Promise<MockAnswer> {
    this.controlWire ??= new Wire({ verify: !this.settings.insecure && this.settings.url !== undefined });
    const headers: Record<string, string> = { ...this.headers };
    if (this.settings.mockToken) headers['X-Mock-Token'] = this.settings.mockToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const base = this.settings.url ?? this.url;
    const res = await this.controlWire.send({ method, url: `${base}/_mock${path}`, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: res.body, text: res.text };
  }

  /** The control plane's answer, which must be 2xx. */
  async control(method: string, path: string, body?: unknown): Promise<any> {
    const res = await this.mock(method, path, body);
    if (res.status >= 300) throw new Error(`${method} /_mock${path}: ${res.status} ${res.text}`);
    return res.body;
  }

  /** The whole state (`GET /_mock/snapshot`). */
  snapshot(): Promise<{ objects: Array<{ type: string; data: Record<string, any> }> }> {
    return this.control('GET', '/snapshot');
  }

  /** The highest journal sequence number so far (0 when empty). */
  async journalMark(): Promise<number> {
    const j = await this.control('GET', '/journal?limit=1');
    return j.results[0]?.seq ?? 0;
  }

  /** Journal entries after `mark`, oldest first. */
  async journalSince(mark: number): Promise<Array<{ seq: number; method: string; path: string; query: string; status: number; tenant: string }>> {
    const j = await this.control('GET', '/journal');
    return j.results.filter((e: { seq: number }) => e.seq > mark);
  }

  // -------------------------------------------------------------------------------------------
  // Skips

  private skip(ctx: TestContext, why: string): never {
    printSkip(ctx.task.name, why);
    return ctx.skip(why);
  }

  /** Skips the running test (with a printed reason) unless the target has the control plane. */
  needsControlPlane(ctx: TestContext, reason: string): void {
    if (!this.hasControlPlane) this.skip(ctx, `${CONTROL_PLANE}: ${reason}`);
  }

  /** Skips the running test unless the simulator runs in this process (engine internals, a fake clock). */
  needsInProcess(ctx: TestContext, reason: string): void {
    if (this.kind !== 'in-process') this.skip(ctx, `needs avisim in the test process: ${reason}`);
  }

  /** Skips the running test unless a second local user is known. */
  needsSecondUser(ctx: TestContext): Credentials {
    if (!this.second) this.skip(ctx, 'needs a second local user: set AVISIM_SECOND_USERNAME and AVISIM_SECOND_PASSWORD');
    return this.second!;
  }

  /** Runs one check of a test when the control plane is there, else prints that it was left out. */
  async withControlPlane(what: string, check: () => Promise<void> | void): Promise<void> {
    if (this.hasControlPlane) return check();
    printSkip(`${expect.getState().currentTestName ?? 'a check'} › ${what}`, CONTROL_PLANE);
  }

  /** Runs one check that holds for avisim only (its own choices where a controller may differ). */
  async onAvisim(what: string, why: string, check: () => Promise<void> | void): Promise<void> {
    if (this.isAvisim) return check();
    printSkip(`${expect.getState().currentTestName ?? 'a check'} › ${what}`, `holds for avisim only: ${why}`);
  }

  // -------------------------------------------------------------------------------------------
  // Clean-up

  /** A clean-up step, run when the file ends (last registered first). */
  defer(what: string, run: () => Promise<void>): void {
    this.steps.push({
      what,
      run: async () => {
        await run();
        return 'done';
      },
    });
  }

  private observe(req: WireRequest, res: WireResponse, user: string): void {
    const u = new URL(req.url);
    const path = u.pathname.replace(/\/{2,}/g, '/');
    const created = req.method === 'POST' && res.status === 201 && /^\/api\/[a-z0-9-]+\/?$/.test(path) && typeof res.body?.uuid === 'string';
    if (created) {
      const type = path.split('/')[2]!;
      const uuid: string = res.body.uuid;
      const tenant = headerOf(req, 'x-avi-tenant');
      const tenantUuid = headerOf(req, 'x-avi-tenant-uuid');
      const headers: Record<string, string> = tenant ? { 'X-Avi-Tenant': tenant } : tenantUuid ? { 'X-Avi-Tenant-UUID': tenantUuid } : {};
      this.steps.push({ what: `${type} ${res.body.name ?? uuid}`, run: () => this.deleteAvi(type, uuid, headers, user) });
      return;
    }
    // NSX intent objects under ids of this run (so nothing that was there before is touched).
    const nsx = /^\/policy\/api\/v1(\/infra\/tier-1s\/[^/?]+(?:\/static-routes\/[^/?]+)?)$/.exec(path);
    if (nsx && (req.method === 'PATCH' || req.method === 'PUT') && res.status === 200 && path.includes(this.prefix) && !this.nsxSeen.has(path)) {
      this.nsxSeen.add(path);
      this.steps.push({ what: `NSX ${nsx[1]}`, run: () => this.deleteNsx(path) });
    }
  }

  private cleanupClients = new Map<string, Promise<ApiClient>>();

  private async deleteAvi(type: string, uuid: string, headers: Record<string, string>, user: string): Promise<'done' | 'retry'> {
    let client = this.cleanupClients.get(user);
    if (!client) {
      client = this.client({ username: user });
      this.cleanupClients.set(user, client);
    }
    const api = await client;
    const res = await api.del(`/api/${type}/${uuid}`, headers);
    if (res.status === 204 || res.status === 200 || res.status === 404) return 'done';
    if (res.status === 403 && type === 'serviceenginegroup') {
      // The Service Engines the controller placed in the group hold on to it (and to the
      // networks they sit on): an admin deletes them before the group.
      const ses = await api.get(`/api/serviceengine?refers_to=serviceenginegroup:${uuid}&page_size=100`, headers);
      for (const se of ses.body?.results ?? []) {
        if (String(se.se_group_ref ?? '').split('#')[0]!.endsWith(`/${uuid}`)) await api.del(`/api/serviceengine/${se.uuid}`, headers);
      }
      return 'retry';
    }
    if (res.status === 403 || res.status === 409 || res.status === 412) return 'retry';
    throw new Error(`DELETE /api/${type}/${uuid}: ${res.status} ${res.text}`);
  }

  private async deleteNsx(path: string): Promise<'done' | 'retry'> {
    const res = await this.nsx('DELETE', path);
    if (res.status === 200 || res.status === 404) return 'done';
    if (res.status === 400 || res.status === 409 || res.status === 412 || res.status === 500) return 'retry';
    throw new Error(`DELETE ${path}: ${res.status} ${res.text}`);
  }

  /** Deletes what the file made, checks nothing is left (with a control plane), closes. */
  async finish(): Promise<void> {
    const problems: string[] = [];
    try {
      let pending = [...this.steps].reverse();
      this.steps.length = 0;
      for (let pass = 0; pass < 4 && pending.length; pass++) {
        const again: Step[] = [];
        for (const step of pending) {
          try {
            if ((await step.run()) === 'retry') again.push(step);
          } catch (e) {
            problems.push(`${step.what}: ${(e as Error).message}`);
          }
        }
        pending = again;
      }
      for (const step of pending) problems.push(`${step.what}: still referred to after 4 passes`);
      if (this.baseline && this.admin) {
        const now = keysOf(await this.snapshot());
        const left = [...now].filter((k) => !this.baseline!.has(k));
        if (left.length) problems.push(`left behind: ${left.join(', ')}`);
      }
      if (this.sandbox) await this.control('DELETE', `/sandboxes/${encodeURIComponent(this.sandbox)}`);
    } finally {
      for (const c of this.cleanupClients.values()) void c.then((x) => x.close(), () => {});
      for (const w of this.wires) w.close();
      this.controlWire?.close();
      await this.inProcess?.close();
    }
    if (problems.length) throw new Error(`clean-up of ${this.prefix}*: ${problems.join('; ')}`);
  }
}

function headerOf(req: WireRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(req.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

function keysOf(snapshot: { objects: Array<{ type: string; data: Record<string, any> }> }): Set<string> {
  return new Set(snapshot.objects.map((o) => `${o.type}/${o.data.uuid}${o.data.name ? `#${o.data.name}` : ''}`));
}

function fileTag(): string {
  const path = expect.getState().testPath;
  return path ? basename(path).replace(/\.test\.ts$/, '').replace(/[^A-Za-z0-9._-]/g, '-') : randomBytes(3).toString('hex');
}

/**
 * The target of the current test file: started (or probed) before its first test, cleaned up
 * and closed after its last.
 */
export function useTarget(settings?: TargetSettings): Target {
  const t = new Target(settings);
  beforeAll(() => t.init(), 60_000);
  afterAll(() => t.finish(), 60_000);
  return t;
}

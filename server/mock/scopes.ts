/**
 * Scopes: the main engine and the sandboxes, each with its own request journal and fault
 * rules. A request or control call names its sandbox with `X-Mock-Sandbox: <id>`; the first
 * use of an id makes the sandbox, a fork of the scenario's baseline (constant time: see
 * Store.fork). Sandboxes live in memory only and share users and sessions with the main engine.
 *
 * When the control plane has a token, making a sandbox needs what the control plane needs (the
 * token) or credentials the simulator accepts (an API session or Basic credentials, NSX ones on
 * NSX paths, or a login whose body holds a valid user's password or token, for clients that log
 * in inside their sandbox): a stranger cannot fill `maxSandboxes` and lock everyone else out.
 * Using a sandbox that exists follows the usual rules of the API it calls.
 */
import { safeEqual } from '../core/http-auth.js';
import type { IncomingMessage } from 'node:http';
import type { Engine } from '../engine.js';
import type { Exchange } from '../http/exchange.js';
import { MockError } from './errors.js';
import { DEFAULT_JOURNAL_SIZE } from './journal.js';
import { Scope } from './scope.js';

export { Scope };

export interface MockOptions {
  /** the test-control plane and sandboxes (default on) */
  enabled?: boolean;
  /** when set, /_mock calls need `X-Mock-Token: <token>` (or `Authorization: Bearer <token>`) */
  token?: string;
  /** requests kept per scope in the journal (0 turns it off) */
  journalSize?: number;
  /** body bytes kept per scope's journal, in all and per entry (server/mock/journal.ts) */
  journalBytes?: number;
  journalEntryBytes?: number;
  maxSandboxes?: number;
  /**
   * a folder of scenarios `POST /_mock/scenario {"name"}` may load besides the built-in ones
   * (over the network a scenario is never loaded by path)
   */
  scenarioDir?: string;
}

/**
 * Whether a request carries credentials the simulator accepts (for making a sandbox);
 * `mayReadLogin`: a login's body may be read ahead to check it.
 */
export type Credentialed = (x: Exchange, mayReadLogin: boolean) => boolean | Promise<boolean>;

export const SANDBOX_HEADER = 'x-mock-sandbox';
export const DEFAULT_MAX_SANDBOXES = 1000;
const SANDBOX_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export class Scopes {
  readonly main: Scope;
  private readonly sandboxes = new Map<string, Promise<Scope>>();
  readonly enabled: boolean;
  readonly maxSandboxes: number;

  constructor(
    engine: Engine,
    readonly options: MockOptions = {},
    private readonly credentialed: Credentialed = () => false,
  ) {
    this.enabled = options.enabled !== false;
    this.maxSandboxes = options.maxSandboxes ?? DEFAULT_MAX_SANDBOXES;
    this.main = this.scope(engine);
  }

  /** A scope over `engine`, with the scenario's fault rules installed. */
  private scope(engine: Engine, id?: string): Scope {
    const bounds = { bytes: this.options.journalBytes, entryBytes: this.options.journalEntryBytes };
    return new Scope(engine, this.options.journalSize ?? DEFAULT_JOURNAL_SIZE, bounds, id);
  }

  /** The scope a request names (the main one without the header); `mayReadLogin`: see Credentialed. */
  of(x: Exchange, mayReadLogin = false): Scope | Promise<Scope> {
    const req = x.req;
    const raw = req.headers[SANDBOX_HEADER];
    if (raw === undefined) return this.main;
    const id = Array.isArray(raw) ? raw[0]! : raw;
    if (!this.enabled) throw new MockError(400, 'Sandboxes are off: this simulator was started with the test-control plane disabled');
    const existing = this.sandboxes.get(id);
    if (existing) return existing;
    if (this.hasToken(req)) return this.sandbox(id);
    const ok = this.credentialed(x, mayReadLogin);
    return ok instanceof Promise ? ok.then((yes) => this.create(id, yes)) : this.create(id, ok);
  }

  private create(id: string, allowed: boolean): Promise<Scope> {
    if (!allowed && !this.sandboxes.has(id)) {
      throw new MockError(
        401,
        `No sandbox '${id}' yet, and making one needs the test-control token (X-Mock-Token) or credentials (a session, Basic, or a valid login)`,
      );
    }
    return this.sandbox(id);
  }

  /** The control plane's token is not set, or the request carries it (X-Mock-Token or Bearer). */
  hasToken(req: IncomingMessage): boolean {
    const token = this.options.token;
    if (!token) return true;
    const auth = req.headers.authorization;
    const given = req.headers['x-mock-token'] ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
    return safeEqual(typeof given === 'string' ? given : '', token);
  }

  sandbox(id: string): Promise<Scope> {
    let s = this.sandboxes.get(id);
    if (!s) {
      if (!SANDBOX_ID.test(id)) throw new MockError(400, `Bad sandbox id '${id}': 1 to 128 of A-Z a-z 0-9 . _ : @ -`);
      if (this.sandboxes.size >= this.maxSandboxes) {
        throw new MockError(503, `Too many sandboxes (${this.maxSandboxes}): delete some with DELETE /_mock/sandboxes/<id>`);
      }
      s = this.main.engine.fork(id).then((engine) => this.scope(engine, id));
      this.sandboxes.set(id, s);
      s.catch(() => this.sandboxes.delete(id));
    }
    return s;
  }

  /** Back to the scenario's state, with an empty journal and only the scenario's fault rules. */
  reset(scope: Scope = this.main): Promise<void> {
    return scope.reset();
  }

  async list(): Promise<Scope[]> {
    return Promise.all(this.sandboxes.values());
  }

  drop(id: string): boolean {
    return this.sandboxes.delete(id);
  }

  dropAll(): void {
    this.sandboxes.clear();
  }
}

/**
 * Fault and latency rules. A rule matches requests by method (`POST|PUT` for several), path
 * glob, tenant and body, and then delays them, drops the connection, or answers in their place
 * with a status and an error body in the API's own format (Avi `{"error": ...}`, or the NSX
 * error document on NSX paths). It can be limited to a number of hits (`times`) and fire with a
 * `probability`. Presets (`kind`) build the rules of known controller conditions.
 *
 *   { "match": { "method": "POST", "path": "/api/pool" }, "status": 503, "error": "busy", "times": 1 }
 *   { "match": { "path": "/api/**" }, "delay_ms": 300 }
 *   { "match": { "path": "/policy/api/v1/infra/tier-1s/*\/static-routes/*" }, "drop": true }
 *   { "kind": "upgrade_in_progress" }
 */
import { MockError } from './errors.js';
import { differences, parsePattern, type RequestPattern, type SeenRequest } from './pattern.js';

export interface FaultRule {
  id: string;
  kind?: string;
  match: RequestPattern;
  status?: number;
  /** the answer's body as given (else made from `error` in the API's format) */
  body?: unknown;
  error?: string;
  /** NSX error_code for an NSX answer made from `error` */
  error_code?: number;
  delay_ms?: number;
  drop?: boolean;
  /** hits left; unlimited when absent */
  times?: number;
  probability?: number;
  hits: number;
}

/** The rules a preset stands for. */
const PRESETS: Record<string, Omit<FaultRule, 'id' | 'hits' | 'kind'>> = {
  // A controller being upgraded refuses every configuration change.
  upgrade_in_progress: {
    match: { method: 'POST|PUT|PATCH|DELETE', path: '/api/**' },
    status: 403,
    error: 'Configuration is disallowed during upgrade',
  },
  // The VIP network has no address left.
  vip_exhaustion: {
    match: { method: 'POST|PUT|PATCH', path: '/api/vsvip/**' },
    status: 400,
    error: 'No available free IPs',
  },
};

export const PRESET_KINDS = Object.keys(PRESETS);

const RULE_FIELDS = new Set(['kind', 'match', 'status', 'body', 'error', 'error_code', 'delay_ms', 'drop', 'times', 'probability']);

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;
  constructor(private readonly random: () => number = Math.random) {}

  get size(): number {
    return this.rules.length;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  /** Validates and adds a rule (a preset's fields can be overridden, e.g. `times`). */
  add(raw: Record<string, unknown>): FaultRule {
    for (const key of Object.keys(raw)) if (!RULE_FIELDS.has(key)) throw new MockError(400, `fault rule: unknown field '${key}'`);
    const kind = raw.kind === undefined ? undefined : String(raw.kind);
    const preset = kind && Object.hasOwn(PRESETS, kind) ? PRESETS[kind] : undefined;
    if (kind && !preset) throw new MockError(400, `fault rule: unknown kind '${kind}'`);
    const rule: FaultRule = { id: `fault-${this.nextId}`, ...(kind ? { kind } : {}), ...preset, match: preset?.match ?? {}, hits: 0 };
    if (raw.match !== undefined) rule.match = { ...rule.match, ...parsePattern(raw.match, 'fault rule match', false) };
    if (raw.status !== undefined) rule.status = whole(raw.status, 'status', 100, 599);
    if (raw.body !== undefined) rule.body = raw.body;
    if (raw.error !== undefined) rule.error = String(raw.error);
    if (raw.error_code !== undefined) rule.error_code = whole(raw.error_code, 'error_code', 0, 2 ** 31);
    if (raw.delay_ms !== undefined) rule.delay_ms = whole(raw.delay_ms, 'delay_ms', 0, 600_000);
    if (raw.drop !== undefined) {
      if (typeof raw.drop !== 'boolean') throw new MockError(400, 'fault rule: drop must be true or false');
      rule.drop = raw.drop;
    }
    if (raw.times !== undefined) rule.times = whole(raw.times, 'times', 1, 2 ** 31);
    if (raw.probability !== undefined) {
      const p = Number(raw.probability);
      if (!(p > 0 && p <= 1)) throw new MockError(400, 'fault rule: probability must be in (0, 1]');
      rule.probability = p;
    }
    if ((rule.body !== undefined || rule.error !== undefined) && rule.status === undefined) {
      throw new MockError(400, 'fault rule: a body or error needs a status');
    }
    if (rule.status === undefined && !rule.drop && rule.delay_ms === undefined) {
      throw new MockError(400, 'fault rule: give a status, drop or delay_ms (or a kind)');
    }
    if (rule.drop && rule.status !== undefined) throw new MockError(400, 'fault rule: drop and status exclude each other');
    this.nextId++;
    this.rules.push(rule);
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /** Whether some rule would need the request body to decide. */
  needsBody(seen: SeenRequest): boolean {
    return this.rules.some((r) => r.match.body !== undefined && differences({ ...r.match, body: undefined }, seen).length === 0);
  }

  /** The first rule that fires for this request (its hit counted, spent rules removed). */
  fire(seen: SeenRequest): FaultRule | undefined {
    for (const rule of this.rules) {
      if (differences(rule.match, seen).length) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.hits++;
      if (rule.times !== undefined && --rule.times === 0) this.remove(rule.id);
      return rule;
    }
    return undefined;
  }
}

function whole(v: unknown, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new MockError(400, `fault rule: ${name} must be a whole number from ${min} to ${max}`);
  return n;
}

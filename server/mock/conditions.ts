/**
 * `POST /_mock/faults` and a scenario's `faults:`: a fault rule (server/mock/faults.ts), or a
 * controller condition brought about at once — a leader change, every session expiring, an NSX
 * realization delay or error.
 */
import { isObject } from '../avi/shape-ops.js';
import { MockError } from './errors.js';
import { Faults, PRESET_KINDS } from './faults.js';
import type { Scenario } from '../scenario/load.js';
import type { Scope } from './scopes.js';

/** Conditions that change the controller's state once, now (not rules). */
export const EVENTS = ['leader_change', 'session_expiry', 'nsx_realization_delay', 'nsx_realization_error'] as const;
/** Of those, the ones a scenario can start in (the others happen at a moment, not in a state). */
const STATE_EVENTS = new Set(['nsx_realization_delay', 'nsx_realization_error']);

export function addFault(scope: Scope, body: unknown): { status: number; body: unknown } {
  if (!isObject(body)) throw new MockError(400, 'a fault needs a JSON object: a rule {match, status, error, delay_ms, drop, times, probability} or {kind}');
  const engine = scope.engine;
  const kind = body.kind;
  if (typeof kind === 'string' && (EVENTS as readonly string[]).includes(kind)) {
    switch (kind as (typeof EVENTS)[number]) {
      case 'leader_change':
        engine.changeLeader();
        return { status: 200, body: { kind, applied: true, leader_changes: engine.leader.changes } };
      case 'session_expiry': {
        const expired = engine.frontDoor.expireAll() + engine.nsx.sessions.size;
        engine.nsx.sessions.clear();
        return { status: 200, body: { kind, applied: true, sessions_expired: expired } };
      }
      case 'nsx_realization_delay': {
        const { delay_ms } = checkStateEvent(body) as { delay_ms: number };
        engine.nsx.realizationDelayMs = delay_ms;
        return { status: 200, body: { kind, applied: true, delay_ms } };
      }
      case 'nsx_realization_error': {
        const { path, state } = checkStateEvent(body) as { path: string; state: string };
        engine.nsx.forcedState.set(path, state);
        return { status: 200, body: { kind, applied: true, path, state } };
      }
    }
  }
  if (kind !== undefined && !PRESET_KINDS.includes(String(kind))) {
    throw new MockError(400, `fault rule: unknown kind '${String(kind)}' (known: ${[...PRESET_KINDS, ...EVENTS].join(', ')})`);
  }
  return { status: 201, body: scope.faults.add(body) };
}

/** A scenario's `faults:`, installed in a scope (at start, after a reset, in a new sandbox). */
export function installScenarioFaults(scope: Scope): void {
  checkScenarioFaults(scope.engine.scenario);
  for (const raw of scope.engine.scenario.faults) addFault(scope, raw);
}

/** Refuses a scenario's faults before anything is applied, naming the file and the entry. */
export function checkScenarioFaults(scenario: Scenario): void {
  for (const [i, raw] of scenario.faults.entries()) {
    try {
      const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
      if (kind && (EVENTS as readonly string[]).includes(kind)) {
        if (!STATE_EVENTS.has(kind)) throw new MockError(400, `kind '${kind}' happens at a moment: bring it about with POST /_mock/faults during the test`);
        checkStateEvent(raw);
      } else new Faults().add(raw);
    } catch (e) {
      throw new MockError(400, `${scenario.file}: faults[${i}]: ${(e as Error).message}`);
    }
  }
}

/** The parameters of an NSX realization condition, checked. */
function checkStateEvent(body: Record<string, unknown>): { delay_ms?: number; path?: string; state?: string } {
  if (body.kind === 'nsx_realization_delay') {
    const ms = Number(body.delay_ms);
    if (!Number.isInteger(ms) || ms < 0) throw new MockError(400, 'nsx_realization_delay needs delay_ms, a whole number >= 0');
    return { delay_ms: ms };
  }
  const path = body.path === undefined ? '/infra/**' : String(body.path);
  const state = body.state === undefined ? 'ERROR' : String(body.state);
  if (!path.startsWith('/infra/')) throw new MockError(400, "nsx_realization_error: path is an intent path (glob), e.g. '/infra/tier-1s/*/static-routes/*'");
  return { path, state };
}

/**
 * The per-engine NSX-T facts that are not objects: the manager's credentials (separate from the
 * Avi ones) and the realization clock. Objects (Tier-1s, static routes) live in the store.
 */
import { nanoid } from 'nanoid';
import type { Ids } from '../core/ids.js';
import type { Store } from '../core/store.js';

/** The NSX manager's built-in administrator (its own user, not the Avi controller's). */
export const NSX_ADMIN_USER = 'admin';

export interface NsxOptions {
  /** NSX manager user (default: the scenario's, else `admin`) */
  username?: string;
  /** NSX manager password (default: the scenario's, else generated and printed) */
  password?: string;
  /** ms a route stays IN_PROGRESS after each change before it is REALIZED (default 0) */
  realizationDelayMs?: number;
}

export interface NsxState {
  username: string;
  password: string;
  realizationDelayMs: number;
  /** intent path → wall-clock ms of its last change (for the realization delay) */
  readonly changedAt: Map<string, number>;
  /** realization outcome forced per intent path (fault injection: 'ERROR') */
  readonly forcedState: Map<string, string>;
  /** JSESSIONID → session (shared by every listener serving this engine) */
  readonly sessions: Map<string, NsxSession>;
}

export interface NsxSession {
  user: string;
  xsrf: string;
  /** wall-clock ms of the last use (idle timeout) */
  lastUsed: number;
}

export function nsxStateOf(
  fromScenario: { username?: string; password?: string } | undefined,
  options: NsxOptions = {},
): NsxState {
  return {
    username: options.username || fromScenario?.username || NSX_ADMIN_USER,
    password: options.password || fromScenario?.password || nanoid(16),
    realizationDelayMs: Math.max(0, options.realizationDelayMs ?? 0),
    changedAt: new Map(),
    forcedState: new Map(),
    sessions: new Map(),
  };
}

/**
 * What the NSX model works on: the store its objects live in (beside the Avi ones, so
 * persistence and snapshots cover them), its own state and the clock. An engine is one.
 */
export interface NsxModel {
  readonly store: Store;
  readonly nsx: NsxState;
  readonly ids: Ids;
}

/**
 * What a replay learns from the live answers: which live uuid stands for each recorded one,
 * and which live `_last_modified` for each recorded one. A value found in a recorded answer is
 * paired with the value at the same place (same JSON path, same position in the string) in the
 * live answer; later requests are rewritten with the live values, so a recorded
 * `PUT /api/pool/pool-1111…` goes to the pool the live controller made, and a PUT that sends
 * back `_last_modified` passes the controller's concurrency check.
 */
import { isObject } from '../core/json.js';

/** An Avi uuid (`pool-<uuid4>`, `cluster-<uuid4>`) or a bare uuid4 (NSX `unique_id`). */
export const UUID_PATTERN = /\b(?:[a-z][a-z0-9]*-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/** `pool` for `pool-<uuid4>`, '' for a bare uuid. */
export function uuidPrefix(uuid: string): string {
  const m = /^([a-z][a-z0-9]*)-[0-9a-f]{8}-/.exec(uuid);
  return m ? m[1]! : '';
}

const WHOLE_UUID = new RegExp(`^${UUID_PATTERN.source}$`);

export function isUuid(text: string): boolean {
  return WHOLE_UUID.test(text);
}

export class LiveValues {
  /** recorded uuid → live uuid */
  private readonly uuids = new Map<string, string>();
  private readonly liveToRecorded = new Map<string, string>();
  /**
   * Identifiers in a `uuid` field that are no uuids (a user token's, `user-1`), recorded →
   * live when they differ; rewritten only where they stand alone, not inside a longer word.
   */
  private readonly opaque = new Map<string, string>();
  private opaquePattern?: RegExp;
  /** recorded `_last_modified` → live */
  private readonly stamps = new Map<string, string>();

  /** Pairs the uuids and `_last_modified` values at the same places of two answers. */
  pair(recorded: unknown, live: unknown): void {
    if (typeof recorded === 'string' && typeof live === 'string') {
      this.pairText(recorded, live);
    } else if (Array.isArray(recorded) && Array.isArray(live)) {
      const n = Math.min(recorded.length, live.length);
      for (let i = 0; i < n; i++) this.pair(recorded[i], live[i]);
    } else if (isObject(recorded) && isObject(live)) {
      for (const [k, v] of Object.entries(recorded)) {
        if (!(k in live)) continue;
        const l = live[k];
        if (k === '_last_modified' && typeof v === 'string' && typeof l === 'string') this.stamps.set(v, l);
        else if (k === 'uuid' && typeof v === 'string' && typeof l === 'string' && !WHOLE_UUID.test(v)) this.pairId(v, l);
        else this.pair(v, l);
      }
    }
  }

  /**
   * The uuids of two strings, in order, when both hold as many and of the same kinds. A
   * recorded uuid keeps its first pairing; a live one already paired is not paired again
   * (a later disagreement is for the comparison to report, not to paper over).
   */
  pairText(recorded: string, live: string): void {
    const r = recorded.match(UUID_PATTERN) ?? [];
    const l = live.match(UUID_PATTERN) ?? [];
    if (!r.length || r.length !== l.length) return;
    r.forEach((ru, i) => {
      const lu = l[i]!;
      if (uuidPrefix(ru) !== uuidPrefix(lu) || this.uuids.has(ru) || this.liveToRecorded.has(lu)) return;
      this.uuids.set(ru, lu);
      this.liveToRecorded.set(lu, ru);
    });
  }

  /** An identifier that is no uuid, from a `uuid` field. */
  private pairId(recorded: string, live: string): void {
    if (!recorded || this.uuids.has(recorded) || this.liveToRecorded.has(live)) return;
    this.uuids.set(recorded, live);
    this.liveToRecorded.set(live, recorded);
    if (recorded !== live) {
      this.opaque.set(recorded, live);
      const ids = [...this.opaque.keys()].sort((a, b) => b.length - a.length).map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.opaquePattern = new RegExp(`(?<![\\w-])(?:${ids.join('|')})(?![\\w-])`, 'g');
    }
  }

  liveFor(recordedUuid: string): string | undefined {
    return this.uuids.get(recordedUuid);
  }

  recordedFor(liveUuid: string): string | undefined {
    return this.liveToRecorded.get(liveUuid);
  }

  /** Recorded uuids in a text replaced by their live twins. */
  rewriteText(text: string): string {
    const out = text.replace(UUID_PATTERN, (u) => this.uuids.get(u) ?? u);
    return this.opaquePattern ? out.replace(this.opaquePattern, (id) => this.opaque.get(id) ?? id) : out;
  }

  /** A recorded request body for the live controller: uuids and `_last_modified` stamps. */
  rewriteBody(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.rewriteBody(v));
    if (isObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = k === '_last_modified' && typeof v === 'string' ? (this.stamps.get(v) ?? v) : this.rewriteBody(v);
      }
      return out;
    }
    return typeof value === 'string' ? this.rewriteText(value) : value;
  }
}

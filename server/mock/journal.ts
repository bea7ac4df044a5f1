/**
 * The request journal: the last N requests a scope served (a ring, so memory stays bounded),
 * each with its method, path, tenant, status and request body. `verify` asserts that a pattern
 * happened a number of times and, when it did not, shows the requests that came closest.
 */
import { criteria, differences, matches, type RequestPattern, type SeenRequest } from './pattern.js';
import { MockError } from './errors.js';

export interface JournalEntry extends SeenRequest {
  seq: number;
  /** ISO time the request arrived */
  time: string;
  query: string;
  status: number;
  duration_ms: number;
  sandbox?: string;
  /** set when a fault rule answered or delayed it */
  fault?: string;
}

export interface Expectation {
  /** exactly this many */
  count?: number;
  at_least?: number;
  at_most?: number;
}

export interface VerifyResult {
  verified: boolean;
  count: number;
  expected: string;
  near_misses?: Array<{ request: JournalEntry; differences: string[] }>;
}

export const DEFAULT_JOURNAL_SIZE = 1000;

/** An entry as kept: the arrival as a number, fields that do not apply left undefined. */
type Recorded = Omit<JournalEntry, 'time'> & { arrived: number };

/** An entry as the journal shows it: `time` as ISO text, no empty fields. */
function shown(r: Recorded): JournalEntry {
  const { arrived, sandbox, fault, body, ...rest } = r;
  return {
    ...rest,
    time: new Date(arrived).toISOString(),
    ...(body !== undefined ? { body } : {}),
    ...(sandbox !== undefined ? { sandbox } : {}),
    ...(fault !== undefined ? { fault } : {}),
  };
}

export class Journal {
  private ring: Recorded[] = [];
  private next = 0;
  private seq = 0;
  /** entries pushed out of the ring since the last clear (verify counts only what is kept) */
  dropped = 0;

  constructor(readonly limit = DEFAULT_JOURNAL_SIZE) {}

  /** A served request; `arrived` is ms since the epoch (made into `time` when read). */
  add(entry: Omit<JournalEntry, 'seq' | 'time'> & { arrived: number }): void {
    if (this.limit <= 0) return;
    const e = entry as unknown as Recorded;
    e.seq = ++this.seq;
    if (this.ring.length < this.limit) this.ring.push(e);
    else {
      this.ring[this.next] = e;
      this.next = (this.next + 1) % this.limit;
      this.dropped++;
    }
  }

  /** Oldest first. */
  entries(): JournalEntry[] {
    const ordered = this.ring.length < this.limit ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.map(shown);
  }

  list(pattern: RequestPattern, limit?: number): JournalEntry[] {
    const hits = this.entries().filter((e) => matches(pattern, e));
    return limit !== undefined && hits.length > limit ? hits.slice(hits.length - limit) : hits;
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
    this.dropped = 0;
  }

  verify(pattern: RequestPattern, expect: Expectation): VerifyResult {
    const { test, text } = expectation(expect);
    const all = this.entries();
    const count = all.filter((e) => matches(pattern, e)).length;
    const result: VerifyResult = { verified: test(count), count, expected: text };
    if (!result.verified) {
      const total = criteria(pattern);
      result.near_misses = all
        .map((request) => ({ request, differences: differences(pattern, request) }))
        .filter((m) => m.differences.length > 0 && m.differences.length < total)
        .sort((a, b) => a.differences.length - b.differences.length || b.request.seq - a.request.seq)
        .slice(0, 5);
    }
    return result;
  }
}

export function expectation(e: Expectation): { test: (n: number) => boolean; text: string } {
  const num = (v: unknown, name: string) => {
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < 0) throw new MockError(400, `${name} must be a whole number >= 0`);
    return v as number;
  };
  const count = num(e.count, 'count');
  const atLeast = num(e.at_least, 'at_least');
  const atMost = num(e.at_most, 'at_most');
  if (count !== undefined) {
    if (atLeast !== undefined || atMost !== undefined) throw new MockError(400, 'give count, or at_least and/or at_most, not both');
    return { test: (n) => n === count, text: `exactly ${count}` };
  }
  if (atLeast === undefined && atMost === undefined) return { test: (n) => n >= 1, text: 'at least 1' };
  const lo = atLeast ?? 0;
  const hi = atMost ?? Infinity;
  return {
    test: (n) => n >= lo && n <= hi,
    text: atMost === undefined ? `at least ${lo}` : atLeast === undefined ? `at most ${hi}` : `between ${lo} and ${hi}`,
  };
}

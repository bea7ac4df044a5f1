/**
 * The request journal: the last N requests a scope served (a ring, so memory stays bounded),
 * each with its method, path, tenant, status and request body. `verify` asserts that a pattern
 * happened a number of times and, when it did not, shows the requests that came closest.
 *
 * Bodies are bounded in bytes too (sizes as the bodies were sent): one over `entryBytes` is kept
 * as a marker `{"_truncated": true, "bytes": N, "preview": "<its first characters as JSON>"}`, and
 * when the bodies kept pass `bytes` in total the oldest are made into such markers until they
 * fit again. The entry itself stays, so counts of method, path and status are still right.
 *
 * Secrets never leave it: entries are shown (listed, verified, matched) through the recorder's
 * scrubber (server/record/scrub.ts), so passwords, tokens, private keys and the like read
 * `<scrubbed>` and a verify pattern cannot probe for them. Fault rules match the body as sent,
 * before it gets here.
 */
import { criteria, differences, matches, type RequestPattern, type SeenRequest } from './pattern.js';
import { MockError } from './errors.js';
import { Scrubber } from '../record/scrub.js';
import type { Answer } from './answer.js';
import type { ChangeList, ObjectChange } from './changes.js';

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
  /** the objects it changed (`GET /_mock/journal/<seq>` shows them before and after) */
  changed?: Array<Pick<ObjectChange, 'op' | 'type' | 'uuid'>>;
}

/** One entry with the objects it changed, before and after (secrets scrubbed). */
export interface JournalDetail extends JournalEntry {
  /** the answer's first bytes (JSON when it parses), and its whole size */
  answer?: { body: unknown; bytes: number; truncated?: boolean };
  changes: ObjectChange[];
  /** changes made past the number kept */
  more_changes?: number;
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
/** body bytes a journal keeps in all (the oldest bodies become markers past it) */
export const DEFAULT_JOURNAL_BYTES = 16 * 1024 * 1024;
/** body bytes one entry keeps (a larger body is kept as a marker with a preview) */
export const DEFAULT_JOURNAL_ENTRY_BYTES = 256 * 1024;
const PREVIEW_CHARS = 512;

/** A request as served, given to `add`: `arrived` is ms since the epoch, `bodyBytes` the body's size as sent. */
export type Served = Omit<JournalEntry, 'seq' | 'time' | 'changed'> & { arrived: number; bodyBytes?: number; changes?: ChangeList; answer?: Answer };

/** An entry as kept: the arrival as a number, fields that do not apply left undefined. */
type Recorded = Omit<JournalEntry, 'time' | 'changed'> & { arrived: number; bodyBytes: number; changes?: ChangeList; answer?: Answer };

/** An entry as the journal shows it: `time` as ISO text, no empty fields, secrets scrubbed. */
function shown(r: Recorded, scrubber: Scrubber): JournalEntry {
  const { arrived, sandbox, fault, body, bodyBytes: _b, query, changes, answer: _a, ...rest } = r;
  return {
    ...rest,
    query: query && scrubber.form(query),
    time: new Date(arrived).toISOString(),
    ...(body !== undefined ? { body: scrubBody(scrubber, body, r.path) } : {}),
    ...(sandbox !== undefined ? { sandbox } : {}),
    ...(fault !== undefined ? { fault } : {}),
    ...(changes?.changes.length ? { changed: changes.changes.map(({ op, type, uuid }) => ({ op, type, uuid })) } : {}),
  };
}

function scrubBody(scrubber: Scrubber, body: unknown, path: string): unknown {
  // a body that is not JSON (an NSX form sent without its content type) may still be a form
  return typeof body === 'string' ? scrubber.form(body) : scrubber.json(body, apiType(path));
}

/** The Avi type a path is about (`/api/sslkeyandcertificate/...`), for type-specific secrets. */
function apiType(path: string): string | undefined {
  return /^\/api\/([^/]+)/.exec(path)?.[1];
}

/** A kept answer for the detail view: parsed when it is whole JSON, scrubbed either way. */
function answerOf(a: Answer, path: string, scrubber: Scrubber): JournalDetail['answer'] {
  const truncated = a.bytes > Buffer.byteLength(a.text);
  let body: unknown = a.text;
  if (!truncated) {
    try {
      body = JSON.parse(a.text);
    } catch {
      // not JSON: shown as text
    }
  }
  return { body: typeof body === 'string' ? scrubber.text(body) : scrubBody(scrubber, body, path), bytes: a.bytes, ...(truncated ? { truncated } : {}) };
}

/** What is kept of a body over its bound. */
function truncated(body: unknown, bytes: number, path: string): Record<string, unknown> {
  // scrubbed before it is cut: a cut text could no longer be scrubbed by field
  const text = JSON.stringify(scrubBody(new Scrubber(), body, path)) ?? '';
  // copied out: a slice of a string keeps the whole string alive in V8
  const preview = Buffer.from(text.slice(0, PREVIEW_CHARS), 'utf8').toString('utf8');
  return { _truncated: true, bytes, preview };
}

export interface JournalBounds {
  /** body bytes kept in all */
  bytes?: number;
  /** body bytes kept per entry */
  entryBytes?: number;
}

export class Journal {
  private ring: Recorded[] = [];
  private next = 0;
  private seq = 0;
  /** body bytes held by the entries kept */
  private bytes = 0;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  /** entries pushed out of the ring since the last clear (verify counts only what is kept) */
  dropped = 0;

  constructor(
    readonly limit = DEFAULT_JOURNAL_SIZE,
    bounds: JournalBounds = {},
  ) {
    this.maxBytes = bounds.bytes ?? DEFAULT_JOURNAL_BYTES;
    this.maxEntryBytes = Math.min(bounds.entryBytes ?? DEFAULT_JOURNAL_ENTRY_BYTES, this.maxBytes);
  }

  /** A served request (its `arrived` made into `time` when read). */
  add(entry: Served): void {
    if (this.limit <= 0) return;
    const e = entry as Recorded;
    e.seq = ++this.seq;
    e.bodyBytes = e.body === undefined ? 0 : (e.bodyBytes ?? 0);
    if (e.bodyBytes > this.maxEntryBytes) this.truncate(e);
    if (this.ring.length < this.limit) this.ring.push(e);
    else {
      this.bytes -= this.ring[this.next]!.bodyBytes;
      this.ring[this.next] = e;
      this.next = (this.next + 1) % this.limit;
      this.dropped++;
    }
    this.bytes += e.bodyBytes;
    if (this.bytes > this.maxBytes) this.fit();
  }

  /** The oldest bodies made into markers until the bodies kept fit the budget. */
  private fit(): void {
    for (const e of this.ordered()) {
      if (this.bytes <= this.maxBytes) return;
      if (e.bodyBytes > 0) {
        this.bytes -= e.bodyBytes;
        this.truncate(e);
      }
    }
  }

  private truncate(e: Recorded): void {
    e.body = truncated(e.body, e.bodyBytes, e.path);
    e.bodyBytes = 0;
  }

  private ordered(): Recorded[] {
    return this.ring.length < this.limit ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  /** Oldest first, secrets scrubbed. */
  entries(): JournalEntry[] {
    // One scrubber for the lot: a secret seen in one entry (a password at login) is replaced
    // wherever else it turns up (`deep`), as in a recording.
    const scrubber = new Scrubber();
    return scrubber.deep(this.ordered().map((r) => shown(r, scrubber)));
  }

  /** The entry numbered `seq` with its changes, while the ring still holds it. */
  detail(seq: number): JournalDetail | undefined {
    const r = this.ring.find((e) => e.seq === seq);
    if (!r) return undefined;
    const scrubber = new Scrubber();
    const changes = (r.changes?.changes ?? []).map((c) => ({
      ...c,
      ...(c.before ? { before: scrubber.json(c.before, c.type) as ObjectChange['before'] } : {}),
      ...(c.after ? { after: scrubber.json(c.after, c.type) as ObjectChange['after'] } : {}),
    }));
    const more = r.changes?.more ?? 0;
    const answer = r.answer && answerOf(r.answer, r.path, scrubber);
    return scrubber.deep({ ...shown(r, scrubber), ...(answer ? { answer } : {}), changes, ...(more ? { more_changes: more } : {}) });
  }

  list(pattern: RequestPattern, limit?: number): JournalEntry[] {
    const hits = this.entries().filter((e) => matches(pattern, e));
    return limit !== undefined && hits.length > limit ? hits.slice(hits.length - limit) : hits;
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
    this.bytes = 0;
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

/**
 * Persistence: a lowdb JSON snapshot plus an append-only journal beside it, with group commit.
 *
 * - Every change the store reports is serialised once into a journal line. `commit()` resolves
 *   when a journal append holding all changes made so far has finished; while one append is in
 *   flight, every request that arrives shares the next one (group commit). An append costs what
 *   the batch's changes cost, not what the whole state costs.
 * - When the journal outgrows the snapshot, the state is compacted: lowdb writes a new snapshot
 *   (steno replaces the file atomically: temp file + rename), then the journal is emptied.
 * - Loading reads the snapshot and replays the journal; a torn last line (a crash mid-append) is
 *   ignored. Replaying entries the snapshot already holds is harmless: puts replace, removes of
 *   missing objects do nothing.
 * - A failed append or snapshot rejects the commit (the writes waiting on it are undone, see
 *   Engine.transact) and makes the next commit a full snapshot.
 * Like lowdb itself, writes are not fsynced: state survives a process crash, not a power cut.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Change, Snapshot, Store } from './store.js';

/** By default, compact when the journal is larger than 4 MiB and than the last snapshot. */
const MIN_JOURNAL_BYTES = 4 * 1024 * 1024;

type JournalEntry =
  | { op: 'put'; type: string; protected?: true; clock: number; data: Record<string, unknown> }
  | { op: 'remove'; type: string; uuid: string; clock: number };

export class Persistence {
  readonly journalFile: string;
  private readonly db: Low<Snapshot | null>;
  private journal?: FileHandle;
  private pending: string[] = [];
  private journalBytes = 0;
  private snapshotBytes = 0;
  private inFlight: Promise<void> | null = null;
  private unsubscribe?: () => void;
  private queued: Promise<void> | null = null;
  /** the store was restored wholesale since the last snapshot: the next commit writes one */
  private snapshotDue = false;
  /** journal appends and snapshots written, for tests and benchmarks */
  writes = 0;
  snapshots = 0;

  constructor(
    readonly file: string,
    private readonly store: Store,
    private readonly compactAfterBytes = MIN_JOURNAL_BYTES,
  ) {
    this.journalFile = `${file}.journal`;
    this.db = new Low(new DataFile<Snapshot | null>(file, { parse: JSON.parse, stringify: (s) => this.serialise(s) }), null);
  }

  /** Loads snapshot + journal into the store; false when there was nothing on disk. */
  async load(): Promise<boolean> {
    const state = await readState(this.file);
    if (state) this.store.restore(state);
    this.unsubscribe = this.store.subscribe((c) => this.record(c));
    this.journal = await open(this.journalFile, 'a');
    if (state) await this.compact(); // start from a snapshot and an empty journal
    return state !== null;
  }

  /** Resolves once every change made so far is on disk. */
  commit(): Promise<void> {
    if (!this.inFlight) return (this.inFlight = this.flush());
    // A write is running and may have started before our change: ride the next one.
    this.queued ??= this.inFlight.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  /** Writes a full snapshot and empties the journal. */
  async compact(): Promise<void> {
    this.pending = []; // the snapshot holds them
    this.snapshotDue = false;
    this.db.data = this.store.snapshot();
    try {
      await this.db.write();
    } finally {
      this.db.data = null;
    }
    await this.journal?.truncate(0);
    this.journalBytes = 0;
    this.writes++;
    this.snapshots++;
  }

  /** Flushes, compacts and closes the journal (graceful shutdown). */
  async close(): Promise<void> {
    await this.commit();
    await this.compact();
    await this.journal?.close();
    this.journal = undefined;
    this.unsubscribe?.();
  }

  private startQueued(): Promise<void> {
    this.queued = null;
    return (this.inFlight = this.flush());
  }

  private async flush(): Promise<void> {
    try {
      if (this.pending.length === 0 && !this.snapshotDue) return;
      if (this.snapshotDue || this.journalBytes > Math.max(this.compactAfterBytes, this.snapshotBytes)) {
        return await this.compact();
      }
      const text = this.pending.join('');
      this.pending = [];
      await this.journal!.write(text);
      this.journalBytes += Buffer.byteLength(text);
      this.writes++;
    } catch (e) {
      // What reached the file is unknown, and a torn line would hide every line after it: the
      // next commit writes a whole snapshot (of the state after the failed writes were undone).
      this.snapshotDue = true;
      throw e;
    } finally {
      if (!this.queued) this.inFlight = null;
    }
  }

  private record(change: Change): void {
    if (change.op === 'restore') {
      // A restore after load (a rolled-back transaction, server/http/macro.ts) replaces the whole
      // state, order included, which journal lines cannot express: the next commit snapshots it.
      this.snapshotDue = true;
      return;
    }
    const { rec } = change;
    const clock = this.store.clock;
    const line =
      change.op === 'put'
        ? `{"op":"put","type":${JSON.stringify(rec.type)},${rec.protected ? '"protected":true,' : ''}"clock":${clock},"data":${JSON.stringify(rec.data)}}\n`
        : `{"op":"remove","type":${JSON.stringify(rec.type)},"uuid":${JSON.stringify(rec.uuid)},"clock":${clock}}\n`;
    this.pending.push(line);
  }

  private serialise(snap: Snapshot | null): string {
    if (!snap) return 'null';
    const parts = snap.objects.map(
      (o) => `{"type":${JSON.stringify(o.type)},${o.protected ? '"protected":true,' : ''}"data":${JSON.stringify(o.data)}}`,
    );
    const text = `{"format":"avisim-state","version":1,"clock":${snap.clock},"objects":[${parts.join(',')}]}`;
    this.snapshotBytes = text.length;
    return text;
  }
}

/** The state a file (and its journal) holds, or null when neither exists. */
export async function readState(file: string): Promise<Snapshot | null> {
  const db = new Low<Snapshot | null>(new DataFile(file, { parse: JSON.parse, stringify: JSON.stringify }), null);
  await db.read();
  let snap = db.data;
  if (snap && (snap.format !== 'avisim-state' || snap.version !== 1)) {
    throw new Error(`${file} is not an avisim state file`);
  }
  const journal = await readFile(`${file}.journal`, 'utf8').catch((e) => {
    if (e.code === 'ENOENT') return '';
    throw e;
  });
  if (!snap && !journal) return null;
  snap ??= { format: 'avisim-state', version: 1, clock: 0, objects: [] };
  return replay(snap, journal);
}

/** The snapshot with the journal's changes applied, in order. */
function replay(snap: Snapshot, journal: string): Snapshot {
  if (!journal) return snap;
  const objects = new Map<string, Snapshot['objects'][number]>();
  for (const o of snap.objects) objects.set(`${o.type}/${o.data.uuid}`, o);
  let clock = snap.clock;
  for (const line of journal.split('\n')) {
    if (!line) continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line);
    } catch {
      break; // a torn last line from a crash mid-append
    }
    if (entry.op === 'put') {
      const o = { type: entry.type, data: entry.data, ...(entry.protected ? { protected: true } : {}) };
      objects.set(`${entry.type}/${entry.data.uuid}`, o);
    } else objects.delete(`${entry.type}/${entry.uuid}`);
    clock = Math.max(clock, entry.clock);
  }
  return { format: 'avisim-state', version: 1, clock, objects: [...objects.values()] };
}

/**
 * Persistence through lowdb's file adapter, with group commit: a write request returns a
 * promise that settles when a file write that includes it has finished. While one write is in
 * flight, every request that arrives shares the next one, so the state is serialised once per
 * batch, not once per request. lowdb (through steno) replaces the file atomically (temp file +
 * rename), so a crash never leaves half a file.
 */
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Snapshot, Store } from './store.js';

export class Persistence {
  private readonly db: Low<Snapshot | null>;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** number of file writes done, for tests and benchmarks */
  writes = 0;

  constructor(
    readonly file: string,
    private readonly store: Store,
  ) {
    this.db = new Low(
      new DataFile<Snapshot | null>(file, { parse: JSON.parse, stringify: (d) => JSON.stringify(d) }),
      null,
    );
  }

  /** Loads the file into the store; false when there is no file yet. */
  async load(): Promise<boolean> {
    await this.db.read();
    const snap = this.db.data;
    if (!snap) return false;
    if (snap.format !== 'avisim-state' || snap.version !== 1) {
      throw new Error(`${this.file} is not an avisim state file`);
    }
    this.store.restore(snap);
    return true;
  }

  /** Resolves once the current state (as of this call) is on disk. */
  commit(): Promise<void> {
    if (!this.inFlight) return (this.inFlight = this.writeNow());
    // A write is running and may have serialised before our change: ride the next one.
    this.queued ??= this.inFlight.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<void> {
    this.queued = null;
    return (this.inFlight = this.writeNow());
  }

  private async writeNow(): Promise<void> {
    try {
      this.db.data = this.store.snapshot();
      await this.db.write();
      this.writes++;
    } finally {
      this.db.data = null;
      if (!this.queued) this.inFlight = null;
    }
  }
}

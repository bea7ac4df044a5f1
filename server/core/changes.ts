/**
 * Who hears of a store's changes, and when. One event, a change committed to the store, heard
 * in phases whose order is fixed here, not by who subscribed first: each phase after the one
 * before; within a phase the subscribers are independent, so their order among themselves does
 * not matter.
 * - `derive`: at each change, while the write is still going on, for what must follow every
 *   change exactly (the persistence journal, the undo log, indexes, bookkeeping). A derive
 *   subscriber must not write; the store refuses it. It also hears restores.
 * - the reactions, in `REACTION_PHASES` order, hear the changes of a write once that write (the
 *   outermost one: an object's hooks may write too) is over. A reaction may write; that is a new
 *   write, heard by every reaction again from the first phase, in the next round.
 *   `placement`: the controller places virtual services on Service Engines (it may create SEs);
 *   `link`: what follows in another model (the NSX routes of Avi VIPs), after the placement.
 * A write that throws is not reacted to, and neither is taking changes back (`withoutReactions`).
 */
export type ReactionPhase = 'placement' | 'link';
const REACTION_PHASES: readonly ReactionPhase[] = ['placement', 'link'];

/** A reaction that keeps writing (each round's writes making another round) is a bug: stop it. */
const MAX_REACTION_ROUNDS = 100;

export class ChangeFeed<C> {
  private readonly derivers = new Set<(change: C) => void>();
  private readonly reactions = new Map<ReactionPhase, Set<(changes: readonly C[]) => void>>();
  /** derive subscribers are being told of a change: no write may happen now */
  private deriving = false;
  /** writes in progress (a write's hooks write too); reactions run when the outermost ends */
  private depth = 0;
  /** changes the reactions have not heard yet */
  private pending: C[] = [];
  private reacting = false;
  /** `withoutReactions` in progress */
  private unheard = 0;

  derive(fn: (change: C) => void): () => void {
    this.derivers.add(fn);
    return () => this.derivers.delete(fn);
  }

  react(phase: ReactionPhase, fn: (changes: readonly C[]) => void): () => void {
    let set = this.reactions.get(phase);
    if (!set) this.reactions.set(phase, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  write<T>(fn: () => T): T {
    if (this.deriving) throw new Error('a derive-phase store subscriber may not write');
    const mark = this.pending.length;
    this.depth++;
    let done = false;
    try {
      const out = fn();
      done = true;
      return out;
    } finally {
      this.depth--;
      // a write that threw is not reacted to (its caller takes it back or fails)
      if (!done) this.pending.length = Math.min(this.pending.length, mark);
      else if (this.depth === 0) this.runReactions();
    }
  }

  withoutReactions<T>(fn: () => T): T {
    this.unheard++;
    try {
      return this.write(fn);
    } finally {
      this.unheard--;
    }
  }

  /** A change happened (inside a write); `reset`: everything changed at once (a restore). */
  emit(change: C, reset: boolean): void {
    this.deriving = true;
    try {
      for (const fn of this.derivers) fn(change);
    } finally {
      this.deriving = false;
    }
    if (reset) this.pending.length = 0;
    else if (this.unheard === 0 && this.reactions.size > 0) this.pending.push(change);
  }

  /** Tells the reactions, phase by phase, round after round until none of them writes. */
  private runReactions(): void {
    if (this.reacting) return; // a reaction's own writes are heard in the next round
    this.reacting = true;
    try {
      for (let round = 0; this.pending.length > 0; round++) {
        if (round === MAX_REACTION_ROUNDS) throw new Error('store reactions keep writing');
        const batch = this.pending;
        this.pending = [];
        for (const phase of REACTION_PHASES) for (const fn of this.reactions.get(phase) ?? []) fn(batch);
      }
    } finally {
      this.reacting = false;
      this.pending = [];
    }
  }
}

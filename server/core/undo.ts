/**
 * The changes one piece of work made to a store, kept so they can be taken back when the work
 * fails after the store took them: a type hook that throws after the put, an answer that cannot
 * be rendered, a journal append that fails. Recording covers the work's synchronous part only
 * (no other request interleaves there); undoing may come later, after an await.
 *
 * Undo goes newest change first and restores each touched object as it was, through ordinary
 * puts and removes, so every listener (indexes, VIPs, placement, persistence) follows as for any
 * write. An object that has changed again since (another request wrote it meanwhile, or a reset)
 * is left as it is: that later write was answered and stands.
 *
 * What undo cannot give back is place in creation order: an object whose delete is undone comes
 * back at the end of its collection, and a ref a failed update had dropped is re-linked at the
 * end of its target's referrer list.
 */
import type { Change, Data, Previous, Store } from './store.js';

interface Step {
  type: string;
  uuid: string;
  /** the data the change left (undefined: it removed the object) */
  after: Data | undefined;
  /** what was there before (undefined: the change created the object) */
  before: Previous | undefined;
}

export class UndoLog {
  private readonly steps: Step[] = [];
  private restored = false;
  private stopRecording?: () => void;

  constructor(private readonly store: Store) {
    this.stopRecording = store.subscribe((change) => this.note(change));
  }

  /** Whether the work changed anything (then its undo has to be made durable too). */
  get changed(): boolean {
    return this.restored || this.steps.length > 0;
  }

  /** The work's synchronous part is over: later changes are other requests'. */
  end(): void {
    this.stopRecording?.();
    this.stopRecording = undefined;
  }

  /** Takes every recorded change back that nothing has overwritten since. */
  undo(): void {
    this.end();
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const { type, uuid, after, before } = this.steps[i]!;
      const current = this.store.get(type, uuid);
      if (current?.data !== after) continue;
      if (before) this.store.put(type, before.data, { protected: before.protected ?? false });
      else if (current) this.store.remove(current);
    }
    this.steps.length = 0;
  }

  private note(change: Change): void {
    if (change.op === 'restore') {
      this.restored = true; // a wholesale restore (the macro's rollback): the identity checks skip what it replaced
      return;
    }
    const { rec } = change;
    if (change.op === 'put') this.steps.push({ type: rec.type, uuid: rec.uuid, after: rec.data, before: change.previous });
    else this.steps.push({ type: rec.type, uuid: rec.uuid, after: undefined, before: { data: rec.data, protected: rec.protected } });
  }
}

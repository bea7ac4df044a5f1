/**
 * One scope of the test-control plane: an engine (the main one or a sandbox) with its own
 * request journal and fault rules. Each part resets itself; `reset()` brings the scope back to
 * its scenario's state with an empty journal and only the scenario's fault rules.
 */
import type { Engine } from '../engine.js';
import { installScenarioFaults } from './conditions.js';
import { Faults } from './faults.js';
import { Journal, type JournalBounds } from './journal.js';

export class Scope {
  readonly journal: Journal;
  readonly faults = new Faults();
  readonly created = new Date().toISOString();

  constructor(
    readonly engine: Engine,
    journalSize: number,
    bounds: JournalBounds,
    /** the sandbox id; undefined for the main engine */
    readonly id?: string,
  ) {
    this.journal = new Journal(journalSize, bounds);
    installScenarioFaults(this);
  }

  async reset(): Promise<void> {
    await this.engine.reset();
    this.journal.clear();
    this.faults.clear();
    installScenarioFaults(this);
  }
}

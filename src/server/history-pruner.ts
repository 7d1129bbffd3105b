/**
 * Keeps appraisal history within its retention: deletes what is older in small batches, one
 * batch per turn of the event loop, so a large backlog never holds the database or a request up.
 * The latest appraisal of each device is never history, so it is never pruned.
 */
import type { Store } from './store/store.js';

export const PRUNE_BATCH = 500;
/** At most this many batches per run; the next run continues. */
const MAX_BATCHES_PER_RUN = 200;

export interface HistoryPrunerOptions {
  retentionMs: number;
  clock?: () => Date;
  onError?: (error: unknown) => void;
}

export class HistoryPruner {
  readonly #store: Store;
  readonly #retentionMs: number;
  readonly #clock: () => Date;
  readonly #onError: (error: unknown) => void;
  #running: Promise<number> | null = null;
  #stopped = false;

  constructor(store: Store, options: HistoryPrunerOptions) {
    this.#store = store;
    this.#retentionMs = options.retentionMs;
    this.#clock = options.clock ?? (() => new Date());
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Prunes what is older than the retention; resolves with how many rows went (never rejects). */
  run(): Promise<number> {
    return (this.#running ??= this.#prune().finally(() => {
      this.#running = null;
    }));
  }

  async #prune(): Promise<number> {
    const before = new Date(this.#clock().getTime() - this.#retentionMs);
    let removed = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !this.#stopped; batch += 1) {
        const deleted = await this.#store.pruneHistory(before, PRUNE_BATCH);
        removed += deleted;
        if (deleted < PRUNE_BATCH) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.#onError(error);
    }
    return removed;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}

/**
 * Keeps the fleet's daily counts (the console's 30-day compliance chart): at start and once an
 * hour it counts the devices per state in one aggregate query and writes today's row (UTC), off
 * the request path. Any number of instances may run it: each writes what the shared database
 * holds, and the last write of a day wins.
 */
import type { Store } from '../store/store.js';

export const FLEET_DAILY_INTERVAL_MS = 3_600_000;

export interface FleetDailyOptions {
  clock: () => Date;
  /** An appraisal older than this is stale. */
  staleBefore: () => Date;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/** The UTC day of a time, YYYY-MM-DD. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

export class FleetDailyRecorder {
  readonly #store: Store;
  readonly #options: FleetDailyOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;

  constructor(store: Store, options: FleetDailyOptions) {
    this.#store = store;
    this.#options = options;
  }

  start(): void {
    void this.record();
    this.#timer = setInterval(() => void this.record(), this.#options.intervalMs ?? FLEET_DAILY_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Writes today's counts (never rejects; a failure goes to onError and the next run tries again). */
  record(): Promise<void> {
    return (this.#running ??= this.#write().finally(() => {
      this.#running = null;
    }));
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async #write(): Promise<void> {
    try {
      const now = this.#options.clock();
      const counts = await this.#store.countDevicesByState(this.#options.staleBefore());
      await this.#store.putFleetDay({ day: utcDay(now), counts: counts.states }, now);
    } catch (error) {
      this.#options.onError?.(error);
    }
  }
}

/**
 * The set of revoked devices, held in memory so forward-auth answers without a database round
 * trip. A revocation made by this process counts at once; one made by another process sharing
 * the database counts from the next refresh (every second by default). When the database cannot
 * be read, the last known set stays in force: a revocation is never forgotten.
 */
import type { Store } from './store/store.js';

export class RevocationCache {
  readonly #store: Store;
  readonly #revoked = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastError: unknown = null;

  constructor(store: Store) {
    this.#store = store;
  }

  has(deviceId: string): boolean {
    return this.#revoked.has(deviceId);
  }

  add(deviceId: string): void {
    this.#revoked.add(deviceId);
  }

  async refresh(): Promise<void> {
    try {
      for (const id of await this.#store.listRevokedDeviceIds()) this.#revoked.add(id);
      this.#lastError = null;
    } catch (error) {
      this.#lastError = error;
    }
  }

  /** Why the last refresh failed, or null. */
  get lastError(): unknown {
    return this.#lastError;
  }

  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * The set of revoked devices, held in memory so forward-auth answers without a database round
 * trip. A revocation made by this process counts at once; one made by another process sharing
 * the database counts from the next refresh (every second by default), and so does a restoration.
 * When the database cannot be read, the last known set stays in force: a revocation is never
 * forgotten for want of a database.
 */
import type { Store } from './store/store.js';

export class RevocationCache {
  readonly #store: Store;
  #revoked = new Set<string>();
  readonly #changesDuringRefresh = new Set<Map<string, boolean>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastError: unknown = null;

  constructor(store: Store) {
    this.#store = store;
  }

  has(deviceId: string): boolean {
    return this.#revoked.has(deviceId);
  }

  add(deviceId: string): void {
    this.#change(deviceId, true);
  }

  remove(deviceId: string): void {
    this.#change(deviceId, false);
  }

  #change(deviceId: string, revoked: boolean): void {
    if (revoked) this.#revoked.add(deviceId);
    else this.#revoked.delete(deviceId);
    for (const changes of this.#changesDuringRefresh) changes.set(deviceId, revoked);
  }

  async refresh(): Promise<void> {
    // A change made here while the database answers may be missing from that answer: apply it again.
    const changes = new Map<string, boolean>();
    this.#changesDuringRefresh.add(changes);
    try {
      const revoked = new Set(await this.#store.listRevokedDeviceIds());
      for (const [deviceId, isRevoked] of changes) {
        if (isRevoked) revoked.add(deviceId);
        else revoked.delete(deviceId);
      }
      this.#revoked = revoked;
      this.#lastError = null;
    } catch (error) {
      this.#lastError = error;
    } finally {
      this.#changesDuringRefresh.delete(changes);
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

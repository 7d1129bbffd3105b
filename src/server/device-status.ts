/**
 * What forward-auth knows of every device, in memory: revoked or not, and its latest appraisal
 * (when, EAR status, tiers granted, failing checks). Loaded with one query at start; this process's
 * own appraisals, revocations and restorations count at once; other processes' count within a
 * second: PostgreSQL notifies (LISTEN/NOTIFY), SQLite is polled every `pollIntervalMs`. While the
 * database cannot be read the last known state stays in force, so a revocation is never forgotten.
 *
 * Reads race with this process's own changes: every change and every read gets a sequence number,
 * and a read is applied to a device only when nothing later has been applied to it already.
 */
import type { EarStatus, Severity, Verdict } from '../policy/types.js';
import type { DeviceChangeWatch, DeviceStatusRecord, Store } from './store/store.js';

export interface FailingCheck {
  id: string;
  severity: Severity;
}

export interface DeviceStatus {
  readonly deviceId: string;
  readonly revoked: boolean;
  /** Milliseconds since the epoch of the latest appraisal; null before the first. */
  readonly appraisedAt: number | null;
  readonly appraisalId: number | null;
  readonly earStatus: EarStatus | null;
  readonly tiers: readonly string[];
  /** Checks of the latest appraisal that do not pass. */
  readonly failing: readonly FailingCheck[];
  /** Ids of the checks that deny access (block rules outside their grace period). */
  readonly blocking: readonly string[];
  /** The jti of the Result that appraisal issued. */
  readonly resultJti: string | null;
}

export type LatestAppraisal = NonNullable<DeviceStatusRecord['latest']>;

export interface DeviceStatusOptions {
  /** SQLite: how often other processes' changes are read (default 1 s). */
  pollIntervalMs?: number;
  /** A read of the database failed (the previous state stays in force). */
  onError?: (error: unknown) => void;
}

const NO_APPRAISAL = { appraisedAt: null, appraisalId: null, earStatus: null, tiers: [], failing: [], blocking: [], resultJti: null } as const;

function appraisalPart(latest: LatestAppraisal | null): Omit<DeviceStatus, 'deviceId' | 'revoked'> {
  if (latest === null) return NO_APPRAISAL;
  const failing = latest.verdicts.filter((verdict: Verdict) => verdict.status !== 'pass').map((verdict) => ({ id: verdict.id, severity: verdict.severity }));
  return {
    appraisedAt: latest.createdAt.getTime(),
    appraisalId: latest.id,
    earStatus: latest.earStatus,
    tiers: latest.tiers,
    failing,
    blocking: latest.verdicts.filter((verdict) => verdict.blocking).map((verdict) => verdict.id),
    resultJti: latest.resultJti,
  };
}

/** Whether appraisal `a` is newer than the one in `status`, by the store's own order (created_at, then id). */
function newer(a: LatestAppraisal, status: DeviceStatus | undefined): boolean {
  if (status?.appraisedAt == null || status.appraisalId === null) return true;
  const at = a.createdAt.getTime();
  return at > status.appraisedAt || (at === status.appraisedAt && a.id > status.appraisalId);
}

export class DeviceStatusTable {
  readonly #store: Store;
  readonly #pollIntervalMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #devices = new Map<string, DeviceStatus>();
  /** Per device: the sequence number of the last change or read applied to it. */
  readonly #applied = new Map<string, number>();
  readonly #fetching = new Map<string, boolean>();
  #seq = 0;
  #maxAppraisalId = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #watch: DeviceChangeWatch | null = null;
  #polling = false;
  #lastError: unknown = null;

  constructor(store: Store, options: DeviceStatusOptions = {}) {
    this.#store = store;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#onError = options.onError ?? (() => undefined);
  }

  get(deviceId: string): DeviceStatus | undefined {
    return this.#devices.get(deviceId);
  }

  get size(): number {
    return this.#devices.size;
  }

  /** Why the last read of the database failed, or null. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** This process stored an appraisal (after it committed). */
  appraised(deviceId: string, latest: LatestAppraisal): void {
    const current = this.#devices.get(deviceId);
    if (!newer(latest, current)) return;
    this.#applied.set(deviceId, ++this.#seq);
    this.#devices.set(deviceId, { deviceId, revoked: current?.revoked ?? false, ...appraisalPart(latest) });
  }

  /** This process revoked or restored a device (after it committed). */
  revocationChanged(deviceId: string, revoked: boolean): void {
    this.#applied.set(deviceId, ++this.#seq);
    this.#setRevoked(deviceId, revoked);
  }

  /** Loads every device, then follows other processes' changes. */
  async start(): Promise<void> {
    await this.stop();
    this.#watch = this.#store.watchDeviceChanges({
      changed: (deviceId, seq) => {
        // This process stored that appraisal itself (or already read a later one): nothing to read.
        const known = this.#devices.get(deviceId)?.appraisalId;
        if (seq !== undefined && known !== null && known !== undefined && known >= seq) return;
        this.#refetch(deviceId);
      },
      resync: () => void this.load().catch(() => undefined),
      error: (error) => this.#failed(error),
    });
    await this.load();
    if (this.#watch === null) {
      this.#timer = setInterval(() => void this.poll(), this.#pollIntervalMs);
      this.#timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const watch = this.#watch;
    this.#watch = null;
    await watch?.close();
  }

  /** Reads every device again; rejects (keeping the previous state) when the database cannot be read. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    let records: DeviceStatusRecord[];
    try {
      records = await this.#store.listDeviceStatus();
    } catch (error) {
      this.#failed(error);
      throw error;
    }
    this.#lastError = null;
    const present = new Set<string>();
    for (const record of records) {
      present.add(record.deviceId);
      this.#apply(record, seq);
    }
    for (const deviceId of this.#devices.keys()) {
      if (!present.has(deviceId) && (this.#applied.get(deviceId) ?? 0) < seq) this.#devices.delete(deviceId);
    }
  }

  /** SQLite: reads the devices appraised since the last poll, and the revoked set. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    const seq = ++this.#seq;
    try {
      const [changed, revokedIds] = await Promise.all([
        this.#store.listDeviceStatus({ appraisedAfterId: this.#maxAppraisalId }),
        this.#store.listRevokedDeviceIds(),
      ]);
      this.#lastError = null;
      for (const record of changed) this.#apply(record, seq);
      const revoked = new Set(revokedIds);
      for (const [deviceId, status] of this.#devices) {
        if (status.revoked !== revoked.has(deviceId) && (this.#applied.get(deviceId) ?? 0) < seq) this.#setRevoked(deviceId, !status.revoked);
      }
      for (const deviceId of revoked) {
        if (!this.#devices.has(deviceId) && (this.#applied.get(deviceId) ?? 0) < seq) this.#setRevoked(deviceId, true);
      }
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#polling = false;
    }
  }

  #apply(record: DeviceStatusRecord, seq: number): void {
    if (record.latest !== null && record.latest.id > this.#maxAppraisalId) this.#maxAppraisalId = record.latest.id;
    if ((this.#applied.get(record.deviceId) ?? 0) > seq) return;
    this.#applied.set(record.deviceId, seq);
    this.#devices.set(record.deviceId, { deviceId: record.deviceId, revoked: record.revoked, ...appraisalPart(record.latest) });
  }

  #setRevoked(deviceId: string, revoked: boolean): void {
    const current = this.#devices.get(deviceId);
    this.#devices.set(deviceId, current ? { ...current, revoked } : { deviceId, revoked, ...NO_APPRAISAL });
  }

  /** One read per device at a time; a notification during a read makes one more read after it. */
  #refetch(deviceId: string): void {
    if (this.#fetching.has(deviceId)) {
      this.#fetching.set(deviceId, true);
      return;
    }
    this.#fetching.set(deviceId, false);
    const seq = ++this.#seq;
    this.#store.getDeviceStatus(deviceId).then(
      (record) => {
        this.#lastError = null;
        if (record) this.#apply(record, seq);
      },
      (error: unknown) => {
        this.#failed(error);
        // Not lost: read again a little later (a lost listener connection reloads everything anyway).
        if (this.#watch !== null) setTimeout(() => this.#refetch(deviceId), this.#pollIntervalMs).unref();
      },
    ).finally(() => {
      const again = this.#fetching.get(deviceId) === true;
      this.#fetching.delete(deviceId);
      if (again) this.#refetch(deviceId);
    });
  }

  #failed(error: unknown): void {
    this.#lastError = error;
    this.#onError(error);
  }
}

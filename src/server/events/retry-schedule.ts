/** When to try a failed delivery again: exponential backoff with jitter, capped, and given up after a maximum age. */
export interface RetrySchedule {
  /** Delay after the first failure. */
  initialMs: number;
  /** No delay longer than this. */
  maxMs: number;
  /** An event older than this is not tried again. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { initialMs: 10_000, maxMs: 3_600_000, maxAgeMs: 3 * 86_400_000 };

/**
 * The next attempt after `failures` failed ones (1 or more), or null to give up. Half the delay is
 * fixed and half random, so receivers coming back are not hit by every instance at once.
 */
export function nextAttemptAt(schedule: RetrySchedule, failures: number, occurredAt: Date, now: Date, random: () => number = Math.random): Date | null {
  const base = Math.min(schedule.maxMs, schedule.initialMs * 2 ** Math.min(failures - 1, 30));
  const at = new Date(now.getTime() + base / 2 + random() * (base / 2));
  return at.getTime() - occurredAt.getTime() > schedule.maxAgeMs ? null : at;
}

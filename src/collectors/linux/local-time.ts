/** Wall-clock times printed without a zone (ctime, mdatp) are the device's local time. */

/** `2019-08-06T10:18:15` read as local time; null for null. */
export function localTime(wallClock: string | null): Date | null {
  if (wallClock === null) return null;
  const date = new Date(wallClock);
  return Number.isNaN(date.getTime()) ? null : date;
}

const DAY_MS = 86_400_000;

/** Whole days from `then` to `now`, never negative. */
export function ageInDays(then: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - then.getTime()) / DAY_MS));
}

export function isWithinDays(then: Date, now: Date, days: number): boolean {
  return now.getTime() - then.getTime() <= days * DAY_MS;
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt } from '../../../src/server/events/retry-schedule.js';

const occurred = new Date('2026-12-01T00:00:00.000Z');
const delay = (failures: number, random: number, now = occurred) =>
  (nextAttemptAt(DEFAULT_RETRY_SCHEDULE, failures, occurred, now, () => random)?.getTime() ?? Number.NaN) - now.getTime();

describe('retry schedule', () => {
  it('doubles the delay after each failure, with up to half of it random', () => {
    expect([1, 2, 3, 4].map((failures) => delay(failures, 0))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect([1, 2, 3, 4].map((failures) => delay(failures, 1))).toEqual([10_000, 20_000, 40_000, 80_000]);
  });

  it('never waits more than an hour, however many failures', () => {
    expect(delay(12, 1)).toBe(3_600_000);
    expect(delay(500, 1)).toBe(3_600_000);
    expect(delay(500, 0)).toBe(1_800_000);
  });

  it('gives up once the next try would be more than 3 days after the event', () => {
    const late = new Date(occurred.getTime() + 3 * 86_400_000 - 60_000);
    expect(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, 40, occurred, late, () => 0.5)).toBeNull();
    expect(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, 1, occurred, late, () => 0.5)).not.toBeNull();
  });
});

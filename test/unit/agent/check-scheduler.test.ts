/**
 * The daemon's check schedule, driven with fake timers: a change that arrives while a check runs
 * (a user session handing over screen lock, a network change) gets a check of its own after it.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckScheduler, SCHEDULED } from '../../../src/agent/daemon/schedule.js';

const INTERVAL_MS = 3_600_000;

interface Harness {
  scheduler: CheckScheduler;
  reasons: string[];
  /** Ends the check that runs now. */
  finish: () => void;
}

function harness(): Harness {
  const reasons: string[] = [];
  let finishRunning: (() => void) | null = null;
  const scheduler = new CheckScheduler({
    now: () => new Date(),
    log: pino({ level: 'silent' }),
    check: (reason) => {
      reasons.push(reason);
      return new Promise<void>((resolve) => {
        finishRunning = resolve;
      });
    },
    nextDelayMs: () => INTERVAL_MS,
    onChange: () => undefined,
    onDemandSpacingMs: 10_000,
  });
  return {
    scheduler,
    reasons,
    finish: () => {
      const finish = finishRunning;
      finishRunning = null;
      finish?.();
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CheckScheduler.trigger', () => {
  it('checks about a second after a change when no check runs', async () => {
    const { scheduler, reasons } = harness();
    scheduler.trigger('session hand-over');
    await vi.advanceTimersByTimeAsync(999);
    expect(reasons).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reasons).toEqual([SCHEDULED]);
  });

  it('makes one more check follow a running one when the change came during it, not an interval later', async () => {
    const { scheduler, reasons, finish } = harness();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.checking).toBe(true);
    scheduler.trigger('session hand-over');
    scheduler.trigger('network change');
    finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reasons).toEqual([SCHEDULED, SCHEDULED]);
    finish();
    await vi.advanceTimersByTimeAsync(1_000);
    // No further change: the next check waits for the interval.
    expect(reasons).toHaveLength(2);
    expect(scheduler.nextCheckAt!.getTime() - Date.now()).toBeGreaterThan(INTERVAL_MS - 2_000);
    scheduler.stop();
  });

  it('waits for the interval after a check no change came during', async () => {
    const { scheduler, reasons, finish } = harness();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reasons).toEqual([SCHEDULED]);
    scheduler.stop();
  });
});

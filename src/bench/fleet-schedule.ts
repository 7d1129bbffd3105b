/**
 * When each simulated device checks in: first at a random moment within one interval (a fleet in
 * its steady state, not a thundering herd), then every interval with the agent's own ±10 % jitter.
 * A binary heap of (due time, device index) in typed arrays: 100k devices cost about 1.2 MB.
 */
import { nextCheckDelayMs } from '../agent/daemon/schedule.js';

const NO_RETRY = { retryInitialSeconds: 1, retryMaxSeconds: 1 } as const;
const DELIVERED = { lastError: null, consecutiveFailures: 0 } as const;

export class CheckInSchedule {
  readonly #due: Float64Array;
  readonly #device: Int32Array;
  readonly #intervalSeconds: number;
  readonly #random: () => number;
  #size = 0;

  /** Every device of `devices` due once within the interval starting at `start` (ms). */
  constructor(devices: number, intervalSeconds: number, start: number, random: () => number = Math.random) {
    this.#due = new Float64Array(devices);
    this.#device = new Int32Array(devices);
    this.#intervalSeconds = intervalSeconds;
    this.#random = random;
    for (let index = 0; index < devices; index += 1) this.#push(start + random() * intervalSeconds * 1000, index);
  }

  get size(): number {
    return this.#size;
  }

  /** When the next device is due, or Infinity. */
  nextDue(): number {
    return this.#size === 0 ? Infinity : this.#due[0]!;
  }

  /** The next due device, if it is due by `now`; it is scheduled again one jittered interval after its due time. */
  takeDue(now: number): { device: number; due: number } | null {
    if (this.#size === 0 || this.#due[0]! > now) return null;
    const due = this.#due[0]!;
    const device = this.#device[0]!;
    this.#pop();
    this.#push(due + nextCheckDelayMs({ checkIntervalSeconds: this.#intervalSeconds, ...NO_RETRY }, DELIVERED, this.#random), device);
    return { device, due };
  }

  /** Devices still waiting that were due before `time`: check-ins the simulator did not start in time. */
  countDueBefore(time: number): number {
    let count = 0;
    for (let at = 0; at < this.#size; at += 1) if (this.#due[at]! < time) count += 1;
    return count;
  }

  #push(due: number, device: number): void {
    let at = this.#size;
    this.#size += 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.#due[parent]! <= due) break;
      this.#due[at] = this.#due[parent]!;
      this.#device[at] = this.#device[parent]!;
      at = parent;
    }
    this.#due[at] = due;
    this.#device[at] = device;
  }

  #pop(): void {
    this.#size -= 1;
    const due = this.#due[this.#size]!;
    const device = this.#device[this.#size]!;
    let at = 0;
    for (;;) {
      const left = at * 2 + 1;
      if (left >= this.#size) break;
      const right = left + 1;
      const child = right < this.#size && this.#due[right]! < this.#due[left]! ? right : left;
      if (this.#due[child]! >= due) break;
      this.#due[at] = this.#due[child]!;
      this.#device[at] = this.#device[child]!;
      at = child;
    }
    this.#due[at] = due;
    this.#device[at] = device;
  }
}

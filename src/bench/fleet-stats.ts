/** Counting for the fleet simulator: latencies (exact percentiles), errors by code, rates per window. */

/** Latencies in milliseconds, kept whole so percentiles are exact. */
export class Latencies {
  #values = new Float64Array(1024);
  #count = 0;

  add(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count] = ms;
    this.#count += 1;
  }

  get count(): number {
    return this.#count;
  }

  /** The q-quantile (0..1) by the nearest rank, or null with no values. */
  percentile(q: number): number | null {
    if (this.#count === 0) return null;
    const sorted = this.#values.slice(0, this.#count).sort();
    return sorted[Math.min(this.#count - 1, Math.max(0, Math.ceil(q * this.#count) - 1))]!;
  }

  max(): number | null {
    return this.percentile(1);
  }
}

/** How often each code occurred, with the first message seen for it. */
export class ErrorTally {
  readonly #counts = new Map<string, number>();
  readonly #examples = new Map<string, string>();

  add(code: string, message: string): void {
    this.#counts.set(code, (this.#counts.get(code) ?? 0) + 1);
    if (!this.#examples.has(code)) this.#examples.set(code, message);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.#counts.values()) sum += count;
    return sum;
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort((a, b) => b[1] - a[1]));
  }

  examples(): Record<string, string> {
    return Object.fromEntries(this.#examples);
  }
}

/** Events per window of `windowSeconds` since `start` (performance.now() milliseconds). */
export class RateWindows {
  readonly #start: number;
  readonly #windowMs: number;
  readonly #counts: number[] = [];

  constructor(start: number, windowSeconds: number) {
    this.#start = start;
    this.#windowMs = windowSeconds * 1000;
  }

  add(at: number): void {
    const window = Math.floor((at - this.#start) / this.#windowMs);
    if (window < 0) return;
    while (this.#counts.length <= window) this.#counts.push(0);
    this.#counts[window]! += 1;
  }

  /** Rates per second of the whole windows up to `end` (a partial last window is left out). */
  rates(end: number): number[] {
    const whole = Math.floor((end - this.#start) / this.#windowMs);
    return Array.from({ length: whole }, (_, window) => (this.#counts[window] ?? 0) / (this.#windowMs / 1000));
  }
}

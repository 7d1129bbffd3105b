/** A token bucket per client address: enough to blunt a flood without a dependency on the hot path. */
export class RateLimiter {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(perSecond: number, burst = perSecond * 2) {
    this.#perSecond = perSecond;
    this.#burst = burst;
  }

  /** False when `client` has used up its allowance; always true when the limit is 0 (off). */
  take(client: string, nowMs: number = Date.now()): boolean {
    if (this.#perSecond <= 0) return true;
    const bucket = this.#buckets.get(client) ?? { tokens: this.#burst, at: nowMs };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.#perSecond);
    bucket.at = nowMs;
    if (this.#buckets.size > 100_000) this.#buckets.clear();
    this.#buckets.set(client, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * Forward-auth decisions (GET /v1/authz): may the holder of this Result reach a resource of this
 * tier? Synchronous on the hot path: a Result verified once is cached by its SHA-256 until it
 * expires, so a repeated token costs a hash and a map lookup; a new one costs one node:crypto
 * ES256 verification. Revocation is checked on every decision, cached or not.
 */
import { createHash } from 'node:crypto';
import { requireTier, verifyResultToken, type VerifiedResult } from '../attest/verify-result.js';
import { AgentError, isAgentError, type ErrorCode } from '../shared/errors.js';
import type { EarStatus } from '../policy/types.js';
import type { RevocationCache } from './revocations.js';
import type { ServiceKeys } from './service-keys.js';

export type AuthzOutcome = 'allow' | 'deny_missing' | 'deny_invalid' | 'deny_expired' | 'deny_revoked' | 'deny_tier' | 'bad_tier';

export type AuthzDecision =
  | { allow: true; outcome: 'allow'; deviceId: string; earStatus: EarStatus; tiers: string[] }
  | { allow: false; outcome: Exclude<AuthzOutcome, 'allow'>; httpStatus: 400 | 401 | 403; code: ErrorCode; message: string; deviceId?: string; earStatus?: EarStatus };

export interface AuthzOptions {
  keys: ServiceKeys;
  issuer: string;
  audience: string;
  /** The policy's tiers: asking for another one is a configuration error (400). Replaced on reload (setTiers). */
  tiers: ReadonlySet<string>;
  revocations: RevocationCache;
  clock?: () => Date;
  maxCachedResults?: number;
}

export class AuthzEngine {
  readonly #options: AuthzOptions;
  readonly #clock: () => Date;
  readonly #cache = new Map<string, VerifiedResult>();
  readonly #maxCached: number;
  #tiers: ReadonlySet<string>;

  constructor(options: AuthzOptions) {
    this.#options = options;
    this.#tiers = new Set(options.tiers);
    this.#clock = options.clock ?? (() => new Date());
    this.#maxCached = options.maxCachedResults ?? 50_000;
  }

  get cachedResults(): number {
    return this.#cache.size;
  }

  get tiers(): ReadonlySet<string> {
    return this.#tiers;
  }

  /** The tiers of a reloaded policy; decisions already made are not affected, the next one uses these. */
  setTiers(tiers: Iterable<string>): void {
    this.#tiers = new Set(tiers);
  }

  #verified(token: string, now: Date): VerifiedResult {
    const digest = createHash('sha256').update(token).digest('base64url');
    const cached = this.#cache.get(digest);
    if (cached) {
      if (cached.expiresAt.getTime() > now.getTime()) return cached;
      this.#cache.delete(digest);
      throw new AgentError('ERR_RESULT_EXPIRED', 'The Result has expired: the device must check in again.');
    }
    const { keys, issuer, audience } = this.#options;
    const keyFor = (kid: string) => {
      const key = keys.publicKey(kid, now);
      if (!key) keys.requestReload();
      return key;
    };
    const result = verifyResultToken(token, { issuer, audience, now, keyFor, clockToleranceSeconds: 0 });
    if (this.#cache.size >= this.#maxCached) this.#evict();
    this.#cache.set(digest, result);
    return result;
  }

  /**
   * Drops the oldest tenth. Results share one lifetime, so insertion order is expiry order: the
   * oldest entries are the expired ones, or the next to expire. No full scan on the hot path.
   */
  #evict(): void {
    let excess = this.#cache.size - Math.floor(this.#maxCached * 0.9);
    for (const digest of this.#cache.keys()) {
      if (excess-- <= 0) break;
      this.#cache.delete(digest);
    }
  }

  decide(token: string | null, tier: string | null): AuthzDecision {
    if (!tier || !this.#tiers.has(tier)) {
      const known = [...this.#tiers].join(', ');
      return { allow: false, outcome: 'bad_tier', httpStatus: 400, code: 'ERR_TIER_UNKNOWN', message: `Unknown tier ${JSON.stringify(tier)}; the policy has: ${known}.` };
    }
    if (!token) return { allow: false, outcome: 'deny_missing', httpStatus: 401, code: 'ERR_RESULT_MISSING', message: 'No posture Result was presented (Authorization: Bearer or X-Posture-Token).' };
    const now = this.#clock();
    let result: VerifiedResult;
    try {
      result = this.#verified(token, now);
    } catch (error) {
      if (!isAgentError(error)) throw error;
      return { allow: false, outcome: error.code === 'ERR_RESULT_EXPIRED' ? 'deny_expired' : 'deny_invalid', httpStatus: 401, code: error.code, message: error.message };
    }
    const device = { deviceId: result.deviceId, earStatus: result.status };
    if (this.#options.revocations.has(result.deviceId)) {
      return { allow: false, outcome: 'deny_revoked', httpStatus: 403, code: 'ERR_DEVICE_REVOKED', message: 'This device has been revoked.', ...device };
    }
    try {
      requireTier(result, tier);
    } catch (error) {
      if (!isAgentError(error)) throw error;
      return { allow: false, outcome: 'deny_tier', httpStatus: 403, code: error.code, message: error.message, ...device };
    }
    return { allow: true, outcome: 'allow', ...device, tiers: result.tiers };
  }
}

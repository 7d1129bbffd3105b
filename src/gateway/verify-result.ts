/**
 * For Node gateways that verify Results offline (design §1: "verify offline with the service
 * JWKS"): `verifyResult(token, { jwks | jwksUrl, issuer, audience, tier })`. The JWKS is fetched
 * once, cached for its max-age (5 minutes by default), and fetched again, at most every 30
 * seconds, when a token names a key it does not hold (the service rotated its key): see
 * jwks-cache.ts. The agent verifies its own Results with the same function and its own cache.
 */
import { requireTier, resultKeyId, verifyResultToken, type VerifiedResult } from '../attest/verify-result.js';
import { AgentError } from '../shared/errors.js';
import { httpKeySetFetcher, JwksCache, keysOf, type JsonWebKeySet } from './jwks-cache.js';

export type { VerifiedResult } from '../attest/verify-result.js';
export type { JsonWebKeySet } from './jwks-cache.js';

export interface VerifyResultOptions {
  /** The service's keys, or where to fetch them (`<issuer>/.well-known/jwks.json`). */
  jwks?: JsonWebKeySet;
  jwksUrl?: string;
  /** The cache for `jwksUrl` (default: one shared by every caller in this process); `jwksUrl` is what its fetcher is given. */
  keyCache?: JwksCache;
  issuer: string;
  audience: string;
  /** When given, the Result must grant this tier (ERR_RESULT_TIER otherwise). */
  tier?: string;
  now?: Date;
  clockToleranceSeconds?: number;
  /** Fetches `jwksUrl` for the shared cache (default: the global fetch). */
  fetch?: typeof fetch;
}

const sharedCache = new JwksCache();

export async function verifyResult(token: unknown, options: VerifyResultOptions): Promise<VerifiedResult> {
  if (!options.jwks && !options.jwksUrl) throw new AgentError('ERR_USAGE', 'verifyResult needs jwks or jwksUrl.');
  // The header is decoded and checked as verifyResultToken does (ERR_RESULT_MALFORMED, _ALGORITHM, ...): nothing is fetched for a bad token.
  const kid = resultKeyId(token);
  const key = options.jwks
    ? (keysOf(options.jwks).get(kid) ?? null)
    : await (options.keyCache ?? sharedCache).keyFor(options.jwksUrl!, kid, options.fetch && !options.keyCache ? httpKeySetFetcher(options.fetch) : undefined);
  const result = verifyResultToken(token, {
    issuer: options.issuer,
    audience: options.audience,
    keyFor: (wanted) => (wanted === kid ? key : null),
    ...(options.now ? { now: options.now } : {}),
    ...(options.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: options.clockToleranceSeconds } : {}),
  });
  if (options.tier !== undefined) requireTier(result, options.tier);
  return result;
}

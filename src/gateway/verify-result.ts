/**
 * For Node gateways that verify Results offline (design §1: "verify offline with the service
 * JWKS"): `verifyResult(token, { jwks | jwksUrl, issuer, audience, tier })`. The JWKS is fetched
 * once, cached for its max-age (5 minutes by default), and fetched again, at most every 30
 * seconds, when a token names a key it does not hold (the service rotated its key).
 */
import type { KeyObject } from 'node:crypto';
import { publicJwkSchema, publicKeyFromJwk } from '../attest/jwk.js';
import { requireTier, verifyResultToken, type VerifiedResult } from '../attest/verify-result.js';
import { AgentError, messageOf } from '../shared/errors.js';

export type { VerifiedResult } from '../attest/verify-result.js';

export interface JsonWebKeySet {
  keys: unknown[];
}

export interface VerifyResultOptions {
  /** The service's keys, or where to fetch them (`<issuer>/.well-known/jwks.json`). */
  jwks?: JsonWebKeySet;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  /** When given, the Result must grant this tier (ERR_RESULT_TIER otherwise). */
  tier?: string;
  now?: Date;
  clockToleranceSeconds?: number;
  fetch?: typeof fetch;
}

const DEFAULT_MAX_AGE_MS = 300_000;
const MIN_REFETCH_MS = 30_000;

function keysOf(jwks: JsonWebKeySet): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const candidate of Array.isArray(jwks.keys) ? jwks.keys : []) {
    const parsed = publicJwkSchema.safeParse(candidate);
    if (parsed.success && parsed.data.kid) keys.set(parsed.data.kid, publicKeyFromJwk(parsed.data));
  }
  return keys;
}

interface RemoteKeys {
  keys: Map<string, KeyObject>;
  fetchedAt: number;
  maxAgeMs: number;
}

const remote = new Map<string, RemoteKeys>();

async function fetchKeys(url: string, fetcher: typeof fetch): Promise<RemoteKeys> {
  let response: Response;
  try {
    response = await fetcher(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new AgentError('ERR_SERVICE_UNREACHABLE', `Could not fetch the JWKS from ${url}: ${messageOf(error)}.`);
  }
  if (!response.ok) throw new AgentError('ERR_SERVICE_ERROR', `Fetching the JWKS from ${url} answered HTTP ${response.status}.`);
  const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1];
  const entry = { keys: keysOf((await response.json()) as JsonWebKeySet), fetchedAt: Date.now(), maxAgeMs: maxAge ? Number(maxAge) * 1000 : DEFAULT_MAX_AGE_MS };
  remote.set(url, entry);
  return entry;
}

/** The key set for a URL, refreshed when stale or when `kid` is missing (rate-limited). */
async function remoteKey(url: string, kid: string, fetcher: typeof fetch): Promise<KeyObject | null> {
  let entry = remote.get(url);
  const now = Date.now();
  if (!entry || now - entry.fetchedAt > entry.maxAgeMs || (!entry.keys.has(kid) && now - entry.fetchedAt > MIN_REFETCH_MS)) {
    entry = await fetchKeys(url, fetcher);
  }
  return entry.keys.get(kid) ?? null;
}

function kidOf(token: unknown): string {
  if (typeof token !== 'string') return '';
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : '';
  } catch {
    return '';
  }
}

export async function verifyResult(token: unknown, options: VerifyResultOptions): Promise<VerifiedResult> {
  if (!options.jwks && !options.jwksUrl) throw new AgentError('ERR_USAGE', 'verifyResult needs jwks or jwksUrl.');
  const local = options.jwks ? keysOf(options.jwks) : null;
  const kid = kidOf(token);
  const key = local ? (local.get(kid) ?? null) : kid ? await remoteKey(options.jwksUrl!, kid, options.fetch ?? fetch) : null;
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

/**
 * The service's public keys (its JWKS), cached per source: fetched once, kept for their max-age
 * (5 minutes by default), and fetched again, at most every `minRefetchMs`, when a token names a
 * key the cache does not hold (the service rotated its key). Node gateways use one shared cache
 * through verifyResult; the agent keeps its own, fed by its service client.
 */
import type { KeyObject } from 'node:crypto';
import { publicJwkSchema, publicKeyFromJwk } from '../attest/jwk.js';
import { AgentError, messageOf } from '../shared/errors.js';

export interface JsonWebKeySet {
  keys: unknown[];
}

export interface FetchedKeySet extends JsonWebKeySet {
  /** How long the set may be used (an HTTP Cache-Control max-age); the cache's default when absent. */
  maxAgeMs?: number;
}

/** Fetches the key set named by `source` (for the default fetcher: the JWKS URL). */
export type KeySetFetcher = (source: string) => Promise<FetchedKeySet>;

export const DEFAULT_JWKS_MAX_AGE_MS = 300_000;
export const DEFAULT_JWKS_MIN_REFETCH_MS = 30_000;

export interface JwksCacheOptions {
  /** Default: GET the source as a URL with `fetch`, honouring Cache-Control max-age. */
  fetchKeys?: KeySetFetcher;
  /** For a set fetched without a max-age (default 5 minutes). */
  defaultMaxAgeMs?: number;
  /** An unknown kid fetches the set again at most this often (default 30 s; 0: every time). */
  minRefetchMs?: number;
  /** Milliseconds since the epoch (tests). */
  clock?: () => number;
}

/** The usable keys of a set, by kid: entries that are not P-256 public keys with a kid are left out. */
export function keysOf(jwks: JsonWebKeySet): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const candidate of Array.isArray(jwks.keys) ? jwks.keys : []) {
    const parsed = publicJwkSchema.safeParse(candidate);
    if (parsed.success && parsed.data.kid) keys.set(parsed.data.kid, publicKeyFromJwk(parsed.data));
  }
  return keys;
}

/** GET a JWKS over HTTP; its Cache-Control max-age says how long to keep it. */
export function httpKeySetFetcher(fetcher: typeof fetch = fetch): KeySetFetcher {
  return async (url) => {
    let response: Response;
    try {
      response = await fetcher(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
    } catch (error) {
      throw new AgentError('ERR_SERVICE_UNREACHABLE', `Could not fetch the JWKS from ${url}: ${messageOf(error)}.`);
    }
    if (!response.ok) throw new AgentError('ERR_SERVICE_ERROR', `Fetching the JWKS from ${url} answered HTTP ${response.status}.`);
    const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1];
    const body = (await response.json()) as JsonWebKeySet;
    return { keys: Array.isArray(body.keys) ? body.keys : [], ...(maxAge === undefined ? {} : { maxAgeMs: Number(maxAge) * 1000 }) };
  };
}

interface CachedKeys {
  keys: Map<string, KeyObject>;
  fetchedAt: number;
  maxAgeMs: number;
}

export class JwksCache {
  readonly #fetchKeys: KeySetFetcher;
  readonly #defaultMaxAgeMs: number;
  readonly #minRefetchMs: number;
  readonly #clock: () => number;
  readonly #sets = new Map<string, CachedKeys>();

  constructor(options: JwksCacheOptions = {}) {
    this.#fetchKeys = options.fetchKeys ?? httpKeySetFetcher();
    this.#defaultMaxAgeMs = options.defaultMaxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS;
    this.#minRefetchMs = options.minRefetchMs ?? DEFAULT_JWKS_MIN_REFETCH_MS;
    this.#clock = options.clock ?? Date.now;
  }

  async #fetch(source: string, fetchKeys: KeySetFetcher): Promise<CachedKeys> {
    const fetched = await fetchKeys(source);
    const entry = { keys: keysOf(fetched), fetchedAt: this.#clock(), maxAgeMs: fetched.maxAgeMs ?? this.#defaultMaxAgeMs };
    this.#sets.set(source, entry);
    return entry;
  }

  /**
   * The key `kid` of the set at `source`, or null when the set does not hold it. Fetches the set
   * when it is not cached or stale, or (rate-limited) when it lacks `kid`; at most once per call.
   */
  async keyFor(source: string, kid: string, fetchKeys: KeySetFetcher = this.#fetchKeys): Promise<KeyObject | null> {
    let entry = this.#sets.get(source);
    const now = this.#clock();
    if (!entry || now - entry.fetchedAt > entry.maxAgeMs || (!entry.keys.has(kid) && now - entry.fetchedAt >= this.#minRefetchMs)) {
      entry = await this.#fetch(source, fetchKeys);
    }
    return entry.keys.get(kid) ?? null;
  }
}

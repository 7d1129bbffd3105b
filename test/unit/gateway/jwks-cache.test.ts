/**
 * The JWKS cache Node gateways and the agent share: kept for its max-age, fetched again (rate
 * limited) for a key it does not hold, never fetched for a token whose header does not decode.
 * The clock is injected; keys are real ES256 keys.
 */
import { describe, expect, it } from 'vitest';
import { Es256Key } from '../../../src/attest/es256-key.js';
import { JwksCache, type FetchedKeySet } from '../../../src/gateway/jwks-cache.js';
import { verifyResult } from '../../../src/gateway/verify-result.js';

const NOW = new Date('2026-11-22T10:00:00Z');
const URL = 'https://posture.example.com/.well-known/jwks.json';

function source(initial: Es256Key[], maxAgeMs?: number) {
  const state = { keys: initial, fetches: 0 };
  const fetchKeys = (): Promise<FetchedKeySet> => {
    state.fetches += 1;
    return Promise.resolve({ keys: state.keys.map((key) => key.publicJwk), ...(maxAgeMs === undefined ? {} : { maxAgeMs }) });
  };
  return { state, fetchKeys };
}

describe('JwksCache', () => {
  it('fetches a set once and keeps it for its max-age, then fetches it again', async () => {
    const key = Es256Key.generate(NOW);
    const { state, fetchKeys } = source([key], 60_000);
    let clock = 0;
    const cache = new JwksCache({ fetchKeys, clock: () => clock });
    expect(await cache.keyFor(URL, key.kid)).not.toBeNull();
    clock = 59_000;
    expect(await cache.keyFor(URL, key.kid)).not.toBeNull();
    expect(state.fetches).toBe(1);
    clock = 61_000;
    await cache.keyFor(URL, key.kid);
    expect(state.fetches).toBe(2);
  });

  it('fetches again for an unknown kid at most every minRefetchMs, and answers null for a key the set does not hold', async () => {
    const old = Es256Key.generate(NOW);
    const rotated = Es256Key.generate(NOW);
    const { state, fetchKeys } = source([old]);
    let clock = 0;
    const cache = new JwksCache({ fetchKeys, clock: () => clock, minRefetchMs: 30_000 });
    await cache.keyFor(URL, old.kid);
    state.keys = [rotated, old];
    clock = 10_000;
    expect(await cache.keyFor(URL, rotated.kid)).toBeNull();
    expect(state.fetches).toBe(1);
    clock = 30_000;
    expect(await cache.keyFor(URL, rotated.kid)).not.toBeNull();
    expect(state.fetches).toBe(2);
  });

  it('keeps one set per source', async () => {
    const a = Es256Key.generate(NOW);
    const { state, fetchKeys } = source([a]);
    const cache = new JwksCache({ fetchKeys });
    await cache.keyFor('https://a.example/jwks', a.kid);
    await cache.keyFor('https://b.example/jwks', a.kid);
    await cache.keyFor('https://a.example/jwks', a.kid);
    expect(state.fetches).toBe(2);
  });
});

describe('verifyResult with a key cache', () => {
  it('refuses a token whose header does not decode with the Result codes, fetching nothing', async () => {
    const { state, fetchKeys } = source([Es256Key.generate(NOW)]);
    const keyCache = new JwksCache({ fetchKeys });
    const options = { jwksUrl: URL, keyCache, issuer: 'https://posture.example.com', audience: 'posture-gateway', now: NOW };
    await expect(verifyResult('not-a-token', options)).rejects.toMatchObject({ code: 'ERR_RESULT_MALFORMED' });
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'eat+jwt', kid: 'k' })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AA`;
    await expect(verifyResult(unsigned, options)).rejects.toMatchObject({ code: 'ERR_RESULT_ALGORITHM' });
    expect(state.fetches).toBe(0);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESULT_PROFILE } from '../../../src/attest/profiles.js';
import type { ResultClaims } from '../../../src/attest/result-claims.js';
import { AuthzEngine } from '../../../src/server/authz.js';
import { RevocationCache } from '../../../src/server/revocations.js';
import { ServiceKeys } from '../../../src/server/service-keys.js';
import type { Store } from '../../../src/server/store/store.js';
import { Es256Key } from '../../../src/attest/es256-key.js';

const ISSUER = 'https://posture.example.com';
const AUDIENCE = 'posture-gateway';
let dir: string;
let now: Date;
let keys: ServiceKeys;
let revoked: string[];
let engine: AuthzEngine;

function claims(overrides: Partial<ResultClaims> = {}): ResultClaims {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    iss: ISSUER, aud: AUDIENCE, sub: 'device-1', iat, exp: iat + 600, jti: `j-${Math.random()}`, eat_profile: RESULT_PROFILE,
    ear_status: 'affirming', ear_verifier_id: { developer: 'posture-agent', build: '0.1.0' }, ear_appraisal_policy_ids: ['corp@1'],
    cnf: { jkt: 'kid-1' }, posture_tiers: ['basic'], posture_checks: [{ id: 'disk', status: 'pass', severity: 'block' }],
    ...overrides,
  };
}

function sign(body: ResultClaims, key: Es256Key = keys.signing): Promise<string> {
  return new SignJWT({ ...body }).setProtectedHeader({ alg: 'ES256', typ: 'eat+jwt', kid: key.kid }).sign(key.signingKey);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-authz-'));
  now = new Date('2026-11-22T10:00:00Z');
  keys = await ServiceKeys.open(dir, { now, publishRetiredMs: 660_000 });
  revoked = [];
  const store = { listRevokedDeviceIds: () => Promise.resolve(revoked) } as unknown as Store;
  engine = new AuthzEngine({ keys, issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic', 'strict']), revocations: new RevocationCache(store), clock: () => now });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AuthzEngine', () => {
  it('allows a valid Result for a tier it grants, and says who and how', async () => {
    expect(engine.decide(await sign(claims()), 'basic')).toEqual({ allow: true, outcome: 'allow', deviceId: 'device-1', earStatus: 'affirming', tiers: ['basic'] });
  });

  it('denies each failure with its status and code', async () => {
    const token = await sign(claims());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const raised = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as ResultClaims), posture_tiers: ['basic', 'strict'] };
    const tampered = `${header}.${Buffer.from(JSON.stringify(raised)).toString('base64url')}.${signature}`;
    const cases: [string | null, string | null, number, string][] = [
      [token, 'strict', 403, 'ERR_RESULT_TIER'],
      [token, 'gold', 400, 'ERR_TIER_UNKNOWN'],
      [token, null, 400, 'ERR_TIER_UNKNOWN'],
      [null, 'basic', 401, 'ERR_RESULT_MISSING'],
      [tampered, 'basic', 401, 'ERR_RESULT_SIGNATURE'],
      [await sign(claims({ aud: 'someone-else' })), 'basic', 401, 'ERR_RESULT_AUDIENCE'],
      [await sign(claims({ iss: 'https://evil.example' })), 'basic', 401, 'ERR_RESULT_ISSUER'],
      [await sign(claims({ eat_profile: 'tag:posture-agent,2026:evidence/v1' })), 'basic', 401, 'ERR_RESULT_PROFILE'],
      [await sign(claims(), Es256Key.generate()), 'basic', 401, 'ERR_RESULT_KEY_UNKNOWN'],
      ['not.a.token', 'basic', 401, 'ERR_RESULT_MALFORMED'],
    ];
    for (const [presented, tier, status, code] of cases) {
      expect(engine.decide(presented, tier)).toMatchObject({ allow: false, httpStatus: status, code });
    }
  });

  it('decides with the tiers of a reloaded policy from the next request on', async () => {
    const token = await sign(claims({ posture_tiers: ['basic', 'gold'] }));
    expect(engine.decide(token, 'gold')).toMatchObject({ allow: false, httpStatus: 400, code: 'ERR_TIER_UNKNOWN' });
    engine.setTiers(['basic', 'gold']);
    expect(engine.decide(token, 'gold')).toMatchObject({ allow: true, tiers: ['basic', 'gold'] });
    expect(engine.decide(token, 'strict')).toMatchObject({ allow: false, httpStatus: 400, code: 'ERR_TIER_UNKNOWN', message: expect.stringContaining('basic, gold') });
    expect([...engine.tiers]).toEqual(['basic', 'gold']);
  });

  it('denies an expired Result, also one that was cached while valid', async () => {
    const token = await sign(claims());
    expect(engine.decide(token, 'basic').allow).toBe(true);
    now = new Date(now.getTime() + 601_000);
    expect(engine.decide(token, 'basic')).toMatchObject({ allow: false, httpStatus: 401, code: 'ERR_RESULT_EXPIRED' });
    expect(engine.cachedResults).toBe(0);
  });

  it('denies a revoked device even with an unexpired, cached Result', async () => {
    const token = await sign(claims());
    expect(engine.decide(token, 'basic').allow).toBe(true);
    revoked.push('device-1');
    const store = { listRevokedDeviceIds: () => Promise.resolve(revoked) } as unknown as Store;
    const cache = new RevocationCache(store);
    await cache.refresh();
    const fresh = new AuthzEngine({ keys, issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic']), revocations: cache, clock: () => now });
    expect(fresh.decide(token, 'basic')).toMatchObject({ allow: false, httpStatus: 403, code: 'ERR_DEVICE_REVOKED', deviceId: 'device-1' });
  });

  it('verifies a Result once and answers repeats from the cache', async () => {
    const token = await sign(claims());
    let lookups = 0;
    const counting = new AuthzEngine({
      keys: { publicKey: (kid: string) => ((lookups += 1), keys.publicKey(kid, now)) } as unknown as ServiceKeys,
      issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic']), revocations: new RevocationCache({ listRevokedDeviceIds: () => Promise.resolve([]) } as unknown as Store), clock: () => now,
    });
    for (let i = 0; i < 100; i += 1) expect(counting.decide(token, 'basic').allow).toBe(true);
    expect(lookups).toBe(1);
  });

  it('keeps accepting Results of a rotated-out key until they expire, then not', async () => {
    const token = await sign(claims());
    await ServiceKeys.rotate(dir, now);
    await keys.reloadIfChanged();
    expect(keys.signing.kid).not.toBe(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid);
    const fresh = new AuthzEngine({ keys, issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic']), revocations: new RevocationCache({ listRevokedDeviceIds: () => Promise.resolve([]) } as unknown as Store), clock: () => now });
    expect(fresh.decide(token, 'basic').allow).toBe(true);
    expect(keys.jwks(now).keys).toHaveLength(2);
    expect(keys.jwks(new Date(now.getTime() + 700_000)).keys).toHaveLength(1);
  });
});

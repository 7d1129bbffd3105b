import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESULT_PROFILE } from '../../../src/attest/profiles.js';
import type { ResultClaims } from '../../../src/attest/result-claims.js';
import { AuthzEngine } from '../../../src/server/authz.js';
import type { DeviceStatus } from '../../../src/server/device-status.js';
import { ServiceKeys } from '../../../src/server/service-keys.js';
import { openLocalKeyVaults, type LocalKeyVaults } from '../../../src/server/local-key-vaults.js';
import { Es256Key } from '../../../src/attest/es256-key.js';
import { forwarded, makeTestCa, type TestCa } from '../../support/device-certs.js';

const ISSUER = 'https://posture.example.com';
const AUDIENCE = 'posture-gateway';
let dir: string;
let now: Date;
let keys: ServiceKeys;
let vaults: LocalKeyVaults;
let statuses: Map<string, DeviceStatus>;
const devices = { get: (id: string) => statuses.get(id) };
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
  vaults = await openLocalKeyVaults(dir);
  keys = await ServiceKeys.open(vaults.results, { now, publishRetiredMs: 660_000 });
  statuses = new Map();
  engine = new AuthzEngine({ keys, issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic', 'strict']), devices, clock: () => now });
});
afterEach(async () => {
  await vaults.close();
  await rm(dir, { recursive: true, force: true });
});

const APPRAISED: DeviceStatus = {
  deviceId: 'device-1', revoked: false, appraisedAt: null, appraisalId: 1, earStatus: 'affirming', tiers: ['basic'], failing: [], blocking: [], resultJti: 'older',
};

describe('AuthzEngine', () => {
  it('allows a valid Result for a tier it grants, and says who and how', async () => {
    expect(engine.decide(await sign(claims()), 'basic')).toEqual({ allow: true, outcome: 'allow', proof: 'result', deviceId: 'device-1', earStatus: 'affirming', tiers: ['basic'], failing: [] });
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
    expect(engine.decide(token, 'basic').allow).toBe(true);
    expect(engine.cachedResults).toBe(1);
    now = new Date(now.getTime() + 601_000);
    expect(engine.decide(token, 'basic')).toMatchObject({ allow: false, httpStatus: 401, code: 'ERR_RESULT_EXPIRED' });
    expect(engine.cachedResults).toBe(0);
  });

  it('denies a revoked device even with an unexpired, cached Result', async () => {
    const token = await sign(claims());
    expect(engine.decide(token, 'basic').allow).toBe(true);
    expect(engine.decide(token, 'basic').allow).toBe(true);
    expect(engine.cachedResults).toBe(1);
    statuses.set('device-1', { ...APPRAISED, revoked: true });
    expect(engine.decide(token, 'basic')).toMatchObject({ allow: false, httpStatus: 403, code: 'ERR_DEVICE_REVOKED', deviceId: 'device-1' });
  });

  it('verifies a Result at its first two uses and answers later repeats from the cache', async () => {
    const token = await sign(claims());
    let lookups = 0;
    const counting = new AuthzEngine({
      keys: { publicKey: (kid: string) => ((lookups += 1), keys.publicKey(kid, now)) } as unknown as ServiceKeys,
      issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic']), devices, clock: () => now,
    });
    for (let i = 0; i < 100; i += 1) expect(counting.decide(token, 'basic').allow).toBe(true);
    expect(lookups).toBe(2);
    expect(counting.cachedResults).toBe(1);
  });

  it('keeps no Result used only once: a stream of distinct Results is verified one by one and cached not at all', async () => {
    const tokens = await Promise.all(Array.from({ length: 50 }, () => sign(claims())));
    for (const token of tokens) expect(engine.decide(token, 'basic').allow).toBe(true);
    expect(engine.cachedResults).toBe(0);
    expect(engine.decide(tokens[7]!, 'basic').allow).toBe(true);
    expect(engine.cachedResults).toBe(1);
  });

  it('caches a Result only once it verified: a forgery presented twice is refused twice', async () => {
    const token = await sign(claims());
    const [header, payload] = token.split('.') as [string, string];
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    for (let i = 0; i < 3; i += 1) expect(engine.decide(forged, 'basic')).toMatchObject({ allow: false, code: 'ERR_RESULT_SIGNATURE' });
    expect(engine.cachedResults).toBe(0);
    // The forgery ends like no real Result: the genuine one is still verified at its first use.
    expect(engine.decide(token, 'basic').allow).toBe(true);
  });

  it('keeps accepting Results of a rotated-out key until they expire, then not', async () => {
    const token = await sign(claims());
    await ServiceKeys.rotate(vaults.results, now);
    await keys.reloadIfChanged();
    expect(keys.signing.kid).not.toBe(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid);
    const fresh = new AuthzEngine({ keys, issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic']), devices, clock: () => now });
    expect(fresh.decide(token, 'basic').allow).toBe(true);
    expect(keys.jwks(now).keys).toHaveLength(2);
    expect(keys.jwks(new Date(now.getTime() + 700_000)).keys).toHaveLength(1);
  });
});

describe('AuthzEngine: the live rule for Results', () => {
  const failed = (at: Date): DeviceStatus => ({
    ...APPRAISED, appraisedAt: at.getTime(), appraisalId: 2, earStatus: 'contraindicated', tiers: [], resultJti: 'newer',
    failing: [{ id: 'fw', severity: 'block' }, { id: 'os', severity: 'warn' }], blocking: ['fw'],
  });

  it('refuses a valid Result once a newer appraisal of its device no longer grants the tier, naming the failing check', async () => {
    const token = await sign(claims({ jti: 'first' }));
    expect(engine.decide(token, 'basic').allow).toBe(true);
    statuses.set('device-1', failed(new Date(now.getTime() + 1)));
    expect(engine.decide(token, 'basic')).toMatchObject({ allow: false, httpStatus: 403, code: 'ERR_RESULT_TIER', failing: [{ id: 'fw', severity: 'block' }] });
  });

  it('keeps deciding on the Result when the latest appraisal is the one that issued it, or older', async () => {
    const token = await sign(claims({ jti: 'first' }));
    statuses.set('device-1', { ...failed(now), resultJti: 'first' });
    expect(engine.decide(token, 'basic').allow).toBe(true);
    statuses.set('device-1', failed(new Date(now.getTime() - 5_000)));
    expect(engine.decide(token, 'basic').allow).toBe(true);
  });
});

describe('AuthzEngine: device certificates forwarded by a gateway', () => {
  let ca: TestCa;
  let other: TestCa;
  let good: string;

  beforeAll(async () => {
    [ca, other] = await Promise.all([makeTestCa('Device CA'), makeTestCa('Other CA')]);
    good = await ca.issue({ deviceId: 'device-1' });
  }, 30_000);
  afterAll(async () => {
    await Promise.all([ca.remove(), other.remove()]);
  });

  function certificateEngine(maxPostureAgeMs = 660_000): AuthzEngine {
    return new AuthzEngine({
      keys, issuer: ISSUER, audience: AUDIENCE, tiers: new Set(['basic', 'strict']), devices, clock: () => now, maxPostureAgeMs,
      deviceCa: { trustedCertificates: () => [ca.certificate] }, tierRules: () => ({ basic: ['disk'], strict: ['disk', 'fw'] }),
    });
  }
  const request = (headers: Record<string, string>, tier = 'basic', gatewayAuthenticated = true) => ({ headers, tier, gatewayAuthenticated });

  it('allows a compliant device on each gateway\'s header form, from its latest appraisal', () => {
    now = new Date();
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime() - 60_000 });
    const authz = certificateEngine();
    for (const [header, value] of [
      ['x-posture-client-cert', forwarded.nginx(good)],
      ['x-posture-client-cert', forwarded.caddy(good)],
      ['x-forwarded-client-cert', forwarded.envoy(good)],
      ['x-forwarded-tls-client-cert', forwarded.traefik(good)],
    ] as const) {
      expect(authz.decideRequest(request({ [header]: value })), header).toMatchObject({ allow: true, proof: 'certificate', deviceId: 'device-1', tiers: ['basic'] });
    }
  });

  it('answers a repeat from the cache only for the very same header: a value that merely ends the same is verified on its own', async () => {
    now = new Date(Date.now() + 60_000);
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime() });
    statuses.set('device-2', { ...APPRAISED, deviceId: 'device-2', appraisedAt: now.getTime() });
    const authz = certificateEngine();
    const value = forwarded.nginx(good);
    expect(authz.decideRequest(request({ 'x-posture-client-cert': value }))).toMatchObject({ allow: true, deviceId: 'device-1' });
    // Another device's certificate, made to end like the cached one: the cache must not answer for it.
    const otherDevice = forwarded.nginx(await ca.issue({ deviceId: 'device-2' }));
    const sameEnding = otherDevice.slice(0, 200) + value.slice(200);
    expect(sameEnding.slice(-192)).toBe(value.slice(-192));
    expect(authz.decideRequest(request({ 'x-posture-client-cert': sameEnding }))).toMatchObject({ allow: false, code: 'ERR_CERTIFICATE_INVALID' });
    expect(authz.decideRequest(request({ 'x-posture-client-cert': value }))).toMatchObject({ allow: true, deviceId: 'device-1' });
  });

  it('ignores the certificate headers without an authenticated gateway', () => {
    now = new Date();
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime() });
    expect(certificateEngine().decideRequest(request({ 'x-posture-client-cert': forwarded.nginx(good) }, 'basic', false)))
      .toMatchObject({ allow: false, httpStatus: 401, code: 'ERR_RESULT_MISSING' });
  });

  it('refuses a certificate of another CA, without clientAuth, without the device URI, expired, or of an unknown device', async () => {
    // A minute ahead: the certificates made below start at the second openssl makes them.
    now = new Date(Date.now() + 60_000);
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime() });
    const authz = certificateEngine();
    const refused = async (pem: Promise<string> | string) => authz.decideRequest(request({ 'x-posture-client-cert': forwarded.nginx(await pem) }));
    const invalid = { allow: false, httpStatus: 401, code: 'ERR_CERTIFICATE_INVALID' };
    expect(await refused(other.issue({ deviceId: 'device-1' }))).toMatchObject({ ...invalid, message: expect.stringContaining('device CA') });
    expect(await refused(ca.issue({ deviceId: 'device-1', eku: 'serverAuth' }))).toMatchObject({ ...invalid, message: expect.stringContaining('clientAuth') });
    expect(await refused(ca.issue({ deviceId: 'device-1', san: 'DNS:device-1.example' }))).toMatchObject({ ...invalid, message: expect.stringContaining('SAN URI') });
    expect(await refused(ca.issue({ deviceId: 'device-9' }))).toMatchObject({ ...invalid, message: expect.stringContaining('not enrolled') });
    expect(await refused(ca.pem)).toMatchObject({ ...invalid, message: expect.stringContaining('CA certificate') });
    expect(await refused('garbage')).toMatchObject(invalid);
    now = new Date(Date.now() + 8 * 86_400_000);
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime() });
    expect(await refused(good)).toMatchObject({ ...invalid, message: expect.stringContaining('expired') });
  });

  it('decides from the device status: revoked, stale, tier not met (naming the tier\'s failing checks), and back', () => {
    now = new Date();
    const authz = certificateEngine(600_000);
    const headers = { 'x-posture-client-cert': forwarded.nginx(good) };
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime(), tiers: ['basic'], failing: [{ id: 'fw', severity: 'block' }], blocking: ['fw'] });
    expect(authz.decideRequest(request(headers, 'strict'))).toMatchObject({ allow: false, httpStatus: 403, code: 'ERR_RESULT_TIER', failing: [{ id: 'fw', severity: 'block' }] });
    expect(authz.decideRequest(request(headers, 'basic')).allow).toBe(true);
    now = new Date(now.getTime() + 600_001);
    expect(authz.decideRequest(request(headers, 'basic'))).toMatchObject({ allow: false, httpStatus: 403, code: 'ERR_POSTURE_STALE' });
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime(), revoked: true });
    expect(authz.decideRequest(request(headers, 'basic'))).toMatchObject({ allow: false, httpStatus: 403, code: 'ERR_DEVICE_REVOKED', deviceId: 'device-1' });
    statuses.set('device-1', { ...APPRAISED, appraisedAt: now.getTime(), tiers: ['basic', 'strict'] });
    expect(authz.decideRequest(request(headers, 'strict')).allow).toBe(true);
  });
});

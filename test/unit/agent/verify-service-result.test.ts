/**
 * The one rule the daemon and `submit` apply to a Result: the service's keys (fetched again once
 * when a Result names a key not among them), the enrolled URL as issuer, resultAudience as audience.
 * Results are signed here with real ES256 keys; the clock is injected.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ServiceResultVerifier } from '../../../src/agent/verify-service-result.js';
import { Es256Key } from '../../../src/attest/es256-key.js';
import { EAT_MEDIA_TYPE, RESULT_PROFILE } from '../../../src/attest/profiles.js';

const NOW = new Date('2026-11-22T10:00:00Z');
const SERVER = 'https://posture.example.com';

function result(key: Es256Key, claims: { iss?: string; aud?: string } = {}): Promise<string> {
  const iat = Math.floor(NOW.getTime() / 1000);
  return new SignJWT({
    iss: claims.iss ?? SERVER,
    aud: claims.aud ?? 'posture-gateway',
    sub: 'device-1',
    iat,
    exp: iat + 600,
    jti: 'jti-1',
    eat_profile: RESULT_PROFILE,
    ear_status: 'affirming',
    ear_verifier_id: { developer: 'posture-agent', build: 'test' },
    ear_appraisal_policy_ids: ['corp@1'],
    cnf: { jkt: 'device-kid' },
    posture_tiers: ['basic'],
    posture_checks: [{ id: 'disk', status: 'pass', severity: 'block' }],
  })
    .setProtectedHeader({ alg: 'ES256', typ: EAT_MEDIA_TYPE, kid: key.kid })
    .sign(key.signingKey);
}

/** A service whose published keys the test changes; counts how often they are fetched. */
function service(...keys: Es256Key[]) {
  const published = { keys };
  const fetched: string[] = [];
  return {
    published,
    fetched,
    verifier: new ServiceResultVerifier((server) => {
      fetched.push(server);
      return Promise.resolve({ keys: published.keys.map((key) => key.publicJwk) });
    }),
  };
}

describe('ServiceResultVerifier', () => {
  it('accepts a Result of the enrolled service for resultAudience, fetching its keys once', async () => {
    const key = Es256Key.generate(NOW);
    const { verifier, fetched } = service(key);
    const expected = { server: SERVER, audience: 'posture-gateway', now: NOW };
    expect(await verifier.verify(await result(key), expected)).toMatchObject({ deviceId: 'device-1', status: 'affirming', tiers: ['basic'] });
    await verifier.verify(await result(key), expected);
    expect(fetched).toEqual([SERVER]);
  });

  it('fetches the keys again once when the service rotated its key, and refuses a key it does not publish', async () => {
    const old = Es256Key.generate(NOW);
    const rotated = Es256Key.generate(NOW);
    const { verifier, fetched, published } = service(old);
    const expected = { server: SERVER, audience: 'posture-gateway', now: NOW };
    await verifier.verify(await result(old), expected);
    published.keys = [rotated, old];
    await verifier.verify(await result(rotated), expected);
    expect(fetched).toHaveLength(2);
    await expect(verifier.verify(await result(Es256Key.generate(NOW)), expected)).rejects.toMatchObject({ code: 'ERR_RESULT_KEY_UNKNOWN' });
    expect(fetched).toHaveLength(3);
  });

  it('refuses a Result issued as another URL than the enrolled one, saying which URL to use', async () => {
    const key = Es256Key.generate(NOW);
    const { verifier } = service(key);
    const refused = verifier.verify(await result(key, { iss: 'http://127.0.0.1:8080' }), { server: SERVER, audience: 'posture-gateway', now: NOW });
    await expect(refused).rejects.toMatchObject({ code: 'ERR_RESULT_ISSUER' });
    await expect(refused).rejects.toThrow(/The service at https:\/\/posture\.example\.com signs its Results as another URL: .*"http:\/\/127\.0\.0\.1:8080".*its --url/);
  });

  it('refuses a Result meant for another audience', async () => {
    const key = Es256Key.generate(NOW);
    const { verifier } = service(key);
    await expect(verifier.verify(await result(key, { aud: 'another-gateway' }), { server: SERVER, audience: 'posture-gateway', now: NOW })).rejects.toMatchObject({ code: 'ERR_RESULT_AUDIENCE' });
  });
});

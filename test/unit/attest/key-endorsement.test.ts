import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { publicKeyFromJwk } from '../../../src/attest/jwk.js';
import { createKeyEndorsement, KEY_ENDORSEMENT_PROFILE, verifyKeyEndorsement, type EndorsementCheck } from '../../../src/attest/key-endorsement.js';
import { randomNonce } from '../../../src/attest/nonce.js';
import type { Es256Key } from '../../../src/attest/es256-key.js';
import { AgentError } from '../../../src/shared/errors.js';
import { AUDIENCE, DEVICE_ID, newKey, NOW, NOW_SECONDS } from '../../support/evidence.js';

const current = newKey();
const next = newKey();
const nonce = randomNonce();

function check(overrides: Partial<EndorsementCheck> = {}): EndorsementCheck {
  return {
    currentKid: current.kid, currentKey: publicKeyFromJwk(current.publicJwk), deviceId: DEVICE_ID, audience: AUDIENCE,
    newKid: next.kid, nonce, now: NOW, ...overrides,
  };
}

/** An endorsement with the claims a test chooses, signed by `key`. */
function endorsement(times: { iat?: number; exp?: number }, key: Es256Key = current): Promise<string> {
  const claims = { eat_profile: KEY_ENDORSEMENT_PROFILE, eat_nonce: nonce, new_kid: next.kid, iss: DEVICE_ID, aud: AUDIENCE, ...times };
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'eat+jwt', kid: key.kid }).sign(key.signingKey);
}

function refusal(token: string, overrides: Partial<EndorsementCheck> = {}): string {
  try {
    verifyKeyEndorsement(token, check(overrides));
  } catch (error) {
    if (error instanceof AgentError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('verifyKeyEndorsement', () => {
  it('accepts an endorsement made by createKeyEndorsement for the same nonce and new key', async () => {
    const token = await createKeyEndorsement({ currentKey: current, newKid: next.kid, deviceId: DEVICE_ID, audience: AUDIENCE, nonce, now: NOW });
    expect(refusal(token)).toBe('accepted');
  });

  it('applies the same lifetime rule as Evidence: exp after iat, short, not stale, not from the future', async () => {
    expect(refusal(await endorsement({ iat: NOW_SECONDS, exp: NOW_SECONDS - 10 }))).toBe('ERR_ATTESTATION_LIFETIME');
    expect(refusal(await endorsement({ iat: NOW_SECONDS, exp: NOW_SECONDS - 60 }))).toBe('ERR_ATTESTATION_LIFETIME');
    expect(refusal(await endorsement({ iat: NOW_SECONDS, exp: NOW_SECONDS }))).toBe('ERR_ATTESTATION_LIFETIME');
    expect(refusal(await endorsement({ iat: NOW_SECONDS, exp: NOW_SECONDS + 3600 }))).toBe('ERR_ATTESTATION_LIFETIME');
    expect(refusal(await endorsement({ iat: NOW_SECONDS - 600, exp: NOW_SECONDS - 500 }))).toBe('ERR_ATTESTATION_EXPIRED');
    expect(refusal(await endorsement({ iat: NOW_SECONDS + 600, exp: NOW_SECONDS + 700 }))).toBe('ERR_ATTESTATION_NOT_YET_VALID');
    expect(refusal(await endorsement({ exp: NOW_SECONDS + 60 }))).toBe('ERR_ATTESTATION_CLAIM_MISSING');
    expect(refusal(await endorsement({ iat: NOW_SECONDS, exp: NOW_SECONDS + 120 }))).toBe('accepted');
  });

  it('refuses another signer, another new key, another nonce, another device and another audience', async () => {
    const valid = await endorsement({ iat: NOW_SECONDS, exp: NOW_SECONDS + 60 });
    expect(refusal(await endorsement({ iat: NOW_SECONDS, exp: NOW_SECONDS + 60 }, next))).toBe('ERR_ATTESTATION_KEY_UNKNOWN');
    expect(refusal(valid, { currentKey: publicKeyFromJwk(next.publicJwk) })).toBe('ERR_ATTESTATION_SIGNATURE');
    expect(refusal(valid, { newKid: current.kid })).toBe('ERR_ATTESTATION_CLAIM_INVALID');
    expect(refusal(valid, { nonce: randomNonce() })).toBe('ERR_ATTESTATION_NONCE');
    expect(refusal(valid, { deviceId: 'another-device' })).toBe('ERR_ATTESTATION_CLAIM_INVALID');
    expect(refusal(valid, { audience: 'https://elsewhere.example.com' })).toBe('ERR_ATTESTATION_AUDIENCE');
  });
});

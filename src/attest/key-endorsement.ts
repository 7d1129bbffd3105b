/**
 * Key rotation (issue: "a new key for a known device only with a valid token or signed by its
 * current key"). The device proves possession of the new key with ordinary Evidence, and the
 * current key endorses the new one: a small EAT signed by the current key, naming the new key's
 * thumbprint and carrying the same challenge, so both proofs are bound to one fresh nonce.
 */
import { SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import { AgentError, type ErrorCode } from '../shared/errors.js';
import { verifyEs256 } from './compact-jws.js';
import { decodeEat, type HeaderCodes } from './eat-header.js';
import type { Es256Key } from './es256-key.js';
import { EAT_MEDIA_TYPE } from './profiles.js';
import { ATTESTATION_TIME_CODES, checkTokenLifetime } from './token-lifetime.js';

export const KEY_ENDORSEMENT_PROFILE = 'tag:posture-agent,2026:key-rotation/v1';
const LIFETIME_SECONDS = 120;

const HEADER_CODES: HeaderCodes = {
  tooLarge: 'ERR_ATTESTATION_TOO_LARGE',
  malformed: 'ERR_ATTESTATION_MALFORMED',
  algorithm: 'ERR_ATTESTATION_ALGORITHM',
  type: 'ERR_ATTESTATION_TYPE',
  header: 'ERR_ATTESTATION_HEADER',
};

export interface EndorsementInput {
  currentKey: Es256Key;
  newKid: string;
  deviceId: string;
  audience: string;
  nonce: string;
  now?: Date;
}

export function createKeyEndorsement(input: EndorsementInput): Promise<string> {
  const issuedAt = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ eat_profile: KEY_ENDORSEMENT_PROFILE, eat_nonce: input.nonce, new_kid: input.newKid })
    .setProtectedHeader({ alg: 'ES256', typ: EAT_MEDIA_TYPE, kid: input.currentKey.kid })
    .setIssuer(input.deviceId)
    .setAudience(input.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LIFETIME_SECONDS)
    .sign(input.currentKey.signingKey);
}

export interface EndorsementCheck {
  /** The device's current key, from the registry. */
  currentKid: string;
  currentKey: KeyObject;
  deviceId: string;
  audience: string | readonly string[];
  newKid: string;
  /** The nonce of the new key's Evidence (already spent by its verification). */
  nonce: string;
  now?: Date;
}

function refuse(code: ErrorCode, message: string): never {
  throw new AgentError(code, message);
}

export function verifyKeyEndorsement(token: unknown, check: EndorsementCheck): void {
  const { decoded, kid } = decodeEat(token, 8 * 1024, HEADER_CODES, 'key endorsement');
  if (kid !== check.currentKid) refuse('ERR_ATTESTATION_KEY_UNKNOWN', 'The key endorsement is not signed by the device\'s current key.');
  if (!verifyEs256(decoded, check.currentKey)) refuse('ERR_ATTESTATION_SIGNATURE', 'The key endorsement signature does not verify with the device\'s current key.');
  const { payload } = decoded;
  if (payload['eat_profile'] !== KEY_ENDORSEMENT_PROFILE) refuse('ERR_ATTESTATION_PROFILE', 'The token is not a key endorsement.');
  if (payload['iss'] !== check.deviceId) refuse('ERR_ATTESTATION_CLAIM_INVALID', 'The key endorsement names another device.');
  const accepted: readonly string[] = typeof check.audience === 'string' ? [check.audience] : check.audience;
  if (typeof payload['aud'] !== 'string' || !accepted.includes(payload['aud'])) refuse('ERR_ATTESTATION_AUDIENCE', 'The key endorsement is meant for another service.');
  if (payload['new_kid'] !== check.newKid) refuse('ERR_ATTESTATION_CLAIM_INVALID', 'The key endorsement endorses another key.');
  if (payload['eat_nonce'] !== check.nonce) refuse('ERR_ATTESTATION_NONCE', 'The key endorsement answers another challenge.');
  checkTokenLifetime(payload, {
    name: 'The key endorsement',
    maxLifetimeSeconds: LIFETIME_SECONDS,
    maxAgeSeconds: LIFETIME_SECONDS,
    now: check.now ?? new Date(),
    codes: ATTESTATION_TIME_CODES,
    futureHint: ': check the device clock',
  });
}

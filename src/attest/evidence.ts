/** Evidence (design §3): the posture report signed by the device key as an EAT (RFC 9711). */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { AgentError } from '../shared/errors.js';
import type { PostureReport } from '../collectors/report.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../shared/version.js';
import type { Es256Key } from './es256-key.js';
import { isValidNonce } from './nonce.js';
import { EAT_MEDIA_TYPE, EVIDENCE_DEFAULT_LIFETIME_SECONDS, EVIDENCE_MAX_LIFETIME_SECONDS, EVIDENCE_PROFILE } from './profiles.js';

export interface EvidenceInput {
  key: Es256Key;
  deviceId: string;
  /** The policy service's base URL. */
  audience: string;
  /** The service's challenge. */
  nonce: string;
  posture: PostureReport;
  now?: Date;
  lifetimeSeconds?: number;
  /** RFC 7638 thumbprint of a key this Evidence vouches for (RFC 7800 `cnf.jkt`): the TLS key of a device certificate. */
  confirmationKeyThumbprint?: string;
}

export async function createEvidence(input: EvidenceInput): Promise<string> {
  if (!isValidNonce(input.nonce)) throw new AgentError('ERR_USAGE', 'The nonce must be 8 to 64 bytes encoded as base64url without padding.');
  const lifetime = input.lifetimeSeconds ?? EVIDENCE_DEFAULT_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > EVIDENCE_MAX_LIFETIME_SECONDS) {
    throw new AgentError('ERR_USAGE', `Evidence lives 1 to ${EVIDENCE_MAX_LIFETIME_SECONDS} seconds.`);
  }
  const issuedAt = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    eat_nonce: input.nonce,
    eat_profile: EVIDENCE_PROFILE,
    swname: PRODUCT_NAME,
    swversion: PRODUCT_VERSION,
    posture: input.posture,
    ...(input.confirmationKeyThumbprint === undefined ? {} : { cnf: { jkt: input.confirmationKeyThumbprint } }),
  })
    .setProtectedHeader({ alg: 'ES256', typ: EAT_MEDIA_TYPE, kid: input.key.kid })
    .setIssuer(input.deviceId)
    .setAudience(input.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(input.key.signingKey);
}

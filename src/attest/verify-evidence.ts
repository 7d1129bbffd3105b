/**
 * Evidence verification (design §3), the one the policy service uses. Pure: the caller supplies
 * the key resolver and the nonce and jti checks. Pinned: ES256, typ `eat+jwt`, the evidence
 * profile, the audience, a maximum age and a small clock tolerance. The key comes from the caller's
 * registry by kid and device id, never from the token. Every refusal has its own stable code.
 *
 * Order matters: size first; then the header and the signature; only a signed token may spend a
 * nonce or record a jti, so forged tokens cannot burn a device's challenges.
 */
import type { KeyObject } from 'node:crypto';
import { AgentError, type ErrorCode } from '../shared/errors.js';
import type { PostureReport } from '../collectors/report.js';
import { parsePostureReport } from '../collectors/report.js';
import { verifyEs256, type JsonObject } from './compact-jws.js';
import { decodeEat, type HeaderCodes } from './eat-header.js';
import { publicKeyFromJwk, publicJwkSchema, type PublicJwk } from './jwk.js';
import { isValidNonce } from './nonce.js';
import { EVIDENCE_MAX_LIFETIME_SECONDS, EVIDENCE_PROFILE } from './profiles.js';
import { ATTESTATION_TIME_CODES, CLOCK_TOLERANCE_SECONDS, checkTokenLifetime, type TokenTimes } from './token-lifetime.js';

export const DEFAULT_MAX_EVIDENCE_BYTES = 64 * 1024;
export const DEFAULT_MAX_AGE_SECONDS = EVIDENCE_MAX_LIFETIME_SECONDS;
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = CLOCK_TOLERANCE_SECONDS;

export interface EvidenceVerificationOptions {
  /** This service's base URL (or its equivalent URLs): the only audiences accepted. */
  audience: string | readonly string[];
  /** The registered key for this device and kid, or null when there is none. */
  resolveKey: (kid: string, deviceId: string) => Promise<PublicJwk | KeyObject | null>;
  /** Spends the challenge: true once for a nonce this service issued to this device and that has not expired. */
  consumeNonce: (nonce: string, deviceId: string) => Promise<boolean>;
  /** Records the jti until `expiresAt`: false when it was seen before. */
  recordJti: (jti: string, deviceId: string, expiresAt: Date) => Promise<boolean>;
  now?: Date;
  maxAgeSeconds?: number;
  clockToleranceSeconds?: number;
  maxTokenBytes?: number;
}

export interface VerifiedEvidence {
  deviceId: string;
  kid: string;
  jti: string;
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
  swname: string;
  swversion: string;
  posture: PostureReport;
  /** The RFC 7638 thumbprint in a well-formed `cnf.jkt` claim (RFC 7800): the key this Evidence vouches for. */
  confirmationKeyThumbprint?: string;
}

const HEADER_CODES: HeaderCodes = {
  tooLarge: 'ERR_ATTESTATION_TOO_LARGE',
  malformed: 'ERR_ATTESTATION_MALFORMED',
  algorithm: 'ERR_ATTESTATION_ALGORITHM',
  type: 'ERR_ATTESTATION_TYPE',
  header: 'ERR_ATTESTATION_HEADER',
};

function refuse(code: ErrorCode, message: string): never {
  throw new AgentError(code, message);
}

/** The refusal of a nonce that is unknown, expired or spent (also when a store spends it later, with the appraisal). */
export function nonceRefused(): AgentError {
  return new AgentError('ERR_ATTESTATION_NONCE', 'The Evidence nonce is unknown, expired or already used: ask for a new challenge.');
}

export function replayRefused(): AgentError {
  return new AgentError('ERR_ATTESTATION_REPLAY', 'This Evidence was already presented.');
}

export function keyUnknown(kid: string, deviceId: string): AgentError {
  return new AgentError('ERR_ATTESTATION_KEY_UNKNOWN', `No enrolled key ${kid} for device ${deviceId}.`);
}

function stringClaim(payload: JsonObject, name: string, maxLength = 256): string {
  const value = payload[name];
  if (value === undefined) refuse('ERR_ATTESTATION_CLAIM_MISSING', `The Evidence has no ${name} claim.`);
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) refuse('ERR_ATTESTATION_CLAIM_INVALID', `The Evidence's ${name} claim is not a valid string.`);
  return value;
}

/** `cnf: { jkt }` when it is well formed; anything else is no confirmation key (the caller that needs one refuses). */
function confirmationKeyThumbprint(payload: JsonObject): string | undefined {
  const cnf = payload['cnf'];
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return undefined;
  const jkt = (cnf as JsonObject)['jkt'];
  return typeof jkt === 'string' && /^[A-Za-z0-9_-]{43}$/.test(jkt) ? jkt : undefined;
}

async function verificationKey(options: EvidenceVerificationOptions, kid: string, deviceId: string): Promise<KeyObject> {
  const key = await options.resolveKey(kid, deviceId);
  if (key === null) throw keyUnknown(kid, deviceId);
  if (!('kty' in key)) return key;
  const jwk = publicJwkSchema.safeParse(key);
  if (!jwk.success) refuse('ERR_ATTESTATION_KEY_UNKNOWN', `The registered key ${kid} is not an ES256 public key.`);
  return publicKeyFromJwk(jwk.data);
}

function checkTimes(payload: JsonObject, options: EvidenceVerificationOptions): TokenTimes {
  return checkTokenLifetime(payload, {
    name: 'The Evidence',
    maxLifetimeSeconds: EVIDENCE_MAX_LIFETIME_SECONDS,
    maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
    now: options.now ?? new Date(),
    toleranceSeconds: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    codes: ATTESTATION_TIME_CODES,
    futureHint: ': check the device clock',
  });
}

function checkAudience(payload: JsonObject, audience: string | readonly string[]): void {
  const aud = payload['aud'];
  if (aud === undefined) refuse('ERR_ATTESTATION_CLAIM_MISSING', 'The Evidence has no aud claim.');
  const presented: unknown[] = Array.isArray(aud) ? aud : [aud];
  const accepted: readonly string[] = typeof audience === 'string' ? [audience] : audience;
  if (!presented.some((value) => typeof value === 'string' && accepted.includes(value))) {
    refuse('ERR_ATTESTATION_AUDIENCE', `The Evidence is meant for ${JSON.stringify(aud)}, not ${accepted.join(' or ')}.`);
  }
}

export async function verifyEvidence(token: unknown, options: EvidenceVerificationOptions): Promise<VerifiedEvidence> {
  const { decoded, kid } = decodeEat(token, options.maxTokenBytes ?? DEFAULT_MAX_EVIDENCE_BYTES, HEADER_CODES, 'Evidence');
  const { payload } = decoded;
  const deviceId = stringClaim(payload, 'iss', 128);

  const key = await verificationKey(options, kid, deviceId);
  if (!verifyEs256(decoded, key)) refuse('ERR_ATTESTATION_SIGNATURE', 'The Evidence signature does not verify with the device\'s enrolled key.');

  if (payload['eat_profile'] !== EVIDENCE_PROFILE) refuse('ERR_ATTESTATION_PROFILE', `The Evidence profile is ${JSON.stringify(payload['eat_profile'])}, not "${EVIDENCE_PROFILE}".`);
  checkAudience(payload, options.audience);
  const { issuedAt, expiresAt } = checkTimes(payload, options);
  const jti = stringClaim(payload, 'jti', 128);
  const nonce = stringClaim(payload, 'eat_nonce', 128);
  if (!isValidNonce(nonce)) refuse('ERR_ATTESTATION_CLAIM_INVALID', 'The Evidence nonce is not 8 to 64 bytes of base64url.');
  const swname = stringClaim(payload, 'swname');
  const swversion = stringClaim(payload, 'swversion');
  if (payload['posture'] === undefined) refuse('ERR_ATTESTATION_CLAIM_MISSING', 'The Evidence has no posture claim.');
  const posture = parsePostureReport(payload['posture']);
  if (!posture) refuse('ERR_ATTESTATION_CLAIM_INVALID', 'The Evidence posture claim is not a posture report (design §2).');
  if (posture.device.id !== deviceId) refuse('ERR_ATTESTATION_CLAIM_INVALID', 'The posture report names another device than the Evidence issuer.');

  if (!(await options.consumeNonce(nonce, deviceId))) throw nonceRefused();
  if (!(await options.recordJti(jti, deviceId, new Date(expiresAt * 1000)))) throw replayRefused();

  const jkt = confirmationKeyThumbprint(payload);
  return {
    deviceId, kid, jti, nonce, issuedAt: new Date(issuedAt * 1000), expiresAt: new Date(expiresAt * 1000), swname, swversion, posture,
    ...(jkt === undefined ? {} : { confirmationKeyThumbprint: jkt }),
  };
}

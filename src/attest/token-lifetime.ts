/**
 * The one lifetime rule for every token the service verifies (Evidence, key endorsements,
 * Results; RFC 8725): `iat` and `exp` are finite NumericDates, `exp` comes after `iat`, the token
 * lives no longer than its kind allows, was not issued in the future, has not expired, and (where
 * the kind says) is not older than a maximum age; each with the same small clock tolerance.
 */
import { AgentError, type ErrorCode } from '../shared/errors.js';
import type { JsonObject } from './compact-jws.js';

export const CLOCK_TOLERANCE_SECONDS = 30;

/** Evidence and key endorsements: refused with the attestation codes. */
export const ATTESTATION_TIME_CODES: LifetimeRule['codes'] = {
  missing: 'ERR_ATTESTATION_CLAIM_MISSING',
  invalid: 'ERR_ATTESTATION_CLAIM_INVALID',
  lifetime: 'ERR_ATTESTATION_LIFETIME',
  notYetValid: 'ERR_ATTESTATION_NOT_YET_VALID',
  expired: 'ERR_ATTESTATION_EXPIRED',
};

export interface LifetimeRule {
  /** What the token is called in messages: "The Evidence", "The key endorsement", "The Result". */
  name: string;
  maxLifetimeSeconds: number;
  /** Refuse a token issued longer ago than this, whatever its exp. */
  maxAgeSeconds?: number;
  now: Date;
  toleranceSeconds?: number;
  codes: {
    missing: ErrorCode;
    invalid: ErrorCode;
    lifetime: ErrorCode;
    notYetValid: ErrorCode;
    expired: ErrorCode;
  };
  /** Said after "was issued in the future", e.g. ": check the device clock". */
  futureHint?: string;
  /** Said after "has expired", e.g. ": the device must check in again". */
  expiredHint?: string;
}

export interface TokenTimes {
  issuedAt: number;
  expiresAt: number;
}

function refuse(code: ErrorCode, message: string): never {
  throw new AgentError(code, message);
}

function timeClaim(payload: JsonObject, name: 'iat' | 'exp', rule: LifetimeRule): number {
  const value = payload[name];
  if (value === undefined) refuse(rule.codes.missing, `${rule.name} has no ${name} claim.`);
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(rule.codes.invalid, `${rule.name}'s ${name} claim is not a NumericDate.`);
  return value;
}

export function checkTokenLifetime(payload: JsonObject, rule: LifetimeRule): TokenTimes {
  const now = rule.now.getTime() / 1000;
  const tolerance = rule.toleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
  const issuedAt = timeClaim(payload, 'iat', rule);
  const expiresAt = timeClaim(payload, 'exp', rule);
  if (expiresAt <= issuedAt) refuse(rule.codes.lifetime, `${rule.name} expires before it was issued.`);
  const lifetime = expiresAt - issuedAt;
  if (lifetime > rule.maxLifetimeSeconds) refuse(rule.codes.lifetime, `${rule.name} lives ${lifetime} s; at most ${rule.maxLifetimeSeconds} s are allowed.`);
  if (issuedAt > now + tolerance) refuse(rule.codes.notYetValid, `${rule.name} was issued in the future${rule.futureHint ?? ''}.`);
  if (expiresAt <= now - tolerance) refuse(rule.codes.expired, `${rule.name} has expired${rule.expiredHint ?? ''}.`);
  if (rule.maxAgeSeconds !== undefined && now - issuedAt > rule.maxAgeSeconds + tolerance) {
    refuse(rule.codes.expired, `${rule.name} is older than ${rule.maxAgeSeconds} s.`);
  }
  return { issuedAt, expiresAt };
}

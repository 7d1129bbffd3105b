/**
 * Result verification, synchronous and pure: the service's forward-auth answers from it on every
 * request (no Web Crypto hop), and src/gateway/verify-result.ts wraps it for Node gateways. Pinned:
 * ES256, typ eat+jwt, the result profile, issuer, audience, expiry with a small tolerance.
 */
import type { KeyObject } from 'node:crypto';
import { AgentError, type ErrorCode } from '../shared/errors.js';
import { verifyEs256, type DecodedJws, type JsonObject } from './compact-jws.js';
import { decodeEat, type HeaderCodes } from './eat-header.js';
import { RESULT_PROFILE } from './profiles.js';
import { CLOCK_TOLERANCE_SECONDS, checkTokenLifetime, type LifetimeRule } from './token-lifetime.js';
import { EAR_STATUSES, type ResultCheck } from './result-claims.js';
import type { EarStatus } from '../policy/types.js';

export const DEFAULT_MAX_RESULT_BYTES = 16 * 1024;
/** Results live 600 s by default; anything claiming more than a day is refused. */
export const MAX_RESULT_LIFETIME_SECONDS = 86_400;

const RESULT_TIME_CODES: LifetimeRule['codes'] = {
  missing: 'ERR_RESULT_CLAIM_INVALID',
  invalid: 'ERR_RESULT_CLAIM_INVALID',
  lifetime: 'ERR_RESULT_CLAIM_INVALID',
  notYetValid: 'ERR_RESULT_NOT_YET_VALID',
  expired: 'ERR_RESULT_EXPIRED',
};

export interface ResultVerificationOptions {
  issuer: string;
  audience: string;
  /** The issuer's public key with this kid, or null. */
  keyFor: (kid: string) => KeyObject | null;
  now?: Date;
  clockToleranceSeconds?: number;
  maxTokenBytes?: number;
}

export interface VerifiedResult {
  deviceId: string;
  status: EarStatus;
  tiers: string[];
  checks: ResultCheck[];
  /** The device key's thumbprint the Result is bound to (cnf.jkt). */
  jkt: string;
  jti: string;
  policyIds: string[];
  issuedAt: Date;
  expiresAt: Date;
}

export const RESULT_HEADER_CODES: HeaderCodes = {
  tooLarge: 'ERR_RESULT_TOO_LARGE',
  malformed: 'ERR_RESULT_MALFORMED',
  algorithm: 'ERR_RESULT_ALGORITHM',
  type: 'ERR_RESULT_TYPE',
  header: 'ERR_RESULT_HEADER',
};

function refuse(code: ErrorCode, message: string): never {
  throw new AgentError(code, message);
}

function invalid(name: string): never {
  return refuse('ERR_RESULT_CLAIM_INVALID', `The Result's ${name} claim is missing or malformed.`);
}

function text(payload: JsonObject, name: string): string {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : invalid(name);
}

function texts(payload: JsonObject, name: string): string[] {
  const value = payload[name];
  if (!Array.isArray(value) || value.length > 64 || !value.every((item): item is string => typeof item === 'string' && item.length <= 128)) invalid(name);
  return value;
}

function checks(payload: JsonObject): ResultCheck[] {
  const value = payload['posture_checks'];
  if (!Array.isArray(value) || value.length > 64) invalid('posture_checks');
  return value.map((item: unknown) => {
    const check = item as Partial<ResultCheck> | null;
    if (
      typeof check !== 'object' || check === null || typeof check.id !== 'string' ||
      !['pass', 'fail', 'unknown'].includes(check.status as string) || !['block', 'warn'].includes(check.severity as string)
    ) {
      invalid('posture_checks');
    }
    return { id: check.id, status: check.status!, severity: check.severity! };
  });
}

/**
 * The kid a Result names, after the same strict decoding and header checks as verifyResultToken
 * (and with its error codes): for callers that must fetch the key before verifying.
 */
export function resultKeyId(token: unknown, maxTokenBytes = DEFAULT_MAX_RESULT_BYTES): string {
  return decodeEat(token, maxTokenBytes, RESULT_HEADER_CODES, 'Result').kid;
}

export function verifyResultToken(token: unknown, options: ResultVerificationOptions): VerifiedResult {
  const { decoded, kid } = decodeEat(token, options.maxTokenBytes ?? DEFAULT_MAX_RESULT_BYTES, RESULT_HEADER_CODES, 'Result');
  return verifyDecodedResult(decoded, kid, options);
}

/**
 * What verifyResultToken checks once the token is decoded and its header accepted: the key, the
 * signature, then the claims. For verifiers that decode the same way and remember the headers
 * they have accepted.
 */
export function verifyDecodedResult(decoded: DecodedJws, kid: string, options: ResultVerificationOptions): VerifiedResult {
  const key = options.keyFor(kid);
  if (!key) refuse('ERR_RESULT_KEY_UNKNOWN', `The Result is signed by an unknown key ${kid}.`);
  if (!verifyEs256(decoded, key)) refuse('ERR_RESULT_SIGNATURE', 'The Result signature does not verify.');
  const { payload } = decoded;
  if (payload['eat_profile'] !== RESULT_PROFILE) refuse('ERR_RESULT_PROFILE', 'The token is not a posture Result.');
  if (payload['iss'] !== options.issuer) refuse('ERR_RESULT_ISSUER', `The Result was issued by ${JSON.stringify(payload['iss'])}, not ${options.issuer}.`);
  const aud = payload['aud'];
  if (!(Array.isArray(aud) ? aud : [aud]).includes(options.audience)) refuse('ERR_RESULT_AUDIENCE', `The Result is meant for ${JSON.stringify(aud)}, not ${options.audience}.`);

  const { issuedAt, expiresAt } = checkTokenLifetime(payload, {
    name: 'The Result',
    maxLifetimeSeconds: MAX_RESULT_LIFETIME_SECONDS,
    now: options.now ?? new Date(),
    toleranceSeconds: options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS,
    codes: RESULT_TIME_CODES,
    expiredHint: ': the device must check in again',
  });

  const status = payload['ear_status'];
  if (!EAR_STATUSES.includes(status as EarStatus)) invalid('ear_status');
  const cnf = payload['cnf'] as { jkt?: unknown } | undefined;
  if (typeof cnf !== 'object' || cnf === null || typeof cnf.jkt !== 'string') invalid('cnf');
  return {
    deviceId: text(payload, 'sub'),
    status: status as EarStatus,
    tiers: texts(payload, 'posture_tiers'),
    checks: checks(payload),
    jkt: cnf.jkt,
    jti: text(payload, 'jti'),
    policyIds: texts(payload, 'ear_appraisal_policy_ids'),
    issuedAt: new Date(issuedAt * 1000),
    expiresAt: new Date(expiresAt * 1000),
  };
}

/** Refuses a verified Result that does not grant `tier`. */
export function requireTier(result: VerifiedResult, tier: string): void {
  if (!result.tiers.includes(tier)) {
    refuse('ERR_RESULT_TIER', `The device does not meet tier "${tier}" (status ${result.status}; tiers met: ${result.tiers.join(', ') || 'none'}).`);
  }
}

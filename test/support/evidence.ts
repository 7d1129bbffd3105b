/** Building Evidence for tests: a signed, valid token by default, with hooks to break it. */
import { randomBytes } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { Es256Key } from '../../src/attest/es256-key.js';
import { randomNonce } from '../../src/attest/nonce.js';
import { EVIDENCE_PROFILE } from '../../src/attest/profiles.js';
import type { EvidenceVerificationOptions } from '../../src/attest/verify-evidence.js';
import { makeReport } from './report.js';

export const AUDIENCE = 'https://posture.example.com';
export const DEVICE_ID = '0531b1ca-8220-4c64-9c16-6992b7cbc8ff';
export const NOW = new Date('2026-11-22T10:00:00.000Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

export function validClaims(nonce = randomNonce()): JWTPayload {
  return {
    iss: DEVICE_ID,
    aud: AUDIENCE,
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 120,
    jti: randomBytes(16).toString('base64url'),
    eat_nonce: nonce,
    eat_profile: EVIDENCE_PROFILE,
    swname: 'posture-agent',
    swversion: '0.1.0',
    posture: makeReport({ device: { id: DEVICE_ID } }),
  };
}

/** Signs arbitrary claims and header with a device key (ES256 unless the header says otherwise). */
export function signEvidence(key: Es256Key, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'eat+jwt', kid: key.kid, ...header }).sign(key.signingKey);
}

/** A verifier world: one enrolled device, nonces it issued, jtis it has seen. */
export function verifierFor(key: Es256Key, overrides: Partial<EvidenceVerificationOptions> = {}) {
  const issued = new Set<string>();
  const seen = new Set<string>();
  const options: EvidenceVerificationOptions = {
    audience: AUDIENCE,
    now: NOW,
    resolveKey: (kid, deviceId) => Promise.resolve(kid === key.kid && deviceId === DEVICE_ID ? key.publicJwk : null),
    consumeNonce: (nonce) => Promise.resolve(issued.delete(nonce)),
    recordJti: (jti) => Promise.resolve(seen.has(jti) ? false : Boolean(seen.add(jti))),
    ...overrides,
  };
  return {
    options,
    /** A nonce the verifier issued (valid once). */
    issue(): string {
      const nonce = randomNonce();
      issued.add(nonce);
      return nonce;
    },
  };
}

export function newKey(): Es256Key {
  return Es256Key.generate(NOW);
}

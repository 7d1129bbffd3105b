import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { Es256Key } from '../../../src/attest/es256-key.js';
import { RESULT_PROFILE } from '../../../src/attest/profiles.js';
import type { ResultClaims } from '../../../src/attest/result-claims.js';
import { verifyResultToken, type ResultVerificationOptions } from '../../../src/attest/verify-result.js';
import { ResultVerifier } from '../../../src/server/result-verifier.js';
import { isAgentError } from '../../../src/shared/errors.js';

const ISSUER = 'https://posture.example.com';
const AUDIENCE = 'posture-gateway';
const NOW = new Date('2026-11-22T10:00:00Z');
const IAT = Math.floor(NOW.getTime() / 1000);
const key = Es256Key.generate();
const stranger = Es256Key.generate();
const publicKeys = new Map<string, KeyObject>([[key.kid, createPublicKey(key.signingKey)]]);
const options: ResultVerificationOptions = { issuer: ISSUER, audience: AUDIENCE, now: NOW, keyFor: (kid) => publicKeys.get(kid) ?? null, clockToleranceSeconds: 0 };

function claims(overrides: Partial<ResultClaims> = {}): ResultClaims {
  return {
    iss: ISSUER, aud: AUDIENCE, sub: 'device-1', iat: IAT, exp: IAT + 600, jti: `j-${Math.random()}`, eat_profile: RESULT_PROFILE,
    ear_status: 'affirming', ear_verifier_id: { developer: 'posture-agent', build: '0.1.0' }, ear_appraisal_policy_ids: ['corp@1'],
    cnf: { jkt: 'kid-1' }, posture_tiers: ['basic'], posture_checks: [{ id: 'disk', status: 'pass', severity: 'block' }],
    ...overrides,
  };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const HEADER = encode({ alg: 'ES256', typ: 'eat+jwt', kid: key.kid });

/** A compact JWS of these parts, signed by `signer` whatever the header says. */
function jws(header: string, payload: string, signer: Es256Key = key): string {
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: signer.signingKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

const result = (overrides: Partial<ResultClaims> = {}, signer: Es256Key = key) => jws(HEADER, encode(claims(overrides)), signer);

function codeOf(verify: () => unknown): string {
  try {
    verify();
  } catch (error) {
    if (isAgentError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

/** One character of the payload changed, still canonical base64url of JSON: only the signature can tell. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claimsText = Buffer.from(payload, 'base64url').toString().replace('"device-1"', '"device-2"');
  return `${header}.${Buffer.from(claimsText).toString('base64url')}.${signature}`;
}

/** A payload whose base64url text ends in a character with unused low bits (its length is not a multiple of 4). */
function unevenPayload(): string {
  for (let padding = 0; ; padding += 1) {
    const payload = encode(claims({ jti: `j-${'x'.repeat(padding)}` }));
    if (payload.length % 4 !== 0) return payload;
  }
}

/** The payload's last character with an unused bit set: the same bytes, not canonical base64url. */
function nonCanonical(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const changed = `${payload.slice(0, -1)}${String.fromCharCode(payload.charCodeAt(payload.length - 1) + 1)}`;
  expect(Buffer.from(changed, 'base64url').equals(Buffer.from(payload, 'base64url'))).toBe(true);
  return `${header}.${changed}.${signature}`;
}

let verifier: ResultVerifier;

beforeEach(() => {
  verifier = new ResultVerifier();
  // Every case below runs with the header already remembered: the path that skips the header.
  expect(verifier.verify(result(), options).deviceId).toBe('device-1');
  expect(verifier.rememberedHeaders).toBe(1);
});

describe('ResultVerifier (forward-auth\'s Result verification)', () => {
  it('returns what verifyResultToken returns for a valid Result', () => {
    const token = result({ posture_tiers: ['basic', 'strict'], ear_status: 'warning' });
    expect(verifier.verify(token, options)).toEqual(verifyResultToken(token, options));
  });

  it('refuses, with a remembered header, exactly what verifyResultToken refuses, and with the same code', () => {
    const valid = result();
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const cases: [string, string][] = [
      ['forged signature', `${header}.${payload}.${'A'.repeat(86)}`],
      ['tampered payload', tamper(valid)],
      ['signed by another key under this kid', result({}, stranger)],
      ['signature of another token', `${header}.${encode(claims({ sub: 'device-2' }))}.${signature}`],
      ['short signature', `${header}.${payload}.${signature.slice(0, 40)}`],
      ['non-canonical payload', nonCanonical(jws(header, unevenPayload()))],
      ['payload not JSON', jws(header, Buffer.from('{"iss":').toString('base64url'))],
      ['payload an array', jws(header, encode([claims()]))],
      ['four parts', `${valid}.${signature}`],
      ['too large', result({ jti: 'x'.repeat(17_000) })],
      ['wrong issuer', result({ iss: 'https://evil.example' })],
      ['wrong audience', result({ aud: 'someone-else' })],
      ['not a Result', result({ eat_profile: 'tag:posture-agent,2026:evidence/v1' })],
      ['expired', result({ iat: IAT - 700, exp: IAT - 100 })],
      ['expires exactly now', result({ iat: IAT - 600, exp: IAT })],
      ['issued in the future', result({ iat: IAT + 60, exp: IAT + 600 })],
      ['lives longer than a day', result({ exp: IAT + 90_000 })],
      ['no subject', result({ sub: '' })],
      ['bad status', result({ ear_status: 'fine' as ResultClaims['ear_status'] })],
    ];
    const expected: Record<string, string> = {
      'forged signature': 'ERR_RESULT_SIGNATURE', 'tampered payload': 'ERR_RESULT_SIGNATURE', 'signed by another key under this kid': 'ERR_RESULT_SIGNATURE',
      'signature of another token': 'ERR_RESULT_SIGNATURE', 'short signature': 'ERR_RESULT_SIGNATURE', 'non-canonical payload': 'ERR_RESULT_MALFORMED',
      'payload not JSON': 'ERR_RESULT_MALFORMED', 'payload an array': 'ERR_RESULT_MALFORMED', 'four parts': 'ERR_RESULT_MALFORMED', 'too large': 'ERR_RESULT_TOO_LARGE',
      'wrong issuer': 'ERR_RESULT_ISSUER', 'wrong audience': 'ERR_RESULT_AUDIENCE', 'not a Result': 'ERR_RESULT_PROFILE', expired: 'ERR_RESULT_EXPIRED',
      'expires exactly now': 'ERR_RESULT_EXPIRED', 'issued in the future': 'ERR_RESULT_NOT_YET_VALID', 'lives longer than a day': 'ERR_RESULT_CLAIM_INVALID',
      'no subject': 'ERR_RESULT_CLAIM_INVALID', 'bad status': 'ERR_RESULT_CLAIM_INVALID',
    };
    for (const [name, token] of cases) {
      const code = codeOf(() => verifier.verify(token, options));
      expect({ name, code }).toEqual({ name, code: expected[name] });
      expect({ name, code }).toEqual({ name, code: codeOf(() => verifyResultToken(token, options)) });
    }
    expect(verifier.rememberedHeaders).toBe(1);
  });

  it('refuses a header it has not accepted, each time, and does not remember it', () => {
    const payload = encode(claims());
    const cases: [Record<string, unknown>, string][] = [
      [{ alg: 'none', typ: 'eat+jwt', kid: key.kid }, 'ERR_RESULT_ALGORITHM'],
      [{ alg: 'HS256', typ: 'eat+jwt', kid: key.kid }, 'ERR_RESULT_ALGORITHM'],
      [{ alg: 'ES256', typ: 'JWT', kid: key.kid }, 'ERR_RESULT_TYPE'],
      [{ alg: 'ES256', kid: key.kid }, 'ERR_RESULT_TYPE'],
      [{ alg: 'ES256', typ: 'eat+jwt', kid: key.kid, jwk: stranger.publicJwk }, 'ERR_RESULT_HEADER'],
      [{ alg: 'ES256', typ: 'eat+jwt' }, 'ERR_RESULT_HEADER'],
      [{ alg: 'ES256', typ: 'eat+jwt', kid: stranger.kid }, 'ERR_RESULT_KEY_UNKNOWN'],
    ];
    for (const [header, code] of cases) {
      const token = jws(encode(header), payload, header['kid'] === stranger.kid ? stranger : key);
      for (let attempt = 0; attempt < 2; attempt += 1) expect({ header, code: codeOf(() => verifier.verify(token, options)) }).toEqual({ header, code });
    }
    // A stranger's well-formed header passes the header checks and is remembered; its key is still looked up every time.
    expect(verifier.rememberedHeaders).toBe(2);
  });

  it('takes the header by its exact text: the same header in a non-canonical encoding is refused', () => {
    const last = HEADER.charCodeAt(HEADER.length - 1);
    const variant = `${HEADER.slice(0, -1)}${String.fromCharCode(last + 1)}`;
    expect(Buffer.from(variant, 'base64url').toString()).toBe(Buffer.from(HEADER, 'base64url').toString());
    expect(codeOf(() => verifier.verify(jws(variant, encode(claims())), options))).toBe('ERR_RESULT_MALFORMED');
  });

  it('follows the keys: a Result of a key no longer published is refused though its header was remembered', () => {
    const token = result();
    publicKeys.delete(key.kid);
    try {
      expect(codeOf(() => verifier.verify(token, options))).toBe('ERR_RESULT_KEY_UNKNOWN');
    } finally {
      publicKeys.set(key.kid, createPublicKey(key.signingKey));
    }
    expect(verifier.verify(token, options).deviceId).toBe('device-1');
  });
});

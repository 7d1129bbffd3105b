import { createSecretKey } from 'node:crypto';
import { base64url, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createEvidence } from '../../../src/attest/evidence.js';
import { verifyEvidence } from '../../../src/attest/verify-evidence.js';
import { AgentError } from '../../../src/shared/errors.js';
import { AUDIENCE, DEVICE_ID, newKey, NOW, NOW_SECONDS, signEvidence, validClaims, verifierFor } from '../../support/evidence.js';
import { makeReport } from '../../support/report.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AgentError) return error.code;
    throw error;
  }
  throw new Error('the Evidence was accepted');
}

function reencode(token: string, part: 0 | 1, edit: (value: Record<string, unknown>) => void): string {
  const parts = token.split('.');
  const value = JSON.parse(Buffer.from(parts[part]!, 'base64url').toString()) as Record<string, unknown>;
  edit(value);
  parts[part] = Buffer.from(JSON.stringify(value)).toString('base64url');
  return parts.join('.');
}

describe('verifyEvidence', () => {
  it('accepts Evidence made by createEvidence, once, and returns the device and its posture', async () => {
    const key = newKey();
    const verifier = verifierFor(key);
    const posture = makeReport({ device: { id: DEVICE_ID } });
    const token = await createEvidence({ key, deviceId: DEVICE_ID, audience: AUDIENCE, nonce: verifier.issue(), posture, now: NOW });
    const verified = await verifyEvidence(token, verifier.options);
    expect(verified.deviceId).toBe(DEVICE_ID);
    expect(verified.kid).toBe(key.kid);
    expect(verified.posture).toEqual(posture);
    expect(verified.expiresAt.getTime() - verified.issuedAt.getTime()).toBeLessThanOrEqual(300_000);
    expect(verified.swname).toBe('posture-agent');
  });

  it('produces Evidence any JOSE library verifies with the design §3 header and claims', async () => {
    const key = newKey();
    const token = await createEvidence({ key, deviceId: DEVICE_ID, audience: AUDIENCE, nonce: verifierFor(key).issue(), posture: makeReport({ device: { id: DEVICE_ID } }), now: NOW });
    const { payload, protectedHeader } = await jwtVerify(token, key.publicJwk, {
      algorithms: ['ES256'], typ: 'eat+jwt', audience: AUDIENCE, issuer: DEVICE_ID, currentDate: NOW, maxTokenAge: 300,
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'eat+jwt', kid: key.kid });
    expect(Object.keys(payload).sort()).toEqual(['aud', 'eat_nonce', 'eat_profile', 'exp', 'iat', 'iss', 'jti', 'posture', 'swname', 'swversion']);
    expect(payload.eat_profile).toBe('tag:posture-agent,2026:evidence/v1');
  });

  describe('refuses, each with its own code', () => {
    it('a tampered payload', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const token = await signEvidence(key, validClaims(verifier.issue()));
      const tampered = reencode(token, 1, (payload) => ((payload['posture'] as { firewall: { status: string } }).firewall.status = 'disabled'));
      expect(tampered).not.toBe(token);
      expect(await refusal(verifyEvidence(tampered, verifier.options))).toBe('ERR_ATTESTATION_SIGNATURE');
    });

    it('a tampered header', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const token = await signEvidence(key, validClaims(verifier.issue()));
      expect(await refusal(verifyEvidence(reencode(token, 0, (header) => (header['cty'] = 'json')), verifier.options))).toBe('ERR_ATTESTATION_SIGNATURE');
    });

    it('a signature by another key', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const forged = await signEvidence(newKey(), validClaims(verifier.issue()), { kid: key.kid });
      expect(await refusal(verifyEvidence(forged, verifier.options))).toBe('ERR_ATTESTATION_SIGNATURE');
    });

    it('alg none', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'eat+jwt', kid: key.kid }));
      const payload = base64url.encode(JSON.stringify(validClaims(verifier.issue())));
      expect(await refusal(verifyEvidence(`${header}.${payload}.`, verifier.options))).toBe('ERR_ATTESTATION_MALFORMED');
      const withSignature = `${header}.${payload}.${base64url.encode('x')}`;
      expect(await refusal(verifyEvidence(withSignature, verifier.options))).toBe('ERR_ATTESTATION_ALGORITHM');
    });

    it('HS256 signed with the public key as the secret', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const secret = createSecretKey(Buffer.from(JSON.stringify(key.publicJwk)));
      const token = await new SignJWT(validClaims(verifier.issue())).setProtectedHeader({ alg: 'HS256', typ: 'eat+jwt', kid: key.kid }).sign(secret);
      expect(await refusal(verifyEvidence(token, verifier.options))).toBe('ERR_ATTESTATION_ALGORITHM');
    });

    it('an embedded jwk header (and jku, x5u, x5c)', async () => {
      const attacker = newKey();
      const verifier = verifierFor(newKey());
      for (const header of [{ jwk: attacker.publicJwk }, { jku: 'https://evil.example/jwks' }, { x5u: 'https://evil.example/cert' }, { x5c: ['MIIB'] }]) {
        const token = await signEvidence(attacker, validClaims(verifier.issue()), header);
        expect(await refusal(verifyEvidence(token, verifier.options))).toBe('ERR_ATTESTATION_HEADER');
      }
    });

    it('a wrong typ', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      for (const typ of ['JWT', 'at+jwt', undefined]) {
        const token = await signEvidence(key, validClaims(verifier.issue()), { typ });
        expect(await refusal(verifyEvidence(token, verifier.options))).toBe('ERR_ATTESTATION_TYPE');
      }
    });

    it('a wrong eat_profile', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const token = await signEvidence(key, { ...validClaims(verifier.issue()), eat_profile: 'tag:posture-agent,2026:result/v1' });
      expect(await refusal(verifyEvidence(token, verifier.options))).toBe('ERR_ATTESTATION_PROFILE');
    });

    it('a wrong audience', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const token = await signEvidence(key, { ...validClaims(verifier.issue()), aud: 'https://other.example.com' });
      expect(await refusal(verifyEvidence(token, verifier.options))).toBe('ERR_ATTESTATION_AUDIENCE');
    });

    it('expired Evidence, and Evidence older than the maximum age', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const expired = await signEvidence(key, { ...validClaims(verifier.issue()), iat: NOW_SECONDS - 200, exp: NOW_SECONDS - 60 });
      expect(await refusal(verifyEvidence(expired, verifier.options))).toBe('ERR_ATTESTATION_EXPIRED');
      const old = await signEvidence(key, { ...validClaims(verifier.issue()), iat: NOW_SECONDS - 290, exp: NOW_SECONDS + 5 });
      expect(await refusal(verifyEvidence(old, { ...verifier.options, maxAgeSeconds: 60 }))).toBe('ERR_ATTESTATION_EXPIRED');
    });

    it('iat in the future beyond the tolerance, but not within it', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const future = await signEvidence(key, { ...validClaims(verifier.issue()), iat: NOW_SECONDS + 120, exp: NOW_SECONDS + 240 });
      expect(await refusal(verifyEvidence(future, verifier.options))).toBe('ERR_ATTESTATION_NOT_YET_VALID');
      const skewed = await signEvidence(key, { ...validClaims(verifier.issue()), iat: NOW_SECONDS + 10, exp: NOW_SECONDS + 130 });
      await expect(verifyEvidence(skewed, verifier.options)).resolves.toMatchObject({ deviceId: DEVICE_ID });
    });

    it('a lifetime over 300 seconds', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const token = await signEvidence(key, { ...validClaims(verifier.issue()), exp: NOW_SECONDS + 301 });
      expect(await refusal(verifyEvidence(token, verifier.options))).toBe('ERR_ATTESTATION_LIFETIME');
    });

    it('a missing jti or eat_nonce', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      for (const claim of ['jti', 'eat_nonce', 'iat', 'exp', 'posture']) {
        const claims = validClaims(verifier.issue());
        Reflect.deleteProperty(claims, claim);
        expect(await refusal(verifyEvidence(await signEvidence(key, claims), verifier.options))).toBe('ERR_ATTESTATION_CLAIM_MISSING');
      }
    });

    it('a nonce the callback rejects: unknown, or spent already', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const unknown = await signEvidence(key, validClaims());
      expect(await refusal(verifyEvidence(unknown, verifier.options))).toBe('ERR_ATTESTATION_NONCE');
      const nonce = verifier.issue();
      await verifyEvidence(await signEvidence(key, validClaims(nonce)), verifier.options);
      expect(await refusal(verifyEvidence(await signEvidence(key, validClaims(nonce)), verifier.options))).toBe('ERR_ATTESTATION_NONCE');
    });

    it('a jti seen before', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const first = validClaims(verifier.issue());
      await verifyEvidence(await signEvidence(key, first), verifier.options);
      const again = await signEvidence(key, { ...validClaims(verifier.issue()), jti: first.jti });
      expect(await refusal(verifyEvidence(again, verifier.options))).toBe('ERR_ATTESTATION_REPLAY');
    });

    it('a 1 MB token, before parsing it', async () => {
      const key = newKey();
      let resolved = false;
      const verifier = verifierFor(key, { resolveKey: () => ((resolved = true), Promise.resolve(null)) });
      const huge = `${'a'.repeat(500_000)}.${'b'.repeat(500_000)}.c`;
      expect(await refusal(verifyEvidence(huge, verifier.options))).toBe('ERR_ATTESTATION_TOO_LARGE');
      expect(resolved).toBe(false);
    });

    it('random bytes and things that are not tokens', async () => {
      const verifier = verifierFor(newKey());
      for (const junk of [Buffer.from('\u0000\u00ff\u0013 garbage').toString('latin1'), 'a.b', 'a.b.c.d', '', '...', 'e30.e30.', 42, null, { token: 1 }]) {
        expect(await refusal(verifyEvidence(junk, verifier.options))).toBe('ERR_ATTESTATION_MALFORMED');
      }
    });

    it('a key the registry does not have for that device', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const otherDevice = await signEvidence(key, { ...validClaims(verifier.issue()), iss: 'another-device' });
      expect(await refusal(verifyEvidence(otherDevice, verifier.options))).toBe('ERR_ATTESTATION_KEY_UNKNOWN');
    });

    it('a posture claim that is not a report, or names another device', async () => {
      const key = newKey();
      const verifier = verifierFor(key);
      const notReport = await signEvidence(key, { ...validClaims(verifier.issue()), posture: { compliant: true } });
      expect(await refusal(verifyEvidence(notReport, verifier.options))).toBe('ERR_ATTESTATION_CLAIM_INVALID');
      const otherDevice = await signEvidence(key, { ...validClaims(verifier.issue()), posture: makeReport({ device: { id: 'someone-else' } }) });
      expect(await refusal(verifyEvidence(otherDevice, verifier.options))).toBe('ERR_ATTESTATION_CLAIM_INVALID');
    });
  });

  it('spends neither the nonce nor the jti on a token whose signature fails', async () => {
    const key = newKey();
    const verifier = verifierFor(key);
    const nonce = verifier.issue();
    const claims = validClaims(nonce);
    const forged = await signEvidence(newKey(), claims, { kid: key.kid });
    expect(await refusal(verifyEvidence(forged, verifier.options))).toBe('ERR_ATTESTATION_SIGNATURE');
    await expect(verifyEvidence(await signEvidence(key, claims), verifier.options)).resolves.toMatchObject({ nonce });
  });
});

import { describe, expect, it } from 'vitest';
import { verifyEvidence } from '../../../src/attest/verify-evidence.js';
import { AgentError } from '../../../src/shared/errors.js';
import { newKey, signEvidence, validClaims, verifierFor } from '../../support/evidence.js';

/** A seeded generator, so a failure reproduces. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
type Json = Record<string, unknown>;

function decodePart(part: string): Json {
  return JSON.parse(Buffer.from(part, 'base64url').toString()) as Json;
}
function encodePart(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const JSON_EDITS: ((value: Json, random: () => number) => void)[] = [
  (v) => (v['aud'] = 'https://evil.example'),
  (v) => (v['iss'] = 'another-device'),
  (v) => (v['exp'] = Number(v['exp']) + 3600),
  (v) => (v['iat'] = Number(v['iat']) - 1),
  (v) => (v['jti'] = 'replayed-jti-000'),
  (v) => (v['eat_nonce'] = 'AAAAAAAAAAA'),
  (v) => (v['eat_profile'] = 'tag:posture-agent,2026:evidence/v2'),
  (v) => (v['posture'] = { ...(v['posture'] as Json | undefined), diskEncryption: { status: 'encrypted', volumes: [] } }),
  (v) => (v['posture'] = { ...(v['posture'] as Json | undefined), antivirus: { status: 'protected', products: [] } }),
  (v, r) => Reflect.deleteProperty(v, Object.keys(v)[Math.floor(r() * Object.keys(v).length)]!),
  (v) => (v['extra'] = { nested: [1, 2, 3] }),
  (v) => (v['alg'] = 'none'),
  (v) => (v['alg'] = 'HS256'),
  (v) => (v['alg'] = 'ES384'),
  (v) => (v['typ'] = 'JWT'),
  (v) => (v['kid'] = 'another-kid'),
  (v) => (v['jwk'] = { kty: 'EC' }),
  (v) => (v['crit'] = ['exp']),
];

function mutate(token: string, other: string, random: () => number): string {
  const parts = token.split('.') as [string, string, string];
  const pick = (n: number) => Math.floor(random() * n);
  switch (pick(7)) {
    case 0: {
      // flip one character to another base64url character
      const index = pick(token.length);
      if (token[index] === '.') return token.slice(0, index) + 'A' + token.slice(index + 1);
      let replacement = ALPHABET[pick(ALPHABET.length)]!;
      if (replacement === token[index]) replacement = replacement === 'A' ? 'B' : 'A';
      return token.slice(0, index) + replacement + token.slice(index + 1);
    }
    case 1: {
      // flip one bit in the decoded bytes of one part, re-encode
      const which = pick(3);
      const bytes = Buffer.from(parts[which]!, 'base64url');
      const index = pick(bytes.length);
      bytes[index] = bytes[index]! ^ (1 << pick(8));
      parts[which] = bytes.toString('base64url');
      return parts.join('.');
    }
    case 2:
      // truncate anywhere
      return token.slice(0, pick(token.length));
    case 3: {
      // swap or borrow segments
      const otherParts = other.split('.');
      const options = [
        [parts[1], parts[0], parts[2]],
        [parts[0], parts[2], parts[1]],
        [parts[0], parts[1], otherParts[2]],
        [parts[0], otherParts[1], parts[2]],
        [otherParts[0], parts[1], parts[2]],
        [parts[0], parts[1]],
        [parts[0], parts[1], parts[2], parts[2]],
      ];
      return options[pick(options.length)]!.join('.');
    }
    case 4: {
      // edit the header or payload JSON and re-encode without re-signing
      const which = pick(2);
      const value = decodePart(parts[which]!);
      JSON_EDITS[pick(JSON_EDITS.length)]!(value, random);
      parts[which] = encodePart(value);
      return parts.join('.');
    }
    case 5: {
      // characters outside base64url, padding, whitespace
      const junk = ['=', '+', '/', ' ', '\n', '%', '\u0000', '€'][pick(8)]!;
      const index = pick(token.length + 1);
      return token.slice(0, index) + junk + token.slice(index);
    }
    default: {
      // non-canonical base64url: change the unused low bits of the last character of a part
      const which = pick(3);
      const part = parts[which]!;
      const last = ALPHABET.indexOf(part[part.length - 1]!);
      const tweaked = ALPHABET[(last & ~0b11) | ((last + 1) & 0b11)]!;
      parts[which] = part.slice(0, -1) + tweaked;
      return parts.join('.');
    }
  }
}

describe('verifyEvidence under fuzzing', () => {
  it('accepts none of thousands of mutated tokens and never crashes', async () => {
    const key = newKey();
    const verifier = verifierFor(key);
    const nonce = verifier.issue();
    const claims = validClaims(nonce);
    const token = await signEvidence(key, claims);
    const other = await signEvidence(newKey(), validClaims(verifier.issue()), { kid: key.kid });
    const random = mulberry32(20261122);
    const codes = new Map<string, number>();
    let tried = 0;
    for (let round = 0; round < 6000; round += 1) {
      const mutated = mutate(token, other, random);
      if (mutated === token) continue;
      tried += 1;
      try {
        await verifyEvidence(mutated, verifier.options);
        throw new Error(`accepted a mutated token (round ${round}): ${mutated}`);
      } catch (error) {
        if (!(error instanceof AgentError)) throw error;
        expect(error.code).toMatch(/^ERR_ATTESTATION_/);
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
    }
    expect(tried).toBeGreaterThan(5000);
    // The mutations reach deep: signature, header and format checks all fire.
    for (const code of ['ERR_ATTESTATION_MALFORMED', 'ERR_ATTESTATION_SIGNATURE', 'ERR_ATTESTATION_ALGORITHM', 'ERR_ATTESTATION_TYPE', 'ERR_ATTESTATION_HEADER']) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    // None of them spent the challenge: the genuine token is still accepted, once.
    await expect(verifyEvidence(token, verifier.options)).resolves.toMatchObject({ nonce });
  });

  it('re-signed edits by an attacker key are refused too', async () => {
    const key = newKey();
    const attacker = newKey();
    const verifier = verifierFor(key);
    const random = mulberry32(7);
    for (let round = 0; round < 300; round += 1) {
      const claims = validClaims(verifier.issue());
      JSON_EDITS[Math.floor(random() * 9)]!(claims, random);
      const forged = await signEvidence(attacker, claims, { kid: key.kid });
      await expect(verifyEvidence(forged, verifier.options)).rejects.toBeInstanceOf(AgentError);
    }
  });
});

/** EC P-256 public keys as JWKs (RFC 7517) and their RFC 7638 thumbprints. */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

/** Exactly what an ES256 public key needs; private members (`d`) and anything else are refused. */
export const publicJwkSchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: base64url.length(43),
  y: base64url.length(43),
  kid: z.string().max(128).optional(),
  alg: z.literal('ES256').optional(),
  use: z.literal('sig').optional(),
});

export type PublicJwk = z.infer<typeof publicJwkSchema>;

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: Pick<PublicJwk, 'crv' | 'kty' | 'x' | 'y'>): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A verification key from a public JWK; refuses anything but a valid point on P-256. */
export function publicKeyFromJwk(jwk: PublicJwk): KeyObject {
  return createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
}

/** The public JWK of a P-256 key, with its thumbprint as kid. */
export function publicJwkOf(key: KeyObject): PublicJwk & { kid: string } {
  const exported = createPublicKey(key).export({ format: 'jwk' });
  const jwk = publicJwkSchema.parse({ kty: exported.kty, crv: exported.crv, x: exported.x, y: exported.y });
  return { ...jwk, kid: jwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
}

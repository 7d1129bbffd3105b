/** Bearer secrets the service hands out (enrolment tokens, API keys): random, shown once, stored as SHA-256. */
import { createHash, randomBytes } from 'node:crypto';

export const ENROLLMENT_TOKEN_PREFIX = 'pae_';
export const API_KEY_PREFIX = 'pak_';

export function newSecret(prefix: string): { id: string; secret: string; hash: string } {
  const id = randomBytes(6).toString('base64url');
  const secret = `${prefix}${id}_${randomBytes(32).toString('base64url')}`;
  return { id, secret, hash: hashSecret(secret) };
}

/** SHA-256 is enough: the secrets carry 256 random bits, so there is nothing to brute-force. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Challenge nonces: 8 to 64 bytes, base64url without padding (RFC 9711 eat_nonce). */
import { randomBytes } from 'node:crypto';

export const NONCE_MIN_BYTES = 8;
export const NONCE_MAX_BYTES = 64;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The nonce's bytes, or null unless it is canonical base64url of 8 to 64 bytes. */
export function decodeNonce(nonce: string): Buffer | null {
  if (!BASE64URL.test(nonce) || nonce.length % 4 === 1) return null;
  const bytes = Buffer.from(nonce, 'base64url');
  if (bytes.length < NONCE_MIN_BYTES || bytes.length > NONCE_MAX_BYTES) return null;
  return bytes.toString('base64url') === nonce ? bytes : null;
}

export function isValidNonce(nonce: string): boolean {
  return decodeNonce(nonce) !== null;
}

export function randomNonce(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Compact JWS with ES256, decoded and verified synchronously with node:crypto (no Web Crypto hop:
 * the service verifies on hot paths). Pure: no I/O. Strict: canonical base64url only, JSON objects
 * only, exactly 64-byte P-256 signatures. Callers map the failure reasons to their own codes.
 */
import { sign, verify, type KeyObject } from 'node:crypto';

export type JwsFailure = 'too-large' | 'malformed';

export class JwsFormatError extends Error {
  readonly reason: JwsFailure;
  constructor(reason: JwsFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export type JsonObject = Record<string, unknown>;

export interface DecodedJws {
  header: JsonObject;
  payload: JsonObject;
  signingInput: string;
  signature: Buffer;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ES256_SIGNATURE_BYTES = 64;
/** Stateless between calls (no `stream` option), so one serves every token. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** One part of a compact JWS: canonical base64url only. */
export function decodeSegment(segment: string, what: string): Buffer {
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) throw new JwsFormatError('malformed', `The token's ${what} is not base64url.`);
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw new JwsFormatError('malformed', `The token's ${what} is not canonical base64url.`);
  return bytes;
}

/** A decoded header or payload: UTF-8 JSON, an object. */
export function parseObject(bytes: Buffer, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new JwsFormatError('malformed', `The token's ${what} is not JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwsFormatError('malformed', `The token's ${what} is not a JSON object.`);
  return value as JsonObject;
}

/** Splits and decodes a compact JWS; checks its size before anything else. */
export function decodeCompactJws(token: unknown, maxBytes: number): DecodedJws {
  if (typeof token !== 'string') throw new JwsFormatError('malformed', 'The token is not a string.');
  if (token.length > maxBytes) throw new JwsFormatError('too-large', `The token is larger than ${maxBytes} bytes.`);
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwsFormatError('malformed', 'The token is not a compact JWS (three dot-separated parts).');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = parseObject(decodeSegment(headerPart, 'header'), 'header');
  const payload = parseObject(decodeSegment(payloadPart, 'payload'), 'payload');
  const signature = decodeSegment(signaturePart, 'signature');
  return { header, payload, signingInput: `${headerPart}.${payloadPart}`, signature };
}

/** ES256 signature check (raw r||s signature, RFC 7518 §3.4). */
export function verifyEs256(decoded: DecodedJws, key: KeyObject): boolean {
  if (decoded.signature.length !== ES256_SIGNATURE_BYTES) return false;
  try {
    return verify('sha256', Buffer.from(decoded.signingInput), { key, dsaEncoding: 'ieee-p1363' }, decoded.signature);
  } catch {
    return false;
  }
}

/** Signs a compact JWS with ES256 synchronously (node:crypto; the signature as JWS wants it, r || s). */
export function signCompactJws(header: JsonObject, payload: JsonObject, privateKey: KeyObject): string {
  const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

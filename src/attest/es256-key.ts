/**
 * An ES256 (P-256) key pair: the device key, or the service's signing key. The private half stays in
 * this object: it prints, serialises and inspects as its key id only. Stores get it through
 * exportPrivateJwk(), which nothing else calls.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { AgentError, messageOf } from '../shared/errors.js';
import { publicJwkOf, type PublicJwk } from './jwk.js';

/** A stored key whose `d` does not match its `x`/`y` would sign what its kid cannot verify. */
function halvesMatch(privateKey: KeyObject): boolean {
  const probe = Buffer.from('posture-agent key check');
  try {
    return verify('sha256', probe, createPublicKey(privateKey), sign('sha256', probe, privateKey));
  } catch {
    return false;
  }
}

export class Es256Key {
  readonly kid: string;
  readonly publicJwk: PublicJwk & { kid: string };
  readonly createdAt: string;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject, createdAt: string) {
    this.#privateKey = privateKey;
    this.publicJwk = publicJwkOf(privateKey);
    this.kid = this.publicJwk.kid;
    this.createdAt = createdAt;
  }

  static generate(now: Date = new Date()): Es256Key {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new Es256Key(privateKey, now.toISOString());
  }

  /** Rebuilds a stored key; throws a plain Error (the store turns it into ERR_KEY_CORRUPT). */
  static fromPrivateJwk(jwk: unknown, createdAt: string): Es256Key {
    const candidate = jwk as JsonWebKey;
    if (typeof jwk !== 'object' || jwk === null || candidate.kty !== 'EC' || candidate.crv !== 'P-256' || typeof candidate.d !== 'string' || candidate.d.length !== 43) {
      throw new Error('not a P-256 private key');
    }
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: candidate.x, y: candidate.y, d: candidate.d }, format: 'jwk' });
    } catch (error) {
      throw new Error(`the key material is invalid (${messageOf(error)})`);
    }
    if (!halvesMatch(key)) throw new Error('its private and public halves do not belong together');
    if (Number.isNaN(Date.parse(createdAt))) throw new Error('its creation time is invalid');
    return new Es256Key(key, createdAt);
  }

  /** For signing only (jose's SignJWT). */
  get signingKey(): KeyObject {
    return this.#privateKey;
  }

  /** For key stores only. */
  exportPrivateJwk(): JsonWebKey {
    const { kty, crv, x, y, d } = this.#privateKey.export({ format: 'jwk' });
    if (!d) throw new AgentError('ERR_INTERNAL', 'The device key has no private part.');
    return { kty, crv, x, y, d };
  }

  toJSON(): { kid: string; createdAt: string; publicJwk: PublicJwk } {
    return { kid: this.kid, createdAt: this.createdAt, publicJwk: this.publicJwk };
  }

  toString(): string {
    return `Es256Key(${this.kid})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Device public keys imported once per kid (importing a JWK costs more than verifying with it).
 * Only an optimisation: the appraisal's commit checks again, in the database, that the device
 * still has this key and is not revoked, so a rotated-out or reset key stops working at once.
 */
import type { KeyObject } from 'node:crypto';
import { publicKeyFromJwk, type PublicJwk } from '../attest/jwk.js';

const DEFAULT_MAX_ENTRIES = 200_000;

export class DeviceKeyCache {
  readonly #entries = new Map<string, { deviceId: string; key: KeyObject }>();
  readonly #maxEntries: number;

  constructor(maxEntries = DEFAULT_MAX_ENTRIES) {
    this.#maxEntries = maxEntries;
  }

  get(kid: string, deviceId: string): KeyObject | undefined {
    const entry = this.#entries.get(kid);
    return entry?.deviceId === deviceId ? entry.key : undefined;
  }

  remember(kid: string, deviceId: string, jwk: PublicJwk): KeyObject {
    const key = publicKeyFromJwk(jwk);
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(kid, { deviceId, key });
    return key;
  }

  forget(kid: string): void {
    this.#entries.delete(kid);
  }

  get size(): number {
    return this.#entries.size;
  }
}

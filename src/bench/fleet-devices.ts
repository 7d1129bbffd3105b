/**
 * The simulated fleet's devices: ids and ES256 keys derived from a seed and an index (a rerun with
 * the same seed is the same fleet, so it can skip enrolment), and each device's posture: a compliant
 * laptop, or for a drifting device one that fails a check on every other check-in.
 */
import { createECDH, createHash } from 'node:crypto';
import { Es256Key } from '../attest/es256-key.js';
import type { PostureReport } from '../collectors/report.js';
import { sampleReport } from './sample-report.js';

/** The order of P-256: a private scalar must be below it (and above 0). */
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
const KEY_CREATED_AT = '2026-01-01T00:00:00.000Z';

/** What a drifting device turns off: a warn rule and two block rules of the built-in policy. */
const DRIFTS = ['firewall', 'screenLock', 'diskEncryption'] as const;
export type Drift = (typeof DRIFTS)[number];

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A UUID-shaped id, so the service's indexes see ids as random as real ones. */
export function fleetDeviceId(seed: string, index: number): string {
  const hex = digest(`posture-fleet-id:${seed}:${index}`).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The device's key: the private scalar is SHA-256 of the seed and index (rehashed in the 2^-32 case it is not below the order). */
export function fleetDeviceKey(seed: string, index: number): Es256Key {
  let scalar = digest(`posture-fleet-key:${seed}:${index}`);
  for (let attempt = 1; scalar.equals(Buffer.alloc(32)) || Buffer.compare(scalar, P256_ORDER) >= 0; attempt += 1) {
    scalar = digest(`posture-fleet-key:${seed}:${index}:${attempt}`);
  }
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey();
  const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url'), d: scalar.toString('base64url') };
  return Es256Key.fromPrivateJwk(jwk, KEY_CREATED_AT);
}

/** Whether device `index` drifts: a stable choice, spread evenly over the indexes. */
export function drifts(index: number, driftShare: number): boolean {
  return Math.floor((index + 1) * driftShare) > Math.floor(index * driftShare);
}

export function postureOf(deviceId: string, now: Date, failing: Drift | null): PostureReport {
  const report = sampleReport(deviceId, now);
  switch (failing) {
    case null:
      return report;
    case 'firewall':
      return { ...report, firewall: { status: 'disabled', products: [{ name: 'ufw', enabled: false }] } };
    case 'screenLock':
      return { ...report, screenLock: { ...report.screenLock, status: 'disabled', delaySeconds: null } };
    case 'diskEncryption':
      return { ...report, diskEncryption: { status: 'unencrypted', volumes: [{ mount: '/', system: true, encrypted: false, method: null, state: 'not encrypted' }] } };
  }
}

/** The fleet: ids up front, keys when a device first needs one, drift state per device. */
export class Fleet {
  readonly size: number;
  readonly seed: string;
  readonly #ids: string[];
  readonly #keys: (Es256Key | undefined)[];
  readonly #drifting: Uint8Array;
  /** 1 while a drifting device's posture fails. */
  readonly #failing: Uint8Array;

  constructor(size: number, seed: string, driftShare: number) {
    this.size = size;
    this.seed = seed;
    this.#ids = Array.from({ length: size }, (_, index) => fleetDeviceId(seed, index));
    this.#keys = new Array<Es256Key | undefined>(size);
    this.#drifting = Uint8Array.from({ length: size }, (_, index) => (drifts(index, driftShare) ? 1 : 0));
    this.#failing = new Uint8Array(size);
  }

  id(index: number): string {
    return this.#ids[index]!;
  }

  key(index: number): Es256Key {
    let key = this.#keys[index];
    if (key === undefined) {
      key = fleetDeviceKey(this.seed, index);
      this.#keys[index] = key;
    }
    return key;
  }

  isDrifting(index: number): boolean {
    return this.#drifting[index] === 1;
  }

  get driftingCount(): number {
    return this.#drifting.reduce((sum, flag) => sum + flag, 0);
  }

  /** The posture of the device's next check-in: a drifting device alternates between failing and compliant. */
  nextPosture(index: number, now: Date): PostureReport {
    if (!this.isDrifting(index)) return postureOf(this.id(index), now, null);
    this.#failing[index] = this.#failing[index] === 1 ? 0 : 1;
    return postureOf(this.id(index), now, this.#failing[index] === 1 ? DRIFTS[index % DRIFTS.length]! : null);
  }

  /** The posture an enrolment presents: compliant. */
  enrolmentPosture(index: number, now: Date): PostureReport {
    return postureOf(this.id(index), now, null);
  }
}

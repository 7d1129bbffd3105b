/**
 * One round trip with the policy service: collect, take a challenge, sign Evidence, deliver, get
 * a Result. Enrolment is the same trip with a token; a pending key rotation rides on the next trip,
 * endorsed by the current key, and the new key takes over only once the service has accepted it.
 */
import { promotePendingKey, loadOrCreateDeviceKeys } from '../attest/device-keys.js';
import type { Es256Key } from '../attest/es256-key.js';
import { createEvidence } from '../attest/evidence.js';
import { createKeyEndorsement } from '../attest/key-endorsement.js';
import type { KeyStore } from '../attest/key-store.js';
import { collectPosture, type CollectOptions, type Host } from '../collectors/index.js';
import type { AttestResponse, EnrollResponse } from '../wire/service.js';
import type { PostureReport } from '../collectors/report.js';
import type { CertificateResponse, ServiceClient } from './service-client.js';
import { jwkThumbprint, type PublicJwk } from '../attest/jwk.js';

export interface CheckInDeps {
  host: Host;
  keyStore: KeyStore;
  deviceId: () => Promise<string>;
  client: ServiceClient;
  now?: () => Date;
  collect?: Omit<CollectOptions, 'deviceId' | 'now'>;
}

export interface CheckInResult {
  response: AttestResponse;
  posture: PostureReport;
  /** The key the service now knows for this device. */
  kid: string;
  /** Set when this trip moved the device to its pending key. */
  rotatedTo: string | null;
}

async function signedPosture(deps: CheckInDeps, deviceId: string, key: Es256Key, confirmationKeyThumbprint?: string) {
  const now = deps.now?.() ?? new Date();
  const posture = await collectPosture(deps.host, { ...deps.collect, deviceId, now });
  const { nonce } = await deps.client.challenge(deviceId);
  const evidence = await createEvidence({
    key,
    deviceId,
    audience: deps.client.baseUrl,
    nonce,
    posture,
    now: deps.now?.() ?? new Date(),
    ...(confirmationKeyThumbprint === undefined ? {} : { confirmationKeyThumbprint }),
  });
  return { posture, nonce, evidence };
}

/** Enrols with a token: the pending key if a rotation is waiting, else the active key. */
export async function enrollDevice(deps: CheckInDeps, token: string): Promise<{ enrolled: EnrollResponse; posture: PostureReport }> {
  const deviceId = await deps.deviceId();
  const keys = await loadOrCreateDeviceKeys(deps.keyStore);
  const key = keys.pending ?? keys.active;
  const { posture, evidence } = await signedPosture(deps, deviceId, key);
  const enrolled = await deps.client.enroll({ evidence, jwk: key.publicJwk, token });
  if (keys.pending) await promotePendingKey(deps.keyStore, keys.pending.kid);
  return { enrolled, posture };
}

/** Delivers fresh posture; first completes a pending key rotation if there is one. */
export async function submitPosture(deps: CheckInDeps): Promise<CheckInResult> {
  const deviceId = await deps.deviceId();
  const keys = await loadOrCreateDeviceKeys(deps.keyStore);
  if (!keys.pending) {
    const { posture, evidence } = await signedPosture(deps, deviceId, keys.active);
    return { response: await deps.client.attest(evidence), posture, kid: keys.active.kid, rotatedTo: null };
  }
  const pending = keys.pending;
  const { posture, nonce, evidence } = await signedPosture(deps, deviceId, pending);
  const endorsement = await createKeyEndorsement({ currentKey: keys.active, newKid: pending.kid, deviceId, audience: deps.client.baseUrl, nonce });
  const enrolled = await deps.client.enroll({ evidence, jwk: pending.publicJwk, endorsement });
  await promotePendingKey(deps.keyStore, pending.kid);
  return { response: enrolled.appraisal, posture, kid: pending.kid, rotatedTo: pending.kid };
}

/**
 * Asks for a device certificate for `tlsKey`: fresh Evidence, signed by the active device key,
 * binds the TLS key through its thumbprint (`cnf.jkt`). The service appraises it like an attest.
 */
export async function requestCertificate(deps: CheckInDeps, tlsKey: PublicJwk): Promise<CertificateResponse> {
  const deviceId = await deps.deviceId();
  const keys = await loadOrCreateDeviceKeys(deps.keyStore);
  const { evidence } = await signedPosture(deps, deviceId, keys.active, jwkThumbprint(tlsKey));
  return deps.client.certificate({ evidence, tlsKey });
}

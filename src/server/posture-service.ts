/**
 * The Verifier and Policy Engine (design §1): challenges, enrolment (and key rotation), appraisal
 * of signed Evidence with the service's own policy, and signed Results. HTTP-free: src/server/http
 * maps requests onto these methods, and tests drive them directly.
 */
import { randomBytes } from 'node:crypto';
import { verifyKeyEndorsement } from '../attest/key-endorsement.js';
import { jwkThumbprint, publicJwkSchema, publicKeyFromJwk, type PublicJwk } from '../attest/jwk.js';
import { randomNonce } from '../attest/nonce.js';
import { EAT_MEDIA_TYPE, RESULT_PROFILE } from '../attest/profiles.js';
import type { ResultClaims } from '../attest/result-claims.js';
import { keyUnknown, nonceRefused, replayRefused, verifyEvidence, type VerifiedEvidence } from '../attest/verify-evidence.js';
import { signCompactJws } from '../attest/compact-jws.js';
import { DeviceKeyCache } from './device-key-cache.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { Evaluation, Policy } from '../policy/types.js';
import { AgentError } from '../shared/errors.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../shared/version.js';
import type { DeviceCa } from './device-ca.js';
import type { ServiceKeys } from './service-keys.js';
import { hashSecret } from './secrets.js';
import type { AppraisalSpend, DeviceStatusRecord, NewDevice, Store } from './store/store.js';
import type { AttestResponse, CertificateRequest, CertificateResponse, EnrollRequest, EnrollResponse } from '../wire/service.js';

// The HTTP contract moved to src/wire (the agent uses it too); these names stay importable from here.
export type { AttestResponse, CertificateResponse, EnrollResponse } from '../wire/service.js';

/** Where a request came from, for the audit log. */
export interface RequestContext {
  source: string | null;
}

function alreadyEnrolled(deviceId: string): AgentError {
  return new AgentError(
    'ERR_DEVICE_ALREADY_ENROLLED',
    `Device ${deviceId} is already enrolled with another key, and an enrolment token cannot replace it. If this laptop was re-installed, ask IT to reset it (posture-service devices reset ${deviceId}) and enrol again.`,
  );
}

function revoked(): AgentError {
  return new AgentError('ERR_DEVICE_REVOKED', 'This device has been revoked; ask IT.');
}

function keyChangedMeanwhile(): AgentError {
  return new AgentError('ERR_DEVICE_KEY_CHANGED', 'The device key changed while this enrolment was checked; try again.');
}

/** The TLS key of a certificate request, checked before the Evidence so a wrong key spends no challenge. */
function certifiableKey(candidate: Record<string, unknown>): PublicJwk {
  const parsed = publicJwkSchema.safeParse(candidate);
  try {
    if (parsed.success) {
      publicKeyFromJwk(parsed.data);
      return parsed.data;
    }
  } catch {
    // not a point on P-256
  }
  throw new AgentError('ERR_CERTIFICATE_KEY_MISMATCH', 'tlsKey is not a P-256 public key (a JWK with kty, crv, x and y only).');
}

export interface ServiceSettings {
  /** The service's public base URL: the Evidence audience and the Result issuer. */
  publicUrl: string;
  /** Other URLs that name this service (loopback aliases when no public URL is configured). */
  audienceAliases?: readonly string[];
  /** The `aud` of Results: what gateways expect. */
  resultAudience: string;
  resultLifetimeSeconds: number;
  nonceLifetimeSeconds: number;
}

export interface ServiceDependencies {
  store: Store;
  policy: Policy;
  keys: ServiceKeys;
  /** Signs device certificates (POST /v1/certificate); without it, certify() is refused. */
  deviceCa?: DeviceCa;
  settings: ServiceSettings;
  clock?: () => Date;
  /** Told of every appraisal once it is stored, so this process's forward-auth follows it at once. */
  onAppraised?: (deviceId: string, latest: NonNullable<DeviceStatusRecord['latest']>) => void;
}

export class PostureService {
  #deps: ServiceDependencies;
  readonly #clock: () => Date;
  readonly #deviceKeys = new DeviceKeyCache();

  constructor(deps: ServiceDependencies) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  get #audiences(): readonly string[] {
    return [this.#deps.settings.publicUrl, ...(this.#deps.settings.audienceAliases ?? [])];
  }

  /** The URL it signs Results as and expects as the Evidence audience. */
  get publicUrl(): string {
    return this.#deps.settings.publicUrl;
  }

  get policy(): Policy {
    return this.#deps.policy;
  }

  /** A reloaded policy (SIGHUP): appraisals already under way finish with the one they started with. */
  setPolicy(policy: Policy): void {
    this.#deps = { ...this.#deps, policy };
  }

  async challenge(deviceId: string): Promise<{ nonce: string; expiresAt: string }> {
    const expiresAt = new Date(this.#clock().getTime() + this.#deps.settings.nonceLifetimeSeconds * 1000);
    const nonce = randomNonce();
    await this.#deps.store.createNonce(nonce, deviceId, expiresAt);
    return { nonce, expiresAt: expiresAt.toISOString() };
  }

  #verify(token: unknown, resolveKey: (kid: string, deviceId: string) => Promise<PublicJwk | null>): Promise<VerifiedEvidence> {
    const { store } = this.#deps;
    const now = this.#clock();
    return verifyEvidence(token, {
      audience: this.#audiences,
      now,
      resolveKey,
      consumeNonce: (nonce, deviceId) => store.consumeNonce(nonce, deviceId, now),
      recordJti: (jti, deviceId, expiresAt) => store.recordJti(deviceId, jti, expiresAt),
    });
  }

  /**
   * Enrols a new device, or lets a known one in again. A known device's key changes only through
   * an endorsement signed by its current key (rotation), or with a token after an administrator
   * reset it: an enrolment token alone never replaces a key.
   */
  async enroll(request: EnrollRequest, context: RequestContext = { source: null }): Promise<EnrollResponse> {
    const { store } = this.#deps;
    try {
      publicKeyFromJwk(request.jwk);
    } catch {
      throw new AgentError('ERR_BAD_REQUEST', 'jwk is not a valid P-256 public key.');
    }
    const kid = jwkThumbprint(request.jwk);
    const evidence = await this.#verify(request.evidence, (presentedKid) => Promise.resolve(presentedKid === kid ? request.jwk : null));
    const deviceId = evidence.deviceId;
    const existing = await store.getDevice(deviceId);
    if (existing?.revokedAt) throw new AgentError('ERR_DEVICE_REVOKED', 'This device has been revoked; ask IT to restore it (posture-service devices restore ID) before enrolling it again.');
    const enrolledAt = this.#clock();
    const device: NewDevice = {
      id: deviceId,
      kid,
      jwk: { kty: request.jwk.kty, crv: request.jwk.crv, x: request.jwk.x, y: request.jwk.y },
      enrolledAt,
      hostname: evidence.posture.device.hostname,
      platform: evidence.posture.os.platform,
    };

    if (request.token === undefined) {
      if (!existing) throw new AgentError('ERR_ENROLLMENT_TOKEN', 'This device is not enrolled: an enrolment token is required.');
      verifyKeyEndorsement(request.endorsement, {
        currentKid: existing.kid,
        currentKey: publicKeyFromJwk(existing.jwk),
        deviceId,
        audience: this.#audiences,
        newKid: kid,
        nonce: evidence.nonce,
        now: this.#clock(),
      });
      if (existing.kid !== kid && !(await store.replaceDeviceKey(device, { currentKid: existing.kid }))) throw keyChangedMeanwhile();
    } else {
      const replacesKey = existing !== null && existing.kid !== kid;
      if (replacesKey && existing.resetAt === null) throw alreadyEnrolled(deviceId);
      if (!(await store.consumeEnrollmentToken(hashSecret(request.token), this.#clock()))) {
        throw new AgentError('ERR_ENROLLMENT_TOKEN', 'The enrolment token is unknown, expired or used up; ask IT for a new one.');
      }
      if (existing === null) {
        if (!(await store.insertDevice(device))) throw alreadyEnrolled(deviceId);
      } else if (existing.resetAt !== null) {
        if (!(await store.replaceDeviceKey(device, { afterReset: true }))) throw keyChangedMeanwhile();
        await store.appendAudit({
          at: enrolledAt, actor: `device:${deviceId}`, source: context.source, action: 'device.rekey-after-reset', deviceId,
          detail: { previousKid: existing.kid, kid },
        });
      }
    }

    const appraisal = await this.#appraise(evidence, kid);
    return { deviceId, kid, enrolledAt: enrolledAt.toISOString(), rotated: existing !== null && existing.kid !== kid, appraisal };
  }

  async attest(token: unknown): Promise<AttestResponse> {
    const { evidence, spend } = await this.#verifyEnrolled(token);
    return this.#appraise(evidence, evidence.kid, spend);
  }

  /**
   * A device certificate for the TLS key the Evidence vouches for (`cnf.jkt`): verified and
   * appraised exactly like attest (the appraisal is stored), then signed by the device CA and its
   * serial recorded. The posture does not gate issuance; forward-auth decides on the latest appraisal.
   */
  async certify(request: CertificateRequest, _context: RequestContext = { source: null }): Promise<CertificateResponse> {
    const { deviceCa, store } = this.#deps;
    if (!deviceCa) throw new AgentError('ERR_INTERNAL', 'This service has no device CA.');
    const tlsKey = certifiableKey(request.tlsKey);
    const { evidence, spend } = await this.#verifyEnrolled(request.evidence);
    const tlsJkt = jwkThumbprint(tlsKey);
    if (evidence.confirmationKeyThumbprint === undefined) {
      throw new AgentError('ERR_CERTIFICATE_KEY_MISMATCH', 'The Evidence has no cnf.jkt claim naming the TLS key to certify.');
    }
    if (evidence.confirmationKeyThumbprint !== tlsJkt) {
      throw new AgentError('ERR_CERTIFICATE_KEY_MISMATCH', 'The Evidence\'s cnf.jkt is not the thumbprint of tlsKey.');
    }
    const appraisal = await this.#appraise(evidence, evidence.kid, spend);
    const now = this.#clock();
    const issued = await deviceCa.issue({ deviceId: evidence.deviceId, tlsKey, now });
    await store.recordCertificate({ serial: issued.serial, deviceId: evidence.deviceId, tlsJkt, notBefore: issued.notBefore, notAfter: issued.notAfter, issuedAt: now });
    return {
      deviceId: evidence.deviceId,
      serial: issued.serial,
      certificate: issued.pem,
      caCertificates: deviceCa.trustedCertificates(now).map((certificate) => certificate.toString()),
      notBefore: issued.notBefore.toISOString(),
      expiresAt: issued.notAfter.toISOString(),
      appraisal,
    };
  }

  /**
   * Verifies Evidence from an enrolled device with its registered key (imported once per kid). The
   * nonce and jti are spent, and the key and revocation checked again, when the appraisal is stored.
   */
  async #verifyEnrolled(token: unknown): Promise<{ evidence: VerifiedEvidence; spend: AppraisalSpend }> {
    const { store } = this.#deps;
    const now = this.#clock();
    let spend: Omit<AppraisalSpend, 'kid'> | undefined;
    const evidence = await verifyEvidence(token, {
      audience: this.#audiences,
      now,
      resolveKey: async (kid, deviceId) => {
        const cached = this.#deviceKeys.get(kid, deviceId);
        if (cached) return cached;
        const device = await store.getDevice(deviceId);
        if (!device) throw new AgentError('ERR_DEVICE_UNKNOWN', 'This device is not enrolled (or was removed): enrol it again.');
        if (device.revokedAt) throw revoked();
        if (device.kid !== kid) return null;
        return this.#deviceKeys.remember(kid, deviceId, device.jwk);
      },
      consumeNonce: (nonce) => {
        spend = { nonce, now, jti: '', jtiExpiresAt: now };
        return Promise.resolve(true);
      },
      recordJti: (jti, _deviceId, expiresAt) => {
        spend = { ...spend!, jti, jtiExpiresAt: expiresAt };
        return Promise.resolve(true);
      },
    });
    return { evidence, spend: { ...spend!, kid: evidence.kid } };
  }

  /** Appraises with the service's own policy; the agent's own verdict, if any, is ignored. */
  async #appraise(evidence: VerifiedEvidence, kid: string, spend?: AppraisalSpend): Promise<AttestResponse> {
    const { store, policy } = this.#deps;
    const now = this.#clock();
    const failingSince = await store.getFailingSince(evidence.deviceId, policy.id);
    const evaluation = evaluatePolicy(policy, evidence.posture, { now, failingSince });
    const { token, jti, expiresAt } = this.#signResult(evidence.deviceId, kid, policy, evaluation, now);
    const committed = await store.commitAppraisal(
      {
        deviceId: evidence.deviceId,
        evidenceJti: evidence.jti,
        policyId: policy.id,
        policyVersion: policy.version,
        status: evaluation.status,
        earStatus: evaluation.earStatus,
        tiers: evaluation.tiers,
        verdicts: evaluation.verdicts,
        posture: evidence.posture,
        resultJti: jti,
        resultExpiresAt: expiresAt,
        createdAt: now,
      },
      evaluation.failingSince,
      spend,
    );
    switch (committed.outcome) {
      case 'saved':
        break;
      case 'nonce':
        throw nonceRefused();
      case 'replay':
        throw replayRefused();
      case 'revoked':
        throw revoked();
      case 'key-replaced':
        this.#deviceKeys.forget(kid);
        throw keyUnknown(kid, evidence.deviceId);
      case 'unknown-device':
        this.#deviceKeys.forget(kid);
        throw new AgentError('ERR_DEVICE_UNKNOWN', 'This device is not enrolled (or was removed): enrol it again.');
    }
    this.#deps.onAppraised?.(evidence.deviceId, {
      id: committed.seq, createdAt: now, earStatus: evaluation.earStatus, tiers: evaluation.tiers, verdicts: evaluation.verdicts, resultJti: jti,
    });
    return {
      deviceId: evidence.deviceId,
      result: token,
      expiresAt: expiresAt.toISOString(),
      status: evaluation.status,
      earStatus: evaluation.earStatus,
      policy: `${policy.id}@${policy.version}`,
      tiers: evaluation.tiers,
      verdicts: evaluation.verdicts,
    };
  }

  #signResult(deviceId: string, deviceKid: string, policy: Policy, evaluation: Evaluation, now: Date): { token: string; jti: string; expiresAt: Date } {
    const { keys, settings } = this.#deps;
    const issuedAt = Math.floor(now.getTime() / 1000);
    const exp = issuedAt + settings.resultLifetimeSeconds;
    const jti = randomBytes(16).toString('base64url');
    const claims: ResultClaims = {
      iss: settings.publicUrl,
      aud: settings.resultAudience,
      sub: deviceId,
      iat: issuedAt,
      exp,
      jti,
      eat_profile: RESULT_PROFILE,
      ear_status: evaluation.earStatus,
      ear_verifier_id: { developer: PRODUCT_NAME, build: PRODUCT_VERSION },
      ear_appraisal_policy_ids: [`${policy.id}@${policy.version}`],
      cnf: { jkt: deviceKid },
      posture_tiers: evaluation.tiers,
      posture_checks: evaluation.verdicts.map((verdict) => ({ id: verdict.id, status: verdict.status, severity: verdict.severity })),
    };
    const signer = keys.signing;
    const token = signCompactJws({ alg: 'ES256', typ: EAT_MEDIA_TYPE, kid: signer.kid }, { ...claims }, signer.signingKey);
    return { token, jti, expiresAt: new Date(exp * 1000) };
  }
}

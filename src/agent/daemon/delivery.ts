/**
 * Delivery to the policy service: which service (the configured one, else the one this device
 * enrolled with), enrolment when the configuration gives a token (again when the service no
 * longer knows the device), fresh signed posture for a challenge, and the Result checked before it
 * is kept. Which failures retrying can change is decided here too.
 */
import type { Logger } from 'pino';
import type { KeyStore } from '../../attest/key-store.js';
import type { Host, UserSessionSource } from '../../collectors/index.js';
import type { PostureReport } from '../../collectors/report.js';
import { AgentError, isAgentError, messageOf } from '../../shared/errors.js';
import type { AttestResponse } from '../../wire/service.js';
import { enrollDevice, submitPosture, type CheckInDeps } from '../check-in.js';
import type { AgentConfig } from '../config/agent-config.js';
import { readEnrollment, writeEnrollment, type Enrollment } from '../enrollment.js';
import { ServiceClient, ServiceError } from '../service-client.js';
import { ServiceResultVerifier } from '../verify-service-result.js';

export interface Delivered {
  response: AttestResponse;
  posture: PostureReport;
}

/** Codes the service gives that retrying cannot change. */
const FINAL_CODES = new Set(['ERR_RESULT_ISSUER', 'ERR_RESULT_AUDIENCE', 'ERR_DEVICE_REVOKED', 'ERR_ENROLLMENT_TOKEN', 'ERR_BAD_REQUEST', 'ERR_NOT_ENROLLED', 'ERR_CONFIG_INVALID', 'ERR_UNSUPPORTED_MEDIA_TYPE', 'ERR_ATTESTATION_NOT_YET_VALID', 'ERR_ATTESTATION_EXPIRED']);

/** False when retrying cannot change the answer (revoked, bad request, a broken key): delivery then pauses. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ServiceError) {
    if (error.status === 0 || error.status >= 500 || error.status === 429) return true;
    if (error.code === 'ERR_ATTESTATION_NONCE') return true;
    return !FINAL_CODES.has(error.code) && !error.code.startsWith('ERR_ATTESTATION_');
  }
  if (isAgentError(error)) return !FINAL_CODES.has(error.code) && !error.code.startsWith('ERR_KEY_') && error.code !== 'ERR_MACHINE_ID';
  return true;
}

export interface DeliveryDeps {
  stateDir: string;
  host: Host;
  keyStore: KeyStore;
  deviceId: () => Promise<string>;
  log: Logger;
  now: () => Date;
  /** The configuration in force (it may change between deliveries). */
  config: () => AgentConfig;
  /** Where the per-user signals (screen lock) come from. */
  userSession: UserSessionSource;
}

export class Delivery {
  readonly #deps: DeliveryDeps;
  readonly #verifier = new ServiceResultVerifier();
  #enrollment: Enrollment | null = null;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
  }

  /** Reads the enrolment record; a damaged one is logged and left unused (the device enrols again). */
  async restore(): Promise<void> {
    this.#enrollment = await readEnrollment(this.#deps.stateDir).catch((error: unknown) => {
      this.#deps.log.warn({ code: isAgentError(error) ? error.code : 'ERR_INTERNAL', message: messageOf(error) }, 'enrolment record not usable');
      return null;
    });
  }

  get enrollment(): Enrollment | null {
    return this.#enrollment;
  }

  /** The service: the configured one, else the one this device enrolled with. */
  serviceUrl(): string | null {
    return this.#deps.config().serviceUrl ?? this.#enrollment?.server ?? null;
  }

  /** Enrolled with the service posture goes to. */
  enrolled(): boolean {
    return this.#enrollment !== null && this.#enrollment.server === this.serviceUrl();
  }

  checkInDeps(server: string): CheckInDeps {
    return {
      host: this.#deps.host,
      keyStore: this.#deps.keyStore,
      deviceId: this.#deps.deviceId,
      client: new ServiceClient({ baseUrl: server }),
      now: this.#deps.now,
      collect: { userSession: this.#deps.userSession },
    };
  }

  async #enroll(server: string, token: string): Promise<Delivered> {
    const { enrolled, posture } = await enrollDevice(this.checkInDeps(server), token);
    this.#enrollment = { server, deviceId: enrolled.deviceId, kid: enrolled.kid, enrolledAt: enrolled.enrolledAt };
    await writeEnrollment(this.#deps.stateDir, this.#enrollment);
    this.#deps.log.info({ deviceId: enrolled.deviceId, server, kid: enrolled.kid }, 'enrolled');
    return { response: enrolled.appraisal, posture };
  }

  async #submit(): Promise<Delivered> {
    const { enrollmentToken } = this.#deps.config();
    const serviceUrl = this.serviceUrl();
    if (!serviceUrl) throw new AgentError('ERR_NOT_ENROLLED', 'No policy service is configured (serviceUrl) and this device is not enrolled; posture is checked on this device only.');
    if (!this.#enrollment || this.#enrollment.server !== serviceUrl) {
      if (!enrollmentToken) throw new AgentError('ERR_NOT_ENROLLED', `This device is not enrolled with ${serviceUrl}, and no enrolment token is configured.`);
      return this.#enroll(serviceUrl, enrollmentToken);
    }
    try {
      const checkedIn = await submitPosture(this.checkInDeps(serviceUrl));
      if (checkedIn.rotatedTo) {
        this.#enrollment = { ...this.#enrollment, kid: checkedIn.rotatedTo };
        await writeEnrollment(this.#deps.stateDir, this.#enrollment);
        this.#deps.log.info({ kid: checkedIn.rotatedTo }, 'the service accepted the new device key');
      }
      return { response: checkedIn.response, posture: checkedIn.posture };
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'ERR_DEVICE_UNKNOWN' && enrollmentToken) {
        this.#deps.log.warn('the service does not know this device; enrolling again');
        return this.#enroll(serviceUrl, enrollmentToken);
      }
      throw error;
    }
  }

  /**
   * Delivers fresh posture (enrolling first, or again, when the configuration gives a token) and
   * checks the Result: one that does not verify (the service's keys, the enrolled URL as issuer,
   * resultAudience) is refused, not kept.
   */
  async deliver(): Promise<Delivered> {
    const delivered = await this.#submit();
    await this.#verifier.verify(delivered.response.result, { server: this.#enrollment!.server, audience: this.#deps.config().resultAudience, now: this.#deps.now() });
    return delivered;
  }
}

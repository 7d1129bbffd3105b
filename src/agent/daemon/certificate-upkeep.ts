/**
 * The device certificate's upkeep by the daemon (docs/device-certificates.md): after a delivery,
 * a certificate when there is none or it is two thirds through its lifetime, installed in this
 * user's stores; after a failed attempt the next waits (5 min, doubling up to 6 h); once the
 * device is revoked, removed from the stores and the state directory. Only a per-user daemon does
 * it: a system daemon (root, or one sharing its status with every user) cannot reach a user's stores.
 */
import { homedir } from 'node:os';
import type { Logger } from 'pino';
import type { Host } from '../../collectors/index.js';
import { isAgentError, messageOf } from '../../shared/errors.js';
import { readCurrentCertificate, type CertificateInfo } from '../certificate/certificate-files.js';
import { ensureCertificate, removeCertificate } from '../certificate/device-certificate.js';
import { storesFor, type CertificateStore } from '../certificate/stores/index.js';
import type { CheckInDeps } from '../check-in.js';
import type { AgentConfig } from '../config/agent-config.js';
import type { Enrollment } from '../enrollment.js';

/** After a failed attempt to obtain the device certificate, the next waits this long, doubling up to the maximum. */
export const CERTIFICATE_RETRY_INITIAL_MS = 5 * 60_000;
export const CERTIFICATE_RETRY_MAX_MS = 6 * 3_600_000;

export interface CertificateUpkeepDeps {
  stateDir: string;
  host: Host;
  log: Logger;
  now: () => Date;
  config: () => AgentConfig;
  /** A round trip with the service the device enrolled with. */
  checkIn: (server: string) => CheckInDeps;
  /** Set for a system daemon: it leaves the certificate to each user's own agent. */
  sharedStatusFile?: string;
  /** The home folder whose certificate stores get the device certificate (default: this user's). */
  home?: string;
  /** The stores for the device certificate (default: this OS's, for `home`). */
  certificateStores?: (deviceId: string) => CertificateStore[];
}

export class CertificateUpkeep {
  readonly #deps: CertificateUpkeepDeps;
  /** The device certificate in the state directory, when there is one. */
  #certificate: CertificateInfo | null = null;
  /** A store refused the certificate: installing is tried again after the next delivery. */
  #storesPending = false;
  /** Failed attempts to obtain the certificate in a row, and when the next may be made (this daemon's clock, ms). */
  #retry = { failures: 0, notBefore: 0 };

  constructor(deps: CertificateUpkeepDeps) {
    this.#deps = deps;
  }

  /** Reads the certificate the state directory holds (none when it cannot be read). */
  async restore(): Promise<void> {
    this.#certificate = await readCurrentCertificate(this.#deps.stateDir).catch(() => null);
  }

  get current(): CertificateInfo | null {
    return this.#certificate;
  }

  /** Configured on, and this daemon serves one user whose stores it can reach. */
  #keeps(): boolean {
    // Root's own home is no user's: unless the caller names the home whose stores to use.
    return this.#deps.config().deviceCertificate && this.#deps.sharedStatusFile === undefined && (this.#deps.home !== undefined || process.getuid?.() !== 0);
  }

  #stores(deviceId: string): CertificateStore[] {
    return this.#deps.certificateStores?.(deviceId) ?? storesFor({ host: this.#deps.host, home: this.#deps.home ?? homedir(), deviceId, identityUrls: this.#deps.config().certificateUrls });
  }

  /**
   * After a delivery: a certificate when there is none or it is two thirds through its lifetime.
   * After a failure the next attempt waits (5 min, doubling up to 6 h); `posture-agent cert` tries at once.
   */
  async keep(enrollment: Enrollment | null): Promise<void> {
    if (!this.#keeps() || !enrollment) return;
    if (this.#deps.now().getTime() < this.#retry.notBefore) return;
    const { log } = this.#deps;
    try {
      const { outcome, renewed } = await ensureCertificate({
        stateDir: this.#deps.stateDir,
        checkIn: this.#deps.checkIn(enrollment.server),
        stores: this.#stores(enrollment.deviceId),
        now: this.#deps.now(),
        installWhenCurrent: this.#storesPending,
      });
      this.#retry = { failures: 0, notBefore: 0 };
      this.#storesPending = outcome.stores.some((store) => !store.installed);
      for (const store of outcome.stores) {
        if (!store.installed) log.warn({ store: store.store, code: store.error.code, message: store.error.message }, 'device certificate not installed in a store');
      }
      if (renewed === null) return;
      this.#certificate = await readCurrentCertificate(this.#deps.stateDir);
      log.info({ serial: outcome.serial, expiresAt: outcome.expiresAt, renewAt: outcome.renewAt, why: renewed }, 'device certificate obtained');
    } catch (error) {
      const failures = this.#retry.failures + 1;
      const waitMs = Math.min(CERTIFICATE_RETRY_INITIAL_MS * 2 ** (failures - 1), CERTIFICATE_RETRY_MAX_MS);
      const retryAt = new Date(this.#deps.now().getTime() + waitMs);
      this.#retry = { failures, notBefore: retryAt.getTime() };
      const code = isAgentError(error) ? error.code : 'ERR_INTERNAL';
      log.warn({ code, message: messageOf(error), failures, retryAt: retryAt.toISOString() }, 'could not obtain the device certificate; trying again after the first delivery from retryAt on');
    }
  }

  /** Revoked: the certificate leaves the stores and the state directory. */
  async drop(enrollment: Enrollment | null): Promise<void> {
    const deviceId = enrollment?.deviceId;
    if (this.#certificate === null || deviceId === undefined) return;
    const { log } = this.#deps;
    try {
      const removed = await removeCertificate(this.#deps.stateDir, this.#keeps() ? this.#stores(deviceId) : []);
      this.#certificate = null;
      for (const store of removed) {
        if (!store.removed) log.warn({ store: store.store, code: store.error.code, message: store.error.message }, 'device certificate not removed from a store');
      }
      log.warn('device revoked: the device certificate was removed');
    } catch (error) {
      log.error({ message: messageOf(error) }, 'device revoked, but the device certificate could not be removed');
    }
  }
}

/**
 * The agent daemon (`posture-agent run`): checks on an interval with jitter, on demand, and when
 * something cheap to watch changes; each check collects, signs fresh Evidence for a challenge and
 * delivers it. Never two checks at once. When the service cannot be reached it retries with
 * capped exponential backoff and jitter, always with freshly collected posture, so the latest
 * posture arrives as soon as the service is back. An answer retrying cannot change (revoked, bad
 * request) pauses delivery and is surfaced until the configuration changes (also across a restart)
 * or someone asks for a check. Checks asked for through the local API start at most once per
 * ON_DEMAND_CHECK_SPACING_MS; asks in between join the running check or the next allowed one.
 * One daemon per state directory (a lock file); state is written atomically and never trusted when torn.
 */
import { createHash, randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { LOCAL_API_FILE, LOCAL_API_SECRET_FILE, type CurrentResult, type DaemonState, type DaemonStatus } from '../../api/local-api-types.js';
import { startLocalApi, type LocalApi } from '../../api/local-api-server.js';
import { writeSharedStatusFile } from '../../api/shared-status-file.js';
import type { KeyStore } from '../../attest/key-store.js';
import { collectPosture, type Host } from '../../collectors/index.js';
import { DEFAULT_POLICY } from '../../policy/default-policy.js';
import { evaluatePolicy } from '../../policy/evaluate.js';
import type { AttestResponse } from '../../server/posture-service.js';
import { AgentError, isAgentError, messageOf } from '../../shared/errors.js';
import type { PostureReport } from '../../shared/report.js';
import { fileSystemReason, isPermissionFailure, writePrivateFile } from '../../shared/private-file.js';
import { PRODUCT_VERSION } from '../../shared/version.js';
import { enrollDevice, submitPosture, type CheckInDeps } from '../check-in.js';
import type { AgentConfig } from '../config/agent-config.js';
import { readEnrollment, writeEnrollment, type Enrollment } from '../enrollment.js';
import { ServiceClient, ServiceError } from '../service-client.js';
import { lockStateDir, prepareStateDir, removeStaleTemporaries, stateDirError, type StateDirLock } from '../state-dir.js';
import { ServiceResultVerifier } from '../verify-service-result.js';
import { EMPTY_STATE, loadAgentState, saveAgentState, type AgentState, type DeliveryError } from './agent-state.js';
import { watchEnvironment } from './environment-watch.js';
import { homedir } from 'node:os';
import { readCurrentCertificate, type CertificateInfo } from '../certificate/certificate-files.js';
import { ensureCertificate, removeCertificate } from '../certificate/device-certificate.js';
import { storesFor, type CertificateStore } from '../certificate/stores/index.js';

export interface DaemonDeps {
  stateDir: string;
  host: Host;
  keyStore: KeyStore;
  deviceId: () => Promise<string>;
  /** Reads the configuration again (files, environment, flags, managed locations). */
  loadConfig: () => Promise<{ config: AgentConfig; files: string[] }>;
  log: Logger;
  now?: () => Date;
  random?: () => number;
  /** Watch the network and sleep/resume (off in tests that drive checks themselves). */
  watchEnvironment?: boolean;
  /** Told whenever the status may have changed (a check starts or ends, the configuration changes). */
  onChange?: () => void;
  /** A system daemon publishes its local API here for every local user's tray (status and checks only). */
  sharedStatusFile?: string;
  /** At most one check asked for through the local API starts in this time (default ON_DEMAND_CHECK_SPACING_MS). */
  onDemandSpacingMs?: number;
  /** The home folder whose certificate stores get the device certificate (default: this user's). */
  home?: string;
  /** The stores for the device certificate (default: this OS's, for `home`). */
  certificateStores?: (deviceId: string) => CertificateStore[];
}

/** Checks asked for through the local API (any local user, with the shared secret): at most one started per this many ms. */
export const ON_DEMAND_CHECK_SPACING_MS = 10_000;
const ON_DEMAND = 'local API';
/** After a failed attempt to obtain the device certificate, the next waits this long, doubling up to the maximum. */
export const CERTIFICATE_RETRY_INITIAL_MS = 5 * 60_000;
export const CERTIFICATE_RETRY_MAX_MS = 6 * 3_600_000;

interface Delivered {
  response: AttestResponse;
  posture: PostureReport;
}

/** Codes the service gives that retrying cannot change. */
const FINAL_CODES = new Set(['ERR_RESULT_ISSUER', 'ERR_RESULT_AUDIENCE', 'ERR_DEVICE_REVOKED', 'ERR_ENROLLMENT_TOKEN', 'ERR_BAD_REQUEST', 'ERR_NOT_ENROLLED', 'ERR_CONFIG_INVALID', 'ERR_UNSUPPORTED_MEDIA_TYPE', 'ERR_ATTESTATION_NOT_YET_VALID', 'ERR_ATTESTATION_EXPIRED']);

function isRetryable(error: unknown): boolean {
  if (error instanceof ServiceError) {
    if (error.status === 0 || error.status >= 500 || error.status === 429) return true;
    if (error.code === 'ERR_ATTESTATION_NONCE') return true;
    return !FINAL_CODES.has(error.code) && !error.code.startsWith('ERR_ATTESTATION_');
  }
  if (isAgentError(error)) return !FINAL_CODES.has(error.code) && !error.code.startsWith('ERR_KEY_') && error.code !== 'ERR_MACHINE_ID';
  return true;
}

export class Daemon {
  readonly #deps: DaemonDeps;
  readonly #now: () => Date;
  readonly #random: () => number;
  #config!: AgentConfig;
  #configFiles: string[] = [];
  #state: AgentState = { ...EMPTY_STATE };
  #enrollment: Enrollment | null = null;
  #deviceId: string | null = null;
  #localEvaluation: DaemonStatus['verdicts'] = [];
  #running: Promise<void> | null = null;
  #runningReason: string | null = null;
  #followUp: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextCheckAt: Date | null = null;
  #api: LocalApi | null = null;
  #watchers: FSWatcher[] = [];
  #stopEnvironmentWatch: (() => void) | null = null;
  #stopped = false;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #verifier = new ServiceResultVerifier();
  #lock: StateDirLock | null = null;
  /** When the last check asked for through the local API started (this daemon's clock, ms). */
  #lastOnDemandAt: number | null = null;
  /** A check was asked for too soon after the last one: the next check to start answers it. */
  #onDemandWaiting = false;
  /** The device certificate in the state directory, when there is one. */
  #certificate: CertificateInfo | null = null;
  /** A store refused the certificate: installing is tried again after the next delivery. */
  #storesPending = false;
  /** Failed attempts to obtain the certificate in a row, and when the next may be made (this daemon's clock, ms). */
  #certificateRetry = { failures: 0, notBefore: 0 };

  constructor(deps: DaemonDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#random = deps.random ?? Math.random;
  }

  get config(): AgentConfig {
    return this.#config;
  }

  get localApiUrl(): string | null {
    return this.#api?.url ?? null;
  }

  /**
   * Takes the state directory (refused with ERR_STATE_DIR when it cannot be written, with
   * ERR_STATE_DIR_LOCKED while another daemon holds it), then starts the local API and the schedule.
   */
  async start(): Promise<void> {
    const { stateDir } = this.#deps;
    await prepareStateDir(stateDir);
    this.#lock = await lockStateDir(stateDir, this.#now());
    try {
      await this.#start();
    } catch (error) {
      this.#stopped = true;
      await this.#api?.close();
      this.#api = null;
      await this.#lock.release();
      throw error;
    }
  }

  async #start(): Promise<void> {
    const { stateDir, log } = this.#deps;
    const removed = await removeStaleTemporaries(stateDir, this.#now());
    if (removed.length > 0) log.info({ removed }, 'removed temporary files that interrupted writes left');
    const loaded = await this.#deps.loadConfig();
    this.#config = loaded.config;
    this.#configFiles = loaded.files;
    const restored = await loadAgentState(stateDir, this.#now()).catch((error: unknown) => {
      throw isAgentError(error) ? error : stateDirError(stateDir, error);
    });
    this.#state = restored.state;
    if (restored.recovered) log.warn({ reason: restored.recovered.reason, movedTo: restored.recovered.movedTo }, 'state file was not trusted; starting from a clean state');
    this.#enrollment = await readEnrollment(stateDir).catch((error: unknown) => {
      log.warn({ code: isAgentError(error) ? error.code : 'ERR_INTERNAL', message: messageOf(error) }, 'enrolment record not usable');
      return null;
    });
    this.#certificate = await readCurrentCertificate(stateDir).catch(() => null);
    const paused = this.#state.lastError;
    if (paused && !paused.retryable && this.#state.pausedConfig !== this.#configFingerprint()) {
      log.info({ code: paused.code }, 'the configuration differs from the one delivery was paused with; trying again');
      this.#state = { ...this.#state, lastError: null, pausedConfig: null };
    }

    const secret = randomBytes(32).toString('base64url');
    const sharedSecret = this.#deps.sharedStatusFile === undefined ? undefined : randomBytes(32).toString('base64url');
    this.#api = await startLocalApi({
      host: this.#config.localApiHost,
      port: this.#config.localApiPort,
      secret,
      ...(sharedSecret === undefined ? {} : { sharedSecret }),
      handlers: { status: () => this.status(), check: () => this.requestCheck(), token: () => this.currentResult() },
      onError: (error) => log.error({ message: messageOf(error) }, 'local API error'),
    });
    await writePrivateFile(join(stateDir, LOCAL_API_SECRET_FILE), `${secret}\n`);
    const discovery = { url: this.#api.url, pid: process.pid, startedAt: this.#now().toISOString() };
    await writePrivateFile(join(stateDir, LOCAL_API_FILE), `${JSON.stringify(discovery)}\n`);
    if (this.#deps.sharedStatusFile !== undefined && sharedSecret !== undefined) {
      const file = this.#deps.sharedStatusFile;
      await writeSharedStatusFile(file, { ...discovery, secret: sharedSecret }).catch((error: unknown) => {
        const reason = fileSystemReason(error);
        if (reason === null) throw error;
        throw new AgentError(
          isPermissionFailure(error) ? 'ERR_FILE_PERMISSIONS' : 'ERR_IO',
          `Cannot write the shared status file ${file}: ${reason}. --share-status is for a daemon run by the system (root or SYSTEM); give it a file in a folder this user can write, or leave it out.`,
          { cause: error },
        );
      });
    }

    this.#watchConfigFiles();
    if (this.#deps.watchEnvironment !== false) {
      this.#stopEnvironmentWatch = watchEnvironment({
        onNetworkChange: () => this.#trigger('network change'),
        onResume: (sleptMs) => this.#trigger(`resume after ${Math.round(sleptMs / 1000)} s`),
      });
    }
    log.info(
      { version: PRODUCT_VERSION, localApi: this.#api.url, sharedStatusFile: this.#deps.sharedStatusFile ?? null, service: this.#serviceUrl(), intervalSeconds: this.#config.checkIntervalSeconds },
      'daemon started',
    );
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#reloadTimer);
    this.#stopEnvironmentWatch?.();
    for (const watcher of this.#watchers) watcher.close();
    await this.#running?.catch(() => undefined);
    await this.#api?.close();
    await this.#lock?.release();
    this.#deps.log.info('daemon stopped');
  }

  /** The service: the configured one, else the one this device enrolled with. */
  #serviceUrl(): string | null {
    return this.#config.serviceUrl ?? this.#enrollment?.server ?? null;
  }

  /** Identifies the configuration in force (a one-way hash: the enrolment token is never kept). */
  #configFingerprint(): string {
    return createHash('sha256').update(JSON.stringify({ ...this.#config, serviceUrl: this.#serviceUrl() })).digest('hex');
  }

  #onDemandNotBefore(): number | null {
    if (this.#lastOnDemandAt === null) return null;
    const notBefore = this.#lastOnDemandAt + (this.#deps.onDemandSpacingMs ?? ON_DEMAND_CHECK_SPACING_MS);
    return notBefore > this.#now().getTime() ? notBefore : null;
  }

  /**
   * A check asked for through the local API. It joins a running check; within the spacing after the
   * last one asked for, it answers the status at once and the next check (at the latest when the
   * spacing ends) answers it; otherwise it starts a check and answers when it is done.
   */
  requestCheck(): Promise<DaemonStatus> {
    if (this.#running) return this.#running.then(() => this.status());
    const notBefore = this.#onDemandNotBefore();
    if (this.#stopped) return Promise.resolve(this.status());
    if (notBefore === null) return this.checkNow(ON_DEMAND).then(() => this.status());
    if (!this.#onDemandWaiting) this.#deps.log.info({ notBefore: new Date(notBefore).toISOString() }, 'check asked for within the spacing; the next check answers it');
    this.#onDemandWaiting = true;
    if (this.#nextCheckAt === null || this.#nextCheckAt.getTime() > notBefore) this.#schedule(notBefore - this.#now().getTime());
    this.#deps.onChange?.();
    return Promise.resolve(this.status());
  }

  /** Runs a check now, joins the one in progress, or follows a scheduled one: never two at once. */
  checkNow(reason: string): Promise<void> {
    if (this.#running) {
      // Asked for during a scheduled check: what was asked about may have changed after that check
      // read the machine (or its delivery was paused), so one more check follows it. Asks made
      // during an asked-for check join it.
      if (reason === 'schedule' || this.#runningReason !== 'schedule') return this.#running;
      return (this.#followUp ??= this.#running.then(() => {
        this.#followUp = null;
        return this.#stopped ? undefined : this.checkNow(reason);
      }));
    }
    // Any check that starts answers a check asked for earlier: its posture is fresher than the ask.
    if (this.#onDemandWaiting && reason === 'schedule') reason = `${ON_DEMAND} (asked for within the spacing)`;
    this.#runningReason = reason;
    this.#onDemandWaiting = false;
    if (reason.startsWith(ON_DEMAND)) this.#lastOnDemandAt = this.#now().getTime();
    if (this.#state.lastError && !this.#state.lastError.retryable && reason !== 'schedule') this.#state = { ...this.#state, lastError: null, pausedConfig: null };
    clearTimeout(this.#timer);
    this.#nextCheckAt = null;
    this.#running = this.#check(reason).finally(() => {
      this.#running = null;
      if (!this.#stopped) this.#schedule(this.#nextDelayMs());
      this.#deps.onChange?.();
    });
    this.#deps.onChange?.();
    return this.#running;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#nextCheckAt = new Date(this.#now().getTime() + delayMs);
    this.#timer = setTimeout(() => void this.checkNow('schedule'), delayMs);
  }

  /** A change worth a look: debounced so a burst of events makes one check. */
  #trigger(reason: string): void {
    if (this.#stopped || this.#running) return;
    this.#deps.log.info({ reason }, 'check triggered');
    this.#schedule(1_000);
  }

  /** The interval with ±10 % jitter; after a retryable failure, capped exponential backoff with jitter. */
  #nextDelayMs(): number {
    const intervalMs = this.#config.checkIntervalSeconds * 1000 * (0.9 + this.#random() * 0.2);
    const { lastError, consecutiveFailures } = this.#state;
    if (!lastError?.retryable || consecutiveFailures === 0) return intervalMs;
    const ceiling = Math.min(this.#config.retryMaxSeconds, this.#config.retryInitialSeconds * 2 ** (consecutiveFailures - 1)) * 1000;
    return Math.min(intervalMs, ceiling * (0.5 + this.#random() * 0.5));
  }

  #watchConfigFiles(): void {
    for (const directory of new Set(this.#configFiles.map((file) => dirname(file)))) {
      const names = new Set(this.#configFiles.filter((file) => dirname(file) === directory).map((file) => basename(file)));
      try {
        const watcher = watch(directory, { persistent: false }, (_event, name) => {
          if (name !== null && names.has(name)) this.#reloadSoon();
        });
        watcher.on('error', () => watcher.close());
        this.#watchers.push(watcher);
      } catch {
        // The directory does not exist (no managed configuration here): nothing to watch.
      }
    }
  }

  #reloadSoon(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => void this.#reloadConfig(), 500);
  }

  async #reloadConfig(): Promise<void> {
    try {
      const { config } = await this.#deps.loadConfig();
      if (JSON.stringify(config) === JSON.stringify(this.#config)) return;
      this.#config = config;
      this.#deps.log.level = config.logLevel;
      this.#deps.log.info({ service: config.serviceUrl, intervalSeconds: config.checkIntervalSeconds }, 'configuration changed');
      if (this.#state.lastError && !this.#state.lastError.retryable) this.#state = { ...this.#state, lastError: null, pausedConfig: null };
      this.#deps.onChange?.();
      this.#trigger('configuration change');
    } catch (error) {
      this.#deps.log.error({ code: isAgentError(error) ? error.code : 'ERR_CONFIG_INVALID', message: messageOf(error) }, 'configuration not applied');
    }
  }

  #checkInDeps(server: string): CheckInDeps {
    return {
      host: this.#deps.host,
      keyStore: this.#deps.keyStore,
      deviceId: this.#deps.deviceId,
      client: new ServiceClient({ baseUrl: server }),
      now: this.#now,
    };
  }

  async #enroll(server: string, token: string): Promise<Delivered> {
    const { enrolled, posture } = await enrollDevice(this.#checkInDeps(server), token);
    this.#enrollment = { server, deviceId: enrolled.deviceId, kid: enrolled.kid, enrolledAt: enrolled.enrolledAt };
    await writeEnrollment(this.#deps.stateDir, this.#enrollment);
    this.#deps.log.info({ deviceId: enrolled.deviceId, server, kid: enrolled.kid }, 'enrolled');
    return { response: enrolled.appraisal, posture };
  }

  /** Delivers fresh posture; enrols first (or again) when the configuration gives a token. */
  async #deliver(): Promise<Delivered> {
    const { enrollmentToken } = this.#config;
    const serviceUrl = this.#serviceUrl();
    if (!serviceUrl) throw new AgentError('ERR_NOT_ENROLLED', 'No policy service is configured (serviceUrl) and this device is not enrolled; posture is checked on this device only.');
    if (!this.#enrollment || this.#enrollment.server !== serviceUrl) {
      if (!enrollmentToken) throw new AgentError('ERR_NOT_ENROLLED', `This device is not enrolled with ${serviceUrl}, and no enrolment token is configured.`);
      return this.#enroll(serviceUrl, enrollmentToken);
    }
    try {
      const checkedIn = await submitPosture(this.#checkInDeps(serviceUrl));
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

  async #check(reason: string): Promise<void> {
    const { log } = this.#deps;
    const started = this.#now();
    log.debug({ reason }, 'check started');
    try {
      this.#deviceId ??= await this.#deps.deviceId();
    } catch (error) {
      this.#fail(error, started);
      return this.#persist();
    }
    const paused = this.#state.lastError && !this.#state.lastError.retryable;
    try {
      if (paused) {
        // Delivery is paused on a final answer: keep the employee's view current, locally.
        await this.#collectLocally(started);
      } else {
        const { response, posture } = await this.#deliver();
        // A Result that does not verify (the service's keys, the enrolled URL as issuer, resultAudience) is not kept.
        await this.#verifier.verify(response.result, { server: this.#enrollment!.server, audience: this.#config.resultAudience, now: this.#now() });
        this.#state = { lastCheckAt: started.toISOString(), lastDeliveryAt: this.#now().toISOString(), lastReport: posture, lastResult: response, lastError: null, consecutiveFailures: 0, pausedConfig: null };
        log.info({ reason, status: response.status, policy: response.policy, tiers: response.tiers }, 'posture delivered');
        await this.#keepCertificate();
      }
    } catch (error) {
      this.#fail(error, started);
      if (isAgentError(error) && error.code === 'ERR_DEVICE_REVOKED') await this.#dropCertificate();
      await this.#collectLocally(started).catch(() => undefined);
    }
    await this.#persist();
  }

  /**
   * A system daemon (root, or one sharing its status with every user) cannot reach a user's
   * stores: the device certificate is the per-user daemon's job (docs/device-certificates.md).
   */
  #keepsCertificate(): boolean {
    // Root's own home is no user's: unless the caller names the home whose stores to use.
    return this.#config.deviceCertificate && this.#deps.sharedStatusFile === undefined && (this.#deps.home !== undefined || process.getuid?.() !== 0);
  }

  #stores(deviceId: string): CertificateStore[] {
    return this.#deps.certificateStores?.(deviceId) ?? storesFor({ host: this.#deps.host, home: this.#deps.home ?? homedir(), deviceId, identityUrls: this.#config.certificateUrls });
  }

  /**
   * After a delivery: a certificate when there is none or it is two thirds through its lifetime.
   * After a failure the next attempt waits (5 min, doubling up to 6 h); `posture-agent cert` tries at once.
   */
  async #keepCertificate(): Promise<void> {
    if (!this.#keepsCertificate() || !this.#enrollment) return;
    if (this.#now().getTime() < this.#certificateRetry.notBefore) return;
    const { log } = this.#deps;
    try {
      const { outcome, renewed } = await ensureCertificate({
        stateDir: this.#deps.stateDir,
        checkIn: this.#checkInDeps(this.#enrollment.server),
        stores: this.#stores(this.#enrollment.deviceId),
        now: this.#now(),
        installWhenCurrent: this.#storesPending,
      });
      this.#certificateRetry = { failures: 0, notBefore: 0 };
      this.#storesPending = outcome.stores.some((store) => !store.installed);
      for (const store of outcome.stores) {
        if (!store.installed) log.warn({ store: store.store, code: store.error.code, message: store.error.message }, 'device certificate not installed in a store');
      }
      if (renewed === null) return;
      this.#certificate = await readCurrentCertificate(this.#deps.stateDir);
      log.info({ serial: outcome.serial, expiresAt: outcome.expiresAt, renewAt: outcome.renewAt, why: renewed }, 'device certificate obtained');
    } catch (error) {
      const failures = this.#certificateRetry.failures + 1;
      const waitMs = Math.min(CERTIFICATE_RETRY_INITIAL_MS * 2 ** (failures - 1), CERTIFICATE_RETRY_MAX_MS);
      const retryAt = new Date(this.#now().getTime() + waitMs);
      this.#certificateRetry = { failures, notBefore: retryAt.getTime() };
      const code = isAgentError(error) ? error.code : 'ERR_INTERNAL';
      log.warn({ code, message: messageOf(error), failures, retryAt: retryAt.toISOString() }, 'could not obtain the device certificate; trying again after the first delivery from retryAt on');
    }
  }

  /** Revoked: the certificate leaves the stores and the state directory. */
  async #dropCertificate(): Promise<void> {
    const deviceId = this.#enrollment?.deviceId;
    if (this.#certificate === null || deviceId === undefined) return;
    const { log } = this.#deps;
    try {
      const removed = await removeCertificate(this.#deps.stateDir, this.#keepsCertificate() ? this.#stores(deviceId) : []);
      this.#certificate = null;
      for (const store of removed) {
        if (!store.removed) log.warn({ store: store.store, code: store.error.code, message: store.error.message }, 'device certificate not removed from a store');
      }
      log.warn('device revoked: the device certificate was removed');
    } catch (error) {
      log.error({ message: messageOf(error) }, 'device revoked, but the device certificate could not be removed');
    }
  }

  async #collectLocally(started: Date): Promise<void> {
    const report = await collectPosture(this.#deps.host, { deviceId: this.#deviceId, now: started });
    this.#localEvaluation = evaluatePolicy(DEFAULT_POLICY, report, { now: started }).verdicts;
    this.#state = { ...this.#state, lastCheckAt: started.toISOString(), lastReport: report };
  }

  #fail(error: unknown, at: Date): void {
    const retryable = isRetryable(error);
    const failure: DeliveryError = {
      code: isAgentError(error) ? error.code : 'ERR_INTERNAL',
      message: messageOf(error),
      at: at.toISOString(),
      retryable,
    };
    this.#state = {
      ...this.#state,
      lastError: failure,
      consecutiveFailures: retryable ? this.#state.consecutiveFailures + 1 : this.#state.consecutiveFailures,
      pausedConfig: retryable ? null : this.#configFingerprint(),
    };
    const level = retryable ? 'warn' : 'error';
    this.#deps.log[level]({ code: failure.code, message: failure.message, retryable, failures: this.#state.consecutiveFailures }, retryable ? 'delivery failed; will retry' : 'delivery refused; paused until the configuration changes or a check is asked for');
  }

  async #persist(): Promise<void> {
    try {
      await saveAgentState(this.#deps.stateDir, this.#state);
    } catch (error) {
      this.#deps.log.error({ message: messageOf(error) }, 'could not save state');
    }
  }

  currentResult(): CurrentResult | null {
    const result = this.#state.lastResult;
    if (!result || Date.parse(result.expiresAt) <= this.#now().getTime()) return null;
    return { result: result.result, expiresAt: result.expiresAt };
  }

  #daemonState(): DaemonState {
    const current = this.currentResult() ? this.#state.lastResult : null;
    const lastError = this.#state.lastError;
    if (lastError?.code === 'ERR_DEVICE_REVOKED') return 'noncompliant';
    if (current) return current.status;
    if (lastError?.retryable && this.#serviceUrl()) return 'offline';
    return 'unknown';
  }

  status(): DaemonStatus {
    const result = this.#state.lastResult;
    const state = this.#daemonState();
    const granting = this.currentResult() !== null && this.#state.lastError?.code !== 'ERR_DEVICE_REVOKED';
    const notBefore = this.#onDemandNotBefore();
    return {
      state,
      deviceId: this.#enrollment?.deviceId ?? this.#deviceId,
      service: this.#serviceUrl(),
      enrolled: this.#enrollment !== null && this.#enrollment.server === this.#serviceUrl(),
      lastCheckAt: this.#state.lastCheckAt,
      lastDeliveryAt: this.#state.lastDeliveryAt,
      nextCheckAt: this.#nextCheckAt?.toISOString() ?? null,
      checking: this.#running !== null,
      checkNotBefore: notBefore === null ? null : new Date(notBefore).toISOString(),
      policy: result?.policy ?? (this.#localEvaluation.length > 0 ? `${DEFAULT_POLICY.id}@${DEFAULT_POLICY.version} (on this device)` : null),
      earStatus: result?.earStatus ?? null,
      tiers: granting && result ? result.tiers : [],
      verdicts: result?.verdicts ?? this.#localEvaluation,
      resultExpiresAt: result?.expiresAt ?? null,
      lastError: this.#state.lastError,
      consecutiveFailures: this.#state.consecutiveFailures,
      report: this.#state.lastReport,
      warnings: this.#deps.keyStore.warning ? [this.#deps.keyStore.warning] : [],
      certificate: this.#certificate && {
        expiresAt: this.#certificate.notAfter.toISOString(),
        serial: this.#certificate.serial,
        renewAt: this.#certificate.renewAt.toISOString(),
      },
    };
  }
}

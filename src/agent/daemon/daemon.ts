/**
 * The agent daemon (`posture-agent run`): checks on an interval with jitter, on demand, and when
 * something cheap to watch changes; each check collects, signs fresh Evidence for a challenge and
 * delivers it. Never two checks at once. When the service cannot be reached it retries with
 * capped exponential backoff and jitter, always with freshly collected posture, so the latest
 * posture arrives as soon as the service is back. An answer retrying cannot change (revoked, bad
 * request) pauses delivery and is surfaced until the configuration changes or someone asks for a
 * check. State is written atomically and never trusted when torn.
 */
import { randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { LOCAL_API_FILE, LOCAL_API_SECRET_FILE, type CurrentResult, type DaemonState, type DaemonStatus } from '../../api/local-api-types.js';
import { startLocalApi, type LocalApi } from '../../api/local-api-server.js';
import { writeSharedStatusFile } from '../../api/shared-status-file.js';
import type { KeyStore } from '../../attest/key-store.js';
import { collectPosture, type Host } from '../../collectors/index.js';
import { verifyResult } from '../../gateway/verify-result.js';
import { DEFAULT_POLICY } from '../../policy/default-policy.js';
import { evaluatePolicy } from '../../policy/evaluate.js';
import type { AttestResponse } from '../../server/posture-service.js';
import { AgentError, isAgentError, messageOf } from '../../shared/errors.js';
import type { PostureReport } from '../../shared/report.js';
import { writePrivateFile } from '../../shared/private-file.js';
import { PRODUCT_VERSION } from '../../shared/version.js';
import { enrollDevice, submitPosture, type CheckInDeps } from '../check-in.js';
import type { AgentConfig } from '../config/agent-config.js';
import { readEnrollment, writeEnrollment, type Enrollment } from '../enrollment.js';
import { ServiceClient, ServiceError } from '../service-client.js';
import { EMPTY_STATE, loadAgentState, saveAgentState, type AgentState, type DeliveryError } from './agent-state.js';
import { watchEnvironment } from './environment-watch.js';

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
}

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
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextCheckAt: Date | null = null;
  #api: LocalApi | null = null;
  #watchers: FSWatcher[] = [];
  #stopEnvironmentWatch: (() => void) | null = null;
  #stopped = false;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** The service's signing keys, fetched again when a Result names a key not among them. */
  #jwks: { server: string; keys: unknown[] } | null = null;

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

  async start(): Promise<void> {
    const { stateDir, log } = this.#deps;
    const loaded = await this.#deps.loadConfig();
    this.#config = loaded.config;
    this.#configFiles = loaded.files;
    const restored = await loadAgentState(stateDir, this.#now());
    this.#state = restored.state;
    if (restored.recovered) log.warn({ reason: restored.recovered.reason, movedTo: restored.recovered.movedTo }, 'state file was not trusted; starting from a clean state');
    this.#enrollment = await readEnrollment(stateDir).catch((error: unknown) => {
      log.warn({ code: isAgentError(error) ? error.code : 'ERR_INTERNAL', message: messageOf(error) }, 'enrolment record not usable');
      return null;
    });

    const secret = randomBytes(32).toString('base64url');
    const sharedSecret = this.#deps.sharedStatusFile === undefined ? undefined : randomBytes(32).toString('base64url');
    this.#api = await startLocalApi({
      host: this.#config.localApiHost,
      port: this.#config.localApiPort,
      secret,
      ...(sharedSecret === undefined ? {} : { sharedSecret }),
      handlers: { status: () => this.status(), check: () => this.checkNow('local API').then(() => this.status()), token: () => this.currentResult() },
      onError: (error) => log.error({ message: messageOf(error) }, 'local API error'),
    });
    await writePrivateFile(join(stateDir, LOCAL_API_SECRET_FILE), `${secret}\n`);
    const discovery = { url: this.#api.url, pid: process.pid, startedAt: this.#now().toISOString() };
    await writePrivateFile(join(stateDir, LOCAL_API_FILE), `${JSON.stringify(discovery)}\n`);
    if (this.#deps.sharedStatusFile !== undefined && sharedSecret !== undefined) {
      await writeSharedStatusFile(this.#deps.sharedStatusFile, { ...discovery, secret: sharedSecret });
    }

    this.#watchConfigFiles();
    if (this.#deps.watchEnvironment !== false) {
      this.#stopEnvironmentWatch = watchEnvironment({
        onNetworkChange: () => this.#trigger('network change'),
        onResume: (sleptMs) => this.#trigger(`resume after ${Math.round(sleptMs / 1000)} s`),
      });
    }
    log.info(
      { version: PRODUCT_VERSION, localApi: this.#api.url, sharedStatusFile: this.#deps.sharedStatusFile ?? null, service: this.#config.serviceUrl, intervalSeconds: this.#config.checkIntervalSeconds },
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
    this.#deps.log.info('daemon stopped');
  }

  /** Runs a check now, or joins the one in progress: never two at once. */
  checkNow(reason: string): Promise<void> {
    if (this.#running) return this.#running;
    if (this.#state.lastError && !this.#state.lastError.retryable && reason !== 'schedule') this.#state.lastError = null;
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
      if (this.#state.lastError && !this.#state.lastError.retryable) this.#state.lastError = null;
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
    const { serviceUrl, enrollmentToken } = this.#config;
    if (!serviceUrl) throw new AgentError('ERR_NOT_ENROLLED', 'No policy service is configured (serviceUrl); posture is checked on this device only.');
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

  /** A Result that does not verify with the service's own keys is not kept. */
  async #verified(response: AttestResponse): Promise<void> {
    const server = this.#enrollment!.server;
    const kid = (JSON.parse(Buffer.from(response.result.split('.')[0] ?? '', 'base64url').toString('utf8') || '{}') as { kid?: unknown }).kid;
    const known = this.#jwks?.server === server && this.#jwks.keys.some((key) => (key as { kid?: unknown }).kid === kid);
    if (!known) this.#jwks = { server, keys: (await new ServiceClient({ baseUrl: server }).jwks()).keys };
    try {
      await verifyResult(response.result, { jwks: { keys: this.#jwks!.keys }, issuer: server, audience: this.#config.resultAudience });
    } catch (error) {
      if (isAgentError(error) && error.code === 'ERR_RESULT_ISSUER') {
        throw new AgentError('ERR_RESULT_ISSUER', `The service signs its Results as another URL than ${server}: configure serviceUrl as the service's own public URL (its --url). ${error.message}`);
      }
      throw error;
    }
  }

  async #check(reason: string): Promise<void> {
    const { log } = this.#deps;
    const started = this.#now();
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
        await this.#verified(response);
        this.#state = { lastCheckAt: started.toISOString(), lastDeliveryAt: this.#now().toISOString(), lastReport: posture, lastResult: response, lastError: null, consecutiveFailures: 0 };
        log.info({ reason, status: response.status, policy: response.policy, tiers: response.tiers }, 'posture delivered');
      }
    } catch (error) {
      this.#fail(error, started);
      await this.#collectLocally(started).catch(() => undefined);
    }
    await this.#persist();
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
    this.#state = { ...this.#state, lastError: failure, consecutiveFailures: retryable ? this.#state.consecutiveFailures + 1 : this.#state.consecutiveFailures };
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
    if (lastError?.retryable && this.#config.serviceUrl) return 'offline';
    return 'unknown';
  }

  status(): DaemonStatus {
    const result = this.#state.lastResult;
    const state = this.#daemonState();
    const granting = this.currentResult() !== null && this.#state.lastError?.code !== 'ERR_DEVICE_REVOKED';
    return {
      state,
      deviceId: this.#enrollment?.deviceId ?? this.#deviceId,
      service: this.#config.serviceUrl,
      enrolled: this.#enrollment !== null && this.#enrollment.server === this.#config.serviceUrl,
      lastCheckAt: this.#state.lastCheckAt,
      lastDeliveryAt: this.#state.lastDeliveryAt,
      nextCheckAt: this.#nextCheckAt?.toISOString() ?? null,
      checking: this.#running !== null,
      policy: result?.policy ?? (this.#localEvaluation.length > 0 ? `${DEFAULT_POLICY.id}@${DEFAULT_POLICY.version} (on this device)` : null),
      earStatus: result?.earStatus ?? null,
      tiers: granting && result ? result.tiers : [],
      verdicts: result?.verdicts ?? this.#localEvaluation,
      resultExpiresAt: result?.expiresAt ?? null,
      lastError: this.#state.lastError,
      consecutiveFailures: this.#state.consecutiveFailures,
      report: this.#state.lastReport,
      warnings: this.#deps.keyStore.warning ? [this.#deps.keyStore.warning] : [],
    };
  }
}

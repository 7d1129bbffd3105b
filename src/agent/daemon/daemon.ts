/**
 * The agent daemon (`posture-agent run`): checks on an interval with jitter, on demand, and when
 * something cheap to watch changes; each check collects, signs fresh Evidence for a challenge and
 * delivers it. When the service cannot be reached it retries with capped exponential backoff,
 * always with freshly collected posture. An answer retrying cannot change (revoked, bad request)
 * pauses delivery and is surfaced until the configuration changes (also across a restart) or
 * someone asks for a check. One daemon per state directory (a lock file); state is written
 * atomically and never trusted when torn.
 *
 * This class runs the parts in order and owns what a check changes; each part has one job:
 *   schedule.ts             when checks run (interval, backoff, on-demand spacing, never two at once)
 *   delivery.ts             enrolment, submitting posture, verifying the Result, what is retryable
 *   certificate-upkeep.ts   the device certificate: obtain, renew, install, remove when revoked
 *   local-check.ts          the built-in policy on this device, with the grace-period memory of `check`
 *   status.ts               the DaemonStatus and current Result the local API serves
 *   config-keeper.ts        loading, watching and reloading the configuration
 *   local-api-publisher.ts  the local API and the files that say where it listens
 *   agent-state.ts          the state kept across restarts
 * create-daemon.ts wires a daemon for the CLI's `run` and the tray.
 */
import type { Logger } from 'pino';
import type { CurrentResult, DaemonStatus } from '../../api/local-api-types.js';
import type { LocalApi } from '../../api/local-api-server.js';
import type { KeyStore } from '../../attest/key-store.js';
import type { Host } from '../../collectors/index.js';
import type { PostureReport } from '../../collectors/report.js';
import { isAgentError, messageOf } from '../../shared/errors.js';
import { PRODUCT_VERSION } from '../../shared/version.js';
import type { CertificateStore } from '../certificate/stores/index.js';
import type { AgentConfig } from '../config/agent-config.js';
import { lockStateDir, prepareStateDir, removeStaleTemporaries, stateDirError, type StateDirLock } from '../state-dir.js';
import { EMPTY_STATE, loadAgentState, saveAgentState, type AgentState, type DeliveryError } from './agent-state.js';
import { CertificateUpkeep } from './certificate-upkeep.js';
import { ConfigKeeper, configFingerprint } from './config-keeper.js';
import { Delivery, isRetryable } from './delivery.js';
import { watchEnvironment } from './environment-watch.js';
import { SessionHandOvers } from '../session/session-hand-overs.js';
import { currentUserName } from '../../shared/app-dirs.js';
import type { UserSessionSource } from '../../collectors/index.js';
import type { SessionHandOver, SessionHandOverAnswer } from '../../api/local-api-types.js';
import { checkLocally, evaluateLocally, type LocalCheckDeps } from './local-check.js';
import { publishLocalApi } from './local-api-publisher.js';
import { CheckScheduler, nextCheckDelayMs, ON_DEMAND_CHECK_SPACING_MS, SCHEDULED } from './schedule.js';
import { currentResult, daemonStatus, type LocalEvaluation } from './status.js';

export { ON_DEMAND_CHECK_SPACING_MS } from './schedule.js';
export { CERTIFICATE_RETRY_INITIAL_MS, CERTIFICATE_RETRY_MAX_MS } from './certificate-upkeep.js';

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
  /** Whose session the per-user signals are read in when this is not a system daemon (default: this process's user). */
  sessionUser?: string | null;
}

/** A hand-over older than this many check intervals (plus a minute) is no longer current. */
const SESSION_HAND_OVER_INTERVALS = 2;

export class Daemon {
  readonly #deps: DaemonDeps;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #configs: ConfigKeeper;
  readonly #delivery: Delivery;
  readonly #certificates: CertificateUpkeep;
  readonly #scheduler: CheckScheduler;
  #state: AgentState = { ...EMPTY_STATE };
  #deviceId: string | null = null;
  #local: LocalEvaluation | null = null;
  #api: LocalApi | null = null;
  /** A system daemon's per-user signals, as users' sessions handed them over. */
  readonly #sessions: SessionHandOvers;
  readonly #userSession: UserSessionSource;
  #stopEnvironmentWatch: (() => void) | null = null;
  #lock: StateDirLock | null = null;
  /** Counts applied configuration changes (a check that fails while one is applied does not pause). */
  #configGeneration = 0;

  constructor(deps: DaemonDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#random = deps.random ?? Math.random;
    const { stateDir, host, log } = deps;
    const config = () => this.#configs.config;
    this.#sessions = new SessionHandOvers({ maxAgeMs: () => (SESSION_HAND_OVER_INTERVALS * this.#configs.config.checkIntervalSeconds + 60) * 1000, clock: () => this.#now().getTime() });
    // A system daemon (--share-status) runs as root or SYSTEM: users' sessions hand it the per-user signals.
    this.#userSession = deps.sharedStatusFile !== undefined
      ? { kind: 'handed-over', latest: (signal) => this.#sessions.latest(signal) }
      : { kind: 'this-process', user: deps.sessionUser === undefined ? (currentUserName() ?? null) : deps.sessionUser };
    this.#configs = new ConfigKeeper({ load: deps.loadConfig, log, onChanged: () => this.#configurationChanged() });
    this.#delivery = new Delivery({ stateDir, host, keyStore: deps.keyStore, deviceId: deps.deviceId, log, now: this.#now, config, userSession: this.#userSession });
    this.#certificates = new CertificateUpkeep({
      stateDir,
      host,
      log,
      now: this.#now,
      config,
      checkIn: (server) => this.#delivery.checkInDeps(server),
      sharedStatusFile: deps.sharedStatusFile,
      home: deps.home,
      certificateStores: deps.certificateStores,
    });
    this.#scheduler = new CheckScheduler({
      now: this.#now,
      log,
      check: (reason) => this.#check(reason),
      nextDelayMs: () => nextCheckDelayMs(this.#configs.config, this.#state, this.#random),
      onChange: () => this.#deps.onChange?.(),
      onDemandSpacingMs: deps.onDemandSpacingMs ?? ON_DEMAND_CHECK_SPACING_MS,
    });
  }

  get config(): AgentConfig {
    return this.#configs.config;
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
      this.#scheduler.stop();
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
    const config = await this.#configs.load();
    const restored = await loadAgentState(stateDir, this.#now()).catch((error: unknown) => {
      throw isAgentError(error) ? error : stateDirError(stateDir, error);
    });
    this.#state = restored.state;
    if (restored.recovered) log.warn({ reason: restored.recovered.reason, movedTo: restored.recovered.movedTo }, 'state file was not trusted; starting from a clean state');
    await this.#delivery.restore();
    await this.#certificates.restore();
    const paused = this.#state.lastError;
    if (paused && !paused.retryable && this.#state.pausedConfig !== this.#configFingerprint()) {
      log.info({ code: paused.code }, 'the configuration differs from the one delivery was paused with; trying again');
      this.#state = { ...this.#state, lastError: null, pausedConfig: null };
    }

    this.#api = await publishLocalApi({
      stateDir,
      host: config.localApiHost,
      port: config.localApiPort,
      handlers: {
        status: () => this.status(),
        check: () => this.requestCheck(),
        token: () => this.currentResult(),
        ...(this.#deps.sharedStatusFile === undefined ? {} : { session: (handOver: SessionHandOver) => this.#acceptSession(handOver) }),
      },
      onError: (error) => log.error({ message: messageOf(error) }, 'local API error'),
      sharedStatusFile: this.#deps.sharedStatusFile,
      now: this.#now(),
    });

    this.#configs.watch();
    if (this.#deps.watchEnvironment !== false) {
      this.#stopEnvironmentWatch = watchEnvironment({
        onNetworkChange: () => this.#scheduler.trigger('network change'),
        onResume: (sleptMs) => this.#scheduler.trigger(`resume after ${Math.round(sleptMs / 1000)} s`),
      });
    }
    log.info(
      { version: PRODUCT_VERSION, localApi: this.#api.url, sharedStatusFile: this.#deps.sharedStatusFile ?? null, service: this.#delivery.serviceUrl(), intervalSeconds: config.checkIntervalSeconds },
      'daemon started',
    );
    this.#scheduler.start();
  }

  async stop(): Promise<void> {
    this.#scheduler.stop();
    this.#configs.stop();
    this.#stopEnvironmentWatch?.();
    await this.#scheduler.idle();
    await this.#api?.close();
    await this.#lock?.release();
    this.#deps.log.info('daemon stopped');
  }

  /**
   * A check asked for through the local API. It joins a running check; within the spacing after the
   * last one asked for, it answers the status at once and the next check (at the latest when the
   * spacing ends) answers it; otherwise it starts a check and answers when it is done.
   */
  requestCheck(): Promise<DaemonStatus> {
    return this.#scheduler.requestCheck().then(() => this.status());
  }

  /** Runs a check now, joins the one in progress, or follows a scheduled one: never two at once. */
  checkNow(reason: string): Promise<void> {
    return this.#scheduler.checkNow(reason);
  }

  currentResult(): CurrentResult | null {
    return currentResult(this.#state, this.#now());
  }

  status(): DaemonStatus {
    const warning = this.#deps.keyStore.warning;
    return daemonStatus({
      state: this.#state,
      now: this.#now(),
      serviceUrl: this.#delivery.serviceUrl(),
      enrollment: this.#delivery.enrollment,
      deviceId: this.#deviceId,
      nextCheckAt: this.#scheduler.nextCheckAt,
      checking: this.#scheduler.checking,
      checkNotBefore: this.#scheduler.onDemandNotBefore(),
      local: this.#local,
      warnings: warning ? [warning] : [],
      certificate: this.#certificates.current,
    });
  }

  /** Identifies the configuration in force with the service it reports to. */
  #configFingerprint(): string {
    return configFingerprint(this.#configs.config, this.#delivery.serviceUrl());
  }

  /** A changed configuration ends a pause and is worth a check. */
  #configurationChanged(): void {
    this.#configGeneration += 1;
    this.#resume();
    this.#deps.onChange?.();
    this.#scheduler.trigger('configuration change');
  }

  /** Ends a pause on a final answer: delivery is tried again. */
  #resume(): void {
    if (this.#state.lastError && !this.#state.lastError.retryable) this.#state = { ...this.#state, lastError: null, pausedConfig: null };
  }

  /** What a user's session read; a change (screen lock turned off) is checked at once. */
  #acceptSession(handOver: SessionHandOver): SessionHandOverAnswer {
    const accepted: string[] = [];
    let changed = false;
    for (const [signal, value] of Object.entries(handOver.signals)) {
      changed = this.#sessions.accept(handOver.user, signal, value) || changed;
      accepted.push(signal);
    }
    if (changed) {
      this.#deps.log.info({ user: handOver.user, signals: accepted }, 'a user session handed over per-user signals that changed; checking');
      this.#scheduler.trigger('session hand-over');
    }
    return { accepted };
  }

  #localDeps(): LocalCheckDeps {
    return { host: this.#deps.host, stateDir: this.#deps.stateDir, log: this.#deps.log, userSession: this.#userSession };
  }

  async #check(reason: string): Promise<void> {
    // Anything but the schedule (someone asked) tries delivery again. Before the first await: the
    // status told at the start of the check already shows it.
    if (reason !== SCHEDULED) this.#resume();
    const { log } = this.#deps;
    const started = this.#now();
    log.debug({ reason }, 'check started');
    try {
      this.#deviceId ??= await this.#deps.deviceId();
    } catch (error) {
      this.#state = { ...this.#state, ...this.#failure(error, started) };
      return this.#persist();
    }
    const paused = this.#state.lastError && !this.#state.lastError.retryable;
    try {
      if (paused) {
        // Delivery is paused on a final answer: keep the employee's view current, locally.
        await this.#checkLocally(started);
      } else {
        const { response, posture } = await this.#delivery.deliver();
        // The grace memory `check` reads follows the delivered posture too. The delivery stands
        // even if this device's own evaluation of the posture fails.
        this.#local = await evaluateLocally(this.#localDeps(), posture, started).catch((error: unknown) => {
          log.error({ message: messageOf(error) }, 'the delivered posture was not evaluated on this device');
          return this.#local;
        });
        this.#state = { lastCheckAt: started.toISOString(), lastDeliveryAt: this.#now().toISOString(), lastReport: posture, lastResult: response, lastError: null, consecutiveFailures: 0, pausedConfig: null };
        log.info({ reason, status: response.status, policy: response.policy, tiers: response.tiers }, 'posture delivered');
        await this.#certificates.keep(this.#delivery.enrollment);
      }
    } catch (error) {
      const failed = this.#failure(error, started);
      const configuration = this.#configGeneration;
      if (isAgentError(error) && error.code === 'ERR_DEVICE_REVOKED') await this.#certificates.drop(this.#delivery.enrollment);
      // The failure shows in the status together with the posture collected instead, never one without the other.
      const collected = await checkLocally(this.#localDeps(), this.#deviceId, started).catch(() => null);
      this.#state = { ...this.#state, ...failed };
      // A configuration that changed meanwhile ends the pause this failure would start.
      if (this.#configGeneration !== configuration) this.#resume();
      if (collected) this.#collectedLocally(collected, started);
    }
    await this.#persist();
  }

  async #checkLocally(started: Date): Promise<void> {
    this.#collectedLocally(await checkLocally(this.#localDeps(), this.#deviceId, started), started);
  }

  #collectedLocally({ report, local }: { report: PostureReport; local: LocalEvaluation }, started: Date): void {
    this.#local = local;
    this.#state = { ...this.#state, lastCheckAt: started.toISOString(), lastReport: report };
  }

  /** What a failed delivery changes in the state (a final answer pauses delivery); logged at once. */
  #failure(error: unknown, at: Date): Pick<AgentState, 'lastError' | 'consecutiveFailures' | 'pausedConfig'> {
    const retryable = isRetryable(error);
    const lastError: DeliveryError = {
      code: isAgentError(error) ? error.code : 'ERR_INTERNAL',
      message: messageOf(error),
      at: at.toISOString(),
      retryable,
    };
    const consecutiveFailures = retryable ? this.#state.consecutiveFailures + 1 : this.#state.consecutiveFailures;
    const level = retryable ? 'warn' : 'error';
    this.#deps.log[level]({ code: lastError.code, message: lastError.message, retryable, failures: consecutiveFailures }, retryable ? 'delivery failed; will retry' : 'delivery refused; paused until the configuration changes or a check is asked for');
    return { lastError, consecutiveFailures, pausedConfig: retryable ? null : this.#configFingerprint() };
  }

  async #persist(): Promise<void> {
    try {
      await saveAgentState(this.#deps.stateDir, this.#state);
    } catch (error) {
      this.#deps.log.error({ message: messageOf(error) }, 'could not save state');
    }
  }
}

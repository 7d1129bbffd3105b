/**
 * Where the tray gets the agent's status: an installed daemon through its local API (the tray is
 * then only a client, as the CLI's `status` is), or the agent core running inside the tray.
 */
import { createDaemon, type CreateDaemonOptions } from '../agent/daemon/create-daemon.js';
import type { Daemon } from '../agent/daemon/daemon.js';
import type { LocalApiClient } from '../api/local-api-client.js';
import type { DaemonStatus } from '../api/local-api-types.js';
import { AgentError, isAgentError, messageOf } from '../shared/errors.js';

export interface AgentBackend {
  readonly kind: 'daemon' | 'in-process';
  status(): Promise<DaemonStatus>;
  /** Runs a check now (or joins the running one) and answers with the status after it. */
  checkNow(): Promise<DaemonStatus>;
  /** Calls `listener` with every status that differs from the last one; returns the unsubscribe. */
  subscribe(listener: (status: DaemonStatus) => void): () => void;
  stop(): Promise<void>;
}

type Listener = (status: DaemonStatus) => void;

/** Delivers each distinct status once to every listener. */
class ChangeFeed {
  readonly #listeners = new Set<Listener>();
  #last = '';

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  publish(status: DaemonStatus): void {
    const text = JSON.stringify(status);
    if (text === this.#last) return;
    this.#last = text;
    for (const listener of this.#listeners) listener(status);
  }
}

/** What the tray shows while the daemon cannot be asked: nothing known, and why. */
export function unreachableStatus(error: unknown, now: Date = new Date()): DaemonStatus {
  return {
    state: 'unknown',
    deviceId: null,
    service: null,
    enrolled: false,
    lastCheckAt: null,
    lastDeliveryAt: null,
    nextCheckAt: null,
    checking: false,
    checkNotBefore: null,
    policy: null,
    earStatus: null,
    tiers: [],
    verdicts: [],
    resultExpiresAt: null,
    lastError: { code: isAgentError(error) ? error.code : 'ERR_DAEMON_UNREACHABLE', message: messageOf(error), at: now.toISOString(), retryable: true },
    consecutiveFailures: 0,
    report: null,
    warnings: [],
    certificate: null,
  };
}

/** Finds the daemon's local API (again after the daemon restarts with a new address or secret). */
export type DaemonConnector = () => Promise<LocalApiClient | null>;

const NO_DAEMON = 'The posture agent service is not running on this device. Restart the computer or ask IT.';

/** The daemon's local API, polled (it is loopback and cheap) and asked directly for checks. */
export class DaemonBackend implements AgentBackend {
  readonly kind = 'daemon';
  readonly #connect: DaemonConnector;
  readonly #feed = new ChangeFeed();
  readonly #timer: ReturnType<typeof setInterval>;
  #client: LocalApiClient | null = null;

  readonly #onStop: () => void;

  constructor(connect: DaemonConnector, pollMs = 10_000, onStop: () => void = () => undefined) {
    this.#connect = connect;
    this.#onStop = onStop;
    this.#timer = setInterval(() => void this.status(), pollMs);
    this.#timer.unref();
  }

  async #ask(question: (client: LocalApiClient) => Promise<DaemonStatus>): Promise<DaemonStatus> {
    this.#client ??= await this.#connect();
    if (!this.#client) throw new AgentError('ERR_DAEMON_UNREACHABLE', NO_DAEMON);
    try {
      return await question(this.#client);
    } catch (error) {
      this.#client = null;
      throw error;
    }
  }

  /** Never fails: a daemon that does not answer is a status that says so. */
  async status(): Promise<DaemonStatus> {
    const status = await this.#ask((client) => client.status()).catch((error: unknown) => unreachableStatus(error));
    this.#feed.publish(status);
    return status;
  }

  async checkNow(): Promise<DaemonStatus> {
    const status = await this.#ask((client) => client.check());
    this.#feed.publish(status);
    return status;
  }

  subscribe(listener: Listener): () => void {
    return this.#feed.subscribe(listener);
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#onStop();
    return Promise.resolve();
  }
}

/** The agent core inside the tray process: the daemon, told to report every change. */
export class InProcessBackend implements AgentBackend {
  readonly kind = 'in-process';
  readonly #feed = new ChangeFeed();
  #daemon: Daemon | null = null;

  /** The daemon is built by the caller with `onChange: backend.changed`, then attached. */
  attach(daemon: Daemon): void {
    this.#daemon = daemon;
  }

  readonly changed = (): void => {
    if (this.#daemon) this.#feed.publish(this.#daemon.status());
  };

  #require(): Daemon {
    if (!this.#daemon) throw new Error('The in-process agent has not started.');
    return this.#daemon;
  }

  status(): Promise<DaemonStatus> {
    return Promise.resolve(this.#require().status());
  }

  async checkNow(): Promise<DaemonStatus> {
    const daemon = this.#require();
    await daemon.checkNow('tray');
    return daemon.status();
  }

  subscribe(listener: Listener): () => void {
    return this.#feed.subscribe(listener);
  }

  async stop(): Promise<void> {
    await this.#daemon?.stop();
  }
}

/** What the tray gives its in-process agent; the rest is wired as for `posture-agent run` (create-daemon.ts). */
export type InProcessAgentOptions = Omit<CreateDaemonOptions, 'log' | 'onChange' | 'flags' | 'sharedStatusFile'>;

/** The agent core inside the tray: the daemon `posture-agent run` would start, reporting every change to the tray. */
export async function startInProcessBackend(options: InProcessAgentOptions): Promise<InProcessBackend> {
  const backend = new InProcessBackend();
  const { daemon } = await createDaemon({ ...options, log: { file: 'tray-agent.log', service: 'posture-agent-tray' }, onChange: backend.changed });
  backend.attach(daemon);
  await daemon.start();
  return backend;
}

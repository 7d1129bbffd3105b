/**
 * Where the tray gets the agent's status: an installed daemon through its local API (the tray is
 * then only a client, as the CLI's `status` is), or the agent core running inside the tray.
 */
import type { Daemon } from '../agent/daemon/daemon.js';
import type { LocalApiClient } from '../api/local-api-client.js';
import type { DaemonStatus } from '../api/local-api-types.js';

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

/** The daemon's local API, polled (it is loopback and cheap) and asked directly for checks. */
export class DaemonBackend implements AgentBackend {
  readonly kind = 'daemon';
  readonly #client: LocalApiClient;
  readonly #feed = new ChangeFeed();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(client: LocalApiClient, pollMs = 10_000) {
    this.#client = client;
    this.#timer = setInterval(() => {
      this.status().catch(() => undefined);
    }, pollMs);
    this.#timer.unref();
  }

  async status(): Promise<DaemonStatus> {
    const status = await this.#client.status();
    this.#feed.publish(status);
    return status;
  }

  async checkNow(): Promise<DaemonStatus> {
    const status = await this.#client.check();
    this.#feed.publish(status);
    return status;
  }

  subscribe(listener: Listener): () => void {
    return this.#feed.subscribe(listener);
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
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

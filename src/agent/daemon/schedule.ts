/**
 * When the daemon checks: on an interval with ±10 % jitter (capped exponential backoff with jitter
 * after a retryable failure), when something cheap to watch changes (debounced; a change during a
 * check gets one more check after it), and on demand.
 * Never two checks at once: an ask during a scheduled check gets one more check after it, asks
 * during an asked-for check join it. Checks asked for through the local API start at most once per
 * spacing; asks in between are answered at once and the next check (at the latest when the spacing
 * ends) answers them.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/agent-config.js';
import type { AgentState } from './agent-state.js';

/** The reason of checks the schedule starts. */
export const SCHEDULED = 'schedule';
/** The reason of checks asked for through the local API (also the prefix of one such a check answers). */
export const ON_DEMAND = 'local API';
/** Checks asked for through the local API (any local user, with the shared secret): at most one started per this many ms. */
export const ON_DEMAND_CHECK_SPACING_MS = 10_000;
/** A change worth a look waits this long, so a burst of events makes one check. */
const TRIGGER_DEBOUNCE_MS = 1_000;

/** The interval with ±10 % jitter; after a retryable failure, capped exponential backoff with jitter. */
export function nextCheckDelayMs(
  config: Pick<AgentConfig, 'checkIntervalSeconds' | 'retryInitialSeconds' | 'retryMaxSeconds'>,
  delivery: Pick<AgentState, 'lastError' | 'consecutiveFailures'>,
  random: () => number,
): number {
  const intervalMs = config.checkIntervalSeconds * 1000 * (0.9 + random() * 0.2);
  const { lastError, consecutiveFailures } = delivery;
  if (!lastError?.retryable || consecutiveFailures === 0) return intervalMs;
  const ceiling = Math.min(config.retryMaxSeconds, config.retryInitialSeconds * 2 ** (consecutiveFailures - 1)) * 1000;
  return Math.min(intervalMs, ceiling * (0.5 + random() * 0.5));
}

export interface CheckSchedulerDeps {
  now: () => Date;
  log: Logger;
  /** Runs one check; never called while one runs. Its synchronous start sees the reason first. */
  check: (reason: string) => Promise<void>;
  /** How long after a check the next scheduled one starts. */
  nextDelayMs: () => number;
  /** Told when a check starts or ends, or an ask is put off. */
  onChange: () => void;
  onDemandSpacingMs: number;
}

export class CheckScheduler {
  readonly #deps: CheckSchedulerDeps;
  #running: Promise<void> | null = null;
  #runningReason: string | null = null;
  #followUp: Promise<void> | null = null;
  #triggeredWhileRunning = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextCheckAt: Date | null = null;
  #stopped = false;
  /** When the last check asked for through the local API started (this daemon's clock, ms). */
  #lastOnDemandAt: number | null = null;
  /** A check was asked for too soon after the last one: the next check to start answers it. */
  #onDemandWaiting = false;

  constructor(deps: CheckSchedulerDeps) {
    this.#deps = deps;
  }

  get checking(): boolean {
    return this.#running !== null;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get nextCheckAt(): Date | null {
    return this.#nextCheckAt;
  }

  /** The first check, at once. */
  start(): void {
    this.#schedule(0);
  }

  /** No check starts from now on; the one running (if any) ends by itself: see idle(). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Resolves when no check runs. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  /** Until when a check asked for through the local API does not start one of its own (ms), or null. */
  onDemandNotBefore(): number | null {
    if (this.#lastOnDemandAt === null) return null;
    const notBefore = this.#lastOnDemandAt + this.#deps.onDemandSpacingMs;
    return notBefore > this.#deps.now().getTime() ? notBefore : null;
  }

  /**
   * A check asked for through the local API; resolves when the status answers it. It joins a
   * running check; within the spacing after the last one asked for, it resolves at once and the
   * next check (at the latest when the spacing ends) answers it; otherwise it starts a check.
   */
  requestCheck(): Promise<void> {
    if (this.#running) return this.#running;
    const notBefore = this.onDemandNotBefore();
    if (this.#stopped) return Promise.resolve();
    if (notBefore === null) return this.checkNow(ON_DEMAND);
    if (!this.#onDemandWaiting) this.#deps.log.info({ notBefore: new Date(notBefore).toISOString() }, 'check asked for within the spacing; the next check answers it');
    this.#onDemandWaiting = true;
    if (this.#nextCheckAt === null || this.#nextCheckAt.getTime() > notBefore) this.#schedule(notBefore - this.#deps.now().getTime());
    this.#deps.onChange();
    return Promise.resolve();
  }

  /** Runs a check now, joins the one in progress, or follows a scheduled one: never two at once. */
  checkNow(reason: string): Promise<void> {
    if (this.#running) {
      // Asked for during a scheduled check: what was asked about may have changed after that check
      // read the machine (or its delivery was paused), so one more check follows it. Asks made
      // during an asked-for check join it.
      if (reason === SCHEDULED || this.#runningReason !== SCHEDULED) return this.#running;
      return (this.#followUp ??= this.#running.then(() => {
        this.#followUp = null;
        return this.#stopped ? undefined : this.checkNow(reason);
      }));
    }
    // Any check that starts answers a check asked for earlier: its posture is fresher than the ask.
    if (this.#onDemandWaiting && reason === SCHEDULED) reason = `${ON_DEMAND} (asked for within the spacing)`;
    this.#runningReason = reason;
    this.#onDemandWaiting = false;
    if (reason.startsWith(ON_DEMAND)) this.#lastOnDemandAt = this.#deps.now().getTime();
    clearTimeout(this.#timer);
    this.#nextCheckAt = null;
    this.#triggeredWhileRunning = false;
    this.#running = this.#deps.check(reason).finally(() => {
      this.#running = null;
      const triggered = this.#triggeredWhileRunning;
      this.#triggeredWhileRunning = false;
      if (!this.#stopped) this.#schedule(triggered ? TRIGGER_DEBOUNCE_MS : this.#deps.nextDelayMs());
      this.#deps.onChange();
    });
    this.#deps.onChange();
    return this.#running;
  }

  /** A change worth a look (network, wake from sleep, configuration): debounced so a burst of events makes one check. */
  trigger(reason: string): void {
    if (this.#stopped) return;
    this.#deps.log.info({ reason }, 'check triggered');
    // The running check may have read the machine before the change: one more follows it.
    if (this.#running) this.#triggeredWhileRunning = true;
    else this.#schedule(TRIGGER_DEBOUNCE_MS);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#nextCheckAt = new Date(this.#deps.now().getTime() + delayMs);
    this.#timer = setTimeout(() => void this.checkNow(SCHEDULED), delayMs);
  }
}

/**
 * Moves device state changes from the outbox to their destinations, in the background of every
 * instance: publishes staleness, routes new events to the configured destinations, then leases
 * due deliveries (no other instance attempts them meanwhile), sends them and records each attempt.
 * All its state is in the database, so deliveries carry on after a restart or on another instance.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceKeys } from '../service-keys.js';
import type { ClaimedDelivery, StateEvent } from '../store/event-records.js';
import type { Store } from '../store/store.js';
import { crossesCompliance } from './caep-set.js';
import type { EventDestination, EventsConfig } from './events-config.js';
import { sendEvent } from './event-sender.js';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt, type RetrySchedule } from './retry-schedule.js';

export interface EventDispatcherOptions {
  store: Store;
  config: EventsConfig;
  keys: ServiceKeys;
  /** The service's public URL: the SETs' issuer. */
  issuer: string;
  clock: () => Date;
  /** A device whose latest appraisal is older than this is stale (--max-posture-age). */
  staleAfterMs: number;
  onError: (error: unknown, what: string) => void;
  pollIntervalMs?: number;
  /** How often to look for devices that went stale. */
  sweepIntervalMs?: number;
  retry?: RetrySchedule;
  /** Events are deleted (with their delivery log) this long after they happened. */
  retentionMs?: number;
  requestTimeoutMs?: number;
}

const BATCH = 50;
const LEASE_MS = 60_000;

/** The destinations an event goes to: every webhook; SSF receivers only when compliance changes. */
export function routeOf(destinations: readonly EventDestination[]): (event: StateEvent) => string[] {
  return (event) => destinations.filter((destination) => destination.kind === 'webhook' || crossesCompliance(event)).map((destination) => destination.key);
}

export class EventDispatcher {
  readonly #options: EventDispatcherOptions;
  readonly #byKey: Map<string, EventDestination>;
  readonly #route: (event: StateEvent) => string[];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  #lastSweep = 0;

  constructor(options: EventDispatcherOptions) {
    this.#options = options;
    this.#byKey = new Map(options.config.destinations.map((destination) => [destination.key, destination]));
    this.#route = routeOf(options.config.destinations);
  }

  start(): void {
    this.#schedule(0);
  }

  /** Stops polling and waits for the round in progress (its leases are released by the outcome it records). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One round now (after the one in progress): sweep, route, deliver what is due. */
  runOnce(): Promise<void> {
    this.#running = this.#running.then(() => this.#round());
    return this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runOnce().finally(() => this.#schedule(this.#options.pollIntervalMs ?? 1_000));
    }, delayMs);
    this.#timer.unref();
  }

  async #round(): Promise<void> {
    const { store, clock } = this.#options;
    const now = clock();
    try {
      if (now.getTime() - this.#lastSweep >= (this.#options.sweepIntervalMs ?? 30_000) || now.getTime() < this.#lastSweep) {
        this.#lastSweep = now.getTime();
        while (await store.publishStaleDevices(new Date(now.getTime() - this.#options.staleAfterMs), now, BATCH) === BATCH) { /* next batch */ }
        await store.pruneEvents(new Date(now.getTime() - (this.#options.retentionMs ?? 30 * 86_400_000)), 1_000);
      }
      while (await store.routeEvents(this.#route, now, BATCH) === BATCH) { /* next batch */ }
      if (this.#byKey.size === 0) return;
      for (;;) {
        const owner = randomUUID();
        const claimed = await store.claimDeliveries([...this.#byKey.keys()], owner, clock(), new Date(clock().getTime() + LEASE_MS), BATCH);
        await Promise.all(claimed.map((delivery) => this.#deliver(delivery, owner)));
        if (claimed.length < BATCH || this.#stopped) break;
      }
    } catch (error) {
      this.#options.onError(error, 'could not deliver device state events');
    }
  }

  async #deliver(delivery: ClaimedDelivery, leaseOwner: string): Promise<void> {
    const destination = this.#byKey.get(delivery.destination);
    if (destination === undefined) return;
    const { clock, store } = this.#options;
    const sent = await sendEvent(delivery.event, destination, {
      issuer: this.#options.issuer, keys: this.#options.keys, now: clock(), timeoutMs: this.#options.requestTimeoutMs ?? 10_000,
    }).catch((error: unknown) => ({ outcome: 'retry' as const, statusCode: null, error: error instanceof Error ? error.message : String(error) }));
    const at = clock();
    const retryAt = sent.outcome === 'retry' ? nextAttemptAt(this.#options.retry ?? DEFAULT_RETRY_SCHEDULE, delivery.attempts + 1, delivery.event.occurredAt, at) : null;
    const gaveUp = sent.outcome === 'retry' && retryAt === null;
    await store.finishDelivery({
      eventId: delivery.event.id,
      destination: delivery.destination,
      leaseOwner,
      at,
      outcome: gaveUp ? 'failed' : sent.outcome,
      statusCode: sent.statusCode,
      error: sent.outcome === 'delivered' ? null : gaveUp ? `${sent.error}; gave up (the event is too old to try again)` : sent.error,
      nextAttemptAt: retryAt,
    });
  }
}

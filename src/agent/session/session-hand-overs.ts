/**
 * What users' sessions handed over to a system daemon: the per-user signals (screen lock) that a
 * daemon running as root or SYSTEM cannot read itself. Each value is checked against its signal's
 * schema; the freshest one not older than `maxAgeMs` goes into the report, naming whose session.
 */
import type { HandedOver } from '../../collectors/index.js';
import { SIGNAL_SCHEMAS } from '../../collectors/signal-schemas.js';
import { SIGNALS, type SignalName } from '../../collectors/signals.js';
import { AgentError } from '../../shared/errors.js';

interface Received {
  user: string;
  value: Record<string, unknown>;
  at: number;
}

export const PER_USER_SIGNALS: readonly SignalName[] = SIGNALS.filter((signal) => signal.perUser).map((signal) => signal.name);

export class SessionHandOvers {
  readonly #bySignal = new Map<SignalName, Map<string, Received>>();
  readonly #maxAgeMs: () => number;
  readonly #clock: () => number;

  constructor(options: { maxAgeMs: () => number; clock?: () => number }) {
    this.#maxAgeMs = options.maxAgeMs;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Keeps what `user`'s session read; refuses a value its signal's schema does not accept.
   * Returns whether it differs from what that session handed over last (a reason to check again).
   */
  accept(user: string, signal: string, value: unknown): boolean {
    const definition = SIGNALS.find((candidate) => candidate.name === signal && candidate.perUser);
    if (!definition) throw new AgentError('ERR_BAD_REQUEST', `"${signal}" is not a per-user signal; these are: ${PER_USER_SIGNALS.join(', ')}.`);
    const parsed = SIGNAL_SCHEMAS[definition.name].safeParse(value);
    if (!parsed.success) throw new AgentError('ERR_BAD_REQUEST', `The ${signal} value is not valid: ${parsed.error.issues[0]?.message ?? 'wrong shape'}.`);
    const sessions = this.#bySignal.get(definition.name) ?? new Map<string, Received>();
    this.#bySignal.set(definition.name, sessions);
    const received = { ...(parsed.data as Record<string, unknown>), user };
    const previous = sessions.get(user);
    sessions.set(user, { user, value: received, at: this.#clock() });
    return previous === undefined || JSON.stringify(previous.value) !== JSON.stringify(received);
  }

  /** The freshest hand-over of `signal`, or null when no session handed it over within the maximum age. */
  latest(signal: SignalName): HandedOver | null {
    const oldest = this.#clock() - this.#maxAgeMs();
    let freshest: Received | null = null;
    for (const received of this.#bySignal.get(signal)?.values() ?? []) {
      if (received.at >= oldest && (freshest === null || received.at > freshest.at)) freshest = received;
    }
    return freshest && { user: freshest.user, value: freshest.value };
  }
}

/**
 * The user-session part of a system-wide install: reads the per-user signals (screen lock) in this
 * user's session and hands them to the system daemon over its local API, at start and then at
 * every interval, so the daemon signs them with the rest of the posture. Failures are logged and
 * tried again at the next interval; they never stop the caller.
 */
import { collectPerUserSignals, type Host } from '../../collectors/index.js';
import type { SessionHandOver } from '../../api/local-api-types.js';
import { messageOf } from '../../shared/errors.js';

export interface SessionReporterDeps {
  host: Host;
  user: string;
  /** Delivers what was read (LocalApiClient.handOver of the system daemon). */
  handOver(body: SessionHandOver): Promise<unknown>;
  intervalMs: number;
  onError?(message: string): void;
}

export interface SessionReporter {
  /** Reads and hands over now (also what the interval does). */
  report(): Promise<void>;
  stop(): void;
}

export function startSessionReporter(deps: SessionReporterDeps): SessionReporter {
  const report = async (): Promise<void> => {
    try {
      const { values } = await collectPerUserSignals(deps.host);
      await deps.handOver({ user: deps.user, signals: values });
    } catch (error) {
      deps.onError?.(messageOf(error));
    }
  };
  const timer = setInterval(() => void report(), deps.intervalMs);
  timer.unref();
  void report();
  return { report, stop: () => clearInterval(timer) };
}
